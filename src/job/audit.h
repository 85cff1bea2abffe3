// The audit (`s3snapshot audit`, payload "audit": true): which selected
// volumes are not protected right now, and since when. Read-only: the only
// calls are DescribeInstances (the selection, as a snapshot run makes it)
// and DescribeSnapshots -- paged, one call per 200 volumes (never one per
// volume; four in flight), filtered on the server by volume and by the tool's `Scripted` tag
// (without --include-foreign), and in each --copy-to-region by the copies'
// source-volume and source-region tags. Notifications, sent by the caller,
// are the only writes.
//
// For every selected instance (running or stopped) and each EBS volume:
// the newest completed snapshot that counts -- the tool's own, with the
// run's label when one is given, or with --include-foreign any (and whose:
// s3snapshot, dlm, aws-backup or other) -- and its age. Findings:
//   missing        no completed snapshot counts
//   too-old        the newest began longer than --max-age ago
//   error          the newest attempt (newer than the newest completed) ended in 'error'
//   pending        a snapshot still pending longer than --max-pending
//   no-ebs-volume  an instance with nothing to snapshot
//   unknown        the lookup failed, or the run was cancelled before it
//   copy-missing, copy-too-old, copy-error, copy-pending: the same, for the
//                  newest copy in each --copy-to-region
// A volume with a finding is "unprotected": the report is not ok (exit 1),
// and the SNS error message lists every finding.
#ifndef S3SNAPSHOT_JOB_AUDIT_H_
#define S3SNAPSHOT_JOB_AUDIT_H_

#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "job/job_context.h"
#include "report/audit_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// One scope (account x region).
report::AuditReport RunAudit(const spec::JobSpec& spec, const JobContext& ctx);

// Who made a snapshot, from its tags and description: "s3snapshot" (the
// Scripted tag), "dlm" (aws:dlm:lifecycle-policy-id), "aws-backup"
// (aws:backup:source-resource, or AWS Backup's description), else "other".
std::string SnapshotOwner(const aws::Snapshot& s);

// How many volumes one DescribeSnapshots call asks about (EC2 takes at most
// 200 values per filter).
inline constexpr size_t kAuditVolumesPerCall = aws::kMaxFilterValues;
// DescribeSnapshots calls of an audit in flight at once (each scope).
inline constexpr size_t kAuditLookupsInFlight = 4;

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_AUDIT_H_
