// Client-side rate limiting: a token bucket per EC2 action family, so a large
// fleet stays just under the account's API buckets instead of provoking
// RequestLimitExceeded storms. See "Request throttling for the Amazon EC2 API":
//   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
#ifndef S3SNAPSHOT_CORE_RATE_LIMITER_H_
#define S3SNAPSHOT_CORE_RATE_LIMITER_H_

#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace s3snapshot::core {

// The AWS SDKs' "adaptive" retry mode rate (CUBIC, as in TCP): on a throttle
// the rate drops to beta (0.7) times the rate actually sent; after that it
// grows along C*(t-K)^3 + W_max, slowly near the rate that was throttled and
// faster beyond it, but never above twice the measured send rate.
//   https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
// Pure arithmetic over times given by the caller; not thread-safe by itself.
class CubicRate {
 public:
  static constexpr double kBeta = 0.7;
  static constexpr double kScale = 0.4;    // C
  static constexpr double kMinRate = 0.5;  // requests per second

  // A request was sent at `t` (seconds on any monotonic scale).
  void RecordSend(double t);
  // A throttled answer at `t`.
  void OnThrottle(double t);
  // A successful answer at `t`.
  void OnSuccess(double t);
  // The rate to keep to; infinity until the first throttle.
  double rate() const { return enabled_ ? rate_ : std::numeric_limits<double>::infinity(); }
  double measured_rate() const { return measured_; }

 private:
  bool enabled_ = false;
  double rate_ = 0, last_max_ = 0, last_throttle_ = 0, window_ = 0;
  double measured_ = 0;       // smoothed send rate
  double bucket_start_ = -1;  // half-second measuring buckets
  int bucket_count_ = 0;
};

// Token bucket: `burst` tokens, refilled at `rate` per second -- or slower
// while the adaptive (CUBIC) rate says so. Acquire() blocks (via the clock)
// until a token is available. Thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst, Clock& clock);
  // Takes `n` tokens, sleeping as needed. Returns the time slept.
  std::chrono::milliseconds Acquire(double n = 1.0);
  // After a throttled response: empty the bucket (every caller waits for
  // refill) and lower the adaptive rate.
  void Drain();
  void OnSuccess();
  double rate() const { return rate_; }
  double burst() const { return burst_; }
  // The refill rate in force now (the configured rate, or lower after throttling).
  double current_rate();

 private:
  void RefillLocked();
  double RateLocked() const;
  double Seconds() const;

  double rate_, burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
  std::chrono::steady_clock::time_point epoch_;
  CubicRate cubic_;
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
  void OnSuccess(const std::string& action);
  double CurrentRate(const std::string& action);

 private:
  TokenBucket& Bucket(const std::string& family);

  Clock& clock_;
  double factor_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<TokenBucket>> buckets_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_RATE_LIMITER_H_
