#include "report/metrics.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace s3snapshot::report {
namespace {

double ValueOf(const MetricScope& s, const std::string& name) {
  for (const auto& m : s.metrics) {
    if (m.name == name) return m.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

bool Has(const MetricScope& s, const std::string& name) {
  for (const auto& m : s.metrics) {
    if (m.name == name) return true;
  }
  return false;
}

SnapshotReport ASnapshotRun() {
  SnapshotReport r;
  r.run_id = "20261201T000000Z-abcdef";
  r.region = "us-east-1";
  r.seconds = 12.5;
  r.api_calls = 40;
  r.throttled = 2;
  InstanceReport ok;
  ok.instance_id = "i-00000001";
  ok.snapshots = {{"snap-1", "vol-1", "/dev/xvda", "completed", {{"eu-west-1", "snap-c1", "pending", true}}},
                  {"snap-2", "vol-2", "/dev/xvdf", "pending", {{"eu-west-1", "", "queued", false}}}};
  InstanceReport failed;
  failed.instance_id = "i-00000002";
  failed.stopped_by_run = true;
  failed.errors = {Failure(Step::kSnapshot, "InternalError", "boom")};
  InstanceReport cancelled;
  cancelled.instance_id = "i-00000003";
  cancelled.errors = {Failure(Step::kSnapshot, "Cancelled", "cancelled before the snapshot was taken")};
  r.instances = {ok, failed, cancelled};
  r.retention = {{"", "snap-0", "vol-1", "i-00000001", "", "deleted", "old"},
                 {"", "snap-9", "vol-1", "i-00000001", "", "failed", "denied"}};
  r.earlier_copies = {{"", "i-00000001", "snap-old", "eu-west-1", "snap-c0", "completed", false}};
  r.not_found = {"i-0000000f"};
  return r;
}

TEST(MetricsTest, ASnapshotRunsFigures) {
  auto scopes = RunMetrics(ASnapshotRun(), "111122223333");
  ASSERT_EQ(scopes.size(), 1u);
  const MetricScope& s = scopes[0];
  EXPECT_EQ(s.region, "us-east-1");
  EXPECT_EQ(s.account, "111122223333");
  EXPECT_EQ(ValueOf(s, "InstancesSelected"), 3);
  EXPECT_EQ(ValueOf(s, "InstancesFailed"), 3);  // two failed, one not found
  EXPECT_EQ(ValueOf(s, "InstancesLeftStopped"), 1);
  EXPECT_EQ(ValueOf(s, "SnapshotsCreateStarted"), 2);
  EXPECT_EQ(ValueOf(s, "SnapshotsCreateCompleted"), 1);
  EXPECT_EQ(ValueOf(s, "SnapshotsCreateFailed"), 1);  // the cancelled one never began
  EXPECT_EQ(ValueOf(s, "SnapshotsDeleteCompleted"), 1);
  EXPECT_EQ(ValueOf(s, "SnapshotsDeleteFailed"), 1);
  EXPECT_EQ(ValueOf(s, "SnapshotsCopiedRegionStarted"), 1);
  EXPECT_EQ(ValueOf(s, "SnapshotsCopiedRegionCompleted"), 1);  // the earlier one
  EXPECT_EQ(ValueOf(s, "ApiThrottled"), 2);
  EXPECT_EQ(ValueOf(s, "RunSeconds"), 12.5);
  EXPECT_FALSE(Has(s, "VolumesUnprotected"));
}

TEST(MetricsTest, ScopesGetTheirOwnFiguresAndRunWideOnesGoWithTheFirst) {
  SnapshotReport r;
  r.region = "us-east-1,eu-west-1";
  r.account = "111111111111,222222222222";
  InstanceReport a;
  a.scope = "222222222222/eu-west-1";
  a.stopped_by_run = true;
  InstanceReport b;
  b.scope = "111111111111/us-east-1";
  r.instances = {a, b};
  r.run_errors = {Failure(Step::kSelect, "AuthFailure", "[222222222222/us-east-1] no")};
  auto scopes = RunMetrics(r, "");
  ASSERT_EQ(scopes.size(), 4u);
  EXPECT_EQ(scopes[0].account + "/" + scopes[0].region, "111111111111/us-east-1");
  EXPECT_EQ(ValueOf(scopes[0], "InstancesSelected"), 1);
  EXPECT_TRUE(Has(scopes[0], "RunSeconds"));
  EXPECT_FALSE(Has(scopes[1], "RunSeconds"));
  EXPECT_EQ(scopes[3].account + "/" + scopes[3].region, "222222222222/eu-west-1");
  EXPECT_EQ(ValueOf(scopes[3], "InstancesLeftStopped"), 1);
  EXPECT_EQ(ValueOf(scopes[2], "RunErrors"), 1);
  EXPECT_EQ(ValueOf(scopes[1], "InstancesSelected"), 0);  // a scope with nothing still says 0
}

TEST(MetricsTest, SeveralScopesAlsoGetOrganizationTotalsWithoutRegionOrAccount) {
  SnapshotReport r;
  r.region = "us-east-1";
  r.account = "111111111111,222222222222";
  r.label = "daily";
  InstanceReport a, b, c;
  a.scope = b.scope = "111111111111/us-east-1";
  c.scope = "222222222222/us-east-1";
  c.stopped_by_run = true;
  a.instance_id = "i-00000001";
  b.instance_id = "i-00000002";
  c.instance_id = "i-00000003";
  r.instances = {a, b, c};
  r.seconds = 7;
  auto scopes = RunMetrics(r, "");
  ASSERT_EQ(scopes.size(), 2u);
  auto total = OrganizationTotals(scopes);
  ASSERT_TRUE(total.has_value());
  EXPECT_EQ(ValueOf(*total, "InstancesSelected"), 3);  // summed
  EXPECT_EQ(ValueOf(*total, "InstancesLeftStopped"), 1);
  EXPECT_EQ(ValueOf(*total, "RunSeconds"), 7);  // the largest, not a sum
  EXPECT_FALSE(OrganizationTotals({scopes[0]}).has_value()) << "one scope is its own total";
  // EMF: a line per scope, then the totals with no Region or Account.
  std::string text = EmfLines(scopes, r, 1764547200000);
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(text.substr(at, nl - at));
  ASSERT_EQ(lines.size(), 3u);
  auto t = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(t["_aws"]["CloudWatchMetrics"][0]["Dimensions"], nlohmann::json::parse(R"([[],["Label"]])"));
  EXPECT_FALSE(t.contains("Region"));
  EXPECT_FALSE(t.contains("Account"));
  EXPECT_EQ(t["InstancesSelected"], 3);
  EXPECT_EQ(t["Label"], "daily");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["Account"], "222222222222");
}

TEST(MetricsTest, AnAuditsFigures) {
  AuditReport r;
  r.region = "us-east-1";
  AuditVolume ok, old, bare;
  ok.instance_id = old.instance_id = "i-00000001";
  ok.volume_id = "vol-1";
  ok.newest = {"snap-1", "", "completed", "", "s3snapshot", 3600};
  old.volume_id = "vol-2";
  old.newest = {"snap-2", "", "completed", "", "s3snapshot", 90000};
  old.findings = {{"too-old", "..."}};
  bare.instance_id = "i-00000002";
  bare.findings = {{"no-ebs-volume", "..."}};
  r.volumes = {ok, old, bare};
  auto scopes = RunMetrics(r, "111122223333");
  const MetricScope& s = scopes.at(0);
  EXPECT_EQ(ValueOf(s, "InstancesSelected"), 2);
  EXPECT_EQ(ValueOf(s, "VolumesAudited"), 2);
  EXPECT_EQ(ValueOf(s, "VolumesUnprotected"), 2);
  EXPECT_EQ(ValueOf(s, "OldestNewestSnapshotAgeSeconds"), 90000);
  EXPECT_FALSE(Has(s, "SnapshotsCreateStarted"));
  EXPECT_FALSE(Has(s, "InstancesLeftStopped"));
}

TEST(MetricsTest, EmfLinesFollowTheSpecificationsStructure) {
  SnapshotReport r = ASnapshotRun();
  r.label = "nightly";
  std::string text = EmfLines(RunMetrics(r, "111122223333"), r, 1764547200000);
  ASSERT_EQ(text.back(), '\n');
  ASSERT_EQ(text.find('\n'), text.size() - 1);  // one line per scope
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["_aws"]["Timestamp"], 1764547200000);
  const auto& d = j["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(d["Namespace"], "s3snapshot");
  EXPECT_EQ(d["Dimensions"], nlohmann::json::parse(R"([["Region","Account"],["Region","Account","Label"]])"));
  for (const auto& m : d["Metrics"]) {
    EXPECT_TRUE(j.contains(m["Name"].get<std::string>())) << m;
    EXPECT_TRUE(m["Unit"] == "Count" || m["Unit"] == "Seconds") << m;
  }
  EXPECT_EQ(j["Region"], "us-east-1");
  EXPECT_EQ(j["Account"], "111122223333");
  EXPECT_EQ(j["Label"], "nightly");
  EXPECT_EQ(j["SnapshotsCreateStarted"], 2);
}

TEST(MetricsTest, PrometheusTextAndTheLastSuccessCarriedOver) {
  SnapshotReport r = ASnapshotRun();
  r.label = "a \"b\"";
  std::string text = PrometheusText(RunMetrics(r, "1"), r, 1764547200, 1764500000);
  EXPECT_NE(text.find("# TYPE s3snapshot_snapshots_create_started gauge\n"
                      "s3snapshot_snapshots_create_started{command=\"snapshot\",label=\"a \\\"b\\\"\","
                      "region=\"us-east-1\",account=\"1\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("s3snapshot_last_run_success{command=\"snapshot\",label=\"a \\\"b\\\"\"} 0\n"),
            std::string::npos);
  // The run failed: the previous success stays.
  EXPECT_EQ(PreviousSuccess(text, r), 1764500000);
  SnapshotReport good;
  good.region = "us-east-1";
  good.label = r.label;
  std::string next = PrometheusText(RunMetrics(good, "1"), good, 1764600000, PreviousSuccess(text, r));
  EXPECT_EQ(PreviousSuccess(next, good), 1764600000);
  // Another command's line is not this one's.
  AuditReport audit;
  static_cast<Envelope&>(audit) = good;
  EXPECT_EQ(PreviousSuccess(next, audit), std::nullopt);
  EXPECT_EQ(PreviousSuccess("s3snapshot_last_success_timestamp_seconds{command=\"snapshot\",label=\"\"} 12x\n",
                            SnapshotReport{}),
            std::nullopt);
}

TEST(MetricsTest, SnakeCase) {
  EXPECT_EQ(SnakeCase("SnapshotsCreateStarted"), "snapshots_create_started");
  EXPECT_EQ(SnakeCase("OldestNewestSnapshotAgeSeconds"), "oldest_newest_snapshot_age_seconds");
}

}  // namespace
}  // namespace s3snapshot::report
