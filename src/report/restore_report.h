// A restore's report (job/restore.h): which snapshot set was turned back
// into which volumes, where they are attached, and what failed, as text,
// JSON and an SNS message.
#ifndef S3SNAPSHOT_REPORT_RESTORE_REPORT_H_
#define S3SNAPSHOT_REPORT_RESTORE_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "report/envelope.h"

namespace s3snapshot::report {

// One snapshot of the set and the volume restored from it.
struct RestoredVolume {
  std::string device;            // the device the snapshot was taken at ("/dev/xvda"; "" when unknown)
  std::string source_volume_id;  // the volume the snapshot was taken of
  std::string snapshot_id;
  std::string volume_id;  // the restored volume ("" when none was made)
  std::string volume_type;
  std::string state;            // planned | creating | available | in-use | error | failed
  std::string attached_device;  // where it is attached on the target ("" when not attached)
  bool created = false;         // this run sent its CreateVolume (false: an earlier attempt made it)
  std::vector<FailureRecord> errors;

  bool ok() const { return errors.empty(); }
};

struct RestoreReport : Envelope {
  std::string restore_id;          // tags the volumes: the id to give again to resume
  std::string source_instance_id;  // whose set
  std::string set_run_id;          // the set: the run that made it
  std::string set_started_at;      // the set's snapshots' start time (the recovery point)
  std::string target_instance_id;  // attached to this instance ("" : volumes only)
  std::string availability_zone;
  std::vector<RestoredVolume> volumes;
  // --in-place (job/rollback.h): the restored volumes replaced the originals,
  // or every original went back (rolled_back); the instance stopped for it
  // and started again.
  bool in_place = false;
  bool replaced = false;
  bool rolled_back = false;
  bool stopped_by_run = false;
  bool restarted = false;

  int FailedCount() const;
  // Every snapshot of the set has its volume, available (or attached), and
  // nothing failed.
  bool ok() const {
    return FailedCount() == 0 && run_errors.empty() && !cancelled && (!in_place || replaced || dry_run) &&
           !(stopped_by_run && !restarted);
  }
};

RestoreReport MergeReports(std::vector<RestoreReport> parts, const std::vector<std::string>& scopes);

void WriteText(const RestoreReport& r, std::ostream& out);
void WriteJson(const RestoreReport& r, std::ostream& out, int indent, bool failures_only);
std::vector<std::string> FailureSummary(const RestoreReport& r, size_t max = 20);
std::string SubjectWords(const RestoreReport& r, bool errors_only);
void WriteErrorHead(const RestoreReport& r, std::ostream& out);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_RESTORE_REPORT_H_
