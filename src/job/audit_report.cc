#include "job/audit_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "job/json_stream.h"

namespace s3snapshot::job {

namespace {

std::string Pad(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string Where(const AuditVolume& v) {
  std::string s = (v.scope.empty() ? "" : v.scope + " ") + v.instance_id;
  if (!v.volume_id.empty()) s += " " + v.device + " " + v.volume_id;
  return s;
}

size_t InstanceCount(const Report& r) {
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

std::string HumanAge(long long seconds) {
  if (seconds < 0) return "?";
  long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, s = seconds % 60;
  char buf[48];
  if (d > 0) {
    snprintf(buf, sizeof(buf), h ? "%lldd%lldh" : "%lldd", d, h);
  } else if (h > 0) {
    snprintf(buf, sizeof(buf), m ? "%lldh%lldm" : "%lldh", h, m);
  } else if (m > 0) {
    snprintf(buf, sizeof(buf), "%lldm", m);
  } else {
    snprintf(buf, sizeof(buf), "%llds", s);
  }
  return buf;
}

std::string HumanAgeBeyond(long long seconds, long long limit) {
  std::string shown = HumanAge(seconds);
  long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  const long long shown_seconds = d > 0 ? d * 86400 + h * 3600 : h > 0 ? h * 3600 + m * 60 : m > 0 ? m * 60 : seconds;
  if (seconds <= limit || shown_seconds > limit) return shown;
  // Rounded down it would read as within the limit: every unit, to the second.
  std::string out;
  for (auto [n, unit] : {std::pair<long long, const char*>{d, "d"}, {h, "h"}, {m, "m"}, {seconds % 60, "s"}}) {
    if (n > 0) out += std::to_string(n) + unit;
  }
  return out;
}

void WriteAuditText(const Report& r, std::ostream& o) {
  o << "s3snapshot audit " << r.run_id << " in " << r.region;
  if (!r.account.empty()) o << " (account " << r.account << ")";
  o << "\npolicy: " << r.audit_policy << "\n";
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
    o << "error: " << e.step << ": " << (e.code.empty() ? "" : e.code + ": ") << e.message << "\n";
  }
  long long oldest = r.OldestNewestAgeSeconds();
  o << "\n"
    << InstanceCount(r) << " instance(s), " << r.volumes.size() << " volume(s), " << r.UnprotectedCount()
    << " unprotected" << RunErrorCount(r);
  if (oldest >= 0) o << ", oldest newest snapshot " << HumanAge(oldest);
  char secs[32];
  snprintf(secs, sizeof(secs), "%.1fs", r.seconds);
  o << ", " << secs << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  WriteReportingCalls(r, o);
}

void WriteAuditJson(const Report& r, std::ostream& o, int indent, bool findings_only) {
  using nlohmann::json;
  static const char kVolumes[] = "@s3snapshot-stream:volumes@";
  json j;
  PutCommonJson(r, "audit", &j);
  j["policy"] = r.audit_policy;
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

std::string AuditSubject(const Report& r, bool errors_only) {
  std::string s = errors_only ? "s3snapshot AUDIT: " + std::to_string(r.UnprotectedCount()) + " of " +
                                    std::to_string(r.volumes.size()) + " volumes unprotected"
                              : "s3snapshot audit: " + std::to_string(r.volumes.size()) + " volumes, " +
                                    std::to_string(r.UnprotectedCount()) + " unprotected";
  return s + RunErrorCount(r);
}

void WriteAuditFindings(const Report& r, std::ostream& o) {
  for (const auto& v : r.volumes) {
    for (const auto& f : v.findings) {
      o << Where(v) << (v.name.empty() ? "" : " (" + v.name + ")") << ": " << f.kind << ": " << f.message << "\n";
    }
  }
}

std::vector<std::string> AuditFindingSummary(const Report& r, size_t max) {
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

}  // namespace s3snapshot::job
