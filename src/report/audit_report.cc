#include "report/audit_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "report/json_stream.h"

namespace s3snapshot::report {

namespace {

std::string Where(const AuditVolume& v) {
  std::string s = (v.scope.empty() ? "" : v.scope + " ") + v.instance_id;
  if (!v.volume_id.empty()) s += " " + v.device + " " + v.volume_id;
  return s;
}

size_t InstanceCount(const AuditReport& r) {
  std::set<std::string> ids;
  for (const auto& v : r.volumes) ids.insert(v.scope + "/" + v.instance_id);
  return ids.size();
}

nlohmann::json SnapshotJson(const AuditSnapshot& s) {
  if (s.snapshot_id.empty()) return nullptr;
  return {{"snapshot_id", s.snapshot_id},
          {"start_time", s.start_time},
          {"age_seconds", s.age_seconds},
          {"owner", s.owner},
          {"state", s.state}};
}

nlohmann::json VolumeJson(const AuditVolume& v) {
  using nlohmann::json;
  json j = {{"scope", v.scope},
            {"instance_id", v.instance_id},
            {"name", v.name},
            {"instance_state", v.instance_state},
            {"device", v.device},
            {"volume_id", v.volume_id},
            {"excluded", v.excluded},
            {"newest", SnapshotJson(v.newest)},
            {"ok", v.ok()}};
  j["copies"] = json::array();
  for (const auto& c : v.copies) j["copies"].push_back({{"region", c.region}, {"newest", SnapshotJson(c.newest)}});
  j["findings"] = json::array();
  for (const auto& f : v.findings) j["findings"].push_back({{"kind", f.kind}, {"message", f.message}});
  return j;
}

}  // namespace

int AuditReport::UnprotectedCount() const {
  int n = 0;
  for (const auto& v : volumes) n += v.ok() ? 0 : 1;
  return n;
}

long long AuditReport::OldestNewestAgeSeconds() const {
  long long oldest = -1;
  for (const auto& v : volumes) {
    if (!v.newest.snapshot_id.empty()) oldest = std::max(oldest, v.newest.age_seconds);
  }
  return oldest;
}

AuditReport MergeReports(std::vector<AuditReport> parts, const std::vector<std::string>& scopes) {
  AuditReport m;
  std::set<std::string> found;
  for (const auto& p : parts) {
    for (const auto& v : p.volumes) found.insert(v.instance_id);
    for (const auto& id : p.not_matching_tags) found.insert(id);
  }
  if (!parts.empty()) m.policy = parts[0].policy;
  for (size_t i = 0; i < parts.size(); ++i) {
    AuditReport& p = parts[i];
    const int volumes = static_cast<int>(p.volumes.size()), unprotected = p.UnprotectedCount();
    for (auto& v : p.volumes) {
      v.scope = scopes[i];
      m.volumes.push_back(std::move(v));
    }
    std::vector<AuditVolume>().swap(p.volumes);
    m.scopes.push_back(SummaryOf(p, scopes[i], volumes, unprotected));
    MergeEnvelope(std::move(static_cast<Envelope&>(p)), scopes[i], i == 0, &m);
  }
  DropFoundIds(found, &m);
  return m;
}

void WriteText(const AuditReport& r, std::ostream& o) {
  o << "s3snapshot audit " << r.run_id << " in " << r.region;
  o << AccountsText(r);
  o << "\npolicy: " << r.policy << "\n";
  if (r.cancelled) o << "CANCELLED (" << r.cancel_reason << "): volumes not looked at are 'unknown'\n";
  if (r.selection_failed) {
    o << "The selection failed: nothing was audited" << (r.volumes.empty() ? "" : " in some scopes") << ".\n";
  } else if (r.volumes.empty() && r.not_found.empty()) {
    o << "No instances matched the selection.\n";
  }
  if (!r.volumes.empty()) {
    o << Pad("INSTANCE", 21) << " " << Pad("NAME", 16) << " " << Pad("STATE", 8) << " " << Pad("DEVICE", 10) << " "
      << Pad("VOLUME", 22) << " " << Pad("NEWEST", 22) << " " << Pad("AGE", 6) << " " << Pad("OWNER", 10)
      << " RESULT\n";
  }
  std::string current_scope;
  for (const auto& v : r.volumes) {
    if (!v.scope.empty() && v.scope != current_scope) {
      o << "[" << v.scope << "]\n";
      current_scope = v.scope;
    }
    std::string name = v.name.size() > 16 ? v.name.substr(0, 15) + "~" : v.name;
    bool has = !v.newest.snapshot_id.empty();
    o << Pad(v.instance_id, 21) << " " << Pad(name.empty() ? "-" : name, 16) << " " << Pad(v.instance_state, 8) << " "
      << Pad(v.device.empty() ? "-" : v.device, 10) << " " << Pad(v.volume_id.empty() ? "-" : v.volume_id, 22) << " "
      << Pad(has ? v.newest.snapshot_id : "-", 22) << " " << Pad(has ? HumanAge(v.newest.age_seconds) : "-", 6) << " "
      << Pad(has ? v.newest.owner : "-", 10) << " "
      << (v.excluded ? "excluded (s3snapshot:exclude=true)"
          : v.ok()   ? "ok"
                     : "UNPROTECTED")
      << "\n";
    for (const auto& c : v.copies) {
      o << "    copy in " << c.region << ": "
        << (c.newest.snapshot_id.empty() ? "none"
                                         : c.newest.snapshot_id + " (" + HumanAge(c.newest.age_seconds) + " old)")
        << "\n";
    }
    for (const auto& f : v.findings) o << "    " << f.kind << ": " << f.message << "\n";
  }
  for (const auto& id : r.not_found) o << Pad(id, 21) << " not found (or terminated): FAILED\n";
  for (const auto& id : r.not_matching_tags) o << Pad(id, 21) << " skipped: does not match the tags\n";
  for (const auto& e : r.run_errors) {
    o << "error: " << StepName(e) << ": " << (e.code.empty() ? "" : e.code + ": ") << e.message << "\n";
  }
  WriteScopes(r, "volume(s)", "unprotected", o);
  long long oldest = r.OldestNewestAgeSeconds();
  o << "\n"
    << InstanceCount(r) << " instance(s), " << r.volumes.size() << " volume(s), " << r.UnprotectedCount()
    << " unprotected" << RunErrorCount(r);
  if (oldest >= 0) o << ", oldest newest snapshot " << HumanAge(oldest);
  o << ", " << Seconds(r.seconds) << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  WriteReportingCalls(r, o);
}

void WriteJson(const AuditReport& r, std::ostream& o, int indent, bool findings_only) {
  using nlohmann::json;
  static const char kVolumes[] = "@s3snapshot-stream:volumes@";
  json j;
  PutEnvelopeJson(r, "audit", r.ok(), &j);
  j["policy"] = r.policy;
  size_t findings = 0;
  for (const auto& v : r.volumes) findings += v.findings.size();
  j["summary"] = {{"instances", InstanceCount(r)},
                  {"volumes", r.volumes.size()},
                  {"unprotected", r.UnprotectedCount()},
                  {"findings", findings},
                  {"oldest_newest_age_seconds", r.OldestNewestAgeSeconds()},
                  {"api_calls", r.api_calls},
                  {"throttled", r.throttled},
                  {"run_errors", r.run_errors.size()}};
  if (r.reporting_api_calls > 0) j["summary"]["reporting_api_calls"] = r.reporting_api_calls;
  auto keep = [findings_only](const AuditVolume& v) { return !findings_only || !v.ok(); };
  if (findings_only) {
    j["volumes_omitted"] = static_cast<size_t>(
        std::count_if(r.volumes.begin(), r.volumes.end(), [](const AuditVolume& v) { return v.ok(); }));
  }
  j["volumes"] = kVolumes;
  WriteWithStreamedMembers(o, DumpJson(j, indent), indent, {{"volumes", kVolumes, [&](std::ostream& out) {
                                                               WriteArray<AuditVolume>(out, r.volumes, indent,
                                                                                       VolumeJson, keep);
                                                             }}});
}

std::string SubjectWords(const AuditReport& r, bool errors_only) {
  std::string s = errors_only ? "s3snapshot AUDIT: " + std::to_string(r.UnprotectedCount()) + " of " +
                                    std::to_string(r.volumes.size()) + " volumes unprotected"
                              : "s3snapshot audit: " + std::to_string(r.volumes.size()) + " volumes, " +
                                    std::to_string(r.UnprotectedCount()) + " unprotected";
  return s + RunErrorCount(r);
}

namespace {

void WriteFindings(const AuditReport& r, std::ostream& o) {
  for (const auto& v : r.volumes) {
    for (const auto& f : v.findings) {
      o << Where(v) << (v.name.empty() ? "" : " (" + v.name + ")") << ": " << f.kind << ": " << f.message << "\n";
    }
  }
}

std::vector<std::string> FindingSummary(const AuditReport& r, size_t max) {
  std::vector<std::string> out;
  size_t n = 0;
  for (const auto& v : r.volumes) {
    if (v.ok()) continue;
    if (++n > max) continue;
    const AuditFinding& f = v.findings.front();
    out.push_back("UNPROTECTED " + Where(v) + ": " + f.kind + ": " + f.message +
                  (v.findings.size() > 1 ? " (+" + std::to_string(v.findings.size() - 1) + " more)" : ""));
  }
  if (n > max) out.push_back("... and " + std::to_string(n - max) + " more unprotected volume(s): see the report");
  return out;
}

}  // namespace

std::vector<std::string> FailureSummary(const AuditReport& r, size_t max) {
  std::vector<std::string> out;
  if (r.cancelled) out.push_back("the audit was cancelled (" + r.cancel_reason + "): some volumes are 'unknown'");
  for (const auto& e : r.run_errors) {
    out.push_back((IsSelectionFailure(r, e) ? "the selection failed, nothing was audited: " : "") + FailureLine(e));
  }
  for (auto& line : FindingSummary(r, max)) out.push_back(std::move(line));
  for (const auto& id : r.not_found) out.push_back(id + ": not found (or terminated)");
  return out;
}

void WriteErrorHead(const AuditReport& r, std::ostream& o) {
  o << "s3snapshot audit " << r.run_id << " in " << r.region << " found unprotected volumes or failed.\n\n";
  if (r.cancelled) o << "The audit was cancelled (" << r.cancel_reason << ").\n\n";
  if (r.scopes.size() > 1) {  // an organization: each account's counts first, the failed ones first
    WriteScopes(r, "volume(s)", "unprotected", o, true);
    o << "\n";
  }
  WriteFindings(r, o);
  for (const auto& id : r.not_found) o << id << ": not found (or terminated)\n";
  for (const auto& e : r.run_errors) o << "run: " << FailureLine(e) << "\n";
  o << "\nFull report:\n";
}

}  // namespace s3snapshot::report
