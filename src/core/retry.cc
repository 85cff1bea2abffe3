#include "core/retry.h"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace s3snapshot::core {

uint64_t SystemRandom64() {
  uint64_t v = 0;
  // Not std::random_device: libstdc++ 12 implements it with arc4random, a
  // GLIBC_2.36 symbol that the Lambda runtime (glibc 2.34) lacks.
  if (getrandom(&v, sizeof(v), 0) != static_cast<ssize_t>(sizeof(v))) {
    v = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        (static_cast<uint64_t>(getpid()) << 32);
  }
  return v;
}

bool IsRetryable(const Error& e, bool idempotent) {
  switch (e.kind) {
    case ErrorKind::kThrottled:
    case ErrorKind::kTransient:
    case ErrorKind::kTransport:
      return true;
    case ErrorKind::kAmbiguous:
      return idempotent;
    default:
      return false;
  }
}

Retryer::Retryer(RetryOptions options, RandomSource* random)
    : options_(options), random_(random), quota_(options.quota_capacity) {}

int Retryer::CostOf(const Error& e) const {
  return (e.kind == ErrorKind::kTransport || e.kind == ErrorKind::kAmbiguous) ? options_.timeout_retry_cost
                                                                              : options_.retry_cost;
}

std::chrono::milliseconds Retryer::Backoff(int retry, double uniform) const {
  double base_ms = static_cast<double>(options_.base.count());
  double exp = std::ldexp(1.0, std::min(retry - 1, 30));
  double ms = std::min(uniform * base_ms * exp, static_cast<double>(options_.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::optional<std::chrono::milliseconds> Retryer::OnFailure(const Error& e, int attempt, bool idempotent) {
  if (!IsRetryable(e, idempotent)) return std::nullopt;
  if (attempt >= options_.max_attempts) return std::nullopt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int cost = CostOf(e);
    if (quota_ < cost) return std::nullopt;
    quota_ -= cost;
  }
  return Backoff(attempt, random_->Uniform());
}

void Retryer::OnSuccess(int attempts_made, const std::optional<Error>& last_retried_error) {
  std::lock_guard<std::mutex> lock(mu_);
  int refund = (attempts_made > 1 && last_retried_error) ? CostOf(*last_retried_error) : options_.no_retry_increment;
  quota_ = std::min(options_.quota_capacity, quota_ + refund);
}

int Retryer::quota() const {
  std::lock_guard<std::mutex> lock(mu_);
  return quota_;
}

}  // namespace s3snapshot::core
