// Credential providers that need only HTTP, files and processes, after
// aws-c-auth's small composable providers. The STS-based ones (assume-role,
// web identity) and the default chain live in aws/credential_chain.h.
#ifndef S3SNAPSHOT_CORE_CREDENTIAL_PROVIDERS_H_
#define S3SNAPSHOT_CORE_CREDENTIAL_PROVIDERS_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/credentials.h"
#include "core/env.h"
#include "core/http.h"

namespace s3snapshot::core {

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
class EnvironmentCredentialsProvider : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(const Env& env) : env_(env) {}
  Result<Credentials> GetCredentials() override;

 private:
  const Env& env_;
};

// Runs a command: its stdout is a JSON document with Version 1, AccessKeyId,
// SecretAccessKey, SessionToken and Expiration (the credential_process setting).
using CommandRunner = std::function<Result<std::string>(const std::string& command)>;
Result<std::string> RunShellCommand(const std::string& command);  // via /bin/sh -c

class ProcessCredentialsProvider : public CredentialsProvider {
 public:
  ProcessCredentialsProvider(std::string command, CommandRunner runner = RunShellCommand)
      : command_(std::move(command)), runner_(std::move(runner)) {}
  Result<Credentials> GetCredentials() override;

 private:
  std::string command_;
  CommandRunner runner_;
};

// Parses credential JSON as sent by credential_process, ECS/EKS container
// endpoints and IMDS (AccessKeyId/SecretAccessKey/Token or SessionToken/Expiration).
Result<Credentials> ParseCredentialsJson(const std::string& body, const std::string& source);

// ECS / EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
// 169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback, the ECS/EKS
// link-local hosts, or https), with AWS_CONTAINER_AUTHORIZATION_TOKEN or
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE as the Authorization header.
class ContainerCredentialsProvider : public CredentialsProvider {
 public:
  ContainerCredentialsProvider(const Env& env, HttpTransport& http) : env_(env), http_(http) {}
  Result<Credentials> GetCredentials() override;

 private:
  const Env& env_;
  HttpTransport& http_;
};

// EC2 instance metadata, IMDSv2 only: PUT /latest/api/token first, then
// GET /latest/meta-data/iam/security-credentials/[ROLE]. The transport given
// should have short timeouts (1 s) so that a run off EC2 never hangs.
// AWS_EC2_METADATA_DISABLED=true turns it off; AWS_EC2_METADATA_SERVICE_ENDPOINT
// overrides the endpoint (tests).
class ImdsCredentialsProvider : public CredentialsProvider {
 public:
  ImdsCredentialsProvider(const Env& env, HttpTransport& http) : env_(env), http_(http) {}
  Result<Credentials> GetCredentials() override;

 private:
  const Env& env_;
  HttpTransport& http_;
};

// Tries each provider in turn; the first success wins. A provider answering
// kNotFound means "not configured here"; any other error stops the chain
// (a broken configuration should be reported, not silently skipped).
class ChainCredentialsProvider : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  Result<Credentials> GetCredentials() override;

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// Caches another provider's credentials and refreshes them `refresh_before`
// ahead of their expiry. Thread-safe; one refresh at a time.
class CachingCredentialsProvider : public CredentialsProvider {
 public:
  CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> inner, const Clock& clock,
                             std::chrono::seconds refresh_before = std::chrono::seconds(300))
      : inner_(std::move(inner)), clock_(clock), refresh_before_(refresh_before) {}
  Result<Credentials> GetCredentials() override;
  // Forgets the cached credentials (after the service said they expired).
  void Invalidate();

 private:
  std::unique_ptr<CredentialsProvider> inner_;
  const Clock& clock_;
  std::chrono::seconds refresh_before_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CREDENTIAL_PROVIDERS_H_
