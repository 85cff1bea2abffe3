// s3snapshot restore, side by side: one snapshot set of an instance back
// into volumes.
//
//   choose the set (--run-id, --before, else the newest complete one; a set
//   with a snapshot not 'completed' is refused, never half restored)
//   -> the target (--to-instance, the source instance, or --availability-zone
//   alone) and the original volumes (type, IOPS, throughput, tags)
//   -> one CreateVolume per snapshot, exactly once: volumes already tagged
//   with this restore id are found first, and each CreateVolume carries a
//   ClientToken made of the restore id and the snapshot, so a retried call
//   or a re-run with the same --restore-id makes no second volume
//   -> wait until 'available' -> attach each at a free device of the target.
//
// What it never does: detach, modify or delete a volume; attach at a device
// in use. The restored volumes are tagged s3snapshot:restored-from (the
// snapshot), s3snapshot:restore-id, s3snapshot:instance-id and
// s3snapshot:device (where the source had it), with the source volume's
// own tags.
#ifndef S3SNAPSHOT_JOB_RESTORE_H_
#define S3SNAPSHOT_JOB_RESTORE_H_

#include <map>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "job/job_context.h"
#include "report/restore_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// The snapshots one run made of one instance (its s3snapshot:run-id).
struct RestoreSet {
  std::string run_id;
  std::string started_at;  // the earliest StartTime among its snapshots
  std::vector<aws::Snapshot> snapshots;
  // Empty when every snapshot is 'completed'; else what is not
  // ("snap-1 is pending, snap-2 is error").
  std::string incomplete;
};

// The tool's snapshots of one instance grouped into sets, newest first.
std::vector<RestoreSet> SetsOf(const std::vector<aws::Snapshot>& snapshots);
// The set `spec` asks for: --run-id's, the newest complete one begun before
// --before, or the newest complete one; kNotFound / kConflict saying why not.
core::Result<RestoreSet> ChooseSet(const std::vector<RestoreSet>& sets, const spec::JobSpec& spec);
// `n` device names for new attachments, none in use on `instance` (/dev/sdX
// and /dev/xvdX name the same device): /dev/sdf../dev/sdp, then ../dev/sdz.
std::vector<std::string> FreeDevices(const aws::Instance& instance, size_t n);
// CreateVolume's ClientToken for one snapshot of one restore (at most 64
// ASCII characters, as EC2 allows).
std::string VolumeClientToken(const std::string& restore_id, const std::string& snapshot_id);

// The volumes the snapshots were taken of that still exist, by id
// (DescribeVolumes per 200 ids; those a failed lookup missed are absent: the
// restore then uses --volume-type, as for a volume that is gone).
std::map<std::string, aws::Volume> OriginalVolumes(aws::Ec2Api& ec2, const std::vector<std::string>& volume_ids);
// One snapshot's row before anything is made ("planned"): its device (its
// s3snapshot:device tag, else where `source` has its volume) and the type
// of its original, or `fallback_type` when that is gone.
report::RestoredVolume PlannedVolume(const aws::Snapshot& s, const aws::Instance& source,
                                     const std::map<std::string, aws::Volume>& originals,
                                     const std::string& fallback_type);
// The original's provisioned IOPS (io1, io2, gp3) and throughput (gp3) on
// the request that restores it.
void KeepPerformance(const aws::Volume& original, aws::CreateVolumeRequest* req);

report::RestoreReport RunRestore(const spec::JobSpec& spec, const JobContext& ctx);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_RESTORE_H_
