#include "aws/cloudwatch_client.h"

#include <gtest/gtest.h>

namespace s3snapshot::aws {
namespace {

TEST(CloudWatchClientTest, PutMetricDataIsTheQueryFormOfTheServiceModel) {
  std::vector<MetricDatum> data = {{"SnapshotsCreateStarted",
                                    "Count",
                                    6,
                                    {{"Region", "us-east-1"}, {"Account", "111122223333"}},
                                    "2026-12-01T00:00:00Z"},
                                   {"RunSeconds", "Seconds", 12.25, {}, ""}};
  std::string body = PutMetricDataParams("s3snapshot", data).Encode("PutMetricData", "2010-08-01");
  EXPECT_EQ(body,
            "Action=PutMetricData&Version=2010-08-01&Namespace=s3snapshot"
            "&MetricData.member.1.MetricName=SnapshotsCreateStarted&MetricData.member.1.Value=6"
            "&MetricData.member.1.Unit=Count&MetricData.member.1.Timestamp=2026-12-01T00%3A00%3A00Z"
            "&MetricData.member.1.Dimensions.member.1.Name=Region"
            "&MetricData.member.1.Dimensions.member.1.Value=us-east-1"
            "&MetricData.member.1.Dimensions.member.2.Name=Account"
            "&MetricData.member.1.Dimensions.member.2.Value=111122223333"
            "&MetricData.member.2.MetricName=RunSeconds&MetricData.member.2.Value=12.25"
            "&MetricData.member.2.Unit=Seconds");
}

}  // namespace
}  // namespace s3snapshot::aws
