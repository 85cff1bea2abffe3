// Completion events for Lambda: EC2 publishes to EventBridge when a
// CreateSnapshots set ("EBS Multi-Volume Snapshots Completion Status",
// detail.event createSnapshots), a CreateSnapshot or a CopySnapshot ("EBS
// Snapshot Notification", createSnapshot / copySnapshot) completes or fails.
// The function accepts these as well as the seed's payload:
//
//  - only the tool's own snapshots are acted on: each one named is looked up
//    (DescribeSnapshots) and must carry Scripted=s3snapshot -- the event alone
//    is never trusted;
//  - a source that succeeded gets the copies it still owes (its
//    s3snapshot:copy-to tag, else the function's configured copy regions),
//    with the copier's rules: one copy per source per region, a copy refused
//    for the concurrent-copy limit stays queued (a later event or run), never
//    a retry storm; destination retention then applies to its volume;
//  - a copy that succeeded settles its source's tag and applies retention in
//    its region for its source volume;
//  - a failure (a snapshot or copy of the tool's that failed) is a failure of
//    the report (the SNS error message names instance, volume and cause),
//    marked s3snapshot:error-reported so runs do not report it again.
// Events can be delivered more than once: every step is idempotent (a copy
// already made is found by tag; a reported error is marked).
#ifndef S3SNAPSHOT_JOB_EVENTS_H_
#define S3SNAPSHOT_JOB_EVENTS_H_

#include <optional>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "report/snapshot_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct SnapshotEvent {
  std::string detail_type, event;  // "createSnapshots" | "createSnapshot" | "copySnapshot"
  std::string region;              // where the snapshots are
  bool succeeded = false;
  std::string cause;
  struct Item {
    std::string snapshot_id, source;  // source: a volume id, or (copies) the source snapshot id
    std::string status;               // per snapshot (createSnapshots), else the event's result
  };
  std::vector<Item> snapshots;
};

// Whether `payload` is an EventBridge event (it has "detail-type" and
// "source"), as opposed to a filter document.
bool LooksLikeEvent(const std::string& payload);

// nullopt: an event, but not one of these (logged and ignored by the
// caller). kInvalidInput: one of these, malformed.
core::Result<std::optional<SnapshotEvent>> ParseSnapshotEvent(const std::string& payload);

// Acts on the event in its region (ctx.ec2 is that region's client;
// ctx.ec2_for_region gives the others). `spec`: the function's configured
// settings (copy-to-regions, kms-key-id, keep, keep-days, copy-overdue).
report::SnapshotReport HandleSnapshotEvent(const SnapshotEvent& event, const spec::JobSpec& spec,
                                           const JobContext& ctx);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_EVENTS_H_
