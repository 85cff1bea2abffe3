// The snapshot job: select, (stop,) snapshot, (start,) report -- with the
// restart guarantee: every instance this run stopped is started again before
// RunSnapshotJob returns, whatever failed on the way, unless the restart
// itself keeps failing past restart_timeout (then the report names it).
#ifndef S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_
#define S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_

#include <functional>
#include <memory>
#include <string>

#include "aws/ec2_client.h"
#include "core/clock.h"
#include "core/log.h"
#include "job/cancel.h"
#include "job/job_spec.h"
#include "job/progress.h"
#include "job/report.h"

namespace s3snapshot::job {

// Tag keys the tool writes. `Scripted` and `State=Protected` are the seed's.
inline constexpr char kTagScripted[] = "Scripted";
inline constexpr char kTagScriptedValue[] = "s3snapshot";
inline constexpr char kTagState[] = "State";
inline constexpr char kTagProtected[] = "Protected";
inline constexpr char kTagRunId[] = "s3snapshot:run-id";
inline constexpr char kTagInstanceId[] = "s3snapshot:instance-id";
inline constexpr char kTagDevice[] = "s3snapshot:device";
inline constexpr char kTagLabel[] = "s3snapshot:label";
inline constexpr char kTagSourceSnapshot[] = "s3snapshot:source-snapshot";
inline constexpr char kTagSourceRegion[] = "s3snapshot:source-region";
inline constexpr char kTagSourceVolume[] = "s3snapshot:source-volume";
inline constexpr size_t kMaxTagsPerResource = 50;
inline constexpr size_t kMaxDescriptionLength = 255;

struct JobContext {
  aws::Ec2Api* ec2 = nullptr;
  core::Clock* clock = nullptr;
  core::Logger* logger = nullptr;
  CancelToken* cancel = nullptr;  // may be null
  std::string run_id;             // tags every snapshot; NewRunId() when empty
  // API counters for the report: {calls, throttled}. Optional.
  std::function<std::pair<long, long>()> api_stats;
  // Waits: first poll delay and the cap of the exponential backoff.
  core::Duration poll_initial{1000};
  core::Duration poll_max{15000};
  // Progress of --wait; may be null.
  ProgressSink* progress = nullptr;
  // Clients for other regions (--copy-to-region), same account and credentials.
  std::function<std::unique_ptr<aws::Ec2Api>(const std::string& region)> ec2_for_region;
};

// "20261126T120000Z-1a2b3c" -- sortable, unique enough per account.
std::string NewRunId(const core::Clock& clock);

// The tags every snapshot of `instance` gets at creation.
std::vector<aws::Tag> SnapshotTags(const aws::Instance& instance, const JobSpec& spec,
                                   const std::string& run_id);
// The description shared by the instance's snapshots, within 255 characters.
std::string SnapshotDescription(const aws::Instance& instance, const std::string& label,
                                const std::string& when);

Report RunSnapshotJob(const JobSpec& spec, JobContext& ctx);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_
