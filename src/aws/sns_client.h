// SNS Publish (API version 2010-03-31).
#ifndef S3SNAPSHOT_AWS_SNS_CLIENT_H_
#define S3SNAPSHOT_AWS_SNS_CLIENT_H_

#include <string>

#include "aws/arn.h"
#include "aws/aws_client.h"

namespace s3snapshot::aws {

class SnsApi {
 public:
  virtual ~SnsApi() = default;
  // Returns the MessageId.
  virtual core::Result<std::string> Publish(const std::string& topic_arn, const std::string& subject,
                                            const std::string& message) = 0;
};

class SnsClient : public SnsApi {
 public:
  SnsClient(std::string region, std::string endpoint, ClientContext ctx)
      : client_("sns", "2010-03-31", std::move(region), std::move(endpoint), std::move(ctx)) {}
  core::Result<std::string> Publish(const std::string& topic_arn, const std::string& subject,
                                    const std::string& message) override;

 private:
  AwsClient client_;
};

core::Result<std::string> ParsePublish(const std::string& xml);

// An SNS topic ARN: service "sns", a region, a 12-digit account, a topic name.
bool IsValidSnsTopicArn(const std::string& s);
// What is wrong with `s` as an SNS topic ARN, in words; empty when nothing is.
std::string SnsTopicArnProblem(const std::string& s);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_SNS_CLIENT_H_
