// AWS credentials and the provider interface. Concrete providers live in
// credential_providers.h (environment, files, process, container, IMDS) and in
// aws/sts_credentials.h (assume-role and web identity, which need STS).
#ifndef S3SNAPSHOT_CORE_CREDENTIALS_H_
#define S3SNAPSHOT_CORE_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace s3snapshot::core {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;           // empty for long-term keys
  std::optional<WallTime> expiration;  // nullopt: does not expire
  std::string source;                  // which provider supplied them, for --verbose
};

// Supplies credentials. Implementations are thread-safe: several requests may
// ask at once.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Credentials, or an Error of kind kAuth/kNotFound saying why not. kNotFound
  // means "this provider is not configured here": a chain tries the next one.
  virtual Result<Credentials> GetCredentials() = 0;
};

// A provider that always returns the same credentials (tests, --profile static keys).
class StaticCredentialsProvider : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials c) : c_(std::move(c)) {}
  Result<Credentials> GetCredentials() override { return c_; }

 private:
  Credentials c_;
};

// Forwards to a provider owned elsewhere (which must outlive this one).
class BorrowedCredentialsProvider : public CredentialsProvider {
 public:
  explicit BorrowedCredentialsProvider(CredentialsProvider* p) : p_(p) {}
  Result<Credentials> GetCredentials() override { return p_->GetCredentials(); }

 private:
  CredentialsProvider* p_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CREDENTIALS_H_
