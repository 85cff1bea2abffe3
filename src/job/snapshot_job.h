// The snapshot job: one run in one account and region. Job::Run() is the
// run's table of contents:
//
//   select -> volume opt-outs -> classify -> (dry run: record the plan)
//          -> stop + snapshot (the pool; restarts queued as snapshots finish;
//             with scripts: pre-script -> snapshot -> post-script, in waves)
//          -> thaw (the thaw guarantee's final phase, thawer.h)
//          -> restart (the restart guarantee's final phase, restarter.h)
//          -> device tags -> wait (--wait, or for copies)
//          -> copy (copier.h) -> retain in the destinations
//          -> earlier snapshots that ended in 'error' (late_errors.h; looked
//             up on a thread of its own from the start of the snapshots)
//   -> retain in the source region (retention.h) -> the report
//   (alongside the snapshots, on a thread of its own: the sweep of killed
//   drills' volumes, drill.h)
//
// Each guarantee lives in its own unit: the restart guarantee in
// restarter.h, the thaw guarantee in thawer.h, the exactly-once create in exactly_once.h, what is retried
// where in retry_policy.h, the tags the tool relies on in tags.h.
//
// No exception escapes Run(): a throw in a snapshot task is that instance's
// failure, a throw anywhere else is a run error ("internal"), and either way
// the thaw and restart phases still run (they are also run by the Thawer's
// and the Restarter's destructors).
#ifndef S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_
#define S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "job/device_tagger.h"
#include "job/drill.h"
#include "job/exactly_once.h"
#include "job/job_context.h"
#include "job/late_errors.h"
#include "job/ledger.h"
#include "job/locker.h"
#include "job/restarter.h"
#include "job/tags.h"
#include "job/thawer.h"
#include "report/snapshot_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// Runs the job; `ctx.run_id` is made with NewRunId() when empty.
report::SnapshotReport RunSnapshotJob(const spec::JobSpec& spec, const JobContext& ctx);

// One run. Threads: Run() on the caller's thread (the "main thread"), which
// also runs the stop phase, the restart phase, the waits, copies and
// retention; SnapshotInstance() on the pool's workers, one instance each;
// the Restarter's starter thread. What each member may be touched by:
class Job {
 public:
  Job(const spec::JobSpec& spec, const JobContext& ctx);
  report::SnapshotReport Run();

 private:
  struct Plan {
    std::vector<std::string> to_stop, to_snapshot;
  };

  // The phases, in the order Run() calls them.
  bool Select();
  void LookUpOptOuts();  // volumes tagged s3snapshot:exclude=true
  Plan Classify();
  void RecordPlan(const Plan& plan);
  void SnapshotAll(const Plan& plan);
  void SnapshotInstance(const std::string& id, bool restart_after);  // pool workers
  // With scripts: waits for the pre-script; false when the instance is skipped.
  void Release(const std::string& id, bool restart_after);
  bool AwaitPreScript(const std::string& id);  // pool workers
  void CopyToDestinations();
  void RetainInDestinations();
  void ReportLateErrors();  // snapshots of earlier runs that ended in 'error' (late_errors.h)
  void RetainInSourceRegion();
  report::SnapshotReport Conclude();

  // The volumes of every selected instance.
  std::vector<std::string> SelectedVolumes() const;
  // The volumes whose snapshot this run made (or, dry run, would make).
  std::set<std::string> FreshVolumes(bool warn_skipped);
  void InternalError(const std::string& where, const std::string& what);  // main thread

  const spec::JobSpec& spec_;      // read-only: any thread
  const JobContext& ctx_;          // read-only: any thread
  report::SnapshotReport report_;  // run-level fields only (instances: ledger_); main thread only
  std::string when_;               // the run's start, for descriptions; set before any thread starts
  Ledger ledger_;                  // the instance rows; thread-safe (its own mutex)
  // Filled by Select() on the main thread; read-only afterwards (any thread).
  std::map<std::string, aws::Instance> instances_;
  std::set<std::string> opted_out_;  // set by LookUpOptOuts() before any thread starts
  // When work began on each instance (stop or snapshot), for its `seconds`.
  // Keys fixed by Select(); each value written before the task that reads it
  // is submitted (the pool's mutex orders them).
  std::map<std::string, std::chrono::steady_clock::time_point> work_began_at_;
  SlowestCall slowest_create_;   // atomic
  Restarter restarter_;          // thread contract in restarter.h
  Thawer thawer_;                // thread contract in thawer.h
  DeviceTagger device_tagger_;   // thread contract in device_tagger.h
  Locker locker_;                // thread contract in locker.h
  LateErrorLookup late_errors_;  // its own thread, started before the snapshots (late_errors.h)
  SweepAlongside sweep_;         // killed drills' volumes, on its own thread alongside the snapshots (drill.h)
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_SNAPSHOT_JOB_H_
