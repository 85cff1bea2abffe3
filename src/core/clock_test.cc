#include "core/clock.h"

#include <gtest/gtest.h>

namespace s3snapshot::core {
namespace {

TEST(ClockTest, Iso8601RoundTripsAndAcceptsVariants) {
  WallTime t;
  ASSERT_TRUE(ParseIso8601("2015-08-30T12:36:00Z", &t));
  EXPECT_EQ("20150830T123600Z", FormatAmzDate(t));
  EXPECT_EQ("2015-08-30T12:36:00Z", FormatIso8601(t));
  ASSERT_TRUE(ParseIso8601("2015-08-30T12:36:00.123Z", &t));
  EXPECT_EQ("2015-08-30T12:36:00Z", FormatIso8601(t));
  ASSERT_TRUE(ParseIso8601("2015-08-30T14:36:00+02:00", &t));
  EXPECT_EQ("2015-08-30T12:36:00Z", FormatIso8601(t));
  EXPECT_FALSE(ParseIso8601("yesterday", &t));
  EXPECT_FALSE(ParseIso8601("2015-13-30T12:36:00Z", &t));
  // Fuzzer regressions: years whose nanosecond count overflows.
  EXPECT_FALSE(ParseIso8601("6030-08-30T12:36:00Z", &t));
  EXPECT_FALSE(ParseIso8601("-999-08-30T12:36:00Z", &t));
  EXPECT_FALSE(ParseIso8601("2015-08-30T-1:36:00Z", &t));
}

}  // namespace
}  // namespace s3snapshot::core
