#include "job/locker.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "job/tags.h"
#include "report/metrics.h"
#include "report/report.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

double MetricOf(const report::SnapshotReport& r, const std::string& name) {
  double v = -1;
  for (const auto& scope : report::RunMetrics(report::Report(r), "1")) {
    for (const auto& m : scope.metrics) {
      if (m.name == name) v = m.value;
    }
  }
  return v;
}

class LockTest : public ::testing::Test {
 protected:
  LockTest() {
    ctx_.ec2 = &source_;
    ctx_.clock = &clock_;
    ctx_.run_id = "run-1";
    ctx_.ec2_for_region = [this](const std::string& region) -> std::unique_ptr<aws::Ec2Api> {
      return std::make_unique<testing::Ec2ApiWrapper>(&dest_, region);
    };
  }
  spec::JobSpec Spec() {
    spec::JobSpec spec;
    spec.instance_ids = {"i-00000001", "i-00000002"};
    spec.lock_mode = "governance";
    spec.lock_days = 7;
    return spec;
  }
  testing::FakeEc2 source_, dest_;
  testing::FakeClock clock_;
  JobContext ctx_;
};

TEST_F(LockTest, EveryNewSnapshotIsLockedAndTheReportSaysHow) {
  source_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  source_.AddInstance("i-00000002", {"vol-3"});
  report::SnapshotReport r = RunSnapshotJob(Spec(), ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(3u, source_.lock_requests.size());
  for (const auto& req : source_.lock_requests) {
    EXPECT_EQ("governance", req.mode);
    EXPECT_EQ(7, req.duration_days);
    EXPECT_EQ(0, req.cool_off_hours) << "a cool-off is for compliance only";
  }
  for (const auto& i : r.instances) {
    for (const auto& s : i.snapshots) EXPECT_EQ("governance for 7 days from completion", s.lock) << s.snapshot_id;
  }
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("[governance for 7 days from completion]"));
  EXPECT_EQ(3, MetricOf(r, "SnapshotsLocked"));
  EXPECT_EQ(0, MetricOf(r, "SnapshotsLockFailed"));
}

TEST_F(LockTest, AFailedLockIsAFailureOfItsInstanceNeverSilentAndTheSetStillExists) {
  source_.AddInstance("i-00000001", {"vol-1"});
  source_.AddInstance("i-00000002", {"vol-3"});
  source_.FailNext("LockSnapshot", Error::Make(ErrorKind::kAuth, "not authorized", "UnauthorizedOperation"));
  spec::JobSpec spec = Spec();
  spec.concurrency = 1;
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(1, r.FailedCount());
  int locked = 0, not_locked = 0;
  for (const auto& i : r.instances) {
    EXPECT_TRUE(i.snapshotted) << "the set exists";
    for (const auto& s : i.snapshots) (s.lock == kNotLocked ? not_locked : locked)++;
    if (!i.ok()) {
      ASSERT_EQ(1u, i.errors.size());
      EXPECT_EQ(report::Step::kLock, i.errors[0].step);
      EXPECT_EQ("UnauthorizedOperation", i.errors[0].code);
    }
  }
  EXPECT_EQ(1, locked);
  EXPECT_EQ(1, not_locked);
  const std::string text = report::ReportToText(r);
  EXPECT_NE(std::string::npos, text.find("[NOT LOCKED]")) << text;
  EXPECT_NE(std::string::npos, text.find("error: lock:")) << text;
  EXPECT_EQ(1, MetricOf(r, "SnapshotsLockFailed"));
}

TEST_F(LockTest, ACompliancePairsItsCoolOffAndALockUntilATimeIsSentAsSuch) {
  source_.AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec = Spec();
  spec.instance_ids = {"i-00000001"};
  spec.lock_mode = "compliance";
  spec.lock_days = 0;
  spec.lock_until = "2030-01-01T00:00:00Z";
  spec.lock_cool_off_hours = 24;
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(1u, source_.lock_requests.size());
  EXPECT_EQ("2030-01-01T00:00:00Z", source_.lock_requests[0].expiration_date);
  EXPECT_EQ(24, source_.lock_requests[0].cool_off_hours);
  EXPECT_EQ("compliance-cooloff until 2030-01-01T00:00:00Z", r.instances[0].snapshots[0].lock);
}

TEST_F(LockTest, ACancelledRunLocksNothingMoreAndSaysSo) {
  source_.AddInstance("i-00000001", {"vol-1"});
  LockOptions options{"governance", 7, "", 0};
  Ledger ledger;
  report::InstanceReport row;
  row.instance_id = "i-00000001";
  row.snapshots.push_back({"snap-1", "vol-1", "/dev/sda1", "pending", {}, ""});
  ledger.Add(row);
  CancelToken cancel;
  cancel.Cancel("SIGTERM");
  ctx_.cancel = &cancel;
  Locker(ctx_, ledger, options).Lock("i-00000001");
  auto rows = ledger.Take();
  EXPECT_EQ(kNotLocked, rows[0].snapshots[0].lock);
  ASSERT_EQ(1u, rows[0].errors.size());
  EXPECT_EQ("Cancelled", rows[0].errors[0].code);
  EXPECT_EQ(0, source_.CallCount("LockSnapshot"));
}

TEST_F(LockTest, CopiesAreLockedInTheirRegionAndAskedToCompleteInTime) {
  source_.AddInstance("i-00000001", {"vol-1"});
  dest_.snapshot_polls = 1000;
  spec::JobSpec spec = Spec();
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.copy_completion_minutes = 60;
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(1u, dest_.copy_requests.size());
  EXPECT_EQ(60, dest_.copy_requests[0].completion_minutes);
  ASSERT_EQ(1u, dest_.lock_requests.size()) << "the copy, locked in its own region";
  const auto& copy = r.instances[0].snapshots[0].copies.at(0);
  EXPECT_EQ(dest_.lock_requests[0].snapshot_id, copy.snapshot_id);
  EXPECT_EQ("governance for 7 days from completion", copy.lock);
  EXPECT_FALSE(copy.late) << "just started";
}

TEST_F(LockTest, ATimeBasedCopyPendingPastItsPromiseIsLateNotFailed) {
  source_.AddInstance("i-00000001", {"vol-1"});
  source_.snapshot_polls = 1000;  // run 1: the source is pending, its copy queued
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.copy_completion_minutes = 60;
  ASSERT_TRUE(RunSnapshotJob(spec, ctx_).ok());
  source_.snapshot_polls = 0;
  dest_.snapshot_polls = 1000;  // the copy stays pending
  dest_.start_time = core::FormatIso8601(clock_.Now() - std::chrono::minutes(90));
  ctx_.run_id = "run-2";
  report::SnapshotReport r2 = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r2.ok()) << report::ReportToText(r2);
  ASSERT_EQ(1u, r2.earlier_copies.size());
  EXPECT_EQ("pending", r2.earlier_copies[0].state);
  EXPECT_FALSE(r2.earlier_copies[0].late) << "started by this run";
  ctx_.run_id = "run-3";
  report::SnapshotReport r3 = RunSnapshotJob(spec, ctx_);
  EXPECT_TRUE(r3.ok()) << "late is reported, not a failure\n" << report::ReportToText(r3);
  // Run 1's copy and run 2's own, both begun 90 minutes ago and promised in 60.
  ASSERT_EQ(2u, r3.earlier_copies.size());
  for (const auto& c : r3.earlier_copies) EXPECT_TRUE(c.late) << c.copy_id;
  EXPECT_NE(std::string::npos, report::ReportToText(r3).find("LATE (past the time EC2 promised)"));
  EXPECT_EQ(2, MetricOf(r3, "SnapshotsCopiedRegionLate"));
}

}  // namespace
}  // namespace s3snapshot::job
