// The restart guarantee of --stop: every instance this run stopped -- or may
// have stopped, when a StopInstances answer was lost -- is started again
// before the run ends, whatever failed on the way: a failed or throttled
// snapshot, a stop timeout, SIGINT/SIGTERM, the Lambda deadline, an
// exception. Only a restart that keeps failing until the restart deadline
// (restart_timeout, and never past the Lambda deadline) leaves an instance
// stopped, and then the report names it LEFT STOPPED.
//
// How it holds:
//  - Register() is called *before* StopInstances is sent, so no lost answer
//    or early exit can make the run forget an instance it stopped;
//  - Queue() starts an instance as soon as its snapshot is taken (the point
//    in time is fixed once CreateSnapshots answered), batched on a starter
//    thread, because StartInstances' request bucket is small (5, then 2 a
//    second) and one call per instance would hold a large fleet stopped;
//  - Finish() runs the final phase: it joins the starter, looks at each
//    instance still owed and starts it, in rounds with backoff, until none is
//    owed or the deadline; it ignores cancellation (it is what cancellation
//    waits for), catches every exception, and is idempotent;
//  - the destructor calls Finish(): the guarantee does not depend on the
//    caller reaching its normal end.
//
// Threads: Register() and Finish() from the run's main thread; Queue() and
// Forget() from any thread. Results go into the Ledger (restarted,
// state_after, errors).
#ifndef S3SNAPSHOT_JOB_RESTARTER_H_
#define S3SNAPSHOT_JOB_RESTARTER_H_

#include <chrono>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/batch_sender.h"
#include "core/mutex.h"
#include "job/job_context.h"
#include "job/ledger.h"

namespace s3snapshot::job {

class Restarter {
 public:
  // StartInstances ids per call.
  static constexpr size_t kStartBatch = 100;
  // Rounds in which StartInstances is refused for a reason retrying cannot
  // fix (no permission, invalid input) before the instances are reported
  // LEFT STOPPED without waiting for the deadline.
  static constexpr int kHopelessRounds = 3;

  Restarter(const JobContext& ctx, Ledger& ledger, std::chrono::seconds timeout);
  ~Restarter();
  Restarter(const Restarter&) = delete;
  Restarter& operator=(const Restarter&) = delete;

  // Before StopInstances: these instances are owed a start from now on.
  void Register(const std::vector<std::string>& ids);
  // The instance was not stopped after all (StopInstances refused it) or is
  // gone: nothing to start.
  void Forget(const std::string& id);
  // Its snapshot is taken or failed: start it now (asynchronously).
  void Queue(const std::string& id);
  // The final phase; see above. Safe to call more than once.
  void Finish() noexcept;

  // Instances still owed a start.
  std::vector<std::string> Owed() const;

 private:
  void StartNow(const std::vector<std::string>& batch) noexcept;  // the starter thread's
  // Marks the instances StartInstances (or a state) says are starting or
  // running as restarted, and forgets them.
  void Started(const std::string& id, const std::string& state);
  void FinalRounds(std::chrono::steady_clock::time_point deadline);
  void InternalError(const std::vector<std::string>& ids, std::exception_ptr e);
  void MarkLeftStopped(const std::vector<std::string>& ids, const core::Error* cause);

  const JobContext& ctx_;
  Ledger& ledger_;
  const std::chrono::seconds timeout_;

  mutable core::Mutex mu_;
  std::set<std::string> owed_ GUARDED_BY(mu_);
  std::set<std::string> queued_ GUARDED_BY(mu_);  // handed to the batch sender

  // StartInstances as snapshots answer (started by the first Register());
  // after the members it calls into.
  core::BatchSender starter_;

  bool finished_ = false;  // main thread only
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_RESTARTER_H_
