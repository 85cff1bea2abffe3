// A drill's report (job/drill.h): per drilled instance, the set restored
// (its run and age: the recovery point actually achieved), its time to
// available, its check, pass or fail; the volumes it could not delete (LEFT
// BEHIND) and the leftovers of earlier drills it swept; as text, JSON and an
// SNS message.
#ifndef S3SNAPSHOT_REPORT_DRILL_REPORT_H_
#define S3SNAPSHOT_REPORT_DRILL_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "report/envelope.h"
#include "report/restore_report.h"

namespace s3snapshot::report {

// One selected instance's newest complete set, restored and torn down.
struct DrilledSet {
  std::string instance_id, name;
  std::string scope;           // "ACCOUNT/REGION" in a merged report, else ""
  std::string run_id;          // the set ("" when the instance has no complete set)
  std::string set_started_at;  // its snapshots' start: the recovery point
  long long set_age_seconds = -1;
  std::string availability_zone;        // where its volumes were made
  std::vector<RestoredVolume> volumes;  // state ends "deleted" (or what EC2 last said)
  // From the first CreateVolume to the last volume seen 'available' (-1:
  // not every volume became available).
  double seconds_to_available = -1;
  // "passed", "failed (exit N)", "timed out", "not run" (no --check-command,
  // or the restore failed first); check_seconds: how long it ran.
  std::string check = "not run";
  double check_seconds = 0;
  bool over_rto = false;
  std::vector<FailureRecord> errors;

  bool ok() const { return errors.empty() && !run_id.empty(); }
};

struct DrillReport : Envelope {
  std::string drill_id;           // tags every volume the drill makes (s3snapshot:drill-id)
  std::string check_instance_id;  // "" : no check
  long long rto_seconds = 0;      // 0: no limit
  size_t selected = 0;            // instances the selection matched (the sets are a sample of them with --sample)
  std::vector<DrilledSet> sets;
  // Volumes this drill made and could not delete: LEFT BEHIND, named on
  // stderr and in the SNS error message.
  std::vector<std::string> left_behind;
  // Volumes of earlier (killed) drills older than --drill-timeout, deleted now.
  std::vector<std::string> swept;

  int FailedCount() const;
  bool ok() const { return FailedCount() == 0 && run_errors.empty() && !cancelled && left_behind.empty(); }
};

DrillReport MergeReports(std::vector<DrillReport> parts, const std::vector<std::string>& scopes);

void WriteText(const DrillReport& r, std::ostream& out);
void WriteJson(const DrillReport& r, std::ostream& out, int indent, bool failures_only);
std::vector<std::string> FailureSummary(const DrillReport& r, size_t max = 20);
std::string SubjectWords(const DrillReport& r, bool errors_only);
void WriteErrorHead(const DrillReport& r, std::ostream& out);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_DRILL_REPORT_H_
