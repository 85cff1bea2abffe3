#include "report/metrics.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace s3snapshot::report {

namespace {

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string Number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// Prometheus label values: backslash, double quote and line feed escaped.
std::string LabelValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool IsCreateFailure(const FailureRecord& f) {
  if (f.code == "Cancelled") return false;  // never begun: not a failed create
  return f.step == Step::kSnapshot || f.step == Step::kWait || f.step == Step::kEarlierSnapshot;
}

struct Counts {
  std::map<std::string, double> v;
  void Add(const std::string& name, double d = 1) { v[name] += d; }
};

}  // namespace

const std::vector<MetricInfo>& MetricCatalog() {
  static const std::vector<MetricInfo> kCatalog = {
      {"InstancesSelected", "Count", "instances the run selected", true, true, true},
      {"InstancesFailed", "Count", "selected instances with a failure, and requested ids not found", true, false,
       false},
      {"InstancesLeftStopped", "Count", "instances this run stopped and could not start again (must be 0)", true, false,
       false},
      {"InstancesNotThawed", "Count", "instances owed a post-script that never succeeded, maybe frozen (must be 0)",
       true, false, false},
      {"SnapshotsCreateStarted", "Count", "snapshots this run's CreateSnapshots calls began", true, false, false},
      {"SnapshotsCreateCompleted", "Count", "of those, completed when the run ended (with --wait: all that did)", true,
       false, false},
      {"SnapshotsCreateFailed", "Count",
       "failed CreateSnapshots calls, and snapshots that ended in error or were still pending at --wait-timeout", true,
       false, false},
      {"SnapshotsDeleteCompleted", "Count", "snapshots retention deleted", true, false, false},
      {"SnapshotsDeleteFailed", "Count", "snapshots retention could not delete", true, false, false},
      {"SnapshotsCopiedRegionStarted", "Count", "CopySnapshot calls this run made (one copy per source and region)",
       true, false, false},
      {"SnapshotsCopiedRegionCompleted", "Count", "copies the run saw completed", true, false, false},
      {"SnapshotsCopiedRegionFailed", "Count", "copies that failed or ended in error", true, false, false},
      {"SnapshotsCopiedRegionLate", "Count",
       "time-based copies (--copy-completion-minutes) still pending past the time EC2 promised", true, false, false},
      {"SnapshotsLocked", "Count", "new snapshots and copies this run locked (--lock-mode)", true, false, false},
      {"SnapshotsLockFailed", "Count", "new snapshots and copies this run could not lock (must be 0)", true, false,
       false},
      {"VolumesAudited", "Count", "volumes the audit looked at", false, true, false},
      {"VolumesUnprotected", "Count", "audited volumes with a finding (missing, too old, error, ...): must be 0", false,
       true, false},
      {"OldestNewestSnapshotAgeSeconds", "Seconds",
       "the age of the oldest among the volumes' newest completed snapshots: the fleet's worst recovery point "
       "(absent when no volume has one)",
       false, true, false},
      {"DrillsSucceeded", "Count", "snapshot sets a drill restored (and checked) within --rto", false, false, true},
      {"DrillsFailed", "Count", "drilled sets that did not restore, failed their check or exceeded --rto", false, false,
       true},
      {"RestoreSecondsMax", "Seconds", "the slowest drilled set's time to available (absent when none was available)",
       false, false, true},
      {"DrillVolumesLeftBehind", "Count", "volumes a drill made and could not delete (must be 0)", false, false, true},
      {"RunErrors", "Count", "run-level failures (selection, lookups, notifications)", true, true, true},
      {"ApiCalls", "Count", "requests sent (first scope only: run-wide)", true, true, true},
      {"ApiThrottled", "Count", "requests answered with throttling (first scope only: run-wide)", true, true, true},
      {"RunSeconds", "Seconds", "how long the run took (first scope only: run-wide)", true, true, true},
  };
  return kCatalog;
}

namespace {

using ScopeCounts = std::map<std::string, Counts>;  // by the scope label rows carry

void CountRows(const SnapshotReport& r, ScopeCounts* by_scope, std::map<std::string, double>*) {
  for (const auto& i : r.instances) {
    Counts& c = (*by_scope)[i.scope];
    c.Add("InstancesSelected");
    if (!i.ok()) c.Add("InstancesFailed");
    if (i.stopped_by_run && !i.restarted) c.Add("InstancesLeftStopped");
    if (i.NotThawed()) c.Add("InstancesNotThawed");
    for (const auto& s : i.snapshots) {
      if (s.snapshot_id.empty()) continue;
      c.Add("SnapshotsCreateStarted");
      if (s.state == "completed") c.Add("SnapshotsCreateCompleted");
      if (s.state == "error") c.Add("SnapshotsCreateFailed");
      if (!s.lock.empty()) c.Add(s.lock == kNotLocked ? "SnapshotsLockFailed" : "SnapshotsLocked");
      for (const auto& cp : s.copies) {
        if (cp.late) c.Add("SnapshotsCopiedRegionLate");
        if (!cp.lock.empty()) c.Add(cp.lock == kNotLocked ? "SnapshotsLockFailed" : "SnapshotsLocked");
        if (cp.started) c.Add("SnapshotsCopiedRegionStarted");
        if (cp.state == "completed") c.Add("SnapshotsCopiedRegionCompleted");
        if (cp.state == "failed" || cp.state == "error") c.Add("SnapshotsCopiedRegionFailed");
      }
    }
    for (const auto& e : i.errors) {
      // A snapshot in 'error' is counted above, from its state, and by its wait failure: once.
      if (IsCreateFailure(e) && !(e.step == Step::kWait && e.code == "SnapshotError")) c.Add("SnapshotsCreateFailed");
    }
  }
  for (const auto& c : r.earlier_copies) {
    Counts& k = (*by_scope)[c.scope];
    if (c.started) k.Add("SnapshotsCopiedRegionStarted");
    if (c.late) k.Add("SnapshotsCopiedRegionLate");
    if (!c.lock.empty()) k.Add(c.lock == kNotLocked ? "SnapshotsLockFailed" : "SnapshotsLocked");
    if (c.state == "completed") k.Add("SnapshotsCopiedRegionCompleted");
    if (c.state == "failed" || c.state == "error") k.Add("SnapshotsCopiedRegionFailed");
  }
  for (const auto& rr : r.retention) {
    if (rr.action == "deleted") (*by_scope)[rr.scope].Add("SnapshotsDeleteCompleted");
    if (rr.action == "failed") (*by_scope)[rr.scope].Add("SnapshotsDeleteFailed");
  }
}

void CountRows(const AuditReport& r, ScopeCounts* by_scope, std::map<std::string, double>* oldest) {
  std::map<std::string, std::set<std::string>> audited_instances;
  for (const auto& v : r.volumes) {
    Counts& c = (*by_scope)[v.scope];
    audited_instances[v.scope].insert(v.instance_id);
    if (!v.volume_id.empty()) c.Add("VolumesAudited");
    if (!v.ok()) c.Add("VolumesUnprotected");
    if (!v.newest.snapshot_id.empty()) {
      const auto age = static_cast<double>(v.newest.age_seconds);
      auto [it, fresh] = oldest->emplace(v.scope, age);
      if (!fresh && age > it->second) it->second = age;
    }
  }
  for (const auto& [scope, ids] : audited_instances) (*by_scope)[scope].v["InstancesSelected"] = ids.size();
}

// A restore is no scheduled job: it has no metrics of its own.
void CountRows(const RestoreReport&, ScopeCounts*, std::map<std::string, double>*) {}

void CountRows(const DrillReport& r, ScopeCounts* by_scope, std::map<std::string, double>* slowest) {
  for (const auto& s : r.sets) {
    Counts& c = (*by_scope)[s.scope];
    c.Add("InstancesSelected");
    c.Add(s.ok() ? "DrillsSucceeded" : "DrillsFailed");
    if (s.seconds_to_available < 0) continue;
    auto [it, fresh] = slowest->emplace(s.scope, s.seconds_to_available);
    if (!fresh && s.seconds_to_available > it->second) it->second = s.seconds_to_available;
  }
  // "ID [SCOPE]" in a merged report.
  for (const auto& v : r.left_behind) {
    const size_t open = v.find(" [");
    (*by_scope)[open == std::string::npos ? "" : v.substr(open + 2, v.size() - open - 3)].Add("DrillVolumesLeftBehind");
  }
}

}  // namespace

std::vector<MetricScope> RunMetrics(const Report& report, const std::string& account) {
  const Envelope& r = EnvelopeOf(report);
  if (std::holds_alternative<RestoreReport>(report)) return {};
  const bool audit = std::holds_alternative<AuditReport>(report);
  const bool drill = std::holds_alternative<DrillReport>(report);
  std::vector<std::string> regions = Split(r.region), accounts = Split(r.account);
  const bool several = regions.size() > 1 || accounts.size() > 1;
  if (accounts.empty()) accounts = {""};
  // The scope labels the report gives its rows ("ACCOUNT/REGION", "REGION"
  // or, for one scope, ""), in the order the scopes ran.
  std::vector<std::pair<std::string, MetricScope>> scopes;
  for (const auto& a : accounts) {
    for (const auto& g : regions) {
      std::string label = several ? (a.empty() ? g : a + "/" + g) : "";
      scopes.push_back({label, MetricScope{g, a.empty() ? account : a, {}}});
    }
  }
  ScopeCounts by_scope;
  std::map<std::string, double> oldest;  // per scope: the oldest newest snapshot's age, the slowest drilled set
  std::visit([&](const auto& x) { CountRows(x, &by_scope, &oldest); }, report);
  // Run errors carry their scope as a "[SCOPE] " prefix when there are several.
  for (const auto& e : r.run_errors) {
    std::string scope;
    if (several && e.message.size() > 2 && e.message[0] == '[') scope = e.message.substr(1, e.message.find(']') - 1);
    by_scope[scope].Add("RunErrors");
  }
  if (!r.not_found.empty()) by_scope[several ? scopes.front().first : ""].Add("InstancesFailed", r.not_found.size());

  std::vector<MetricScope> out;
  for (size_t n = 0; n < scopes.size(); ++n) {
    auto& [label, scope] = scopes[n];
    const Counts& c = by_scope[label];
    for (const auto& m : MetricCatalog()) {
      if (!(drill ? m.drill : audit ? m.audit : m.snapshot_run)) continue;
      const std::string name = m.name;
      double value = 0;
      if (name == "ApiCalls" || name == "ApiThrottled" || name == "RunSeconds") {
        if (n != 0) continue;
        value = name == "ApiCalls" ? r.api_calls : name == "ApiThrottled" ? r.throttled : r.seconds;
      } else if (name == "OldestNewestSnapshotAgeSeconds" || name == "RestoreSecondsMax") {
        auto it = oldest.find(label);
        if (it == oldest.end()) continue;
        value = it->second;
      } else {
        auto it = c.v.find(name);
        value = it == c.v.end() ? 0 : it->second;
      }
      scope.metrics.push_back({name, m.unit, value});
    }
    out.push_back(std::move(scope));
  }
  return out;
}

std::optional<MetricScope> OrganizationTotals(const std::vector<MetricScope>& scopes) {
  if (scopes.size() < 2) return std::nullopt;
  MetricScope total;
  std::map<std::string, size_t> at;  // name -> index in total.metrics, in the first-seen order
  for (const auto& s : scopes) {
    for (const auto& m : s.metrics) {
      auto [it, added] = at.emplace(m.name, total.metrics.size());
      if (added) {
        total.metrics.push_back(m);
      } else if (m.unit == "Seconds") {
        total.metrics[it->second].value = std::max(total.metrics[it->second].value, m.value);
      } else {
        total.metrics[it->second].value += m.value;
      }
    }
  }
  return total;
}

namespace {

// One EMF line: a scope's metrics with Region and Account, or (`totals`)
// the organization's without them.
std::string EmfLine(const MetricScope& s, bool totals, const Report& report, long long timestamp_ms) {
  using nlohmann::json;
  const Envelope& r = EnvelopeOf(report);
  json dims = totals ? json::array({json::array()}) : json::array({json::array({"Region", "Account"})});
  if (!r.label.empty()) dims.push_back(totals ? json::array({"Label"}) : json::array({"Region", "Account", "Label"}));
  json metrics = json::array();
  json line;
  for (const auto& m : s.metrics) {
    metrics.push_back({{"Name", m.name}, {"Unit", m.unit}});
    line[m.name] = m.value;
  }
  line["_aws"] = {{"Timestamp", timestamp_ms},
                  {"CloudWatchMetrics",
                   json::array({{{"Namespace", kMetricNamespace}, {"Dimensions", dims}, {"Metrics", metrics}}})}};
  if (!totals) {
    line["Region"] = s.region;
    line["Account"] = s.account;
  }
  if (!r.label.empty()) line["Label"] = r.label;
  line["command"] = CommandName(report);
  line["run_id"] = r.run_id;
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string EmfLines(const std::vector<MetricScope>& scopes, const Report& report, long long timestamp_ms) {
  std::string out;
  for (const auto& s : scopes) out += EmfLine(s, false, report, timestamp_ms);
  if (auto total = OrganizationTotals(scopes)) out += EmfLine(*total, true, report, timestamp_ms);
  return out;
}

std::string SnakeCase(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string RunLabels(const Report& r) {
  return std::string("command=\"") + CommandName(r) + "\",label=\"" + LabelValue(EnvelopeOf(r).label) + "\"";
}

}  // namespace

std::string PrometheusText(const std::vector<MetricScope>& scopes, const Report& r, double now_seconds,
                           std::optional<double> previous_success) {
  std::string out;
  const std::string run = RunLabels(r);
  for (const auto& info : MetricCatalog()) {
    std::string family = "s3snapshot_" + SnakeCase(info.name);
    std::string lines;
    for (const auto& s : scopes) {
      for (const auto& m : s.metrics) {
        if (m.name != info.name) continue;
        lines += family + "{" + run + ",region=\"" + LabelValue(s.region) + "\",account=\"" + LabelValue(s.account) +
                 "\"} " + Number(m.value) + "\n";
      }
    }
    if (lines.empty()) continue;
    out += "# HELP " + family + " " + info.help + (std::string(info.unit) == "Seconds" ? " (seconds)" : "") + "\n";
    out += "# TYPE " + family + " gauge\n" + lines;
  }
  auto gauge = [&](const std::string& name, const std::string& help, double v) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + "{" + run + "} " + Number(v) + "\n";
  };
  gauge("s3snapshot_last_run_timestamp_seconds", "when the last run ended (Unix time)", now_seconds);
  gauge("s3snapshot_last_run_success", "1 when the last run had no failure (audit: no finding), else 0",
        ReportOk(r) ? 1 : 0);
  std::optional<double> success = ReportOk(r) ? std::optional<double>(now_seconds) : previous_success;
  if (success) {
    gauge("s3snapshot_last_success_timestamp_seconds", "when the last successful run ended (Unix time)", *success);
  }
  return out;
}

std::optional<double> PreviousSuccess(const std::string& text, const Report& r) {
  const std::string want = "s3snapshot_last_success_timestamp_seconds{" + RunLabels(r) + "} ";
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (line.rfind(want, 0) != 0) continue;
    try {
      size_t used = 0;
      std::string value = line.substr(want.size());
      double v = std::stod(value, &used);
      if (used == value.size() && std::isfinite(v)) return v;
    } catch (...) {
    }
  }
  return std::nullopt;
}

}  // namespace s3snapshot::report
