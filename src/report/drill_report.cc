#include "report/drill_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "report/json_stream.h"

namespace s3snapshot::report {

int DrillReport::FailedCount() const {
  return static_cast<int>(std::count_if(sets.begin(), sets.end(), [](const DrilledSet& s) { return !s.ok(); }));
}

DrillReport MergeReports(std::vector<DrillReport> parts, const std::vector<std::string>& scopes) {
  DrillReport m;
  std::set<std::string> found;
  for (const auto& p : parts) {
    for (const auto& s : p.sets) found.insert(s.instance_id);
    for (const auto& id : p.not_matching_tags) found.insert(id);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    DrillReport& p = parts[i];
    const int failed = p.FailedCount() + static_cast<int>(p.left_behind.size());
    if (i == 0) {
      m.drill_id = p.drill_id;
      m.check_instance_id = p.check_instance_id;
      m.rto_seconds = p.rto_seconds;
    }
    m.selected += p.selected;
    for (auto& s : p.sets) {
      s.scope = scopes[i];
      m.sets.push_back(std::move(s));
    }
    for (auto& v : p.left_behind) m.left_behind.push_back(v + " [" + scopes[i] + "]");
    for (auto& v : p.swept) m.swept.push_back(std::move(v));
    m.scopes.push_back(SummaryOf(p, scopes[i], static_cast<int>(p.sets.size()), failed));
    MergeEnvelope(std::move(static_cast<Envelope&>(p)), scopes[i], i == 0, &m);
  }
  DropFoundIds(found, &m);
  return m;
}

namespace {

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string Verdict(const DrillReport& r, const DrilledSet& s) {
  if (r.dry_run) return s.run_id.empty() ? "NO SET" : "planned";
  return s.ok() ? "PASS" : "FAIL";
}

// The slowest set that became available ("" when none did).
const DrilledSet* Slowest(const DrillReport& r) {
  const DrilledSet* slowest = nullptr;
  for (const auto& s : r.sets) {
    if (s.seconds_to_available >= 0 && (!slowest || s.seconds_to_available > slowest->seconds_to_available)) {
      slowest = &s;
    }
  }
  return slowest;
}

}  // namespace

void WriteText(const DrillReport& r, std::ostream& o) {
  o << (r.dry_run ? "s3snapshot drill plan " : "s3snapshot drill ") << Dash(r.drill_id) << " in " << r.region;
  o << AccountsText(r);
  o << "\n";
  if (r.cancelled) o << "CANCELLED (" << r.cancel_reason << "): sets not yet restored were not drilled\n";
  if (!r.check_instance_id.empty()) o << "check: on " << r.check_instance_id << "\n";
  if (r.selection_failed) {
    o << "The selection failed: nothing was drilled" << (r.sets.empty() ? "" : " in some scopes") << ".\n";
  } else if (r.sets.empty() && r.not_found.empty()) {
    o << "No instances matched the selection.\n";
  }
  if (!r.sets.empty()) {
    o << Pad("INSTANCE", 20) << " " << Pad("SET (RUN)", 24) << " " << Pad("SET AGE", 8) << " " << Pad("VOLUMES", 7)
      << " " << Pad("AVAILABLE IN", 12) << " " << Pad("CHECK", 16) << " RESULT\n";
  }
  for (const auto& s : r.sets) {
    o << Pad(s.instance_id, 20) << " " << Pad(Dash(s.run_id), 24) << " "
      << Pad(s.set_age_seconds < 0 ? "-" : HumanAge(s.set_age_seconds), 8) << " "
      << Pad(std::to_string(s.volumes.size()), 7) << " "
      << Pad(s.seconds_to_available < 0 ? "-" : Seconds(s.seconds_to_available), 12) << " " << Pad(s.check, 16) << " "
      << Verdict(r, s) << (s.over_rto ? " (over --rto)" : "") << (s.scope.empty() ? "" : "  [" + s.scope + "]") << "\n";
    for (const auto& e : s.errors) o << "    error: " << FailureLine(e) << "\n";
  }
  for (const auto& id : r.not_found) o << "NOT FOUND: " << id << "\n";
  for (const auto& v : r.left_behind) o << "LEFT BEHIND: " << v << " (delete it by hand)\n";
  if (!r.swept.empty()) {
    o << "swept " << r.swept.size() << " volume(s) left by earlier drills older than --drill-timeout\n";
  }
  for (const auto& e : r.run_errors) o << "error: " << FailureLine(e) << "\n";
  WriteScopes(r, "set(s)", "failed", o);
  o << "\n";
  const int failed = r.FailedCount();
  if (r.dry_run) {
    o << r.sets.size() << " set(s) planned";
  } else {
    o << r.sets.size() << " set(s) drilled: " << (static_cast<int>(r.sets.size()) - failed) << " passed, " << failed
      << " failed";
  }
  if (r.selected > r.sets.size()) o << " (a sample of the " << r.selected << " selected)";
  if (const DrilledSet* s = Slowest(r)) {
    o << "; slowest " << s->instance_id << " " << Seconds(s->seconds_to_available) << " to available";
  }
  if (r.rto_seconds > 0) o << " (--rto " << HumanAge(r.rto_seconds) << ")";
  o << "; " << r.left_behind.size() << " volume(s) left behind" << RunErrorCount(r) << ", " << Seconds(r.seconds)
    << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  WriteReportingCalls(r, o);
}

namespace {

nlohmann::json SetJson(const DrilledSet& s) {
  nlohmann::json j = {{"instance_id", s.instance_id},
                      {"name", s.name},
                      {"run_id", s.run_id},
                      {"set_started_at", s.set_started_at},
                      {"set_age_seconds", s.set_age_seconds},
                      {"availability_zone", s.availability_zone},
                      {"seconds_to_available", s.seconds_to_available},
                      {"check", s.check},
                      {"check_seconds", s.check_seconds},
                      {"over_rto", s.over_rto},
                      {"ok", s.ok()}};
  if (!s.scope.empty()) j["scope"] = s.scope;
  j["volumes"] = nlohmann::json::array();
  for (const auto& v : s.volumes) {
    j["volumes"].push_back({{"device", v.device},
                            {"snapshot_id", v.snapshot_id},
                            {"volume_id", v.volume_id},
                            {"volume_type", v.volume_type},
                            {"state", v.state},
                            {"attached_device", v.attached_device}});
  }
  j["errors"] = nlohmann::json::array();
  for (const auto& e : s.errors) j["errors"].push_back(FailureJson(e));
  return j;
}

}  // namespace

void WriteJson(const DrillReport& r, std::ostream& o, int indent, bool failures_only) {
  nlohmann::json j;
  PutEnvelopeJson(r, "drill", r.ok(), &j);
  j["dry_run"] = r.dry_run;
  j["drill_id"] = r.drill_id;
  j["check_instance_id"] = r.check_instance_id;
  j["rto_seconds"] = r.rto_seconds;
  j["sets"] = nlohmann::json::array();
  for (const auto& s : r.sets) {
    if (!failures_only || !s.ok()) j["sets"].push_back(SetJson(s));
  }
  j["left_behind"] = r.left_behind;
  j["swept"] = r.swept;
  const DrilledSet* slowest = Slowest(r);
  const int failed = r.FailedCount();
  j["summary"] = {{"selected", r.selected},
                  {"sets", r.sets.size()},
                  {"passed", static_cast<int>(r.sets.size()) - failed},
                  {"failed", failed},
                  {"restore_seconds_max", slowest ? nlohmann::json(slowest->seconds_to_available) : nlohmann::json()},
                  {"slowest_instance_id", slowest ? slowest->instance_id : ""},
                  {"left_behind", r.left_behind.size()},
                  {"api_calls", r.api_calls},
                  {"throttled", r.throttled},
                  {"run_errors", r.run_errors.size()}};
  if (r.reporting_api_calls > 0) j["summary"]["reporting_api_calls"] = r.reporting_api_calls;
  o << DumpJson(j, indent);
}

std::vector<std::string> FailureSummary(const DrillReport& r, size_t max) {
  std::vector<std::string> out;
  if (r.cancelled) out.push_back("the drill was cancelled (" + r.cancel_reason + "): sets not yet restored were not");
  for (const auto& v : r.left_behind) out.push_back("LEFT BEHIND: volume " + v + " (delete it by hand)");
  for (const auto& id : r.not_found) out.push_back(id + ": not found");
  for (const auto& e : r.run_errors) out.push_back(FailureLine(e));
  size_t n = 0;
  for (const auto& s : r.sets) {
    if (s.ok() || ++n > max) continue;
    const std::string why = s.errors.empty() ? "no complete snapshot set" : FailureLine(s.errors.front());
    out.push_back(s.instance_id + (s.scope.empty() ? "" : " [" + s.scope + "]") + ": drill FAILED: " + why);
  }
  if (n > max) out.push_back("... and " + std::to_string(n - max) + " more failed set(s): see the report");
  return out;
}

std::string SubjectWords(const DrillReport& r, bool errors_only) {
  std::string words = std::string(errors_only ? "s3snapshot DRILL ERROR: " : "s3snapshot drill: ") +
                      std::to_string(r.sets.size()) + " sets, " + std::to_string(r.FailedCount()) + " failed";
  if (!r.left_behind.empty()) words += ", " + std::to_string(r.left_behind.size()) + " LEFT BEHIND";
  return words + RunErrorCount(r);
}

void WriteErrorHead(const DrillReport& r, std::ostream& o) {
  o << "s3snapshot drill " << Dash(r.drill_id) << " in " << r.region << " had failures.\n\n";
  for (const auto& line : FailureSummary(r, 1000)) o << line << "\n";
  o << "\nFull report:\n";
}

}  // namespace s3snapshot::report
