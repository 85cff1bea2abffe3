// s3snapshot drill: proof that snapshot sets restore, on a schedule, leaving
// nothing behind.
//
//   sweep: volumes of earlier drills older than --drill-timeout (a drill
//   killed with SIGKILL) are deleted (job/teardown.h)
//   -> select instances as a run does (--filter, tags, ids, --all), then
//   --sample N of them at random
//   -> for each, its newest complete set (job/restore.h: ChooseSet), every
//   volume made side by side in the source's Availability Zone (or the
//   --check-instance's), tagged s3snapshot:drill-id and registered with
//   THE TEARDOWN GUARANTEE before its CreateVolume is sent
//   -> time to available per set: from its first CreateVolume to the poll
//   that saw its last volume 'available'
//   -> with --check-command: one set at a time attached to --check-instance
//   at free devices, the command run through SSM (AWS-RunShellScript) with
//   $S3SNAPSHOT_DEVICES, its exit status counted; then detached and deleted
//   -> every volume deleted (teardown); a set slower than --rto fails
//   -> evidence: the set's snapshots tagged s3snapshot:drilled = "TIME passed"
//   (or "failed"), which audit --max-drill-age reads.
//
// What it never does: attach to any instance but --check-instance, touch a
// volume it did not make (but the sweep's, tagged by a drill), or keep a
// volume it made.
#ifndef S3SNAPSHOT_JOB_DRILL_H_
#define S3SNAPSHOT_JOB_DRILL_H_

#include <random>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "core/background.h"
#include "job/job_context.h"
#include "report/drill_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// `n` of `instances` chosen at random (all of them when n is 0 or not
// smaller), in instance id order.
std::vector<aws::Instance> SampleOf(std::vector<aws::Instance> instances, int n, std::mt19937_64& random);

// The s3snapshot:drilled tag value: "2026-12-05T03:04:05Z passed".
std::string DrilledTagValue(const std::string& when, bool passed);
// Parses one: false when it is not of that shape.
bool ParseDrilledTag(const std::string& value, core::WallTime* when, bool* passed);

// The commands the check runs on --check-instance: the volumes exported
// (S3SNAPSHOT_DEVICES: the device names they were attached at;
// S3SNAPSHOT_VOLUME_IDS: their ids, in the same order -- on Nitro instances
// the devices show as NVMe, /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_
// vol<id without the dash>; S3SNAPSHOT_SOURCE_DEVICES: the device each was
// on the source; S3SNAPSHOT_INSTANCE_ID), then the user's command.
struct CheckVolume {
  std::string device, volume_id, source_device;
};
std::vector<std::string> CheckCommands(const std::string& command, const std::vector<CheckVolume>& volumes,
                                       const std::string& instance_id);

report::DrillReport RunDrill(const spec::JobSpec& spec, const JobContext& ctx);

// The sweep of a snapshot run: leftover drill volumes older than
// spec.drill_timeout deleted (not in a dry run). Returns the report's lines:
// swept ids, and ids that could not be deleted.
void SweepAfterRun(const spec::JobSpec& spec, const JobContext& ctx, std::vector<std::string>* swept,
                   std::vector<std::string>* left);

// SweepAfterRun on a thread of its own while the run snapshots (it touches
// only drill volumes): Start() once the selection found instances, Finish()
// waits and gives the report's lines. Destroying it waits too (core::Background), so the
// thread never outlives the run; a throw in it is a warning.
class SweepAlongside {
 public:
  void Start(const spec::JobSpec& spec, const JobContext& ctx);
  // Nothing when not started.
  void Finish(std::vector<std::string>* swept, std::vector<std::string>* left);

 private:
  struct Lines {
    std::vector<std::string> swept, left;
  };
  core::Background<Lines> result_;
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_DRILL_H_
