// An Ec2Api that forwards every call to another one (leveldb's EnvWrapper):
// tests derive from it to change one call, or to hand out a borrowed fake
// where a factory must return an owned client (ec2_for_region).
#ifndef S3SNAPSHOT_TESTING_EC2_API_WRAPPER_H_
#define S3SNAPSHOT_TESTING_EC2_API_WRAPPER_H_

#include <string>
#include <vector>

#include "aws/ec2_client.h"

namespace s3snapshot::testing {

class Ec2ApiWrapper : public aws::Ec2Api {
 public:
  // `target` must outlive the wrapper; `region` overrides the target's.
  explicit Ec2ApiWrapper(aws::Ec2Api* target, std::string region = "") : target_(target), region_(std::move(region)) {}

  std::string region() const override { return region_.empty() ? target_->region() : region_; }
  core::Result<aws::Page<aws::Instance>> DescribeInstances(const aws::DescribeInstancesRequest& r) override {
    return target_->DescribeInstances(r);
  }
  core::Result<std::vector<aws::InstanceStateChange>> StopInstances(const std::vector<std::string>& ids) override {
    return target_->StopInstances(ids);
  }
  core::Result<std::vector<aws::InstanceStateChange>> StartInstances(const std::vector<std::string>& ids) override {
    return target_->StartInstances(ids);
  }
  core::Result<std::vector<aws::Snapshot>> CreateSnapshots(const aws::CreateSnapshotsRequest& r) override {
    return target_->CreateSnapshots(r);
  }
  core::Status CreateTags(const std::vector<std::string>& ids, const std::vector<aws::Tag>& tags) override {
    return target_->CreateTags(ids, tags);
  }
  core::Status DeleteTags(const std::vector<std::string>& ids, const std::vector<std::string>& keys) override {
    return target_->DeleteTags(ids, keys);
  }
  core::Result<aws::Page<aws::Snapshot>> DescribeSnapshots(const aws::DescribeSnapshotsRequest& r) override {
    return target_->DescribeSnapshots(r);
  }
  core::Status DeleteSnapshot(const std::string& id) override { return target_->DeleteSnapshot(id); }
  core::Result<std::string> CopySnapshot(const aws::CopySnapshotRequest& r) override {
    return target_->CopySnapshot(r);
  }
  core::Result<std::vector<std::string>> DescribeRegions() override { return target_->DescribeRegions(); }
  core::Result<std::vector<std::string>> VolumesTagged(const std::vector<std::string>& v, const std::string& k,
                                                       const std::string& value) override {
    return target_->VolumesTagged(v, k, value);
  }
  core::Result<std::vector<std::string>> ExistingVolumes(const std::vector<std::string>& v) override {
    return target_->ExistingVolumes(v);
  }
  core::Result<aws::Page<aws::Volume>> DescribeVolumes(const aws::DescribeVolumesRequest& r) override {
    return target_->DescribeVolumes(r);
  }
  core::Result<aws::Volume> CreateVolume(const aws::CreateVolumeRequest& r) override {
    return target_->CreateVolume(r);
  }
  core::Result<aws::VolumeAttachment> AttachVolume(const std::string& volume, const std::string& instance,
                                                   const std::string& device) override {
    return target_->AttachVolume(volume, instance, device);
  }
  core::Result<aws::VolumeAttachment> DetachVolume(const std::string& volume, const std::string& instance,
                                                   const std::string& device) override {
    return target_->DetachVolume(volume, instance, device);
  }
  core::Status DeleteVolume(const std::string& volume) override { return target_->DeleteVolume(volume); }
  core::Result<aws::SnapshotLock> LockSnapshot(const aws::LockSnapshotRequest& req) override {
    return target_->LockSnapshot(req);
  }
  core::Result<aws::Page<aws::SnapshotLock>> DescribeLockedSnapshots(const std::vector<std::string>& ids,
                                                                     const std::string& token) override {
    return target_->DescribeLockedSnapshots(ids, token);
  }

 private:
  aws::Ec2Api* target_;
  std::string region_;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_EC2_API_WRAPPER_H_
