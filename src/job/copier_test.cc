#include "job/copier.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

using core::Error;
using core::ErrorKind;

class CopyTest : public ::testing::Test {
 protected:
  CopyTest() {
    ctx_.ec2 = &source_;
    ctx_.clock = &clock_;
    ctx_.run_id = "run-1";
    ctx_.ec2_for_region = [this](const std::string& region) -> std::unique_ptr<aws::Ec2Api> {
      return std::make_unique<testing::Ec2ApiWrapper>(&dest_, region);
    };
  }
  testing::FakeEc2 source_, dest_;
  testing::FakeClock clock_;
  JobContext ctx_;
};

TEST_F(CopyTest, QueuesWithinTheConcurrentCopyLimitPerRegion) {
  source_.AddInstance("i-00000001", {"vol-1", "vol-2", "vol-3"});
  source_.AddInstance("i-00000002", {"vol-4", "vol-5"});
  dest_.snapshot_polls = 2;
  dest_.copy_limit = 2;
  JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-00000002"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.max_concurrent_copies = 2;
  spec.wait = true;
  Report r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(5, dest_.CallCount("CopySnapshot"));
  EXPECT_LE(dest_.max_pending_copies, 2);
  for (const auto& i : r.instances) {
    for (const auto& s : i.snapshots) {
      ASSERT_EQ(1u, s.copies.size());
      EXPECT_EQ("completed", s.copies[0].state);
    }
  }
  for (const auto& c : dest_.AllSnapshots()) {
    EXPECT_FALSE(c.TagValue(kTagSourceSnapshot).empty());
    EXPECT_FALSE(c.TagValue(kTagSourceVolume).empty());
  }
}

TEST_F(CopyTest, RefusedForTheLimitStaysQueuedThenIsSent) {
  source_.AddInstance("i-00000001", {"vol-1"});
  dest_.FailNext("CopySnapshot", Error::Make(ErrorKind::kLimit, "too many copies", "ResourceLimitExceeded"), 2);
  JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.wait = true;
  Report r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(3, dest_.CallCount("CopySnapshot"));
  EXPECT_EQ("completed", r.instances[0].snapshots[0].copies[0].state);
}

TEST_F(CopyTest, LostAnswerFindsTheCopyInsteadOfCopyingTwice) {
  source_.AddInstance("i-00000001", {"vol-1"});
  // The copy is made, its answer lost: the fake's CopySnapshot fails before
  // making it, so make it by hand the way EC2 would have.
  dest_.FailNext("CopySnapshot", Error::Make(ErrorKind::kAmbiguous, "connection reset"));
  dest_.on_call = [this](const std::string& action) {
    if (action != "CopySnapshot" || dest_.CallCount("CopySnapshot") != 1) return;
    aws::Snapshot s;
    s.snapshot_id = "snap-copy";
    s.volume_id = "vol-ffffffff";
    s.state = "pending";
    s.tags = {{kTagSourceSnapshot, "snap-1"}};
    dest_.AddSnapshot(s);
  };
  JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  Report r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << ReportToText(r);
  EXPECT_EQ(1, dest_.CallCount("CopySnapshot"));
  EXPECT_EQ("snap-copy", r.instances[0].snapshots[0].copies[0].snapshot_id);
}

TEST(CopyTagsTest, TheToolsTagsSurviveAnInstanceWithManyTags) {
  std::vector<aws::Tag> source = {{kTagScripted, kTagScriptedValue}, {kTagRunId, "r"}};
  for (int i = 0; i < 47; ++i) source.push_back({"k" + std::to_string(i), "v"});
  auto tags = CopyTags(source, "/dev/xvdf", true, "snap-1", "us-east-1", "vol-1");
  EXPECT_EQ(kMaxTagsPerResource, tags.size());
  auto has = [&](const std::string& k) {
    for (const auto& t : tags) {
      if (t.key == k) return true;
    }
    return false;
  };
  for (const char* k : {kTagScripted, kTagRunId, kTagDevice, kTagSourceSnapshot, kTagSourceRegion, kTagSourceVolume}) {
    EXPECT_TRUE(has(k)) << k;
  }
}

}  // namespace
}  // namespace s3snapshot::job
