#include "job/report.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <streambuf>

#include "job/audit_report.h"
#include "job/json_stream.h"

namespace s3snapshot::job {

FailureRecord FailureFrom(const std::string& step, const core::Error& e) {
  return FailureRecord{step, e.code.empty() ? core::ErrorKindName(e.kind) : e.code, e.message, e.request_id};
}

FailureRecord Failure(const std::string& step, const std::string& code, const std::string& message) {
  return FailureRecord{step, code, message, ""};
}

nlohmann::json FailureJson(const FailureRecord& f) {
  return {{"step", f.step}, {"code", f.code}, {"message", f.message}, {"request_id", f.request_id}};
}

void PutCommonJson(const Report& r, const char* command, nlohmann::json* j) {
  nlohmann::json& o = *j;
  o["command"] = command;
  o["report_version"] = kReportVersion;
  o["run_id"] = r.run_id;
  o["region"] = r.region;
  if (!r.account.empty()) o["account"] = r.account;
  o["started_at"] = r.started_at;
  o["finished_at"] = r.finished_at;
  o["seconds"] = r.seconds;
  o["label"] = r.label;
  o["cancelled"] = r.cancelled;
  if (r.cancelled) o["cancel_reason"] = r.cancel_reason;
  o["selection_failed"] = r.selection_failed;
  o["ok"] = r.ok();
  o["not_found"] = r.not_found;
  o["not_matching_tags"] = r.not_matching_tags;
  o["errors"] = nlohmann::json::array();
  for (const auto& e : r.run_errors) o["errors"].push_back(FailureJson(e));
}

int Report::FailedCount() const {
  int n = 0;
  for (const auto& i : instances) n += i.ok() ? 0 : 1;
  return n + static_cast<int>(not_found.size());
}

int Report::SnapshotCount() const {
  int n = 0;
  for (const auto& i : instances) n += static_cast<int>(i.snapshots.size());
  return n;
}

int Report::UnprotectedCount() const {
  int n = 0;
  for (const auto& v : volumes) n += v.ok() ? 0 : 1;
  return n;
}

long long Report::OldestNewestAgeSeconds() const {
  long long oldest = -1;
  for (const auto& v : volumes) {
    if (!v.newest.snapshot_id.empty()) oldest = std::max(oldest, v.newest.age_seconds);
  }
  return oldest;
}

std::vector<std::string> Report::LeftStopped() const {
  std::vector<std::string> out;
  for (const auto& i : instances) {
    if (i.stopped_by_run && !i.restarted) out.push_back(i.instance_id);
  }
  return out;
}

std::vector<std::string> Report::NotThawed() const {
  std::vector<std::string> out;
  for (const auto& i : instances) {
    if (i.NotThawed()) out.push_back(i.instance_id);
  }
  return out;
}

namespace {

std::string Pad(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string Seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1fs", s);
  return buf;
}

// The AFTER column: EC2's state, except that an instance this run started
// again reads "starting" rather than "pending" (easily read as a snapshot's).
std::string AfterText(const InstanceReport& i) {
  if (i.state_after.empty()) return "-";
  if (i.stopped_by_run && i.state_after == "pending") return "starting";
  return i.state_after;
}

std::string FailureLine(const FailureRecord& f) {
  std::string s = f.step + ": ";
  if (!f.code.empty()) s += f.code + ": ";
  s += f.message;
  if (!f.request_id.empty()) s += " (request id " + f.request_id + ")";
  return s;
}

}  // namespace

Report MergeReports(std::vector<Report> parts, const std::vector<std::string>& scopes) {
  Report m;
  if (parts.empty()) return m;
  // Instance ids belong to one region: an id is "not found" only when no
  // scope found it.
  std::set<std::string> found;
  for (const auto& p : parts) {
    for (const auto& i : p.instances) found.insert(i.instance_id);
    for (const auto& id : p.not_matching_tags) found.insert(id);
  }
  m.run_id = parts[0].run_id;
  m.account = parts[0].account;
  m.started_at = parts[0].started_at;
  m.finished_at = parts[0].finished_at;
  m.dry_run = parts[0].dry_run;
  m.label = parts[0].label;
  m.api_calls = parts[0].api_calls;
  m.throttled = parts[0].throttled;
  m.audit = parts[0].audit;
  m.audit_policy = parts[0].audit_policy;
  for (size_t i = 0; i < parts.size(); ++i) {
    Report& p = parts[i];
    const std::string& scope = scopes[i];
    if (m.region.find(p.region) == std::string::npos) m.region += (m.region.empty() ? "" : ",") + p.region;
    for (auto& inst : p.instances) {
      inst.scope = scope;
      m.instances.push_back(std::move(inst));
    }
    std::vector<InstanceReport>().swap(p.instances);
    for (auto& v : p.volumes) {
      v.scope = scope;
      m.volumes.push_back(std::move(v));
    }
    std::vector<AuditVolume>().swap(p.volumes);
    for (auto& rr : p.retention) {
      rr.scope = scope;
      m.retention.push_back(std::move(rr));
    }
    for (auto& e : p.run_errors) {
      e.message = "[" + scope + "] " + e.message;
      m.run_errors.push_back(std::move(e));
    }
    for (const auto& id : p.not_matching_tags) m.not_matching_tags.push_back(id + " [" + scope + "]");
    for (auto c : p.earlier_copies) {
      c.scope = scope;
      m.earlier_copies.push_back(std::move(c));
    }
    m.seconds = std::max(m.seconds, p.seconds);
    m.cancelled = m.cancelled || p.cancelled;
    m.selection_failed = m.selection_failed || p.selection_failed;
    if (p.cancelled && m.cancel_reason.empty()) m.cancel_reason = p.cancel_reason;
    if (p.started_at < m.started_at) m.started_at = p.started_at;
    if (p.finished_at > m.finished_at) m.finished_at = p.finished_at;
  }
  for (const auto& p : parts) {
    for (const auto& id : p.not_found) {
      if (!found.count(id) && std::find(m.not_found.begin(), m.not_found.end(), id) == m.not_found.end()) {
        m.not_found.push_back(id);
      }
    }
  }
  return m;
}

std::string TruncateUtf8(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

namespace {

// A run error that made the selection fail (not an opt-out lookup, which
// snapshots every volume, nor an empty selection).
bool SelectionFailure(const Report& r, const FailureRecord& e) {
  return r.selection_failed && e.step == "select" && e.code != "NothingSelected";
}

}  // namespace

std::vector<std::string> FailureSummary(const Report& r, size_t max_instances) {
  std::vector<std::string> out;
  if (r.audit) {
    if (r.cancelled) out.push_back("the audit was cancelled (" + r.cancel_reason + "): some volumes are 'unknown'");
    for (const auto& e : r.run_errors) {
      out.push_back((SelectionFailure(r, e) ? "the selection failed, nothing was audited: " : "") + FailureLine(e));
    }
    for (auto& line : AuditFindingSummary(r, max_instances)) out.push_back(std::move(line));
    for (const auto& id : r.not_found) out.push_back(id + ": not found (or terminated)");
    return out;
  }
  if (r.cancelled) out.push_back("the run was cancelled (" + r.cancel_reason + "): work not started was skipped");
  for (const auto& e : r.run_errors) {
    out.push_back((SelectionFailure(r, e) ? "the selection failed, nothing was done: " : "") + FailureLine(e));
  }
  auto left = r.LeftStopped();
  if (!left.empty()) {
    std::string s = std::to_string(left.size()) + " instance(s) LEFT STOPPED (start them by hand):";
    for (const auto& id : left) s += " " + id;
    out.push_back(s);
  }
  auto frozen = r.NotThawed();
  if (!frozen.empty()) {
    std::string s = std::to_string(frozen.size()) + " instance(s) NOT THAWED (run the post-script on them by hand):";
    for (const auto& id : frozen) s += " " + id;
    out.push_back(s);
  }
  size_t failed = 0;
  for (const auto& i : r.instances) {
    if (i.ok()) continue;
    if (++failed > max_instances) continue;
    std::string who = (i.scope.empty() ? "" : i.scope + " ") + i.instance_id;
    out.push_back(who + ": " + FailureLine(i.errors.front()) +
                  (i.errors.size() > 1 ? " (+" + std::to_string(i.errors.size() - 1) + " more)" : ""));
  }
  for (const auto& id : r.not_found) {
    if (++failed <= max_instances) out.push_back(id + ": not found (or terminated)");
  }
  if (failed > max_instances) {
    out.push_back("... and " + std::to_string(failed - max_instances) + " more failed instance(s): see the report");
  }
  return out;
}

void WriteReportText(const Report& r, std::ostream& o) {
  if (r.audit) return WriteAuditText(r, o);
  o << (r.dry_run ? "s3snapshot dry run " : "s3snapshot run ") << r.run_id << " in " << r.region;
  if (!r.account.empty()) o << " (account " << r.account << ")";
  o << "\n";
  if (r.cancelled) o << "CANCELLED (" << r.cancel_reason << "): work not started was skipped\n";
  if (r.selection_failed) {
    o << "The selection failed: nothing was done" << (r.instances.empty() ? "" : " in some scopes") << ".\n";
  } else if (r.instances.empty() && r.not_found.empty()) {
    o << "No instances matched the selection.\n";
  }
  if (!r.instances.empty()) {
    o << Pad("INSTANCE", 21) << " " << Pad("NAME", 20) << " " << Pad("BEFORE", 8) << " " << Pad("ACTION", 22) << " "
      << Pad("AFTER", 8) << " RESULT\n";
  }
  std::string current_scope;
  for (const auto& i : r.instances) {
    if (!i.scope.empty() && i.scope != current_scope) {
      o << "[" << i.scope << "]\n";
      current_scope = i.scope;
    }
    std::string action;
    if (!i.skipped.empty()) {
      const std::string why = i.skipped.substr(0, i.skipped.find(':'));  // "recent", "excluded"
      action = (r.dry_run ? "would skip (" : "skipped (") + why + ")";
    } else if (r.dry_run) {
      action = i.would_stop        ? "would stop+snapshot"
               : !i.errors.empty() ? "skip"
               : i.scripts.used    ? "would script+snapshot"
                                   : "would snapshot";
    } else {
      action = i.stopped_by_run ? (i.restarted ? "stop,snapshot,start" : "stop,snapshot,NOT STARTED")
                                : (i.snapshotted ? "snapshot" : "-");
      if (i.scripts.pre.sends > 0 || i.scripts.thaw_owed) {
        action = std::string(i.scripts.pre.sends > 0 ? "pre," : "") + (i.snapshotted ? "snapshot" : "-") +
                 (i.scripts.thaw_owed ? (i.scripts.thawed ? ",post" : ",NOT THAWED") : "");
      }
    }
    std::string name = i.name.size() > 20 ? i.name.substr(0, 19) + "~" : i.name;
    o << Pad(i.instance_id, 21) << " " << Pad(name.empty() ? "-" : name, 20) << " " << Pad(i.state_before, 8) << " "
      << Pad(action, 22) << " " << Pad(AfterText(i), 8) << " "
      << (i.ok() ? (r.dry_run ? "planned" : "ok " + Seconds(i.seconds)) : "FAILED") << "\n";
    for (const auto& s : i.snapshots) {
      o << "    " << Pad(s.device, 12) << " " << Pad(s.volume_id, 22) << " "
        << (s.snapshot_id.empty() ? "(planned)" : s.snapshot_id);
      for (const auto& c : s.copies) {
        o << "  -> " << c.region << ":"
          << (!c.snapshot_id.empty() ? c.snapshot_id + (c.state == "completed" ? "" : " (" + c.state + ")")
              : c.state == "failed"  ? "FAILED"
                                     : "(" + c.state + ")");
      }
      o << "\n";
    }
    if (i.scripts.used && (!i.scripts.pre.status.empty() || !i.scripts.post.status.empty())) {
      auto run = [](const char* what, const ScriptRun& sr) {
        if (sr.status.empty()) return std::string();
        return std::string(" ") + what + " " + sr.status +
               (sr.exit_code >= 0 ? " (exit " + std::to_string(sr.exit_code) + ")" : "") +
               (sr.sends > 1 ? " (sent " + std::to_string(sr.sends) + " times)" : "");
      };
      const std::string pre = run("pre", i.scripts.pre), post = run("post", i.scripts.post);
      o << "    scripts:" << pre << (!pre.empty() && !post.empty() ? "," : "") << post;
      if (!i.scripts.consistency.empty()) o << "; " << i.scripts.consistency << "-consistent";
      o << "\n";
    }
    if (!i.skipped.empty()) o << "    skipped: " << i.skipped << "\n";
    for (const auto& e : i.errors) o << "    error: " << FailureLine(e) << "\n";
    for (const auto& w : i.warnings) o << "    warning: " << w << "\n";
  }
  for (const auto& id : r.not_found) {
    bool several = r.region.find(',') != std::string::npos;
    o << Pad(id, 21) << " not found (no such instance in " << (several ? "any selected region" : r.region)
      << ", or terminated): FAILED\n";
  }
  for (const auto& id : r.not_matching_tags) {
    o << Pad(id, 21) << " skipped: does not match the tags\n";
  }
  for (const auto& c : r.earlier_copies) {
    o << "copy of " << c.source_snapshot_id << " (" << c.instance_id << (c.scope.empty() ? "" : ", " + c.scope)
      << ") to " << c.region << ": " << c.state << (c.copy_id.empty() ? "" : " " + c.copy_id) << "\n";
  }
  int deleted = 0, would = 0, would_later = 0, in_use = 0;
  for (const auto& rr : r.retention) {
    if (rr.action == "kept" && rr.reason.rfind("in use", 0) != 0) continue;
    o << "retention: " << rr.action << (rr.once_set_completes ? " (once this run's set completes)" : "") << " "
      << rr.snapshot_id << " (" << rr.volume_id << (rr.instance_id.empty() ? "" : ", " + rr.instance_id) << ", "
      << rr.start_time << "): " << rr.reason << "\n";
    deleted += rr.action == "deleted";
    would += rr.action == "would delete";
    would_later += rr.once_set_completes;
    in_use += rr.action == "kept";
  }
  for (const auto& e : r.run_errors) o << "error: " << FailureLine(e) << "\n";
  o << "\n"
    << r.instances.size() << " instance(s), " << r.SnapshotCount() << " snapshot(s)" << (r.dry_run ? " planned" : "")
    << ", " << r.FailedCount() << " failed";
  auto left = r.LeftStopped();
  if (!left.empty()) {
    o << ", " << left.size() << " LEFT STOPPED:";
    for (const auto& id : left) o << " " << id;
  }
  auto frozen = r.NotThawed();
  if (!frozen.empty()) {
    o << ", " << frozen.size() << " NOT THAWED:";
    for (const auto& id : frozen) o << " " << id;
  }
  if (deleted > 0) o << ", " << deleted << " old snapshot(s) deleted";
  if (would > 0) {
    o << ", " << would << " old snapshot(s) would be deleted";
    if (would_later > 0) o << " (" << would_later << " once this run's set completes)";
  }
  if (in_use > 0) o << ", " << in_use << " kept (in use)";
  o << RunErrorCount(r) << ", " << Seconds(r.seconds) << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  WriteReportingCalls(r, o);
}

void WriteReportingCalls(const Report& r, std::ostream& o) {
  // Made after the report was concluded (the SNS message carries the count above).
  if (r.reporting_api_calls > 0) {
    o << "then " << r.reporting_api_calls << " API call(s) to notify and send metrics\n";
  }
}

std::string RunErrorCount(const Report& r) {
  if (r.run_errors.empty()) return "";
  return ", " + std::to_string(r.run_errors.size()) + " run error" + (r.run_errors.size() == 1 ? "" : "s");
}

namespace {

nlohmann::json InstanceJson(const InstanceReport& i) {
  using nlohmann::json;
  json ij = {{"scope", i.scope},
             {"instance_id", i.instance_id},
             {"name", i.name},
             {"state_before", i.state_before},
             {"state_after", i.state_after},
             {"stopped_by_run", i.stopped_by_run},
             {"restarted", i.restarted},
             {"would_stop", i.would_stop},
             {"snapshotted", i.snapshotted},
             {"seconds", i.seconds},
             {"skipped", i.skipped},
             {"ok", i.ok()}};
  ij["snapshots"] = json::array();
  for (const auto& s : i.snapshots) {
    json copies = json::array();
    for (const auto& c : s.copies) {
      copies.push_back(
          {{"region", c.region}, {"snapshot_id", c.snapshot_id}, {"state", c.state}, {"started", c.started}});
    }
    ij["snapshots"].push_back({{"snapshot_id", s.snapshot_id},
                               {"volume_id", s.volume_id},
                               {"device", s.device},
                               {"state", s.state},
                               {"copies", copies}});
  }
  ij["errors"] = json::array();
  for (const auto& e : i.errors) ij["errors"].push_back(FailureJson(e));
  ij["warnings"] = i.warnings;
  if (i.scripts.used) {
    auto run = [](const ScriptRun& s) -> json {
      if (s.status.empty()) return nullptr;
      return {{"command_id", s.command_id}, {"status", s.status}, {"exit_code", s.exit_code}, {"sends", s.sends}};
    };
    ij["scripts"] = {{"pre", run(i.scripts.pre)},
                     {"post", run(i.scripts.post)},
                     {"thaw_owed", i.scripts.thaw_owed},
                     {"thawed", i.scripts.thawed}};
  } else {
    ij["scripts"] = nullptr;
  }
  if (!i.scripts.consistency.empty()) {
    ij["consistency"] = i.scripts.consistency;
  } else if (!i.snapshotted) {
    ij["consistency"] = nullptr;
  } else {
    ij["consistency"] = i.stopped_by_run || i.state_before == "stopped" ? "stopped" : "crash";
  }
  return ij;
}

nlohmann::json RetentionJson(const RetentionRecord& rr) {
  return {{"scope", rr.scope},           {"snapshot_id", rr.snapshot_id},
          {"volume_id", rr.volume_id},   {"instance_id", rr.instance_id},
          {"start_time", rr.start_time}, {"action", rr.action},
          {"reason", rr.reason},         {"once_set_completes", rr.once_set_completes}};
}

}  // namespace

void WriteReportJson(const Report& r, std::ostream& o, int indent, bool failed_instances_only) {
  using nlohmann::json;
  if (r.audit) return WriteAuditJson(r, o, indent, failed_instances_only);
  // Everything but the two long arrays goes through one small document; the
  // arrays are streamed into the places its dump marks.
  static const char kInstances[] = "@s3snapshot-stream:instances@";
  static const char kRetention[] = "@s3snapshot-stream:retention@";
  json j;
  PutCommonJson(r, "snapshot", &j);
  j["dry_run"] = r.dry_run;
  j["summary"] = {{"instances", r.instances.size()}, {"snapshots", r.SnapshotCount()},   {"failed", r.FailedCount()},
                  {"left_stopped", r.LeftStopped()}, {"not_thawed", r.NotThawed()},      {"api_calls", r.api_calls},
                  {"throttled", r.throttled},        {"run_errors", r.run_errors.size()}};
  if (r.reporting_api_calls > 0) j["summary"]["reporting_api_calls"] = r.reporting_api_calls;
  auto keep_instance = [failed_instances_only](const InstanceReport& i) {
    return !failed_instances_only || !i.ok() || (i.stopped_by_run && !i.restarted) || i.NotThawed();
  };
  if (failed_instances_only) {
    size_t kept = static_cast<size_t>(std::count_if(r.instances.begin(), r.instances.end(), keep_instance));
    j["instances_omitted"] = r.instances.size() - kept;
  }
  j["instances"] = kInstances;
  j["retention"] = kRetention;
  j["earlier_copies"] = json::array();
  for (const auto& c : r.earlier_copies) {
    json cj = {{"instance_id", c.instance_id},
               {"source_snapshot_id", c.source_snapshot_id},
               {"region", c.region},
               {"copy_id", c.copy_id},
               {"state", c.state},
               {"started", c.started}};
    if (!c.scope.empty()) cj["scope"] = c.scope;
    j["earlier_copies"].push_back(cj);
  }
  // Keys are sorted: "instances" comes before "retention".
  WriteWithStreamedMembers(
      o, DumpJson(j, indent), indent,
      {{"instances", kInstances,
        [&](std::ostream& out) { WriteArray<InstanceReport>(out, r.instances, indent, InstanceJson, keep_instance); }},
       {"retention", kRetention, [&](std::ostream& out) {
          WriteArray<RetentionRecord>(out, r.retention, indent, RetentionJson,
                                      [](const RetentionRecord&) { return true; });
        }}});
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

std::string ReportSubject(const Report& r, bool errors_only) {
  std::string s;
  if (r.audit) {
    s = AuditSubject(r, errors_only);
  } else if (errors_only) {
    s = "s3snapshot ERROR: " + std::to_string(r.FailedCount()) + " failed" + RunErrorCount(r);
  } else {
    s = "s3snapshot: " + std::to_string(r.instances.size()) + " instances, " + std::to_string(r.SnapshotCount()) +
        " snapshots, " + std::to_string(r.FailedCount()) + " failed" + RunErrorCount(r);
  }
  s += " [" + r.region + "]";
  if (r.label.size() > 0 && s.size() + r.label.size() + 3 <= 100) s += " " + r.label;
  if (s.size() > 100) s = s.substr(0, 100);
  // SNS subjects: printable ASCII, no line breaks.
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return s;
}

namespace {

// Keeps the first `limit` bytes written to it and notes whether more came, so
// a message cut to SNS's size never needs the whole report as one string.
class BoundedBuf : public std::streambuf {
 public:
  explicit BoundedBuf(size_t limit) : limit_(limit) {}
  std::string& str() { return s_; }
  bool overflowed() const { return overflowed_; }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      char ch = traits_type::to_char_type(c);
      xsputn(&ch, 1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* p, std::streamsize n) override {
    size_t room = limit_ - s_.size();
    size_t take = std::min(room, static_cast<size_t>(n));
    s_.append(p, take);
    if (take < static_cast<size_t>(n)) overflowed_ = true;
    return n;
  }

 private:
  size_t limit_;
  std::string s_;
  bool overflowed_ = false;
};

}  // namespace

std::string ReportMessage(const Report& r, bool errors_only, size_t max_bytes) {
  BoundedBuf buf(max_bytes);
  std::ostream o(&buf);
  if (errors_only && r.audit) {
    o << "s3snapshot audit " << r.run_id << " in " << r.region << " found unprotected volumes or failed.\n\n";
    if (r.cancelled) o << "The audit was cancelled (" << r.cancel_reason << ").\n\n";
    WriteAuditFindings(r, o);
    for (const auto& id : r.not_found) o << id << ": not found (or terminated)\n";
    for (const auto& e : r.run_errors) o << "run: " << FailureLine(e) << "\n";
    o << "\nFull report:\n";
  } else if (errors_only) {
    o << "s3snapshot run " << r.run_id << " in " << r.region << " had failures.\n\n";
    if (r.cancelled) o << "The run was cancelled (" << r.cancel_reason << ").\n\n";
    for (const auto& i : r.instances) {
      for (const auto& e : i.errors) {
        o << i.instance_id << (i.name.empty() ? "" : " (" + i.name + ")") << ": " << FailureLine(e) << "\n";
      }
    }
    for (const auto& id : r.not_found) o << id << ": not found (or terminated)\n";
    for (const auto& e : r.run_errors) o << "run: " << FailureLine(e) << "\n";
    auto left = r.LeftStopped();
    if (!left.empty()) {
      o << "\nINSTANCES LEFT STOPPED (start them by hand):";
      for (const auto& id : left) o << " " << id;
      o << "\n";
    }
    auto frozen = r.NotThawed();
    if (!frozen.empty()) {
      o << "\nINSTANCES NOT THAWED (run the post-script on them by hand):";
      for (const auto& id : frozen) o << " " << id;
      o << "\n";
    }
    o << "\nFull report:\n";
  }
  WriteReportText(r, o);
  o.flush();
  std::string body = std::move(buf.str());
  if (buf.overflowed()) {
    std::string tail = "\n... (truncated; the full report is in the run's output)\n";
    body = TruncateUtf8(body, max_bytes - tail.size()) + tail;
  }
  return body;
}

}  // namespace s3snapshot::job
