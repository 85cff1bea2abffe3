#include "job/copier.h"

#include <gtest/gtest.h>

#include "job/snapshot_job.h"
#include "report/report.h"
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
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-00000002"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.max_concurrent_copies = 2;
  spec.wait = true;
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
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
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  spec.wait = true;
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
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
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.copy_to_regions = {"eu-west-1"};
  report::SnapshotReport r = RunSnapshotJob(spec, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(1, dest_.CallCount("CopySnapshot"));
  EXPECT_EQ("snap-copy", r.instances[0].snapshots[0].copies[0].snapshot_id);
}

// Copies across runs, on EC2's clock: the source is still pending when the
// run that made it ends.
class CopyAcrossRunsTest : public CopyTest {
 protected:
  report::SnapshotReport RunOnce(const std::string& run_id, spec::JobSpec spec) {
    ctx_.run_id = run_id;
    return RunSnapshotJob(spec, ctx_);
  }
  spec::JobSpec Spec() {
    spec::JobSpec spec;
    spec.instance_ids = {"i-00000001"};
    spec.copy_to_regions = {"eu-west-1"};
    return spec;
  }
  int CopiesOf(const std::string& source) {
    int n = 0;
    for (const auto& c : dest_.AllSnapshots()) n += c.TagValue(kTagSourceSnapshot) == source;
    return n;
  }
  std::string CopyToTagOf(const std::string& id) {
    for (const auto& s : source_.AllSnapshots()) {
      if (s.snapshot_id == id) return s.TagValue(kTagCopyTo);
    }
    return "(gone)";
  }
};

TEST_F(CopyAcrossRunsTest, APendingSourceIsQueuedThenCopiedByTheNextRunExactlyOnce) {
  source_.AddInstance("i-00000001", {"vol-1", "vol-2"});
  source_.snapshot_polls = 1000;  // pending for hours
  report::SnapshotReport r1 = RunOnce("run-1", Spec());
  ASSERT_TRUE(r1.ok()) << "a queued copy is not a failure\n" << report::ReportToText(r1);
  for (const auto& s : r1.instances[0].snapshots) {
    ASSERT_EQ(1u, s.copies.size());
    EXPECT_EQ("queued", s.copies[0].state);
    EXPECT_EQ("eu-west-1", CopyToTagOf(s.snapshot_id)) << "the copy it owes, recorded on the source";
  }
  EXPECT_EQ(0, dest_.CallCount("CopySnapshot"));
  EXPECT_EQ(0u, clock_.sleeps().size()) << "the run did not wait for its sources";

  source_.snapshot_polls = 0;  // completed now
  dest_.snapshot_polls = 1000;
  report::SnapshotReport r2 = RunOnce("run-2", Spec());
  ASSERT_TRUE(r2.ok()) << report::ReportToText(r2);
  ASSERT_EQ(2u, r2.earlier_copies.size()) << "run 1's sources, copied by run 2";
  for (const auto& c : r2.earlier_copies) {
    EXPECT_EQ("pending", c.state);
    EXPECT_EQ(1, CopiesOf(c.source_snapshot_id));
  }
  // Run 2's own sources completed at once here: copied in the same run.
  for (const auto& s : r2.instances[0].snapshots) EXPECT_EQ("pending", s.copies.at(0).state);

  dest_.snapshot_polls = 0;
  report::SnapshotReport r3 = RunOnce("run-3", Spec());
  ASSERT_TRUE(r3.ok()) << report::ReportToText(r3);
  for (const auto& c : r2.earlier_copies) {
    EXPECT_EQ(1, CopiesOf(c.source_snapshot_id)) << "never a second copy";
    EXPECT_EQ("(none)", CopyToTagOf(c.source_snapshot_id).empty() ? "(none)" : CopyToTagOf(c.source_snapshot_id))
        << "a source whose copy completed owes nothing: later runs do not look at it";
  }
}

TEST_F(CopyAcrossRunsTest, OfTwoCopiesOfOneSourceTheEarlierIsKept) {
  source_.AddInstance("i-00000001", {"vol-1"});
  source_.snapshot_polls = 1000;
  report::SnapshotReport r1 = RunOnce("run-1", Spec());
  const std::string src = r1.instances[0].snapshots[0].snapshot_id;
  // Two overlapping runs each made a copy.
  for (const char* id : {"snap-copy-b", "snap-copy-a"}) {
    aws::Snapshot c;
    c.snapshot_id = id;
    c.volume_id = "vol-ffffffff";
    c.state = "pending";
    c.start_time = std::string(id) == "snap-copy-a" ? "2026-11-26T12:00:00.000Z" : "2026-11-26T12:00:05.000Z";
    c.tags = {{kTagScripted, kTagScriptedValue}, {kTagSourceSnapshot, src}};
    dest_.AddSnapshot(c);
  }
  source_.snapshot_polls = 0;
  report::SnapshotReport r2 = RunOnce("run-2", Spec());
  EXPECT_EQ(1, CopiesOf(src));
  EXPECT_EQ(1, dest_.CallCount("DeleteSnapshot"));
  ASSERT_FALSE(r2.earlier_copies.empty());
  EXPECT_EQ("snap-copy-a", r2.earlier_copies[0].copy_id) << "the one that began first";
}

TEST_F(CopyAcrossRunsTest, AnOverdueCopyIsAFailureAndACopyInErrorIsMadeAgain) {
  source_.AddInstance("i-00000001", {"vol-1"});
  aws::Snapshot old;
  old.snapshot_id = "snap-old";
  old.volume_id = "vol-1";
  old.state = "completed";
  old.start_time = "2023-11-13T12:00:00.000Z";  // 34 h before the fake clock's now
  old.tags = {{kTagScripted, kTagScriptedValue}, {kTagInstanceId, "i-00000001"}, {kTagCopyTo, "eu-west-1"}};
  source_.AddSnapshot(old);
  dest_.copy_limit = 0;  // the destination refuses every copy for now
  spec::JobSpec spec = Spec();
  spec.copy_overdue = std::chrono::hours(24);
  report::SnapshotReport r = RunOnce("run-1", spec);
  EXPECT_FALSE(r.ok());
  bool overdue = false;
  for (const auto& e : r.instances[0].errors) overdue |= e.code == "CopyOverdue";
  EXPECT_TRUE(overdue) << report::ReportToText(r);

  dest_.copy_limit = 1000;
  aws::Snapshot failed;
  failed.snapshot_id = "snap-copy-failed";
  failed.volume_id = "vol-ffffffff";
  failed.state = "error";
  failed.tags = {{kTagScripted, kTagScriptedValue}, {kTagSourceSnapshot, "snap-old"}};
  dest_.AddSnapshot(failed);
  report::SnapshotReport r2 = RunOnce("run-2", spec);
  bool reported = false;
  for (const auto& e : r2.instances[0].errors) reported |= e.code == "SnapshotError";
  EXPECT_TRUE(reported) << report::ReportToText(r2);
  EXPECT_EQ(2, CopiesOf("snap-old")) << "the failed copy and a new one";
}

TEST_F(CopyAcrossRunsTest, CopyWorkPerRunIsBounded) {
  for (int i = 0; i < 5; ++i) {
    aws::Snapshot s;
    s.snapshot_id = "snap-earlier-" + std::to_string(i);
    s.volume_id = "vol-1";
    s.state = "completed";
    s.start_time = "2023-11-14T20:00:00.000Z";
    s.tags = {{kTagScripted, kTagScriptedValue}, {kTagInstanceId, "i-00000001"}, {kTagCopyTo, "eu-west-1"}};
    source_.AddSnapshot(s);
  }
  source_.AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec = Spec();
  spec.max_concurrent_copies = 3;
  report::SnapshotReport r = RunOnce("run-1", spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(3, dest_.CallCount("CopySnapshot")) << "at most max_concurrent_copies a region a run";
  int queued = 0;
  for (const auto& c : r.earlier_copies) queued += c.state == "queued";
  for (const auto& s : r.instances[0].snapshots) queued += s.copies.at(0).state == "queued";
  EXPECT_EQ(3, queued) << "6 sources, 3 copied, the rest queued";
}

TEST(CopyTagsTest, TheToolsTagsSurviveAnInstanceWithManyTags) {
  std::vector<aws::Tag> source = {{kTagScripted, kTagScriptedValue}, {kTagRunId, "r"}};
  for (int i = 0; i < 47; ++i) source.push_back({"k" + std::to_string(i), "v"});
  auto tags = CopyTags(source, "/dev/xvdf", "snap-1", "us-east-1", "vol-1");
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
