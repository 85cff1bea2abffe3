#include "aws/query.h"

#include <gtest/gtest.h>

#include "aws/aws_client.h"
#include "aws/aws_test_util.h"
#include "aws/endpoints.h"
#include "aws/errors.h"
#include "aws/sns_client.h"

namespace s3snapshot::aws {
namespace {

TEST(QueryParamsTest, SerializesListsFiltersAndTagSpecifications) {
  QueryParams p;
  p.SetList("InstanceId", {"i-1", "i-2"});
  p.SetFilters({{"tag:Env", {"PROD", "STAGE"}}, {"instance-state-name", {"running"}}});
  p.SetTagSpecification(1, "snapshot", {{"Scripted", "s3snapshot"}, {"Name", "a b"}});
  EXPECT_EQ(
      "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2"
      "&Filter.1.Name=tag%3AEnv&Filter.1.Value.1=PROD&Filter.1.Value.2=STAGE"
      "&Filter.2.Name=instance-state-name&Filter.2.Value.1=running"
      "&TagSpecification.1.ResourceType=snapshot"
      "&TagSpecification.1.Tag.1.Key=Scripted&TagSpecification.1.Tag.1.Value=s3snapshot"
      "&TagSpecification.1.Tag.2.Key=Name&TagSpecification.1.Tag.2.Value=a+b",
      p.Encode("DescribeInstances", "2016-11-15"));
}

TEST(QueryParamsTest, CreateTagsShape) {
  QueryParams p;
  p.SetTags("Tag", {{"k", "v"}});
  EXPECT_EQ("v", p.Get("Tag.1.Value"));
  EXPECT_EQ("k", p.Get("Tag.1.Key"));
}

TEST(ErrorBodyTest, ParsesEc2Shape) {
  AwsErrorBody e;
  ASSERT_TRUE(ParseErrorBody(ReadTestData("error_ec2_throttle.xml"), &e));
  EXPECT_EQ("RequestLimitExceeded", e.code);
  EXPECT_EQ("Request limit exceeded.", e.message);
  EXPECT_EQ("ea966190-f9aa-478e-9ede-example", e.request_id);
}

TEST(ErrorBodyTest, ParsesStsSnsShape) {
  AwsErrorBody e;
  ASSERT_TRUE(ParseErrorBody(ReadTestData("error_sts.xml"), &e));
  EXPECT_EQ("SignatureDoesNotMatch", e.code);
  EXPECT_EQ("4a5e-sts-example", e.request_id);
}

TEST(ErrorBodyTest, ParsesErrorsWrappedInErrorResponse) {
  AwsErrorBody e;
  ASSERT_TRUE(
      ParseErrorBody("<ErrorResponse><Errors><Error><Code>AuthFailure</Code><Message>m</Message>"
                     "</Error></Errors><RequestId>r-9</RequestId></ErrorResponse>",
                     &e));
  EXPECT_EQ("AuthFailure", e.code);
  EXPECT_EQ("r-9", e.request_id);
}

TEST(QueryParamsTest, FormEncodingMatchesTheSdks) {
  QueryParams p;
  p.Set("Description", "a b+c/d:e~f*");
  EXPECT_EQ("Action=X&Version=1&Description=a+b%2Bc%2Fd%3Ae~f%2A", p.Encode("X", "1"));
}

TEST(ErrorBodyTest, RejectsNonErrorsAndGarbage) {
  AwsErrorBody e;
  EXPECT_FALSE(ParseErrorBody("<html>500</html>", &e));
  EXPECT_FALSE(ParseErrorBody("<Response><Errors><Err", &e));
  EXPECT_FALSE(ParseErrorBody("", &e));
}

TEST(ErrorKindTest, MapsCodesOnce) {
  using core::ErrorKind;
  EXPECT_EQ(ErrorKind::kThrottled, KindForAwsError("RequestLimitExceeded", 503));
  EXPECT_EQ(ErrorKind::kThrottled, KindForAwsError("Throttling", 400));
  EXPECT_EQ(ErrorKind::kTransient, KindForAwsError("InternalError", 500));
  EXPECT_EQ(ErrorKind::kTransient, KindForAwsError("", 502));
  EXPECT_EQ(ErrorKind::kAuth, KindForAwsError("AuthFailure", 401));
  EXPECT_EQ(ErrorKind::kAuth, KindForAwsError("UnauthorizedOperation", 403));
  EXPECT_EQ(ErrorKind::kAuth, KindForAwsError("AccessDenied", 403));
  EXPECT_EQ(ErrorKind::kNotFound, KindForAwsError("InvalidInstanceID.NotFound", 400));
  EXPECT_EQ(ErrorKind::kConflict, KindForAwsError("IncorrectInstanceState", 400));
  EXPECT_EQ(ErrorKind::kConflict, KindForAwsError("InvalidSnapshot.InUse", 400));
  EXPECT_EQ(ErrorKind::kLimit, KindForAwsError("ConcurrentSnapshotLimitExceeded", 400));
  EXPECT_EQ(ErrorKind::kLimit, KindForAwsError("SnapshotCreationPerVolumeRateExceeded", 400));
  EXPECT_EQ(ErrorKind::kInvalidInput, KindForAwsError("InvalidParameterValue", 400));
  EXPECT_TRUE(IsExpiredCredentials("ExpiredToken"));
}

TEST(EndpointsTest, PartitionsAndDefaults) {
  core::MapEnv env;
  EXPECT_EQ("https://ec2.us-east-1.amazonaws.com", ResolveEndpoint("ec2", "us-east-1", "", env, nullptr));
  EXPECT_EQ("https://ec2.cn-north-1.amazonaws.com.cn", ResolveEndpoint("ec2", "cn-north-1", "", env, nullptr));
  EXPECT_EQ("https://sts.us-gov-west-1.amazonaws.com", ResolveEndpoint("sts", "us-gov-west-1", "", env, nullptr));
  EXPECT_EQ("aws-us-gov", PartitionOf("us-gov-west-1"));
  EXPECT_EQ("aws-cn", PartitionOf("cn-northwest-1"));
}

TEST(EndpointsTest, OverridePrecedence) {
  core::MapEnv env;
  core::Profile profile = {{"endpoint_url", "http://profile"}};
  EXPECT_EQ("http://profile", ResolveEndpoint("ec2", "us-east-1", "", env, &profile));
  env.vars["AWS_ENDPOINT_URL"] = "http://global";
  EXPECT_EQ("http://global", ResolveEndpoint("ec2", "us-east-1", "", env, &profile));
  env.vars["AWS_ENDPOINT_URL_SNS"] = "http://sns-only";
  EXPECT_EQ("http://sns-only", ResolveEndpoint("sns", "us-east-1", "", env, &profile));
  EXPECT_EQ("http://global", ResolveEndpoint("ec2", "us-east-1", "", env, &profile));
  EXPECT_EQ("http://cli", ResolveEndpoint("sns", "us-east-1", "http://cli", env, &profile));
  env.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ("https://sns.us-east-1.amazonaws.com", ResolveEndpoint("sns", "us-east-1", "", env, &profile));
}

TEST(RegionTest, Precedence) {
  core::MapEnv env;
  core::Profile profile = {{"region", "eu-west-1"}};
  EXPECT_EQ("eu-west-1", *ResolveRegion("", env, &profile));
  env.vars["AWS_DEFAULT_REGION"] = "eu-west-2";
  EXPECT_EQ("eu-west-2", *ResolveRegion("", env, &profile));
  env.vars["AWS_REGION"] = "eu-west-3";
  EXPECT_EQ("eu-west-3", *ResolveRegion("", env, &profile));
  EXPECT_EQ("us-west-2", *ResolveRegion("us-west-2", env, &profile));
}

TEST(RegionTest, MissingOrMalformedIsInvalidInput) {
  core::MapEnv env;
  EXPECT_EQ(core::ErrorKind::kInvalidInput, ResolveRegion("", env, nullptr).error().kind);
  auto bad = ResolveRegion("us-east", env, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string::npos, bad.error().message.find("--region"));
}

TEST(QueryTest, RequestIdFromEc2AndFromResponseMetadata) {
  EXPECT_EQ("59dbff89-35bd-4eac-99ed-be587EXAMPLE",
            ParseRequestId("<?xml version=\"1.0\"?>\n<DescribeInstancesResponse xmlns=\"x\">\n"
                           "  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
                           "  <reservationSet/></DescribeInstancesResponse>"));
  EXPECT_EQ("req-sns", ParseRequestId("<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult>"
                                      "<ResponseMetadata><RequestId> req-sns </RequestId></ResponseMetadata>"
                                      "</PublishResponse>"));
  EXPECT_EQ("", ParseRequestId("<R><requestId></requestId></R>"));
  EXPECT_EQ("", ParseRequestId("<R><requestId>unterminated"));
  EXPECT_EQ("", ParseRequestId("<R><requestId>a<b/></requestId></R>"));
  EXPECT_EQ("", ParseRequestId(""));
}

TEST(RegionTest, AnUnknownRegionIsNamedWithANearMiss) {
  EXPECT_EQ(UnknownRegionProblem("us-east-1"), "");
  EXPECT_EQ(UnknownRegionProblem("us-gov-west-1"), "");
  const std::string p = UnknownRegionProblem("us-eats-1");
  EXPECT_EQ(p.rfind("'us-eats-1' is not an AWS region (did you mean us-east-1?)", 0), 0u) << p;
  EXPECT_EQ(UnknownRegionProblem("xx-nowhere-9").find("did you mean"), std::string::npos);
}

TEST(SnsArnTest, SaysWhatIsWrong) {
  EXPECT_EQ(SnsTopicArnProblem("arn:aws:sns:us-east-1:123456789012:Topic"), "");
  EXPECT_EQ(SnsTopicArnProblem("arn:aws:sns:us-east-1:1234:Topic"), "the account '1234' is not 12 digits");
  EXPECT_EQ(SnsTopicArnProblem("arn:aws:sqs:us-east-1:123456789012:Q"), "the service is 'sqs', not sns");
  EXPECT_NE(SnsTopicArnProblem("Topic").find("not an ARN"), std::string::npos);
}

TEST(UnexpectedBodyTest, AnHtmlPageIsNeverPrinted) {
  EXPECT_EQ(UnexpectedBodyText("<!DOCTYPE html>\n<html><body>404 Not Found</body></html>", ""),
            " (an HTML page, not an AWS answer: is the endpoint URL and region right?)");
  EXPECT_EQ(UnexpectedBodyText("<HTML><p>x</p></HTML>", "text/html; charset=utf-8").find("<p>"), std::string::npos);
  EXPECT_EQ(UnexpectedBodyText("oops\nmore", "text/plain"), ": oops more");
  EXPECT_EQ(UnexpectedBodyText("", ""), "");
}

}  // namespace
}  // namespace s3snapshot::aws
