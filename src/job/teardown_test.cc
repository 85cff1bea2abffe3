#include "job/teardown.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "testing/job_fixture.h"

// THE TEARDOWN GUARANTEE (teardown.h) on the fakes: every volume the drill
// made is deleted -- also one whose CreateVolume answer was lost, one
// attached, after an exception, under cancellation -- and one that cannot
// be deleted is named; the sweep deletes only old drill volumes.
namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

class TeardownTest : public testing::JobTest {
 protected:
  // A volume of drill `drill` (made `created` ago by the fake clock's wall time).
  std::string Made(const std::string& drill, const std::string& create_time = "2023-11-14T22:13:00.000Z") {
    aws::CreateVolumeRequest req;
    req.availability_zone = "us-east-1a";
    req.snapshot_id = "snap-1";
    req.tags = {{kTagDrillId, drill}};
    ec2_.volume_create_time = create_time;
    return ec2_.CreateVolume(req)->volume_id;
  }
  bool Exists(const std::string& id) {
    auto all = ec2_.Volumes();
    return std::any_of(all.begin(), all.end(), [&](const aws::Volume& v) { return v.volume_id == id; });
  }
};

TEST_F(TeardownTest, EveryVolumeMadeIsDeletedAlsoOneWhoseAnswerWasLost) {
  std::string told, lost;
  {
    Teardown t(ctx_, "drill-1", std::chrono::seconds(600));
    t.Register();
    told = Made("drill-1");
    t.Made(told);
    t.Register();
    lost = Made("drill-1");  // CreateVolume applied, its answer never read
  }                          // the destructor finishes
  EXPECT_FALSE(Exists(told));
  EXPECT_FALSE(Exists(lost)) << "found by the drill's tag";
}

TEST_F(TeardownTest, AnAttachedVolumeIsDetachedFirstThenDeleted) {
  ec2_.AddInstance("i-00000009", {"vol-root"});
  Teardown t(ctx_, "drill-1", std::chrono::seconds(600));
  t.Register();
  const std::string v = Made("drill-1");
  t.Made(v);
  ASSERT_TRUE(ec2_.AttachVolume(v, "i-00000009", "/dev/sdf").ok());
  t.Finish();
  EXPECT_FALSE(Exists(v));
  EXPECT_EQ(1, ec2_.CallCount("DetachVolume"));
  EXPECT_TRUE(t.left_behind().empty());
  EXPECT_EQ(t.deleted(), std::vector<std::string>{v});
}

TEST_F(TeardownTest, AVolumeThatCannotBeDeletedIsNamedAfterTheDeadlineNotSilently) {
  Teardown t(ctx_, "drill-1", std::chrono::seconds(60));
  t.Register();
  const std::string ok = Made("drill-1"), stuck = Made("drill-1");
  t.Made(ok);
  t.Made(stuck);
  ec2_.FailNext("DeleteVolume", Error::Make(ErrorKind::kConflict, "busy", "IncorrectState"), 1000);
  t.Finish();
  EXPECT_TRUE(Exists(ok) && Exists(stuck));
  EXPECT_EQ(t.left_behind(), (std::vector<std::string>{ok, stuck}));
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(60)) << "rounds until the deadline";
}

TEST_F(TeardownTest, ARefusedPermissionIsNotRetriedForAnHour) {
  Teardown t(ctx_, "drill-1", std::chrono::seconds(3600));
  t.Register();
  const std::string v = Made("drill-1");
  t.Made(v);
  ec2_.undeletable_volumes.insert(v);
  t.Finish();
  EXPECT_EQ(t.left_behind(), std::vector<std::string>{v});
  EXPECT_LT(clock_.total_slept(), std::chrono::seconds(10));
}

TEST_F(TeardownTest, CancellationAndExceptionsDoNotStopIt) {
  Teardown t(ctx_, "drill-1", std::chrono::seconds(600));
  t.Register();
  const std::string v = Made("drill-1");
  t.Made(v);
  cancel_.Cancel("SIGTERM");
  ec2_.ThrowOn("DeleteVolume");
  t.Finish();
  EXPECT_FALSE(Exists(v)) << "the next round deleted it";
  EXPECT_TRUE(t.left_behind().empty());
}

TEST_F(TeardownTest, DeleteNowFreesOneSetAndFinishKeepsWhatItCouldNot) {
  Teardown t(ctx_, "drill-1", std::chrono::seconds(600));
  t.Register();
  const std::string a = Made("drill-1"), b = Made("drill-1");
  t.Made(a);
  t.Made(b);
  EXPECT_TRUE(t.DeleteNow({a}, std::chrono::seconds(60)));
  EXPECT_FALSE(Exists(a));
  EXPECT_TRUE(Exists(b)) << "not asked yet";
  t.Finish();
  EXPECT_FALSE(Exists(b));
  EXPECT_EQ(t.deleted(), (std::vector<std::string>{a, b}));
}

TEST_F(TeardownTest, TheSweepDeletesOnlyOldVolumesOfOtherDrills) {
  const std::string old_one = Made("drill-0", "2023-11-14T19:00:00.000Z");  // 3h13m before the fake clock
  const std::string young = Made("drill-0", "2023-11-14T21:00:00.000Z");    // 1h13m
  const std::string mine = Made("drill-2", "2023-11-14T19:00:00.000Z");
  aws::Volume other;  // not a drill's
  other.volume_id = "vol-users";
  other.state = "available";
  other.create_time = "2020-01-01T00:00:00.000Z";
  ec2_.PutVolume(other);
  std::vector<std::string> left;
  auto swept = SweepDrillVolumes(ctx_, std::chrono::hours(2), "drill-2", &left);
  ASSERT_TRUE(swept.ok()) << swept.error().ToString();
  EXPECT_EQ(*swept, std::vector<std::string>{old_one});
  EXPECT_TRUE(left.empty());
  EXPECT_TRUE(Exists(young) && Exists(mine) && Exists("vol-users"));
}

}  // namespace
}  // namespace s3snapshot::job
