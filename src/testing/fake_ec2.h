// An in-memory EC2 that keeps state and logs every call, for job tests (like
// ninja's VirtualFileSystem). Unlike moto it models the slow parts: a stopped
// instance passes through 'stopping' for a number of DescribeInstances polls.
#ifndef S3SNAPSHOT_TESTING_FAKE_EC2_H_
#define S3SNAPSHOT_TESTING_FAKE_EC2_H_

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "aws/ec2_client.h"

namespace s3snapshot::testing {

class FakeEc2 : public aws::Ec2Api {
 public:
  // Polls an instance spends in 'stopping' after StopInstances.
  int stopping_polls = 0;
  // DescribeSnapshots polls before a new snapshot reads 'completed' (0: at once).
  int snapshot_polls = 0;
  // Volumes whose snapshots end in 'error'.
  std::set<std::string> error_volumes;
  // StartTime given to snapshots the fake creates.
  std::string start_time = "2026-11-26T12:00:00.000Z";

  void AddInstance(const std::string& id, std::vector<std::string> volumes, std::string state = "running",
                   std::vector<aws::Tag> tags = {}) {
    std::lock_guard<std::mutex> l(mu_);
    aws::Instance i;
    i.instance_id = id;
    i.state = std::move(state);
    i.tags = std::move(tags);
    const char* devs[] = {"/dev/xvda", "/dev/xvdf", "/dev/xvdg", "/dev/xvdh"};
    for (size_t n = 0; n < volumes.size(); ++n) i.block_devices.push_back({devs[n % 4], volumes[n]});
    if (!volumes.empty()) i.root_device_name = devs[0];
    instances_[id] = i;
  }
  // The next call to `action` fails with `e` (queued per action).
  void FailNext(const std::string& action, core::Error e, int times = 1) {
    std::lock_guard<std::mutex> l(mu_);
    for (int i = 0; i < times; ++i) failures_[action].push_back(e);
  }
  // Call number `nth` (1-based, counted from now) to `action` throws: a
  // std::bad_alloc when `bad_alloc`, else a std::out_of_range -- what a
  // library call or `.at()` can throw anywhere in a run.
  // `filter`: count only the calls whose request has a filter of that name
  // (DescribeSnapshots; the --wait poll's "snapshot-id", not the late-error
  // lookup's "volume-id", which runs on a thread of its own).
  void ThrowOn(const std::string& action, int nth = 1, bool bad_alloc = false, const std::string& filter = "") {
    std::lock_guard<std::mutex> l(mu_);
    throw_at_[action] = {nth, bad_alloc, filter};
  }
  // Runs before each call (after it is logged); tests use it to send signals.
  std::function<void(const std::string& action)> on_call;

  std::string State(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    return instances_.at(id).state;
  }
  int CallCount(const std::string& action) {
    std::lock_guard<std::mutex> l(mu_);
    int n = 0;
    for (const auto& c : calls_) n += c == action;
    return n;
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  std::vector<aws::Snapshot> AllSnapshots() {
    std::lock_guard<std::mutex> l(mu_);
    return snapshots_;
  }
  std::vector<aws::CreateSnapshotsRequest> create_requests() {
    std::lock_guard<std::mutex> l(mu_);
    return create_requests_;
  }

  std::string region() const override { return "us-east-1"; }

  core::Result<aws::Page<aws::Instance>> DescribeInstances(const aws::DescribeInstancesRequest& req) override {
    auto fail = Enter("DescribeInstances");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    aws::Page<aws::Instance> page;
    for (auto& [id, inst] : instances_) {
      if (inst.state == "stopping" && --stopping_left_[id] <= 0) inst.state = "stopped";
      if (Matches(inst, req)) page.items.push_back(inst);
    }
    return page;
  }
  core::Result<std::vector<aws::InstanceStateChange>> StopInstances(const std::vector<std::string>& ids) override {
    auto fail = Enter("StopInstances");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    std::vector<aws::InstanceStateChange> out;
    for (const auto& id : ids) {
      auto& inst = instances_.at(id);
      out.push_back({id, inst.state, stopping_polls > 0 ? "stopping" : "stopped"});
      inst.state = stopping_polls > 0 ? "stopping" : "stopped";
      stopping_left_[id] = stopping_polls;
    }
    return out;
  }
  core::Result<std::vector<aws::InstanceStateChange>> StartInstances(const std::vector<std::string>& ids) override {
    auto fail = Enter("StartInstances");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& id : ids) {
      if (instances_.at(id).state == "stopping") {
        return core::Error::Make(core::ErrorKind::kConflict,
                                 "The instance '" + id + "' is not in a state from which it can be started.",
                                 "IncorrectInstanceState");
      }
    }
    std::vector<aws::InstanceStateChange> out;
    for (const auto& id : ids) {
      auto& inst = instances_.at(id);
      out.push_back({id, inst.state, "pending"});
      inst.state = "running";
    }
    return out;
  }
  core::Result<std::vector<aws::Snapshot>> CreateSnapshots(const aws::CreateSnapshotsRequest& req) override {
    auto fail = Enter("CreateSnapshots");
    std::lock_guard<std::mutex> l(mu_);
    create_requests_.push_back(req);
    // An ambiguous failure: the snapshots are made, the answer is lost.
    bool applied_anyway = fail && fail->kind == core::ErrorKind::kAmbiguous;
    if (fail && !applied_anyway) return *fail;
    std::vector<aws::Snapshot> out;
    const auto& inst = instances_.at(req.instance_id);
    for (const auto& bd : inst.block_devices) {
      // EC2's exclusions: the root volume (ExcludeBootVolume), listed data volumes.
      if (req.exclude_boot_volume && bd.device_name == inst.root_device_name) continue;
      if (std::find(req.exclude_data_volume_ids.begin(), req.exclude_data_volume_ids.end(), bd.volume_id) !=
          req.exclude_data_volume_ids.end()) {
        continue;
      }
      out.push_back(NewSnapshot(bd.volume_id, req.description, req.tags));
    }
    if (applied_anyway) return *fail;
    return out;
  }
  core::Status CreateTags(const std::vector<std::string>& ids, const std::vector<aws::Tag>& tags) override {
    auto fail = Enter("CreateTags");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    for (auto& s : snapshots_) {
      for (const auto& id : ids) {
        if (s.snapshot_id != id) continue;
        for (const auto& t : tags) {
          bool replaced = false;
          for (auto& existing : s.tags) {
            if (existing.key == t.key) existing.value = t.value, replaced = true;
          }
          if (!replaced) s.tags.push_back(t);
        }
      }
    }
    return core::OkStatus();
  }
  core::Status DeleteTags(const std::vector<std::string>& ids, const std::vector<std::string>& keys) override {
    auto fail = Enter("DeleteTags");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    for (auto& s : snapshots_) {
      if (std::find(ids.begin(), ids.end(), s.snapshot_id) == ids.end()) continue;
      s.tags.erase(
          std::remove_if(s.tags.begin(), s.tags.end(),
                         [&](const aws::Tag& t) { return std::find(keys.begin(), keys.end(), t.key) != keys.end(); }),
          s.tags.end());
    }
    return core::OkStatus();
  }
  core::Result<aws::Page<aws::Snapshot>> DescribeSnapshots(const aws::DescribeSnapshotsRequest& req) override {
    auto fail = Enter("DescribeSnapshots", &req.filters);
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    aws::Page<aws::Snapshot> page;
    for (auto& s : snapshots_) {
      if (s.state == "pending" && ++polls_[s.snapshot_id] > snapshot_polls) {
        s.state = error_volumes.count(s.volume_id) ? "error" : "completed";
        s.progress = s.state == "completed" ? "100%" : "";
      } else if (s.state == "pending") {
        s.progress = std::to_string(100 * polls_[s.snapshot_id] / (snapshot_polls + 1)) + "%";
      }
      auto field = [&s](const aws::Filter& f) -> std::optional<std::string> {
        if (f.name == "volume-id") return s.volume_id;
        if (f.name == "snapshot-id") return s.snapshot_id;
        if (f.name == "status") return s.state;
        if (f.name.rfind("tag:", 0) == 0) return s.TagValue(f.name.substr(4));
        if (f.name == "tag-key") {
          for (const auto& t : s.tags) {
            if (std::find(f.values.begin(), f.values.end(), t.key) != f.values.end()) return t.key;
          }
          return std::string();
        }
        return std::nullopt;
      };
      if (MatchesFilters(req.filters, field)) page.items.push_back(s);
    }
    return page;
  }
  core::Status DeleteSnapshot(const std::string& id) override {
    auto fail = Enter("DeleteSnapshot");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    if (in_use_.count(id)) {
      return core::Error::Make(core::ErrorKind::kConflict, "The snapshot " + id + " is currently in use by ami-1",
                               "InvalidSnapshot.InUse");
    }
    if (locks_.count(id)) {
      ++deletes_of_locked;
      return core::Error::Make(core::ErrorKind::kConflict, "The snapshot " + id + " is locked", "SnapshotLocked");
    }
    snapshots_.erase(std::remove_if(snapshots_.begin(), snapshots_.end(),
                                    [&](const aws::Snapshot& s) { return s.snapshot_id == id; }),
                     snapshots_.end());
    return core::OkStatus();
  }
  // Copies: made 'pending' here (this fake stands for the destination
  // region); more than `copy_limit` pending at once is ResourceLimitExceeded.
  int copy_limit = 1000;
  int max_pending_copies = 0;
  std::vector<aws::CopySnapshotRequest> copy_requests;
  // Snapshot lock, as EC2 keeps it: a locked snapshot is refused to
  // DeleteSnapshot (counted in deletes_of_locked).
  int deletes_of_locked = 0;
  std::vector<aws::LockSnapshotRequest> lock_requests;
  core::Result<aws::SnapshotLock> LockSnapshot(const aws::LockSnapshotRequest& req) override {
    auto fail = Enter("LockSnapshot");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    lock_requests.push_back(req);
    aws::SnapshotLock lock;
    lock.snapshot_id = req.snapshot_id;
    lock.lock_state = req.mode == "compliance" && req.cool_off_hours > 0 ? "compliance-cooloff" : req.mode;
    lock.lock_duration_days = req.duration_days;
    lock.lock_expires_on = req.expiration_date;
    locks_[req.snapshot_id] = lock;
    return lock;
  }
  core::Result<aws::Page<aws::SnapshotLock>> DescribeLockedSnapshots(const std::vector<std::string>& ids,
                                                                     const std::string&) override {
    auto fail = Enter("DescribeLockedSnapshots");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    aws::Page<aws::SnapshotLock> page;
    for (const auto& id : ids) {
      if (locks_.count(id)) page.items.push_back(locks_.at(id));
    }
    return page;
  }
  void PutLock(const aws::SnapshotLock& lock) {
    std::lock_guard<std::mutex> l(mu_);
    locks_[lock.snapshot_id] = lock;
  }
  core::Result<std::string> CopySnapshot(const aws::CopySnapshotRequest& req) override {
    auto fail = Enter("CopySnapshot");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    int pending = 0;
    for (const auto& s : snapshots_) pending += s.state == "pending" && s.volume_id == "vol-ffffffff";
    if (pending >= copy_limit) {
      return core::Error::Make(core::ErrorKind::kLimit, "too many copies in progress", "ResourceLimitExceeded");
    }
    max_pending_copies = std::max(max_pending_copies, pending + 1);
    copy_requests.push_back(req);
    std::string id = NewSnapshot("vol-ffffffff", req.description, req.tags).snapshot_id;
    snapshots_.back().completion_duration_minutes = req.completion_minutes;
    return id;
  }
  core::Result<std::vector<std::string>> ExistingVolumes(const std::vector<std::string>& ids) override {
    auto fail = Enter("DescribeVolumes");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    for (const auto& id : ids) {
      for (const auto& [iid, inst] : instances_) {
        for (const auto& bd : inst.block_devices) {
          if (bd.volume_id == id) out.push_back(id);
        }
      }
    }
    return out;
  }
  core::Result<std::vector<std::string>> VolumesTagged(const std::vector<std::string>& ids, const std::string& key,
                                                       const std::string& value) override {
    auto fail = Enter("DescribeVolumes");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    for (const auto& id : ids) {
      auto it = volume_tags_.find(id);
      if (it == volume_tags_.end()) continue;
      auto tag = it->second.find(key);
      if (tag != it->second.end() && tag->second == value) out.push_back(id);
    }
    return out;
  }
  void TagVolume(const std::string& volume_id, const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> l(mu_);
    volume_tags_[volume_id][key] = value;
  }
  // A snapshot made outside the run (a previous run, or by hand).
  void AddSnapshot(aws::Snapshot s) {
    std::lock_guard<std::mutex> l(mu_);
    snapshots_.push_back(std::move(s));
  }
  // DeleteSnapshot of `id` fails with InvalidSnapshot.InUse (an AMI uses it).
  void MarkInUse(const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    in_use_.insert(id);
  }
  // Volumes made by CreateVolume (restores): 'available' at once unless
  // `volume_creating_polls` says how many DescribeVolumes see 'creating'.
  int volume_creating_polls = 0;
  core::Result<aws::Page<aws::Volume>> DescribeVolumes(const aws::DescribeVolumesRequest& req) override {
    auto fail = Enter("DescribeVolumes");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    aws::Page<aws::Volume> page;
    for (auto& [id, v] : volumes_) {
      if (!req.volume_ids.empty() &&
          std::find(req.volume_ids.begin(), req.volume_ids.end(), id) == req.volume_ids.end()) {
        continue;
      }
      bool match = MatchesFilters(req.filters, [&v = v](const aws::Filter& f) -> std::optional<std::string> {
        if (f.name == "volume-id") return v.volume_id;
        if (f.name == "snapshot-id") return v.snapshot_id;
        if (f.name.rfind("tag:", 0) == 0) return v.TagValue(f.name.substr(4));
        if (f.name == "tag-key") {
          for (const auto& t : v.tags) {
            if (std::find(f.values.begin(), f.values.end(), t.key) != f.values.end()) return t.key;
          }
          return std::string();
        }
        return std::nullopt;
      });
      if (!match) continue;
      if (v.state == "creating" && --creating_left_[id] <= 0) v.state = "available";
      page.items.push_back(v);
    }
    return page;
  }
  core::Result<aws::Volume> CreateVolume(const aws::CreateVolumeRequest& req) override {
    auto fail = Enter("CreateVolume");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    create_volume_requests_.push_back(req);
    aws::Volume v;
    v.volume_id = "vol-r" + std::to_string(++next_id_);
    v.snapshot_id = req.snapshot_id;
    v.availability_zone = req.availability_zone;
    v.volume_type = req.volume_type.empty() ? "gp2" : req.volume_type;
    v.iops = req.iops;
    v.throughput = req.throughput;
    v.encrypted = req.encrypted;
    v.size_gib = 8;
    v.tags = req.tags;
    v.create_time = volume_create_time;
    v.state = volume_creating_polls > 0 ? "creating" : "available";
    creating_left_[v.volume_id] = volume_creating_polls;
    volumes_[v.volume_id] = v;
    return v;
  }
  core::Result<aws::VolumeAttachment> AttachVolume(const std::string& volume_id, const std::string& instance_id,
                                                   const std::string& device) override {
    auto fail = Enter("AttachVolume");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    auto v = volumes_.find(volume_id);
    if (v == volumes_.end()) {
      return core::Error::Make(core::ErrorKind::kNotFound, "no volume " + volume_id, "InvalidVolume.NotFound");
    }
    auto inst = instances_.find(instance_id);
    if (inst == instances_.end()) {
      return core::Error::Make(core::ErrorKind::kNotFound, "no instance " + instance_id, "InvalidInstanceID.NotFound");
    }
    for (const auto& bd : inst->second.block_devices) {
      if (bd.device_name == device) {
        return core::Error::Make(core::ErrorKind::kInvalidInput, device + " is already in use",
                                 "InvalidParameterValue");
      }
    }
    if (v->second.state != "available") {
      return core::Error::Make(core::ErrorKind::kConflict, volume_id + " is " + v->second.state, "IncorrectState");
    }
    aws::VolumeAttachment a{volume_id, instance_id, device, "attached"};
    v->second.state = "in-use";
    v->second.attachments = {a};
    inst->second.block_devices.push_back({device, volume_id});
    return a;
  }
  core::Result<aws::VolumeAttachment> DetachVolume(const std::string& volume_id, const std::string& /*instance*/,
                                                   const std::string& /*device*/) override {
    auto fail = Enter("DetachVolume");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [iid, inst] : instances_) {
      auto& bds = inst.block_devices;
      for (auto it = bds.begin(); it != bds.end(); ++it) {
        if (it->volume_id != volume_id) continue;
        if (inst.state != "stopped" && it->device_name == inst.root_device_name) {
          return core::Error::Make(core::ErrorKind::kConflict, "root volume of a running instance", "IncorrectState");
        }
        aws::VolumeAttachment a{volume_id, iid, it->device_name, "detaching"};
        bds.erase(it);
        if (auto v = volumes_.find(volume_id); v != volumes_.end()) {
          v->second.state = "available";
          v->second.attachments.clear();
        } else {
          aws::Volume nv;  // an original volume the fake knew only as a device
          nv.volume_id = volume_id;
          nv.state = "available";
          volumes_[volume_id] = nv;
        }
        return a;
      }
    }
    return core::Error::Make(core::ErrorKind::kConflict, volume_id + " is not attached", "IncorrectState");
  }
  // As EC2: a volume attached or still 'creating' is refused; one not there
  // is InvalidVolume.NotFound.
  std::set<std::string> undeletable_volumes;  // DeleteVolume refused (UnauthorizedOperation)
  std::vector<std::string> deleted_volumes;
  core::Status DeleteVolume(const std::string& volume_id) override {
    auto fail = Enter("DeleteVolume");
    if (fail) return *fail;
    std::lock_guard<std::mutex> l(mu_);
    auto v = volumes_.find(volume_id);
    if (v == volumes_.end()) {
      return core::Error::Make(core::ErrorKind::kNotFound, "no volume " + volume_id, "InvalidVolume.NotFound");
    }
    if (undeletable_volumes.count(volume_id)) {
      return core::Error::Make(core::ErrorKind::kAuth, "not authorized", "UnauthorizedOperation");
    }
    if (v->second.state == "in-use") {
      return core::Error::Make(core::ErrorKind::kConflict, "Volume " + volume_id + " is in use", "VolumeInUse");
    }
    if (v->second.state == "creating") {
      return core::Error::Make(core::ErrorKind::kConflict, volume_id + " is 'creating'", "IncorrectState");
    }
    volumes_.erase(v);
    deleted_volumes.push_back(volume_id);
    return core::OkStatus();
  }
  // A volume as the fake has it now (tests set up leftovers with it).
  void PutVolume(const aws::Volume& v) {
    std::lock_guard<std::mutex> l(mu_);
    volumes_[v.volume_id] = v;
  }
  // The CreateTime of the volumes CreateVolume makes.
  std::string volume_create_time = "2026-12-05T00:00:00.000Z";
  // The instance's volume at `device` ("" when none).
  std::string VolumeAt(const std::string& instance_id, const std::string& device) {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& bd : instances_.at(instance_id).block_devices) {
      if (bd.device_name == device) return bd.volume_id;
    }
    return "";
  }
  std::vector<aws::Volume> Volumes() {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<aws::Volume> out;
    for (const auto& [id, v] : volumes_) out.push_back(v);
    return out;
  }
  std::vector<aws::CreateVolumeRequest> create_volume_requests() {
    std::lock_guard<std::mutex> l(mu_);
    return create_volume_requests_;
  }
  void SetAvailabilityZone(const std::string& instance_id, const std::string& az) {
    std::lock_guard<std::mutex> l(mu_);
    instances_.at(instance_id).availability_zone = az;
  }

  core::Result<std::vector<std::string>> DescribeRegions() override {
    auto fail = Enter("DescribeRegions");
    if (fail) return *fail;
    return std::vector<std::string>{"us-east-1", "eu-west-1"};
  }

 private:
  std::optional<core::Error> Enter(const std::string& action, const std::vector<aws::Filter>* filters = nullptr) {
    std::function<void(const std::string&)> hook;
    std::optional<core::Error> e;
    {
      std::lock_guard<std::mutex> l(mu_);
      calls_.push_back(action);
      auto t = throw_at_.find(action);
      bool counted = t != throw_at_.end() && t->second.filter.empty();
      if (t != throw_at_.end() && filters != nullptr) {
        for (const auto& f : *filters) counted = counted || f.name == t->second.filter;
      }
      if (counted) {
        if (--t->second.remaining == 0) {
          bool bad_alloc = t->second.bad_alloc;
          throw_at_.erase(t);
          if (bad_alloc) throw std::bad_alloc();
          throw std::out_of_range("FakeEc2: " + action + " threw");
        }
      }
      auto& q = failures_[action];
      if (!q.empty()) {
        e = q.front();
        q.pop_front();
      }
      hook = on_call;
    }
    if (hook) hook(action);
    return e;
  }
  // Whether every filter whose name `field` knows matches (EC2's
  // semantics: a value list means any of them; unknown names are ignored).
  template <typename Field>
  static bool MatchesFilters(const std::vector<aws::Filter>& filters, const Field& field) {
    for (const auto& f : filters) {
      std::optional<std::string> v = field(f);
      if (v && std::find(f.values.begin(), f.values.end(), *v) == f.values.end()) return false;
    }
    return true;
  }
  static bool Matches(const aws::Instance& inst, const aws::DescribeInstancesRequest& req) {
    return MatchesFilters(req.filters, [&inst](const aws::Filter& f) -> std::optional<std::string> {
      if (f.name == "instance-id") return inst.instance_id;
      if (f.name == "instance-state-name") return inst.state;
      if (f.name.rfind("tag:", 0) == 0) return inst.TagValue(f.name.substr(4));
      return std::nullopt;
    });
  }
  aws::Snapshot NewSnapshot(const std::string& volume, const std::string& description,
                            const std::vector<aws::Tag>& tags) {
    aws::Snapshot s;
    s.snapshot_id = "snap-" + std::to_string(++next_id_);
    s.volume_id = volume;
    s.state = "pending";
    s.start_time = start_time;
    s.description = description;
    s.tags = tags;
    snapshots_.push_back(s);
    return s;
  }

  std::mutex mu_;
  std::map<std::string, aws::Instance> instances_;
  std::map<std::string, int> stopping_left_;
  std::map<std::string, std::deque<core::Error>> failures_;
  struct Throw {
    int remaining;  // matching calls until the one that throws
    bool bad_alloc;
    std::string filter;
  };
  std::map<std::string, Throw> throw_at_;
  std::vector<std::string> calls_;
  std::map<std::string, std::map<std::string, std::string>> volume_tags_;  // volume -> key -> value
  std::vector<aws::Snapshot> snapshots_;
  std::vector<aws::CreateSnapshotsRequest> create_requests_;
  std::set<std::string> in_use_;
  std::map<std::string, aws::SnapshotLock> locks_;
  std::map<std::string, int> polls_;
  std::map<std::string, aws::Volume> volumes_;
  std::map<std::string, int> creating_left_;
  std::vector<aws::CreateVolumeRequest> create_volume_requests_;
  int next_id_ = 0;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_FAKE_EC2_H_
