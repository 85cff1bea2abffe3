#include "job/restore.h"

#include <gtest/gtest.h>

#include "report/report.h"
#include "testing/job_fixture.h"

// The side-by-side restore (restore.h) on the fakes: the set chosen, the
// devices, exactly once per restore id, and a failure of one volume.
namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

aws::Snapshot Snap(const std::string& id, const std::string& volume, const std::string& run, const std::string& started,
                   const std::string& state = "completed", const std::string& device = "") {
  aws::Snapshot s;
  s.snapshot_id = id;
  s.volume_id = volume;
  s.state = state;
  s.start_time = started;
  s.tags = {{kTagScripted, kTagScriptedValue}, {kTagRunId, run}, {kTagInstanceId, "i-00000001"}};
  if (!device.empty()) s.tags.push_back({kTagDevice, device});
  return s;
}

class RestoreTest : public testing::JobTest {
 protected:
  RestoreTest() {
    ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});  // /dev/xvda, /dev/xvdf
    ec2_.SetAvailabilityZone("i-00000001", "us-east-1b");
    spec_.restore = true;
    spec_.restore_instance = "i-00000001";
  }
  void TwoSets() {
    ec2_.AddSnapshot(Snap("snap-a1", "vol-1", "20261201T000000Z-aaaaaa", "2026-12-01T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-a2", "vol-2", "20261201T000000Z-aaaaaa", "2026-12-01T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-b1", "vol-1", "20261202T000000Z-bbbbbb", "2026-12-02T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-b2", "vol-2", "20261202T000000Z-bbbbbb", "2026-12-02T00:00:01.000Z"));
  }
  report::RestoreReport Restore() { return RunRestore(spec_, ctx_); }
  spec::JobSpec spec_;
};

TEST_F(RestoreTest, TheNewestCompleteSetIsRestoredAtFreeDevicesInTheTargetsZone) {
  TwoSets();
  report::RestoreReport r = Restore();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(r.set_run_id, "20261202T000000Z-bbbbbb");
  EXPECT_EQ(r.set_started_at, "2026-12-02T00:00:00.000Z");
  ASSERT_EQ(r.volumes.size(), 2u);
  std::set<std::string> devices;
  for (const auto& v : r.volumes) {
    EXPECT_TRUE(v.created);
    devices.insert(v.attached_device);
    EXPECT_NE(v.attached_device, "/dev/sda") << "xvda is sda";
  }
  EXPECT_EQ(devices, (std::set<std::string>{"/dev/sdg", "/dev/sdh"})) << "xvdf is sdf: in use";
  for (const auto& req : ec2_.create_volume_requests()) {
    EXPECT_EQ(req.availability_zone, "us-east-1b");
    EXPECT_EQ(req.volume_type, "gp3") << "the originals' type unknown to the fake: --volume-type's default";
    EXPECT_EQ(req.client_token, VolumeClientToken(r.restore_id, req.snapshot_id));
    EXPECT_EQ(aws::TagValue(req.tags, kTagRestoreId), r.restore_id);
    EXPECT_EQ(aws::TagValue(req.tags, kTagRestoredFrom), req.snapshot_id);
  }
  EXPECT_EQ(0, ec2_.CallCount("DeleteVolume") + ec2_.CallCount("DetachVolume"));
}

TEST_F(RestoreTest, ARestoreIdGivenAgainMakesNoSecondVolume) {
  TwoSets();
  report::RestoreReport first = Restore();
  ASSERT_TRUE(first.ok());
  spec_.restore_id = first.restore_id;
  report::RestoreReport again = Restore();
  ASSERT_TRUE(again.ok()) << report::ReportToText(again);
  EXPECT_EQ(2, ec2_.CallCount("CreateVolume"));
  EXPECT_EQ(2, ec2_.CallCount("AttachVolume")) << "attached ones are not attached again";
  for (const auto& v : again.volumes) EXPECT_FALSE(v.created);
}

TEST_F(RestoreTest, AnIncompleteSetIsRefusedAndAnOlderCompleteOneChosenByDefault) {
  TwoSets();
  ec2_.AddSnapshot(Snap("snap-c1", "vol-1", "20261203T000000Z-cccccc", "2026-12-03T00:00:00.000Z"));
  ec2_.AddSnapshot(Snap("snap-c2", "vol-2", "20261203T000000Z-cccccc", "2026-12-03T00:00:00.000Z", "error"));
  spec_.restore_run_id = "20261203T000000Z-cccccc";
  report::RestoreReport refused = Restore();
  EXPECT_FALSE(refused.ok());
  ASSERT_EQ(refused.run_errors.size(), 1u);
  EXPECT_EQ(refused.run_errors[0].code, "IncompleteSet");
  EXPECT_NE(refused.run_errors[0].message.find("snap-c2 is error"), std::string::npos);
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume"));
  spec_.restore_run_id.clear();
  report::RestoreReport chosen = Restore();
  EXPECT_EQ(chosen.set_run_id, "20261202T000000Z-bbbbbb");
}

TEST_F(RestoreTest, BeforeChoosesTheNewestCompleteSetBegunEarlier) {
  TwoSets();
  spec_.restore_before = "2026-12-02T00:00:00Z";
  spec_.dry_run = true;
  report::RestoreReport r = Restore();
  EXPECT_EQ(r.set_run_id, "20261201T000000Z-aaaaaa");
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume")) << "a dry run";
  EXPECT_EQ(r.volumes[0].state, "planned");
  EXPECT_FALSE(r.volumes[0].attached_device.empty());
}

TEST_F(RestoreTest, OneVolumeFailingDoesNotStopTheOthersAndTheIdResumes) {
  TwoSets();
  ec2_.FailNext("CreateVolume", Error::Make(ErrorKind::kLimit, "volume limit", "VolumeLimitExceeded"));
  report::RestoreReport r = Restore();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.FailedCount(), 1);
  EXPECT_EQ(1u, ec2_.Volumes().size());
  const std::string text = report::ReportToText(r);
  EXPECT_NE(text.find("--restore-id " + r.restore_id), std::string::npos) << text;
  spec_.restore_id = r.restore_id;
  report::RestoreReport resumed = Restore();
  EXPECT_TRUE(resumed.ok()) << report::ReportToText(resumed);
  EXPECT_EQ(2u, ec2_.Volumes().size()) << "only the missing one was made";
}

TEST_F(RestoreTest, CancelledBeforeItsCreateAVolumeIsNotMade) {
  TwoSets();
  cancel_.Cancel("SIGTERM");
  report::RestoreReport r = Restore();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume"));
}

TEST_F(RestoreTest, VolumesStillCreatingAreAwaited) {
  TwoSets();
  ec2_.volume_creating_polls = 2;
  report::RestoreReport r = Restore();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(2, ec2_.CallCount("AttachVolume"));
}

TEST(RestoreUnitsTest, FreeDevicesSkipEveryNameInUse) {
  aws::Instance i;
  i.root_device_name = "/dev/sda1";
  i.block_devices = {{"/dev/sda1", "vol-1"}, {"/dev/xvdf", "vol-2"}, {"sdh", "vol-3"}};
  EXPECT_EQ(FreeDevices(i, 3), (std::vector<std::string>{"/dev/sdg", "/dev/sdi", "/dev/sdj"}));
  EXPECT_EQ(FreeDevices(i, 100).size(), 19u) << "f..z less f and h";
}

TEST(RestoreUnitsTest, TheClientTokenIsStablePerRestoreAndSnapshotAndWithinEc2sLimit) {
  EXPECT_EQ(VolumeClientToken("r-1", "snap-1"), VolumeClientToken("r-1", "snap-1"));
  EXPECT_NE(VolumeClientToken("r-1", "snap-1"), VolumeClientToken("r-2", "snap-1"));
  EXPECT_NE(VolumeClientToken("r-1", "snap-1"), VolumeClientToken("r-1", "snap-2"));
  EXPECT_LE(VolumeClientToken("r-1", "snap-1").size(), 64u);
}

}  // namespace
}  // namespace s3snapshot::job
