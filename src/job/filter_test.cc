#include "job/filter.h"

#include <gtest/gtest.h>

#include "job/job_spec.h"

namespace s3snapshot::job {
namespace {

TEST(FilterTest, ParsesTheSeedsLambdaExample1) {
  auto doc = ParseFilterDocument(R"({
    "tags": {"tag:Env": "PROD", "tag:Owner": "John"},
    "stop" : false, "stopped" : false, "verbose" : false,
    "sns-arn" : "arn:aws:sns:us-east-1:100000000000:Snapshot",
    "sns-arn-error" : "arn:aws:sns:us-east-1:100000000000:Snapshot-Err",
    "label" : "string to include in the description",
    "protected" : false
  })", "payload");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  JobSpec spec;
  ApplyDocument(*doc, {}, &spec);
  EXPECT_EQ((std::vector<std::string>{"PROD"}), spec.tags.at("tag:Env"));
  EXPECT_EQ("arn:aws:sns:us-east-1:100000000000:Snapshot-Err", spec.sns_arn_error);
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(FilterTest, TagValueListsMeanAnyOf) {
  auto doc = ParseFilterDocument(R"({"tags": {"tag:Env": ["PROD", "STAGE*"]}})", "f");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(2u, doc->tags->at("tag:Env").size());
}

TEST(FilterTest, InvalidJsonPointsAtLineAndColumn) {
  auto doc = ParseFilterDocument("{\n  \"instances\": [\"i-1\",]\n}", "--filter");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("line 2, column 23")) << doc.error().message;
}

TEST(FilterTest, UnknownKeyGetsASuggestion) {
  auto doc = ParseFilterDocument(R"({"instaces": []})", "--filter");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("did you mean \"instances\"?"));
  EXPECT_EQ("sns-arn-error", SuggestKey("sns_arn_eror", KnownDocumentKeys()));
  EXPECT_EQ("", SuggestKey("completely-different", KnownDocumentKeys()));
}

TEST(FilterTest, WrongTypesNameKeyAndExpectedType) {
  auto doc = ParseFilterDocument(R"({"stop": "yes"})", "payload");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ("payload: \"stop\" must be true or false, not a string (write true, not \"true\")",
            doc.error().message);
}

TEST(FilterTest, FuzzerRegressionHugeNumberIsAnInputError) {
  auto doc = ParseFilterDocument("-4444e444e-p\"4\n", "f");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(core::ErrorKind::kInvalidInput, doc.error().kind);
  auto doc2 = ParseFilterDocument(R"({"keep": 1e999})", "f");
  ASSERT_FALSE(doc2.ok());
  EXPECT_NE(std::string::npos, doc2.error().message.find("out of range"));
}

TEST(FilterTest, NullMeansAbsent) {
  auto doc = ParseFilterDocument(R"({"instances": ["i-12345678"], "label": null})", "f");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->label.has_value());
}

TEST(JobSpecTest, FlagsWinOverTheDocument) {
  FilterDocument doc;
  doc.label = "doc";
  doc.stop = false;
  JobSpec spec;
  spec.label = "flag";
  spec.stop = true;
  ApplyDocument(doc, {"label", "stop"}, &spec);
  EXPECT_EQ("flag", spec.label);
  EXPECT_TRUE(spec.stop);
  ApplyDocument(doc, {}, &spec);
  EXPECT_EQ("doc", spec.label);
  EXPECT_FALSE(spec.stop);
}

TEST(JobSpecTest, InstanceIdShapes) {
  EXPECT_TRUE(IsValidInstanceId("i-abcdef12"));
  EXPECT_TRUE(IsValidInstanceId("i-0123456789abcdef0"));
  EXPECT_FALSE(IsValidInstanceId("i-ABCDEF12"));
  EXPECT_FALSE(IsValidInstanceId("i-123"));
  EXPECT_FALSE(IsValidInstanceId("vol-0123456789abcdef0"));
}

TEST(JobSpecTest, NoSelectionNeedsAll) {
  JobSpec spec;
  EXPECT_FALSE(ValidateSpec(spec).ok());
  spec.all = true;
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

}  // namespace
}  // namespace s3snapshot::job
