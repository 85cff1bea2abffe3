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

std::string Two(int v) { return (v < 10 ? "0" : "") + std::to_string(v); }

struct Tier {
  const char* name;
  const char* unit;
  int RetentionPolicy::*count;
  std::string (*period)(const core::CivilDay&);
};

const Tier kTiers[] = {
    {"daily", "day", &RetentionPolicy::keep_daily,
     [](const core::CivilDay& d) { return std::to_string(d.year) + "-" + Two(d.month) + "-" + Two(d.day); }},
    {"weekly", "week", &RetentionPolicy::keep_weekly,
     [](const core::CivilDay& d) {
       auto w = core::IsoWeekOf(d);
       return std::to_string(w.year) + "-W" + Two(w.week);
     }},
    {"monthly", "month", &RetentionPolicy::keep_monthly,
     [](const core::CivilDay& d) { return std::to_string(d.year) + "-" + Two(d.month); }},
    {"yearly", "year", &RetentionPolicy::keep_yearly, [](const core::CivilDay& d) { return std::to_string(d.year); }},
};

// "one of the last 7 days, 4 weeks or 12 months".
std::string TiersText(const RetentionPolicy& policy) {
  std::vector<std::string> parts;
  for (const auto& t : kTiers) {
    const int n = policy.*t.count;
    if (n > 0) parts.push_back(std::to_string(n) + " " + t.unit + (n == 1 ? "" : "s"));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " or " : ", ") + parts[i];
  }
  return out;
}

std::string Removed(const RetentionPolicy& policy, bool orphan) {
  std::vector<std::string> why;
  if (policy.keep > 0) why.push_back("beyond the newest " + std::to_string(policy.keep));
  if (policy.keep_days > 0) why.push_back("older than " + Days(policy.keep_days));
  if (policy.tiers()) why.push_back("not the newest complete set of one of the last " + TiersText(policy));
  std::string out = orphan ? "orphan (volume gone), " : "";
  for (size_t i = 0; i < why.size(); ++i) out += (i == 0 ? "" : " and ") + why[i];
  return out;
}

}  // namespace

core::Result<RetentionPolicy> RetentionPolicyOf(const spec::JobSpec& spec, const std::string& this_run,
                                                bool prune_orphans) {
  auto zone = core::TimeZone::Load(spec.retention_timezone);
  if (!zone.ok()) return zone.error();
  RetentionPolicy p;
  p.keep = spec.keep;
  p.keep_days = spec.keep_days;
  p.prune_orphans = prune_orphans;
  p.this_run = this_run;
  p.label = spec.label;
  p.keep_daily = spec.keep_daily;
  p.keep_weekly = spec.keep_weekly;
  p.keep_monthly = spec.keep_monthly;
  p.keep_yearly = spec.keep_yearly;
  p.zone = std::move(*zone);
  return p;
}

std::string SetKey(const aws::Snapshot& s) {
  const std::string run = s.TagValue(kTagRunId);
  if (run.empty()) return "snapshot " + s.snapshot_id;
  return s.TagValue(kTagInstanceId) + " " + run;
}

std::map<std::string, SetInfo> SetsOf(const std::vector<aws::Snapshot>& snapshots) {
  std::map<std::string, SetInfo> sets;
  for (const auto& s : snapshots) {
    auto [it, fresh] = sets.try_emplace(SetKey(s));
    SetInfo& set = it->second;
    core::WallTime started;
    if (!core::ParseIso8601(s.start_time, &started)) {
      set.dated = false;
    } else if (fresh || started < set.start) {
      set.start = started;
    }
    if (s.state != "completed") set.complete = false;
  }
  return sets;
}

std::map<std::string, std::string> TierKeeps(const std::map<std::string, SetInfo>& sets,
                                             const RetentionPolicy& policy) {
  std::vector<std::pair<core::WallTime, std::string>> newest_first;
  for (const auto& [key, set] : sets) {
    if (set.complete && set.dated) newest_first.emplace_back(set.start, key);
  }
  std::sort(newest_first.rbegin(), newest_first.rend());
  std::map<std::string, std::string> keeps;
  for (const auto& tier : kTiers) {
    const int n = policy.*tier.count;
    std::string last;
    int taken = 0;
    for (const auto& [start, key] : newest_first) {
      const std::string period = tier.period(policy.zone.DayOf(start));
      if (period == last) continue;  // an older set of a period already taken
      if (taken == n) break;
      ++taken;
      last = period;
      std::string& why = keeps[key];
      why += (why.empty() ? "" : ", ") + std::string(tier.name) + " " + period;
    }
  }
  return keeps;
}

std::map<std::string, RetentionDecision> RemovedOnceNewSetCompletes(const std::vector<aws::Snapshot>& snapshots,
                                                                    const RetentionPolicy& policy, core::WallTime now,
                                                                    const std::map<std::string, SetInfo>* sets) {
  // This run's snapshot of the volume, completed: the newest of the tool's,
  // in a complete set of its own.
  std::vector<aws::Snapshot> with_new = snapshots;
  aws::Snapshot planned;
  planned.state = "completed";
  planned.start_time = core::FormatIso8601(now);
  planned.tags = {{kTagScripted, kTagScriptedValue},
                  {kTagRunId, policy.this_run.empty() ? "planned" : policy.this_run}};
  with_new.push_back(planned);
  std::map<std::string, SetInfo> with_new_set = sets ? *sets : SetsOf(snapshots);
  with_new_set[SetKey(planned)] = SetInfo{now, true, true};
  std::map<std::string, RetentionDecision> out;
  for (auto& d : PlanVolumeRetention(with_new, policy, now, false, &with_new_set)) {
    if (d.remove && !d.snapshot.snapshot_id.empty()) out.emplace(d.snapshot.snapshot_id, std::move(d));
  }
  return out;
}

std::vector<RetentionDecision> PlanVolumeRetention(const std::vector<aws::Snapshot>& snapshots,
                                                   const RetentionPolicy& policy, core::WallTime now, bool orphan,
                                                   const std::map<std::string, SetInfo>* sets) {
  std::map<std::string, std::string> tier_keeps;
  if (policy.tiers()) {
    // Only the sets this volume has a snapshot in, as the sets know them.
    const std::map<std::string, SetInfo> own = SetsOf(snapshots);
    std::map<std::string, SetInfo> known;
    for (const auto& [key, set] : own) {
      const bool elsewhere = sets != nullptr && sets->count(key) > 0;
      known[key] = elsewhere ? sets->at(key) : set;
    }
    tier_keeps = TierKeeps(known, policy);
  }
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
      } else if (auto tier = tier_keeps.find(SetKey(s)); tier != tier_keeps.end()) {
        d.reason = tier->second;
      } else if (!dated && (policy.keep_days > 0 || policy.tiers())) {
        d.reason = "start time unknown";
      } else if (!policy.enabled()) {
        d.reason = "no retention rule";
      } else {
        d.remove = true;
        d.reason = Removed(policy, orphan);
      }
      newest_completed_taken = true;
    }
    out.push_back(d);
  }
  return out;
}

namespace {

// What retention looks at: the tool's snapshots of one label, by volume (or
// by `group_tag`), with the orphans among them.
struct Found {
  std::map<std::string, std::vector<aws::Snapshot>> by_volume;
  std::set<std::string> orphan_volumes;
  std::vector<aws::Snapshot> labelled;  // every snapshot the rules may look at, for the sets
};

core::Status FindOrphans(aws::Ec2Api& ec2, const RetentionPolicy& policy, const std::set<std::string>& volumes,
                         const std::vector<aws::Filter>& ours, Found* f) {
  auto all = aws::DescribeOwnSnapshots(ec2, ours);
  if (!all.ok()) return all.error().WithContext("listing snapshots");
  std::map<std::string, std::vector<aws::Snapshot>> others;
  for (auto& s : *all) {
    if (volumes.count(s.volume_id) || s.TagValue(kTagLabel) != policy.label) continue;
    f->labelled.push_back(s);
    others[s.volume_id].push_back(std::move(s));
  }
  std::vector<std::string> ids;
  for (const auto& [v, _] : others) ids.push_back(v);
  auto existing = ec2.ExistingVolumes(ids);
  if (!existing.ok()) return existing.error().WithContext("checking which volumes exist");
  std::set<std::string> alive(existing->begin(), existing->end());
  for (auto& [v, snaps] : others) {
    if (alive.count(v)) continue;  // another instance's volume: not ours to prune in this run
    f->orphan_volumes.insert(v);
    f->by_volume[v] = std::move(snaps);
  }
  return core::OkStatus();
}

core::Result<Found> FindSnapshots(aws::Ec2Api& ec2, const RetentionPolicy& policy, const std::set<std::string>& volumes,
                                  const std::string& group_tag) {
  Found f;
  const std::vector<aws::Filter> ours = {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}};
  auto found = aws::DescribeOwnSnapshots(ec2, ours, group_tag.empty() ? std::string("volume-id") : "tag:" + group_tag,
                                         {volumes.begin(), volumes.end()});
  if (!found.ok()) return found.error().WithContext("listing snapshots");
  for (auto& s : *found) {
    if (s.TagValue(kTagLabel) != policy.label) continue;  // another schedule's
    f.labelled.push_back(s);
    std::string key = group_tag.empty() ? s.volume_id : s.TagValue(group_tag);
    f.by_volume[key].push_back(std::move(s));
  }
  if (policy.prune_orphans && group_tag.empty()) {
    if (auto st = FindOrphans(ec2, policy, volumes, ours, &f); !st.ok()) return st.error();
  }
  return f;
}

// A decision about to be recorded, with what the run (or its plan) does.
struct Planned {
  std::string volume;
  RetentionDecision decision;
  bool later = false;  // a dry run's: deleted only once this run's set has completed
  std::string later_reason;
};

std::string LockedReason(const aws::SnapshotLock& lock) {
  return "locked (" + lock.lock_state + ")" + (lock.lock_expires_on.empty() ? "" : " until " + lock.lock_expires_on);
}

// Deletes one snapshot; the record says what happened.
void DeleteOne(aws::Ec2Api& ec2, const aws::Snapshot& snap, RetentionRecord* rec,
               std::vector<report::FailureRecord>* errors) {
  auto st = ec2.DeleteSnapshot(snap.snapshot_id);
  if (st.ok()) {
    rec->action = "deleted";
  } else if (st.error().code == "SnapshotLocked") {  // locked after the lock lookup
    rec->action = "kept";
    rec->reason = "locked: " + st.error().message;
  } else if (st.error().kind == core::ErrorKind::kConflict) {  // InvalidSnapshot.InUse
    rec->action = "kept";
    rec->reason = "in use (by an AMI): " + st.error().message;
  } else if (st.error().kind == core::ErrorKind::kNotFound) {
    rec->action = "deleted";
    rec->reason += " (already gone)";
  } else {
    rec->action = "failed";
    errors->push_back(FailureFrom(Step::kRetention, st.error().WithContext("deleting " + snap.snapshot_id)));
  }
}

}  // namespace

void ApplyRetention(aws::Ec2Api& ec2, const RetentionPolicy& policy, const std::set<std::string>& volumes,
                    core::WallTime now, bool dry_run, report::SnapshotReport* report, const std::string& group_tag,
                    const std::string& scope) {
  if (!policy.enabled()) return;
  auto found = FindSnapshots(ec2, policy, volumes, group_tag);
  if (!found.ok()) return report->run_errors.push_back(FailureFrom(Step::kRetention, found.error()));
  const std::map<std::string, SetInfo> sets = SetsOf(found->labelled);
  std::vector<Planned> plan;
  std::vector<std::string> to_delete;
  for (const auto& [volume, snaps] : found->by_volume) {
    const bool orphan = found->orphan_volumes.count(volume) > 0;
    // A plan names every snapshot the run could delete: on EC2 this run's
    // new set is usually still pending at retention time (and so not counted),
    // but once it has completed it takes the newest slot and one more goes.
    std::map<std::string, RetentionDecision> once_completes;
    if (dry_run && !orphan) once_completes = RemovedOnceNewSetCompletes(snaps, policy, now, &sets);
    for (auto& d : PlanVolumeRetention(snaps, policy, now, orphan, &sets)) {
      Planned p{volume, std::move(d), false, ""};
      auto later = once_completes.find(p.decision.snapshot.snapshot_id);
      if (!p.decision.remove && later != once_completes.end()) {
        p.later = true;
        p.later_reason = later->second.reason + ", once this run's set has completed";
      }
      if (p.decision.remove || p.later) to_delete.push_back(p.decision.snapshot.snapshot_id);
      plan.push_back(std::move(p));
    }
  }
  // Lock-aware before deleting: a locked snapshot is kept, never sent to a
  // DeleteSnapshot that EC2 refuses. Without the permission to read locks
  // (an older role), the deletes go ahead and EC2 refuses a locked one.
  std::map<std::string, aws::SnapshotLock> locks;
  if (!to_delete.empty()) {
    auto read = aws::LocksOf(ec2, to_delete);
    if (read.ok()) {
      locks = std::move(*read);
    } else if (read.error().kind == core::ErrorKind::kAuth) {
      report->warnings.push_back("retention could not read snapshot locks (" + read.error().ToString() +
                                 "): it deleted as before, and EC2 refuses to delete a locked snapshot (kept); "
                                 "grant ec2:DescribeLockedSnapshots");
    } else {
      return report->run_errors.push_back(
          FailureFrom(Step::kRetention, read.error().WithContext("reading snapshot locks (nothing was deleted)")));
    }
  }
  for (const auto& p : plan) {
    const aws::Snapshot& snap = p.decision.snapshot;
    RetentionRecord rec;
    rec.scope = scope;
    rec.snapshot_id = snap.snapshot_id;
    rec.volume_id = p.volume;
    rec.instance_id = snap.TagValue(kTagInstanceId);
    rec.start_time = snap.start_time;
    rec.reason = p.later ? p.later_reason : p.decision.reason;
    auto lock = locks.find(snap.snapshot_id);
    if (!p.decision.remove && !p.later) {
      rec.action = "kept";
    } else if (lock != locks.end()) {
      rec.action = "kept";
      rec.reason = LockedReason(lock->second);
    } else if (dry_run) {
      rec.action = "would delete";
      rec.once_set_completes = p.later;
    } else {
      DeleteOne(ec2, snap, &rec, &report->run_errors);
    }
    report->retention.push_back(rec);
  }
}

void ApplyRunRetention(const spec::JobSpec& spec, const JobContext& ctx, const std::set<std::string>& volumes,
                       report::SnapshotReport* report) {
  auto policy = RetentionPolicyOf(spec, ctx.run_id, spec.prune_orphans);
  if (!policy.ok()) return report->run_errors.push_back(FailureFrom(Step::kRetention, policy.error()));
  ApplyRetention(*ctx.ec2, *policy, volumes, ctx.clock->Now(), spec.dry_run, report);
}

}  // namespace s3snapshot::job
