// The figures of a run (snapshot or audit) as metrics, and the two text
// formats they are written in: CloudWatch's Embedded Metric Format (lines in
// a Lambda function's log: no API call, no permission) and the Prometheus
// text exposition format (a file for node_exporter's textfile collector).
// PutMetricData (aws/cloudwatch_client.h) takes the same figures.
//
// Names follow AWS Data Lifecycle Manager's where DLM has the same meaning
// (SnapshotsCreateStarted, ...); the rest are the tool's own. One set per
// scope (account x region), with the dimensions Region and Account (and
// Label when the run has one); the run-wide figures (RunSeconds, ApiCalls,
// ApiThrottled) go with the first scope only, so sums over scopes stay true.
#ifndef S3SNAPSHOT_REPORT_METRICS_H_
#define S3SNAPSHOT_REPORT_METRICS_H_

#include <optional>
#include <string>
#include <vector>

#include "report/report.h"

namespace s3snapshot::report {

struct Metric {
  std::string name;  // CloudWatch name, e.g. "SnapshotsCreateStarted"
  std::string unit;  // CloudWatch unit: "Count" or "Seconds"
  double value = 0;
};

struct MetricScope {
  std::string region, account;
  std::vector<Metric> metrics;
};

struct MetricInfo {
  const char* name;
  const char* unit;
  const char* help;                 // the meaning, as the README lists it
  bool snapshot_run, audit, drill;  // the commands that emit it
};

// Every metric the tool emits, in order, with its meaning.
const std::vector<MetricInfo>& MetricCatalog();

// The run's metrics per scope. `account` is used where the report has none
// (the caller's own account; "" when unknown).
std::vector<MetricScope> RunMetrics(const Report& r, const std::string& account);

// A run of several scopes (accounts x regions): each metric over all of
// them, with no Region or Account (empty region and account): the sum of a
// count, the largest of a "Seconds" figure (ages, times). CloudWatch cannot
// sum over a dimension's values without metric math, so EMF and PutMetricData
// also carry these, without dimensions (and with Label alone when the run has
// one): one alarm covers the organization. Prometheus sums itself
// (sum without(account, region)) and gets none, so its sums stay true.
// nullopt for a run of one scope.
std::optional<MetricScope> OrganizationTotals(const std::vector<MetricScope>& scopes);

inline constexpr char kMetricNamespace[] = "s3snapshot";

// One EMF line (a JSON object, no newline inside) per scope, each ending in
// "\n": _aws.Timestamp (ms), _aws.CloudWatchMetrics[0] with the namespace,
// the dimension sets [["Region","Account"]] (and ["Region","Account","Label"]
// with a label), and each metric's name and unit; the values, dimensions and
// "command" and "run_id" as members. Then, for several scopes, one line of
// OrganizationTotals with the dimension sets [[]] (and [["Label"]]).
std::string EmfLines(const std::vector<MetricScope>& scopes, const Report& r, long long timestamp_ms);

// The Prometheus text format: one gauge family per metric
// (s3snapshot_snapshots_create_started, ...; labels command, region,
// account, label), then s3snapshot_last_run_timestamp_seconds,
// s3snapshot_last_run_success and s3snapshot_last_success_timestamp_seconds
// (this run's time when it succeeded, else `previous_success`, omitted when
// neither is known).
std::string PrometheusText(const std::vector<MetricScope>& scopes, const Report& r, double now_seconds,
                           std::optional<double> previous_success);

// s3snapshot_last_success_timestamp_seconds for this command and label in
// an earlier file's text, if there.
std::optional<double> PreviousSuccess(const std::string& text, const Report& r);

// "SnapshotsCreateStarted" -> "snapshots_create_started".
std::string SnakeCase(const std::string& name);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_METRICS_H_
