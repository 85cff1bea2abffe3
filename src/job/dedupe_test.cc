#include "job/dedupe.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

using testing::FakeClock;
using testing::FakeEc2;

// FakeClock's wall time is 2023-11-14T22:13:20Z.
constexpr char kNow[] = "2023-11-14T22:13:20.000Z";

class MinIntervalTest : public ::testing::Test {
 protected:
  report::SnapshotReport Run(spec::JobSpec spec, const std::string& run_id) {
    JobContext ctx;
    ctx.ec2 = &ec2_;
    ctx.clock = &clock_;
    ctx.cancel = &cancel_;
    ctx.run_id = run_id;
    spec.concurrency = 1;
    return RunSnapshotJob(spec, ctx);
  }
  spec::JobSpec Spec(std::vector<std::string> ids, std::chrono::seconds window, std::string label = "") {
    spec::JobSpec s;
    s.instance_ids = std::move(ids);
    s.min_interval = window;
    s.label = std::move(label);
    return s;
  }
  // A set of another run's, begun at `start`.
  void OtherSet(const std::string& instance, const std::string& run, const std::string& start,
                const std::string& label = "", const std::string& state = "completed") {
    aws::Snapshot s;
    s.snapshot_id = "snap-" + run + "-" + instance;
    s.volume_id = "vol-" + instance;
    s.state = state;
    s.start_time = start;
    s.tags = {{kTagScripted, kTagScriptedValue}, {kTagInstanceId, instance}, {kTagRunId, run}};
    if (!label.empty()) s.tags.push_back({kTagLabel, label});
    ec2_.AddSnapshot(s);
  }
  int SetsOf(const std::string& instance) {
    std::set<std::string> runs;
    for (const auto& s : ec2_.AllSnapshots()) {
      if (s.TagValue(kTagInstanceId) == instance) runs.insert(s.TagValue(kTagRunId));
    }
    return static_cast<int>(runs.size());
  }
  FakeEc2 ec2_;
  FakeClock clock_;
  CancelToken cancel_;
};

TEST_F(MinIntervalTest, AnInstanceWithARecentSetIsSkippedNotFailed) {
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-2"});
  OtherSet("i-00000001", "run-0", "2023-11-14T10:00:00.000Z");  // 12 h ago
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002"}, std::chrono::hours(20)), "run-1");
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_NE(std::string::npos, r.instances[0].skipped.find("run-0")) << r.instances[0].skipped;
  EXPECT_FALSE(r.instances[0].snapshotted);
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots")) << "only the other instance";
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("skipped (recent)"));
}

TEST_F(MinIntervalTest, OlderSetsErroredSetsAndOtherLabelsDoNotCount) {
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  OtherSet("i-00000001", "run-a", "2023-11-13T22:00:00.000Z");               // 24 h ago
  OtherSet("i-00000001", "run-b", "2023-11-14T21:00:00.000Z", "", "error");  // failed
  OtherSet("i-00000001", "run-c", "2023-11-14T21:00:00.000Z", "weekly");     // another label
  report::SnapshotReport r = Run(Spec({"i-00000001"}, std::chrono::hours(20)), "run-1");
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_TRUE(r.instances[0].skipped.empty());
  EXPECT_TRUE(r.instances[0].snapshotted);
}

TEST_F(MinIntervalTest, ARecentInstanceIsNotStoppedEither) {
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  OtherSet("i-00000001", "run-0", "2023-11-14T22:00:00.000Z");
  spec::JobSpec spec = Spec({"i-00000001"}, std::chrono::hours(1));
  spec.stop = true;
  report::SnapshotReport r = Run(spec, "run-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(0, ec2_.CallCount("StopInstances"));
  EXPECT_EQ("running", ec2_.State("i-00000001"));
}

TEST_F(MinIntervalTest, OfTwoOverlappingRunsTheLaterSetYieldsAndIsDeleted) {
  // Both runs checked before either had created: simulate the other run's
  // set appearing, begun earlier, while this run's CreateSnapshots is in flight.
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.on_call = [this](const std::string& action) {
    if (action == "CreateSnapshots") OtherSet("i-00000001", "run-0", "2023-11-14T22:13:19.000Z");
  };
  report::SnapshotReport r = Run(Spec({"i-00000001"}, std::chrono::hours(20)), "run-1");
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_NE(std::string::npos, r.instances[0].skipped.find("was deleted")) << r.instances[0].skipped;
  EXPECT_TRUE(r.instances[0].snapshots.empty());
  EXPECT_EQ(1, SetsOf("i-00000001")) << "one set per instance";
  EXPECT_EQ(1, ec2_.CallCount("DeleteSnapshot"));
  EXPECT_EQ(0, ec2_.CallCount("CreateTags")) << "no device tags on a deleted set";
}

TEST_F(MinIntervalTest, TheEarlierSetIsKeptByTheRunThatMadeIt) {
  // The other run's set began at the same second: the smaller run id wins,
  // so run-1 (this one) keeps its set and run-2 would delete its own.
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.on_call = [this](const std::string& action) {
    if (action == "CreateSnapshots") OtherSet("i-00000001", "run-2", kNow);
  };
  report::SnapshotReport r = Run(Spec({"i-00000001"}, std::chrono::hours(20)), "run-1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.instances[0].skipped.empty());
  EXPECT_TRUE(r.instances[0].snapshotted);
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
}

TEST_F(MinIntervalTest, AProtectedDuplicateIsKeptWithAWarning) {
  ec2_.start_time = kNow;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.on_call = [this](const std::string& action) {
    if (action == "CreateSnapshots") OtherSet("i-00000001", "run-0", "2023-11-14T22:13:19.000Z");
  };
  spec::JobSpec spec = Spec({"i-00000001"}, std::chrono::hours(20));
  spec.protect = true;
  report::SnapshotReport r = Run(spec, "run-1");
  EXPECT_EQ(0, ec2_.CallCount("DeleteSnapshot"));
  ASSERT_FALSE(r.instances[0].warnings.empty());
  EXPECT_NE(std::string::npos, r.instances[0].warnings[0].find("protected"));
}

TEST_F(MinIntervalTest, AFailedLookupIsAWarningAndTheSnapshotIsStillTaken) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("DescribeSnapshots", core::Error::Make(core::ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  report::SnapshotReport r = Run(Spec({"i-00000001"}, std::chrono::hours(20)), "run-1");
  EXPECT_TRUE(r.instances[0].snapshotted) << "a missing snapshot is worse than a second one";
  ASSERT_FALSE(r.instances[0].warnings.empty());
  EXPECT_NE(std::string::npos, r.instances[0].warnings[0].find("--min-interval not applied"));
}

}  // namespace
}  // namespace s3snapshot::job
