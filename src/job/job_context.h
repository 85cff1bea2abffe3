// What every unit of a snapshot run is given: its dependencies (EC2, clock,
// logger, cancellation) and the pacing of its waits. Read-only during a run,
// so every thread may read it without a lock.
#ifndef S3SNAPSHOT_JOB_JOB_CONTEXT_H_
#define S3SNAPSHOT_JOB_JOB_CONTEXT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "aws/ec2_client.h"
#include "aws/ssm_client.h"
#include "core/clock.h"
#include "core/log.h"
#include "job/cancel.h"
#include "job/progress.h"

namespace s3snapshot::job {

struct JobContext {
  aws::Ec2Api* ec2 = nullptr;
  aws::SsmApi* ssm = nullptr;  // pre/post-scripts (job/thawer.h); null when the run has none
  core::Clock* clock = nullptr;
  core::Logger* logger = nullptr;  // may be null
  CancelToken* cancel = nullptr;   // may be null
  std::string run_id;              // tags every snapshot; NewRunId() when empty
  // The backoff of every job-level wait and retry (polls for 'stopped',
  // restarts, device tags, CreateSnapshots): `backoff_initial` doubled each
  // time up to `backoff_max` (see core::ExponentialBackoff).
  core::Duration backoff_initial{1000};
  core::Duration backoff_max{15000};
  ProgressSink* progress = nullptr;  // progress of --wait; may be null
  // Clients for other regions (--copy-to-region), same account and credentials.
  std::function<std::unique_ptr<aws::Ec2Api>(const std::string& region)> ec2_for_region;

  core::Duration Backoff(int attempt) const { return core::ExponentialBackoff(backoff_initial, backoff_max, attempt); }
  // Whether the run has been asked to stop (signal, Lambda deadline).
  bool Cancelled() const { return cancel != nullptr && cancel->ShouldStop(*clock); }
  std::string CancelReason() const { return cancel ? cancel->reason() : std::string(); }
  void Log(core::LogLevel level, const std::string& msg, const core::LogFields& fields = {}) const {
    if (logger && logger->Enabled(level)) logger->Log(level, msg, fields);
  }
};

// The slowest call of a kind so far (CreateSnapshots, CopySnapshot): such a
// call is sent only if twice this fits before the deadline, since a call
// cannot be taken back.
class SlowestCall {
 public:
  void Record(core::Duration d) {
    long long ms = d.count();
    for (long long prev = ms_.load(); ms > prev && !ms_.compare_exchange_weak(prev, ms);) {
    }
  }
  core::Duration Get() const { return core::Duration(ms_.load()); }
  // Whether a call expected to take twice the slowest one no longer fits
  // before the deadline.
  bool NoTimeForAnother(const JobContext& ctx) const {
    return ctx.cancel != nullptr && ctx.cancel->NoTimeFor(*ctx.clock, 2 * Get());
  }

 private:
  std::atomic<long long> ms_{0};
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_JOB_CONTEXT_H_
