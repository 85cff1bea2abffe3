// Retry decisions with the AWS SDKs' "standard" semantics:
//   https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
// - max attempts (AWS_MAX_ATTEMPTS / max_attempts, default 3), first try included;
// - exponential backoff with full jitter: rand[0,1) * 2^(retry-1) s, capped at 20 s;
// - a retry quota (500 tokens; 5 per retry, 10 per retry after a timeout or
//   connection error; refunded on success) so a dead endpoint is not hammered.
// Pure logic: takes a seeded random source and no clock, so tests never sleep.
#ifndef S3SNAPSHOT_CORE_RETRY_H_
#define S3SNAPSHOT_CORE_RETRY_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <random>

#include "core/result.h"

namespace s3snapshot::core {

struct RetryOptions {
  int max_attempts = 3;
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max_backoff{20000};
  int quota_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
};

// Uniform [0,1). Thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double Uniform() = 0;
};

class SeededRandom : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : gen_(seed) {}
  double Uniform() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 gen_;
};

// 64 random bits from the kernel (getrandom), for seeds and run ids.
uint64_t SystemRandom64();

// Is this error worth another attempt at all? Throttling, transient server
// errors and transport errors are; kAmbiguous only for idempotent requests.
bool IsRetryable(const Error& e, bool idempotent);

// Shared by all requests to one service endpoint. Thread-safe.
class Retryer {
 public:
  Retryer(RetryOptions options, RandomSource* random);

  // After attempt number `attempt` (1-based) failed with `e`: the delay before
  // the next attempt, or nullopt to give up (not retryable, attempts used up,
  // or quota empty). Takes the quota cost when it says retry.
  std::optional<std::chrono::milliseconds> OnFailure(const Error& e, int attempt, bool idempotent);
  // After a success: refunds the quota (the last retry's cost, or the small
  // no-retry increment).
  void OnSuccess(int attempts_made, const std::optional<Error>& last_retried_error);

  // Backoff for retry number `retry` (1-based) given a uniform sample.
  std::chrono::milliseconds Backoff(int retry, double uniform) const;
  int quota() const;
  const RetryOptions& options() const { return options_; }

 private:
  int CostOf(const Error& e) const;

  RetryOptions options_;
  RandomSource* random_;
  mutable std::mutex mu_;
  int quota_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_RETRY_H_
