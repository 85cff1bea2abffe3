#include "lambda/handler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace s3snapshot::lambda {
namespace {

report::SnapshotReport Fleet(int ok, int failed) {
  report::SnapshotReport r;
  r.run_id = "run";
  for (int i = 0; i < ok + failed; ++i) {
    report::InstanceReport x;
    x.instance_id = "i-" + std::to_string(10000000 + i);
    x.snapshotted = i < ok;
    x.snapshots = {{"snap-" + std::to_string(i), "vol-" + std::to_string(i), "/dev/xvda", "pending", {}}};
    if (i >= ok) x.errors = {{report::Step::kSnapshot, "", "InternalError", "boom", "req"}};
    r.instances.push_back(x);
  }
  return r;
}

TEST(LambdaHandlerTest, SmallReportIsTheWholeReport) {
  bool cut = true;
  std::string body = ResponseBody(Fleet(3, 1), kMaxResponseBytes, &cut);
  EXPECT_FALSE(cut);
  EXPECT_EQ(report::ReportToJson(Fleet(3, 1), -1), body);
}

TEST(LambdaHandlerTest, ReportOverTheLimitKeepsTheFailures) {
  report::Report r = Fleet(200, 2);
  std::string full = report::ReportToJson(r, -1);
  bool cut = false;
  std::string body = ResponseBody(r, full.size() / 2, &cut);
  EXPECT_TRUE(cut);
  EXPECT_LE(body.size(), full.size() / 2);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(2u, j["instances"].size());
  EXPECT_EQ(200, j["instances_omitted"]);
  EXPECT_EQ(202, j["summary"]["instances"]);
  EXPECT_EQ(2, j["summary"]["failed"]);
}

}  // namespace
}  // namespace s3snapshot::lambda
