#include "core/retry.h"

#include <gtest/gtest.h>

namespace s3snapshot::core {
namespace {

class FixedRandom : public RandomSource {
 public:
  explicit FixedRandom(double v) : v_(v) {}
  double Uniform() override { return v_; }

 private:
  double v_;
};

Error Throttle() { return Error::Make(ErrorKind::kThrottled, "slow down", "RequestLimitExceeded"); }

TEST(RetryerTest, BackoffIsExponentialWithFullJitterAndCappedAt20s) {
  FixedRandom r(0.5);
  Retryer retryer(RetryOptions{}, &r);
  EXPECT_EQ(std::chrono::milliseconds(500), retryer.Backoff(1, 0.5));
  EXPECT_EQ(std::chrono::milliseconds(1000), retryer.Backoff(2, 0.5));
  EXPECT_EQ(std::chrono::milliseconds(2000), retryer.Backoff(3, 0.5));
  EXPECT_EQ(std::chrono::milliseconds(20000), retryer.Backoff(10, 0.99));
  EXPECT_EQ(std::chrono::milliseconds(0), retryer.Backoff(3, 0.0));
}

TEST(RetryerTest, StopsAfterMaxAttempts) {
  FixedRandom r(0.5);
  RetryOptions o;
  o.max_attempts = 3;
  Retryer retryer(o, &r);
  EXPECT_TRUE(retryer.OnFailure(Throttle(), 1, true).has_value());
  EXPECT_TRUE(retryer.OnFailure(Throttle(), 2, true).has_value());
  EXPECT_FALSE(retryer.OnFailure(Throttle(), 3, true).has_value());
}

TEST(RetryerTest, DoesNotRetryClientErrors) {
  FixedRandom r(0.5);
  Retryer retryer(RetryOptions{}, &r);
  EXPECT_FALSE(retryer.OnFailure(Error::Make(ErrorKind::kInvalidInput, "bad"), 1, true));
  EXPECT_FALSE(retryer.OnFailure(Error::Make(ErrorKind::kAuth, "denied"), 1, true));
  EXPECT_FALSE(retryer.OnFailure(Error::Make(ErrorKind::kNotFound, "gone"), 1, true));
}

TEST(RetryerTest, AmbiguousFailuresRetriedOnlyWhenIdempotent) {
  FixedRandom r(0.5);
  Retryer retryer(RetryOptions{}, &r);
  Error e = Error::Make(ErrorKind::kAmbiguous, "connection reset after send");
  EXPECT_TRUE(retryer.OnFailure(e, 1, /*idempotent=*/true).has_value());
  EXPECT_FALSE(retryer.OnFailure(e, 1, /*idempotent=*/false).has_value());
}

TEST(RetryerTest, QuotaDrainsAndStopsRetriesThenRefillsOnSuccess) {
  FixedRandom r(0.5);
  RetryOptions o;
  o.max_attempts = 100;
  o.quota_capacity = 20;
  Retryer retryer(o, &r);
  Error transport = Error::Make(ErrorKind::kTransport, "refused");
  EXPECT_TRUE(retryer.OnFailure(transport, 1, true));  // 20 -> 10
  EXPECT_TRUE(retryer.OnFailure(transport, 1, true));  // 10 -> 0
  EXPECT_FALSE(retryer.OnFailure(transport, 1, true)) << "a dead endpoint is not hammered";
  EXPECT_EQ(0, retryer.quota());
  retryer.OnSuccess(2, transport);  // refund 10
  EXPECT_EQ(10, retryer.quota());
  retryer.OnSuccess(1, std::nullopt);  // +1
  EXPECT_EQ(11, retryer.quota());
}

TEST(RetryerTest, SeededRandomIsReproducible) {
  SeededRandom a(42), b(42);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.Uniform(), b.Uniform());
}

}  // namespace
}  // namespace s3snapshot::core
