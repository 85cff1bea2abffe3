#include "report/restore_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "report/json_stream.h"

namespace s3snapshot::report {

int RestoreReport::FailedCount() const {
  return static_cast<int>(
      std::count_if(volumes.begin(), volumes.end(), [](const RestoredVolume& v) { return !v.ok(); }));
}

RestoreReport MergeReports(std::vector<RestoreReport> parts, const std::vector<std::string>& scopes) {
  // A restore has one scope; a merge of one keeps it whole.
  RestoreReport m;
  for (size_t i = 0; i < parts.size(); ++i) {
    RestoreReport& p = parts[i];
    if (i == 0) {
      m.restore_id = p.restore_id;
      m.source_instance_id = p.source_instance_id;
      m.set_run_id = p.set_run_id;
      m.set_started_at = p.set_started_at;
      m.target_instance_id = p.target_instance_id;
      m.availability_zone = p.availability_zone;
      m.in_place = p.in_place;
      m.replaced = p.replaced;
      m.rolled_back = p.rolled_back;
      m.stopped_by_run = p.stopped_by_run;
      m.restarted = p.restarted;
    }
    for (auto& v : p.volumes) m.volumes.push_back(std::move(v));
    MergeEnvelope(std::move(static_cast<Envelope&>(p)), scopes[i], i == 0, &m);
  }
  return m;
}

namespace {

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

void WriteText(const RestoreReport& r, std::ostream& o) {
  o << (r.dry_run ? "s3snapshot restore plan " : "s3snapshot restore ") << Dash(r.restore_id) << " in " << r.region
    << "\n";
  if (r.cancelled) o << "CANCELLED (" << r.cancel_reason << "): volumes not yet made were not made\n";
  if (!r.set_run_id.empty()) {
    o << "set: run " << r.set_run_id << " of " << r.source_instance_id << " (snapshots started " << r.set_started_at
      << ")\n";
    if (r.in_place) {
      o << "in place: " << r.target_instance_id << " in " << Dash(r.availability_zone) << ": "
        << (r.replaced      ? "the restored volumes replaced the originals (kept, tagged s3snapshot:replaced-by)"
            : r.rolled_back ? "ROLLED BACK: every original volume is at its device again"
            : r.dry_run     ? "the restored volumes would replace the originals"
                            : "nothing was swapped")
        << (r.stopped_by_run ? (r.restarted ? "; stopped for it and started again" : "; LEFT STOPPED") : "") << "\n";
    } else {
      o << "target: " << (r.target_instance_id.empty() ? "no instance" : r.target_instance_id) << " in "
        << Dash(r.availability_zone) << " (side by side: no existing volume is detached, changed or deleted)\n";
    }
  }
  if (!r.volumes.empty()) {
    o << Pad("DEVICE", 12) << " " << Pad("SNAPSHOT", 22) << " " << Pad("VOLUME", 22) << " " << Pad("TYPE", 8) << " "
      << Pad("STATE", 10) << " ATTACHED AS\n";
  }
  for (const auto& v : r.volumes) {
    o << Pad(Dash(v.device), 12) << " " << Pad(v.snapshot_id, 22) << " "
      << Pad(v.volume_id.empty() ? (r.dry_run ? "(planned)" : "-") : v.volume_id, 22) << " "
      << Pad(Dash(v.volume_type), 8) << " " << Pad(Dash(v.state), 10) << " " << Dash(v.attached_device) << "\n";
    for (const auto& e : v.errors) o << "    error: " << FailureLine(e) << "\n";
  }
  for (const auto& e : r.run_errors) o << "error: " << FailureLine(e) << "\n";
  const size_t made = static_cast<size_t>(std::count_if(
      r.volumes.begin(), r.volumes.end(), [](const RestoredVolume& v) { return v.ok() && !v.volume_id.empty(); }));
  o << "\n";
  if (r.set_run_id.empty()) {
    o << "nothing restored";
  } else if (r.dry_run) {
    o << r.volumes.size() << " volume(s) planned";
  } else {
    o << made << " of " << r.volumes.size() << " volume(s) restored, " << r.FailedCount() << " failed";
  }
  o << RunErrorCount(r) << ", " << Seconds(r.seconds) << ", " << r.api_calls << " API calls";
  if (r.throttled > 0) o << " (" << r.throttled << " throttled)";
  o << "\n";
  if (!r.dry_run && !r.restore_id.empty() && !r.ok() && !r.volumes.empty()) {
    o << "To resume without making a second volume of any snapshot, run it again with --restore-id " << r.restore_id
      << "\n";
  }
  WriteReportingCalls(r, o);
}

namespace {

nlohmann::json VolumeJson(const RestoredVolume& v) {
  nlohmann::json j = {{"device", v.device},
                      {"source_volume_id", v.source_volume_id},
                      {"snapshot_id", v.snapshot_id},
                      {"volume_id", v.volume_id},
                      {"volume_type", v.volume_type},
                      {"state", v.state},
                      {"attached_device", v.attached_device},
                      {"created", v.created},
                      {"ok", v.ok()}};
  j["errors"] = nlohmann::json::array();
  for (const auto& e : v.errors) j["errors"].push_back(FailureJson(e));
  return j;
}

}  // namespace

void WriteJson(const RestoreReport& r, std::ostream& o, int indent, bool failures_only) {
  nlohmann::json j;
  PutEnvelopeJson(r, "restore", r.ok(), &j);
  j["dry_run"] = r.dry_run;
  j["restore_id"] = r.restore_id;
  j["source_instance_id"] = r.source_instance_id;
  j["set_run_id"] = r.set_run_id;
  j["set_started_at"] = r.set_started_at;
  j["target_instance_id"] = r.target_instance_id;
  j["availability_zone"] = r.availability_zone;
  j["in_place"] = r.in_place;
  if (r.in_place) {
    j["replaced"] = r.replaced;
    j["rolled_back"] = r.rolled_back;
    j["stopped_by_run"] = r.stopped_by_run;
    j["restarted"] = r.restarted;
  }
  j["volumes"] = nlohmann::json::array();
  for (const auto& v : r.volumes) {
    if (!failures_only || !v.ok()) j["volumes"].push_back(VolumeJson(v));
  }
  j["summary"] = {{"volumes", r.volumes.size()},
                  {"failed", r.FailedCount()},
                  {"api_calls", r.api_calls},
                  {"throttled", r.throttled},
                  {"run_errors", r.run_errors.size()}};
  if (r.reporting_api_calls > 0) j["summary"]["reporting_api_calls"] = r.reporting_api_calls;
  o << DumpJson(j, indent);
}

std::vector<std::string> FailureSummary(const RestoreReport& r, size_t max) {
  std::vector<std::string> out;
  if (r.cancelled) out.push_back("the restore was cancelled (" + r.cancel_reason + "): volumes not yet made were not");
  if (r.stopped_by_run && !r.restarted) out.push_back(r.target_instance_id + " LEFT STOPPED (start it by hand)");
  if (r.in_place && r.rolled_back) {
    out.push_back("ROLLED BACK: " + r.target_instance_id +
                  " has its original volumes again; the restored ones are kept");
  }
  for (const auto& e : r.run_errors) out.push_back(FailureLine(e));
  size_t n = 0;
  for (const auto& v : r.volumes) {
    if (v.ok() || ++n > max) continue;
    out.push_back(v.snapshot_id + " (" + Dash(v.device) + "): " + FailureLine(v.errors.front()));
  }
  if (n > max) out.push_back("... and " + std::to_string(n - max) + " more failed volume(s): see the report");
  if (!out.empty() && !r.restore_id.empty() && !r.dry_run && !r.volumes.empty()) {
    out.push_back("resume with --restore-id " + r.restore_id + " (no snapshot is restored twice)");
  }
  return out;
}

std::string SubjectWords(const RestoreReport& r, bool errors_only) {
  return std::string(errors_only ? "s3snapshot RESTORE ERROR: " : "s3snapshot restore: ") +
         std::to_string(r.volumes.size()) + " volumes of " + Dash(r.source_instance_id) + ", " +
         std::to_string(r.FailedCount()) + " failed" + RunErrorCount(r);
}

void WriteErrorHead(const RestoreReport& r, std::ostream& o) {
  o << "s3snapshot restore " << Dash(r.restore_id) << " in " << r.region << " had failures.\n\n";
  for (const auto& line : FailureSummary(r, 1000)) o << line << "\n";
  o << "\nFull report:\n";
}

}  // namespace s3snapshot::report
