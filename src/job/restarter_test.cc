#include "job/restarter.h"

#include <gtest/gtest.h>

#include <thread>

#include "testing/job_fixture.h"

namespace s3snapshot::job {

using report::InstanceReport;
namespace {

using core::Error;
using core::ErrorKind;

class RestarterTest : public testing::JobTest {
 protected:
  // Instances that this "run" has stopped, as the stopper would leave them.
  void Stopped(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      ec2_.AddInstance(id, {"vol-" + id});
      InstanceReport r;
      r.instance_id = id;
      ledger_.Add(r);
    }
    (void)ec2_.StopInstances(ids);
  }
  InstanceReport Row(const std::string& id) {
    InstanceReport out;
    ledger_.Update(id, [&](InstanceReport& r) { out = r; });
    return out;
  }
  Ledger ledger_;
};

TEST_F(RestarterTest, FinishStartsEveryRegisteredInstance) {
  Stopped({"i-00000001", "i-00000002"});
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001", "i-00000002"});
  r.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_EQ("running", ec2_.State("i-00000002"));
  EXPECT_TRUE(Row("i-00000001").stopped_by_run);
  EXPECT_TRUE(Row("i-00000001").restarted);
  EXPECT_TRUE(r.Owed().empty());
}

TEST_F(RestarterTest, QueuedInstancesAreStartedBeforeFinishInOneCall) {
  Stopped({"i-00000001", "i-00000002"});
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001", "i-00000002"});
  r.Queue("i-00000001");
  for (int i = 0; i < 2000 && ec2_.State("i-00000001") != "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ("running", ec2_.State("i-00000001")) << "the starter thread starts it at once";
  EXPECT_EQ("stopped", ec2_.State("i-00000002")) << "not queued yet";
  r.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000002"));
}

TEST_F(RestarterTest, ForgottenInstancesAreNotStarted) {
  Stopped({"i-00000001"});
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001"});
  r.Forget("i-00000001");
  r.Finish();
  EXPECT_EQ(0, ec2_.CallCount("StartInstances"));
  EXPECT_FALSE(Row("i-00000001").stopped_by_run);
}

TEST_F(RestarterTest, TheDestructorKeepsTheGuaranteeWhenFinishIsNeverCalled) {
  Stopped({"i-00000001"});
  {
    Restarter r(ctx_, ledger_, std::chrono::seconds(60));
    r.Register({"i-00000001"});
  }
  EXPECT_EQ("running", ec2_.State("i-00000001"));
}

TEST_F(RestarterTest, InstancesStillStoppingAreStartedOnceStopped) {
  ec2_.stopping_polls = 3;
  Stopped({"i-00000001"});
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001"});
  r.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_FALSE(clock_.sleeps().empty()) << "backed off while 'stopping'";
}

TEST_F(RestarterTest, CancellationDoesNotStopTheRestart) {
  Stopped({"i-00000001"});
  cancel_.Cancel("SIGTERM");
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001"});
  r.Queue("i-00000001");
  r.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000001"));
}

TEST_F(RestarterTest, ThrowsInTheStarterAndTheFinalPhaseAreSurvived) {
  Stopped({"i-00000001"});
  ec2_.ThrowOn("StartInstances", 1);
  ec2_.ThrowOn("DescribeInstances", 1, /*bad_alloc=*/true);
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001"});
  r.Queue("i-00000001");
  r.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(Row("i-00000001").restarted);
}

TEST_F(RestarterTest, PermissionDeniedIsReportedLeftStoppedWithoutWaitingForTheDeadline) {
  Stopped({"i-00000001"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kAuth, "no", "UnauthorizedOperation"), 100);
  Restarter r(ctx_, ledger_, std::chrono::seconds(900));
  r.Register({"i-00000001"});
  r.Finish();
  InstanceReport row = Row("i-00000001");
  ASSERT_FALSE(row.errors.empty());
  EXPECT_EQ("RestartFailed", row.errors.back().code);
  EXPECT_NE(std::string::npos, row.errors.back().message.find("LEFT STOPPED"));
  EXPECT_EQ(Restarter::kHopelessRounds, ec2_.CallCount("StartInstances"));
  EXPECT_LT(clock_.total_slept(), std::chrono::seconds(60));
}

TEST_F(RestarterTest, ARestartThatKeepsFailingEndsAtTheDeadlineLeftStopped) {
  Stopped({"i-00000001"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kTransient, "busy", "ServiceUnavailable"), 10000);
  Restarter r(ctx_, ledger_, std::chrono::seconds(120));
  r.Register({"i-00000001"});
  r.Finish();
  EXPECT_EQ("RestartFailed", Row("i-00000001").errors.back().code);
  EXPECT_LE(clock_.total_slept(), std::chrono::seconds(120)) << "never sleeps past the deadline";
  EXPECT_EQ(std::vector<std::string>{"i-00000001"}, r.Owed());
}

TEST_F(RestarterTest, TheLambdaDeadlineBoundsTheRestartPhase) {
  Stopped({"i-00000001"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kTransient, "busy", "ServiceUnavailable"), 10000);
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(20), std::chrono::seconds(5));
  Restarter r(ctx_, ledger_, std::chrono::seconds(900));
  r.Register({"i-00000001"});
  r.Finish();
  EXPECT_LE(clock_.total_slept(), std::chrono::seconds(20));
  EXPECT_EQ("RestartFailed", Row("i-00000001").errors.back().code);
}

TEST_F(RestarterTest, ABatchRefusedForOneInstanceIsStartedOneByOne) {
  Stopped({"i-00000001", "i-00000002", "i-00000003"});
  ec2_.FailNext("StartInstances",
                Error::Make(ErrorKind::kConflict, "not in a state to start", "IncorrectInstanceState"));
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001", "i-00000002", "i-00000003"});
  r.Finish();
  EXPECT_EQ(4, ec2_.CallCount("StartInstances")) << "the batch, then each instance in the same round";
  for (const auto& id : {"i-00000001", "i-00000002", "i-00000003"}) EXPECT_EQ("running", ec2_.State(id));
}

TEST_F(RestarterTest, ABatchLostToTheNetworkIsSentWholeAgainNotOneByOne) {
  Stopped({"i-00000001", "i-00000002", "i-00000003"});
  ec2_.FailNext("StartInstances", Error::Make(ErrorKind::kTransport, "connection reset by peer", ""));
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001", "i-00000002", "i-00000003"});
  r.Finish();
  EXPECT_EQ(2, ec2_.CallCount("StartInstances")) << "one call per instance would spend the reserve under faults";
  for (const auto& id : {"i-00000001", "i-00000002", "i-00000003"}) EXPECT_EQ("running", ec2_.State(id));
  EXPECT_TRUE(r.Owed().empty());
}

TEST_F(RestarterTest, FinishIsIdempotent) {
  Stopped({"i-00000001"});
  Restarter r(ctx_, ledger_, std::chrono::seconds(60));
  r.Register({"i-00000001"});
  r.Finish();
  r.Finish();
  EXPECT_EQ(1, ec2_.CallCount("StartInstances"));
}

}  // namespace
}  // namespace s3snapshot::job
