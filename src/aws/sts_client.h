// STS (API version 2011-06-15): who am I, and temporary credentials.
#ifndef S3SNAPSHOT_AWS_STS_CLIENT_H_
#define S3SNAPSHOT_AWS_STS_CLIENT_H_

#include <string>

#include "aws/aws_client.h"
#include "core/credentials.h"

namespace s3snapshot::aws {

struct CallerIdentity {
  std::string account, arn, user_id;
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;   // optional
  int duration_seconds = 0;  // 0: the role's default (1 h)
};

class StsApi {
 public:
  virtual ~StsApi() = default;
  virtual core::Result<CallerIdentity> GetCallerIdentity() = 0;
  virtual core::Result<core::Credentials> AssumeRole(const AssumeRoleRequest& req) = 0;
  // Unsigned: the web identity token is the proof.
  virtual core::Result<core::Credentials> AssumeRoleWithWebIdentity(const std::string& role_arn,
                                                                    const std::string& session_name,
                                                                    const std::string& token) = 0;
};

class StsClient : public StsApi {
 public:
  StsClient(std::string region, std::string endpoint, ClientContext ctx)
      : client_("sts", "2011-06-15", std::move(region), std::move(endpoint), std::move(ctx)) {}
  core::Result<CallerIdentity> GetCallerIdentity() override;
  core::Result<core::Credentials> AssumeRole(const AssumeRoleRequest& req) override;
  core::Result<core::Credentials> AssumeRoleWithWebIdentity(const std::string& role_arn,
                                                            const std::string& session_name,
                                                            const std::string& token) override;

 private:
  AwsClient client_;
};

core::Result<CallerIdentity> ParseGetCallerIdentity(const std::string& xml);
// AssumeRoleResponse or AssumeRoleWithWebIdentityResponse.
core::Result<core::Credentials> ParseAssumeRoleCredentials(const std::string& xml, const std::string& root_name);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_STS_CLIENT_H_
