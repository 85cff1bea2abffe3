// What one run needs from the world outside: EC2 and SSM clients per region
// (and role), SNS and CloudWatch clients, the caller's account, the clock and the API counters. AwsServices is the real
// one; app/run_test.cc gives fakes, so scope fan-out, merging and the order of
// notifications are unit-tested.
#ifndef S3SNAPSHOT_APP_SERVICES_H_
#define S3SNAPSHOT_APP_SERVICES_H_

#include <memory>
#include <string>

#include "aws/cloudwatch_client.h"
#include "aws/ec2_client.h"
#include "aws/organizations_client.h"
#include "aws/sns_client.h"
#include "aws/ssm_client.h"
#include "core/clock.h"

namespace s3snapshot::app {

class Services {
 public:
  virtual ~Services() = default;
  // The configured region: STS, the region listing, and the default scope.
  virtual const std::string& home_region() const = 0;
  virtual core::Clock& run_clock() = 0;
  // An EC2 client for `region`, as `role_arn` when it is not empty.
  // Thread-safe: the scopes of a run ask for clients concurrently.
  virtual std::unique_ptr<aws::Ec2Api> Ec2For(const std::string& role_arn, const std::string& external_id,
                                              const std::string& region) = 0;
  // SSM Run Command for pre/post-scripts, as Ec2For.
  virtual std::unique_ptr<aws::SsmApi> SsmFor(const std::string& role_arn, const std::string& external_id,
                                              const std::string& region) = 0;
  virtual std::unique_ptr<aws::SnsApi> SnsFor(const std::string& region) = 0;
  virtual std::unique_ptr<aws::CloudWatchApi> CloudWatchFor(const std::string& region) = 0;
  // AWS Organizations (--org), at its endpoint in the home region's partition.
  virtual std::unique_ptr<aws::OrganizationsApi> Organizations() = 0;
  // The caller's own account id (STS GetCallerIdentity, which needs no
  // permission), for the metrics' Account dimension.
  virtual core::Result<std::string> CallerAccount() = 0;
  // Requests sent so far, and of those answered with throttling.
  virtual long ApiCalls() const = 0;
  virtual long ApiThrottled() const = 0;
};

}  // namespace s3snapshot::app

#endif  // S3SNAPSHOT_APP_SERVICES_H_
