#include "spec/filter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "spec/job_spec.h"

namespace s3snapshot::spec {
namespace {

std::string Seed(const std::string& name) {
  std::ifstream f(std::string(S3SNAPSHOT_TESTDATA_DIR) + "/seed/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(FilterTest, ParsesTheSeedsLambdaExample1) {
  auto doc = ParseFilterDocument(Seed("lambda_example_1.json"), "payload");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  JobSpec spec;
  ApplySettings(*doc, &spec);
  EXPECT_EQ((std::vector<std::string>{"PROD"}), spec.tags.at("tag:Env"));
  EXPECT_EQ("arn:aws:sns:us-east-1:100000000000:Snapshot-Err", spec.sns_arn_error);
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(FilterTest, ParsesTheSeedsLambdaExample2) {
  auto doc = ParseFilterDocument(Seed("lambda_example_2.json"), "payload");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  JobSpec spec;
  ApplySettings(*doc, &spec);
  EXPECT_EQ((std::vector<std::string>{"i-abcdef12", "i-12345678", "i-abc123ab"}), spec.instance_ids);
  EXPECT_TRUE(ValidateSpec(spec).ok());
}

TEST(FilterTest, TagValueListsMeanAnyOf) {
  auto doc = ParseFilterDocument(R"({"tags": {"tag:Env": ["PROD", "STAGE*"]}})", "f");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(2u, std::get<TagFilter>(doc->at("tags")).at("tag:Env").size());
}

TEST(FilterTest, InvalidJsonPointsAtLineAndColumn) {
  auto doc = ParseFilterDocument("{\n  \"instances\": [\"i-1\",]\n}", "--filter");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("line 2, column 23")) << doc.error().message;
}

TEST(FilterTest, ACopyGoesToAnotherRegionThanTheRuns) {
  JobSpec spec;
  spec.all = true;
  spec.copy_to_regions = {"us-east-1"};
  EXPECT_TRUE(ValidateSpec(spec).ok());
  EXPECT_FALSE(ValidateScopeRegions(spec, "us-east-1").ok());
  EXPECT_TRUE(ValidateScopeRegions(spec, "eu-west-1").ok());
  spec.regions = {"eu-west-1", "us-east-1"};
  EXPECT_FALSE(ValidateScopeRegions(spec, "eu-west-1").ok()) << "the us-east-1 scope would copy to itself";
  spec.copy_to_regions = {"us-eats-1"};
  auto typo = ValidateSpec(spec);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean us-east-1?"), std::string::npos) << typo.error().message;
}

TEST(FilterTest, AChoiceIsCheckedAgainstTheTable) {
  auto bad = ParseFilterDocument(R"({"on-script-failure": "sometimes"})", "payload");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "payload: \"on-script-failure\": \"sometimes\" is not crash-consistent or skip");
  EXPECT_TRUE(ParseFilterDocument(R"({"on-script-failure": "skip"})", "payload").ok());
  auto nested = ParseFilterDocument(R"({"tags": {"tag:Env": ["a", 1]}})", "payload");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().message, "payload: \"tags\".\"tag:Env\"[1] must be a string, not a number");
}

TEST(FilterTest, AKeyGivenTwiceIsRefusedNamingIt) {
  auto top = ParseFilterDocument(R"({"tags": {"tag:Env": "PROD"}, "tags": {"tag:Env": "PRD"}})", "--filter");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.error().message,
            "--filter: the key \"tags\" is given twice (JSON would keep only the last one); give it once");
  auto nested = ParseFilterDocument(R"({"tags": {"tag:Env": "PROD", "tag:Env": "PRD"}})", "payload");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.error().message.find("the key \"tag:Env\" in \"tags\" is given twice"), std::string::npos)
      << nested.error().message;
  // The same key in two different objects is no duplicate.
  EXPECT_TRUE(ParseFilterDocument(R"({"tags": {"tag:a": "x"}, "label": "a"})", "--filter").ok());
}

TEST(FilterTest, UnknownKeyGetsASuggestion) {
  auto doc = ParseFilterDocument(R"({"instaces": []})", "--filter");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("did you mean \"instances\"?"));
  EXPECT_EQ("sns-arn-error", SuggestKey("sns_arn_eror", DocumentKeys()));
  EXPECT_EQ("", SuggestKey("completely-different", DocumentKeys()));
}

TEST(FilterTest, WrongTypesNameKeyAndExpectedType) {
  auto doc = ParseFilterDocument(R"({"stop": "yes"})", "payload");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ("payload: \"stop\" must be true or false, not a string (write true, not \"true\")", doc.error().message);
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
  EXPECT_FALSE(doc->count("label"));
}

TEST(JobSpecTest, LaterValuesWinSoFlagsAppliedLastWinOverTheDocument) {
  SettingValues doc = {{"label", std::string("doc")}, {"stop", false}, {"keep", 3LL}};
  SettingValues flags = {{"label", std::string("flag")}, {"stop", true}};
  JobSpec spec;
  ApplySettings(doc, &spec);
  ApplySettings(flags, &spec);
  EXPECT_EQ("flag", spec.label);
  EXPECT_TRUE(spec.stop);
  EXPECT_EQ(3, spec.keep) << "a document key without a flag applies";
}

TEST(FilterTest, NumbersOutOfRangeNameTheBounds) {
  auto doc = ParseFilterDocument(R"({"keep": 0})", "f");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ("f: \"keep\": 0 is not a whole number from 1 to 1000", doc.error().message);
  doc = ParseFilterDocument(R"({"wait-timeout": 18446744073709551615})", "f");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("is not a whole number from 1 to 604800"));
  doc = ParseFilterDocument(R"({"keep": 2.5})", "f");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(std::string::npos, doc.error().message.find("must be a whole number from 1 to 1000, not a number"));
}

TEST(FilterTest, CommandLineOnlySettingsAreNotDocumentKeys) {
  for (const char* key : {"all", "dry-run", "output", "concurrency", "filter", "profile"}) {
    auto doc = ParseFilterDocument(std::string("{\"") + key + "\": 1}", "f");
    ASSERT_FALSE(doc.ok()) << key;
    EXPECT_NE(std::string::npos, doc.error().message.find("unknown key")) << key;
  }
}

TEST(SettingsTest, EveryDocumentKeyAndFlagIsUniqueAndEveryJobSettingApplies) {
  std::set<std::string> names, flags;
  for (const auto& s : Settings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    for (const char* f : s.flags) EXPECT_TRUE(flags.insert(f).second) << f;
    if (s.in_document) {
      EXPECT_NE(nullptr, s.apply) << s.name << ": a document key must set something";
    }
    if (s.type == SettingType::kInteger) {
      EXPECT_LT(s.min, s.max) << s.name;
    }
  }
  EXPECT_EQ(nullptr, FindSetting("no-such-setting"));
  EXPECT_EQ("stopped", std::string(FindSettingByFlag("-sp")->name));
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

TEST(JobSpecTest, LockAndTimedCopySettingsAreCheckedWhole) {
  auto check = [](void (*edit)(JobSpec&)) {
    JobSpec spec;
    spec.all = true;
    edit(spec);
    auto st = ValidateSpec(spec);
    return st.ok() ? std::string() : st.error().message;
  };
  EXPECT_EQ("", check([](JobSpec& s) { s.lock_mode = "governance", s.lock_days = 7; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "legal-hold", s.lock_days = 7; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "governance"; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_days = 7; }));
  EXPECT_NE("", check([](JobSpec& s) {
              s.lock_mode = "governance", s.lock_days = 7, s.lock_until = "2090-01-01T00:00:00Z";
            }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "governance", s.lock_days = 7, s.lock_cool_off_hours = 2; }));
  EXPECT_EQ("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_days = 7, s.lock_cool_off_hours = 72; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_days = 7, s.lock_cool_off_hours = 73; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_days = 36501; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_until = "2020-01-01T00:00:00Z"; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_until = "2190-01-01T00:00:00Z"; }));
  EXPECT_NE("", check([](JobSpec& s) { s.lock_mode = "compliance", s.lock_until = "next tuesday"; }));
  EXPECT_EQ("", check([](JobSpec& s) { s.copy_to_regions = {"eu-west-1"}, s.copy_completion_minutes = 60; }));
  EXPECT_NE("", check([](JobSpec& s) { s.copy_to_regions = {"eu-west-1"}, s.copy_completion_minutes = 50; }));
  EXPECT_NE("", check([](JobSpec& s) { s.copy_completion_minutes = 60; }));
  EXPECT_NE("", check([](JobSpec& s) { s.retention_timezone = "Europe/Atlantis"; }));
}

TEST(JobSpecTest, ACompliancelockOutlivingEveryRetentionRuleIsSaid) {
  JobSpec spec;
  spec.all = true;
  spec.lock_mode = "compliance";
  spec.lock_days = 400;
  spec.keep_monthly = 12;
  ASSERT_EQ(1u, SpecWarnings(spec).size());
  EXPECT_NE(std::string::npos, SpecWarnings(spec)[0].find("(400 days) outlives every retention rule (372 days"));
  spec.keep_yearly = 2;
  EXPECT_TRUE(SpecWarnings(spec).empty());
  spec.lock_mode = "governance";
  spec.keep_yearly = 0;
  EXPECT_TRUE(SpecWarnings(spec).empty()) << "a governance lock can be lifted";
}

// share/s3snapshot/filter.schema.json is made from the settings table. After
// changing the table, run this test with S3SNAPSHOT_WRITE_SCHEMA=1 to write it.
TEST(SettingsTest, ThePublishedFilterSchemaIsTheTables) {
  const std::string path = std::string(S3SNAPSHOT_TESTDATA_DIR) + "/../share/s3snapshot/filter.schema.json";
  const std::string expected = FilterSchemaJson();
  if (std::getenv("S3SNAPSHOT_WRITE_SCHEMA")) std::ofstream(path) << expected;
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(expected, ss.str()) << path << " is out of date: run spec_test with S3SNAPSHOT_WRITE_SCHEMA=1";
  for (const auto& key : DocumentKeys()) {
    EXPECT_NE(std::string::npos, expected.find("\"" + key + "\": {")) << key;
  }
}

}  // namespace
}  // namespace s3snapshot::spec
