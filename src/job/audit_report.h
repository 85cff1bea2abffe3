// How an audit's report (job/audit.h) is written: report.cc's writers hand
// a report with `audit` set to these.
#ifndef S3SNAPSHOT_JOB_AUDIT_REPORT_H_
#define S3SNAPSHOT_JOB_AUDIT_REPORT_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "job/report.h"

namespace s3snapshot::job {

// Shared by both commands' JSON writers (report.cc): a failure record, and
// the members every report has (command, report_version, run id, region,
// account, times, label, cancelled, selection_failed, ok, not_found,
// not_matching_tags, errors).
nlohmann::json FailureJson(const FailureRecord& f);
void PutCommonJson(const Report& r, const char* command, nlohmann::json* j);

// "45s", "12m", "3h12m", "2d4h": an age for people, to the two largest units.
std::string HumanAge(long long seconds);
// HumanAge, unless rounded down it would read as within `limit` while
// `seconds` is beyond it ("1m" for 73 s against a 1m limit): then to the
// second ("1m13s"), so a figure never contradicts its verdict.
std::string HumanAgeBeyond(long long seconds, long long limit);

void WriteAuditText(const Report& r, std::ostream& out);
// `findings_only`: the volumes without a finding are left out (counted in
// "volumes_omitted"), for Lambda's 6 MB response limit.
void WriteAuditJson(const Report& r, std::ostream& out, int indent, bool findings_only);
std::string AuditSubject(const Report& r, bool errors_only);
// Every finding, one line each ("SCOPE INSTANCE DEVICE VOLUME: KIND: ...").
void WriteAuditFindings(const Report& r, std::ostream& out);
// For stderr: the findings, at most `max` lines, then a count.
std::vector<std::string> AuditFindingSummary(const Report& r, size_t max);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_AUDIT_REPORT_H_
