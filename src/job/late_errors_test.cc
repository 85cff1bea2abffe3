#include "job/late_errors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {

using report::FailureRecord;
namespace {

class LateErrorsTest : public testing::JobTest {
 protected:
  report::SnapshotReport Run(const std::string& run_id) {
    ctx_.run_id = run_id;
    spec::JobSpec spec;
    spec.instance_ids = {"i-00000001", "i-00000002"};
    return RunSnapshotJob(spec, ctx_);
  }
};

TEST_F(LateErrorsTest, ASnapshotThatEndedInErrorAfterItsRunIsReportedOnceByTheNextRun) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  ec2_.snapshot_polls = 1000;
  report::SnapshotReport r1 = Run("run-1");
  ASSERT_TRUE(r1.ok()) << "no --wait: the run ends with its snapshots pending\n" << report::ReportToText(r1);
  // Later, EC2 ends vol-2's snapshot in 'error' (and the others complete).
  ec2_.error_volumes = {"vol-2"};
  ec2_.snapshot_polls = 0;
  (void)ec2_.DescribeSnapshots({});
  ec2_.error_volumes.clear();
  report::SnapshotReport r2 = Run("run-2");
  EXPECT_FALSE(r2.ok());
  ASSERT_EQ(1u, r2.instances[0].errors.size()) << report::ReportToText(r2);
  const FailureRecord& f = r2.instances[0].errors[0];
  EXPECT_EQ("earlier snapshot", report::StepName(f));
  EXPECT_EQ("SnapshotError", f.code);
  EXPECT_NE(std::string::npos, f.message.find("vol-2")) << f.message;
  EXPECT_NE(std::string::npos, f.message.find("run run-1")) << f.message;
  EXPECT_TRUE(r2.instances[1].errors.empty());
  // The SNS error message names it.
  EXPECT_NE(std::string::npos, report::ReportMessage(r2, true).find("vol-2"));
  report::SnapshotReport r3 = Run("run-3");
  EXPECT_TRUE(r3.ok()) << "reported once, not by every run\n" << report::ReportToText(r3);
}

TEST_F(LateErrorsTest, AFailedLookupIsAWarningNotAFailure) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  ec2_.FailNext("DescribeSnapshots", core::Error::Make(core::ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  report::SnapshotReport r = Run("run-1");
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
}

TEST_F(LateErrorsTest, AThrowInTheLookupOnItsOwnThreadIsAWarningAndTheRunGoesOn) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  ec2_.ThrowOn("DescribeSnapshots", 1, true, "volume-id");  // std::bad_alloc in the lookup
  report::SnapshotReport r = Run("run-1");
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots"));
}

TEST_F(LateErrorsTest, TheLookupRunsWhileTheSnapshotsAreMadeNotAfterThem) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  // Each CreateSnapshots waits (at most 5 s) for the late-error lookup: it
  // comes only if the lookup overlaps the snapshots.
  std::mutex mu;
  std::condition_variable cv;
  bool looked_up = false, waited_in_vain = false;
  ec2_.on_call = [&](const std::string& action) {
    std::unique_lock<std::mutex> l(mu);
    if (action == "DescribeSnapshots") {
      looked_up = true;
      cv.notify_all();
    } else if (action == "CreateSnapshots" && !cv.wait_for(l, std::chrono::seconds(5), [&] { return looked_up; })) {
      waited_in_vain = true;
    }
  };
  report::SnapshotReport r = Run("run-1");
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_TRUE(looked_up);
  EXPECT_FALSE(waited_in_vain) << "the lookup came only after the snapshots";
}

TEST_F(LateErrorsTest, ThisRunsOwnSnapshotInErrorIsNotAnEarlierOne) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.AddInstance("i-00000002", {"vol-3"});
  ec2_.error_volumes = {"vol-1"};  // ends in 'error' as soon as it is described
  ec2_.snapshot_polls = 0;
  report::SnapshotReport r = Run("run-1");
  for (const auto& i : r.instances) {
    for (const auto& e : i.errors) EXPECT_NE("earlier snapshot", report::StepName(e)) << e.message;
  }
  for (const auto& e : r.run_errors) EXPECT_NE("earlier snapshot", report::StepName(e)) << e.message;
}

}  // namespace
}  // namespace s3snapshot::job
