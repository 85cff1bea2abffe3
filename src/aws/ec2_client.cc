#include "aws/ec2_client.h"

#include <cstdlib>
#include <pugixml.hpp>

#include "core/chunks.h"

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using core::Result;

namespace {

Error Malformed(const std::string& what, const std::string& request_id = "") {
  Error e = Error::Make(ErrorKind::kMalformed, what, "MalformedResponse");
  e.request_id = request_id;
  return e;
}

// Checks that parsing worked and the root element is `root`.
Result<pugi::xml_node> CheckRoot(pugi::xml_document& doc, const pugi::xml_parse_result& pr, const char* root) {
  if (!pr) {
    return Malformed(std::string("cannot parse the ") + root + " XML: " + pr.description() + " at offset " +
                     std::to_string(pr.offset));
  }
  pugi::xml_node r = doc.document_element();
  if (std::string(r.name()) != root) {
    return Malformed(std::string("expected <") + root + ">, got <" + r.name() + ">", r.child_value("requestId"));
  }
  return r;
}

// Text goes into its element instead of a node of its own: half the nodes
// for AWS's element-only documents (a 1,000-instance page is several MB).
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_embed_pcdata;

// Loads `xml` and checks the root element's name.
Result<pugi::xml_node> Load(pugi::xml_document& doc, const std::string& xml, const char* root) {
  pugi::xml_parse_result pr = doc.load_buffer(xml.data(), xml.size(), kParseOptions);
  return CheckRoot(doc, pr, root);
}

// The same, parsing inside `xml` itself (no copy); `xml` must outlive `doc`.
Result<pugi::xml_node> LoadInPlace(pugi::xml_document& doc, std::string& xml, const char* root) {
  pugi::xml_parse_result pr = doc.load_buffer_inplace(xml.data(), xml.size(), kParseOptions);
  return CheckRoot(doc, pr, root);
}

std::vector<Tag> ParseTagSet(pugi::xml_node parent) {
  std::vector<Tag> tags;
  for (pugi::xml_node item : parent.child("tagSet").children("item")) {
    tags.push_back({item.child_value("key"), item.child_value("value")});
  }
  return tags;
}

Snapshot ParseSnapshotNode(pugi::xml_node n) {
  Snapshot s;
  s.snapshot_id = n.child_value("snapshotId");
  s.volume_id = n.child_value("volumeId");
  s.state = n.child_value("status");
  if (s.state.empty()) s.state = n.child_value("state");  // CreateSnapshots' item shape
  s.progress = n.child_value("progress");
  s.description = n.child_value("description");
  s.owner_id = n.child_value("ownerId");
  s.start_time = n.child_value("startTime");
  s.volume_size_gib = n.child("volumeSize").text().as_int();
  s.encrypted = n.child("encrypted").text().as_bool();
  s.state_message = n.child_value("statusMessage");
  s.completion_duration_minutes = n.child("completionDurationMinutes").text().as_int();
  s.tags = ParseTagSet(n);
  return s;
}

VolumeAttachment ParseAttachmentNode(pugi::xml_node n) {
  return {n.child_value("volumeId"), n.child_value("instanceId"), n.child_value("device"), n.child_value("status")};
}

// A volume: a volumeSet item, or CreateVolume's response element itself.
Volume ParseVolumeNode(pugi::xml_node n) {
  Volume v;
  v.volume_id = n.child_value("volumeId");
  v.snapshot_id = n.child_value("snapshotId");
  v.availability_zone = n.child_value("availabilityZone");
  v.state = n.child_value("status");
  v.volume_type = n.child_value("volumeType");
  v.kms_key_id = n.child_value("kmsKeyId");
  v.create_time = n.child_value("createTime");
  v.size_gib = n.child("size").text().as_int();
  v.iops = n.child("iops").text().as_int();
  v.throughput = n.child("throughput").text().as_int();
  v.encrypted = n.child("encrypted").text().as_bool();
  for (pugi::xml_node a : n.child("attachmentSet").children("item")) v.attachments.push_back(ParseAttachmentNode(a));
  v.tags = ParseTagSet(n);
  return v;
}

std::vector<InstanceStateChange> ParseStateChanges(pugi::xml_node root) {
  std::vector<InstanceStateChange> out;
  for (pugi::xml_node item : root.child("instancesSet").children("item")) {
    out.push_back({item.child_value("instanceId"), item.child("previousState").child_value("name"),
                   item.child("currentState").child_value("name")});
  }
  return out;
}

}  // namespace

std::string TagValue(const std::vector<Tag>& tags, const std::string& key) {
  for (const auto& t : tags) {
    if (t.key == key) return t.value;
  }
  return "";
}

std::string Instance::TagValue(const std::string& key) const { return aws::TagValue(tags, key); }

std::string Snapshot::TagValue(const std::string& key) const { return aws::TagValue(tags, key); }

std::string Volume::TagValue(const std::string& key) const { return aws::TagValue(tags, key); }

Result<Page<Instance>> ParseDescribeInstances(std::string xml) {
  pugi::xml_document doc;
  auto root = LoadInPlace(doc, xml, "DescribeInstancesResponse");
  if (!root.ok()) return root.error();
  Page<Instance> page;
  for (pugi::xml_node res : root->child("reservationSet").children("item")) {
    for (pugi::xml_node n : res.child("instancesSet").children("item")) {
      Instance i;
      i.instance_id = n.child_value("instanceId");
      if (i.instance_id.empty()) return Malformed("an instance without instanceId");
      i.state = n.child("instanceState").child_value("name");
      i.instance_type = n.child_value("instanceType");
      i.availability_zone = n.child("placement").child_value("availabilityZone");
      i.root_device_name = n.child_value("rootDeviceName");
      for (pugi::xml_node bd : n.child("blockDeviceMapping").children("item")) {
        pugi::xml_node ebs = bd.child("ebs");
        if (!ebs) continue;
        i.block_devices.push_back({bd.child_value("deviceName"), ebs.child_value("volumeId")});
      }
      i.tags = ParseTagSet(n);
      page.items.push_back(std::move(i));
    }
  }
  page.next_token = root->child_value("nextToken");
  return page;
}

Result<std::vector<InstanceStateChange>> ParseInstanceStateChanges(const std::string& xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result pr = doc.load_buffer(xml.data(), xml.size());
  if (!pr) return Malformed(std::string("cannot parse the state-change XML: ") + pr.description());
  std::string root = doc.document_element().name();
  if (root != "StopInstancesResponse" && root != "StartInstancesResponse") {
    return Malformed("unexpected <" + root + "> in a Start/StopInstances response");
  }
  return ParseStateChanges(doc.document_element());
}

Result<std::vector<Snapshot>> ParseCreateSnapshots(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "CreateSnapshotsResponse");
  if (!root.ok()) return root.error();
  std::vector<Snapshot> out;
  for (pugi::xml_node n : root->child("snapshotSet").children("item")) {
    Snapshot s = ParseSnapshotNode(n);
    if (s.snapshot_id.empty()) return Malformed("CreateSnapshots item without snapshotId");
    out.push_back(std::move(s));
  }
  return out;
}

Result<Page<Snapshot>> ParseDescribeSnapshots(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "DescribeSnapshotsResponse");
  if (!root.ok()) return root.error();
  Page<Snapshot> page;
  for (pugi::xml_node n : root->child("snapshotSet").children("item")) {
    page.items.push_back(ParseSnapshotNode(n));
  }
  page.next_token = root->child_value("nextToken");
  return page;
}

Result<std::string> ParseCopySnapshot(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "CopySnapshotResponse");
  if (!root.ok()) return root.error();
  std::string id = root->child_value("snapshotId");
  if (id.empty()) return Malformed("CopySnapshot response without snapshotId");
  return id;
}

SnapshotLock ParseLockNode(pugi::xml_node n) {
  SnapshotLock l;
  l.snapshot_id = n.child_value("snapshotId");
  l.lock_state = n.child_value("lockState");
  l.lock_duration_days = std::atoi(n.child_value("lockDuration"));
  l.lock_expires_on = n.child_value("lockExpiresOn");
  l.lock_created_on = n.child_value("lockCreatedOn");
  return l;
}

Result<SnapshotLock> ParseLockSnapshot(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "LockSnapshotResponse");
  if (!root.ok()) return root.error();
  SnapshotLock l = ParseLockNode(*root);
  if (l.snapshot_id.empty() || l.lock_state.empty()) return Malformed("LockSnapshot response without its lock");
  return l;
}

Result<Page<SnapshotLock>> ParseDescribeLockedSnapshots(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "DescribeLockedSnapshotsResponse");
  if (!root.ok()) return root.error();
  Page<SnapshotLock> page;
  for (pugi::xml_node n : root->child("snapshotSet").children("item")) {
    SnapshotLock l = ParseLockNode(n);
    if (l.snapshot_id.empty()) return Malformed("a locked snapshot without snapshotId");
    page.items.push_back(std::move(l));
  }
  page.next_token = root->child_value("nextToken");
  return page;
}

Result<std::vector<std::string>> ParseDescribeRegions(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "DescribeRegionsResponse");
  if (!root.ok()) return root.error();
  std::vector<std::string> out;
  for (pugi::xml_node n : root->child("regionInfo").children("item")) {
    out.push_back(n.child_value("regionName"));
  }
  return out;
}

Result<Page<Volume>> ParseDescribeVolumes(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "DescribeVolumesResponse");
  if (!root.ok()) return root.error();
  Page<Volume> page;
  for (pugi::xml_node n : root->child("volumeSet").children("item")) {
    Volume v = ParseVolumeNode(n);
    if (v.volume_id.empty()) return Malformed("a volume without volumeId");
    page.items.push_back(std::move(v));
  }
  page.next_token = root->child_value("nextToken");
  return page;
}

Result<Volume> ParseCreateVolume(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "CreateVolumeResponse");
  if (!root.ok()) return root.error();
  Volume v = ParseVolumeNode(*root);
  if (v.volume_id.empty()) return Malformed("CreateVolume response without volumeId");
  return v;
}

Result<VolumeAttachment> ParseAttachVolume(const std::string& xml) {
  pugi::xml_document doc;
  const bool detach = xml.find("<DetachVolumeResponse") != std::string::npos;
  auto root = Load(doc, xml, detach ? "DetachVolumeResponse" : "AttachVolumeResponse");
  if (!root.ok()) return root.error();
  VolumeAttachment a = ParseAttachmentNode(*root);
  if (a.volume_id.empty()) return Malformed("an attachment response without volumeId");
  return a;
}

Result<Page<std::string>> ParseDescribeVolumeIds(const std::string& xml) {
  pugi::xml_document doc;
  auto root = Load(doc, xml, "DescribeVolumesResponse");
  if (!root.ok()) return root.error();
  Page<std::string> page;
  for (pugi::xml_node n : root->child("volumeSet").children("item")) {
    page.items.push_back(n.child_value("volumeId"));
  }
  page.next_token = root->child_value("nextToken");
  return page;
}

namespace {
// Adds the request id of the response to a parse error.
template <typename T>
Result<T> WithRequestId(Result<T> r, const QueryResponse& resp, const std::string& action) {
  if (r.ok()) return r;
  Error e = r.error().WithContext(action);
  if (e.request_id.empty()) e.request_id = resp.request_id;
  return e;
}
}  // namespace

Result<Page<Instance>> Ec2Client::DescribeInstances(const DescribeInstancesRequest& req) {
  QueryParams p;
  p.SetList("InstanceId", req.instance_ids);
  p.SetFilters(req.filters);
  if (req.max_results > 0) p.Set("MaxResults", std::to_string(req.max_results));
  if (!req.next_token.empty()) p.Set("NextToken", req.next_token);
  auto r = client_.Call("DescribeInstances", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseDescribeInstances(std::move(r->body)), *r, "DescribeInstances");
}

Result<std::vector<InstanceStateChange>> Ec2Client::StopInstances(const std::vector<std::string>& ids) {
  QueryParams p;
  p.SetList("InstanceId", ids);
  auto r = client_.Call("StopInstances", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseInstanceStateChanges(r->body), *r, "StopInstances");
}

Result<std::vector<InstanceStateChange>> Ec2Client::StartInstances(const std::vector<std::string>& ids) {
  QueryParams p;
  p.SetList("InstanceId", ids);
  auto r = client_.Call("StartInstances", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseInstanceStateChanges(r->body), *r, "StartInstances");
}

Result<std::vector<Snapshot>> Ec2Client::CreateSnapshots(const CreateSnapshotsRequest& req) {
  QueryParams p;
  p.Set("InstanceSpecification.InstanceId", req.instance_id);
  if (req.exclude_boot_volume) p.Set("InstanceSpecification.ExcludeBootVolume", "true");
  p.SetList("InstanceSpecification.ExcludeDataVolumeId", req.exclude_data_volume_ids);
  if (!req.description.empty()) p.Set("Description", req.description);
  if (!req.tags.empty()) p.SetTagSpecification(1, "snapshot", req.tags);
  if (!req.copy_tags_from_source.empty()) p.Set("CopyTagsFromSource", req.copy_tags_from_source);
  auto r = client_.Call("CreateSnapshots", p, /*idempotent=*/false);
  if (!r.ok()) return r.error();
  auto s = ParseCreateSnapshots(r->body);
  if (!s.ok()) {
    Error e = s.error().WithContext("CreateSnapshots");
    e.kind = ErrorKind::kAmbiguous;  // a 200 we cannot read: the snapshots may exist
    e.request_id = r->request_id;
    return e;
  }
  return s;
}

core::Status Ec2Client::DeleteTags(const std::vector<std::string>& resource_ids, const std::vector<std::string>& keys) {
  QueryParams p;
  p.SetList("ResourceId", resource_ids);
  for (size_t i = 0; i < keys.size(); ++i) p.Set("Tag." + std::to_string(i + 1) + ".Key", keys[i]);
  auto r = client_.Call("DeleteTags", p);
  if (!r.ok()) return r.error();
  return core::OkStatus();
}

core::Status Ec2Client::CreateTags(const std::vector<std::string>& resource_ids, const std::vector<Tag>& tags) {
  QueryParams p;
  p.SetList("ResourceId", resource_ids);
  p.SetTags("Tag", tags);
  auto r = client_.Call("CreateTags", p);
  if (!r.ok()) return r.error();
  return core::OkStatus();
}

Result<Page<Snapshot>> Ec2Client::DescribeSnapshots(const DescribeSnapshotsRequest& req) {
  QueryParams p;
  p.SetList("SnapshotId", req.snapshot_ids);
  p.SetList("Owner", req.owner_ids);
  p.SetFilters(req.filters);
  if (req.max_results > 0) p.Set("MaxResults", std::to_string(req.max_results));
  if (!req.next_token.empty()) p.Set("NextToken", req.next_token);
  auto r = client_.Call("DescribeSnapshots", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseDescribeSnapshots(r->body), *r, "DescribeSnapshots");
}

core::Status Ec2Client::DeleteSnapshot(const std::string& snapshot_id) {
  QueryParams p;
  p.Set("SnapshotId", snapshot_id);
  auto r = client_.Call("DeleteSnapshot", p);
  if (!r.ok()) return r.error();
  return core::OkStatus();
}

Result<std::string> Ec2Client::CopySnapshot(const CopySnapshotRequest& req) {
  QueryParams p;
  p.Set("SourceRegion", req.source_region);
  p.Set("SourceSnapshotId", req.source_snapshot_id);
  if (!req.description.empty()) p.Set("Description", req.description);
  if (req.encrypted) p.Set("Encrypted", "true");
  if (!req.kms_key_id.empty()) p.Set("KmsKeyId", req.kms_key_id);
  if (req.completion_minutes > 0) p.Set("CompletionDurationMinutes", std::to_string(req.completion_minutes));
  if (!req.tags.empty()) p.SetTagSpecification(1, "snapshot", req.tags);
  auto r = client_.Call("CopySnapshot", p, /*idempotent=*/false);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseCopySnapshot(r->body), *r, "CopySnapshot");
}

Result<std::vector<std::string>> Ec2Client::DescribeRegions() {
  QueryParams p;
  auto r = client_.Call("DescribeRegions", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseDescribeRegions(r->body), *r, "DescribeRegions");
}

Result<std::vector<std::string>> Ec2Client::ExistingVolumes(const std::vector<std::string>& volume_ids) {
  return VolumeIds(volume_ids, {});
}

Result<std::vector<std::string>> Ec2Client::VolumesTagged(const std::vector<std::string>& volume_ids,
                                                          const std::string& key, const std::string& value) {
  return VolumeIds(volume_ids, {{"tag:" + key, {value}}});
}

Result<Page<Volume>> Ec2Client::DescribeVolumes(const DescribeVolumesRequest& req) {
  QueryParams p;
  p.SetList("VolumeId", req.volume_ids);
  p.SetFilters(req.filters);
  if (req.max_results > 0) p.Set("MaxResults", std::to_string(req.max_results));
  if (!req.next_token.empty()) p.Set("NextToken", req.next_token);
  auto r = client_.Call("DescribeVolumes", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseDescribeVolumes(r->body), *r, "DescribeVolumes");
}

Result<Volume> Ec2Client::CreateVolume(const CreateVolumeRequest& req) {
  QueryParams p;
  p.Set("AvailabilityZone", req.availability_zone);
  p.Set("SnapshotId", req.snapshot_id);
  if (!req.volume_type.empty()) p.Set("VolumeType", req.volume_type);
  if (req.iops > 0) p.Set("Iops", std::to_string(req.iops));
  if (req.throughput > 0) p.Set("Throughput", std::to_string(req.throughput));
  if (req.encrypted) p.Set("Encrypted", "true");
  if (!req.kms_key_id.empty()) p.Set("KmsKeyId", req.kms_key_id);
  if (!req.client_token.empty()) p.Set("ClientToken", req.client_token);
  if (!req.tags.empty()) p.SetTagSpecification(1, "volume", req.tags);
  // With a client token EC2 answers a repeat with the first call's volume.
  auto r = client_.Call("CreateVolume", p, /*idempotent=*/!req.client_token.empty());
  if (!r.ok()) return r.error();
  return WithRequestId(ParseCreateVolume(r->body), *r, "CreateVolume");
}

Result<VolumeAttachment> Ec2Client::AttachVolume(const std::string& volume_id, const std::string& instance_id,
                                                 const std::string& device) {
  QueryParams p;
  p.Set("Device", device);
  p.Set("InstanceId", instance_id);
  p.Set("VolumeId", volume_id);
  auto r = client_.Call("AttachVolume", p, /*idempotent=*/false);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseAttachVolume(r->body), *r, "AttachVolume");
}

Result<VolumeAttachment> Ec2Client::DetachVolume(const std::string& volume_id, const std::string& instance_id,
                                                 const std::string& device) {
  QueryParams p;
  p.Set("VolumeId", volume_id);
  if (!instance_id.empty()) p.Set("InstanceId", instance_id);
  if (!device.empty()) p.Set("Device", device);
  auto r = client_.Call("DetachVolume", p, /*idempotent=*/false);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseAttachVolume(r->body), *r, "DetachVolume");
}

core::Status Ec2Client::DeleteVolume(const std::string& volume_id) {
  QueryParams p;
  p.Set("VolumeId", volume_id);
  auto r = client_.Call("DeleteVolume", p);
  if (!r.ok()) return r.error();
  return core::OkStatus();
}

Result<SnapshotLock> Ec2Client::LockSnapshot(const LockSnapshotRequest& req) {
  QueryParams p;
  p.Set("SnapshotId", req.snapshot_id);
  p.Set("LockMode", req.mode);
  if (req.duration_days > 0) p.Set("LockDuration", std::to_string(req.duration_days));
  if (!req.expiration_date.empty()) p.Set("ExpirationDate", req.expiration_date);
  if (req.cool_off_hours > 0) p.Set("CoolOffPeriod", std::to_string(req.cool_off_hours));
  auto r = client_.Call("LockSnapshot", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseLockSnapshot(r->body), *r, "LockSnapshot");
}

Result<Page<SnapshotLock>> Ec2Client::DescribeLockedSnapshots(const std::vector<std::string>& snapshot_ids,
                                                              const std::string& next_token) {
  QueryParams p;
  p.SetList("SnapshotId", snapshot_ids);
  if (!next_token.empty()) p.Set("NextToken", next_token);
  auto r = client_.Call("DescribeLockedSnapshots", p);
  if (!r.ok()) return r.error();
  return WithRequestId(ParseDescribeLockedSnapshots(r->body), *r, "DescribeLockedSnapshots");
}

Result<std::vector<std::string>> Ec2Client::VolumeIds(const std::vector<std::string>& volume_ids,
                                                      const std::vector<Filter>& more_filters) {
  std::vector<std::string> out;
  for (const auto& chunk : core::Chunks(volume_ids, kMaxFilterValues)) {
    std::string token;
    for (int pages = 0; pages < 10000; ++pages) {
      QueryParams p;
      std::vector<Filter> filters = {{"volume-id", chunk}};
      filters.insert(filters.end(), more_filters.begin(), more_filters.end());
      p.SetFilters(filters);
      p.Set("MaxResults", "500");
      if (!token.empty()) p.Set("NextToken", token);
      auto r = client_.Call("DescribeVolumes", p);
      if (!r.ok()) return r.error();
      auto page = WithRequestId(ParseDescribeVolumeIds(r->body), *r, "DescribeVolumes");
      if (!page.ok()) return page.error();
      for (auto& v : page->items) out.push_back(std::move(v));
      if (page->next_token.empty() || page->next_token == token) break;
      token = page->next_token;
    }
  }
  return out;
}

namespace {

// Every page of a paged Describe call: follows NextToken until it is empty
// (or repeats, which a broken endpoint could do forever).
template <typename T, typename Request, typename Call>
Result<std::vector<T>> AllPages(Request req, Call call, const char* action) {
  std::vector<T> all;
  for (int pages = 0; pages < 100000; ++pages) {
    Result<Page<T>> page = call(req);
    if (!page.ok()) return page.error();
    for (auto& item : page->items) all.push_back(std::move(item));
    if (page->next_token.empty() || page->next_token == req.next_token) return all;
    req.next_token = page->next_token;
  }
  return Error::Make(ErrorKind::kMalformed, std::string(action) + ": pagination did not end");
}

}  // namespace

Result<std::vector<Instance>> DescribeAllInstances(Ec2Api& ec2, DescribeInstancesRequest req) {
  return AllPages<Instance>(
      std::move(req), [&](const DescribeInstancesRequest& r) { return ec2.DescribeInstances(r); }, "DescribeInstances");
}

Result<std::vector<Snapshot>> DescribeAllSnapshots(Ec2Api& ec2, DescribeSnapshotsRequest req) {
  return AllPages<Snapshot>(
      std::move(req), [&](const DescribeSnapshotsRequest& r) { return ec2.DescribeSnapshots(r); }, "DescribeSnapshots");
}

Result<std::vector<Volume>> DescribeAllVolumes(Ec2Api& ec2, DescribeVolumesRequest req) {
  return AllPages<Volume>(
      std::move(req), [&](const DescribeVolumesRequest& r) { return ec2.DescribeVolumes(r); }, "DescribeVolumes");
}

Result<std::map<std::string, SnapshotLock>> LocksOf(Ec2Api& ec2, const std::vector<std::string>& snapshot_ids) {
  std::map<std::string, SnapshotLock> out;
  for (const auto& chunk : core::Chunks(snapshot_ids, kMaxFilterValues)) {
    std::string token;
    for (int pages = 0; pages < 10000; ++pages) {
      auto page = ec2.DescribeLockedSnapshots(chunk, token);
      if (!page.ok()) return page.error();
      for (auto& l : page->items) {
        if (l.Holds()) out[l.snapshot_id] = std::move(l);
      }
      token = page->next_token;
      if (token.empty()) break;
    }
  }
  return out;
}

Result<std::vector<Snapshot>> DescribeOwnSnapshots(Ec2Api& ec2, const std::vector<Filter>& filters,
                                                   const std::string& chunked, const std::vector<std::string>& values,
                                                   int max_results) {
  DescribeSnapshotsRequest req;
  req.owner_ids = {"self"};
  req.max_results = max_results;
  req.filters = filters;
  if (chunked.empty()) return DescribeAllSnapshots(ec2, req);
  std::vector<Snapshot> out;
  req.filters.push_back({chunked, {}});
  for (const auto& chunk : core::Chunks(values, kMaxFilterValues)) {
    req.filters.back().values = chunk;
    auto page = DescribeAllSnapshots(ec2, req);
    if (!page.ok()) return page.error();
    for (auto& s : *page) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace s3snapshot::aws
