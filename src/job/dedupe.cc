#include "job/dedupe.h"

#include <algorithm>

#include "core/chunks.h"
#include "core/parse.h"
#include "job/tags.h"

namespace s3snapshot::job {

using report::InstanceReport;

core::Result<std::map<std::string, std::vector<SnapshotSet>>> RecentSets(const JobContext& ctx,
                                                                         const std::vector<std::string>& instance_ids,
                                                                         const std::string& label,
                                                                         std::chrono::seconds window) {
  const core::WallTime since = ctx.clock->Now() - window;
  std::map<std::string, std::map<std::string, SnapshotSet>> by_instance;  // instance -> run -> set
  std::vector<aws::Filter> filters = {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}};
  if (!label.empty()) filters.push_back({std::string("tag:") + kTagLabel, {label}});
  auto snaps = aws::DescribeOwnSnapshots(*ctx.ec2, filters, std::string("tag:") + kTagInstanceId, instance_ids);
  if (!snaps.ok()) return snaps.error().WithContext("looking for recent snapshot sets (--min-interval)");
  {
    for (const auto& s : *snaps) {
      core::WallTime start;
      if (s.state == "error" || s.TagValue(kTagLabel) != label || !core::ParseIso8601(s.start_time, &start) ||
          start < since) {
        continue;
      }
      SnapshotSet& set = by_instance[s.TagValue(kTagInstanceId)][s.TagValue(kTagRunId)];
      if (set.snapshot_ids.empty() || start < set.start) {
        set.start = start;
        set.started_at = s.start_time;
      }
      set.run_id = s.TagValue(kTagRunId);
      set.instance_id = s.TagValue(kTagInstanceId);
      set.protect = set.protect || s.TagValue(kTagState) == kTagProtected;
      set.snapshot_ids.push_back(s.snapshot_id);
    }
  }
  std::map<std::string, std::vector<SnapshotSet>> out;
  for (auto& [instance, runs] : by_instance) {
    auto& sets = out[instance];
    for (auto& [run, set] : runs) sets.push_back(std::move(set));
    std::sort(sets.begin(), sets.end(), [](const SnapshotSet& a, const SnapshotSet& b) {
      return a.start != b.start ? a.start < b.start : a.run_id < b.run_id;
    });
  }
  return out;
}

const SnapshotSet* FirstSet(const std::vector<SnapshotSet>& sets) { return sets.empty() ? nullptr : &sets.front(); }

using core::LogLevel;

void SkipRecent(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec, std::vector<std::string>* to_stop,
                std::vector<std::string>* to_snapshot) {
  std::vector<std::string> ids = *to_stop;
  ids.insert(ids.end(), to_snapshot->begin(), to_snapshot->end());
  if (ids.empty()) return;
  auto sets = RecentSets(ctx, ids, spec.label, spec.min_interval);
  if (!sets.ok()) {
    // A missing snapshot is worse than a second one: go on, and say so.
    for (const auto& id : ids) ledger.AddWarning(id, "--min-interval not applied: " + sets.error().ToString());
    return;
  }
  const std::string window = core::FormatDuration(spec.min_interval);
  auto recent = [&](const std::string& id) {
    auto it = sets->find(id);
    if (it == sets->end() || it->second.empty()) return false;
    const SnapshotSet& first = it->second.front();
    ledger.Update(id, [&](InstanceReport& r) {
      r.skipped = "recent: the set of run " + first.run_id + " began " + first.started_at + ", within --min-interval " +
                  window + " (" + first.snapshot_ids.front() + (first.snapshot_ids.size() > 1 ? ", ..." : "") + ")";
    });
    ctx.Log(LogLevel::kInfo, "skipped: a recent snapshot set exists", {{"instance", id}, {"run_id", first.run_id}});
    return true;
  };
  for (auto* list : {to_stop, to_snapshot}) {
    list->erase(std::remove_if(list->begin(), list->end(), recent), list->end());
  }
}

std::set<std::string> YieldToEarlierSets(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec) {
  std::map<std::string, std::vector<std::string>> mine;  // instance -> this run's snapshots of it
  ledger.ForEach([&](InstanceReport& r) {
    for (const auto& s : r.snapshots) {
      if (!s.snapshot_id.empty()) mine[r.instance_id].push_back(s.snapshot_id);
    }
  });
  if (mine.empty()) return {};
  std::vector<std::string> ids;
  for (const auto& [id, _] : mine) ids.push_back(id);
  auto sets = RecentSets(ctx, ids, spec.label, spec.min_interval);
  if (!sets.ok()) {
    for (const auto& id : ids)
      ledger.AddWarning(id, "--min-interval: could not look for overlapping runs' sets: " + sets.error().ToString());
    return {};
  }
  std::set<std::string> deleted;
  for (const auto& [id, snaps] : mine) {
    auto it = sets->find(id);
    const SnapshotSet* first = it == sets->end() ? nullptr : FirstSet(it->second);
    if (first == nullptr || first->run_id == ctx.run_id) continue;
    const std::string why = "recent: run " + first->run_id + "'s set began first (" + first->started_at +
                            ", within --min-interval " + core::FormatDuration(spec.min_interval) + ")";
    if (spec.protect) {
      ledger.AddWarning(id, why + "; this run's set is kept: it is protected (State=Protected) and not deleted");
      continue;
    }
    std::string kept;
    for (const auto& sid : snaps) {
      auto st = ctx.ec2->DeleteSnapshot(sid);
      if (st.ok() || st.error().kind == core::ErrorKind::kNotFound) {
        deleted.insert(sid);
      } else {
        kept += (kept.empty() ? "" : "; ") + sid + ": " + st.error().ToString();
      }
    }
    if (!kept.empty()) {
      ledger.AddWarning(id, why + "; deleting this run's set failed, so it is kept: " + kept);
      continue;
    }
    ledger.Update(id, [&](InstanceReport& r) {
      r.snapshots.clear();
      r.snapshotted = false;
      r.skipped = why + "; this run's set was deleted";
    });
    ctx.Log(LogLevel::kInfo, "an earlier run's set won; this run's set was deleted",
            {{"instance", id}, {"run_id", first->run_id}});
  }
  return deleted;
}

}  // namespace s3snapshot::job
