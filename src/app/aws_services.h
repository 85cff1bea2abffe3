// The composition root shared by the CLI and the Lambda handler: real HTTP
// transports, the credential chain, retries and rate limits, and clients per
// region. Only entry points use it; job/ sees the interfaces.
#ifndef S3SNAPSHOT_APP_AWS_SERVICES_H_
#define S3SNAPSHOT_APP_AWS_SERVICES_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/services.h"
#include "aws/aws_client.h"
#include "aws/credential_chain.h"
#include "aws/ec2_client.h"
#include "aws/sns_client.h"
#include "aws/ssm_client.h"
#include "aws/sts_client.h"
#include "core/config_file.h"
#include "core/curl_transport.h"
#include "core/env.h"
#include "core/log.h"
#include "spec/job_spec.h"

namespace s3snapshot::app {

struct RuntimeOptions {
  std::string region;        // --region
  std::string profile;       // --profile
  std::string endpoint_url;  // --endpoint-url (all services)
  // Scales the EC2 token buckets; 0 turns them off. S3SNAPSHOT_RATE_LIMIT_FACTOR,
  // when set, wins (parsed strictly by Create()).
  double rate_limit_factor = 1.0;
  int connect_timeout_seconds = static_cast<int>(spec::JobSpec{}.connect_timeout.count());
  int read_timeout_seconds = static_cast<int>(spec::JobSpec{}.read_timeout.count());  // the whole request
};

class AwsServices : public Services {
 public:
  // Resolves profile, region, endpoints and credentials. kInvalidInput errors
  // for configuration mistakes (unknown profile, malformed config, no region).
  static core::Result<std::unique_ptr<AwsServices>> Create(const core::Env& env, RuntimeOptions options,
                                                           core::Logger* logger);

  const std::string& region() const { return region_; }
  // Checks that credentials can be had (before anything is changed).
  core::Status CheckCredentials();

  std::unique_ptr<aws::Ec2Client> Ec2(const std::string& region);
  // A client that acts as `role_arn` (AssumeRole from the default
  // credentials, cached and refreshed; one provider per role).
  std::unique_ptr<aws::Ec2Client> Ec2As(const std::string& role_arn, const std::string& external_id,
                                        const std::string& region);
  std::unique_ptr<aws::SnsClient> Sns(const std::string& region);
  std::unique_ptr<aws::StsClient> Sts(const std::string& region);
  // SSM Run Command. Its own token buckets: SSM's limits are not EC2's.
  std::unique_ptr<aws::SsmClient> Ssm(const std::string& region);
  std::unique_ptr<aws::SsmClient> SsmAs(const std::string& role_arn, const std::string& external_id,
                                        const std::string& region);
  aws::CallStats& stats() { return stats_; }
  core::Clock& clock() { return clock_; }

  // Services.
  const std::string& home_region() const override { return region_; }
  core::Clock& run_clock() override { return clock_; }
  std::unique_ptr<aws::Ec2Api> Ec2For(const std::string& role_arn, const std::string& external_id,
                                      const std::string& region) override {
    if (role_arn.empty()) return Ec2(region);
    return Ec2As(role_arn, external_id, region);
  }
  std::unique_ptr<aws::SsmApi> SsmFor(const std::string& role_arn, const std::string& external_id,
                                      const std::string& region) override {
    return SsmAs(role_arn, external_id, region);
  }
  std::unique_ptr<aws::SnsApi> SnsFor(const std::string& region) override { return Sns(region); }
  std::unique_ptr<aws::CloudWatchApi> CloudWatchFor(const std::string& region) override;
  std::unique_ptr<aws::OrganizationsApi> Organizations() override;
  core::Result<std::string> CallerAccount() override;
  long ApiCalls() const override { return stats_.calls.load(); }
  long ApiThrottled() const override { return stats_.throttled.load(); }
  // The Lambda deadline of the current invocation (nullopt: none): every
  // client's requests and retries end by then.
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> at) { deadline_.Set(at); }

 private:
  AwsServices() = default;
  aws::ClientContext StsContext(core::CredentialsProvider* creds);  // Context without EC2's buckets
  aws::ClientContext Context(core::CredentialsProvider* creds);
  // As `role_arn` (AssumeRole from the default credentials; one cached
  // provider per role and external id).
  aws::ClientContext RoleContext(const std::string& role_arn, const std::string& external_id);

  const core::Env* env_ = nullptr;
  RuntimeOptions options_;
  core::Logger* logger_ = nullptr;
  core::SharedConfig config_;
  const core::Profile* profile_ = nullptr;
  std::string region_;
  core::SystemClock clock_;
  core::Deadline deadline_;
  std::unique_ptr<core::CurlTransport> http_;
  std::unique_ptr<core::CurlTransport> metadata_http_;
  std::unique_ptr<core::SeededRandom> random_;
  std::unique_ptr<core::Retryer> retryer_;
  // EC2 and SSM limit each account and region on its own: one client-side
  // limiter per service, account (the role's; "": the caller's) and region,
  // so the scopes of a run never wait for each other's buckets. Null when
  // client-side limiting is off.
  core::RateLimiter* LimiterFor(const std::string& service, const std::string& role_arn, const std::string& region);
  double rate_limit_factor_ = 0;
  std::mutex limiters_mu_;
  std::map<std::string, std::unique_ptr<core::RateLimiter>> limiters_;
  std::unique_ptr<core::RateLimiter> rate_limiter_;  // the other services' (SNS, CloudWatch, Organizations, SSM)
  std::unique_ptr<core::CachingCredentialsProvider> credentials_;
  aws::CallStats stats_;
  std::mutex roles_mu_;
  std::map<std::string, std::unique_ptr<core::CachingCredentialsProvider>> roles_;
};

}  // namespace s3snapshot::app

#endif  // S3SNAPSHOT_APP_AWS_SERVICES_H_
