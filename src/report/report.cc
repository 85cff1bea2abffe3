#include "report/report.h"

#include <ostream>
#include <sstream>

namespace s3snapshot::report {

namespace {

template <class T>
Report MergeAll(std::vector<Report>& parts, const std::vector<std::string>& scopes) {
  std::vector<T> typed;
  typed.reserve(parts.size());
  for (auto& p : parts) typed.push_back(std::get<T>(std::move(p)));
  std::vector<Report>().swap(parts);
  return MergeReports(std::move(typed), scopes);
}

}  // namespace

const char* CommandName(const Report& r) {
  if (std::holds_alternative<AuditReport>(r)) return "audit";
  if (std::holds_alternative<RestoreReport>(r)) return "restore";
  if (std::holds_alternative<DrillReport>(r)) return "drill";
  return "snapshot";
}

const Envelope& EnvelopeOf(const Report& r) {
  return std::visit([](const auto& x) -> const Envelope& { return x; }, r);
}

Envelope& EnvelopeOf(Report& r) {
  return std::visit([](auto& x) -> Envelope& { return x; }, r);
}

size_t RowCount(const Report& r) {
  if (const auto* a = std::get_if<AuditReport>(&r)) return a->volumes.size();
  if (const auto* x = std::get_if<RestoreReport>(&r)) return x->volumes.size();
  if (const auto* d = std::get_if<DrillReport>(&r)) return d->sets.size();
  return std::get<SnapshotReport>(r).instances.size();
}

bool ReportOk(const Report& r) {
  return std::visit([](const auto& x) { return x.ok(); }, r);
}

Report MergeReports(std::vector<Report> parts, const std::vector<std::string>& scopes) {
  if (!parts.empty() && std::holds_alternative<AuditReport>(parts[0])) return MergeAll<AuditReport>(parts, scopes);
  if (!parts.empty() && std::holds_alternative<RestoreReport>(parts[0])) return MergeAll<RestoreReport>(parts, scopes);
  if (!parts.empty() && std::holds_alternative<DrillReport>(parts[0])) return MergeAll<DrillReport>(parts, scopes);
  return MergeAll<SnapshotReport>(parts, scopes);
}

void WriteReportText(const Report& r, std::ostream& out) {
  std::visit([&](const auto& x) { WriteText(x, out); }, r);
}

void WriteReportJson(const Report& r, std::ostream& out, int indent, bool failures_only) {
  std::visit([&](const auto& x) { WriteJson(x, out, indent, failures_only); }, r);
}

std::string ReportToText(const Report& r) {
  std::ostringstream o;
  WriteReportText(r, o);
  return o.str();
}

std::string ReportToJson(const Report& r, int indent) {
  std::ostringstream o;
  WriteReportJson(r, o, indent);
  return o.str();
}

std::vector<std::string> FailureSummary(const Report& r, size_t max_rows) {
  return std::visit([&](const auto& x) { return FailureSummary(x, max_rows); }, r);
}

std::string ReportSubject(const Report& r, bool errors_only) {
  return std::visit([&](const auto& x) { return SubjectLine(SubjectWords(x, errors_only), x); }, r);
}

std::string ReportMessage(const Report& r, bool errors_only, size_t max_bytes) {
  return LimitedText(max_bytes, [&](std::ostream& o) {
    std::visit(
        [&](const auto& x) {
          if (errors_only) WriteErrorHead(x, o);
          WriteText(x, o);
        },
        r);
  });
}

}  // namespace s3snapshot::report
