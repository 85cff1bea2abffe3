#include "job/snapshot_job.h"

#include <gtest/gtest.h>

#include "report/report.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

class SnapshotJobTest : public testing::JobTest {};

TEST_F(SnapshotJobTest, SnapshotsEveryVolumeWithOneCallPerInstance) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002"}));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(3, r.SnapshotCount());
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(0, ec2_.CallCount("StopInstances"));
  EXPECT_EQ("running", ec2_.State("i-00000001"));
}

TEST_F(SnapshotJobTest, FailedSnapshotStillRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kInvalidInput, "bad", "InvalidParameterValue"));
  report::SnapshotReport r = Run(Spec({"i-00000001"}, true));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.instances[0].restarted);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.LeftStopped().empty());
}

TEST_F(SnapshotJobTest, ASelectionNothingReachedIsNotAskedAgainButABrokenAnswerIs) {
  // Refused, DNS, TLS: the client's attempts were the bound; a closed port
  // must fail in seconds, not in rounds of them.
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("DescribeInstances", Error::Make(ErrorKind::kTransport, "Connection refused", ""), 1);
  report::SnapshotReport r = Run(Spec({"i-00000001"}));
  EXPECT_TRUE(r.selection_failed);
  EXPECT_EQ(1, ec2_.CallCount("DescribeInstances"));
  ec2_.FailNext("DescribeInstances", Error::Make(ErrorKind::kTransient, "busy", "InternalError"), 1);
  r = Run(Spec({"i-00000001"}));
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
}

TEST_F(SnapshotJobTest, OneInstancesFailureDoesNotStopTheOthers) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-2"});
  ec2_.AddInstance("i-00000003", {"vol-3"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAuth, "denied", "UnauthorizedOperation"));
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002", "i-00000003"}));
  EXPECT_EQ(1, r.FailedCount());
  EXPECT_EQ(2, r.SnapshotCount());
}

TEST_F(SnapshotJobTest, MissingIdsAreFailuresButOthersProceed) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-0000000f"}));
  EXPECT_EQ(std::vector<std::string>{"i-0000000f"}, r.not_found);
  EXPECT_EQ(1, r.SnapshotCount());
  EXPECT_FALSE(r.ok());
}

TEST_F(SnapshotJobTest, StoppedFlagSkipsRunningInstancesWithAnError) {
  ec2_.AddInstance("i-00000001", {"vol-1"}, "running");
  ec2_.AddInstance("i-00000002", {"vol-2"}, "stopped");
  spec::JobSpec s = Spec({"i-00000001", "i-00000002"});
  s.stopped = true;
  report::SnapshotReport r = Run(s);
  EXPECT_EQ(1, r.FailedCount());
  EXPECT_EQ("InstanceNotStopped", r.instances[0].errors[0].code);
  EXPECT_EQ(1, SnapshotsOf("i-00000002"));
}

TEST_F(SnapshotJobTest, RestartPhaseNeverSleepsPastTheDeadline) {
  ec2_.stopping_polls = 1000000;  // never startable
  ec2_.AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(60);
  s.restart_timeout = std::chrono::seconds(600);
  auto deadline = clock_.Steady() + std::chrono::milliseconds(100500);
  cancel_.SetDeadline(deadline, std::chrono::milliseconds(0));
  report::SnapshotReport r = Run(s);
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
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002"}, true));
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ("SIGTERM", r.cancel_reason);
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
  EXPECT_TRUE(r.LeftStopped().empty());
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_EQ("running", ec2_.State("i-00000002"));
}

TEST_F(SnapshotJobTest, StartFailuresAreRetriedByTheGuarantee) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kThrottled, "slow", "RequestLimitExceeded"), 3);
  report::SnapshotReport r = Run(Spec({"i-00000001"}, true));
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.instances[0].restarted);
}

TEST_F(SnapshotJobTest, DryRunChangesNothing) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  spec::JobSpec s = Spec({"i-00000001"}, true);
  s.dry_run = true;
  report::SnapshotReport r = Run(s);
  EXPECT_TRUE(r.instances[0].would_stop);
  EXPECT_FALSE(r.instances[0].stopped_by_run) << "a plan stops nothing";
  EXPECT_TRUE(r.LeftStopped().empty()) << "a plan leaves nothing stopped";
  EXPECT_TRUE(report::FailureSummary(r).empty());
  const std::string text = report::ReportToText(r);
  EXPECT_NE(text.find("would stop+snapshot"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEFT STOPPED"), std::string::npos) << text;
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
  for (const auto& c : ec2_.calls()) EXPECT_EQ(0u, c.rfind("Describe", 0)) << c << ": a dry run only reads";
}

}  // namespace
}  // namespace s3snapshot::job
