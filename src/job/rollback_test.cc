#include "job/rollback.h"

#include <gtest/gtest.h>

#include "job/restore.h"
#include "report/report.h"
#include "testing/job_fixture.h"

// The rollback guarantee (rollback.h) and the in-place restore that relies
// on it, on the fakes: a swap that completes, and every way it can stop
// half way -- each ends with all originals or all replacements.
namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

aws::Snapshot Snap(const std::string& id, const std::string& volume, const std::string& device) {
  aws::Snapshot s;
  s.snapshot_id = id;
  s.volume_id = volume;
  s.state = "completed";
  s.start_time = "2026-12-01T00:00:00.000Z";
  s.tags = {{kTagScripted, kTagScriptedValue},
            {kTagRunId, "20261201T000000Z-aaaaaa"},
            {kTagInstanceId, "i-00000001"},
            {kTagDevice, device}};
  return s;
}

class InPlaceTest : public testing::JobTest {
 protected:
  InPlaceTest() {
    ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});  // /dev/xvda (root), /dev/xvdf
    ec2_.AddSnapshot(Snap("snap-1", "vol-1", "/dev/xvda"));
    ec2_.AddSnapshot(Snap("snap-2", "vol-2", "/dev/xvdf"));
    spec_.restore = true;
    spec_.in_place = true;
    spec_.restore_instance = "i-00000001";
    spec_.stop = true;
    spec_.restart_timeout = std::chrono::seconds(60);
  }
  report::RestoreReport Restore() { return RunRestore(spec_, ctx_); }
  // Every device holds the originals, or every device a restored volume.
  void ExpectAllOrNothing(bool restored) {
    const std::string root = ec2_.VolumeAt("i-00000001", "/dev/xvda");
    const std::string data = ec2_.VolumeAt("i-00000001", "/dev/xvdf");
    if (restored) {
      EXPECT_EQ(root.rfind("vol-r", 0), 0u) << root;
      EXPECT_EQ(data.rfind("vol-r", 0), 0u) << data;
    } else {
      EXPECT_EQ(root, "vol-1");
      EXPECT_EQ(data, "vol-2");
    }
  }
  spec::JobSpec spec_;
};

TEST_F(InPlaceTest, ARunningInstanceIsStoppedSwappedAndStartedAgain) {
  report::RestoreReport r = Restore();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_TRUE(r.replaced);
  EXPECT_FALSE(r.rolled_back);
  EXPECT_TRUE(r.stopped_by_run && r.restarted);
  ExpectAllOrNothing(true);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
  for (const auto& v : r.volumes) EXPECT_EQ(v.attached_device, v.device);
  EXPECT_EQ(0, ec2_.CallCount("DeleteVolume"));
}

TEST_F(InPlaceTest, ARunningInstanceWithoutStopIsRefusedBeforeAnything) {
  spec_.stop = false;
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.run_errors.at(0).code, "InstanceNotStopped");
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume") + ec2_.CallCount("DetachVolume") + ec2_.CallCount("StopInstances"));
}

TEST_F(InPlaceTest, AFailedAttachRollsEveryDeviceBackAndTheInstanceRunsAgain) {
  // The second AttachVolume of the swap (the data device's replacement) is
  // refused: queued when the first is sent (a queued failure is taken before
  // the hook runs).
  int attaches = 0;
  ec2_.on_call = [&](const std::string& action) {
    if (action == "AttachVolume" && ++attaches == 1) {
      ec2_.FailNext("AttachVolume", Error::Make(ErrorKind::kInvalidInput, "refused", "InvalidParameterValue"));
    }
  };
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.replaced);
  EXPECT_TRUE(r.rolled_back) << report::ReportToText(r);
  ExpectAllOrNothing(false);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
  EXPECT_TRUE(r.restarted);
}

TEST_F(InPlaceTest, ASignalMidSwapRollsBack) {
  ec2_.on_call = [&](const std::string& action) {
    if (action == "AttachVolume") cancel_.Cancel("SIGTERM");
  };
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.rolled_back) << report::ReportToText(r);
  ExpectAllOrNothing(false);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
}

TEST_F(InPlaceTest, AnExceptionMidSwapStillRollsBack) {
  ec2_.ThrowOn("AttachVolume", 2);
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  ExpectAllOrNothing(false);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
}

TEST_F(InPlaceTest, CancelledBeforeTheSwapNothingMovesAndNothingIsCalledRolledBack) {
  ec2_.on_call = [&](const std::string& action) {
    if (action == "StopInstances") cancel_.Cancel("SIGTERM");
  };
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.replaced);
  EXPECT_FALSE(r.rolled_back) << "nothing had moved";
  EXPECT_EQ(0, ec2_.CallCount("DetachVolume"));
  ExpectAllOrNothing(false);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
  EXPECT_NE(report::ReportToText(r).find("nothing was swapped"), std::string::npos) << report::ReportToText(r);
}

TEST_F(InPlaceTest, ADryRunPlansTheDevicesAndChecksTheStopWithoutSendingAnything) {
  spec_.dry_run = true;
  report::RestoreReport plan = Restore();
  EXPECT_TRUE(plan.ok()) << report::ReportToText(plan);
  for (const auto& v : plan.volumes) EXPECT_EQ(v.attached_device, v.device);
  spec_.stop = false;
  report::RestoreReport refused = Restore();
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.run_errors.at(0).code, "InstanceNotStopped");
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume") + ec2_.CallCount("StopInstances") + ec2_.CallCount("DetachVolume"));
}

TEST_F(InPlaceTest, AStoppedInstanceStaysStopped) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"}, "stopped");
  spec_.stop = false;
  report::RestoreReport r = Restore();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_FALSE(r.stopped_by_run);
  EXPECT_EQ(ec2_.State("i-00000001"), "stopped");
  EXPECT_EQ(0, ec2_.CallCount("StartInstances"));
  ExpectAllOrNothing(true);
}

}  // namespace
}  // namespace s3snapshot::job
