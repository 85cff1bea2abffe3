// Cancellation: SIGINT/SIGTERM and the Lambda deadline ask the run to stop
// starting new work; the restart guarantee still runs before it exits.
#ifndef S3SNAPSHOT_JOB_CANCEL_H_
#define S3SNAPSHOT_JOB_CANCEL_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/mutex.h"

namespace s3snapshot::job {

class CancelToken {
 public:
  // Thread-safe.
  void Cancel(const std::string& reason);
  // True once Cancel() was called, a handled signal arrived, or the deadline
  // (less the reserve kept for restarting instances) has passed.
  bool ShouldStop(const core::Clock& clock) const;
  // Whether there is no longer time for a step expected to take `needed`
  // before the deadline (less the reserve). Does not cancel by itself.
  bool NoTimeFor(const core::Clock& clock, core::Duration needed) const;
  std::string reason() const;
  // The Lambda deadline; `reserve` is kept for the restart phase.
  void SetDeadline(std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds reserve);
  std::optional<std::chrono::steady_clock::time_point> deadline() const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable core::Mutex mu_;
  std::string reason_ GUARDED_BY(mu_);
  std::optional<std::chrono::steady_clock::time_point> deadline_ GUARDED_BY(mu_);
  std::chrono::milliseconds reserve_ GUARDED_BY(mu_){0};
};

// Routes SIGINT, SIGTERM and SIGHUP to `token` (one token per process). The
// handler only sets a flag; the token reads it. A second signal while
// restarting is reported but does not abandon the restart.
void InstallSignalHandlers(CancelToken* token);
// The number of handled signals received so far (tests, messages).
int SignalsReceived();

// Sleeps up to `d` in short steps, returning early when `token` says stop.
// Returns false when it returned early.
bool SleepUnlessCancelled(core::Clock& clock, const CancelToken* token, core::Duration d);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_CANCEL_H_
