// One signed AWS call with retries: the piece every client shares -- the
// Query protocol (EC2, SNS, STS, CloudWatch: a form-encoded POST, XML back)
// and JSON 1.1 (SSM: POST / with X-Amz-Target, JSON both ways, errors named
// by `__type`). Same signer, credentials, retries, rate limiting and
// counters. Thread-safe: many calls may be in flight at once.
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

class AwsClient {
 public:
  // `service` is the signing name ("ec2", "sns", "sts", "ssm"); `endpoint` a
  // base URL; `api_version` the Query protocol's Version, or for JSON 1.1 the
  // X-Amz-Target prefix ("AmazonSSM").
  AwsClient(std::string service, std::string api_version, std::string region, std::string endpoint, ClientContext ctx);

  // Sends `action` with `params`, retrying per the Retryer. `idempotent`:
  // whether a request that may have been applied can be resent (false for
  // CreateSnapshot(s), whose EC2 API takes no client token). `sign`: false only
  // for AssumeRoleWithWebIdentity. Errors carry the AWS code, kind, request id
  // and "Action: " context.
  core::Result<QueryResponse> Call(const std::string& action, const QueryParams& params, bool idempotent = true,
                                   bool sign = true);
  // JSON 1.1: `body` (a JSON object) to operation `action`, the answer's JSON
  // in QueryResponse::body. Errors: the code from `__type` (after any '#'),
  // the message from `message` or `Message`.
  core::Result<QueryResponse> CallJson(const std::string& action, const std::string& body, bool idempotent = true);

  const std::string& region() const { return region_; }
  const std::string& endpoint() const { return endpoint_; }
  CallStats& stats() { return stats_; }

 private:
  enum class Protocol { kQuery, kJson11 };
  core::Result<QueryResponse> Send(const std::string& action, const std::string& body, Protocol protocol,
                                   bool idempotent, bool sign);
  core::Result<QueryResponse> Attempt(const std::string& action, const std::string& body, Protocol protocol, bool sign,
                                      bool idempotent);

  std::string service_, version_, region_, endpoint_;
  ClientContext ctx_;
  CallStats stats_;
};

// A JSON 1.1 error body: `__type` ("com.amazonaws.ssm#InvocationDoesNotExist"
// or "InvocationDoesNotExist") and `message`/`Message`. False when the body
// is not one.
bool ParseJsonErrorBody(const std::string& body, AwsErrorBody* out);

// What an error message says of a body that is no AWS error: ": " and its
// first 200 characters on one line, or, for an HTML page (by its body;
// moto labels XML errors text/html), only that it was one (never printed).
std::string UnexpectedBodyText(const std::string& body, const std::string& content_type);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_AWS_CLIENT_H_
