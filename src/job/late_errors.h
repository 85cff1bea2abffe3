// Errors after the fact: EC2 may end a snapshot in `error` hours after the
// run that made it has reported success (a run without --wait never sees
// it). So every run also looks at the tool's snapshots of the volumes it
// selects that are in state `error` -- one paged DescribeSnapshots per 200
// volumes, filtered on the server by state and volume, so the lookup stays
// small -- and
// reports each one it has not reported before: a failure of its instance
// (exit 1, in the SNS error message) naming the snapshot, volume, device,
// the run that made it and EC2's state message.
//
// "Once" is kept in EC2 itself: a reported snapshot gets the tag
// s3snapshot:error-reported=RUN_ID (the deploy role may set that key, and
// only on the tool's snapshots). If that tag cannot be set the snapshot is
// reported again by the next run: a failure reported twice is better than
// one never reported. Copies that end in `error` are reported the same way
// by the copier (copier.h). Not in a dry run. A snapshot run looks them up
// on a thread of its own while it snapshots (LateErrorLookup): the lookup
// needs nothing from the run but its id.
#ifndef S3SNAPSHOT_JOB_LATE_ERRORS_H_
#define S3SNAPSHOT_JOB_LATE_ERRORS_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/background.h"
#include "job/job_context.h"
#include "job/ledger.h"
#include "report/snapshot_report.h"

namespace s3snapshot::job {

struct LateErrors {
  std::vector<std::pair<std::string, report::FailureRecord>> failures;  // (instance id, failure)
  std::vector<std::string> warnings;                                    // the lookup or the marking failed
};

// `exclude`: this run's own snapshots (their state is this run's to report);
// so are those tagged with this run's id (ctx.run_id), made or not yet.
LateErrors FindAndMarkLateErrors(const JobContext& ctx, const std::vector<std::string>& volume_ids,
                                 const std::set<std::string>& exclude);

// The same, into a run: each failure goes to its instance's row (or, for an
// instance the run did not select, to `run_errors`); warnings are logged.
void ReportLateErrorsInto(const JobContext& ctx, Ledger& ledger, const std::vector<std::string>& volume_ids,
                          const std::set<std::string>& exclude, std::vector<report::FailureRecord>* run_errors);

// The lookup overlapped with the snapshot phase: Start() runs
// FindAndMarkLateErrors on a thread of its own; ReportInto() waits for it and
// reports as ReportLateErrorsInto does. Destroying it waits too (core::Background), so the
// thread never outlives the run (nor the clients in `ctx`). A throw in the
// lookup is a warning, as a failed lookup is.
class LateErrorLookup {
 public:
  void Start(const JobContext& ctx, std::vector<std::string> volume_ids);
  // Nothing when not started.
  void ReportInto(Ledger& ledger, std::vector<report::FailureRecord>* run_errors);

 private:
  JobContext ctx_;
  core::Background<LateErrors> result_;  // after ctx_: waited for before ctx_ goes
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_LATE_ERRORS_H_
