// Retention: which of the tool's own snapshots to delete, and deleting them.
//
// Safety rules, in order (each one only ever keeps):
//  1. only snapshots tagged Scripted=s3snapshot are ever considered;
//  2. never one tagged State=Protected;
//  3. never one that is not 'completed' (pending ones are in flight);
//  4. never a volume's newest completed snapshot (so a failed run today does
//     not take the last good one) -- except for orphans with --prune-orphans;
//  5. retention runs for a volume only after this run's snapshot of it exists;
//  6. snapshots of volumes that no longer exist (orphans) are looked at only
//     with --prune-orphans;
//  7. never a snapshot the run applying it made (two sets begun within the
//     same second would otherwise be ordered by id).
// Only snapshots of the run's label (s3snapshot:label; none for an unlabelled
// run) are looked at: a nightly and an ad hoc schedule never prune each other.
// Then a snapshot is kept when any rule keeps it: among the newest `keep`
// completed ones of its volume, younger than `keep_days`, or in a set a
// calendar tier keeps (TierKeeps); otherwise it is deleted.
// InvalidSnapshot.InUse (an AMI uses it) is "kept, reported", not a failure.
#ifndef S3SNAPSHOT_JOB_RETENTION_H_
#define S3SNAPSHOT_JOB_RETENTION_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "core/clock.h"
#include "core/timezone.h"
#include "job/job_context.h"
#include "report/snapshot_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct RetentionPolicy {
  int keep = 0;       // newest N per volume; 0: no count rule
  int keep_days = 0;  // younger than D days; 0: no age rule
  bool prune_orphans = false;
  // The run applying it: its own snapshots (tagged s3snapshot:run-id with
  // it) are the newest of their volume, whatever the clock's resolution
  // says, and are never deleted. Empty: none.
  std::string this_run;
  // The label whose snapshots the rules apply to ("": unlabelled ones).
  std::string label;
  // Calendar tiers: the newest complete set of each of the last N days, ISO
  // weeks, months and years that have one, in `zone`. 0: no such tier.
  int keep_daily = 0, keep_weekly = 0, keep_monthly = 0, keep_yearly = 0;
  core::TimeZone zone = core::TimeZone::Utc();
  bool tiers() const { return keep_daily > 0 || keep_weekly > 0 || keep_monthly > 0 || keep_yearly > 0; }
  bool enabled() const { return keep > 0 || keep_days > 0 || tiers(); }
};

// The policy a run of `spec` applies (its label, rules and time zone);
// `this_run`: the run's id. An unreadable time zone is an error (also
// refused, exit 2, before the run).
core::Result<RetentionPolicy> RetentionPolicyOf(const spec::JobSpec& spec, const std::string& this_run,
                                                bool prune_orphans);

// A set: the snapshots one run made of one instance (same s3snapshot:run-id
// and s3snapshot:instance-id), wherever they are.
struct SetInfo {
  core::WallTime start{};  // its earliest snapshot's start
  bool dated = true;       // every start time read
  bool complete = true;    // every snapshot of it 'completed'
};
// The set a snapshot belongs to; a snapshot without a run id is a set alone.
std::string SetKey(const aws::Snapshot& s);
std::map<std::string, SetInfo> SetsOf(const std::vector<aws::Snapshot>& snapshots);

// Which of `sets` the calendar tiers keep, by key, each with why ("daily
// 2026-12-04, monthly 2026-12"): walking the complete sets newest first, the
// first of each day (week, month, year) is that period's, until N periods are
// taken. Periods with no complete set are skipped, as restic and borg count
// them: missed runs never cost an older set. Incomplete sets count for none.
std::map<std::string, std::string> TierKeeps(const std::map<std::string, SetInfo>& sets, const RetentionPolicy& policy);

struct RetentionDecision {
  aws::Snapshot snapshot;
  bool remove = false;
  std::string reason;  // why kept or deleted
  bool orphan = false;
};

// Pure planning over the snapshots of one volume and label (any order).
// `sets`: what is known of the sets they belong to (other volumes of the set
// decide whether it is complete); null: only these snapshots.
std::vector<RetentionDecision> PlanVolumeRetention(const std::vector<aws::Snapshot>& snapshots,
                                                   const RetentionPolicy& policy, core::WallTime now, bool orphan,
                                                   const std::map<std::string, SetInfo>* sets = nullptr);

// The snapshots of one volume that retention deletes once this run's new
// snapshot of it has completed (it is then the volume's newest), by id.
std::map<std::string, RetentionDecision> RemovedOnceNewSetCompletes(
    const std::vector<aws::Snapshot>& snapshots, const RetentionPolicy& policy, core::WallTime now,
    const std::map<std::string, SetInfo>* sets = nullptr);

// Finds the snapshots of `volumes` (and, with prune_orphans, of volumes that no
// longer exist), plans, and deletes (unless dry_run: then the plan also names,
// as once_set_completes, what goes only once this run's set has completed). Records go into
// report->retention; delete failures into the report's run errors.
// `group_tag`: group by this tag's value instead of the snapshot's volume id
// (copies in another region carry their source volume in a tag, since a
// copy's VolumeId is meaningless); orphans are not looked for then.
void ApplyRetention(aws::Ec2Api& ec2, const RetentionPolicy& policy, const std::set<std::string>& volumes,
                    core::WallTime now, bool dry_run, report::SnapshotReport* report, const std::string& group_tag = "",
                    const std::string& scope = "");

// A run's retention in its own region, for `volumes` (the policy of `spec`;
// an unreadable time zone is a run error).
void ApplyRunRetention(const spec::JobSpec& spec, const JobContext& ctx, const std::set<std::string>& volumes,
                       report::SnapshotReport* report);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_RETENTION_H_
