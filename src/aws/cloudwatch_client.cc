#include "aws/cloudwatch_client.h"

#include <cmath>
#include <cstdio>

namespace s3snapshot::aws {

namespace {

std::string Value(double v) {
  char buf[64];
  if (std::floor(v) == v && std::fabs(v) < 1e15) {
    snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v));
  } else {
    snprintf(buf, sizeof(buf), "%.17g", v);
  }
  return buf;
}

}  // namespace

QueryParams PutMetricDataParams(const std::string& metric_namespace, const std::vector<MetricDatum>& data) {
  QueryParams p;
  p.Set("Namespace", metric_namespace);
  for (size_t i = 0; i < data.size(); ++i) {
    const MetricDatum& d = data[i];
    const std::string m = "MetricData.member." + std::to_string(i + 1) + ".";
    p.Set(m + "MetricName", d.name);
    p.Set(m + "Value", Value(d.value));
    if (!d.unit.empty()) p.Set(m + "Unit", d.unit);
    if (!d.timestamp.empty()) p.Set(m + "Timestamp", d.timestamp);
    for (size_t j = 0; j < d.dimensions.size(); ++j) {
      const std::string dim = m + "Dimensions.member." + std::to_string(j + 1) + ".";
      p.Set(dim + "Name", d.dimensions[j].first);
      p.Set(dim + "Value", d.dimensions[j].second);
    }
  }
  return p;
}

core::Status CloudWatchClient::PutMetricData(const std::string& metric_namespace,
                                             const std::vector<MetricDatum>& data) {
  if (data.size() > kMaxMetricsPerPut) {
    return core::Error::Make(core::ErrorKind::kInternal, "PutMetricData: more than 1,000 metrics in one request",
                             "InternalError");
  }
  // Not resent after an ambiguous failure: a data point counted twice
  // would double a Sum, a lost one only leaves a gap.
  auto r = client_.Call("PutMetricData", PutMetricDataParams(metric_namespace, data), /*idempotent=*/false);
  if (!r.ok()) return r.error();
  return core::OkStatus();
}

}  // namespace s3snapshot::aws
