#include "core/rate_limiter.h"

#include <gtest/gtest.h>

#include <cmath>

#include "testing/fake_clock.h"

namespace s3snapshot::core {
namespace {

TEST(TokenBucketTest, BurstIsFreeThenRateHolds) {
  testing::FakeClock clock;
  TokenBucket b(5.0, 10.0, clock);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(0, b.Acquire().count());
  EXPECT_EQ(200, b.Acquire().count());  // 1 token at 5/s
  // 100 more calls take 20 s of fake time in all.
  for (int i = 0; i < 100; ++i) b.Acquire();
  EXPECT_NEAR(20.2, std::chrono::duration<double>(clock.total_slept()).count(), 0.3);
}

TEST(TokenBucketTest, DrainMakesTheNextCallerWait) {
  testing::FakeClock clock;
  TokenBucket b(2.0, 5.0, clock);
  b.Drain();
  // Throttled before any rate was measured: the adaptive rate starts from its
  // minimum (0.5/s), as the SDKs' adaptive mode does.
  EXPECT_EQ(2000, b.Acquire().count());
}

TEST(CubicRateTest, ThrottleCutsToSeventyPercentOfTheMeasuredRate) {
  CubicRate c;
  EXPECT_TRUE(std::isinf(c.rate())) << "no limit before the first throttle";
  for (int i = 0; i < 100; ++i) c.RecordSend(i * 0.1);  // 10 requests/s for 10 s
  EXPECT_NEAR(10.0, c.measured_rate(), 0.5);
  c.OnThrottle(10.0);
  EXPECT_NEAR(7.0, c.rate(), 0.4);
}

TEST(CubicRateTest, GrowsBackSlowlyNearTheOldMaximumThenFaster) {
  CubicRate c;
  for (int i = 0; i < 100; ++i) c.RecordSend(i * 0.1);
  c.OnThrottle(10.0);
  for (int i = 0; i < 100; ++i) c.RecordSend(10.0 + i * 0.1);  // keeps sending at 10/s
  double k = std::cbrt(10.0 * (1 - CubicRate::kBeta) / CubicRate::kScale);
  c.OnSuccess(10.0 + k);
  EXPECT_NEAR(10.0, c.rate(), 0.6) << "back at the old maximum after K seconds";
  c.OnSuccess(10.0 + k + 0.5);
  EXPECT_NEAR(10.05, c.rate(), 0.6) << "flat near the old maximum";
  c.OnSuccess(10.0 + k + 3.0);
  EXPECT_GT(c.rate(), 15.0) << "probing above it later";
  EXPECT_LE(c.rate(), 2.0 * c.measured_rate() + 1e-9) << "never above twice the send rate";
}

TEST(TokenBucketTest, ThrottleSlowsTheBucketBelowItsConfiguredRate) {
  testing::FakeClock clock;
  TokenBucket b(20.0, 5.0, clock);
  for (int i = 0; i < 200; ++i) b.Acquire();  // ~20/s after the burst
  EXPECT_NEAR(20.0, b.current_rate(), 1e-9);
  b.Drain();
  EXPECT_LT(b.current_rate(), 15.0);
  EXPECT_GE(b.current_rate(), CubicRate::kMinRate);
  for (int i = 0; i < 600; ++i) {
    b.Acquire();
    b.OnSuccess();
  }
  EXPECT_NEAR(20.0, b.current_rate(), 1e-9) << "recovered, capped at the configured rate";
}

TEST(RateLimiterTest, ActionFamilies) {
  EXPECT_EQ("describe", RateLimiter::FamilyOf("DescribeInstances"));
  EXPECT_EQ("snapshot", RateLimiter::FamilyOf("CreateSnapshots"));
  EXPECT_EQ("snapshot", RateLimiter::FamilyOf("DeleteSnapshot"));
  EXPECT_EQ("tags", RateLimiter::FamilyOf("CreateTags"));
  EXPECT_EQ("stop", RateLimiter::FamilyOf("StopInstances"));
  EXPECT_EQ("start", RateLimiter::FamilyOf("StartInstances"));
  EXPECT_EQ("sts", RateLimiter::FamilyOf("AssumeRole"));
  EXPECT_EQ("sts", RateLimiter::FamilyOf("GetCallerIdentity"));
}

TEST(RateLimiterTest, TwoHundredFiftyFiveRolesAreAssumedInAboutThreeSecondsNotFortyOne) {
  // An organization of 256 accounts: one AssumeRole each. Through EC2's
  // "other" bucket (50, 5/s) they took 41 s; STS's own pace is 100, 50/s.
  testing::FakeClock clock;
  RateLimiter rl(clock);
  for (int i = 0; i < 255; ++i) rl.Acquire("AssumeRole");
  EXPECT_NEAR(3.1, std::chrono::duration<double>(clock.total_slept()).count(), 0.2);
}

TEST(RateLimiterTest, FamiliesHaveSeparateBuckets) {
  testing::FakeClock clock;
  RateLimiter rl(clock);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(0, rl.Acquire("StartInstances").count());
  EXPECT_GT(rl.Acquire("StartInstances").count(), 0);     // start: burst 5
  EXPECT_EQ(0, rl.Acquire("DescribeInstances").count());  // describe unaffected
}

}  // namespace
}  // namespace s3snapshot::core
