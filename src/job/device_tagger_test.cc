#include "job/device_tagger.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "job/ledger.h"
#include "report/report.h"
#include "testing/job_fixture.h"

// Device tags (device_tagger.h) and the creation tags and description (tags.h).
namespace s3snapshot::job {

using report::InstanceReport;
namespace {

using core::Error;
using core::ErrorKind;

class DeviceTaggerTest : public testing::JobTest {};

TEST_F(DeviceTaggerTest, OneCallPerDeviceNameAcrossInstancesAndNoneForForgottenSnapshots) {
  Ledger ledger;
  SlowestCall slowest;
  DeviceTagger tagger(ctx_, ledger, slowest);
  std::string forgotten;
  for (int i = 1; i <= 3; ++i) {
    const std::string id = "i-0000000" + std::to_string(i), n = std::to_string(i);
    ec2_.AddInstance(id, {"vol-a" + n, "vol-b" + n});
    InstanceReport row;
    row.instance_id = id;
    ledger.Add(row);
    aws::Instance inst;
    inst.instance_id = id;
    inst.block_devices = {{"/dev/xvda", "vol-a" + n}, {"/dev/xvdf", "vol-b" + n}};
    aws::CreateSnapshotsRequest req;
    req.instance_id = id;
    auto snaps = ec2_.CreateSnapshots(req);
    ASSERT_TRUE(snaps.ok());
    if (i == 2) forgotten = snaps->back().snapshot_id;
    tagger.Add(inst, *snaps);
  }
  tagger.Forget({forgotten});
  tagger.Flush();
  EXPECT_EQ(2, ec2_.CallCount("CreateTags")) << "one per device name, whatever the number of instances";
  int tagged = 0;
  for (const auto& snap : ec2_.AllSnapshots()) {
    const bool has = !snap.TagValue(kTagDevice).empty();
    tagged += has;
    if (snap.snapshot_id == forgotten) {
      EXPECT_FALSE(has) << "a forgotten (deleted) snapshot is not tagged";
    }
  }
  EXPECT_EQ(5, tagged);
}

TEST_F(DeviceTaggerTest, TagsFromCreationAndPerDeviceNames) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"}, "running",
                   {{"Name", "web"}, {"Team", "core"}, {"aws:cloudformation:stack-name", "s"}});
  spec::JobSpec s = Spec({"i-00000001"});
  s.label = "nightly";
  s.protect = true;
  report::SnapshotReport r = Run(s);
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

TEST_F(DeviceTaggerTest, DeviceTagsAreBatchedAcrossInstances) {
  for (int i = 1; i <= 5; ++i) {
    ec2_.AddInstance("i-0000000" + std::to_string(i), {"vol-a" + std::to_string(i), "vol-b" + std::to_string(i)});
  }
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002", "i-00000003", "i-00000004", "i-00000005"}));
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
  spec::JobSpec spec;
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

TEST_F(DeviceTaggerTest, DeviceTagsGoOutInFullBatchesDuringTheRun) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2500; ++i) {
    std::string id = "i-" + std::to_string(10000000 + i);
    ec2_.AddInstance(id, {"vol-a" + std::to_string(i), "vol-b" + std::to_string(i)});
    ids.push_back(id);
  }
  spec::JobSpec spec = Spec(ids);
  spec.concurrency = 4;
  report::SnapshotReport r = Run(spec);
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

TEST_F(DeviceTaggerTest, DeviceTagsComeAfterEveryRestart) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3", "vol-4"});
  report::SnapshotReport r = Run(Spec({"i-00000001", "i-00000002"}, /*stop=*/true));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  auto calls = ec2_.calls();
  auto first_tag = std::find(calls.begin(), calls.end(), "CreateTags") - calls.begin();
  auto last_start = calls.rend() - std::find(calls.rbegin(), calls.rend(), "StartInstances") - 1;
  EXPECT_GT(first_tag, last_start);
}

TEST_F(DeviceTaggerTest, CancelledRunSkipsDeviceTagsWithAWarningButRestarts) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3", "vol-4"});
  int creates = 0;
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots" && ++creates == 2) cancel_.Cancel("SIGTERM");
  };
  spec::JobSpec spec = Spec({"i-00000001", "i-00000002"}, /*stop=*/true);
  spec.concurrency = 1;
  report::SnapshotReport r = Run(spec);
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

TEST_F(DeviceTaggerTest, NoDeviceTagsTooCloseToTheDeadline) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(10), std::chrono::milliseconds(0));
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots") clock_.Advance(std::chrono::seconds(4));  // 6 s left, 8 s needed
  };
  spec::JobSpec spec = Spec({"i-00000001"}, /*stop=*/false);
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.cancelled);
  ASSERT_EQ(1u, r.instances.size());
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
  EXPECT_EQ(0, ec2_.CallCount("CreateTags"));
  ASSERT_EQ(2u, r.instances[0].warnings.size());
  EXPECT_NE(std::string::npos, r.instances[0].warnings[0].find("not set: too close to the deadline"));
}

// With time to spare the device tags go out.

TEST_F(DeviceTaggerTest, DeviceTagsWhenTheDeadlineIsFarAway) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(60), std::chrono::milliseconds(0));
  ec2_.on_call = [&](const std::string& action) {
    if (action == "CreateSnapshots") clock_.Advance(std::chrono::seconds(4));
  };
  report::SnapshotReport r = Run(Spec({"i-00000001"}, /*stop=*/false));
  EXPECT_EQ(2, ec2_.CallCount("CreateTags"));
  EXPECT_TRUE(r.instances[0].warnings.empty());
}

}  // namespace
}  // namespace s3snapshot::job
