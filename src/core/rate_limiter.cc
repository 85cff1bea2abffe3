#include "core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace s3snapshot::core {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock& clock)
    : rate_(rate_per_second), burst_(burst), clock_(clock), tokens_(burst), last_(clock.Steady()) {}

void TokenBucket::RefillLocked() {
  auto now = clock_.Steady();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
}

std::chrono::milliseconds TokenBucket::Acquire(double n) {
  std::chrono::milliseconds slept{0};
  std::unique_lock<std::mutex> lock(mu_);
  RefillLocked();
  // Reserve now (tokens may go negative), then sleep outside the lock: callers
  // are served in arrival order and the rate holds under concurrency.
  tokens_ -= n;
  if (tokens_ >= 0) return slept;
  double wait_s = -tokens_ / rate_;
  lock.unlock();
  auto wait = std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000.0)));
  clock_.Sleep(wait);
  return wait;
}

void TokenBucket::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked();
  tokens_ = std::min(tokens_, 0.0);
}

namespace {
struct Defaults {
  double burst, rate;
};
// Documented EC2 defaults (bucket size, refill rate per second).
const std::map<std::string, Defaults>& FamilyDefaults() {
  static const std::map<std::string, Defaults> kDefaults = {
      {"describe", {100, 20}},    // non-mutating actions
      {"snapshot", {100, 5}},     // CreateSnapshot(s), DeleteSnapshot, CopySnapshot
      {"tags", {100, 10}},        // CreateTags
      {"stop", {50, 5}},          // StopInstances
      {"start", {5, 2}},          // StartInstances
      {"other", {50, 5}},         // other mutating actions
  };
  return kDefaults;
}
}  // namespace

RateLimiter::RateLimiter(Clock& clock, double factor) : clock_(clock), factor_(factor) {}

std::string RateLimiter::FamilyOf(const std::string& action) {
  if (action.rfind("Describe", 0) == 0 || action.rfind("Get", 0) == 0) return "describe";
  if (action == "CreateSnapshot" || action == "CreateSnapshots" || action == "DeleteSnapshot" ||
      action == "CopySnapshot") {
    return "snapshot";
  }
  if (action == "CreateTags" || action == "DeleteTags") return "tags";
  if (action == "StopInstances") return "stop";
  if (action == "StartInstances") return "start";
  return "other";
}

TokenBucket& RateLimiter::Bucket(const std::string& family) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(family);
  if (it != buckets_.end()) return *it->second;
  const Defaults& d = FamilyDefaults().at(family);
  auto b = std::make_unique<TokenBucket>(d.rate * factor_, std::max(1.0, d.burst * factor_), clock_);
  TokenBucket& ref = *b;
  buckets_[family] = std::move(b);
  return ref;
}

std::chrono::milliseconds RateLimiter::Acquire(const std::string& action, double n) {
  return Bucket(FamilyOf(action)).Acquire(n);
}

void RateLimiter::OnThrottle(const std::string& action) { Bucket(FamilyOf(action)).Drain(); }

}  // namespace s3snapshot::core
