#include "job/report.h"

#include <gtest/gtest.h>

namespace s3snapshot::job {
namespace {

Report Sample() {
  Report r;
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
  bad.errors = {{"snapshot", "InvalidParameterValue", "nope", "req-9"}};
  r.instances = {ok, bad};
  r.not_found = {"i-0000000f"};
  return r;
}

TEST(ReportTest, CountsAndLeftStopped) {
  Report r = Sample();
  EXPECT_EQ(2, r.FailedCount());
  EXPECT_EQ(1, r.SnapshotCount());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(std::vector<std::string>{"i-00000002"}, r.LeftStopped());
}

TEST(ReportTest, TextNamesEveryFailureWithCodeAndRequestId) {
  std::string t = ReportToText(Sample());
  EXPECT_NE(std::string::npos, t.find("InvalidParameterValue: nope (request id req-9)"));
  EXPECT_NE(std::string::npos, t.find("i-0000000f"));
  EXPECT_NE(std::string::npos, t.find("LEFT STOPPED: i-00000002"));
}

TEST(ReportTest, SubjectFitsSnsLimitAndIsPrintableAscii) {
  Report r = Sample();
  r.region = "ap-southeast-2";
  r.label = std::string(120, 'x');
  EXPECT_LE(ReportSubject(r, false).size(), 100u);
  r.label = "caf\xc3\xa9";
  std::string s = ReportSubject(r, true);
  for (char c : s) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

TEST(ReportTest, MessageStaysUnderLimitWithoutCuttingUtf8) {
  Report r = Sample();
  for (int i = 0; i < 5000; ++i) {
    InstanceReport x;
    x.instance_id = "i-" + std::to_string(10000000 + i);
    x.name = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac";  // euro signs
    x.errors = {{"snapshot", "X", "failed", ""}};
    r.instances.push_back(x);
  }
  std::string m = ReportMessage(r, true, 10000);
  EXPECT_LE(m.size(), 10000u);
  EXPECT_NE(std::string::npos, m.find("truncated"));
  EXPECT_EQ("ab", TruncateUtf8("ab\xe2\x82\xac", 4));
}

TEST(ReportTest, JsonHasTheDocumentedFields) {
  std::string j = ReportToJson(Sample());
  for (const char* k : {"\"run_id\"", "\"summary\"", "\"left_stopped\"", "\"stopped_by_run\"",
                        "\"restarted\"", "\"not_found\"", "\"request_id\""}) {
    EXPECT_NE(std::string::npos, j.find(k)) << k;
  }
}

}  // namespace
}  // namespace s3snapshot::job
