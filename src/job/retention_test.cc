#include "job/retention.h"

#include <gtest/gtest.h>

#include <set>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {
namespace {

using testing::FakeClock;
using testing::FakeEc2;

aws::Snapshot Snap(const std::string& id, const std::string& vol, const std::string& day,
                   const std::string& state = "completed", bool ours = true, bool protect = false) {
  aws::Snapshot s;
  s.snapshot_id = id;
  s.volume_id = vol;
  s.state = state;
  s.start_time = "2026-11-" + day + "T03:00:00.000Z";
  if (ours) s.tags.push_back({kTagScripted, kTagScriptedValue});
  if (protect) s.tags.push_back({kTagState, kTagProtected});
  return s;
}

core::WallTime Nov(int day) {
  core::WallTime t;
  core::ParseIso8601("2026-11-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T12:00:00Z", &t);
  return t;
}

RetentionPolicy Policy(int keep, int keep_days) {
  RetentionPolicy p;
  p.keep = keep;
  p.keep_days = keep_days;
  return p;
}

std::set<std::string> Deleted(const std::vector<RetentionDecision>& ds) {
  std::set<std::string> out;
  for (const auto& d : ds) {
    if (d.remove) out.insert(d.snapshot.snapshot_id);
  }
  return out;
}

TEST(PlanRetentionTest, KeepNewestN) {
  auto ds =
      PlanVolumeRetention({Snap("s1", "v", "20"), Snap("s2", "v", "21"), Snap("s3", "v", "22"), Snap("s4", "v", "23")},
                          Policy(2, 0), Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"s1", "s2"}), Deleted(ds));
}

TEST(PlanRetentionTest, NeverManualOrProtectedSnapshots) {
  auto ds = PlanVolumeRetention(
      {Snap("manual", "v", "01", "completed", false), Snap("prot", "v", "02", "completed", true, true),
       Snap("old", "v", "03"), Snap("new", "v", "25")},
      Policy(1, 0), Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"old"}), Deleted(ds));
}

TEST(PlanRetentionTest, TodaysUnfinishedSnapshotDoesNotCostYesterdays) {
  // The bug other tools had: keep 1 deleted yesterday's while today's was still pending (or failed).
  auto ds = PlanVolumeRetention({Snap("today", "v", "26", "pending"), Snap("failed", "v", "26", "error"),
                                 Snap("yesterday", "v", "25"), Snap("older", "v", "24")},
                                Policy(1, 0), Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"older"}), Deleted(ds));
}

TEST(PlanRetentionTest, KeepDaysAndEitherRuleKeeps) {
  std::vector<aws::Snapshot> s = {Snap("d10", "v", "10"), Snap("d20", "v", "20"), Snap("d24", "v", "24"),
                                  Snap("d25", "v", "25")};
  EXPECT_EQ((std::set<std::string>{"d10", "d20"}), Deleted(PlanVolumeRetention(s, Policy(0, 3), Nov(26), false)));
  // keep 3 OR younger than 3 days: d20 is within the newest 3.
  EXPECT_EQ((std::set<std::string>{"d10"}), Deleted(PlanVolumeRetention(s, Policy(3, 3), Nov(26), false)));
}

TEST(PlanRetentionTest, NewestCompletedIsKeptEvenWhenOld) {
  auto ds = PlanVolumeRetention({Snap("only", "v", "01")}, Policy(0, 7), Nov(26), false);
  EXPECT_TRUE(Deleted(ds).empty());
  // An orphan (volume gone, --prune-orphans) does not get that net.
  EXPECT_EQ((std::set<std::string>{"only"}),
            Deleted(PlanVolumeRetention({Snap("only", "v", "01")}, Policy(0, 7), Nov(26), true)));
}

class RetentionJobTest : public testing::JobTest {
 protected:
  RetentionJobTest() {
    // The clock on 2026-11-26, the day of the new snapshots.
    clock_.Advance(std::chrono::duration_cast<core::Duration>(Nov(26) - clock_.Now()));
    ec2_.start_time = "2026-11-26T12:00:00.000Z";
    ctx_.run_id = "run-2";
  }
  report::SnapshotReport Run(spec::JobSpec spec) {
    spec.concurrency = 1;
    return RunSnapshotJob(spec, ctx_);
  }
};

TEST(PlanRetentionTest, NeverThisRunsOwnSnapshotAlsoWithinTheSameSecond) {
  // moto (and a fast run) give two sets of one volume the same start time:
  // ordered by id alone, this run's new set could be "beyond the newest 1".
  for (const char* other_id : {"snap-0", "snap-f"}) {
    aws::Snapshot older = Snap(other_id, "v", "26");
    aws::Snapshot mine = Snap("snap-8", "v", "26");
    mine.tags.push_back({kTagRunId, "run-2"});
    RetentionPolicy policy = Policy(1, 0);
    policy.this_run = "run-2";
    auto ds = PlanVolumeRetention({older, mine}, policy, Nov(26), false);
    EXPECT_EQ((std::set<std::string>{other_id}), Deleted(ds)) << other_id;
    policy.keep_days = 0;
    auto orphan = PlanVolumeRetention({older, mine}, policy, Nov(26), true);
    EXPECT_EQ(0u, Deleted(orphan).count("snap-8")) << "not even as an orphan";
  }
}

TEST_F(RetentionJobTest, PrunesAfterTheNewSnapshotsExistAndReportsInUse) {
  ec2_.snapshot_polls = 1000;  // today's snapshot stays 'pending'
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("old-1", "vol-1", "01"));
  ec2_.AddSnapshot(Snap("old-2", "vol-1", "02"));
  ec2_.AddSnapshot(Snap("old-3", "vol-1", "03"));
  ec2_.AddSnapshot(Snap("manual", "vol-1", "04", "completed", false));
  ec2_.MarkInUse("old-1");
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  report::SnapshotReport r = Run(spec);
  // Today's is pending, so old-3 (newest completed) stays; old-2 goes; old-1 is in use.
  std::map<std::string, std::string> action;
  for (const auto& rr : r.retention) action[rr.snapshot_id] = rr.action;
  EXPECT_EQ("kept", action["old-3"]);
  EXPECT_EQ("deleted", action["old-2"]);
  EXPECT_EQ("kept", action["old-1"]);
  EXPECT_EQ(0u, action.count("manual")) << "manual snapshots are never even listed";
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("in use"));
}

TEST_F(RetentionJobTest, FailedSnapshotSkipsRetentionForThatInstance) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("a", "vol-1", "01"));
  ec2_.AddSnapshot(Snap("b", "vol-1", "02"));
  ec2_.FailNext("CreateSnapshots", core::Error::Make(core::ErrorKind::kInvalidInput, "x", "X"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  Run(spec);
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
}

TEST_F(RetentionJobTest, DryRunDeletesNothing) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("a", "vol-1", "01"));
  ec2_.AddSnapshot(Snap("b", "vol-1", "02"));
  ec2_.AddSnapshot(Snap("c", "vol-1", "03"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  spec.dry_run = true;
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
  std::set<std::string> now, once_completed;
  for (const auto& rr : r.retention) {
    if (rr.action == "would delete") (rr.once_set_completes ? once_completed : now).insert(rr.snapshot_id);
  }
  // On EC2 the new set is pending at retention time: a and b go. Once it has
  // completed it is the newest, and c (the newest today) goes too: the plan
  // names it, so that no run deletes what its plan did not.
  EXPECT_EQ(now, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(once_completed, (std::set<std::string>{"c"}));
  const std::string text = report::ReportToText(r);
  EXPECT_NE(text.find("would delete (once this run's set completes) c "), std::string::npos) << text;
  EXPECT_NE(text.find("3 old snapshot(s) would be deleted (1 once this run's set completes)"), std::string::npos)
      << text;
}

TEST_F(RetentionJobTest, TheRunDeletesNoSnapshotItsPlanDidNotName) {
  // The fake completes the new set at once (as moto does, and EC2 for small
  // volumes with --wait): the run deletes a, b and c, every one planned.
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("a", "vol-1", "01"));
  ec2_.AddSnapshot(Snap("b", "vol-1", "02"));
  ec2_.AddSnapshot(Snap("c", "vol-1", "03"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  spec.dry_run = true;
  std::set<std::string> planned, deleted;
  for (const auto& rr : Run(spec).retention) {
    if (rr.action == "would delete") planned.insert(rr.snapshot_id);
  }
  spec.dry_run = false;
  spec.wait = true;
  for (const auto& rr : Run(spec).retention) {
    if (rr.action == "deleted") deleted.insert(rr.snapshot_id);
  }
  EXPECT_FALSE(deleted.empty());
  for (const auto& id : deleted) EXPECT_TRUE(planned.count(id)) << id << " deleted but never planned";
}

TEST_F(RetentionJobTest, OrphansOnlyWithTheFlag) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("orphan-old", "vol-gone", "01"));
  ec2_.AddSnapshot(Snap("orphan-new", "vol-gone", "02"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep_days = 7;
  Run(spec);
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
  spec.prune_orphans = true;
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ(2, ec2_.CallCount("DeleteSnapshot")) << report::ReportToText(r);
}

// Calendar tiers.

core::WallTime Utc(const std::string& iso) {
  core::WallTime t;
  EXPECT_TRUE(core::ParseIso8601(iso, &t)) << iso;
  return t;
}

// Sets keyed by their start, complete.
std::map<std::string, SetInfo> SetsAt(const std::vector<std::string>& starts) {
  std::map<std::string, SetInfo> sets;
  for (const auto& s : starts) sets[s] = SetInfo{Utc(s), true, true};
  return sets;
}

// Daily sets at 03:00 UTC from `first` to `last` (days since 1970).
std::map<std::string, SetInfo> Daily(core::CivilDay first, core::CivilDay last, const char* at = "T03:00:00Z") {
  std::vector<std::string> starts;
  for (int64_t d = core::DaysFromCivil(first); d <= core::DaysFromCivil(last); ++d) {
    auto c = core::CivilFromDays(d);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%s", c.year, c.month, c.day, at);
    starts.push_back(buf);
  }
  return SetsAt(starts);
}

std::set<std::string> Days(const std::map<std::string, std::string>& keeps) {
  std::set<std::string> out;
  for (const auto& [key, why] : keeps) out.insert(key.substr(0, 10));
  return out;
}

RetentionPolicy Tiers(int daily, int weekly, int monthly, int yearly, const char* zone = "UTC") {
  RetentionPolicy p;
  p.keep_daily = daily;
  p.keep_weekly = weekly;
  p.keep_monthly = monthly;
  p.keep_yearly = yearly;
  p.zone = *core::TimeZone::Load(zone);
  return p;
}

TEST(TierRetentionTest, SevenFourTwelveOverFourHundredDays) {
  auto sets = Daily({2025, 10, 31}, {2026, 12, 4});  // 2026-12-04 is a Friday
  auto keeps = TierKeeps(sets, Tiers(7, 4, 12, 0));
  EXPECT_EQ((std::set<std::string>{"2026-12-04", "2026-12-03", "2026-12-02", "2026-12-01", "2026-11-30", "2026-11-29",
                                   "2026-11-28", "2026-11-22", "2026-11-15", "2026-10-31", "2026-09-30", "2026-08-31",
                                   "2026-07-31", "2026-06-30", "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28",
                                   "2026-01-31"}),
            Days(keeps));
  EXPECT_EQ("daily 2026-12-04, weekly 2026-W49, monthly 2026-12", keeps["2026-12-04T03:00:00Z"]);
  EXPECT_EQ("daily 2026-11-29, weekly 2026-W48", keeps["2026-11-29T03:00:00Z"]);
  EXPECT_EQ("monthly 2026-02", keeps["2026-02-28T03:00:00Z"]);
}

TEST(TierRetentionTest, DaysAreTheZonesAcrossDaylightSavingChanges) {
  // New York springs forward on 2026-03-08: 04:30 UTC is 23:30 EST on the
  // 6th and 7th, but 00:30 EDT on the 9th; no set falls on the 8th there.
  auto sets = SetsAt({"2026-03-07T04:30:00Z", "2026-03-08T04:30:00Z", "2026-03-09T04:30:00Z"});
  auto ny = TierKeeps(sets, Tiers(3, 0, 0, 0, "America/New_York"));
  EXPECT_EQ("daily 2026-03-06", ny["2026-03-07T04:30:00Z"]);
  EXPECT_EQ("daily 2026-03-07", ny["2026-03-08T04:30:00Z"]);
  EXPECT_EQ("daily 2026-03-09", ny["2026-03-09T04:30:00Z"]);
  // Two sets an hour apart around Berlin's midnight: one UTC day, two Berlin days.
  auto late = SetsAt({"2026-10-24T21:30:00Z", "2026-10-24T22:30:00Z"});
  EXPECT_EQ(1u, TierKeeps(late, Tiers(2, 0, 0, 0)).size() - 0) << "UTC: the 24th twice";
  EXPECT_EQ(2u, TierKeeps(late, Tiers(2, 0, 0, 0, "Europe/Berlin")).size()) << "Berlin: the 24th and the 25th";
  // Berlin falls back on 2026-10-25: 22:30 UTC that evening is still the 25th (23:30 CET).
  auto fall = TierKeeps(SetsAt({"2026-10-25T22:30:00Z"}), Tiers(1, 0, 0, 0, "Europe/Berlin"));
  EXPECT_EQ("daily 2026-10-25", fall.begin()->second);
}

TEST(TierRetentionTest, MonthEndsAndLeapYears) {
  auto keeps = TierKeeps(Daily({2024, 2, 27}, {2024, 3, 2}), Tiers(0, 0, 2, 0));
  EXPECT_EQ((std::set<std::string>{"2024-02-29", "2024-03-02"}), Days(keeps));
  keeps = TierKeeps(Daily({2025, 2, 27}, {2025, 3, 2}), Tiers(0, 0, 2, 0));
  EXPECT_EQ((std::set<std::string>{"2025-02-28", "2025-03-02"}), Days(keeps));
  // A month's set late on its last day in UTC belongs to the next month east of UTC.
  keeps = TierKeeps(SetsAt({"2026-04-30T20:00:00Z", "2026-04-29T20:00:00Z"}), Tiers(0, 0, 2, 0, "Asia/Tokyo"));
  EXPECT_EQ("monthly 2026-05", keeps["2026-04-30T20:00:00Z"]);
  EXPECT_EQ("monthly 2026-04", keeps["2026-04-29T20:00:00Z"]);
}

TEST(TierRetentionTest, MissedRunsCostNoOlderSet) {
  auto sets = Daily({2026, 11, 1}, {2026, 11, 10});
  for (auto& [k, v] : Daily({2026, 11, 20}, {2026, 11, 22})) sets[k] = v;
  EXPECT_EQ((std::set<std::string>{"2026-11-22", "2026-11-21", "2026-11-20", "2026-11-10", "2026-11-09"}),
            Days(TierKeeps(sets, Tiers(5, 0, 0, 0))));
}

TEST(TierRetentionTest, YearRolloverAndIsoWeeks) {
  auto keeps = TierKeeps(
      SetsAt({"2025-12-30T03:00:00Z", "2025-12-31T03:00:00Z", "2026-01-01T03:00:00Z", "2026-01-02T03:00:00Z"}),
      Tiers(0, 0, 0, 2));
  EXPECT_EQ((std::set<std::string>{"2025-12-31", "2026-01-02"}), Days(keeps));
  // 2026-12-31 (Thursday) to 2027-01-03 (Sunday) are all week 53 of 2026.
  keeps = TierKeeps(Daily({2026, 12, 27}, {2027, 1, 4}), Tiers(0, 2, 0, 0));
  EXPECT_EQ("weekly 2027-W01", keeps["2027-01-04T03:00:00Z"]);
  EXPECT_EQ("weekly 2026-W53", keeps["2027-01-03T03:00:00Z"]);
  EXPECT_EQ(2u, keeps.size());
}

TEST(TierRetentionTest, OnlyCompleteSetsCount) {
  // Sunday's run failed on one volume: Saturday's set is that week's.
  auto sets = Daily({2026, 11, 21}, {2026, 11, 29});  // Sat 21 .. Sun 29
  sets["2026-11-29T03:00:00Z"].complete = false;
  auto keeps = TierKeeps(sets, Tiers(0, 2, 0, 0));
  EXPECT_EQ((std::set<std::string>{"2026-11-28", "2026-11-22"}), Days(keeps));
}

TEST(TierRetentionTest, AChangedPolicyOnlyNarrowsWhatItKeeps) {
  auto sets = Daily({2025, 10, 31}, {2026, 12, 4});
  auto wide = Days(TierKeeps(sets, Tiers(7, 4, 12, 2)));
  auto narrow = Days(TierKeeps(sets, Tiers(3, 0, 6, 0)));
  for (const auto& d : narrow) EXPECT_TRUE(wide.count(d)) << d;
  EXPECT_EQ(8u, narrow.size());  // Dec 4, 3, 2 and the ends of Nov, Oct, Sep, Aug, Jul
  EXPECT_EQ(20u, wide.size());   // the 19 of 7/4/12, and 2025's last
}

TEST(TierRetentionTest, PlanKeepsWholeSetsAndSaysWhy) {
  // Two volumes of one instance; the newest set is incomplete on vol-b.
  auto snap = [](const std::string& id, const std::string& vol, const std::string& day, const std::string& state) {
    aws::Snapshot s = Snap(id, vol, day, state);
    s.tags.push_back({kTagRunId, "run-" + day});
    s.tags.push_back({kTagInstanceId, "i-1"});
    return s;
  };
  std::vector<aws::Snapshot> a = {snap("a20", "vol-a", "20", "completed"), snap("a21", "vol-a", "21", "completed"),
                                  snap("a22", "vol-a", "22", "completed")};
  std::vector<aws::Snapshot> all = a;
  for (const char* day : {"20", "21"}) all.push_back(snap(std::string("b") + day, "vol-b", day, "completed"));
  all.push_back(snap("b22", "vol-b", "22", "error"));
  auto sets = SetsOf(all);
  RetentionPolicy p = Tiers(1, 0, 0, 0);
  auto ds = PlanVolumeRetention(a, p, Nov(26), false, &sets);
  // a22 is vol-a's newest completed (always kept), but its set is incomplete:
  // the daily tier's day is taken by... nothing newer, so the 21st's set is the
  // newest complete one; the 20th goes.
  EXPECT_EQ((std::set<std::string>{"a20"}), Deleted(ds));
  std::map<std::string, std::string> why;
  for (const auto& d : ds) why[d.snapshot.snapshot_id] = d.reason;
  EXPECT_EQ("daily 2026-11-21", why["a21"]);
  EXPECT_EQ("not the newest complete set of one of the last 1 day", why["a20"]);
}

TEST_F(RetentionJobTest, EachLabelIsItsOwnSchedule) {
  ec2_.snapshot_polls = 1000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  for (const char* day : {"01", "02", "03"}) {
    for (const char* label : {"nightly", "adhoc"}) {
      aws::Snapshot s = Snap(std::string(label) + day, "vol-1", day);
      s.tags.push_back({kTagLabel, label});
      ec2_.AddSnapshot(s);
    }
  }
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.label = "nightly";
  spec.keep = 1;
  report::SnapshotReport r = Run(spec);
  std::map<std::string, std::string> action;
  for (const auto& rr : r.retention) action[rr.snapshot_id] = rr.action;
  EXPECT_EQ((std::map<std::string, std::string>{
                {"nightly01", "deleted"}, {"nightly02", "deleted"}, {"nightly03", "kept"}, {"snap-1", "kept"}}),
            action)
      << "the adhoc sets are another schedule's: not even listed (snap-1 is this run's, pending)";
}

TEST_F(RetentionJobTest, ALockedSnapshotIsKeptAndNeverSentToDeleteSnapshot) {
  ec2_.snapshot_polls = 1000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  for (const char* id : {"old-1", "old-2", "old-3"}) ec2_.AddSnapshot(Snap(id, "vol-1", std::string("0") + id[4]));
  aws::SnapshotLock lock;
  lock.snapshot_id = "old-1";
  lock.lock_state = "governance";
  lock.lock_expires_on = "2027-01-01T00:00:00.000Z";
  ec2_.PutLock(lock);
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  for (bool dry : {true, false}) {
    spec.dry_run = dry;
    report::SnapshotReport r = Run(spec);
    std::map<std::string, report::RetentionRecord> rec;
    for (const auto& rr : r.retention) rec[rr.snapshot_id] = rr;
    EXPECT_EQ("kept", rec["old-1"].action) << dry;
    EXPECT_EQ("locked (governance) until 2027-01-01T00:00:00.000Z", rec["old-1"].reason);
    EXPECT_EQ(dry ? "would delete" : "deleted", rec["old-2"].action);
    EXPECT_NE(std::string::npos, report::ReportToText(r).find("1 kept (locked)"));
    EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  }
  EXPECT_EQ(0, ec2_.deletes_of_locked);
  EXPECT_EQ(1, ec2_.CallCount("DeleteSnapshot"));
}

TEST_F(RetentionJobTest, WithoutLeaveToReadLocksEc2RefusesTheLockedOneAndItIsKept) {
  ec2_.snapshot_polls = 1000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  for (const char* id : {"old-1", "old-2", "old-3"}) ec2_.AddSnapshot(Snap(id, "vol-1", std::string("0") + id[4]));
  aws::SnapshotLock lock;
  lock.snapshot_id = "old-1";
  lock.lock_state = "compliance";
  ec2_.PutLock(lock);
  ec2_.FailNext("DescribeLockedSnapshots",
                core::Error::Make(core::ErrorKind::kAuth, "not authorized", "UnauthorizedOperation"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  report::SnapshotReport r = Run(spec);
  std::map<std::string, report::RetentionRecord> rec;
  for (const auto& rr : r.retention) rec[rr.snapshot_id] = rr;
  EXPECT_EQ("kept", rec["old-1"].action);
  EXPECT_EQ(0u, rec["old-1"].reason.rfind("locked: ", 0)) << rec["old-1"].reason;
  EXPECT_EQ("deleted", rec["old-2"].action);
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(1u, r.warnings.size());
  EXPECT_NE(std::string::npos, r.warnings[0].find("grant ec2:DescribeLockedSnapshots"));
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("warning: retention could not read snapshot locks"));
}

TEST_F(RetentionJobTest, AnUnreadableLockDeletesNothing) {
  ec2_.snapshot_polls = 1000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  for (const char* id : {"old-1", "old-2"}) ec2_.AddSnapshot(Snap(id, "vol-1", std::string("0") + id[4]));
  ec2_.FailNext("DescribeLockedSnapshots", core::Error::Make(core::ErrorKind::kTransient, "oops", "InternalError"));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.keep = 1;
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
  ASSERT_EQ(1u, r.run_errors.size());
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("reading snapshot locks (nothing was deleted)"));
}

}  // namespace
}  // namespace s3snapshot::job
