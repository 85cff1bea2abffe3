#include "report/snapshot_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "report/json_stream.h"

namespace s3snapshot::report {

int SnapshotReport::FailedCount() const {
  int n = 0;
  for (const auto& i : instances) n += i.ok() ? 0 : 1;
  return n + static_cast<int>(not_found.size());
}

int SnapshotReport::SnapshotCount() const {
  int n = 0;
  for (const auto& i : instances) n += static_cast<int>(i.snapshots.size());
  return n;
}

std::vector<std::string> SnapshotReport::LeftStopped() const {
  std::vector<std::string> out;
  for (const auto& i : instances) {
    if (i.stopped_by_run && !i.restarted) out.push_back(i.instance_id);
  }
  return out;
}

std::vector<std::string> SnapshotReport::NotThawed() const {
  std::vector<std::string> out;
  for (const auto& i : instances) {
    if (i.NotThawed()) out.push_back(i.instance_id);
  }
  return out;
}

namespace {

// The AFTER column: EC2's state, except that an instance this run started
// again reads "starting" rather than "pending" (easily read as a snapshot's).
std::string AfterText(const InstanceReport& i) {
  if (i.state_after.empty()) return "-";
  if (i.stopped_by_run && i.state_after == "pending") return "starting";
  return i.state_after;
}

}  // namespace

SnapshotReport MergeReports(std::vector<SnapshotReport> parts, const std::vector<std::string>& scopes) {
  SnapshotReport m;
  std::set<std::string> found;
  for (const auto& p : parts) {
    for (const auto& i : p.instances) found.insert(i.instance_id);
    for (const auto& id : p.not_matching_tags) found.insert(id);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    SnapshotReport& p = parts[i];
    const std::string& scope = scopes[i];
    const int selected = static_cast<int>(p.instances.size()), failed = p.FailedCount();
    for (auto& inst : p.instances) {
      inst.scope = scope;
      m.instances.push_back(std::move(inst));
    }
    std::vector<InstanceReport>().swap(p.instances);
    for (auto& rr : p.retention) {
      rr.scope = scope;
      m.retention.push_back(std::move(rr));
    }
    for (auto& c : p.earlier_copies) {
      c.scope = scope;
      m.earlier_copies.push_back(std::move(c));
    }
    for (auto& v : p.drill_volumes_swept) m.drill_volumes_swept.push_back(std::move(v));
    for (auto& w : p.warnings) m.warnings.push_back((scopes[i].empty() ? "" : scopes[i] + ": ") + w);
    for (auto& v : p.drill_volumes_left) m.drill_volumes_left.push_back(v + " [" + scope + "]");
    m.scopes.push_back(SummaryOf(p, scope, selected, failed));
    MergeEnvelope(std::move(static_cast<Envelope&>(p)), scope, i == 0, &m);
  }
  DropFoundIds(found, &m);
  return m;
}

std::vector<std::string> FailureSummary(const SnapshotReport& r, size_t max_instances) {
  std::vector<std::string> out;
  if (r.cancelled) out.push_back("the run was cancelled (" + r.cancel_reason + "): work not started was skipped");
  for (const auto& e : r.run_errors) {
    out.push_back((IsSelectionFailure(r, e) ? "the selection failed, nothing was done: " : "") + FailureLine(e));
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

namespace {

// What the run's sweep of killed drills' volumes did (job/teardown.h).
void WriteDrillSweep(const SnapshotReport& r, std::ostream& o) {
  if (!r.drill_volumes_swept.empty()) {
    o << "deleted " << r.drill_volumes_swept.size()
      << " volume(s) left by earlier drills (older than --drill-timeout)\n";
  }
  for (const auto& v : r.drill_volumes_left) o << "warning: drill volume " << v << " could not be deleted\n";
}

// The retention lines worth reading (deletions, plans, what was kept in use
// or locked); returns their part of the summary line.
std::string WriteRetention(const SnapshotReport& r, std::ostream& o) {
  int deleted = 0, would = 0, would_later = 0, in_use = 0, locked = 0;
  for (const auto& rr : r.retention) {
    const bool is_locked = rr.action == "kept" && rr.reason.rfind("locked", 0) == 0;
    if (rr.action == "kept" && rr.reason.rfind("in use", 0) != 0 && !is_locked) continue;
    o << "retention: " << rr.action << (rr.once_set_completes ? " (once this run's set completes)" : "") << " "
      << rr.snapshot_id << " (" << rr.volume_id << (rr.instance_id.empty() ? "" : ", " + rr.instance_id) << ", "
      << rr.start_time << "): " << rr.reason << "\n";
    deleted += rr.action == "deleted";
    would += rr.action == "would delete";
    would_later += rr.once_set_completes;
    in_use += rr.action == "kept" && !is_locked;
    locked += is_locked;
  }
  std::string out;
  if (deleted > 0) out += ", " + std::to_string(deleted) + " old snapshot(s) deleted";
  if (would > 0) {
    out += ", " + std::to_string(would) + " old snapshot(s) would be deleted";
    if (would_later > 0) out += " (" + std::to_string(would_later) + " once this run's set completes)";
  }
  if (in_use > 0) out += ", " + std::to_string(in_use) + " kept (in use)";
  if (locked > 0) out += ", " + std::to_string(locked) + " kept (locked)";
  return out;
}

}  // namespace

void WriteText(const SnapshotReport& r, std::ostream& o) {
  o << (r.dry_run ? "s3snapshot dry run " : "s3snapshot run ") << r.run_id << " in " << r.region;
  o << AccountsText(r);
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
        << (s.snapshot_id.empty() ? "(planned)" : s.snapshot_id) << (s.lock.empty() ? "" : " [" + s.lock + "]");
      for (const auto& c : s.copies) {
        o << "  -> " << c.region << ":"
          << (!c.snapshot_id.empty() ? c.snapshot_id + (c.state == "completed" ? "" : " (" + c.state + ")")
              : c.state == "failed"  ? "FAILED"
                                     : "(" + c.state + ")")
          << (c.late ? " LATE" : "") << (c.lock.empty() ? "" : " [" + c.lock + "]");
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
      << ") to " << c.region << ": " << c.state << (c.copy_id.empty() ? "" : " " + c.copy_id)
      << (c.late ? " LATE (past the time EC2 promised)" : "") << (c.lock.empty() ? "" : " [" + c.lock + "]") << "\n";
  }
  const std::string retention = WriteRetention(r, o);
  WriteDrillSweep(r, o);
  for (const auto& w : r.warnings) o << "warning: " << w << "\n";
  for (const auto& e : r.run_errors) o << "error: " << FailureLine(e) << "\n";
  WriteScopes(r, "instance(s)", "failed", o);
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
  o << retention;
  o << RunErrorCount(r) << ", " << Seconds(r.seconds) << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  WriteReportingCalls(r, o);
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
      copies.push_back({{"region", c.region},
                        {"snapshot_id", c.snapshot_id},
                        {"state", c.state},
                        {"started", c.started},
                        {"lock", c.lock},
                        {"late", c.late}});
    }
    ij["snapshots"].push_back({{"snapshot_id", s.snapshot_id},
                               {"volume_id", s.volume_id},
                               {"device", s.device},
                               {"state", s.state},
                               {"copies", copies},
                               {"lock", s.lock}});
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

void WriteJson(const SnapshotReport& r, std::ostream& o, int indent, bool failed_instances_only) {
  using nlohmann::json;
  // Everything but the two long arrays goes through one small document; the
  // arrays are streamed into the places its dump marks.
  static const char kInstances[] = "@s3snapshot-stream:instances@";
  static const char kRetention[] = "@s3snapshot-stream:retention@";
  json j;
  PutEnvelopeJson(r, "snapshot", r.ok(), &j);
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
               {"started", c.started},
               {"lock", c.lock},
               {"late", c.late}};
    if (!c.scope.empty()) cj["scope"] = c.scope;
    j["earlier_copies"].push_back(cj);
  }
  j["warnings"] = r.warnings;
  j["drill_volumes_swept"] = r.drill_volumes_swept;
  j["drill_volumes_left"] = r.drill_volumes_left;
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

std::string SubjectWords(const SnapshotReport& r, bool errors_only) {
  if (errors_only) return "s3snapshot ERROR: " + std::to_string(r.FailedCount()) + " failed" + RunErrorCount(r);
  return "s3snapshot: " + std::to_string(r.instances.size()) + " instances, " + std::to_string(r.SnapshotCount()) +
         " snapshots, " + std::to_string(r.FailedCount()) + " failed" + RunErrorCount(r);
}

void WriteErrorHead(const SnapshotReport& r, std::ostream& o) {
  // What needs hands first, then (an organization) each account's counts
  // with the failed ones first, then the failures: at most
  // kHeadFailureLines, so that an organization's message stays readable and
  // within SNS's limit.
  o << "s3snapshot run " << r.run_id << " in " << r.region << " had failures.\n\n";
  if (r.cancelled) o << "The run was cancelled (" << r.cancel_reason << ").\n\n";
  auto left = r.LeftStopped();
  if (!left.empty()) {
    o << "INSTANCES LEFT STOPPED (start them by hand):";
    for (const auto& id : left) o << " " << id;
    o << "\n\n";
  }
  auto frozen = r.NotThawed();
  if (!frozen.empty()) {
    o << "INSTANCES NOT THAWED (run the post-script on them by hand):";
    for (const auto& id : frozen) o << " " << id;
    o << "\n\n";
  }
  if (r.scopes.size() > 1) {
    WriteScopes(r, "instance(s)", "failed", o, true);
    o << "\n";
  }
  std::vector<std::string> lines;
  for (const auto& i : r.instances) {
    for (const auto& e : i.errors) {
      lines.push_back((i.scope.empty() ? "" : i.scope + " ") + i.instance_id +
                      (i.name.empty() ? "" : " (" + i.name + ")") + ": " + FailureLine(e));
    }
  }
  for (const auto& id : r.not_found) lines.push_back(id + ": not found (or terminated)");
  for (const auto& e : r.run_errors) lines.push_back("run: " + FailureLine(e));
  WriteBoundedLines(lines, kHeadFailureLines, "failure(s)", o);
  o << "\nFull report:\n";
}

}  // namespace s3snapshot::report
