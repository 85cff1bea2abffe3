#include "job/copier.h"

#include <algorithm>

#include "core/chunks.h"
#include "job/exactly_once.h"
#include "job/retry_policy.h"
#include "job/tags.h"

namespace s3snapshot::job {

using report::CopyFailure;
using report::CopyFailureFrom;
using report::FailureFrom;
using report::Step;

using core::ErrorKind;
using core::LogLevel;

namespace {

core::WallTime StartOf(const aws::Snapshot& s) {
  core::WallTime t{};
  core::ParseIso8601(s.start_time, &t);
  return t;
}

// The copies in `dest` of each of `source_ids`, by source id.
core::Result<std::map<std::string, std::vector<aws::Snapshot>>> CopiesIn(aws::Ec2Api& dest,
                                                                         const std::vector<std::string>& source_ids) {
  std::map<std::string, std::vector<aws::Snapshot>> out;
  auto found = aws::DescribeOwnSnapshots(dest, {}, std::string("tag:") + kTagSourceSnapshot, source_ids);
  if (!found.ok()) return found.error();
  for (auto& s : *found) {
    std::string source = s.TagValue(kTagSourceSnapshot);
    out[source].push_back(std::move(s));
  }
  return out;
}

// Of a source's copies in one region, the one every run keeps: the earliest
// live one (StartTime, then id). The other live ones are deleted. Returns
// nullopt when there is no live copy (none, or only ones in 'error').
std::optional<aws::Snapshot> KeepOne(const JobContext& ctx, aws::Ec2Api& dest, const std::string& region,
                                     const std::vector<aws::Snapshot>& copies) {
  std::vector<aws::Snapshot> live;
  for (const auto& c : copies) {
    if (c.state != "error") live.push_back(c);
  }
  if (live.empty()) return std::nullopt;
  std::sort(live.begin(), live.end(), [](const aws::Snapshot& a, const aws::Snapshot& b) {
    auto ta = StartOf(a), tb = StartOf(b);
    return ta != tb ? ta < tb : a.snapshot_id < b.snapshot_id;
  });
  for (size_t i = 1; i < live.size(); ++i) {
    auto st = dest.DeleteSnapshot(live[i].snapshot_id);
    ctx.Log(LogLevel::kWarn, "two copies of one source in one region: kept the first, deleted the other",
            {{"region", region},
             {"kept", live[0].snapshot_id},
             {"deleted", live[i].snapshot_id},
             {"result", st.ok() ? "ok" : st.error().ToString()}});
  }
  return live[0];
}

// Sends one CopySnapshot; after a lost answer, finds the copy by its tag.
core::Result<std::string> SendCopy(const JobContext& ctx, aws::Ec2Api& dest, const CopySource& s,
                                   const std::string& region, const CopyOptions& options) {
  aws::CopySnapshotRequest req;
  req.source_region = options.source_region;
  req.source_snapshot_id = s.snapshot_id;
  req.description = CopyDescription(s.snapshot_id, options.source_region, s.description);
  req.kms_key_id = options.kms_key_id;
  req.encrypted = !options.kms_key_id.empty();
  req.completion_minutes = options.completion_minutes;
  req.tags = CopyTags(s.tags, s.device, s.snapshot_id, options.source_region, s.volume_id);
  auto r = dest.CopySnapshot(req);
  if (!r.ok() && (r.error().kind == ErrorKind::kAmbiguous || r.error().kind == ErrorKind::kMalformed)) {
    auto found = CopiesIn(dest, {s.snapshot_id});
    if (found.ok() && !(*found)[s.snapshot_id].empty()) {
      ctx.Log(LogLevel::kWarn, "CopySnapshot outcome was unknown; found the copy",
              {{"snapshot", s.snapshot_id}, {"region", region}});
      return (*found)[s.snapshot_id].front().snapshot_id;
    }
  }
  return r;
}

}  // namespace

std::string CopyToTagValue(const std::set<std::string>& regions) {
  std::string v;
  for (const auto& r : regions) v += (v.empty() ? "" : " ") + r;
  return v;
}

std::set<std::string> ParseCopyToTag(const std::string& value) {
  std::set<std::string> out;
  size_t pos = 0;
  while (pos < value.size()) {
    size_t sp = value.find(' ', pos);
    if (sp == std::string::npos) sp = value.size();
    if (sp > pos) out.insert(value.substr(pos, sp - pos));
    pos = sp + 1;
  }
  return out;
}

CopySource CopySourceOf(aws::Snapshot s) {
  CopySource c;
  c.instance_id = s.TagValue(kTagInstanceId);
  c.snapshot_id = s.snapshot_id;
  c.volume_id = s.volume_id;
  c.device = s.TagValue(kTagDevice);
  c.state = s.state;
  c.start = StartOf(s);
  c.owed = ParseCopyToTag(s.TagValue(kTagCopyTo));
  c.description = std::move(s.description);
  c.tags = std::move(s.tags);
  return c;
}

CopyOptions CopyOptionsFor(const spec::JobSpec& spec, const std::string& source_region) {
  CopyOptions options;
  options.source_region = source_region;
  options.kms_key_id = spec.kms_key_id;
  options.max_new_per_region = spec.max_concurrent_copies;
  options.wait = spec.wait;
  options.timeout = spec.wait_timeout;
  options.overdue = spec.copy_overdue;
  options.completion_minutes = spec.copy_completion_minutes;
  options.lock = LockOptionsOf(spec);
  return options;
}

void RefreshSourceStates(const JobContext& ctx, std::vector<CopySource>* sources) {
  std::map<std::string, CopySource*> unsettled;
  for (auto& c : *sources) {
    if (c.state != "completed" && c.state != "error") unsettled[c.snapshot_id] = &c;
  }
  std::vector<std::string> ids;
  for (const auto& entry : unsettled) ids.push_back(entry.first);
  auto now = aws::DescribeOwnSnapshots(*ctx.ec2, {}, "snapshot-id", ids);
  if (!now.ok()) return;  // they stay as they were: queued
  for (const auto& s : *now) {
    auto it = unsettled.find(s.snapshot_id);
    if (it != unsettled.end()) it->second->state = s.state;
  }
}

core::Result<std::vector<CopySource>> FindOwedSources(const JobContext& ctx, const std::vector<std::string>& volume_ids,
                                                      const std::set<std::string>& exclude_ids) {
  std::vector<CopySource> out;
  auto found = aws::DescribeOwnSnapshots(
      *ctx.ec2, {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}, {"tag-key", {kTagCopyTo}}}, "volume-id",
      volume_ids);
  if (!found.ok()) return found.error().WithContext("looking for earlier snapshots that owe a copy");
  for (auto& s : *found) {
    if (exclude_ids.count(s.snapshot_id) || s.TagValue(kTagCopyTo).empty()) continue;
    out.push_back(CopySourceOf(std::move(s)));
  }
  return out;
}

namespace {

// One destination region's part of CopyToRegions, in the steps copier.h
// lists: look at the sources and their copies there, start copies (in waves
// with --wait, polling between them), look again at what it started, and
// name what is overdue or unfinished.
class RegionCopies {
 public:
  RegionCopies(const JobContext& ctx, aws::Ec2Api& dest, const std::string& region, const CopyOptions& options,
               CopyResult* out)
      : ctx_(ctx), dest_(dest), region_(region), options_(options), out_(out) {}

  // The sources that owe a copy here, each with its state: false when there
  // are none, or the destination could not be read (a run error).
  bool Look(const std::vector<CopySource>& sources) {
    std::vector<std::string> ids;
    for (const auto& s : sources) {
      if (!s.owed.count(region_) || s.state == "error") continue;
      here_.push_back(&s);
      ids.push_back(s.snapshot_id);
    }
    if (here_.empty()) return false;
    auto copies = CopiesIn(dest_, ids);
    if (!copies.ok()) {
      out_->run_errors.push_back(CopyFailureFrom(region_, copies.error().WithContext("listing the copies there")));
      return false;
    }
    for (const CopySource* s : here_) Classify(*s, (*copies)[s->snapshot_id]);
    // Oldest sources first: they are the closest to overdue.
    std::stable_sort(to_send_.begin(), to_send_.end(), [](const CopySource* a, const CopySource* b) {
      return !a->this_run && b->this_run ? true : (a->this_run == b->this_run && a->start < b->start);
    });
    return true;
  }

  // Starts copies while the region has room: without --wait at most
  // max_new_per_region this run; with --wait in waves as copies complete.
  void StartAndWait() {
    const auto deadline = ctx_.clock->Steady() + options_.timeout;
    for (int round = 0;; ++round) {
      StartWave();
      if (!options_.wait) break;
      std::vector<std::string> pending;
      for (const auto& entry : outcomes_) {
        if (entry.second.state == "pending") pending.push_back(entry.second.copy_id);
      }
      if (pending.empty() && next_ >= to_send_.size()) break;
      if (ctx_.Cancelled() || ctx_.clock->Steady() >= deadline) break;
      SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, ctx_.Backoff(round));
      Poll(pending);
    }
  }

  // Looks again at what it started, names what is overdue or unfinished, and
  // hands the outcomes over; `done` gains the sources completed here.
  void Finish(std::map<std::string, std::set<std::string>>* done) {
    RecheckStarted();
    MarkOverdue();
    if (options_.wait) ReportUnfinished();
    for (auto& [id, o] : outcomes_) {
      if (o.state == "completed") (*done)[id].insert(region_);
      out_->outcomes.push_back(o);
    }
  }

 private:
  void Classify(const CopySource& s, const std::vector<aws::Snapshot>& copies) {
    CopyOutcome o{s.instance_id, s.snapshot_id, region_, "", "queued", s.this_run, false, "", false};
    if (auto keep = KeepOne(ctx_, dest_, region_, copies)) {
      o.copy_id = keep->snapshot_id;
      o.state = keep->state == "completed" ? "completed" : "pending";
      o.late = o.state == "pending" && Late(*keep);
    } else {
      for (const auto& c : copies) {  // only copies in 'error' are left: say so, and copy again
        out_->failures.push_back({s.instance_id, CopyFailure(region_, "SnapshotError",
                                                             "copy " + c.snapshot_id + " of " + s.snapshot_id +
                                                                 " ended in state 'error'; a new copy is made")});
      }
      if (s.state == "completed") to_send_.push_back(&s);
    }
    outcomes_[s.snapshot_id] = o;
  }

  // Pending past the time EC2 promised for a time-based copy.
  bool Late(const aws::Snapshot& copy) const {
    core::WallTime started;
    return copy.completion_duration_minutes > 0 && core::ParseIso8601(copy.start_time, &started) &&
           ctx_.clock->Now() - started > std::chrono::minutes(copy.completion_duration_minutes);
  }

  // Locks a copy this run made (--lock-mode): its failure is its instance's.
  void LockCopy(const CopySource& s, CopyOutcome* o) {
    if (!options_.lock.enabled()) return;
    auto lock = LockOne(dest_, options_.lock, o->copy_id);
    o->lock = lock.ok() ? LockText(*lock, options_.lock) : kNotLocked;
    if (!lock.ok()) {
      out_->failures.push_back(
          {s.instance_id,
           FailureFrom(Step::kLock, lock.error().WithContext("locking copy " + o->copy_id + " in " + region_))});
    }
  }

  int InFlight() const {
    int n = 0;
    for (const auto& entry : outcomes_) n += entry.second.state == "pending";
    return n;
  }

  bool RoomForAnother() const {
    return next_ < to_send_.size() && !ctx_.Cancelled() && !slowest_.NoTimeForAnother(ctx_) &&
           InFlight() < options_.max_new_per_region &&
           (options_.wait || static_cast<int>(started_.size()) < options_.max_new_per_region);
  }

  void StartWave() {
    while (RoomForAnother()) {
      const CopySource* s = to_send_[next_];
      auto call_start = ctx_.clock->Steady();
      auto r = SendCopy(ctx_, dest_, *s, region_, options_);
      slowest_.Record(std::chrono::duration_cast<core::Duration>(ctx_.clock->Steady() - call_start));
      CopyOutcome& o = outcomes_[s->snapshot_id];
      if (r.ok()) {
        o.copy_id = *r;
        o.state = "pending";
        o.started = true;
        started_.push_back(s->snapshot_id);
        LockCopy(*s, &o);
      } else if (r.error().kind == ErrorKind::kLimit || IsRetryableAtJobLevel(r.error())) {
        // The destination's concurrent-copy limit, or throttling: it stays
        // queued (for the next wave with --wait, else a later run).
        ctx_.Log(LogLevel::kInfo, "copy refused for now; it stays queued",
                 {{"region", region_}, {"snapshot", s->snapshot_id}, {"error", r.error().code}});
        return;
      } else {
        o.state = "failed";
        out_->failures.push_back({s->instance_id, CopyFailureFrom(region_, r.error())});
      }
      ++next_;
    }
  }

  void Poll(const std::vector<std::string>& pending) {
    auto snaps = aws::DescribeOwnSnapshots(dest_, {}, "snapshot-id", pending);
    if (!snaps.ok()) return;  // the next round polls again
    for (const auto& snap : *snaps) {
      if (snap.state == "completed" || snap.state == "error") Settle(snap);
    }
  }

  void Settle(const aws::Snapshot& copy) {
    for (auto& entry : outcomes_) {
      CopyOutcome& o = entry.second;
      if (o.copy_id != copy.snapshot_id) continue;
      o.state = copy.state;
      if (copy.state == "error") {
        out_->failures.push_back({o.instance_id, CopyFailure(region_, "SnapshotError",
                                                             "copy " + o.copy_id + " of " + o.source_snapshot_id +
                                                                 " ended in state 'error'")});
      }
    }
  }

  // Another run may have copied the same sources a moment ago.
  void RecheckStarted() {
    if (started_.empty()) return;
    auto again = CopiesIn(dest_, started_);
    if (!again.ok()) return;
    for (const auto& id : started_) {
      auto keep = KeepOne(ctx_, dest_, region_, (*again)[id]);
      if (!keep) continue;
      // Ours yielded to an earlier copy (and was deleted): not started.
      if (keep->snapshot_id != outcomes_[id].copy_id) outcomes_[id].started = false;
      outcomes_[id].copy_id = keep->snapshot_id;
      outcomes_[id].state = keep->state == "completed" ? "completed" : "pending";
    }
  }

  void MarkOverdue() {
    const core::WallTime now = ctx_.clock->Now();
    for (const CopySource* s : here_) {
      const CopyOutcome& o = outcomes_[s->snapshot_id];
      if (o.state != "queued" || s->state != "completed" || s->this_run || s->start == core::WallTime{} ||
          now - s->start <= options_.overdue) {
        continue;
      }
      out_->failures.push_back(
          {s->instance_id,
           CopyFailure(region_, "CopyOverdue",
                       "snapshot " + s->snapshot_id + " has no copy in " + region_ + " yet, " +
                           std::to_string(std::chrono::duration_cast<std::chrono::hours>(now - s->start).count()) +
                           " h after it began (--copy-overdue)")});
    }
  }

  void ReportUnfinished() {
    for (const auto& entry : outcomes_) {
      const CopyOutcome& o = entry.second;
      if (o.state == "pending") {
        out_->failures.push_back(
            {o.instance_id, CopyFailure(region_, "WaitTimeout", "copy " + o.copy_id + " not completed in time")});
      } else if (o.state == "queued" && o.this_run_source) {
        out_->failures.push_back(
            {o.instance_id, CopyFailure(region_, ctx_.Cancelled() ? "Cancelled" : "CopyTimeout",
                                        "the copy of " + o.source_snapshot_id + " was not started")});
      }
    }
  }

  const JobContext& ctx_;
  aws::Ec2Api& dest_;
  const std::string region_;
  const CopyOptions& options_;
  CopyResult* out_;
  std::vector<const CopySource*> here_;          // the sources that owe a copy here
  std::map<std::string, CopyOutcome> outcomes_;  // by source id
  std::vector<const CopySource*> to_send_;       // completed sources without a live copy, oldest first
  size_t next_ = 0;                              // the next of to_send_ to start
  std::vector<std::string> started_;             // the sources whose copy this run started
  SlowestCall slowest_;                          // a copy is started only if twice the slowest fits before the deadline
};

// The sources whose copies are all completed no longer owe one: shorten or
// remove their s3snapshot:copy-to tag, so later runs do not look at them.
void SettleCopyToTags(const JobContext& ctx, const std::vector<CopySource>& sources,
                      const std::map<std::string, std::set<std::string>>& done) {
  std::vector<std::string> settled;
  std::map<std::string, std::vector<std::string>> shortened;  // new tag value -> sources
  for (const auto& s : sources) {
    auto it = done.find(s.snapshot_id);
    if (it == done.end()) continue;
    std::set<std::string> left;
    std::set_difference(s.owed.begin(), s.owed.end(), it->second.begin(), it->second.end(),
                        std::inserter(left, left.end()));
    if (left.empty()) {
      settled.push_back(s.snapshot_id);
    } else {
      shortened[CopyToTagValue(left)].push_back(s.snapshot_id);
    }
  }
  for (const auto& chunk : core::Chunks(settled, 1000)) {
    auto st = ctx.ec2->DeleteTags(chunk, {kTagCopyTo});
    if (!st.ok()) {
      ctx.Log(LogLevel::kWarn, "clearing the copy-to tag failed; a later run looks again",
              {{"error", st.error().ToString()}});
    }
  }
  for (const auto& [value, ids] : shortened) {
    for (const auto& chunk : core::Chunks(ids, 1000)) {
      auto st = ctx.ec2->CreateTags(chunk, {{kTagCopyTo, value}});
      if (!st.ok()) {
        ctx.Log(LogLevel::kWarn, "updating the copy-to tag failed; a later run looks again",
                {{"error", st.error().ToString()}});
      }
    }
  }
}

}  // namespace

CopyResult CopyToRegions(const JobContext& ctx, const std::vector<CopySource>& sources,
                         const std::map<std::string, aws::Ec2Api*>& destinations, const CopyOptions& options) {
  CopyResult out;
  std::map<std::string, std::set<std::string>> done;  // source id -> regions whose copy is completed
  for (const auto& [region, dest] : destinations) {
    RegionCopies copies(ctx, *dest, region, options, &out);
    if (!copies.Look(sources)) continue;
    copies.StartAndWait();
    copies.Finish(&done);
  }
  SettleCopyToTags(ctx, sources, done);
  return out;
}

CopyResult CopyToDestinations(const JobContext& ctx, std::vector<CopySource> sources,
                              const std::set<std::string>& regions, const std::vector<std::string>& volumes,
                              bool with_owed, const CopyOptions& options) {
  CopyResult result;
  if (!ctx.ec2_for_region || regions.empty()) return result;
  if (with_owed) {
    std::set<std::string> mine;
    for (const auto& c : sources) mine.insert(c.snapshot_id);
    auto earlier = FindOwedSources(ctx, volumes, mine);
    if (!earlier.ok()) {
      result.run_errors.push_back(FailureFrom(Step::kCopy, earlier.error()));
    } else {
      for (auto& c : *earlier) {
        // Owed only to regions this run does not copy to: not this run's to copy.
        if (std::any_of(c.owed.begin(), c.owed.end(), [&](const std::string& r) { return regions.count(r) > 0; })) {
          sources.push_back(std::move(c));
        }
      }
    }
  }
  std::map<std::string, std::unique_ptr<aws::Ec2Api>> owned;
  std::map<std::string, aws::Ec2Api*> dest;
  for (const auto& r : regions) {
    owned[r] = ctx.ec2_for_region(r);
    dest[r] = owned[r].get();
  }
  CopyResult copied = CopyToRegions(ctx, sources, dest, options);
  for (auto& e : copied.run_errors) result.run_errors.push_back(std::move(e));
  result.outcomes = std::move(copied.outcomes);
  result.failures = std::move(copied.failures);
  return result;
}

void RecordCopies(CopyResult result, Ledger& ledger, report::SnapshotReport* report) {
  for (const auto& o : result.outcomes) {
    if (!o.this_run_source) {
      report->earlier_copies.push_back(
          {"", o.instance_id, o.source_snapshot_id, o.region, o.copy_id, o.state, o.started, o.lock, o.late});
      continue;
    }
    ledger.Update(o.instance_id, [&](report::InstanceReport& r) {
      for (auto& s : r.snapshots) {
        if (s.snapshot_id == o.source_snapshot_id) {
          s.copies.push_back({o.region, o.copy_id, o.state, o.started, o.lock, o.late});
        }
      }
    });
  }
  for (const auto& entry : result.failures) {
    const report::FailureRecord& failure = entry.second;  // named: the lambda captures it (clang 14)
    if (!ledger.Update(entry.first, [&](report::InstanceReport& r) { r.errors.push_back(failure); })) {
      report->run_errors.push_back(failure);
    }
  }
  for (auto& e : result.run_errors) report->run_errors.push_back(std::move(e));
}

void RetainCopies(const JobContext& ctx, const std::set<std::string>& regions, const RetentionPolicy& policy,
                  const std::set<std::string>& source_volumes, report::SnapshotReport* report) {
  if (!policy.enabled() || !report->run_errors.empty() || ctx.Cancelled() || !ctx.ec2_for_region) return;
  for (const auto& region : regions) {
    auto dest = ctx.ec2_for_region(region);
    ApplyRetention(*dest, policy, source_volumes, ctx.clock->Now(), false, report, kTagSourceVolume, region);
  }
}

void RetainRunCopies(const JobContext& ctx, const spec::JobSpec& spec, const std::vector<std::string>& source_volumes,
                     report::SnapshotReport* report) {
  auto policy = RetentionPolicyOf(spec, ctx.run_id, false);
  if (!policy.ok()) return report->run_errors.push_back(FailureFrom(Step::kRetention, policy.error()));
  RetainCopies(ctx, {spec.copy_to_regions.begin(), spec.copy_to_regions.end()}, *policy,
               {source_volumes.begin(), source_volumes.end()}, report);
}

}  // namespace s3snapshot::job
