#include "job/audit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "job/tags.h"
#include "report/audit_report.h"
#include "report/report.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {

using report::AuditVolume;
namespace {

// The fake clock's wall time is 2023-11-14T22:13:20Z.
constexpr char kNow[] = "2023-11-14T22:13:20.000Z";
constexpr char kHourAgo[] = "2023-11-14T21:13:20.000Z";
constexpr char kTwoDaysAgo[] = "2023-11-12T22:13:20.000Z";

aws::Snapshot Snap(const std::string& id, const std::string& volume, const std::string& start, const std::string& state,
                   std::vector<aws::Tag> tags = {{kTagScripted, kTagScriptedValue}}) {
  aws::Snapshot s;
  s.snapshot_id = id;
  s.volume_id = volume;
  s.start_time = start;
  s.state = state;
  s.tags = std::move(tags);
  return s;
}

std::vector<std::string> Kinds(const AuditVolume& v) {
  std::vector<std::string> out;
  for (const auto& f : v.findings) out.push_back(f.kind);
  return out;
}

class AuditTest : public ::testing::Test {
 protected:
  report::AuditReport Audit() {
    JobContext ctx;
    ctx.ec2 = &ec2_;
    ctx.clock = &clock_;
    ctx.ec2_for_region = [this](const std::string&) {
      return std::make_unique<testing::Ec2ApiWrapper>(&dest_, "eu-west-1");
    };
    return RunAudit(spec_, ctx);
  }
  const AuditVolume& Volume(const report::AuditReport& r, const std::string& id) {
    for (const auto& v : r.volumes) {
      if (v.volume_id == id) return v;
    }
    throw std::runtime_error("no volume " + id);
  }
  spec::JobSpec spec_;
  testing::FakeEc2 ec2_, dest_;
  testing::FakeClock clock_;
};

TEST(AuditAgeTest, AFigureNeverContradictsItsVerdict) {
  EXPECT_EQ(report::HumanAgeBeyond(73, 60), "1m13s") << "73 s is beyond 1m: it must not read as 1m";
  EXPECT_EQ(report::HumanAgeBeyond(150, 60), "2m");
  EXPECT_EQ(report::HumanAgeBeyond(86400 + 1800, 86400), "1d30m");
  EXPECT_EQ(report::HumanAgeBeyond(93600 + 60, 93600), "1d2h1m");
  EXPECT_EQ(report::HumanAgeBeyond(30, 60), "30s");
}

TEST_F(AuditTest, JudgesEachVolumeByItsNewestCompletedSnapshot) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-ok", "vol-old"});
  ec2_.AddInstance("i-00000002", {"vol-none"}, "stopped");
  ec2_.AddInstance("i-00000003", {"vol-err"});
  ec2_.AddInstance("i-00000004", {});
  ec2_.AddSnapshot(Snap("snap-1", "vol-ok", kHourAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-2", "vol-ok", kTwoDaysAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-3", "vol-old", kTwoDaysAgo, "completed"));
  // An error newer than the newest completed one: still covered, but said.
  ec2_.AddSnapshot(Snap("snap-4", "vol-err", kTwoDaysAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-5", "vol-err", kHourAgo, "error"));
  report::AuditReport r = Audit();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Kinds(Volume(r, "vol-ok")), std::vector<std::string>{});
  EXPECT_EQ(Volume(r, "vol-ok").newest.snapshot_id, "snap-1");
  EXPECT_EQ(Volume(r, "vol-ok").newest.age_seconds, 3600);
  EXPECT_EQ(Kinds(Volume(r, "vol-old")), std::vector<std::string>{"too-old"});
  EXPECT_EQ(Kinds(Volume(r, "vol-none")), std::vector<std::string>{"missing"});
  EXPECT_EQ(Volume(r, "vol-none").instance_state, "stopped");
  EXPECT_EQ(Kinds(Volume(r, "vol-err")), (std::vector<std::string>{"too-old", "error"}));
  EXPECT_EQ(Kinds(Volume(r, "")), std::vector<std::string>{"no-ebs-volume"});
  EXPECT_EQ(r.UnprotectedCount(), 4);
  EXPECT_EQ(r.OldestNewestAgeSeconds(), 2 * 86400);
  // Read-only.
  for (const auto& c : ec2_.calls()) EXPECT_EQ(0u, c.rfind("Describe", 0)) << c;
}

TEST_F(AuditTest, AVolumeTaggedToBeExcludedIsListedNotJudgedAndNotLookedUp) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-ok", "vol-scratch"});
  ec2_.AddSnapshot(Snap("snap-1", "vol-ok", kHourAgo, "completed"));
  ec2_.TagVolume("vol-scratch", kTagExclude, "true");
  report::AuditReport r = Audit();
  EXPECT_TRUE(r.ok()) << "a volume left out on purpose is not unprotected";
  EXPECT_TRUE(Volume(r, "vol-scratch").excluded);
  EXPECT_FALSE(Volume(r, "vol-ok").excluded);
  EXPECT_EQ(1, ec2_.CallCount("DescribeVolumes"));
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("excluded (s3snapshot:exclude=true)"));
}

TEST_F(AuditTest, ForeignSnapshotsCountOnlyWhenAskedAndSayWhose) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2", "vol-3"});
  ec2_.AddSnapshot(Snap("snap-dlm", "vol-1", kHourAgo, "completed", {{"aws:dlm:lifecycle-policy-id", "policy-1"}}));
  ec2_.AddSnapshot(Snap("snap-bak", "vol-2", kHourAgo, "completed", {{"aws:backup:source-resource", "arn:x"}}));
  ec2_.AddSnapshot(Snap("snap-man", "vol-3", kHourAgo, "completed", {}));
  report::AuditReport r = Audit();
  EXPECT_EQ(r.UnprotectedCount(), 3);
  spec_.include_foreign = true;
  r = Audit();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(Volume(r, "vol-1").newest.owner, "dlm");
  EXPECT_EQ(Volume(r, "vol-2").newest.owner, "aws-backup");
  EXPECT_EQ(Volume(r, "vol-3").newest.owner, "other");
}

TEST_F(AuditTest, ALabelCountsOnlyItsOwnSnapshots) {
  spec_.all = true;
  spec_.label = "daily";
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddSnapshot(
      Snap("snap-1", "vol-1", kHourAgo, "completed", {{kTagScripted, kTagScriptedValue}, {kTagLabel, "daily"}}));
  ec2_.AddSnapshot(
      Snap("snap-2", "vol-2", kHourAgo, "completed", {{kTagScripted, kTagScriptedValue}, {kTagLabel, "weekly"}}));
  report::AuditReport r = Audit();
  EXPECT_TRUE(Volume(r, "vol-1").ok());
  EXPECT_EQ(Kinds(Volume(r, "vol-2")), std::vector<std::string>{"missing"});
}

TEST_F(AuditTest, PendingLongerThanTheBoundIsAFinding) {
  spec_.all = true;
  spec_.max_pending = std::chrono::hours(12);
  ec2_.snapshot_polls = 1000;  // pending stays pending
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddSnapshot(Snap("snap-1", "vol-1", kHourAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-2", "vol-1", kTwoDaysAgo, "pending"));
  ec2_.AddSnapshot(Snap("snap-3", "vol-2", kHourAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-4", "vol-2", kNow, "pending"));
  report::AuditReport r = Audit();
  EXPECT_EQ(Kinds(Volume(r, "vol-1")), std::vector<std::string>{"pending"});
  EXPECT_TRUE(Volume(r, "vol-2").ok());
}

TEST_F(AuditTest, OneDescribeSnapshotsPer200VolumesNeverOnePerVolume) {
  spec_.all = true;
  for (int i = 0; i < 150; ++i) {
    char id[16], v1[16], v2[16], v3[16];
    snprintf(id, sizeof(id), "i-%08x", i + 1);
    snprintf(v1, sizeof(v1), "vol-a%d", i);
    snprintf(v2, sizeof(v2), "vol-b%d", i);
    snprintf(v3, sizeof(v3), "vol-c%d", i);
    ec2_.AddInstance(id, {v1, v2, v3});
  }
  report::AuditReport r = Audit();
  EXPECT_EQ(r.volumes.size(), 450u);
  EXPECT_EQ(ec2_.CallCount("DescribeSnapshots"), 3);  // 450 volumes / 200
}

TEST_F(AuditTest, CopiesAreJudgedInEachDestination) {
  spec_.all = true;
  spec_.copy_to_regions = {"eu-west-1"};
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2", "vol-3"});
  for (const char* v : {"vol-1", "vol-2", "vol-3"}) {
    ec2_.AddSnapshot(Snap(std::string("snap-") + v, v, kHourAgo, "completed"));
  }
  std::vector<aws::Tag> copy_tags = {
      {kTagScripted, kTagScriptedValue}, {kTagSourceVolume, "vol-1"}, {kTagSourceRegion, "us-east-1"}};
  dest_.AddSnapshot(Snap("snap-c1", "vol-ffffffff", kHourAgo, "completed", copy_tags));
  copy_tags[1].value = "vol-2";
  dest_.AddSnapshot(Snap("snap-c2", "vol-ffffffff", kTwoDaysAgo, "completed", copy_tags));
  // A copy from another source region does not count.
  copy_tags[1].value = "vol-3";
  copy_tags[2].value = "us-west-2";
  dest_.AddSnapshot(Snap("snap-c3", "vol-ffffffff", kHourAgo, "completed", copy_tags));
  report::AuditReport r = Audit();
  EXPECT_TRUE(Volume(r, "vol-1").ok());
  EXPECT_EQ(Volume(r, "vol-1").copies.at(0).newest.snapshot_id, "snap-c1");
  EXPECT_EQ(Kinds(Volume(r, "vol-2")), std::vector<std::string>{"copy-too-old"});
  EXPECT_EQ(Kinds(Volume(r, "vol-3")), std::vector<std::string>{"copy-missing"});
}

TEST_F(AuditTest, AFailedLookupMakesTheVolumesUnknownAndTheRunFail) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddSnapshot(Snap("snap-1", "vol-1", kHourAgo, "completed"));
  ec2_.FailNext("DescribeSnapshots", core::Error::Make(core::ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  report::AuditReport r = Audit();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Kinds(r.volumes.at(0)), std::vector<std::string>{"unknown"});
  ASSERT_EQ(r.run_errors.size(), 1u);
  EXPECT_EQ(r.run_errors[0].code, "UnauthorizedOperation");
}

TEST_F(AuditTest, ASelectionFailureIsSaidAsSuch) {
  spec_.all = true;
  ec2_.FailNext("DescribeInstances", core::Error::Make(core::ErrorKind::kAuth, "bad key", "AuthFailure"));
  report::AuditReport r = Audit();
  EXPECT_TRUE(r.selection_failed);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(report::ReportToText(r).find("nothing was audited"), std::string::npos);
}

TEST_F(AuditTest, TheCutJsonKeepsTheUnprotectedVolumesAndCountsTheRest) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2", "vol-3"});
  ec2_.AddSnapshot(Snap("snap-1", "vol-1", kHourAgo, "completed"));
  report::AuditReport r = Audit();
  std::ostringstream cut;
  report::WriteJson(r, cut, -1, /*findings_only=*/true);
  auto j = nlohmann::json::parse(cut.str());
  EXPECT_EQ(j["volumes_omitted"], 1);
  ASSERT_EQ(j["volumes"].size(), 2u);
  EXPECT_EQ(j["summary"]["volumes"], 3);  // the summary still counts all
  auto whole = nlohmann::json::parse(report::ReportToJson(r, 2));
  EXPECT_EQ(whole["volumes"].size(), 3u);
  EXPECT_FALSE(whole.contains("volumes_omitted"));
  EXPECT_EQ(whole["report_version"], report::kReportVersion);
}

TEST_F(AuditTest, StreamedJsonIsExactlyTheDocumentsDump) {
  spec_.all = true;
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {});
  ec2_.AddSnapshot(Snap("snap-1", "vol-1", kHourAgo, "completed"));
  report::AuditReport r = Audit();
  for (int indent : {-1, 2}) {
    std::ostringstream o;
    WriteReportJson(r, o, indent);
    auto parsed = nlohmann::json::parse(o.str());
    EXPECT_EQ(parsed.dump(indent), o.str()) << "indent " << indent;
  }
}

TEST_F(AuditTest, HumanAges) {
  EXPECT_EQ(report::HumanAge(0), "0s");
  EXPECT_EQ(report::HumanAge(59), "59s");
  EXPECT_EQ(report::HumanAge(3600), "1h");
  EXPECT_EQ(report::HumanAge(3 * 3600 + 12 * 60 + 5), "3h12m");
  EXPECT_EQ(report::HumanAge(26 * 3600), "1d2h");
  EXPECT_EQ(report::HumanAge(-1), "?");
}

TEST_F(AuditTest, RequireLockFindsTheVolumeWhoseNewestSetIsUnlocked) {
  spec_.all = true;
  spec_.require_lock = true;
  ec2_.AddInstance("i-00000001", {"vol-locked", "vol-open"});
  ec2_.AddSnapshot(Snap("snap-old", "vol-open", kTwoDaysAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-1", "vol-locked", kHourAgo, "completed"));
  ec2_.AddSnapshot(Snap("snap-2", "vol-open", kHourAgo, "completed"));
  for (const char* id : {"snap-1", "snap-old"}) {  // an older lock does not cover the newest set
    aws::SnapshotLock lock;
    lock.snapshot_id = id;
    lock.lock_state = "compliance";
    ec2_.PutLock(lock);
  }
  report::AuditReport r = Audit();
  EXPECT_EQ(Kinds(Volume(r, "vol-locked")), std::vector<std::string>{});
  EXPECT_EQ(Kinds(Volume(r, "vol-open")), std::vector<std::string>{"unlocked"});
  EXPECT_NE(std::string::npos, Volume(r, "vol-open").findings[0].message.find("snap-2"));
  EXPECT_EQ(1, ec2_.CallCount("DescribeLockedSnapshots")) << "one lookup for the fleet";
  spec_.require_lock = false;
  EXPECT_TRUE(Audit().ok()) << "without --require-lock a lock is not asked for";
}

}  // namespace
}  // namespace s3snapshot::job
