// At-least-once delivery: cron jobs overlap, and EventBridge and Lambda's
// asynchronous invocation may deliver one event twice. --min-interval D makes
// a second run within D a no-op for each instance that already has a set:
//
//  - before snapshotting, an instance with a set of the tool's (same label,
//    any run, not ended in 'error') begun within D is skipped and reported
//    as skipped (recent) -- not a failure;
//  - after its snapshots and restarts, a run looks again, for all its sets in
//    one batched lookup: when another run's set of an instance began within
//    D and earlier (StartTime, then run id, so every run picks the same one),
//    this run's set yields: it is deleted (deleting a pending snapshot is
//    allowed) and the instance is reported skipped (recent). Looking at the
//    end of the phase, not right after each CreateSnapshots, lets a run that
//    created first see a set that another run created a moment later.
//
// What EC2 makes possible, and what not: tags are set with the snapshot
// (CreateSnapshots' TagSpecification) and can be searched, but EC2 has no
// compare-and-set on tags and no client token for CreateSnapshots, so two
// runs cannot lock an instance. The second look closes the window in which
// two runs both saw nothing. It cannot close two gaps: DescribeSnapshots is
// eventually consistent (for seconds a new set may not show), and when two
// sets of one instance began in the same second the run id decides, so a set
// made after the other run's last look can still win on paper. Then both
// sets are kept, and any later run within D sees both and is skipped. A set tagged State=Protected is never deleted
// (the deploy role may not delete it either); the duplicate is then kept with a warning.
//
// Thread-safe: the lookups are reads; called from the main thread (before)
// and from the snapshot workers (after).
#ifndef S3SNAPSHOT_JOB_DEDUPE_H_
#define S3SNAPSHOT_JOB_DEDUPE_H_

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "job/ledger.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// One snapshot set: the snapshots one run made of one instance.
struct SnapshotSet {
  std::string run_id, instance_id, started_at;  // the earliest StartTime of its snapshots
  core::WallTime start{};
  std::vector<std::string> snapshot_ids;
  bool protect = false;
};

// The tool's sets (tag Scripted, same label) of `instance_ids` begun within
// `window` of `now` and not ended in 'error', by instance id, earliest first.
core::Result<std::map<std::string, std::vector<SnapshotSet>>> RecentSets(const JobContext& ctx,
                                                                         const std::vector<std::string>& instance_ids,
                                                                         const std::string& label,
                                                                         std::chrono::seconds window);

// The set every run agrees is first: earliest start, then smallest run id.
const SnapshotSet* FirstSet(const std::vector<SnapshotSet>& sets);

// Before snapshotting: takes the instances with a recent set out of the two
// lists and reports them skipped (recent) in the ledger. A failed lookup is a
// warning: a missing snapshot is worse than a second one.
void SkipRecent(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec, std::vector<std::string>* to_stop,
                std::vector<std::string>* to_snapshot);

// After the snapshots and restarts: this run's sets that another run's
// earlier set beat are deleted and reported skipped (recent). Returns the
// snapshot ids deleted (so nothing tags them).
std::set<std::string> YieldToEarlierSets(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_DEDUPE_H_
