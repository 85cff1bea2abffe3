// Cross-region copies (--copy-to-region) that complete across runs, on EC2's
// clock: a source snapshot can stay pending for hours and its copy longer,
// so no run waits for them (unless --wait). Each run, in each destination R:
//
//  - looks at the sources: this run's new snapshots, and the tool's earlier
//    snapshots of the selected volumes that still owe a copy -- the
//    `s3snapshot:copy-to` tag a run with copies sets at creation lists the
//    regions owed, and is removed (or shortened) once the copies there are
//    completed, so the lookup stays small;
//  - looks at the copies in R (their `s3snapshot:source-snapshot` tag) and
//    gives each source one state: `completed`, `pending` (copying), `queued`
//    (the source is still pending, or the destination is at its copy limit,
//    or this run's copy budget is spent) -- not a failure -- or failed;
//  - starts the copies of completed sources without one: at most
//    `max_new_per_region` a run (a Lambda run must end before its deadline;
//    EC2 allows about 20 in flight per region), never after cancellation or
//    too close to the deadline; a copy refused for the limit (kLimit) or
//    throttling stays queued for a later run or event;
//  - never keeps two copies of one source in one region: CopySnapshot takes
//    no client token and two runs may overlap, so after a lost answer the
//    copy is looked for by tag first, and wherever two live copies of one
//    source are seen, the earliest (StartTime, then id) is kept and the
//    others deleted -- every run picks the same one;
//  - a completed source begun more than `overdue` ago and still without a
//    copy is a failure (CopyOverdue), as is a copy that ended in `error`
//    (then a new one is made).
//
// With `wait`, the copies it started are polled until completed or error.
// Runs on the run's main thread.
#ifndef S3SNAPSHOT_JOB_COPIER_H_
#define S3SNAPSHOT_JOB_COPIER_H_

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "job/ledger.h"
#include "job/locker.h"
#include "job/retention.h"
#include "report/snapshot_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct CopySource {
  std::string instance_id, snapshot_id, volume_id, device;
  std::string state;           // pending | completed | error
  core::WallTime start{};      // StartTime; unset for this run's (never overdue)
  std::vector<aws::Tag> tags;  // the source's creation tags
  std::string description;     // the source's description
  std::set<std::string> owed;  // regions it still owes a copy in
  bool several_devices = false;
  bool this_run = false;
};

struct CopyOptions {
  std::string source_region;
  std::string kms_key_id;       // re-encrypt with this key when set
  int max_new_per_region = 20;  // copies started per destination per run
  bool wait = false;
  std::chrono::seconds timeout{3600};
  std::chrono::seconds overdue{24 * 3600};
  int completion_minutes = 0;  // time-based copies (CompletionDurationMinutes); 0: standard
  LockOptions lock;            // each new copy is locked in its region (locker.h)
};

// One source's copy in one destination, as the run leaves it.
struct CopyOutcome {
  std::string instance_id, source_snapshot_id, region;
  std::string copy_id;  // empty when none (queued, failed)
  std::string state;    // completed | pending | queued | failed | error
  bool this_run_source = false;
  bool started = false;   // this run's CopySnapshot made `copy_id`
  std::string lock = {};  // report::CopyRecord::lock
  // A time-based copy still pending past the time EC2 promised (its start
  // plus its CompletionDurationMinutes): reported and counted, not a failure.
  bool late = false;
};

struct CopyResult {
  std::vector<CopyOutcome> outcomes;
  std::vector<std::pair<std::string, report::FailureRecord>> failures;  // (instance id, failure)
  std::vector<report::FailureRecord> run_errors;                        // a destination that could not be read
};

// The tool's earlier snapshots of `volume_ids` that owe a copy (tag
// s3snapshot:copy-to), from the source region; this run's are left out.
core::Result<std::vector<CopySource>> FindOwedSources(const JobContext& ctx, const std::vector<std::string>& volume_ids,
                                                      const std::set<std::string>& exclude_ids);

// A source from the snapshot as DescribeSnapshots gives it (its creation
// tags, the regions its s3snapshot:copy-to tag says it owes).
CopySource CopySourceOf(aws::Snapshot snapshot);

// The copy settings of a run or of the function's event settings.
CopyOptions CopyOptionsFor(const spec::JobSpec& spec, const std::string& source_region);

// This run's sources in the state EC2 gives now: one batched look, no
// waiting (a source still pending is queued for a later run or event).
void RefreshSourceStates(const JobContext& ctx, std::vector<CopySource>* sources);

// The value of s3snapshot:copy-to for these regions ("eu-west-1 us-west-2").
std::string CopyToTagValue(const std::set<std::string>& regions);
std::set<std::string> ParseCopyToTag(const std::string& value);

CopyResult CopyToRegions(const JobContext& ctx, const std::vector<CopySource>& sources,
                         const std::map<std::string, aws::Ec2Api*>& destinations, const CopyOptions& options);

// The one way copies happen, for a run and for a completion event alike:
// adds the tool's earlier snapshots of `volumes` that still owe a copy in one
// of `regions` (when `with_owed`; a failed lookup is a run error in
// `result`), opens the destinations' clients (ctx.ec2_for_region) and
// copies (CopyToRegions).
CopyResult CopyToDestinations(const JobContext& ctx, std::vector<CopySource> sources,
                              const std::set<std::string>& regions, const std::vector<std::string>& volumes,
                              bool with_owed, const CopyOptions& options);

// A run's copies into its report: each copy of this run's snapshots on its
// snapshot's row, earlier runs' copies as earlier_copies, each failure on
// its instance's row (a run error when the instance is not in the ledger).
void RecordCopies(CopyResult result, Ledger& ledger, report::SnapshotReport* report);

// Retention of the copies in `regions`, grouped by their source volume (a
// copy's VolumeId means nothing), for `source_volumes`. The one guard for a
// run and an event: nothing is deleted when `report` already has a run error
// or the run was cancelled.
void RetainCopies(const JobContext& ctx, const std::set<std::string>& regions, const RetentionPolicy& policy,
                  const std::set<std::string>& source_volumes, report::SnapshotReport* report);
// The same for a run: the policy of `spec` (its label, rules and time zone)
// in its --copy-to-region regions.
void RetainRunCopies(const JobContext& ctx, const spec::JobSpec& spec, const std::vector<std::string>& source_volumes,
                     report::SnapshotReport* report);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_COPIER_H_
