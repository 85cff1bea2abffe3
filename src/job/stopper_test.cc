#include "job/stopper.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "job/ledger.h"
#include "job/restarter.h"
#include "report/report.h"
#include "testing/job_fixture.h"

// The stop phase (stopper.h): its own API, then whole runs.
namespace s3snapshot::job {

using report::InstanceReport;
namespace {

using core::Error;
using core::ErrorKind;

class StopperTest : public testing::JobTest {};

// The stop phase alone: a ledger with the rows, a restarter, the hand-on.
class StopPhase : public testing::JobTest {
 protected:
  std::vector<std::string> StopAll(const std::vector<std::string>& ids, std::chrono::seconds timeout) {
    for (const auto& id : ids) {
      InstanceReport row;
      row.instance_id = id;
      row.state_before = "running";
      ledger_.Add(row);
    }
    std::vector<std::string> handed_on;
    StopThenHandOn(ctx_, ledger_, restarter_, ids, timeout, [&](const std::string& id) { handed_on.push_back(id); });
    return handed_on;
  }
  Ledger ledger_;
  Restarter restarter_{ctx_, ledger_, std::chrono::seconds(900)};
};

TEST_F(StopPhase, StopsInOneBatchAndHandsEachOnOnceStoppedOwingEachAStart) {
  ec2_.stopping_polls = 2;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-2"});
  auto handed_on = StopAll({"i-00000001", "i-00000002"}, std::chrono::seconds(600));
  std::sort(handed_on.begin(), handed_on.end());
  EXPECT_EQ(handed_on, (std::vector<std::string>{"i-00000001", "i-00000002"}));
  EXPECT_EQ(1, ec2_.CallCount("StopInstances"));
  EXPECT_EQ("stopped", ec2_.State("i-00000001"));
  ledger_.ForEach([](InstanceReport& r) { EXPECT_TRUE(r.stopped_by_run) << r.instance_id; });
  restarter_.Finish();
  EXPECT_EQ("running", ec2_.State("i-00000001")) << "registered before the stop: started again";
  EXPECT_EQ("running", ec2_.State("i-00000002"));
}

TEST_F(StopPhase, AnInstanceThatDoesNotStopInTimeIsAFailureNotHandedOnAndStillStarted) {
  ec2_.stopping_polls = 1000000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  auto handed_on = StopAll({"i-00000001"}, std::chrono::seconds(60));
  EXPECT_TRUE(handed_on.empty());
  bool failed = false;
  ledger_.ForEach([&](InstanceReport& r) { failed = !r.errors.empty(); });
  EXPECT_TRUE(failed);
  EXPECT_LE(clock_.total_slept(), std::chrono::seconds(70)) << "bounded by the stop timeout";
}

TEST_F(StopperTest, WaitsThroughStoppingThenSnapshotsThenStarts) {
  ec2_.stopping_polls = 3;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  report::SnapshotReport r = Run(Spec({"i-00000001"}, /*stop=*/true));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
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

TEST_F(StopperTest, AlreadyStoppedInstancesAreLeftStopped) {
  ec2_.AddInstance("i-00000001", {"vol-1"}, "stopped");
  report::SnapshotReport r = Run(Spec({"i-00000001"}, true));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.instances[0].stopped_by_run);
  EXPECT_EQ(0, ec2_.CallCount("StartInstances"));
  EXPECT_EQ("stopped", ec2_.State("i-00000001"));
}

TEST_F(StopperTest, StopTimeoutStartsTheInstanceAgain) {
  ec2_.stopping_polls = 1000000;  // never reaches 'stopped'
  ec2_.AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(60);
  s.restart_timeout = std::chrono::seconds(120);
  report::SnapshotReport r = Run(s);
  EXPECT_EQ("StopTimeout", r.instances[0].errors[0].code);
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
  // It never left 'stopping', so it could not be started: reported, loudly.
  EXPECT_EQ(std::vector<std::string>{"i-00000001"}, r.LeftStopped());
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("LEFT STOPPED"));
}

// Under a deadline the restart phase tries until it, but never sleeps past
// it: the report that names who is left stopped must still go out.

TEST_F(StopperTest, LostStopInstancesAnswerStillRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("StopInstances", Error::Make(ErrorKind::kAmbiguous, "timeout after send"));
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kInvalidInput, "bad", "X"));
  // The fake did not apply the lost stop; the run waits, times out or goes on,
  // and in every case ends with the instance running.
  spec::JobSpec s = Spec({"i-00000001"}, true);
  s.stop_timeout = std::chrono::seconds(30);
  report::SnapshotReport r = Run(s);
  EXPECT_EQ("running", ec2_.State("i-00000001"));
  EXPECT_TRUE(r.LeftStopped().empty());
}

}  // namespace
}  // namespace s3snapshot::job
