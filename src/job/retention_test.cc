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
                          {2, 0, false, ""}, Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"s1", "s2"}), Deleted(ds));
}

TEST(PlanRetentionTest, NeverManualOrProtectedSnapshots) {
  auto ds = PlanVolumeRetention(
      {Snap("manual", "v", "01", "completed", false), Snap("prot", "v", "02", "completed", true, true),
       Snap("old", "v", "03"), Snap("new", "v", "25")},
      {1, 0, false, ""}, Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"old"}), Deleted(ds));
}

TEST(PlanRetentionTest, TodaysUnfinishedSnapshotDoesNotCostYesterdays) {
  // The bug other tools had: keep 1 deleted yesterday's while today's was still pending (or failed).
  auto ds = PlanVolumeRetention({Snap("today", "v", "26", "pending"), Snap("failed", "v", "26", "error"),
                                 Snap("yesterday", "v", "25"), Snap("older", "v", "24")},
                                {1, 0, false, ""}, Nov(26), false);
  EXPECT_EQ((std::set<std::string>{"older"}), Deleted(ds));
}

TEST(PlanRetentionTest, KeepDaysAndEitherRuleKeeps) {
  std::vector<aws::Snapshot> s = {Snap("d10", "v", "10"), Snap("d20", "v", "20"), Snap("d24", "v", "24"),
                                  Snap("d25", "v", "25")};
  EXPECT_EQ((std::set<std::string>{"d10", "d20"}), Deleted(PlanVolumeRetention(s, {0, 3, false, ""}, Nov(26), false)));
  // keep 3 OR younger than 3 days: d20 is within the newest 3.
  EXPECT_EQ((std::set<std::string>{"d10"}), Deleted(PlanVolumeRetention(s, {3, 3, false, ""}, Nov(26), false)));
}

TEST(PlanRetentionTest, NewestCompletedIsKeptEvenWhenOld) {
  auto ds = PlanVolumeRetention({Snap("only", "v", "01")}, {0, 7, false, ""}, Nov(26), false);
  EXPECT_TRUE(Deleted(ds).empty());
  // An orphan (volume gone, --prune-orphans) does not get that net.
  EXPECT_EQ((std::set<std::string>{"only"}),
            Deleted(PlanVolumeRetention({Snap("only", "v", "01")}, {0, 7, true, ""}, Nov(26), true)));
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
    RetentionPolicy policy{1, 0, false, "run-2"};
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

}  // namespace
}  // namespace s3snapshot::job
