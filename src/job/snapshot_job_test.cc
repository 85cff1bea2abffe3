#include "job/snapshot_job.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;
using testing::FakeClock;
using testing::FakeEc2;

class SnapshotJobTest : public ::testing::Test {
 protected:
  Report Run(const JobSpec& spec) {
    JobContext ctx;
    ctx.ec2 = &ec2_;
    ctx.clock = &clock_;
    ctx.cancel = &cancel_;
    ctx.run_id = "run-1";
    return RunSnapshotJob(spec, ctx);
  }
  JobSpec Spec(std::vector<std::string> ids, bool stop = false) {
    JobSpec s;
    s.instance_ids = std::move(ids);
    s.stop = stop;
    s.concurrency = 2;
    return s;
  }
  int SnapshotsOf(const std::string& id) {
    int n = 0;
    for (const auto& s : ec2_.AllSnapshots()) n += s.TagValue(kTagInstanceId) == id;
    return n;
  }
  FakeEc2 ec2_;
  FakeClock clock_;
  CancelToken cancel_;
};

TEST_F(SnapshotJobTest, SnapshotsEveryVolumeWithOneCallPerInstance) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  Report r = Run(Spec({"i-00000001", "i-00000002"}));
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(3, r.SnapshotCount());
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(0, ec2_.CallCount("StopInstances"));
  EXPECT_EQ("running", ec2_.State("i-00000001"));
}

TEST_F(SnapshotJobTest, WaitsThroughStoppingThenSnapshotsThenStarts) {
  ec2_.stopping_polls = 3;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  Report r = Run(Spec({"i-00000001"}, /*stop=*/true));
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_TRUE(r.instances[0].stopped_by_run);
  EXPECT_TRUE(r.instances[0].restarted);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  auto calls = ec2_.calls();
  auto pos = [&](const std::string& a) { return std::find(calls.begin(), calls.end(), a) - calls.begin(); };
  EXPECT_LT(pos("StopInstances"), pos("CreateSnapshots"));
  EXPECT_LT(pos("CreateSnapshots"), pos("StartInstances"));
  EXPECT_GE(ec2_.CallCount("DescribeInstances"), 4) << "polled until 'stopped'";
  EXPECT_FALSE(clock_.sleeps().empty()) << "with backoff between polls";
}

TEST_F(SnapshotJobTest, AlreadyStoppedInstancesAreLeftStopped) {
  ec2_.AddInstance("i-00000001", {"vol-1"}, "stopped");
  Report r = Run(Spec({"i-00000001"}, true));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.instances[0].stopped_by_run);
  EXPECT_EQ(0, ec2_.CallCount("StartInstances"));
  EXPECT_EQ("stopped", ec2_.State("i-00000001"));
}

TEST_F(SnapshotJobTest, FailedSnapshotStillRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kInvalidInput, "bad", "InvalidParameterValue"));
  Report r = Run(Spec({"i-00000001"}, true));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.instances[0].restarted);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.LeftStopped().empty());
}

TEST_F(SnapshotJobTest, RetriesThrottledCreateSnapshotsThenSucceeds) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kThrottled, "slow", "RequestLimitExceeded"), 2);
  Report r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(3, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(2, SnapshotsOf("i-00000001"));
}

TEST_F(SnapshotJobTest, ASelectionNothingReachedIsNotAskedAgainButABrokenAnswerIs) {
  // Refused, DNS, TLS: the client's attempts were the bound; a closed port
  // must fail in seconds, not in rounds of them.
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("DescribeInstances", Error::Make(ErrorKind::kTransport, "Connection refused", ""), 1);
  Report r = Run(Spec({"i-00000001"}));
  EXPECT_TRUE(r.selection_failed);
  EXPECT_EQ(1, ec2_.CallCount("DescribeInstances"));
  ec2_.FailNext("DescribeInstances", Error::Make(ErrorKind::kTransient, "busy", "InternalError"), 1);
  r = Run(Spec({"i-00000001"}));
  EXPECT_TRUE(r.ok()) << ReportToText(r);
}

TEST_F(SnapshotJobTest, SnapshotLimitErrorsWaitFifteenSeconds) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kLimit, "wait", "SnapshotCreationPerVolumeRateExceeded"));
  Report r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok());
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(15));
}

TEST_F(SnapshotJobTest, AmbiguousCreateSnapshotsFindsTheRunsSnapshotsInsteadOfDuplicating) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAmbiguous, "connection reset"));
  Report r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(2, SnapshotsOf("i-00000001"));
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
}

TEST_F(SnapshotJobTest, OneInstancesFailureDoesNotStopTheOthers) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-2"});
  ec2_.AddInstance("i-00000003", {"vol-3"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAuth, "denied", "UnauthorizedOperation"));
  Report r = Run(Spec({"i-00000001", "i-00000002", "i-00000003"}));
  EXPECT_EQ(1, r.FailedCount());
  EXPECT_EQ(2, r.SnapshotCount());
}

TEST_F(SnapshotJobTest, MissingIdsAreFailuresButOthersProceed) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  Report r = Run(Spec({"i-00000001", "i-0000000f"}));
  EXPECT_EQ(std::vector<std::string>{"i-0000000f"}, r.not_found);
  EXPECT_EQ(1, r.SnapshotCount());
  EXPECT_FALSE(r.ok());
}

TEST_F(SnapshotJobTest, StoppedFlagSkipsRunningInstancesWithAnError) {
  ec2_.AddInstance("i-00000001", {"vol-1"}, "running");
  ec2_.AddInstance("i-00000002", {"vol-2"}, "stopped");
  JobSpec s = Spec({"i-00000001", "i-00000002"});
  s.stopped = true;
  Report r = Run(s);
  EXPECT_EQ(1, r.FailedCount());
  EXPECT_EQ("InstanceNotStopped", r.instances[0].errors[0].code);
  EXPECT_EQ(1, SnapshotsOf("i-00000002"));
}

TEST_F(SnapshotJobTest, StopTimeoutStartsTheInstanceAgain) {
  ec2_.stopping_polls = 1000000;  // never reaches 'stopped'
  ec2_.AddInstance("i-00000001", {"vol-1"});
  JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(60);
  s.restart_timeout = std::chrono::seconds(120);
  Report r = Run(s);
  EXPECT_EQ("StopTimeout", r.instances[0].errors[0].code);
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
  // It never left 'stopping', so it could not be started: reported, loudly.
  EXPECT_EQ(std::vector<std::string>{"i-00000001"}, r.LeftStopped());
  EXPECT_NE(std::string::npos, ReportToText(r).find("LEFT STOPPED"));
}

// Under a deadline the restart phase tries until it, but never sleeps past
// it: the report that names who is left stopped must still go out.
TEST_F(SnapshotJobTest, RestartPhaseNeverSleepsPastTheDeadline) {
  ec2_.stopping_polls = 1000000;  // never startable
  ec2_.AddInstance("i-00000001", {"vol-1"});
  JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(60);
  s.restart_timeout = std::chrono::seconds(600);
  auto deadline = clock_.Steady() + std::chrono::milliseconds(100500);
  cancel_.SetDeadline(deadline, std::chrono::milliseconds(0));
  Report r = Run(s);
  EXPECT_EQ(std::vector<std::string>{"i-00000001"}, r.LeftStopped());
  EXPECT_LE(clock_.Steady(), deadline);
  EXPECT_GT(ec2_.CallCount("DescribeInstances"), 3) << "it kept looking until the deadline";
}

TEST_F(SnapshotJobTest, RestartWaitsForStoppingInstancesAfterCancel) {
  ec2_.stopping_polls = 5;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-2"});
  // Cancelled (as by SIGTERM) right after StopInstances, while both are 'stopping'.
  ec2_.on_call = [this](const std::string& action) {
    if (action == "StopInstances") cancel_.Cancel("SIGTERM");
  };
  Report r = Run(Spec({"i-00000001", "i-00000002"}, true));
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ("SIGTERM", r.cancel_reason);
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
  EXPECT_TRUE(r.LeftStopped().empty());
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_EQ("running", ec2_.State("i-00000002"));
}

TEST_F(SnapshotJobTest, LostStopInstancesAnswerStillRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("StopInstances", Error::Make(ErrorKind::kAmbiguous, "timeout after send"));
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kInvalidInput, "bad", "X"));
  // The fake did not apply the lost stop; the run waits, times out or goes on,
  // and in every case ends with the instance running.
  JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(30);
  Report r = Run(s);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.LeftStopped().empty());
}

TEST_F(SnapshotJobTest, StartFailuresAreRetriedByTheGuarantee) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kThrottled, "slow", "RequestLimitExceeded"), 3);
  Report r = Run(Spec({"i-00000001"}, true));
  EXPECT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.instances[0].restarted);
}

TEST_F(SnapshotJobTest, DryRunChangesNothing) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  JobSpec s = Spec({"i-00000001"}, true);
  s.dry_run = true;
  Report r = Run(s);
  EXPECT_TRUE(r.instances[0].would_stop);
  EXPECT_FALSE(r.instances[0].stopped_by_run) << "a plan stops nothing";
  EXPECT_TRUE(r.LeftStopped().empty()) << "a plan leaves nothing stopped";
  EXPECT_TRUE(FailureSummary(r).empty());
  const std::string text = ReportToText(r);
  EXPECT_NE(text.find("would stop+snapshot"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEFT STOPPED"), std::string::npos) << text;
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
  for (const auto& c : ec2_.calls()) EXPECT_EQ(0u, c.rfind("Describe", 0)) << c << ": a dry run only reads";
}

TEST_F(SnapshotJobTest, TagsFromCreationAndPerDeviceNames) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"}, "running",
                   {{"Name", "web"}, {"Team", "core"}, {"aws:cloudformation:stack-name", "s"}});
  JobSpec s = Spec({"i-00000001"});
  s.label = "nightly";
  s.protect = true;
  Report r = Run(s);
  ASSERT_TRUE(r.ok());
  auto req = ec2_.create_requests().at(0);
  auto has = [&](const std::string& k, const std::string& v) {
    return std::find(req.tags.begin(), req.tags.end(), aws::Tag{k, v}) != req.tags.end();
  };
  EXPECT_TRUE(has("Scripted", "s3snapshot"));
  EXPECT_TRUE(has("State", "Protected"));
  EXPECT_TRUE(has(kTagRunId, "run-1"));
  EXPECT_TRUE(has(kTagInstanceId, "i-00000001"));
  EXPECT_TRUE(has(kTagLabel, "nightly"));
  EXPECT_TRUE(has("Team", "core"));
  for (const auto& t : req.tags) EXPECT_NE(0u, t.key.rfind("aws:", 0)) << "never aws: tags";
  EXPECT_NE(std::string::npos, req.description.find("nightly"));
  EXPECT_NE(std::string::npos, req.description.find("/dev/xvdf=vol-2"));
  for (const auto& snap : ec2_.AllSnapshots()) {
    EXPECT_EQ("web", snap.TagValue("Name"));
    EXPECT_FALSE(snap.TagValue(kTagDevice).empty());
  }
  EXPECT_EQ(2, ec2_.CallCount("CreateTags")) << "one call per device name, not per snapshot";
}

TEST_F(SnapshotJobTest, DeviceTagsAreBatchedAcrossInstances) {
  for (int i = 1; i <= 5; ++i) {
    ec2_.AddInstance("i-0000000" + std::to_string(i), {"vol-a" + std::to_string(i), "vol-b" + std::to_string(i)});
  }
  Report r = Run(Spec({"i-00000001", "i-00000002", "i-00000003", "i-00000004", "i-00000005"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(5, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(2, ec2_.CallCount("CreateTags"));
  for (const auto& snap : ec2_.AllSnapshots()) EXPECT_FALSE(snap.TagValue(kTagDevice).empty());
}

TEST(SnapshotTagsTest, StayWithinFiftyTags) {
  aws::Instance inst;
  inst.instance_id = "i-00000001";
  inst.block_devices = {{"/dev/xvda", "vol-1"}, {"/dev/xvdf", "vol-2"}};
  for (int i = 0; i < 60; ++i) inst.tags.push_back({"k" + std::to_string(i), "v"});
  JobSpec spec;
  spec.label = "l";
  spec.protect = true;
  auto tags = SnapshotTags(inst, spec.protect, spec.label, "r");
  EXPECT_LE(tags.size() + 1, kMaxTagsPerResource) << "room left for the device tag";
}

TEST(SnapshotDescriptionTest, FitsIn255Characters) {
  aws::Instance inst;
  inst.instance_id = "i-0123456789abcdef0";
  inst.tags = {{"Name", std::string(200, 'n')}};
  for (int i = 0; i < 20; ++i)
    inst.block_devices.push_back({"/dev/xvd" + std::string(1, 'a' + i), "vol-0123456789abcdef0"});
  std::string d = SnapshotDescription(inst, std::string(128, 'l'), "2026-11-26T12:00:00Z");
  EXPECT_LE(d.size(), 255u);
  EXPECT_NE(std::string::npos, d.find("i-0123456789abcdef0"));
  EXPECT_NE(std::string::npos, d.find("2026-11-26T12:00:00Z"));
}

TEST_F(SnapshotJobTest, DeviceTagsGoOutInFullBatchesDuringTheRun) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2500; ++i) {
    std::string id = "i-" + std::to_string(10000000 + i);
    ec2_.AddInstance(id, {"vol-a" + std::to_string(i), "vol-b" + std::to_string(i)});
    ids.push_back(id);
  }
  JobSpec spec = Spec(ids);
  spec.concurrency = 4;
  Report r = Run(spec);
  ASSERT_TRUE(r.ok()) << r.FailedCount();
  // Two device names, 2,500 snapshots each: 1,000 + 1,000 + 500 per device.
  EXPECT_EQ(6, ec2_.CallCount("CreateTags"));
  int tagged = 0;
  for (const auto& snap : ec2_.AllSnapshots()) tagged += !snap.TagValue(kTagDevice).empty();
  EXPECT_EQ(5000, tagged);
  auto calls = ec2_.calls();
  auto first_tag = std::find(calls.begin(), calls.end(), "CreateTags");
  auto last_create = std::find(calls.rbegin(), calls.rend(), "CreateSnapshots");
  EXPECT_LT(first_tag - calls.begin(), calls.rend() - last_create - 1) << "full batches are sent before the end";
}

TEST_F(SnapshotJobTest, DeviceTagsComeAfterEveryRestart) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3", "vol-4"});
  Report r = Run(Spec({"i-00000001", "i-00000002"}, /*stop=*/true));
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  auto calls = ec2_.calls();
  auto first_tag = std::find(calls.begin(), calls.end(), "CreateTags") - calls.begin();
  auto last_start = calls.rend() - std::find(calls.rbegin(), calls.rend(), "StartInstances") - 1;
  EXPECT_GT(first_tag, last_start);
}

TEST_F(SnapshotJobTest, CancelledRunSkipsDeviceTagsWithAWarningButRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3", "vol-4"});
  int creates = 0;
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots" && ++creates == 2) cancel_.Cancel("SIGTERM");
  };
  JobSpec spec = Spec({"i-00000001", "i-00000002"}, /*stop=*/true);
  spec.concurrency = 1;
  Report r = Run(spec);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(0, ec2_.CallCount("CreateTags"));
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_EQ("running", ec2_.State("i-00000002"));
  int warned = 0;
  for (const auto& i : r.instances) {
    for (const auto& w : i.warnings) warned += w.find("not set: the run was cancelled") != std::string::npos;
  }
  EXPECT_EQ(4, warned);
}

// Close to the deadline (less than twice the slowest CreateSnapshots left),
// the run sends no device tags: they would run it past the deadline.
TEST_F(SnapshotJobTest, NoDeviceTagsTooCloseToTheDeadline) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(10), std::chrono::milliseconds(0));
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots") clock_.Advance(std::chrono::seconds(4));  // 6 s left, 8 s needed
  };
  JobSpec spec = Spec({"i-00000001"}, /*stop=*/false);
  Report r = Run(spec);
  EXPECT_FALSE(r.cancelled);
  ASSERT_EQ(1u, r.instances.size());
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
  EXPECT_EQ(0, ec2_.CallCount("CreateTags"));
  ASSERT_EQ(2u, r.instances[0].warnings.size());
  EXPECT_NE(std::string::npos, r.instances[0].warnings[0].find("not set: too close to the deadline"));
}

// With time to spare the device tags go out.
TEST_F(SnapshotJobTest, DeviceTagsWhenTheDeadlineIsFarAway) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(60), std::chrono::milliseconds(0));
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots") clock_.Advance(std::chrono::seconds(4));
  };
  Report r = Run(Spec({"i-00000001"}, /*stop=*/false));
  EXPECT_EQ(2, ec2_.CallCount("CreateTags"));
  EXPECT_TRUE(r.instances[0].warnings.empty());
}

}  // namespace
}  // namespace s3snapshot::job
