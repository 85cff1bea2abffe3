#include "job/dedupe.h"

#include <algorithm>

#include "core/chunks.h"
#include "job/tags.h"

namespace s3snapshot::job {

core::Result<std::map<std::string, std::vector<SnapshotSet>>> RecentSets(const JobContext& ctx,
                                                                         const std::vector<std::string>& instance_ids,
                                                                         const std::string& label,
                                                                         std::chrono::seconds window) {
  const core::WallTime since = ctx.clock->Now() - window;
  std::map<std::string, std::map<std::string, SnapshotSet>> by_instance;  // instance -> run -> set
  for (const auto& chunk : core::Chunks(instance_ids, 200)) {
    aws::DescribeSnapshotsRequest req;
    req.owner_ids = {"self"};
    req.filters = {{std::string("tag:") + kTagScripted, {kTagScriptedValue}},
                   {std::string("tag:") + kTagInstanceId, chunk}};
    if (!label.empty()) req.filters.push_back({std::string("tag:") + kTagLabel, {label}});
    auto snaps = aws::DescribeAllSnapshots(*ctx.ec2, req);
    if (!snaps.ok()) return snaps.error().WithContext("looking for recent snapshot sets (--min-interval)");
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

}  // namespace s3snapshot::job
