#include "job/drill.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "report/report.h"
#include "testing/fake_ssm.h"
#include "testing/job_fixture.h"

// The drill (drill.h) on the fakes: each newest set restored and deleted,
// timed, checked through SSM, held to --rto, evidenced on its snapshots;
// and on every way out (cancellation, an exception) no volume stays.
namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

aws::Snapshot Snap(const std::string& id, const std::string& instance, const std::string& volume,
                   const std::string& run, const std::string& started, const std::string& state = "completed") {
  aws::Snapshot s;
  s.snapshot_id = id;
  s.volume_id = volume;
  s.state = state;
  s.start_time = started;
  s.tags = {{kTagScripted, kTagScriptedValue}, {kTagRunId, run}, {kTagInstanceId, instance}};
  return s;
}

class DrillTest : public testing::JobTest {
 protected:
  DrillTest() {
    ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
    ec2_.AddInstance("i-00000002", {"vol-3"});
    ec2_.AddSnapshot(Snap("snap-o1", "i-00000001", "vol-1", "20231113T000000Z-aaaaaa", "2023-11-13T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-n1", "i-00000001", "vol-1", "20231114T000000Z-bbbbbb", "2023-11-14T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-n2", "i-00000001", "vol-2", "20231114T000000Z-bbbbbb", "2023-11-14T00:00:00.000Z"));
    ec2_.AddSnapshot(Snap("snap-n3", "i-00000002", "vol-3", "20231114T000000Z-bbbbbb", "2023-11-14T00:00:00.000Z"));
    spec_.drill = true;
    spec_.instance_ids = {"i-00000001", "i-00000002"};
    ctx_.backoff_initial = core::Duration(100);
    ctx_.backoff_max = core::Duration(400);
  }
  report::DrillReport Drill() { return RunDrill(spec_, ctx_); }
  std::string DrilledTag(const std::string& snapshot) {
    for (const auto& s : ec2_.AllSnapshots()) {
      if (s.snapshot_id == snapshot) return s.TagValue(kTagDrilled);
    }
    return "(none)";
  }
  spec::JobSpec spec_;
};

TEST_F(DrillTest, EachNewestSetIsRestoredTimedDeletedAndEvidenced) {
  ec2_.volume_creating_polls = 2;
  report::DrillReport r = Drill();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(r.sets.size(), 2u);
  for (const auto& s : r.sets) {
    EXPECT_EQ(s.run_id, "20231114T000000Z-bbbbbb") << "the newest set, not the older";
    EXPECT_GT(s.seconds_to_available, 0) << "it waited for 'available'";
    EXPECT_EQ(s.set_age_seconds, 80000);  // 2023-11-14T00:00:00Z to the fake clock's 22:13:20
    for (const auto& v : s.volumes) EXPECT_EQ(v.state, "deleted") << v.volume_id;
  }
  EXPECT_EQ(ec2_.CallCount("CreateVolume"), 3);
  EXPECT_TRUE(ec2_.Volumes().empty()) << "nothing left";
  EXPECT_EQ(0, ec2_.CallCount("AttachVolume")) << "no check: attached nowhere";
  for (const auto& req : ec2_.create_volume_requests()) {
    EXPECT_EQ(aws::TagValue(req.tags, kTagDrillId), r.drill_id);
    EXPECT_FALSE(req.client_token.empty());
  }
  EXPECT_NE(DrilledTag("snap-n1").find(" passed"), std::string::npos);
  EXPECT_EQ(DrilledTag("snap-o1"), "") << "the older set was not drilled";
  core::WallTime when{};
  bool passed = false;
  ASSERT_TRUE(ParseDrilledTag(DrilledTag("snap-n3"), &when, &passed));
  EXPECT_TRUE(passed);
}

TEST_F(DrillTest, AnInstanceWithoutACompleteSetFailsAndTheOthersAreDrilled) {
  ec2_.AddInstance("i-00000003", {"vol-9"});
  ec2_.AddSnapshot(
      Snap("snap-p", "i-00000003", "vol-9", "20231114T000000Z-cccccc", "2023-11-14T00:00:00.000Z", "error"));
  spec_.instance_ids.push_back("i-00000003");
  report::DrillReport r = Drill();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.FailedCount(), 1);
  const auto& bad = *std::find_if(r.sets.begin(), r.sets.end(), [](auto& s) { return s.instance_id == "i-00000003"; });
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors[0].code, "NoCompleteSet");
  EXPECT_EQ(ec2_.CallCount("CreateVolume"), 3);
  EXPECT_EQ(DrilledTag("snap-p"), "") << "never restored: no evidence either way";
}

TEST_F(DrillTest, AVolumeInErrorFailsItsSetAndIsDeletedToo) {
  ec2_.volume_creating_polls = 1;
  ec2_.on_call = [this](const std::string& action) {
    if (action != "DescribeVolumes") return;
    for (auto v : ec2_.Volumes()) {
      if (v.snapshot_id == "snap-n3" && v.state == "creating") {
        v.state = "error";
        ec2_.PutVolume(v);
      }
    }
  };
  report::DrillReport r = Drill();
  ec2_.on_call = nullptr;
  EXPECT_EQ(r.FailedCount(), 1);
  EXPECT_TRUE(ec2_.Volumes().empty());
  EXPECT_NE(DrilledTag("snap-n3").find(" failed"), std::string::npos);
}

TEST_F(DrillTest, ASetSlowerThanTheRtoFails) {
  ec2_.volume_creating_polls = 1000;  // never available
  spec_.rto = std::chrono::seconds(5);
  report::DrillReport r = Drill();
  EXPECT_EQ(r.FailedCount(), 2);
  EXPECT_EQ(r.sets[0].errors[0].code, "NotAvailable");
  EXPECT_TRUE(ec2_.Volumes().empty()) << "deleted once out of 'creating'";
}

TEST_F(DrillTest, ACheckThatTakesTheSetPastTheRtoFailsIt) {
  testing::FakeSsm ssm;
  ctx_.ssm = &ssm;
  ec2_.AddInstance("i-0000000c", {"vol-c"});
  spec_.instance_ids = {"i-00000002"};
  spec_.check_instance = "i-0000000c";
  spec_.check_command = "true";
  spec_.rto = std::chrono::seconds(3);
  ssm.SetRule("check", {"Success", 10, 0, false});  // ten looks at InProgress: seconds of the fake clock
  report::DrillReport r = Drill();
  ASSERT_EQ(r.FailedCount(), 1) << report::ReportToText(r);
  EXPECT_TRUE(r.sets[0].over_rto);
  EXPECT_EQ(r.sets[0].check, "passed");
  EXPECT_EQ(r.sets[0].errors.at(0).code, "RtoExceeded");
}

TEST_F(DrillTest, ASignalAfterTheFirstVolumeLeavesNoVolume) {
  int created = 0;
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateVolume" && ++created == 2) cancel_.Cancel("SIGTERM");
  };
  report::DrillReport r = Drill();
  ec2_.on_call = nullptr;
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ec2_.CallCount("CreateVolume"), 2) << "none after the signal";
  EXPECT_TRUE(ec2_.Volumes().empty());
  EXPECT_EQ(DrilledTag("snap-n3"), "") << "a cancelled set is no evidence";
}

TEST_F(DrillTest, AnExceptionMidDrillLeavesNoVolume) {
  ec2_.ThrowOn("CreateVolume", 2);
  report::DrillReport r = Drill();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.run_errors.at(0).code, "InternalError");
  EXPECT_TRUE(ec2_.Volumes().empty());
  EXPECT_TRUE(r.left_behind.empty());
}

TEST_F(DrillTest, AVolumeThatCannotBeDeletedIsLeftBehindAndFailsTheDrill) {
  ec2_.on_call = [this](const std::string& action) {
    if (action != "DeleteVolume") return;
    for (const auto& v : ec2_.Volumes()) ec2_.undeletable_volumes.insert(v.volume_id);
  };
  report::DrillReport r = Drill();
  ec2_.on_call = nullptr;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.left_behind.size(), 3u);
  auto lines = report::FailureSummary(report::Report(r));
  EXPECT_NE(lines.at(0).find("LEFT BEHIND"), std::string::npos);
  EXPECT_NE(report::ReportSubject(report::Report(r), true).find("LEFT BEHIND"), std::string::npos);
}

TEST_F(DrillTest, TheCheckRunsOnTheScratchInstanceWithTheDevicesAndCountsItsExit) {
  testing::FakeSsm ssm;
  ctx_.ssm = &ssm;
  ec2_.AddInstance("i-0000000c", {"vol-c"});
  ec2_.SetAvailabilityZone("i-0000000c", "us-east-1c");
  spec_.check_instance = "i-0000000c";
  spec_.check_command = "fsck -n $S3SNAPSHOT_DEVICES";
  ssm.SetRule("check", {"Failed", 0, 3, false});
  report::DrillReport r = Drill();
  EXPECT_EQ(r.FailedCount(), 2);
  for (const auto& s : r.sets) {
    EXPECT_EQ(s.check, "failed (exit 3)");
    EXPECT_EQ(s.availability_zone, "us-east-1c") << "made in the check instance's zone";
  }
  ASSERT_EQ(ssm.sent().size(), 2u) << "one check per set";
  const std::vector<std::string> cmds = ssm.sent()[0].parameters.at("commands");
  EXPECT_EQ(cmds.back(), spec_.check_command);
  EXPECT_NE(cmds[0].find("S3SNAPSHOT_DEVICES='/dev/sdf /dev/sdg'"), std::string::npos) << cmds[0];
  EXPECT_EQ(cmds[1].rfind("export S3SNAPSHOT_VOLUME_IDS='vol-r", 0), 0u) << cmds[1];
  EXPECT_NE(cmds[2].find("S3SNAPSHOT_SOURCE_DEVICES='/dev/xvda /dev/xvdf'"), std::string::npos) << cmds[2];
  EXPECT_TRUE(ec2_.Volumes().size() == 0) << "detached and deleted";
  EXPECT_EQ(ec2_.CallCount("DetachVolume"), 3);

  ssm.SetRule("check", {});
  clock_.Advance(std::chrono::hours(1));
  report::DrillReport ok = Drill();
  ASSERT_TRUE(ok.ok()) << report::ReportToText(ok);
  EXPECT_EQ(ok.sets[0].check, "passed");
}

TEST_F(DrillTest, ADryRunChoosesTheSetsAndMakesNothing) {
  spec_.dry_run = true;
  report::DrillReport r = Drill();
  ASSERT_EQ(r.sets.size(), 2u);
  EXPECT_EQ(r.sets[0].volumes.at(0).state, "planned");
  EXPECT_EQ(0, ec2_.CallCount("CreateVolume") + ec2_.CallCount("CreateTags") + ec2_.CallCount("DeleteVolume"));
}

TEST_F(DrillTest, ASampleIsThatManyOfTheSelectedInOrder) {
  std::vector<aws::Instance> all(10);
  for (size_t i = 0; i < all.size(); ++i) all[i].instance_id = "i-0000000" + std::to_string(i);
  std::mt19937_64 random(7);
  auto some = SampleOf(all, 3, random);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_TRUE(std::is_sorted(some.begin(), some.end(), [](auto& a, auto& b) { return a.instance_id < b.instance_id; }));
  EXPECT_EQ(SampleOf(all, 0, random).size(), 10u);
  EXPECT_EQ(SampleOf(all, 50, random).size(), 10u);
}

}  // namespace
}  // namespace s3snapshot::job

namespace s3snapshot::job {
namespace {

TEST_F(DrillTest, WithoutPermissionToReadVolumesItFailsFastAndStillDeletes) {
  testing::FakeSsm ssm;
  ctx_.ssm = &ssm;
  ec2_.AddInstance("i-0000000c", {"vol-c"});
  spec_.check_instance = "i-0000000c";
  spec_.check_command = "true";
  ec2_.volume_creating_polls = 0;
  ec2_.FailNext("DescribeVolumes", Error::Make(ErrorKind::kAuth, "not authorized", "UnauthorizedOperation"), 1000);
  report::DrillReport r = Drill();
  EXPECT_EQ(r.FailedCount(), 2) << report::ReportToText(r);
  EXPECT_EQ(ec2_.CallCount("AttachVolume"), 3) << "each set attached, then not seen attached: failed";
  EXPECT_EQ(ec2_.CallCount("DetachVolume"), 3) << "detached where the drill put it";
  EXPECT_TRUE(r.left_behind.empty());
  EXPECT_TRUE(ec2_.Volumes().empty()) << "deleted without looking";
  EXPECT_LT(clock_.total_slept(), std::chrono::seconds(30));
}

}  // namespace
}  // namespace s3snapshot::job

namespace s3snapshot::job {
namespace {

TEST_F(DrillTest, ASetsTimeToAvailableDoesNotIncludeMakingTheSetsAfterIt) {
  ec2_.on_call = [this](const std::string& action) {
    if (action == "CreateVolume") clock_.Advance(std::chrono::seconds(1));  // each call takes a second
  };
  report::DrillReport r = Drill();
  ec2_.on_call = nullptr;
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_DOUBLE_EQ(r.sets[0].seconds_to_available, 2.0) << "its own two volumes, not the third set's";
  EXPECT_DOUBLE_EQ(r.sets[1].seconds_to_available, 1.0);
}

}  // namespace
}  // namespace s3snapshot::job
