// Client-side rate limiting: a token bucket per EC2 action family, so a large
// fleet stays just under the account's API buckets instead of provoking
// RequestLimitExceeded storms. See "Request throttling for the Amazon EC2 API":
//   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
#ifndef S3SNAPSHOT_CORE_RATE_LIMITER_H_
#define S3SNAPSHOT_CORE_RATE_LIMITER_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace s3snapshot::core {

// Classic token bucket: `burst` tokens, refilled at `rate` per second.
// Acquire() blocks (via the clock) until a token is available. Thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, Clock& clock);
  // Takes `n` tokens, sleeping as needed. Returns the time slept.
  std::chrono::milliseconds Acquire(double n = 1.0);
  // After a throttled response: empty the bucket, so every caller waits for refill.
  void Drain();
  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void RefillLocked();

  double rate_, burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

// Buckets by family name, with the documented EC2 defaults, scaled by `factor`
// (accounts can have raised limits; the benchmark proxy uses a scaled model).
// Unknown families use the non-mutating default.
class RateLimiter {
 public:
  RateLimiter(Clock& clock, double factor = 1.0);
  // The family an EC2 action belongs to ("DescribeInstances" -> "describe").
  static std::string FamilyOf(const std::string& action);
  std::chrono::milliseconds Acquire(const std::string& action, double n = 1.0);
  void OnThrottle(const std::string& action);

 private:
  TokenBucket& Bucket(const std::string& family);

  Clock& clock_;
  double factor_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<TokenBucket>> buckets_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_RATE_LIMITER_H_
