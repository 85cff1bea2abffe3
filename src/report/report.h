// A command's report, whichever the command: the entry points (app/, cli/,
// lambda/), the notifier and the metrics take this one type and let each
// command's own unit render it. A new command adds its report type to the
// variant (and the compiler then names every place that must handle it).
#ifndef S3SNAPSHOT_REPORT_REPORT_H_
#define S3SNAPSHOT_REPORT_REPORT_H_

#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include "report/audit_report.h"
#include "report/drill_report.h"
#include "report/envelope.h"
#include "report/restore_report.h"
#include "report/snapshot_report.h"

namespace s3snapshot::report {

using Report = std::variant<SnapshotReport, AuditReport, RestoreReport, DrillReport>;

// The command's name as the JSON report, the metrics and the EMF lines say it.
const char* CommandName(const Report& r);
const Envelope& EnvelopeOf(const Report& r);
Envelope& EnvelopeOf(Report& r);
// The rows the command reported on: instances (snapshot), volumes (audit,
// restore), sets (drill).
size_t RowCount(const Report& r);
// Everything asked was done (see each command's ok()).
bool ReportOk(const Report& r);

// The parts of one run over several scopes, merged (all of one command).
Report MergeReports(std::vector<Report> parts, const std::vector<std::string>& scopes);

void WriteReportText(const Report& r, std::ostream& out);
void WriteReportJson(const Report& r, std::ostream& out, int indent = 2, bool failures_only = false);
std::string ReportToText(const Report& r);
std::string ReportToJson(const Report& r, int indent = 2);
// For stderr, one line each; empty when the report is ok.
std::vector<std::string> FailureSummary(const Report& r, size_t max_rows = 20);
// A one-line subject within SNS's 100-character limit.
std::string ReportSubject(const Report& r, bool errors_only);
// A readable body; `errors_only` puts the failures first. Under `max_bytes`.
std::string ReportMessage(const Report& r, bool errors_only, size_t max_bytes = 200 * 1024);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_REPORT_H_
