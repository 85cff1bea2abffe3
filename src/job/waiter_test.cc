#include "job/waiter.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {

using report::InstanceReport;
namespace {

class RecordingProgress : public ProgressSink {
 public:
  void Update(const ProgressUpdate& u) override { updates.push_back(u); }
  std::vector<ProgressUpdate> updates;
};

class WaitTest : public testing::JobTest {
 protected:
  WaitTest() { ctx_.progress = &progress_; }
  report::SnapshotReport Run(spec::JobSpec spec) {
    spec.concurrency = 1;
    spec.wait = true;
    return RunSnapshotJob(spec, ctx_);
  }
  RecordingProgress progress_;
};

TEST_F(WaitTest, PollsInBatchesUntilCompletedWithProgress) {
  ec2_.snapshot_polls = 4;
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-00000002"};
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  for (const auto& i : r.instances) {
    for (const auto& s : i.snapshots) EXPECT_EQ("completed", s.state);
  }
  EXPECT_EQ(6, ec2_.CallCount("DescribeSnapshots"))
      << "5 polls, each one batched call, not one per snapshot; and one lookup for earlier snapshots in 'error'";
  ASSERT_GE(progress_.updates.size(), 2u);
  EXPECT_TRUE(progress_.updates.back().final);
  EXPECT_EQ(3, progress_.updates.back().completed);
  EXPECT_LT(progress_.updates.front().completed, 3);
  EXPECT_GE(progress_.updates[2].eta_seconds, 0) << "an estimate once progress moves";
}

TEST_F(WaitTest, ErrorStateIsAFailure) {
  ec2_.snapshot_polls = 1;
  ec2_.error_volumes = {"vol-2"};
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  report::SnapshotReport r = Run(spec);
  ASSERT_EQ(1u, r.instances[0].errors.size());
  EXPECT_EQ("SnapshotError", r.instances[0].errors[0].code);
  EXPECT_FALSE(r.ok());
}

TEST_F(WaitTest, TimeoutIsAFailure) {
  ec2_.snapshot_polls = 1000000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.wait_timeout = std::chrono::seconds(120);
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ("WaitTimeout", r.instances[0].errors.at(0).code);
  EXPECT_LE(clock_.total_slept(), std::chrono::seconds(125));
}

TEST_F(WaitTest, ACancelledWaitIsACancellationNotATimeoutNorAFailedInstance) {
  // The deadline passes while the snapshots are still pending (a signal
  // does the same): created sets are made, not failed, and not timed out.
  ec2_.snapshot_polls = 1000000;
  ec2_.AddInstance("i-00000001", {"vol-1"});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(30), std::chrono::milliseconds(0));
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  report::SnapshotReport r = Run(spec);
  ASSERT_EQ(1u, r.instances.size());
  const InstanceReport& i = r.instances[0];
  EXPECT_TRUE(i.errors.empty()) << report::ReportToText(r);
  EXPECT_TRUE(i.snapshotted);
  EXPECT_EQ(0, r.FailedCount());
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok()) << "a cancelled run did not do all it was asked";
  ASSERT_EQ(1u, i.warnings.size());
  EXPECT_NE(i.warnings[0].find("created, not awaited: the run was cancelled"), std::string::npos) << i.warnings[0];
  EXPECT_EQ(report::ReportToText(r).find("WaitTimeout"), std::string::npos);
}

}  // namespace
}  // namespace s3snapshot::job
