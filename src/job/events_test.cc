#include "job/events.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "job/copier.h"
#include "job/tags.h"
#include "report/report.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

std::string Event(const std::string& name) {
  std::ifstream f(std::string(S3SNAPSHOT_TESTDATA_DIR) + "/events/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(SnapshotEventTest, ParsesTheDocumentedShapes) {
  auto multi = ParseSnapshotEvent(Event("create_snapshots_succeeded.json"));
  ASSERT_TRUE(multi.ok() && *multi) << (multi.ok() ? "ignored" : multi.error().message);
  EXPECT_EQ("createSnapshots", (*multi)->event);
  EXPECT_TRUE((*multi)->succeeded);
  EXPECT_EQ("us-east-1", (*multi)->region);
  ASSERT_EQ(2u, (*multi)->snapshots.size());
  EXPECT_EQ("snap-01234567", (*multi)->snapshots[0].snapshot_id) << "the id, from the ARN";
  EXPECT_EQ("vol-01234567", (*multi)->snapshots[0].source);
  auto failed = ParseSnapshotEvent(Event("create_snapshots_failed.json"));
  ASSERT_TRUE(failed.ok() && *failed);
  EXPECT_FALSE((*failed)->succeeded);
  EXPECT_EQ("failed", (*failed)->snapshots[0].status);
  auto copy = ParseSnapshotEvent(Event("copy_snapshot_succeeded.json"));
  ASSERT_TRUE(copy.ok() && *copy);
  EXPECT_EQ("copySnapshot", (*copy)->event);
  EXPECT_EQ("eu-west-1", (*copy)->region);
  EXPECT_EQ("snap-01234567", (*copy)->snapshots[0].source);
  auto single = ParseSnapshotEvent(Event("create_snapshot_succeeded.json"));
  ASSERT_TRUE(single.ok() && *single);
  EXPECT_EQ("createSnapshot", (*single)->event);
}

TEST(SnapshotEventTest, OtherEventsAreIgnoredAndMalformedOnesAreErrors) {
  EXPECT_TRUE(LooksLikeEvent(Event("ec2_instance_state_change.json")));
  auto other = ParseSnapshotEvent(Event("ec2_instance_state_change.json"));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value()) << "another kind of event: ignored, not an error";
  EXPECT_FALSE(LooksLikeEvent(R"({"tags": {"tag:Env": "PROD"}})")) << "a seed payload";
  for (const char* bad :
       {R"({"source": "aws.ec2", "detail-type": "EBS Snapshot Notification", "region": "us-east-1"})",
        R"({"source": "aws.ec2", "detail-type": "EBS Multi-Volume Snapshots Completion Status", "region": "us-east-1",
               "detail": {"event": "createSnapshots", "result": "succeeded"}})",
        R"({"source": "aws.ec2", "detail-type": "EBS Snapshot Notification", "region": "us-east-1",
               "detail": {"event": "copySnapshot", "result": "maybe", "snapshot_id": "snap-1"}})",
        R"({"source": "aws.ec2", "detail-type": "EBS Snapshot Notification", "region": "us-east-1",
               "detail": {"event": "createSnapshot", "result": "succeeded", "snapshot_id": "arn:aws:ec2::x:volume/vol-1"}})"}) {
    auto e = ParseSnapshotEvent(bad);
    EXPECT_FALSE(e.ok()) << bad;
  }
}

class EventHandlingTest : public ::testing::Test {
 protected:
  EventHandlingTest() {
    ctx_.ec2 = &source_;
    ctx_.clock = &clock_;
    ctx_.run_id = "event-1";
    ctx_.ec2_for_region = [this](const std::string& region) -> std::unique_ptr<aws::Ec2Api> {
      return std::make_unique<testing::Ec2ApiWrapper>(&dest_, region);
    };
  }
  void Ours(const std::string& id, const std::string& volume, const std::string& state, const std::string& copy_to) {
    aws::Snapshot s;
    s.snapshot_id = id;
    s.volume_id = volume;
    s.state = state;
    s.start_time = "2023-11-14T20:00:00.000Z";
    s.tags = {{kTagScripted, kTagScriptedValue}, {kTagInstanceId, "i-00000001"}, {kTagRunId, "run-1"}};
    if (!copy_to.empty()) s.tags.push_back({kTagCopyTo, copy_to});
    source_.AddSnapshot(s);
  }
  SnapshotEvent CreateEvent(std::vector<std::string> ids, bool succeeded = true) {
    SnapshotEvent e;
    e.detail_type = "EBS Multi-Volume Snapshots Completion Status";
    e.event = "createSnapshots";
    e.region = "us-east-1";
    e.succeeded = succeeded;
    for (const auto& id : ids) e.snapshots.push_back({id, "vol-x", succeeded ? "completed" : "failed"});
    return e;
  }
  int CopiesOf(const std::string& source) {
    int n = 0;
    for (const auto& c : dest_.AllSnapshots()) n += c.TagValue(kTagSourceSnapshot) == source;
    return n;
  }
  testing::FakeEc2 source_, dest_;
  testing::FakeClock clock_;
  JobContext ctx_;
};

TEST_F(EventHandlingTest, ASucceededSetStartsTheCopiesItsTagsOweOnceEvenWhenDeliveredTwice) {
  Ours("snap-a", "vol-1", "completed", "eu-west-1");
  Ours("snap-b", "vol-2", "completed", "eu-west-1");
  spec::JobSpec settings;
  report::SnapshotReport r = HandleSnapshotEvent(CreateEvent({"snap-a", "snap-b"}), settings, ctx_);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(2u, r.earlier_copies.size());
  EXPECT_EQ(1, CopiesOf("snap-a"));
  report::SnapshotReport again = HandleSnapshotEvent(CreateEvent({"snap-a", "snap-b"}), settings, ctx_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(1, CopiesOf("snap-a")) << "at-least-once delivery makes no second copy";
  EXPECT_EQ(1, CopiesOf("snap-b"));
}

TEST_F(EventHandlingTest, SnapshotsThatAreNotTheToolsAreIgnored) {
  aws::Snapshot s;
  s.snapshot_id = "snap-manual";
  s.volume_id = "vol-1";
  s.state = "completed";
  s.tags = {{kTagCopyTo, "eu-west-1"}};  // a look-alike tag is not enough: no Scripted tag
  source_.AddSnapshot(s);
  spec::JobSpec settings;
  settings.copy_to_regions = {"eu-west-1"};
  report::SnapshotReport r = HandleSnapshotEvent(CreateEvent({"snap-manual"}), settings, ctx_);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(0, dest_.CallCount("CopySnapshot"));
  report::SnapshotReport failed = HandleSnapshotEvent(CreateEvent({"snap-manual"}, false), settings, ctx_);
  EXPECT_TRUE(failed.ok()) << "not the tool's failure to report";
}

TEST_F(EventHandlingTest, AFailedSetIsAFailureNamingTheSnapshotOnce) {
  Ours("snap-a", "vol-1", "error", "");
  spec::JobSpec settings;
  report::SnapshotReport r = HandleSnapshotEvent(CreateEvent({"snap-a"}, false), settings, ctx_);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(1u, r.run_errors.size());
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("snap-a")) << r.run_errors[0].message;
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("vol-1"));
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("i-00000001"));
  report::SnapshotReport again = HandleSnapshotEvent(CreateEvent({"snap-a"}, false), settings, ctx_);
  EXPECT_TRUE(again.ok()) << "marked reported: not again";
}

TEST_F(EventHandlingTest, ACopyRefusedForTheLimitStaysQueuedNotFailedNorRetried) {
  Ours("snap-a", "vol-1", "completed", "eu-west-1");
  dest_.copy_limit = 0;
  spec::JobSpec settings;
  report::SnapshotReport r = HandleSnapshotEvent(CreateEvent({"snap-a"}), settings, ctx_);
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  ASSERT_EQ(1u, r.earlier_copies.size());
  EXPECT_EQ("queued", r.earlier_copies[0].state);
  EXPECT_EQ(1, dest_.CallCount("CopySnapshot")) << "one try, no retry storm";
  EXPECT_TRUE(clock_.sleeps().empty());
}

}  // namespace
}  // namespace s3snapshot::job
