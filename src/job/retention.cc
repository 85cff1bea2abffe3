#include "job/retention.h"

#include <algorithm>
#include <map>

#include "job/tags.h"

namespace s3snapshot::job {

using report::FailureFrom;
using report::RetentionRecord;
using report::Step;

namespace {

std::string Days(int d) { return std::to_string(d) + (d == 1 ? " day" : " days"); }

}  // namespace

std::map<std::string, RetentionDecision> RemovedOnceNewSetCompletes(const std::vector<aws::Snapshot>& snapshots,
                                                                    const RetentionPolicy& policy, core::WallTime now) {
  // This run's snapshot of the volume, completed: the newest of the tool's.
  std::vector<aws::Snapshot> with_new = snapshots;
  aws::Snapshot planned;
  planned.state = "completed";
  planned.start_time = core::FormatIso8601(now);
  planned.tags = {{kTagScripted, kTagScriptedValue}};
  with_new.push_back(planned);
  std::map<std::string, RetentionDecision> out;
  for (auto& d : PlanVolumeRetention(with_new, policy, now, false)) {
    if (d.remove && !d.snapshot.snapshot_id.empty()) out.emplace(d.snapshot.snapshot_id, std::move(d));
  }
  return out;
}

std::vector<RetentionDecision> PlanVolumeRetention(const std::vector<aws::Snapshot>& snapshots,
                                                   const RetentionPolicy& policy, core::WallTime now, bool orphan) {
  std::vector<aws::Snapshot> sorted = snapshots;
  // Newest first; ties broken by id so the plan is deterministic.
  auto mine = [&policy](const aws::Snapshot& s) {
    return !policy.this_run.empty() && s.TagValue(kTagRunId) == policy.this_run;
  };
  std::sort(sorted.begin(), sorted.end(), [&mine](const aws::Snapshot& a, const aws::Snapshot& b) {
    if (a.start_time != b.start_time) return a.start_time > b.start_time;
    if (mine(a) != mine(b)) return mine(a);  // the same second: this run's is the newer
    return a.snapshot_id > b.snapshot_id;
  });
  std::vector<RetentionDecision> out;
  int completed_seen = 0;
  bool newest_completed_taken = false;
  for (const auto& s : sorted) {
    RetentionDecision d;
    d.snapshot = s;
    d.orphan = orphan;
    if (s.TagValue(kTagScripted) != kTagScriptedValue) {
      d.reason = "not made by s3snapshot";
    } else if (s.TagValue(kTagState) == kTagProtected) {
      d.reason = "protected (State=Protected)";
    } else if (s.state != "completed") {
      d.reason = "state is '" + s.state + "'";
    } else {
      ++completed_seen;
      core::WallTime started;
      bool dated = core::ParseIso8601(s.start_time, &started);
      bool young = policy.keep_days > 0 && dated && now - started < std::chrono::hours(24) * policy.keep_days;
      bool in_newest = policy.keep > 0 && completed_seen <= policy.keep;
      if (!newest_completed_taken && !orphan) {
        d.reason = "the volume's newest completed snapshot";
      } else if (mine(s)) {
        d.reason = "made by this run";
      } else if (in_newest) {
        d.reason = "among the newest " + std::to_string(policy.keep);
      } else if (young) {
        d.reason = "younger than " + Days(policy.keep_days);
      } else if (!dated && policy.keep_days > 0) {
        d.reason = "start time unknown";
      } else if (!policy.enabled()) {
        d.reason = "no retention rule";
      } else {
        d.remove = true;
        d.reason = orphan ? "orphan (volume gone), " : "";
        if (policy.keep > 0) d.reason += "beyond the newest " + std::to_string(policy.keep);
        if (policy.keep > 0 && policy.keep_days > 0) d.reason += " and ";
        if (policy.keep_days > 0) d.reason += "older than " + Days(policy.keep_days);
      }
      newest_completed_taken = true;
    }
    out.push_back(d);
  }
  return out;
}

void ApplyRetention(aws::Ec2Api& ec2, const RetentionPolicy& policy, const std::set<std::string>& volumes,
                    core::WallTime now, bool dry_run, report::SnapshotReport* report, const std::string& group_tag,
                    const std::string& scope) {
  if (!policy.enabled()) return;
  std::map<std::string, std::vector<aws::Snapshot>> by_volume;
  const std::vector<aws::Filter> ours = {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}};
  auto found = aws::DescribeOwnSnapshots(ec2, ours, group_tag.empty() ? std::string("volume-id") : "tag:" + group_tag,
                                         {volumes.begin(), volumes.end()});
  if (!found.ok()) {
    report->run_errors.push_back(FailureFrom(Step::kRetention, found.error().WithContext("listing snapshots")));
    return;
  }
  for (auto& s : *found) {
    std::string key = group_tag.empty() ? s.volume_id : s.TagValue(group_tag);
    by_volume[key].push_back(std::move(s));
  }
  std::set<std::string> orphan_volumes;
  if (policy.prune_orphans && group_tag.empty()) {
    auto all = aws::DescribeOwnSnapshots(ec2, ours);
    if (!all.ok()) {
      report->run_errors.push_back(FailureFrom(Step::kRetention, all.error().WithContext("listing snapshots")));
      return;
    }
    std::map<std::string, std::vector<aws::Snapshot>> others;
    for (auto& s : *all) {
      if (!volumes.count(s.volume_id)) others[s.volume_id].push_back(std::move(s));
    }
    std::vector<std::string> ids;
    for (const auto& [v, _] : others) ids.push_back(v);
    auto existing = ec2.ExistingVolumes(ids);
    if (!existing.ok()) {
      report->run_errors.push_back(
          FailureFrom(Step::kRetention, existing.error().WithContext("checking which volumes exist")));
      return;
    }
    std::set<std::string> alive(existing->begin(), existing->end());
    for (auto& [v, snaps] : others) {
      if (alive.count(v)) continue;  // another instance's volume: not ours to prune in this run
      orphan_volumes.insert(v);
      by_volume[v] = std::move(snaps);
    }
  }
  for (const auto& [volume, snaps] : by_volume) {
    const bool orphan = orphan_volumes.count(volume) > 0;
    // A plan names every snapshot the run could delete: on EC2 this run's
    // new set is usually still pending at retention time (and so not counted),
    // but once it has completed it takes the newest slot and one more goes.
    std::map<std::string, RetentionDecision> once_completes;
    if (dry_run && !orphan) once_completes = RemovedOnceNewSetCompletes(snaps, policy, now);
    for (const auto& d : PlanVolumeRetention(snaps, policy, now, orphan)) {
      RetentionRecord rec;
      rec.scope = scope;
      rec.snapshot_id = d.snapshot.snapshot_id;
      rec.volume_id = volume;
      rec.instance_id = d.snapshot.TagValue(kTagInstanceId);
      rec.start_time = d.snapshot.start_time;
      rec.reason = d.reason;
      auto later = once_completes.find(d.snapshot.snapshot_id);
      if (!d.remove && later != once_completes.end()) {
        rec.action = "would delete";
        rec.once_set_completes = true;
        rec.reason = later->second.reason + ", once this run's set has completed";
      } else if (!d.remove) {
        rec.action = "kept";
      } else if (dry_run) {
        rec.action = "would delete";
      } else {
        auto st = ec2.DeleteSnapshot(d.snapshot.snapshot_id);
        if (st.ok()) {
          rec.action = "deleted";
        } else if (st.error().kind == core::ErrorKind::kConflict) {  // InvalidSnapshot.InUse
          rec.action = "kept";
          rec.reason = "in use (by an AMI): " + st.error().message;
        } else if (st.error().kind == core::ErrorKind::kNotFound) {
          rec.action = "deleted";
          rec.reason += " (already gone)";
        } else {
          rec.action = "failed";
          report->run_errors.push_back(
              FailureFrom(Step::kRetention, st.error().WithContext("deleting " + d.snapshot.snapshot_id)));
        }
      }
      report->retention.push_back(rec);
    }
  }
}

}  // namespace s3snapshot::job
