#include "job/audit.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/chunks.h"
#include "core/parse.h"
#include "core/worker_pool.h"
#include "job/drill.h"
#include "job/select.h"
#include "job/tags.h"
#include "report/audit_report.h"

namespace s3snapshot::job {

using report::AuditVolume;
using report::Failure;
using report::FailureFrom;
using report::Step;

namespace {

using core::LogLevel;

std::string Age(long long seconds) { return report::HumanAge(seconds); }

// What the audit knows of one volume's snapshots in one region.
struct Judged {
  const aws::Snapshot* newest_completed = nullptr;
  const aws::Snapshot* newest_any = nullptr;
  std::vector<const aws::Snapshot*> pending_too_long;
};

class Auditor {
 public:
  Auditor(const spec::JobSpec& spec, const JobContext& ctx) : spec_(spec), ctx_(ctx), now_(ctx.clock->Now()) {}

  report::AuditReport Run();

 private:
  long long AgeOf(const aws::Snapshot& s) const {
    core::WallTime t;
    if (!core::ParseIso8601(s.start_time, &t)) return -1;
    return std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(now_ - t).count());
  }
  bool Counts(const aws::Snapshot& s) const {
    if (s.TagValue(kTagScripted) == kTagScriptedValue) {
      return spec_.label.empty() || s.TagValue(kTagLabel) == spec_.label;
    }
    return spec_.include_foreign;
  }
  report::AuditSnapshot Describe(const aws::Snapshot& s) const {
    return report::AuditSnapshot{s.snapshot_id, s.start_time, s.state, s.progress, SnapshotOwner(s), AgeOf(s)};
  }
  Judged Judge(const std::vector<aws::Snapshot>& snapshots) const;
  // Findings of one volume's snapshots (`prefix` "" for the volume itself,
  // "copy-" for its copies in `where`).
  void Find(const Judged& j, const std::string& prefix, const std::string& where, AuditVolume* v) const;
  // Every page of DescribeSnapshots for `volumes` in chunks; snapshots by
  // the volume they belong to (`key`: the volume id, or for copies the
  // source-volume tag). False when a lookup failed (recorded).
  bool Lookup(aws::Ec2Api& ec2, const std::vector<std::string>& volumes, bool copies,
              std::map<std::string, std::vector<aws::Snapshot>>* out);
  void Unknown(const std::string& why);
  // --max-drill-age: each instance's newest successful drill (the
  // s3snapshot:drilled tags of its volumes' snapshots); "not-drilled" on
  // its volumes when there is none that recent.
  void FindUndrilled(const std::map<std::string, std::vector<aws::Snapshot>>& by_volume);
  // --require-lock: "unlocked" on each volume whose newest completed
  // snapshot holds no lock (one DescribeLockedSnapshots lookup).
  void FindUnlocked(const std::map<std::string, std::vector<aws::Snapshot>>& by_volume);

  const spec::JobSpec& spec_;
  const JobContext& ctx_;
  const core::WallTime now_;
  report::AuditReport report_;
};

Judged Auditor::Judge(const std::vector<aws::Snapshot>& snapshots) const {
  Judged j;
  auto newer = [](const aws::Snapshot* a, const aws::Snapshot& b) {
    return a == nullptr || b.start_time > a->start_time ||
           (b.start_time == a->start_time && b.snapshot_id > a->snapshot_id);
  };
  for (const auto& s : snapshots) {
    if (!Counts(s)) continue;
    if (newer(j.newest_any, s)) j.newest_any = &s;
    if (s.state == "completed" && newer(j.newest_completed, s)) j.newest_completed = &s;
    if (s.state == "pending" && AgeOf(s) > spec_.max_pending.count()) j.pending_too_long.push_back(&s);
  }
  return j;
}

void Auditor::Find(const Judged& j, const std::string& prefix, const std::string& where, AuditVolume* v) const {
  const std::string what = prefix.empty() ? "snapshot" : "copy in " + where;
  if (j.newest_completed == nullptr) {
    std::string msg = "no completed " + what;
    if (j.newest_any != nullptr) msg += " (newest: " + j.newest_any->snapshot_id + ", " + j.newest_any->state + ")";
    v->findings.push_back({prefix + "missing", msg});
  } else if (AgeOf(*j.newest_completed) > spec_.max_age.count()) {
    v->findings.push_back(
        {prefix + "too-old", "newest completed " + what + " " + j.newest_completed->snapshot_id + " began " +
                                 report::HumanAgeBeyond(AgeOf(*j.newest_completed), spec_.max_age.count()) +
                                 " ago (at most " + Age(spec_.max_age.count()) + ")"});
  }
  if (j.newest_any != nullptr && j.newest_any->state == "error") {
    const aws::Snapshot& e = *j.newest_any;
    v->findings.push_back({prefix + "error", "the newest " + what + " " + e.snapshot_id + " (begun " + e.start_time +
                                                 ") ended in state 'error'" +
                                                 (e.state_message.empty() ? "" : ": " + e.state_message)});
  }
  for (const aws::Snapshot* p : j.pending_too_long) {
    v->findings.push_back({prefix + "pending", what + " " + p->snapshot_id + " still pending (" + p->progress + ") " +
                                                   report::HumanAgeBeyond(AgeOf(*p), spec_.max_pending.count()) +
                                                   " after it began (at most " + Age(spec_.max_pending.count()) + ")"});
  }
}

void Auditor::FindUndrilled(const std::map<std::string, std::vector<aws::Snapshot>>& by_volume) {
  std::map<std::string, core::WallTime> newest;  // instance -> its newest passed drill
  for (const auto& v : report_.volumes) {
    auto it = by_volume.find(v.volume_id);
    for (const auto& s : it == by_volume.end() ? std::vector<aws::Snapshot>{} : it->second) {
      core::WallTime when{};
      bool passed = false;
      if (!ParseDrilledTag(s.TagValue(kTagDrilled), &when, &passed) || !passed) continue;
      auto [n, fresh] = newest.emplace(v.instance_id, when);
      if (!fresh && when > n->second) n->second = when;
    }
  }
  for (auto& v : report_.volumes) {
    if (v.volume_id.empty() || v.excluded) continue;
    auto n = newest.find(v.instance_id);
    const long long age =
        n == newest.end() ? -1 : std::chrono::duration_cast<std::chrono::seconds>(now_ - n->second).count();
    if (age >= 0 && age <= spec_.max_drill_age.count()) continue;
    v.findings.push_back(
        {"not-drilled", "no successful drill of " + v.instance_id +
                            (age < 0 ? std::string(" on record")
                                     : " since " + report::HumanAgeBeyond(age, spec_.max_drill_age.count()) + " ago") +
                            " (s3snapshot drill; at most " + Age(spec_.max_drill_age.count()) + ")"});
  }
}

void Auditor::FindUnlocked(const std::map<std::string, std::vector<aws::Snapshot>>& by_volume) {
  std::map<std::string, std::string> newest;  // volume -> its newest completed snapshot
  for (const auto& [volume, snaps] : by_volume) {
    Judged j = Judge(snaps);
    if (j.newest_completed != nullptr) newest[volume] = j.newest_completed->snapshot_id;
  }
  std::vector<std::string> ids;
  for (const auto& [volume, id] : newest) ids.push_back(id);
  auto locks = aws::LocksOf(*ctx_.ec2, ids);
  if (!locks.ok()) {
    report_.run_errors.push_back(FailureFrom(Step::kAudit, locks.error().WithContext("reading snapshot locks")));
  }
  for (auto& v : report_.volumes) {
    auto n = newest.find(v.volume_id);
    if (v.excluded || n == newest.end()) continue;  // no snapshot: "missing" says it
    if (!locks.ok()) {
      v.findings.push_back({"unknown", "whether " + n->second + " is locked could not be looked up"});
    } else if (!locks->count(n->second)) {
      v.findings.push_back({"unlocked", "the newest snapshot " + n->second +
                                            " is not locked (EBS snapshot lock: s3snapshot --lock-mode)"});
    }
  }
}

bool Auditor::Lookup(aws::Ec2Api& ec2, const std::vector<std::string>& volumes, bool copies,
                     std::map<std::string, std::vector<aws::Snapshot>>* out) {
  const auto chunks = core::Chunks(volumes, kAuditVolumesPerCall);
  // A few lookups in flight (the client's rate limiter paces them); each
  // chunk's answer in its own slot, merged in order afterwards.
  std::vector<std::optional<core::Result<std::vector<aws::Snapshot>>>> found(chunks.size());
  {
    core::WorkerPool pool(
        static_cast<int>(std::min<size_t>(kAuditLookupsInFlight, std::max<size_t>(1, chunks.size()))));
    for (size_t i = 0; i < chunks.size(); ++i) {
      pool.Submit([&, i] {
        if (ctx_.Cancelled()) return;
        // A chunk each (four in flight): DescribeOwnSnapshots on one chunk is one paged lookup.
        std::vector<aws::Filter> filters;
        if (copies) {
          filters = {{std::string("tag:") + kTagSourceRegion, {ctx_.ec2->region()}}};
        } else if (!spec_.include_foreign) {
          filters = {{std::string("tag:") + kTagScripted, {kTagScriptedValue}}};
        }
        found[i] = aws::DescribeOwnSnapshots(
            ec2, filters, copies ? std::string("tag:") + kTagSourceVolume : "volume-id", chunks[i], 1000);
      });
    }
    pool.Wait();
  }
  for (auto& f : found) {
    if (!f.has_value()) {
      if (ctx_.Cancelled()) {
        report_.cancelled = true;
        report_.cancel_reason = ctx_.CancelReason();
      } else {
        report_.run_errors.push_back(Failure(Step::kAudit, "InternalError", "a snapshot lookup did not complete"));
      }
      return false;
    }
    if (!f->ok()) {
      report_.run_errors.push_back(FailureFrom(
          Step::kAudit,
          f->error().WithContext(copies ? "looking up the copies in " + ec2.region() : "looking up snapshots")));
      return false;
    }
    for (auto& snap : **f) {
      std::string key = copies ? snap.TagValue(kTagSourceVolume) : snap.volume_id;
      (*out)[key].push_back(std::move(snap));
    }
  }
  return true;
}

report::AuditReport Auditor::Run() {
  auto t0 = ctx_.clock->Steady();
  report_.run_id = ctx_.run_id;
  report_.region = ctx_.ec2->region();
  report_.label = spec_.label;
  report_.started_at = core::FormatIso8601(now_);
  report_.policy = "newest completed snapshot at most " + Age(spec_.max_age.count()) + " old, none pending over " +
                   Age(spec_.max_pending.count()) + "; " +
                   (spec_.include_foreign ? "any snapshot counts" : "the tool's snapshots count") +
                   (spec_.label.empty() ? "" : " (label " + spec_.label + ")");
  for (const auto& r : spec_.copy_to_regions) report_.policy += "; copies in " + r;
  if (spec_.max_drill_age.count() > 0)
    report_.policy += "; a successful drill at most " + Age(spec_.max_drill_age.count()) + " ago";
  if (spec_.require_lock) report_.policy += "; the newest snapshot locked";

  auto sel = SelectWithRetries(ctx_, spec_);
  if (!sel.ok()) {
    report_.selection_failed = true;
    report_.run_errors.push_back(FailureFrom(Step::kSelect, sel.error()));
  } else {
    report_.not_found = sel->not_found;
    report_.not_matching_tags = sel->not_matching_tags;
    std::vector<std::string> volume_ids;
    for (const auto& inst : sel->instances) {
      AuditVolume base;
      base.instance_id = inst.instance_id;
      base.name = inst.TagValue("Name");
      base.instance_state = inst.state;
      if (inst.block_devices.empty()) {
        base.findings.push_back({"no-ebs-volume", "no EBS volume attached: nothing can protect it with snapshots"});
        report_.volumes.push_back(base);
      }
      for (const auto& d : inst.block_devices) {
        AuditVolume v = base;
        v.device = d.device_name;
        v.volume_id = d.volume_id;
        volume_ids.push_back(d.volume_id);
        report_.volumes.push_back(std::move(v));
      }
    }
    std::sort(volume_ids.begin(), volume_ids.end());
    volume_ids.erase(std::unique(volume_ids.begin(), volume_ids.end()), volume_ids.end());
    // Volumes left out on purpose (the opt-out tag) are listed, not judged.
    std::set<std::string> opted_out;
    if (!volume_ids.empty()) {
      auto tagged = ctx_.ec2->VolumesTagged(volume_ids, kTagExclude, kTagExcludeValue);
      if (tagged.ok()) {
        opted_out.insert(tagged->begin(), tagged->end());
      } else {
        report_.run_errors.push_back(
            FailureFrom(Step::kSelect, tagged.error().WithContext(std::string("reading the volumes' ") + kTagExclude +
                                                                  " tags; every volume is judged")));
      }
      for (auto& v : report_.volumes) v.excluded = opted_out.count(v.volume_id) > 0;
      volume_ids.erase(std::remove_if(volume_ids.begin(), volume_ids.end(),
                                      [&](const std::string& id) { return opted_out.count(id) > 0; }),
                       volume_ids.end());
    }
    ctx_.Log(LogLevel::kInfo, "auditing " + std::to_string(volume_ids.size()) + " volume(s) of " +
                                  std::to_string(sel->instances.size()) + " instance(s) in " + report_.region);

    std::map<std::string, std::vector<aws::Snapshot>> by_volume;
    bool known = Lookup(*ctx_.ec2, volume_ids, false, &by_volume);
    std::vector<std::pair<std::string, std::map<std::string, std::vector<aws::Snapshot>>>> copies;
    std::vector<bool> copies_known;
    for (const auto& region : spec_.copy_to_regions) {
      copies.emplace_back(region, std::map<std::string, std::vector<aws::Snapshot>>{});
      bool ok = false;
      if (known && ctx_.ec2_for_region) {
        auto dest = ctx_.ec2_for_region(region);
        ok = Lookup(*dest, volume_ids, true, &copies.back().second);
      }
      copies_known.push_back(ok);
    }
    for (auto& v : report_.volumes) {
      if (v.volume_id.empty() || v.excluded) continue;
      if (!known) {
        v.findings.push_back({"unknown", report_.cancelled ? "not looked at: the audit was cancelled"
                                                           : "its snapshots could not be looked up (see the errors)"});
        continue;
      }
      static const std::vector<aws::Snapshot> kNone;
      auto it = by_volume.find(v.volume_id);
      Judged j = Judge(it == by_volume.end() ? kNone : it->second);
      if (j.newest_completed != nullptr) v.newest = Describe(*j.newest_completed);
      Find(j, "", "", &v);
      for (size_t c = 0; c < copies.size(); ++c) {
        report::AuditCopy copy{copies[c].first, {}};
        if (!copies_known[c]) {
          v.findings.push_back({"unknown", "its copies in " + copy.region + " could not be looked up"});
          v.copies.push_back(copy);
          continue;
        }
        auto ct = copies[c].second.find(v.volume_id);
        Judged cj = Judge(ct == copies[c].second.end() ? kNone : ct->second);
        if (cj.newest_completed != nullptr) copy.newest = Describe(*cj.newest_completed);
        Find(cj, "copy-", copy.region, &v);
        v.copies.push_back(copy);
      }
    }
    if (known && spec_.max_drill_age.count() > 0) FindUndrilled(by_volume);
    if (known && spec_.require_lock) FindUnlocked(by_volume);
  }
  int unprotected = report_.UnprotectedCount();
  ctx_.Log(unprotected > 0 ? LogLevel::kWarn : LogLevel::kInfo,
           "audit of " + report_.region + ": " + std::to_string(report_.volumes.size()) + " volume(s), " +
               std::to_string(unprotected) + " unprotected");
  report_.finished_at = core::FormatIso8601(ctx_.clock->Now());
  report_.seconds = std::chrono::duration<double>(ctx_.clock->Steady() - t0).count();
  return std::move(report_);
}

}  // namespace

std::string SnapshotOwner(const aws::Snapshot& s) {
  if (s.TagValue(kTagScripted) == kTagScriptedValue) return "s3snapshot";
  if (!s.TagValue("aws:dlm:lifecycle-policy-id").empty()) return "dlm";
  if (!s.TagValue("aws:backup:source-resource").empty() ||
      s.description.find("created by the AWS Backup service") != std::string::npos) {
    return "aws-backup";
  }
  return "other";
}

report::AuditReport RunAudit(const spec::JobSpec& spec, const JobContext& ctx) {
  JobContext c = ctx;
  if (c.run_id.empty()) c.run_id = NewRunId(*ctx.clock);
  return Auditor(spec, c).Run();
}

}  // namespace s3snapshot::job
