#include "core/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace s3snapshot::core {

void CubicRate::RecordSend(double t) {
  // The send rate over half-second buckets, smoothed (the SDKs' 0.8 factor).
  if (bucket_start_ < 0) bucket_start_ = t;
  if (t - bucket_start_ >= 0.5) {
    double current = bucket_count_ / (t - bucket_start_);
    measured_ = measured_ == 0 ? current : 0.8 * current + 0.2 * measured_;
    bucket_start_ = t;
    bucket_count_ = 0;
  }
  ++bucket_count_;
}

void CubicRate::OnThrottle(double t) {
  double base = measured_ > 0 ? measured_ : kMinRate;
  if (enabled_) base = std::min(base, rate_);
  last_max_ = base;
  window_ = std::cbrt(last_max_ * (1.0 - kBeta) / kScale);
  last_throttle_ = t;
  rate_ = std::max(kMinRate, base * kBeta);
  enabled_ = true;
}

void CubicRate::OnSuccess(double t) {
  if (!enabled_) return;
  double dt = t - last_throttle_ - window_;
  double cubic = kScale * dt * dt * dt + last_max_;
  double cap = measured_ > 0 ? 2.0 * measured_ : cubic;
  rate_ = std::max(kMinRate, std::min(cubic, cap));
}

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock& clock)
    : rate_(rate_per_second),
      burst_(burst),
      clock_(clock),
      tokens_(burst),
      last_(clock.Steady()),
      epoch_(clock.Steady()) {}

double TokenBucket::Seconds() const { return std::chrono::duration<double>(clock_.Steady() - epoch_).count(); }

double TokenBucket::RateLocked() const { return std::min(rate_, cubic_.rate()); }

double TokenBucket::current_rate() {
  std::lock_guard<std::mutex> lock(mu_);
  return RateLocked();
}

void TokenBucket::OnSuccess() {
  std::lock_guard<std::mutex> lock(mu_);
  cubic_.OnSuccess(Seconds());
}

void TokenBucket::RefillLocked() {
  auto now = clock_.Steady();
  double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) {
    tokens_ = std::min(burst_, tokens_ + elapsed * RateLocked());
    last_ = now;
  }
}

std::chrono::milliseconds TokenBucket::Acquire(double n) {
  std::chrono::milliseconds slept{0};
  std::unique_lock<std::mutex> lock(mu_);
  RefillLocked();
  // Reserve now (tokens may go negative), then sleep outside the lock: callers
  // are served in arrival order and the rate holds under concurrency.
  cubic_.RecordSend(Seconds());
  tokens_ -= n;
  if (tokens_ >= 0) return slept;
  double wait_s = -tokens_ / RateLocked();
  lock.unlock();
  auto wait = std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000.0)));
  clock_.Sleep(wait);
  return wait;
}

void TokenBucket::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked();
  tokens_ = std::min(tokens_, 0.0);
  cubic_.OnThrottle(Seconds());
}

namespace {
struct Defaults {
  double burst, rate;
};
// Documented EC2 defaults (bucket size, refill rate per second).
const std::map<std::string, Defaults>& FamilyDefaults() {
  static const std::map<std::string, Defaults> kDefaults = {
      {"describe", {100, 20}},  // non-mutating actions
      {"snapshot", {100, 5}},   // CreateSnapshot(s), DeleteSnapshot, CopySnapshot
      {"tags", {100, 10}},      // CreateTags
      {"stop", {50, 5}},        // StopInstances
      {"start", {5, 2}},        // StartInstances
      {"other", {50, 5}},       // other mutating actions
      // STS (its own limiter, per caller account and region): AWS publishes
      // no bucket for it, only that it throttles and that callers should
      // cache credentials and back off. Each role is assumed once per
      // account; this pace assumes 255 roles in about 3 s and, as for EC2,
      // slows down on the first throttle.
      {"sts", {100, 50}},
  };
  return kDefaults;
}
}  // namespace

RateLimiter::RateLimiter(Clock& clock, double factor) : clock_(clock), factor_(factor) {}

std::string RateLimiter::FamilyOf(const std::string& action) {
  if (action == "AssumeRole" || action == "AssumeRoleWithWebIdentity" || action == "GetCallerIdentity") return "sts";
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

void RateLimiter::OnSuccess(const std::string& action) { Bucket(FamilyOf(action)).OnSuccess(); }

double RateLimiter::CurrentRate(const std::string& action) { return Bucket(FamilyOf(action)).current_rate(); }

}  // namespace s3snapshot::core
