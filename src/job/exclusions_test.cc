#include "job/exclusions.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "job/tags.h"
#include "report/report.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {

using report::InstanceReport;
namespace {

std::vector<std::string> Volumes(const InstanceReport& r) {
  std::vector<std::string> out;
  for (const auto& s : r.snapshots) out.push_back(s.volume_id);
  return out;
}

class ExclusionsTest : public testing::JobTest {
 protected:
  report::SnapshotReport Run() { return RunSnapshotJob(spec_, ctx_); }
  const InstanceReport& Row(const report::SnapshotReport& r, const std::string& id) {
    for (const auto& i : r.instances) {
      if (i.instance_id == id) return i;
    }
    throw std::runtime_error("no " + id);
  }
  spec::JobSpec spec_;
};

TEST_F(ExclusionsTest, ListedDevicesAndTheBootVolumeAreLeftOut) {
  // Devices: /dev/xvda (root), /dev/xvdf, /dev/xvdg.
  ec2_.AddInstance("i-00000001", {"vol-a", "vol-f", "vol-g"});
  spec_.instance_ids = {"i-00000001"};
  spec_.exclude_devices = {"xvdg"};  // "/dev/" is optional
  report::SnapshotReport r = Run();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(Volumes(Row(r, "i-00000001")), (std::vector<std::string>{"vol-a", "vol-f"}));
  auto sent = ec2_.create_requests().at(0);
  EXPECT_FALSE(sent.exclude_boot_volume);
  EXPECT_EQ(sent.exclude_data_volume_ids, std::vector<std::string>{"vol-g"});

  spec_.exclude_boot = true;
  r = Run();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(Volumes(Row(r, "i-00000001")), std::vector<std::string>{"vol-f"});
  EXPECT_TRUE(ec2_.create_requests().at(1).exclude_boot_volume);
}

TEST_F(ExclusionsTest, TheRootIsNeverADataVolumeExclusionAndSaysSo) {
  ec2_.AddInstance("i-00000001", {"vol-a", "vol-f"});
  spec_.instance_ids = {"i-00000001"};
  spec_.exclude_devices = {"/dev/xvda"};
  report::SnapshotReport r = Run();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(Volumes(Row(r, "i-00000001")), (std::vector<std::string>{"vol-a", "vol-f"}));
  EXPECT_TRUE(ec2_.create_requests().at(0).exclude_data_volume_ids.empty());
  ASSERT_EQ(Row(r, "i-00000001").warnings.size(), 1u);
  EXPECT_NE(Row(r, "i-00000001").warnings[0].find("root device"), std::string::npos);
}

TEST_F(ExclusionsTest, AnInstanceWithNothingLeftIsReportedNotFailedAndNotStopped) {
  ec2_.AddInstance("i-00000001", {"vol-a"});
  ec2_.AddInstance("i-00000002", {"vol-b", "vol-c"});
  spec_.instance_ids = {"i-00000001", "i-00000002"};
  spec_.exclude_boot = true;
  spec_.stop = true;
  report::SnapshotReport r = Run();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  const InstanceReport& empty = Row(r, "i-00000001");
  EXPECT_FALSE(empty.stopped_by_run) << "nothing to snapshot: never stopped";
  EXPECT_NE(empty.skipped.find("excluded"), std::string::npos);
  EXPECT_NE(report::ReportToText(r).find("skipped (excluded)"), std::string::npos);
  EXPECT_EQ(ec2_.State("i-00000001"), "running");
  EXPECT_EQ(Volumes(Row(r, "i-00000002")), std::vector<std::string>{"vol-c"});
  EXPECT_EQ(ec2_.create_requests().size(), 1u);
}

TEST_F(ExclusionsTest, DeviceNames) {
  for (const char* ok : {"/dev/sdf", "/dev/xvdf", "xvdh", "/dev/nvme1n1", "/dev/sda1"}) {
    EXPECT_TRUE(spec::IsValidDeviceName(ok)) << ok;
  }
  for (const char* bad : {"", "/dev/", "vol-123", "/dev/sd f", "../etc", "/dev/SDF"}) {
    EXPECT_FALSE(spec::IsValidDeviceName(bad)) << bad;
  }
  EXPECT_TRUE(SameDevice("/dev/sdf", "sdf"));
  EXPECT_FALSE(SameDevice("/dev/sdf", "/dev/sdg"));
}

TEST_F(ExclusionsTest, AVolumeTaggedToBeExcludedIsLeftOutTheRootOneByExcludeBootVolume) {
  ec2_.AddInstance("i-00000001", {"vol-a", "vol-f", "vol-g"});  // vol-a is the root volume
  ec2_.AddInstance("i-00000002", {"vol-b", "vol-h"});
  ec2_.AddInstance("i-00000003", {"vol-c"});
  ec2_.TagVolume("vol-g", kTagExclude, "true");
  ec2_.TagVolume("vol-f", kTagExclude, "false");  // only "true" opts out
  ec2_.TagVolume("vol-b", kTagExclude, "true");
  ec2_.TagVolume("vol-c", kTagExclude, "true");
  spec_.instance_ids = {"i-00000001", "i-00000002", "i-00000003"};
  report::SnapshotReport r = Run();
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ((std::vector<std::string>{"vol-a", "vol-f"}), Volumes(Row(r, "i-00000001")));
  EXPECT_EQ((std::vector<std::string>{"vol-h"}), Volumes(Row(r, "i-00000002")));
  EXPECT_EQ(0u, Row(r, "i-00000003").skipped.find("excluded")) << "nothing left: reported, not failed";
  EXPECT_EQ(2, ec2_.CallCount("DescribeVolumes")) << "one lookup for the run's volumes, one for drill leftovers";
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots")) << "none for the instance with nothing left";
}

TEST_F(ExclusionsTest, WhenTheTagsCannotBeReadEveryVolumeIsSnapshottedAndTheRunSaysSo) {
  ec2_.AddInstance("i-00000001", {"vol-a", "vol-f"});
  ec2_.TagVolume("vol-f", kTagExclude, "true");
  ec2_.FailNext("DescribeVolumes", core::Error::Make(core::ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  spec_.instance_ids = {"i-00000001"};
  report::SnapshotReport r = Run();
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(1u, r.run_errors.size());
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("every volume is snapshotted"));
  EXPECT_EQ((std::vector<std::string>{"vol-a", "vol-f"}), Volumes(Row(r, "i-00000001")));
}

}  // namespace
}  // namespace s3snapshot::job
