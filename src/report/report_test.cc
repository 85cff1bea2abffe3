#include "report/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace s3snapshot::report {
namespace {

SnapshotReport Sample() {
  SnapshotReport r;
  r.run_id = "run";
  r.region = "eu-west-1";
  r.label = "nightly";
  InstanceReport ok;
  ok.instance_id = "i-00000001";
  ok.name = "web";
  ok.state_before = ok.state_after = "running";
  ok.snapshotted = true;
  ok.snapshots = {{"snap-1", "vol-1", "/dev/xvda", "pending", {}}};
  InstanceReport bad;
  bad.instance_id = "i-00000002";
  bad.state_before = "running";
  bad.stopped_by_run = true;
  bad.errors = {{Step::kSnapshot, "", "InvalidParameterValue", "nope", "req-9"}};
  r.instances = {ok, bad};
  r.not_found = {"i-0000000f"};
  return r;
}

TEST(ReportTest, CountsAndLeftStopped) {
  SnapshotReport r = Sample();
  EXPECT_EQ(2, r.FailedCount());
  EXPECT_EQ(1, r.SnapshotCount());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(std::vector<std::string>{"i-00000002"}, r.LeftStopped());
}

TEST(ReportTest, RunErrorsAreCountedWhereverFailuresAre) {
  SnapshotReport r;
  r.run_id = "run";
  r.region = "us-east-1";
  r.run_errors = {Failure(Step::kNotify, "NotFound", "no such topic")};
  const std::string text = ReportToText(r);
  EXPECT_NE(text.find("0 instance(s), 0 snapshot(s), 0 failed, 1 run error, "), std::string::npos) << text;
  EXPECT_EQ(ReportSubject(r, false), "s3snapshot: 0 instances, 0 snapshots, 0 failed, 1 run error [us-east-1]");
  EXPECT_EQ(ReportSubject(r, true), "s3snapshot ERROR: 0 failed, 1 run error [us-east-1]");
  auto j = nlohmann::json::parse(ReportToJson(r));
  EXPECT_EQ(j["summary"]["run_errors"], 1);
  AuditReport a;
  static_cast<Envelope&>(a) = r;
  EXPECT_NE(ReportToText(a).find("0 unprotected, 1 run error"), std::string::npos) << ReportToText(a);
  EXPECT_NE(ReportSubject(a, true).find("1 run error"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(ReportToJson(a))["summary"]["run_errors"], 1);
}

TEST(ReportTest, ReportingCallsAreToldApartFromTheRunsCount) {
  SnapshotReport r;
  r.run_id = "run";
  r.region = "us-east-1";
  r.api_calls = 7;
  const std::string before = ReportMessage(r, false);
  r.reporting_api_calls = 2;
  const std::string after = ReportToText(r);
  EXPECT_NE(before.find(", 7 API calls"), std::string::npos) << before;
  EXPECT_NE(after.find(", 7 API calls"), std::string::npos) << after;
  EXPECT_NE(after.find("then 2 API call(s) to notify and send metrics"), std::string::npos) << after;
}

TEST(ReportTest, AnInstanceStartedAgainReadsStarting) {
  SnapshotReport r = Sample();
  r.instances[1].errors.clear();
  r.instances[1].restarted = true;
  r.instances[1].state_after = "pending";
  EXPECT_NE(ReportToText(r).find(" starting ok "), std::string::npos) << ReportToText(r);
}

TEST(ReportTest, TextNamesEveryFailureWithCodeAndRequestId) {
  std::string t = ReportToText(Sample());
  EXPECT_NE(std::string::npos, t.find("InvalidParameterValue: nope (request id req-9)"));
  EXPECT_NE(std::string::npos, t.find("i-0000000f"));
  EXPECT_NE(std::string::npos, t.find("LEFT STOPPED: i-00000002"));
}

TEST(ReportTest, SubjectFitsSnsLimitAndIsPrintableAscii) {
  SnapshotReport r = Sample();
  r.region = "ap-southeast-2";
  r.label = std::string(120, 'x');
  EXPECT_LE(ReportSubject(r, false).size(), 100u);
  r.label = "caf\xc3\xa9";
  std::string s = ReportSubject(r, true);
  for (char c : s) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

TEST(ReportTest, MessageStaysUnderLimitWithoutCuttingUtf8) {
  SnapshotReport r = Sample();
  for (int i = 0; i < 5000; ++i) {
    InstanceReport x;
    x.instance_id = "i-" + std::to_string(10000000 + i);
    x.name = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";  // euro signs
    x.errors = {{Step::kSnapshot, "", "X", "failed", ""}};
    r.instances.push_back(x);
  }
  std::string m = ReportMessage(r, true, 10000);
  EXPECT_LE(m.size(), 10000u);
  EXPECT_NE(std::string::npos, m.find("truncated"));
  EXPECT_EQ("ab", TruncateUtf8("ab\xe2\x82\xac", 4));
}

TEST(ReportTest, JsonHasTheDocumentedFields) {
  std::string j = ReportToJson(Sample());
  for (const char* k : {"\"run_id\"", "\"summary\"", "\"left_stopped\"", "\"stopped_by_run\"", "\"restarted\"",
                        "\"not_found\"", "\"request_id\""}) {
    EXPECT_NE(std::string::npos, j.find(k)) << k;
  }
}

SnapshotReport Rich() {
  SnapshotReport r = Sample();
  r.account = "123456789012";
  r.cancelled = true;
  r.cancel_reason = "SIGTERM";
  r.instances[0].snapshots[0].copies = {{"us-west-2", "snap-c", "pending"}};
  r.instances[1].warnings = {"a \"quoted\" warning"};
  // A marker-like string in a value must not be taken for the marker.
  r.instances[1].name = "\"instances\": \"@s3snapshot-stream:instances@\"";
  r.retention = {{"", "snap-old", "vol-1", "i-00000001", "2026-01-01T00:00:00Z", "deleted", "older than 7 days"},
                 {"", "snap-older", "vol-1", "i-00000001", "2025-01-01T00:00:00Z", "kept", "in use by ami-1"}};
  r.run_errors = {{Step::kNotify, "", "AuthorizationError", "denied", "req-1"}};
  r.not_matching_tags = {"i-0000000e"};
  return r;
}

TEST(ReportTest, StreamedJsonIsExactlyTheDocumentsDump) {
  // The streamed writer must produce what dumping one whole document would:
  // the same bytes as re-dumping its own parsed output, for both layouts.
  for (const SnapshotReport& r : {Rich(), SnapshotReport{}}) {
    for (int indent : {-1, 2, 4}) {
      std::string out = ReportToJson(r, indent);
      nlohmann::json parsed = nlohmann::json::parse(out);
      EXPECT_EQ(parsed.dump(indent), out) << "indent " << indent;
    }
  }
  nlohmann::json j = nlohmann::json::parse(ReportToJson(Rich(), -1));
  ASSERT_EQ(2u, j["instances"].size());
  EXPECT_EQ("snap-c", j["instances"][0]["snapshots"][0]["copies"][0]["snapshot_id"]);
  EXPECT_EQ("\"instances\": \"@s3snapshot-stream:instances@\"", j["instances"][1]["name"]);
  ASSERT_EQ(2u, j["retention"].size());
  EXPECT_EQ("snap-older", j["retention"][1]["snapshot_id"]);
  EXPECT_EQ("SIGTERM", j["cancel_reason"]);
  EXPECT_FALSE(j.contains("instances_omitted"));
}

TEST(ReportTest, FailedOnlyJsonKeepsFailuresAndCountsTheRest) {
  SnapshotReport r = Rich();
  for (int i = 0; i < 3; ++i) r.instances.push_back(r.instances[0]);  // three more that went well
  std::ostringstream o;
  WriteReportJson(r, o, -1, /*failed_instances_only=*/true);
  nlohmann::json j = nlohmann::json::parse(o.str());
  ASSERT_EQ(1u, j["instances"].size());
  EXPECT_EQ("i-00000002", j["instances"][0]["instance_id"]);
  EXPECT_EQ(4, j["instances_omitted"]);
  EXPECT_EQ(5, j["summary"]["instances"]);
  EXPECT_EQ(std::vector<std::string>{"i-00000002"}, j["summary"]["left_stopped"].get<std::vector<std::string>>());
}

TEST(ReportTest, MessageCutMatchesTheFullTextPrefix) {
  SnapshotReport r = Rich();
  for (int i = 0; i < 200; ++i) r.instances.push_back(r.instances[0]);
  std::string full = ReportToText(r);
  std::string m = ReportMessage(r, false, 2000);
  ASSERT_LE(m.size(), 2000u);
  std::string tail = "\n... (truncated; the full report is in the run's output)\n";
  ASSERT_GT(m.size(), tail.size());
  EXPECT_EQ(full.substr(0, m.size() - tail.size()), m.substr(0, m.size() - tail.size()));
  EXPECT_EQ(full, ReportMessage(r, false, full.size()));  // exactly at the limit: not cut
}

}  // namespace
}  // namespace s3snapshot::report

namespace s3snapshot::report {
namespace {

TEST(ReportTest, AMergedAuditCountsAnIdFoundInAnyScopeAsFound) {
  // An instance id lives in one region: the other scopes do not find it.
  AuditReport east, west;
  east.region = "us-east-1";
  west.region = "us-west-2";
  AuditVolume v;
  v.instance_id = "i-00000001";
  v.volume_id = "vol-1";
  east.volumes = {v};
  west.not_found = {"i-00000001", "i-0000000f"};
  east.not_found = {"i-0000000f"};
  Report merged = MergeReports({Report(east), Report(west)}, {"us-east-1", "us-west-2"});
  const auto& a = std::get<AuditReport>(merged);
  EXPECT_EQ(a.not_found, std::vector<std::string>{"i-0000000f"});
  EXPECT_EQ(a.region, "us-east-1,us-west-2");
  ASSERT_EQ(a.volumes.size(), 1u);
  EXPECT_EQ(a.volumes[0].scope, "us-east-1");
  EXPECT_EQ(std::string(CommandName(merged)), "audit");
}

TEST(ReportTest, EveryStepHasItsPublishedName) {
  EXPECT_EQ(StepName(Failure(Step::kEarlierSnapshot, "X", "")), "earlier snapshot");
  EXPECT_EQ(StepName(Failure(Step::kPreScript, "X", "")), "pre-script");
  EXPECT_EQ(StepName(CopyFailure("eu-west-1", "X", "")), "copy to eu-west-1");
  EXPECT_EQ(FailureLine(CopyFailure("eu-west-1", "CopyTimeout", "slow")), "copy to eu-west-1: CopyTimeout: slow");
}

}  // namespace
}  // namespace s3snapshot::report
