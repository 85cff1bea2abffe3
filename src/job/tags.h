// What the tool writes on the snapshots it makes: tag keys, the tags of a new
// snapshot or copy, its description, and the run id. Retention, the
// exactly-once create and the copies find the tool's snapshots by these tags
// alone, so every rule about them lives here.
#ifndef S3SNAPSHOT_JOB_TAGS_H_
#define S3SNAPSHOT_JOB_TAGS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "core/clock.h"

namespace s3snapshot::job {

// Tag keys the tool writes. `Scripted` and `State=Protected` are the seed's.
inline constexpr char kTagScripted[] = "Scripted";
inline constexpr char kTagScriptedValue[] = "s3snapshot";
inline constexpr char kTagState[] = "State";
inline constexpr char kTagProtected[] = "Protected";
inline constexpr char kTagRunId[] = "s3snapshot:run-id";
inline constexpr char kTagInstanceId[] = "s3snapshot:instance-id";
inline constexpr char kTagDevice[] = "s3snapshot:device";
// A restored volume (job/restore.h): the snapshot it was made from, and the
// restore that made it (the id to resume with).
inline constexpr char kTagRestoredFrom[] = "s3snapshot:restored-from";
inline constexpr char kTagRestoreId[] = "s3snapshot:restore-id";
// An original volume an in-place restore replaced: the volume that took its device.
inline constexpr char kTagReplacedBy[] = "s3snapshot:replaced-by";
// A drill's volumes (job/teardown.h: deleted by it, or by the next sweep),
// and a drilled set's snapshots: "TIME passed" or "TIME failed" (job/drill.h;
// audit --max-drill-age reads it).
inline constexpr char kTagDrillId[] = "s3snapshot:drill-id";
inline constexpr char kTagDrilled[] = "s3snapshot:drilled";
inline constexpr char kTagLabel[] = "s3snapshot:label";
inline constexpr char kTagSourceSnapshot[] = "s3snapshot:source-snapshot";
inline constexpr char kTagSourceRegion[] = "s3snapshot:source-region";
inline constexpr char kTagSourceVolume[] = "s3snapshot:source-volume";
// On a source snapshot: the regions it still owes a copy in, space
// separated; set at creation by a run with --copy-to-region, shortened or
// removed as the copies complete (copier.h).
inline constexpr char kTagCopyTo[] = "s3snapshot:copy-to";
// On a snapshot or copy that ended in 'error': the run that reported it
// (late_errors.h), so it is reported once.
inline constexpr char kTagErrorReported[] = "s3snapshot:error-reported";
// On a volume, the opt-out: s3snapshot:exclude=true leaves it out of every
// snapshot set (job/exclusions.h), as DLM excludes volumes by tag.
inline constexpr char kTagExclude[] = "s3snapshot:exclude";
inline constexpr char kTagExcludeValue[] = "true";
// EC2's limits.
inline constexpr size_t kMaxTagsPerResource = 50;
inline constexpr size_t kMaxDescriptionLength = 255;

// "20261126T120000Z-1a2b3c" -- sortable, unique enough per account.
std::string NewRunId(const core::Clock& clock);

// Keys the tool owns or that AWS reserves: never copied from the instance.
bool IsReservedTagKey(const std::string& key);

// The tags every snapshot of `instance` gets at creation: Scripted, State
// (when `protect`), Name, instance id, run id, label, the device when the
// instance has one volume, the regions it owes a copy in (`copy_to`, when
// not empty), then the instance's own tags while they fit, leaving one place
// for the device tag added after creation.
std::vector<aws::Tag> SnapshotTags(const aws::Instance& instance, bool protect, const std::string& label,
                                   const std::string& run_id, const std::string& copy_to = "");

// The description shared by the instance's snapshots, within 255 characters.
std::string SnapshotDescription(const aws::Instance& instance, const std::string& label, const std::string& when);

// A copy's tags in its destination: the source's tags (never its copy-to
// tag, which is about the source), its device (`device`, when known), and
// where it came from (source snapshot, region and volume); the tool's tags
// first, within 50.
std::vector<aws::Tag> CopyTags(std::vector<aws::Tag> source_tags, const std::string& device,
                               const std::string& source_snapshot_id, const std::string& source_region,
                               const std::string& source_volume_id);

// A copy's description: where it came from, then the source's description.
std::string CopyDescription(const std::string& source_snapshot_id, const std::string& source_region,
                            const std::string& source_description);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_TAGS_H_
