#include "aws/ec2_client.h"

#include <gtest/gtest.h>

#include "aws/aws_test_util.h"
#include "aws/sns_client.h"
#include "aws/sts_client.h"
#include "testing/client_fixture.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"

namespace s3snapshot::aws {
namespace {

using core::ErrorKind;

TEST(Ec2ParseTest, DescribeInstances) {
  auto page = ParseDescribeInstances(ReadTestData("describe_instances_page1.xml"));
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(1u, page->items.size());
  const Instance& i = page->items[0];
  EXPECT_EQ("i-1234567890abcdef0", i.instance_id);
  EXPECT_EQ("running", i.state);
  EXPECT_EQ("/dev/xvda", i.root_device_name);
  EXPECT_EQ("eu-west-1c", i.availability_zone);
  ASSERT_EQ(2u, i.block_devices.size());
  EXPECT_EQ("vol-0abcdef1234567890", i.block_devices[1].volume_id);
  EXPECT_EQ("/dev/sdf", i.block_devices[1].device_name);
  EXPECT_EQ("web-1", i.TagValue("Name"));
  EXPECT_EQ("token-2", page->next_token);
}

TEST(Ec2ParseTest, CreateSnapshotsDescribeSnapshotsAndStateChanges) {
  auto snaps = ParseCreateSnapshots(ReadTestData("create_snapshots.xml"));
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(2u, snaps->size());
  EXPECT_EQ("snap-1234567890abcdef0", (*snaps)[0].snapshot_id);
  EXPECT_EQ("pending", (*snaps)[0].state);
  EXPECT_EQ("s3snapshot", (*snaps)[0].TagValue("Scripted"));

  auto page = ParseDescribeSnapshots(ReadTestData("describe_snapshots.xml"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ("completed", page->items[0].state);
  EXPECT_EQ("Protected", page->items[0].TagValue("State"));
  EXPECT_TRUE(page->items[0].encrypted);
  EXPECT_EQ(15, page->items[0].volume_size_gib);
  EXPECT_EQ("next-snap", page->next_token);

  auto changes = ParseInstanceStateChanges(ReadTestData("stop_instances.xml"));
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ("running", (*changes)[0].previous_state);
  EXPECT_EQ("stopping", (*changes)[0].current_state);
}

TEST(Ec2ParseTest, TruncatedOrWrongXmlIsMalformedNotACrash) {
  std::string full = ReadTestData("describe_instances_page1.xml");
  for (size_t cut : {size_t{0}, size_t{10}, full.size() / 2, full.size() - 5}) {
    auto r = ParseDescribeInstances(full.substr(0, cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(ErrorKind::kMalformed, r.error().kind);
  }
  EXPECT_EQ(ErrorKind::kMalformed, ParseCreateSnapshots("<Other/>").error().kind);
}

TEST(StsParseTest, AssumeRoleCredentials) {
  auto c = ParseAssumeRoleCredentials(ReadTestData("assume_role.xml"), "AssumeRole");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ("ASIAIOSFODNN7EXAMPLE", c->access_key_id);
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ("2030-07-15T23:28:33Z", core::FormatIso8601(*c->expiration));
}

TEST(ArnTest, SnsTopicArns) {
  EXPECT_TRUE(IsValidSnsTopicArn("arn:aws:sns:us-east-1:100000000000:Snapshot"));
  EXPECT_TRUE(IsValidSnsTopicArn("arn:aws:sns:us-east-1:100000000000:Snapshot-Err"));
  EXPECT_FALSE(IsValidSnsTopicArn("arn:aws:sns:us-east-1:1000:Snapshot"));
  EXPECT_FALSE(IsValidSnsTopicArn("arn:aws:sqs:us-east-1:100000000000:q"));
  EXPECT_FALSE(IsValidSnsTopicArn("Snapshot"));
  EXPECT_FALSE(IsValidSnsTopicArn("arn:aws:sns:us-east-1:100000000000:bad name"));
}

// The client over a fake transport: signing, retries, errors.
class Ec2ClientTest : public testing::ClientTest {
 protected:
  Ec2Client Client() { return Ec2Client("eu-west-1", "http://127.0.0.1:1234", ctx_); }
};

TEST_F(Ec2ClientTest, SignsAndSendsQueryRequest) {
  http_.Respond(200, ReadTestData("describe_instances_page2.xml"));
  auto ec2 = Client();
  DescribeInstancesRequest req;
  req.filters = {{"tag:Env", {"PROD"}}};
  req.max_results = 1000;
  auto page = ec2.DescribeInstances(req);
  ASSERT_TRUE(page.ok()) << page.error().message;
  auto sent = http_.requests();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ("POST", sent[0].method);
  EXPECT_EQ("http://127.0.0.1:1234/", sent[0].url);
  EXPECT_NE(std::string::npos, sent[0].body.find("Action=DescribeInstances&Version=2016-11-15"));
  EXPECT_NE(std::string::npos, sent[0].body.find("Filter.1.Name=tag%3AEnv"));
  EXPECT_NE(std::string::npos, sent[0].body.find("MaxResults=1000"));
  std::string auth, host;
  for (auto& [k, v] : sent[0].headers) {
    if (k == "Authorization") auth = v;
    if (k == "Host") host = v;
  }
  EXPECT_EQ("127.0.0.1:1234", host);
  EXPECT_NE(std::string::npos, auth.find("Credential=AKIDEXAMPLE/"));
  EXPECT_NE(std::string::npos, auth.find("/eu-west-1/ec2/aws4_request"));
  EXPECT_NE(std::string::npos, auth.find("SignedHeaders=content-type;host;x-amz-date"));
}

TEST_F(Ec2ClientTest, PaginatesWithNextToken) {
  http_.Respond(200, ReadTestData("describe_instances_page1.xml"));
  http_.Respond(200, ReadTestData("describe_instances_page2.xml"));
  auto ec2 = Client();
  auto all = DescribeAllInstances(ec2, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(2u, all->size());
  ASSERT_EQ(2u, http_.requests().size());
  EXPECT_NE(std::string::npos, http_.requests()[1].body.find("NextToken=token-2"));
}

TEST_F(Ec2ClientTest, RetriesThrottlingWithBackoffThenSucceeds) {
  http_.Respond(503, ReadTestData("error_ec2_throttle.xml"));
  http_.Respond(503, ReadTestData("error_ec2_throttle.xml"));
  http_.Respond(200, ReadTestData("describe_instances_page2.xml"));
  auto ec2 = Client();
  auto page = ec2.DescribeInstances({});
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(3u, http_.requests().size());
  EXPECT_EQ(2u, clock_.sleeps().size());
  EXPECT_EQ(2, ec2.stats().throttled.load());
}

TEST_F(Ec2ClientTest, GivesUpAfterMaxAttemptsWithCodeAndRequestId) {
  for (int i = 0; i < 3; ++i) http_.Respond(503, ReadTestData("error_ec2_throttle.xml"));
  auto ec2 = Client();
  auto page = ec2.DescribeInstances({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(ErrorKind::kThrottled, page.error().kind);
  EXPECT_EQ("RequestLimitExceeded", page.error().code);
  EXPECT_EQ("ea966190-f9aa-478e-9ede-example", page.error().request_id);
  EXPECT_NE(std::string::npos, page.error().message.find("DescribeInstances (after 3 attempts)"));
}

// The Lambda deadline: each request carries it to the transport (which
// times out by then), no retry waits past it, and nothing is sent after it.
TEST_F(Ec2ClientTest, NothingSentWaitedOrRetriedPastTheDeadline) {
  core::Deadline deadline;
  ctx_.deadline = &deadline;
  auto at = clock_.Steady() + std::chrono::milliseconds(50);  // shorter than any backoff here
  deadline.Set(at);
  http_.Respond(503, ReadTestData("error_ec2_throttle.xml"));
  http_.Respond(200, ReadTestData("describe_instances_page2.xml"));
  auto ec2 = Client();
  auto page = ec2.DescribeInstances({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(ErrorKind::kThrottled, page.error().kind);
  EXPECT_NE(std::string::npos, page.error().message.find("no time left to retry before the deadline"));
  ASSERT_EQ(1u, http_.requests().size());
  ASSERT_TRUE(http_.requests()[0].not_after.has_value());
  EXPECT_EQ(at, *http_.requests()[0].not_after);
  EXPECT_TRUE(clock_.sleeps().empty());

  clock_.Advance(std::chrono::milliseconds(60));
  auto late = ec2.DescribeInstances({});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(ErrorKind::kCancelled, late.error().kind);
  EXPECT_EQ("DeadlineReached", late.error().code);
  EXPECT_EQ(1u, http_.requests().size()) << "not sent";

  deadline.Set(std::nullopt);  // the next invocation without one: as before
  auto later = ec2.DescribeInstances({});
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_FALSE(http_.requests()[1].not_after.has_value());
}

TEST_F(Ec2ClientTest, ClientErrorsAreNotRetried) {
  http_.Respond(400,
                "<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code>"
                "<Message>Invalid id: \"i-x\"</Message></Error></Errors><RequestID>r1</RequestID></Response>");
  auto ec2 = Client();
  auto r = ec2.StopInstances({"i-x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKind::kInvalidInput, r.error().kind);
  EXPECT_EQ(1u, http_.requests().size());
}

TEST_F(Ec2ClientTest, CreateSnapshotsIsNotResentAfterAnAmbiguousFailure) {
  http_.Fail(ErrorKind::kAmbiguous, "connection reset after the request was sent");
  auto ec2 = Client();
  auto r = ec2.CreateSnapshots({"i-1", "d", {}, false, "", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKind::kAmbiguous, r.error().kind);
  EXPECT_EQ(1u, http_.requests().size());
}

TEST_F(Ec2ClientTest, CreateSnapshotsSendsTheExclusionsAsTheServiceModelNamesThem) {
  http_.Respond(400,
                "<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>m</Message></Error></Errors>"
                "<RequestID>r</RequestID></Response>");
  auto ec2 = Client();
  (void)ec2.CreateSnapshots({"i-1", "d", {}, true, "", {"vol-2", "vol-3"}});
  const std::string body = http_.requests().at(0).body;
  EXPECT_NE(body.find("InstanceSpecification.ExcludeBootVolume=true"), std::string::npos) << body;
  EXPECT_NE(body.find("InstanceSpecification.ExcludeDataVolumeId.1=vol-2"), std::string::npos) << body;
  EXPECT_NE(body.find("InstanceSpecification.ExcludeDataVolumeId.2=vol-3"), std::string::npos) << body;
}

TEST_F(Ec2ClientTest, SnapshotLockCallsAsTheServiceModelNamesThem) {
  http_.Respond(200,
                "<LockSnapshotResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"
                "<snapshotId>snap-1</snapshotId><lockState>compliance-cooloff</lockState><lockDuration>30"
                "</lockDuration><coolOffPeriod>24</coolOffPeriod></LockSnapshotResponse>");
  http_.Respond(200,
                "<DescribeLockedSnapshotsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                "<requestId>r</requestId><snapshotSet><item><ownerId>1</ownerId><snapshotId>snap-1</snapshotId>"
                "<lockState>governance</lockState><lockExpiresOn>2027-01-01T00:00:00.000Z</lockExpiresOn></item>"
                "<item><snapshotId>snap-2</snapshotId><lockState>expired</lockState></item></snapshotSet>"
                "</DescribeLockedSnapshotsResponse>");
  auto ec2 = Client();
  auto lock = ec2.LockSnapshot({"snap-1", "compliance", 30, "", 24});
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  EXPECT_EQ("compliance-cooloff", lock->lock_state);
  EXPECT_EQ("", lock->lock_expires_on) << "pending: the duration starts at completion";
  auto locks = LocksOf(ec2, {"snap-1", "snap-2"});
  ASSERT_TRUE(locks.ok());
  EXPECT_EQ(1u, locks->size()) << "an expired lock holds nothing";
  EXPECT_EQ("2027-01-01T00:00:00.000Z", locks->at("snap-1").lock_expires_on);
  const auto sent = http_.requests();
  EXPECT_NE(sent[0].body.find("Action=LockSnapshot&"), std::string::npos);
  EXPECT_NE(sent[0].body.find("LockMode=compliance"), std::string::npos) << sent[0].body;
  EXPECT_NE(sent[0].body.find("LockDuration=30"), std::string::npos);
  EXPECT_NE(sent[0].body.find("CoolOffPeriod=24"), std::string::npos);
  EXPECT_EQ(sent[0].body.find("ExpirationDate"), std::string::npos);
  EXPECT_NE(sent[1].body.find("SnapshotId.1=snap-1&SnapshotId.2=snap-2"), std::string::npos) << sent[1].body;
}

TEST_F(Ec2ClientTest, ATimeBasedCopySendsItsCompletionDuration) {
  http_.Respond(200, "<CopySnapshotResponse><snapshotId>snap-9</snapshotId></CopySnapshotResponse>");
  auto ec2 = Client();
  CopySnapshotRequest req;
  req.source_region = "us-east-1";
  req.source_snapshot_id = "snap-1";
  req.completion_minutes = 60;
  ASSERT_TRUE(ec2.CopySnapshot(req).ok());
  EXPECT_NE(http_.requests().at(0).body.find("CompletionDurationMinutes=60"), std::string::npos);
}

TEST_F(Ec2ClientTest, CreateSnapshotsWithUnreadable200IsAmbiguous) {
  http_.Respond(200, "<CreateSnapshotsResponse><requestId>x</requestId><snapshotSet><item>");
  auto ec2 = Client();
  auto r = ec2.CreateSnapshots({"i-1", "d", {{"Scripted", "s3snapshot"}}, false, "", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKind::kAmbiguous, r.error().kind);
  EXPECT_NE(std::string::npos, http_.requests()[0].body.find("InstanceSpecification.InstanceId=i-1"));
  EXPECT_NE(std::string::npos, http_.requests()[0].body.find("TagSpecification.1.ResourceType=snapshot"));
}

TEST_F(Ec2ClientTest, TransportErrorsRetriedForIdempotentCalls) {
  http_.Fail(ErrorKind::kTransport, "connection refused");
  http_.Respond(200, ReadTestData("describe_snapshots.xml"));
  auto ec2 = Client();
  ASSERT_TRUE(ec2.DescribeSnapshots({}).ok());
  EXPECT_EQ(2u, http_.requests().size());
}

TEST_F(Ec2ClientTest, Html500IsATransientErrorWithSnippet) {
  for (int i = 0; i < 3; ++i) http_.Respond(500, "<html>Internal Server Error</html>");
  auto ec2 = Client();
  auto r = ec2.DescribeRegions();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorKind::kTransient, r.error().kind);
  EXPECT_EQ("HTTP500", r.error().code);
}

TEST_F(Ec2ClientTest, ExpiredTokenRefreshesCredentialsOnce) {
  int refreshed = 0;
  ctx_.on_expired_credentials = [&] { ++refreshed; };
  http_.Respond(400,
                "<Response><Errors><Error><Code>RequestExpired</Code><Message>m</Message></Error></Errors></Response>");
  http_.Respond(200, ReadTestData("describe_snapshots.xml"));
  auto ec2 = Client();
  ASSERT_TRUE(ec2.DescribeSnapshots({}).ok());
  EXPECT_EQ(1, refreshed);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(Ec2ClientTest, SessionTokenIsSentAndSigned) {
  core::Credentials c;
  c.access_key_id = "ASIA";
  c.secret_access_key = "s";
  c.session_token = "TOKEN";
  core::StaticCredentialsProvider p(c);
  ctx_.credentials = &p;
  http_.Respond(200, ReadTestData("describe_snapshots.xml"));
  auto ec2 = Client();
  ASSERT_TRUE(ec2.DescribeSnapshots({}).ok());
  bool token = false;
  std::string auth;
  auto reqs = http_.requests();
  for (auto& [k, v] : reqs[0].headers) {
    token |= (k == "X-Amz-Security-Token" && v == "TOKEN");
    if (k == "Authorization") auth = v;
  }
  EXPECT_TRUE(token);
  EXPECT_NE(std::string::npos, auth.find("x-amz-security-token"));
}

TEST_F(Ec2ClientTest, SnsAndStsShapes) {
  http_.Respond(200,
                "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult>"
                "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>");
  SnsClient sns("us-east-1", "http://127.0.0.1:1234", ctx_);
  auto id = sns.Publish("arn:aws:sns:us-east-1:123456789012:t", "subj", "body");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ("m-1", *id);
  EXPECT_NE(std::string::npos, http_.requests()[0].body.find("Version=2010-03-31"));

  http_.Respond(200, ReadTestData("assume_role.xml"));
  StsClient sts("us-east-1", "http://127.0.0.1:1234", ctx_);
  auto c = sts.AssumeRole({"arn:aws:iam::123456789012:role/demo", "s3snapshot", "ext", 0});
  ASSERT_TRUE(c.ok());
  EXPECT_NE(std::string::npos, http_.requests()[1].body.find("ExternalId=ext"));

  http_.Respond(200, ReadTestData("assume_role.xml"));
  auto w = sts.AssumeRoleWithWebIdentity("arn:aws:iam::123456789012:role/demo", "s", "jwt");
  EXPECT_FALSE(w.ok()) << "wrong root element is malformed";
  auto reqs = http_.requests();
  for (auto& [k, v] : reqs[2].headers) EXPECT_NE("Authorization", k) << "unsigned";
}

}  // namespace
}  // namespace s3snapshot::aws
