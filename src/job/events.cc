#include "job/events.h"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/chunks.h"
#include "job/copier.h"
#include "job/retention.h"
#include "job/tags.h"

namespace s3snapshot::job {

using report::Failure;
using report::FailureFrom;
using report::Step;

using core::Error;
using core::ErrorKind;
using core::LogLevel;
using nlohmann::json;

namespace {

Error Invalid(const std::string& m) { return Error::Make(ErrorKind::kInvalidInput, "event: " + m, "InvalidEvent"); }

// "arn:aws:ec2::us-east-1:snapshot/snap-0123" -> "snap-0123"; a bare id stays.
std::string IdOf(const std::string& arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool LooksLikeEvent(const std::string& payload) {
  json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("detail-type") && j.contains("source");
}

core::Result<std::optional<SnapshotEvent>> ParseSnapshotEvent(const std::string& payload) {
  json j = json::parse(payload, nullptr, false);
  if (!j.is_object()) return Invalid("not a JSON object");
  SnapshotEvent e;
  e.detail_type = Str(j, "detail-type");
  if (Str(j, "source") != "aws.ec2" || (e.detail_type != "EBS Multi-Volume Snapshots Completion Status" &&
                                        e.detail_type != "EBS Snapshot Notification")) {
    return std::optional<SnapshotEvent>();
  }
  auto detail = j.find("detail");
  if (detail == j.end() || !detail->is_object())
    return Invalid("\"" + e.detail_type + "\" without a \"detail\" object");
  e.event = Str(*detail, "event");
  if (e.event != "createSnapshots" && e.event != "createSnapshot" && e.event != "copySnapshot") {
    return std::optional<SnapshotEvent>();
  }
  std::string result = Str(*detail, "result");
  if (result != "succeeded" && result != "failed") {
    return Invalid("detail.result is \"" + result + "\", not succeeded or failed");
  }
  e.succeeded = result == "succeeded";
  e.cause = Str(*detail, "cause");
  e.region = Str(j, "region");
  if (e.region.empty()) return Invalid("no \"region\"");
  if (e.event == "createSnapshots") {
    auto snaps = detail->find("snapshots");
    if (snaps == detail->end() || !snaps->is_array() || snaps->empty()) {
      return Invalid("createSnapshots without a \"detail.snapshots\" list");
    }
    for (const auto& s : *snaps) {
      if (!s.is_object() || Str(s, "snapshot_id").empty())
        return Invalid("a detail.snapshots item without snapshot_id");
      e.snapshots.push_back({IdOf(Str(s, "snapshot_id")), IdOf(Str(s, "source")), Str(s, "status")});
    }
  } else {
    std::string id = IdOf(Str(*detail, "snapshot_id"));
    if (id.empty()) return Invalid(e.event + " without detail.snapshot_id");
    e.snapshots.push_back({id, IdOf(Str(*detail, "source")), result});
  }
  for (const auto& s : e.snapshots) {
    if (s.snapshot_id.rfind("snap-", 0) != 0) return Invalid("\"" + s.snapshot_id + "\" is not a snapshot id");
  }
  return std::optional<SnapshotEvent>(std::move(e));
}

report::SnapshotReport HandleSnapshotEvent(const SnapshotEvent& event, const spec::JobSpec& spec,
                                           const JobContext& ctx) {
  report::SnapshotReport report;
  report.run_id = ctx.run_id;
  report.region = event.region;
  report.label = spec.label;
  report.started_at = core::FormatIso8601(ctx.clock->Now());
  // Look the snapshots up: only the tool's own are acted on.
  std::vector<std::string> ids;
  for (const auto& s : event.snapshots) ids.push_back(s.snapshot_id);
  auto found = aws::DescribeOwnSnapshots(*ctx.ec2, {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}},
                                         "snapshot-id", ids);
  if (!found.ok()) {
    report.run_errors.push_back(
        FailureFrom(Step::kEvent, found.error().WithContext("looking up the event's snapshots")));
    report.finished_at = core::FormatIso8601(ctx.clock->Now());
    return report;
  }
  std::vector<aws::Snapshot> ours = std::move(*found);
  ctx.Log(LogLevel::kInfo, "completion event: " + event.event + " " + (event.succeeded ? "succeeded" : "failed"),
          {{"snapshots", std::to_string(ids.size())}, {"the tool's", std::to_string(ours.size())}});
  if (ours.empty()) {
    report.finished_at = core::FormatIso8601(ctx.clock->Now());
    return report;  // not the tool's: nothing to do
  }

  const bool copy_event = event.event == "copySnapshot";
  std::map<std::string, std::string> status_of;  // per snapshot, from the event
  for (const auto& s : event.snapshots) status_of[s.snapshot_id] = s.status;

  // Failures: name them once (the SNS error message lists the run errors).
  std::vector<std::string> reported;
  for (const auto& s : ours) {
    // Per snapshot: a failed createSnapshots event may name some that completed.
    const std::string& st = status_of[s.snapshot_id];
    bool failed = s.state == "error" || st == "failed" || (!event.succeeded && st.empty());
    if (!failed || !s.TagValue(kTagErrorReported).empty()) continue;
    std::string device = s.TagValue(kTagDevice);
    report.run_errors.push_back(
        Failure(copy_event ? Step::kCopy : Step::kSnapshot, "SnapshotError",
                (copy_event ? "copy " + s.snapshot_id + " of " + s.TagValue(kTagSourceSnapshot) + " in " + event.region
                            : s.snapshot_id + " of " + s.TagValue(kTagInstanceId) + " (" + s.volume_id +
                                  (device.empty() ? "" : " " + device) + ")") +
                    " failed" + (event.cause.empty() ? "" : ": " + event.cause)));
    reported.push_back(s.snapshot_id);
  }
  if (!reported.empty()) {
    auto st = ctx.ec2->CreateTags(reported, {{kTagErrorReported, ctx.run_id}});
    if (!st.ok())
      ctx.Log(LogLevel::kWarn, "marking the failed snapshots as reported failed", {{"error", st.error().ToString()}});
  }

  auto policy = RetentionPolicyOf(spec, "", false);
  if (!policy.ok() && spec.HasRetention())
    report.run_errors.push_back(report::FailureFrom(report::Step::kRetention, policy.error()));
  if (copy_event) {
    // A copy completed: retention for its source volume, here.
    std::set<std::string> volumes;
    for (const auto& s : ours) {
      if (s.state == "completed" && !s.TagValue(kTagSourceVolume).empty()) volumes.insert(s.TagValue(kTagSourceVolume));
    }
    if (event.succeeded && policy.ok() && policy->enabled() && !volumes.empty()) {
      ApplyRetention(*ctx.ec2, *policy, volumes, ctx.clock->Now(), false, &report, kTagSourceVolume, event.region);
    }
    report.finished_at = core::FormatIso8601(ctx.clock->Now());
    return report;
  }

  // Sources that completed: the copies they owe.
  std::vector<CopySource> sources;
  std::set<std::string> volumes;
  std::set<std::string> regions;
  for (const auto& s : ours) {
    if (s.state != "completed") continue;
    CopySource c = CopySourceOf(s);
    if (c.owed.empty() && s.TagValue(kTagCopyTo).empty()) {
      // No tag from a run: the function's configuration says where.
      c.owed.insert(spec.copy_to_regions.begin(), spec.copy_to_regions.end());
    }
    if (c.owed.empty()) continue;
    regions.insert(c.owed.begin(), c.owed.end());
    volumes.insert(c.volume_id);
    sources.push_back(std::move(c));
  }
  if (!sources.empty()) {
    CopyOptions options = CopyOptionsFor(spec, event.region);
    options.wait = false;  // an event's invocation never waits for copies
    CopyResult result = CopyToDestinations(ctx, std::move(sources), regions, {}, false, options);
    for (const auto& o : result.outcomes) {
      report.earlier_copies.push_back(
          {"", o.instance_id, o.source_snapshot_id, o.region, o.copy_id, o.state, o.started, o.lock, o.late});
    }
    for (const auto& [instance, failure] : result.failures) report.run_errors.push_back(failure);
    for (const auto& f : result.run_errors) report.run_errors.push_back(f);
    if (policy.ok()) RetainCopies(ctx, regions, *policy, volumes, &report);
  }
  report.finished_at = core::FormatIso8601(ctx.clock->Now());
  return report;
}

}  // namespace s3snapshot::job
