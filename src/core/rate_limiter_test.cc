#include "core/rate_limiter.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(500, b.Acquire().count());
}

TEST(RateLimiterTest, ActionFamilies) {
  EXPECT_EQ("describe", RateLimiter::FamilyOf("DescribeInstances"));
  EXPECT_EQ("snapshot", RateLimiter::FamilyOf("CreateSnapshots"));
  EXPECT_EQ("snapshot", RateLimiter::FamilyOf("DeleteSnapshot"));
  EXPECT_EQ("tags", RateLimiter::FamilyOf("CreateTags"));
  EXPECT_EQ("stop", RateLimiter::FamilyOf("StopInstances"));
  EXPECT_EQ("start", RateLimiter::FamilyOf("StartInstances"));
}

TEST(RateLimiterTest, FamiliesHaveSeparateBuckets) {
  testing::FakeClock clock;
  RateLimiter rl(clock);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(0, rl.Acquire("StartInstances").count());
  EXPECT_GT(rl.Acquire("StartInstances").count(), 0);   // start: burst 5
  EXPECT_EQ(0, rl.Acquire("DescribeInstances").count()); // describe unaffected
}

}  // namespace
}  // namespace s3snapshot::core
