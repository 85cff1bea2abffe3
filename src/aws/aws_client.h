// One signed AWS Query-protocol call with retries: the piece that EC2, SNS and
// STS clients share. Thread-safe: many calls may be in flight at once.
#ifndef S3SNAPSHOT_AWS_AWS_CLIENT_H_
#define S3SNAPSHOT_AWS_AWS_CLIENT_H_

#include <atomic>
#include <functional>
#include <string>

#include "aws/query.h"
#include "core/clock.h"
#include "core/credentials.h"
#include "core/http.h"
#include "core/log.h"
#include "core/rate_limiter.h"
#include "core/retry.h"

namespace s3snapshot::aws {

struct CallStats;

// What every client needs; owned by the caller and outliving the clients.
struct ClientContext {
  core::HttpTransport* http = nullptr;
  core::CredentialsProvider* credentials = nullptr;  // may be null for unsigned calls only
  core::Clock* clock = nullptr;
  core::Retryer* retryer = nullptr;
  core::RateLimiter* rate_limiter = nullptr;  // optional
  core::Logger* logger = nullptr;             // optional
  // Called when the service says the credentials expired (ExpiredToken): the
  // caller drops its cache so the next attempt fetches fresh ones.
  std::function<void()> on_expired_credentials;
  // Optional counters shared by every client of a run (the report's totals).
  struct CallStats* shared_stats = nullptr;
  // Optional (Lambda): no request is sent, waited for or retried past it.
  const core::Deadline* deadline = nullptr;
};

// Counters for the report and the benchmark. Thread-safe.
struct CallStats {
  std::atomic<long> calls{0};      // HTTP requests sent
  std::atomic<long> throttled{0};  // of which answered with a throttling error
  std::atomic<long> retries{0};
};

struct QueryResponse {
  std::string body;
  std::string request_id;
  int attempts = 1;
};

class AwsQueryClient {
 public:
  // `service` is the signing name ("ec2", "sns", "sts"); `endpoint` a base URL.
  AwsQueryClient(std::string service, std::string api_version, std::string region, std::string endpoint,
                 ClientContext ctx);

  // Sends `action` with `params`, retrying per the Retryer. `idempotent`:
  // whether a request that may have been applied can be resent (false for
  // CreateSnapshot(s), whose EC2 API takes no client token). `sign`: false only
  // for AssumeRoleWithWebIdentity. Errors carry the AWS code, kind, request id
  // and "Action: " context.
  core::Result<QueryResponse> Call(const std::string& action, const QueryParams& params, bool idempotent = true,
                                   bool sign = true);

  const std::string& region() const { return region_; }
  const std::string& endpoint() const { return endpoint_; }
  CallStats& stats() { return stats_; }

 private:
  core::Result<QueryResponse> Attempt(const std::string& body, bool sign, bool idempotent);

  std::string service_, version_, region_, endpoint_;
  ClientContext ctx_;
  CallStats stats_;
};

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_AWS_CLIENT_H_
