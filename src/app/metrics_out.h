// Where a run's metrics (job/metrics.h) go: the Prometheus file and
// PutMetricData for the CLI (--metrics-file, --cloudwatch-metrics), EMF lines
// in the log for Lambda.
#ifndef S3SNAPSHOT_APP_METRICS_OUT_H_
#define S3SNAPSHOT_APP_METRICS_OUT_H_

#include <string>

#include "app/services.h"
#include "core/log.h"
#include "report/report.h"

namespace s3snapshot::app {

struct MetricsOptions {
  std::string file;         // --metrics-file; empty: none
  bool cloudwatch = false;  // --cloudwatch-metrics
};

// Sends the metrics as asked: PutMetricData in each scope's region (1,000 a
// request), then the file, written whole to PATH.tmp-PID and renamed over
// PATH (so the textfile collector never reads half of it), keeping the
// last-success time of an earlier file when this run failed. The Account
// dimension of the caller's own scopes comes from Services::CallerAccount().
// A failure is a run error (step "metrics"): exit 1.
void PublishMetrics(const MetricsOptions& options, Services& services, core::Logger& logger, report::Report* report);

// The run's EMF lines, for `account` (the caller's own account, e.g. from
// the function's ARN; "" when unknown).
std::string EmfFor(const report::Report& report, const std::string& account, Services& services);

}  // namespace s3snapshot::app

#endif  // S3SNAPSHOT_APP_METRICS_OUT_H_
