// The EC2 operations s3snapshot uses, as typed calls over the Query protocol
// (API version 2016-11-15). `Ec2Api` is the seam the job is tested through
// (testing/fake_ec2.h); `Ec2Client` speaks to the real service.
#ifndef S3SNAPSHOT_AWS_EC2_CLIENT_H_
#define S3SNAPSHOT_AWS_EC2_CLIENT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/query.h"
#include "core/clock.h"
#include "core/result.h"

namespace s3snapshot::aws {

// The value of tag `key` among `tags`; "" when absent.
std::string TagValue(const std::vector<Tag>& tags, const std::string& key);

struct BlockDevice {
  std::string device_name;  // "/dev/xvda"
  std::string volume_id;    // "vol-..."
};

struct Instance {
  std::string instance_id;
  std::string state;  // pending | running | stopping | stopped | shutting-down | terminated
  std::string instance_type;
  std::string availability_zone;
  std::string root_device_name;
  std::vector<BlockDevice> block_devices;  // EBS only
  std::vector<Tag> tags;

  std::string TagValue(const std::string& key) const;
};

struct InstanceStateChange {
  std::string instance_id, previous_state, current_state;
};

struct Snapshot {
  std::string snapshot_id;
  std::string volume_id;
  std::string state;  // pending | completed | error | recoverable | recovering
  std::string progress;
  std::string description;
  std::string owner_id;
  std::string start_time;  // ISO 8601 as sent
  int volume_size_gib = 0;
  bool encrypted = false;
  std::string state_message;
  std::vector<Tag> tags;
  // A time-based copy: the minutes EC2 promised to complete it in; 0: none.
  int completion_duration_minutes = 0;

  std::string TagValue(const std::string& key) const;
};

struct VolumeAttachment {
  std::string volume_id, instance_id, device;
  std::string state;  // attaching | attached | detaching | detached | busy
};

struct Volume {
  std::string volume_id, snapshot_id, availability_zone;
  std::string state;  // creating | available | in-use | deleting | deleted | error
  std::string volume_type, kms_key_id, create_time;
  int size_gib = 0, iops = 0, throughput = 0;
  bool encrypted = false;
  std::vector<VolumeAttachment> attachments;
  std::vector<Tag> tags;

  std::string TagValue(const std::string& key) const;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

struct DescribeInstancesRequest {
  std::vector<std::string> instance_ids;
  std::vector<Filter> filters;
  int max_results = 0;  // 5..1000; 0: the service default. Not allowed with instance_ids.
  std::string next_token;
};

struct DescribeSnapshotsRequest {
  std::vector<std::string> snapshot_ids;
  std::vector<std::string> owner_ids;  // "self"
  std::vector<Filter> filters;
  int max_results = 0;  // 5..1000
  std::string next_token;
};

struct CreateSnapshotsRequest {
  std::string instance_id;
  std::string description;
  std::vector<Tag> tags;  // TagSpecification for ResourceType=snapshot
  bool exclude_boot_volume = false;
  std::string copy_tags_from_source;                 // "" or "volume"
  std::vector<std::string> exclude_data_volume_ids;  // InstanceSpecification.ExcludeDataVolumeId.N (at most 40)
};

struct DescribeVolumesRequest {
  std::vector<std::string> volume_ids;
  std::vector<Filter> filters;
  int max_results = 0;  // 5..500; not with volume_ids
  std::string next_token;
};

struct CreateVolumeRequest {
  std::string availability_zone, snapshot_id;
  std::string volume_type;       // "" : EC2's default
  int iops = 0, throughput = 0;  // 0: not sent
  bool encrypted = false;
  std::string kms_key_id;
  // EC2's idempotency token: the same token and parameters give the same
  // volume, so the call is safe to send again.
  std::string client_token;
  std::vector<Tag> tags;  // TagSpecification for ResourceType=volume
};

struct CopySnapshotRequest {
  std::string source_region, source_snapshot_id, description, kms_key_id;
  bool encrypted = false;
  // A time-based copy: EC2 completes it within this many minutes (15..2880,
  // a multiple of 15). 0: not sent (a standard copy).
  int completion_minutes = 0;
  std::vector<Tag> tags;
};

// EBS snapshot lock (LockSnapshot, DescribeLockedSnapshots).
struct LockSnapshotRequest {
  std::string snapshot_id;
  std::string mode;             // governance | compliance
  int duration_days = 0;        // LockDuration (1..36500), or:
  std::string expiration_date;  // ExpirationDate, ISO 8601
  int cool_off_hours = 0;       // CoolOffPeriod (compliance only, 1..72); 0: not sent
};

struct SnapshotLock {
  std::string snapshot_id;
  // compliance | governance | compliance-cooloff | expired
  std::string lock_state;
  int lock_duration_days = 0;
  // Empty while the snapshot is pending: a duration starts at completion.
  std::string lock_expires_on;
  std::string lock_created_on;
  bool Holds() const { return !lock_state.empty() && lock_state != "expired"; }
};

class Ec2Api {
 public:
  virtual ~Ec2Api() = default;
  virtual std::string region() const = 0;
  virtual core::Result<Page<Instance>> DescribeInstances(const DescribeInstancesRequest& req) = 0;
  virtual core::Result<std::vector<InstanceStateChange>> StopInstances(const std::vector<std::string>& ids) = 0;
  virtual core::Result<std::vector<InstanceStateChange>> StartInstances(const std::vector<std::string>& ids) = 0;
  // All the instance's volumes at one crash-consistent point in time.
  // Not retried after an ambiguous failure: the caller looks for the run's
  // snapshots by tag first (EC2 takes no client token here).
  virtual core::Result<std::vector<Snapshot>> CreateSnapshots(const CreateSnapshotsRequest& req) = 0;
  virtual core::Status CreateTags(const std::vector<std::string>& resource_ids, const std::vector<Tag>& tags) = 0;
  // Removes the tags with these keys (whatever their values).
  virtual core::Status DeleteTags(const std::vector<std::string>& resource_ids,
                                  const std::vector<std::string>& keys) = 0;
  virtual core::Result<Page<Snapshot>> DescribeSnapshots(const DescribeSnapshotsRequest& req) = 0;
  virtual core::Status DeleteSnapshot(const std::string& snapshot_id) = 0;
  // Called on the destination region's client. Returns the new snapshot id.
  virtual core::Result<std::string> CopySnapshot(const CopySnapshotRequest& req) = 0;
  virtual core::Result<std::vector<std::string>> DescribeRegions() = 0;
  // The ids among `volume_ids` that exist (volume-id filter, so missing ids
  // are not an error).
  virtual core::Result<std::vector<std::string>> ExistingVolumes(const std::vector<std::string>& volume_ids) = 0;
  // The ids among `volume_ids` whose tag `key` is `value` (one paged
  // DescribeVolumes per 200 ids, filtered on the server).
  virtual core::Result<std::vector<std::string>> VolumesTagged(const std::vector<std::string>& volume_ids,
                                                               const std::string& key, const std::string& value) = 0;
  virtual core::Result<Page<Volume>> DescribeVolumes(const DescribeVolumesRequest& req) = 0;
  // Safe to send again with the same client_token (EC2 returns the volume
  // the first call made).
  virtual core::Result<Volume> CreateVolume(const CreateVolumeRequest& req) = 0;
  // Not sent again after an ambiguous failure (a second attach is refused):
  // the caller looks at the volume's attachments.
  virtual core::Result<VolumeAttachment> AttachVolume(const std::string& volume_id, const std::string& instance_id,
                                                      const std::string& device) = 0;
  // Not sent again after an ambiguous failure (a second detach is refused):
  // the caller looks at the volume's attachments. The instance and device
  // are named, which EC2 takes (and moto needs).
  virtual core::Result<VolumeAttachment> DetachVolume(const std::string& volume_id, const std::string& instance_id,
                                                      const std::string& device) = 0;
  // Safe to send again: a volume already deleted answers
  // InvalidVolume.NotFound (kNotFound), which the caller takes as done.
  virtual core::Status DeleteVolume(const std::string& volume_id) = 0;
  // Safe to send again: locking again with the same settings changes nothing.
  virtual core::Result<SnapshotLock> LockSnapshot(const LockSnapshotRequest& req) = 0;
  // One page of the locks on `snapshot_ids` (a snapshot never locked is not listed).
  virtual core::Result<Page<SnapshotLock>> DescribeLockedSnapshots(const std::vector<std::string>& snapshot_ids,
                                                                   const std::string& next_token) = 0;
};

// The locks on `snapshot_ids` that hold (not expired), by snapshot id: one
// paged DescribeLockedSnapshots per kMaxFilterValues ids.
core::Result<std::map<std::string, SnapshotLock>> LocksOf(Ec2Api& ec2, const std::vector<std::string>& snapshot_ids);

// Every page of DescribeInstances.
core::Result<std::vector<Instance>> DescribeAllInstances(Ec2Api& ec2, DescribeInstancesRequest req);
// Every page of DescribeSnapshots.
core::Result<std::vector<Snapshot>> DescribeAllSnapshots(Ec2Api& ec2, DescribeSnapshotsRequest req);
// Every page of DescribeVolumes.
core::Result<std::vector<Volume>> DescribeAllVolumes(Ec2Api& ec2, DescribeVolumesRequest req);

// EC2 takes at most this many values in one filter (instance-id, volume-id,
// snapshot-id, tag:...).
inline constexpr size_t kMaxFilterValues = 200;

// The one lookup of the account's own snapshots (owner self): those matching
// `filters` and, when `chunked` names a filter, any of `values` for it -- one
// paged DescribeSnapshots per kMaxFilterValues values (none when `values` is
// empty). `max_results`: the page size (0: EC2's default).
core::Result<std::vector<Snapshot>> DescribeOwnSnapshots(Ec2Api& ec2, const std::vector<Filter>& filters,
                                                         const std::string& chunked = "",
                                                         const std::vector<std::string>& values = {},
                                                         int max_results = 0);

class Ec2Client : public Ec2Api {
 public:
  static constexpr const char* kApiVersion = "2016-11-15";
  Ec2Client(std::string region, std::string endpoint, ClientContext ctx)
      : client_("ec2", kApiVersion, std::move(region), std::move(endpoint), std::move(ctx)) {}

  std::string region() const override { return client_.region(); }
  core::Result<Page<Instance>> DescribeInstances(const DescribeInstancesRequest& req) override;
  core::Result<std::vector<InstanceStateChange>> StopInstances(const std::vector<std::string>& ids) override;
  core::Result<std::vector<InstanceStateChange>> StartInstances(const std::vector<std::string>& ids) override;
  core::Result<std::vector<Snapshot>> CreateSnapshots(const CreateSnapshotsRequest& req) override;
  core::Status CreateTags(const std::vector<std::string>& resource_ids, const std::vector<Tag>& tags) override;
  core::Status DeleteTags(const std::vector<std::string>& resource_ids, const std::vector<std::string>& keys) override;
  core::Result<Page<Snapshot>> DescribeSnapshots(const DescribeSnapshotsRequest& req) override;
  core::Status DeleteSnapshot(const std::string& snapshot_id) override;
  core::Result<std::string> CopySnapshot(const CopySnapshotRequest& req) override;
  core::Result<std::vector<std::string>> DescribeRegions() override;
  core::Result<std::vector<std::string>> ExistingVolumes(const std::vector<std::string>& volume_ids) override;
  core::Result<std::vector<std::string>> VolumesTagged(const std::vector<std::string>& volume_ids,
                                                       const std::string& key, const std::string& value) override;
  core::Result<Page<Volume>> DescribeVolumes(const DescribeVolumesRequest& req) override;
  core::Result<Volume> CreateVolume(const CreateVolumeRequest& req) override;
  core::Result<VolumeAttachment> AttachVolume(const std::string& volume_id, const std::string& instance_id,
                                              const std::string& device) override;
  core::Result<VolumeAttachment> DetachVolume(const std::string& volume_id, const std::string& instance_id,
                                              const std::string& device) override;
  core::Status DeleteVolume(const std::string& volume_id) override;
  core::Result<SnapshotLock> LockSnapshot(const LockSnapshotRequest& req) override;
  core::Result<Page<SnapshotLock>> DescribeLockedSnapshots(const std::vector<std::string>& snapshot_ids,
                                                           const std::string& next_token) override;

  CallStats& stats() { return client_.stats(); }

 private:
  core::Result<std::vector<std::string>> VolumeIds(const std::vector<std::string>& volume_ids,
                                                   const std::vector<Filter>& more_filters);
  AwsClient client_;
};

// Response parsers, exposed for tests on recorded XML.
core::Result<Page<Instance>> ParseDescribeInstances(std::string xml);  // parses in place
core::Result<std::vector<InstanceStateChange>> ParseInstanceStateChanges(const std::string& xml);
core::Result<std::vector<Snapshot>> ParseCreateSnapshots(const std::string& xml);
core::Result<Page<Snapshot>> ParseDescribeSnapshots(const std::string& xml);
core::Result<std::string> ParseCopySnapshot(const std::string& xml);
core::Result<std::vector<std::string>> ParseDescribeRegions(const std::string& xml);
core::Result<Page<Volume>> ParseDescribeVolumes(const std::string& xml);
core::Result<Volume> ParseCreateVolume(const std::string& xml);
core::Result<VolumeAttachment> ParseAttachVolume(const std::string& xml);  // also DetachVolume's
// volumeSet item ids, and nextToken.
core::Result<Page<std::string>> ParseDescribeVolumeIds(const std::string& xml);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_EC2_CLIENT_H_
