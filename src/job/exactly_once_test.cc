#include "job/exactly_once.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "report/report.h"
#include "testing/job_fixture.h"

// The exactly-once create (exactly_once.h): its own API, then whole runs.
namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

class ExactlyOnceTest : public testing::JobTest {};

aws::CreateSnapshotsRequest RequestFor(const std::string& instance_id, const std::string& run_id) {
  aws::CreateSnapshotsRequest req;
  req.instance_id = instance_id;
  req.tags = {{kTagScripted, kTagScriptedValue}, {kTagRunId, run_id}, {kTagInstanceId, instance_id}};
  return req;
}

TEST_F(ExactlyOnceTest, TheOwnSnapshotLookupChunksAtEc2sFilterLimit) {
  std::vector<std::string> volumes;
  for (int i = 0; i < 450; ++i) volumes.push_back("vol-" + std::to_string(i));
  for (int i : {0, 199, 200, 449}) {
    aws::Snapshot s;
    s.snapshot_id = "snap-" + std::to_string(i);
    s.volume_id = "vol-" + std::to_string(i);
    s.state = "completed";
    ec2_.AddSnapshot(s);
  }
  auto found = aws::DescribeOwnSnapshots(ec2_, {}, "volume-id", volumes);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(4u, found->size());
  EXPECT_EQ(3, ec2_.CallCount("DescribeSnapshots")) << "200 + 200 + 50 values";
  EXPECT_TRUE(aws::DescribeOwnSnapshots(ec2_, {}, "volume-id", {}).ok());
  EXPECT_EQ(3, ec2_.CallCount("DescribeSnapshots")) << "nothing to look up: no call";
}

TEST_F(ExactlyOnceTest, ALostAnswerIsFoundByItsTagsNotSentAgain) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAmbiguous, "the answer was lost"));
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(2u, set->size());
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots")) << "never sent twice";
  EXPECT_EQ(2, SnapshotsOf("i-00000001"));
  EXPECT_EQ(2u, FindRunSnapshots(ctx_, "i-00000001").size());
}

TEST_F(ExactlyOnceTest, AnAnswerLostBeforeEc2AppliedItIsSentAgainOnce) {
  // The fake applies an ambiguous call; a transport failure (nothing reached
  // EC2) is not applied: the lookups find nothing and it is sent again.
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kTransport, "connection refused"));
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(1, SnapshotsOf("i-00000001"));
}

TEST_F(ExactlyOnceTest, ARefusalIsNotRetried) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kInvalidInput, "no", "InvalidParameterValue"));
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ("InvalidParameterValue", set.error().code);
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(0, SnapshotsOf("i-00000001"));
}

TEST_F(ExactlyOnceTest, CancelledAfterALostAnswerItLooksOnceAndSaysWhatToSearchFor) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("DescribeSnapshots", Error::Make(ErrorKind::kTransient, "busy", "InternalError"), 10);
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAmbiguous, "connection reset after sending"));
  cancel_.Cancel("SIGTERM");
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().ToString().find("s3snapshot:run-id=run-1"), std::string::npos) << set.error().ToString();
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots")) << "nothing more is sent after the cancellation";
  EXPECT_EQ(1, SnapshotsOf("i-00000001")) << "EC2 made it; the report says to search for it";
}

TEST_F(ExactlyOnceTest, CancelledAfterALostAnswerTheInstanceIsReleasedBeforeTheLook) {
  // At the Lambda deadline the look may be slow; the restart must not wait for it.
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAmbiguous, "connection reset after sending"));
  cancel_.Cancel("deadline");
  std::vector<std::string> calls_when_settled;
  int settled = 0;
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest, [&] {
    ++settled;
    calls_when_settled = ec2_.calls();
  });
  ASSERT_TRUE(set.ok()) << "the look still finds the set EC2 made";
  EXPECT_EQ(1, settled);
  EXPECT_EQ(calls_when_settled, std::vector<std::string>{"CreateSnapshots"}) << "released before the look";
  EXPECT_EQ(1, ec2_.CallCount("DescribeSnapshots"));
}

TEST_F(ExactlyOnceTest, NotCancelledTheInstanceIsNotReleasedWhileItMayBeSentAgain) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kTransport, "connection refused"));
  int settled = 0;
  SlowestCall slowest;
  auto set = CreateSnapshotSetExactlyOnce(ctx_, RequestFor("i-00000001", "run-1"), &slowest, [&] { ++settled; });
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(2, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(0, settled) << "a stopped instance started between two sends would be snapshotted running";
}

TEST_F(ExactlyOnceTest, RetriesThrottledCreateSnapshotsThenSucceeds) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kThrottled, "slow", "RequestLimitExceeded"), 2);
  report::SnapshotReport r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(3, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(2, SnapshotsOf("i-00000001"));
}

TEST_F(ExactlyOnceTest, SnapshotLimitErrorsWaitFifteenSeconds) {
  ec2_.AddInstance("i-00000001", {"vol-1"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kLimit, "wait", "SnapshotCreationPerVolumeRateExceeded"));
  report::SnapshotReport r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok());
  EXPECT_GE(clock_.total_slept(), std::chrono::seconds(15));
}

TEST_F(ExactlyOnceTest, AmbiguousCreateSnapshotsFindsTheRunsSnapshotsInsteadOfDuplicating) {
  ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAmbiguous, "connection reset"));
  report::SnapshotReport r = Run(Spec({"i-00000001"}));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots"));
  EXPECT_EQ(2, SnapshotsOf("i-00000001"));
  EXPECT_EQ(2u, r.instances[0].snapshots.size());
}

}  // namespace
}  // namespace s3snapshot::job
