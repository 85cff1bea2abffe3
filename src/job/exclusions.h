// Choosing what to capture: which of an instance's volumes a run leaves out
// of its CreateSnapshots (--exclude-boot: InstanceSpecification.
// ExcludeBootVolume; --exclude-device DEV: the volume attached as DEV, as
// ExcludeDataVolumeId.N -- never the root volume, which only --exclude-boot
// leaves out, as EC2 refuses it there; the tag s3snapshot:exclude=true on a
// volume: that volume, the root one through ExcludeBootVolume).
#ifndef S3SNAPSHOT_JOB_EXCLUSIONS_H_
#define S3SNAPSHOT_JOB_EXCLUSIONS_H_

#include <set>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "report/snapshot_report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct Exclusions {
  bool boot = false;
  std::vector<std::string> data_volume_ids;  // ExcludeDataVolumeId.N
  std::vector<aws::BlockDevice> kept;        // the volumes the snapshot set has
  std::vector<std::string> warnings;         // e.g. a listed device that is the root
};

// `opted_out`: the volumes tagged s3snapshot:exclude=true (Job looks them up).
Exclusions ExclusionsFor(const aws::Instance& instance, const spec::JobSpec& spec,
                         const std::set<std::string>& opted_out = {});

// The volumes among `volumes` tagged s3snapshot:exclude=true (one
// DescribeVolumes per 200, kOptOutLookupsInFlight at once). Snapshot-safe:
// when any part of the lookup fails, none is excluded (every volume is
// snapshotted) and a run error says so.
inline constexpr size_t kOptOutLookupsInFlight = 4;
std::set<std::string> OptedOutVolumes(aws::Ec2Api& ec2, const std::vector<std::string>& volumes,
                                      std::vector<report::FailureRecord>* run_errors);

// "/dev/sdf" and "sdf" name the same device.
bool SameDevice(const std::string& a, const std::string& b);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_EXCLUSIONS_H_
