// STS-based credential providers and the default chain, in the AWS SDKs' order:
//   https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
// environment -> web identity -> shared profile (static keys, credential_process,
// role_arn with source_profile / credential_source) -> container -> IMDSv2.
// With an explicit --profile only that profile is used, as the AWS CLI does.
#ifndef S3SNAPSHOT_AWS_CREDENTIAL_CHAIN_H_
#define S3SNAPSHOT_AWS_CREDENTIAL_CHAIN_H_

#include <functional>
#include <memory>
#include <string>

#include "aws/sts_client.h"
#include "core/config_file.h"
#include "core/credential_providers.h"

namespace s3snapshot::aws {

// Makes an STS client that signs with `source` (null: unsigned calls only).
using StsFactory = std::function<std::unique_ptr<StsApi>(core::CredentialsProvider* source)>;

// AssumeRole with credentials from `source`.
class AssumeRoleCredentialsProvider : public core::CredentialsProvider {
 public:
  AssumeRoleCredentialsProvider(std::unique_ptr<core::CredentialsProvider> source, const StsFactory& sts_factory,
                                AssumeRoleRequest request);
  core::Result<core::Credentials> GetCredentials() override;

 private:
  std::unique_ptr<core::CredentialsProvider> source_;
  std::unique_ptr<StsApi> sts_;
  AssumeRoleRequest request_;
};

// AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), or the
// same from a profile's web_identity_token_file / role_arn.
class WebIdentityCredentialsProvider : public core::CredentialsProvider {
 public:
  WebIdentityCredentialsProvider(const core::Env& env, const StsFactory& sts_factory, std::string token_file = "",
                                 std::string role_arn = "", std::string session_name = "");
  core::Result<core::Credentials> GetCredentials() override;

 private:
  const core::Env& env_;
  std::unique_ptr<StsApi> sts_;
  std::string token_file_, role_arn_, session_name_;
};

struct ChainOptions {
  std::string profile;  // --profile; empty: AWS_PROFILE or "default"
  std::string session_name = "s3snapshot";
};

// Builds the provider for one named profile (recursively for source_profile).
// kInvalidInput errors for an unknown profile, a source_profile cycle, or a
// profile with role_arn but no source.
core::Result<std::unique_ptr<core::CredentialsProvider>> MakeProfileProvider(
    const core::Env& env, const core::SharedConfig& config, const std::string& name, const StsFactory& sts_factory,
    core::HttpTransport& metadata_http, const std::string& session_name);

// The default chain. `metadata_http` is used for container and IMDS endpoints
// and should have short timeouts. The result refreshes temporary credentials
// five minutes before they expire.
core::Result<std::unique_ptr<core::CachingCredentialsProvider>> BuildDefaultCredentialChain(
    const core::Env& env, const core::SharedConfig& config, const ChainOptions& options, const StsFactory& sts_factory,
    core::HttpTransport& metadata_http, const core::Clock& clock);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_CREDENTIAL_CHAIN_H_
