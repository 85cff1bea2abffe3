// CloudWatch PutMetricData (API version 2010-08-01, the Query protocol, as
// EC2 and SNS), for --cloudwatch-metrics: cron users without an agent.
#ifndef S3SNAPSHOT_AWS_CLOUDWATCH_CLIENT_H_
#define S3SNAPSHOT_AWS_CLOUDWATCH_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "aws/aws_client.h"

namespace s3snapshot::aws {

struct MetricDatum {
  std::string name, unit;  // unit: a CloudWatch StandardUnit ("Count", "Seconds")
  double value = 0;
  std::vector<std::pair<std::string, std::string>> dimensions;  // at most 30
  std::string timestamp;                                        // ISO 8601; empty: the time received
};

class CloudWatchApi {
 public:
  virtual ~CloudWatchApi() = default;
  // At most kMaxMetricsPerPut data; the caller splits larger sets.
  virtual core::Status PutMetricData(const std::string& metric_namespace, const std::vector<MetricDatum>& data) = 0;
};

// CloudWatch takes up to 1,000 metrics (and 1 MB) per request.
inline constexpr size_t kMaxMetricsPerPut = 1000;

class CloudWatchClient : public CloudWatchApi {
 public:
  // Signed as "monitoring", sent to monitoring.REGION.amazonaws.com.
  CloudWatchClient(std::string region, std::string endpoint, ClientContext ctx)
      : client_("monitoring", "2010-08-01", std::move(region), std::move(endpoint), std::move(ctx)) {}
  core::Status PutMetricData(const std::string& metric_namespace, const std::vector<MetricDatum>& data) override;

 private:
  AwsClient client_;
};

// The request's parameters (exposed for tests): Namespace,
// MetricData.member.N.{MetricName,Value,Unit,Timestamp},
// MetricData.member.N.Dimensions.member.M.{Name,Value}.
QueryParams PutMetricDataParams(const std::string& metric_namespace, const std::vector<MetricDatum>& data);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_CLOUDWATCH_CLIENT_H_
