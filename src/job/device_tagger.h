// Device tags: which device (/dev/xvdf) each snapshot was taken of.
//
// CreateSnapshots gives all of an instance's snapshots one TagSpecification,
// so an instance with several volumes gets its s3snapshot:device tags
// afterwards, batched across instances: one CreateTags call per device name
// and up to kDeviceTagBatch snapshots, instead of one per snapshot, which
// would make CreateTags' bucket the bottleneck of a large fleet. A full batch
// is sent at once (so a long run's memory stays bounded); Flush() sends the
// rest. Retention and de-duplication rely only on tags set at creation, so a
// missing device tag is a warning, never a failure.
//
// Like a CreateSnapshots, a CreateTags is sent only if it can be expected to
// return (twice the slowest CreateSnapshots seen) before the deadline, and
// not at all once the run is cancelled: the snapshots it skips get a warning.
//
// Threads: Add() from the snapshot workers; Flush() from the main thread,
// after every restart (tags must never hold instances stopped).
#ifndef S3SNAPSHOT_JOB_DEVICE_TAGGER_H_
#define S3SNAPSHOT_JOB_DEVICE_TAGGER_H_

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "job/exactly_once.h"
#include "job/job_context.h"
#include "job/ledger.h"

namespace s3snapshot::job {

class DeviceTagger {
 public:
  // Resource ids per CreateTags call.
  static constexpr size_t kDeviceTagBatch = 1000;

  DeviceTagger(const JobContext& ctx, Ledger& ledger, const SlowestCall& slowest)
      : ctx_(ctx), ledger_(ledger), slowest_(slowest) {}

  // The snapshots CreateSnapshots made for `instance`.
  void Add(const aws::Instance& instance, const std::vector<aws::Snapshot>& snapshots);
  // Sends what is left.
  void Flush();
  // These snapshots were deleted: do not tag them.
  void Forget(const std::set<std::string>& snapshot_ids);

 private:
  struct Item {
    std::string snapshot_id, instance_id;
  };
  void Send(const std::string& device, const std::vector<Item>& items);

  const JobContext& ctx_;
  Ledger& ledger_;
  const SlowestCall& slowest_;
  core::Mutex mu_;
  std::map<std::string, std::vector<Item>> pending_ GUARDED_BY(mu_);  // device -> snapshots
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_DEVICE_TAGGER_H_
