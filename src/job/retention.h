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
// Then a snapshot is kept when it is among the newest `keep` completed ones
// of its volume, or younger than `keep_days`; otherwise it is deleted.
// InvalidSnapshot.InUse (an AMI uses it) is "kept, reported", not a failure.
#ifndef S3SNAPSHOT_JOB_RETENTION_H_
#define S3SNAPSHOT_JOB_RETENTION_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "core/clock.h"
#include "report/snapshot_report.h"

namespace s3snapshot::job {

struct RetentionPolicy {
  int keep = 0;       // newest N per volume; 0: no count rule
  int keep_days = 0;  // younger than D days; 0: no age rule
  bool prune_orphans = false;
  // The run applying it: its own snapshots (tagged s3snapshot:run-id with
  // it) are the newest of their volume, whatever the clock's resolution
  // says, and are never deleted. Empty: none.
  std::string this_run;
  bool enabled() const { return keep > 0 || keep_days > 0; }
};

struct RetentionDecision {
  aws::Snapshot snapshot;
  bool remove = false;
  std::string reason;  // why kept or deleted
  bool orphan = false;
};

// Pure planning over the snapshots of one volume (any order).
std::vector<RetentionDecision> PlanVolumeRetention(const std::vector<aws::Snapshot>& snapshots,
                                                   const RetentionPolicy& policy, core::WallTime now, bool orphan);

// The snapshots of one volume that retention deletes once this run's new
// snapshot of it has completed (it is then the volume's newest), by id.
std::map<std::string, RetentionDecision> RemovedOnceNewSetCompletes(const std::vector<aws::Snapshot>& snapshots,
                                                                    const RetentionPolicy& policy, core::WallTime now);

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

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_RETENTION_H_
