#include "core/timezone.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace s3snapshot::core {
namespace {

WallTime At(int64_t seconds) { return WallTime(std::chrono::seconds(seconds)); }

int64_t Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return DaysFromCivil({y, m, d}) * 86400 + hh * 3600 + mm * 60;
}

TEST(CivilDays, RoundTripAndKnownDays) {
  EXPECT_EQ(0, DaysFromCivil({1970, 1, 1}));
  EXPECT_EQ(-1, DaysFromCivil({1969, 12, 31}));
  EXPECT_EQ(11016, DaysFromCivil({2000, 2, 29}));
  for (int64_t d = -800000; d < 800000; d += 37) {
    EXPECT_EQ(d, DaysFromCivil(CivilFromDays(d)));
  }
  EXPECT_TRUE((CivilDay{2024, 2, 29} == CivilFromDays(DaysFromCivil({2024, 2, 29}))));
}

TEST(IsoWeeks, AroundNewYear) {
  // 2026-01-01 is a Thursday: week 1 of 2026. 2027-01-01 is a Friday: week 53 of 2026.
  EXPECT_EQ(2026, IsoWeekOf({2026, 1, 1}).year);
  EXPECT_EQ(1, IsoWeekOf({2026, 1, 1}).week);
  EXPECT_EQ(2026, IsoWeekOf({2027, 1, 1}).year);
  EXPECT_EQ(53, IsoWeekOf({2027, 1, 3}).week);
  EXPECT_EQ(1, IsoWeekOf({2027, 1, 4}).week);  // Monday
  // 2024-12-30 (a Monday) is in week 1 of 2025.
  EXPECT_EQ(2025, IsoWeekOf({2024, 12, 30}).year);
  EXPECT_EQ(1, IsoWeekOf({2024, 12, 30}).week);
  EXPECT_EQ(52, IsoWeekOf({2024, 12, 29}).week);
}

// The C library's answer, for comparison (single-threaded test: TZ may change).
struct LibcZone {
  explicit LibcZone(const char* name) {
    setenv("TZ", name, 1);
    tzset();
  }
  ~LibcZone() {
    unsetenv("TZ");
    tzset();
  }
  static std::pair<CivilDay, long> At(int64_t s) {
    time_t t = static_cast<time_t>(s);
    struct tm tm {};
    localtime_r(&t, &tm);
    return {{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}, tm.tm_gmtoff};
  }
};

class AgreesWithLibc : public ::testing::TestWithParam<const char*> {};

TEST_P(AgreesWithLibc, EveryFewHoursFrom1990To2100) {
  auto zone = TimeZone::Load(GetParam());
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  LibcZone libc(GetParam());
  int mismatches = 0;
  // A step that is not a divisor of a day, so every hour of the day is visited.
  for (int64_t s = Utc(1990, 1, 1); s < Utc(2100, 1, 1) && mismatches < 5; s += 7 * 3600 + 13 * 60) {
    auto [day, offset] = LibcZone::At(s);
    if (!(zone->DayOf(At(s)) == day) || zone->OffsetAt(At(s)) != offset) {
      ++mismatches;
      ADD_FAILURE() << GetParam() << " at " << FormatIso8601(At(s)) << ": ours " << zone->OffsetAt(At(s)) << ", libc "
                    << offset;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Zones, AgreesWithLibc,
                         ::testing::Values("America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney",
                                           "Asia/Kolkata", "Pacific/Auckland", "America/Sao_Paulo", "Pacific/Chatham",
                                           "Asia/Tokyo", "America/St_Johns"));

TEST(TimeZone, DaylightSavingDaysInNewYork) {
  auto ny = TimeZone::Load("America/New_York");
  ASSERT_TRUE(ny.ok());
  // 2026-03-08 02:00 EST -> 03:00 EDT; 04:30 UTC is still the 7th in New York before that.
  EXPECT_TRUE((CivilDay{2026, 3, 7} == ny->DayOf(At(Utc(2026, 3, 8, 4, 30)))));
  EXPECT_EQ(-5 * 3600, ny->OffsetAt(At(Utc(2026, 3, 8, 6, 59))));
  EXPECT_EQ(-4 * 3600, ny->OffsetAt(At(Utc(2026, 3, 8, 7, 0))));
  // 2026-11-01 02:00 EDT -> 01:00 EST: 03:59 UTC is 23:59 on Oct 31, 04:00 UTC is Nov 1 00:00.
  EXPECT_TRUE((CivilDay{2026, 10, 31} == ny->DayOf(At(Utc(2026, 11, 1, 3, 59)))));
  EXPECT_TRUE((CivilDay{2026, 11, 1} == ny->DayOf(At(Utc(2026, 11, 1, 4, 0)))));
}

TEST(TimeZone, RuleAloneServesTheFarFuture) {
  // The footer of a slim zone file: no transitions, only the rule.
  auto rule = TimeZone::FromPosixRule("slim", "EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(rule.ok());
  LibcZone libc("America/New_York");
  for (int64_t s = Utc(2040, 1, 1); s < Utc(2060, 1, 1); s += 5 * 3600 + 17 * 60) {
    ASSERT_EQ(LibcZone::At(s).second, rule->OffsetAt(At(s))) << FormatIso8601(At(s));
  }
  auto south = TimeZone::FromPosixRule("south", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(south.ok());
  EXPECT_EQ(11 * 3600, south->OffsetAt(At(Utc(2045, 1, 15))));
  EXPECT_EQ(10 * 3600, south->OffsetAt(At(Utc(2045, 7, 15))));
  auto fixed = TimeZone::FromPosixRule("fixed", "<+0530>-5:30");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(5 * 3600 + 1800, fixed->OffsetAt(At(Utc(2045, 7, 15))));
}

TEST(TimeZone, RefusesWhatIsNotAZone) {
  for (const char* bad : {"", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/passwd", "Europe/Berlin;x", "Europe"}) {
    auto z = TimeZone::Load(bad);
    EXPECT_FALSE(z.ok()) << bad;
    if (!z.ok()) {
      EXPECT_EQ(ErrorKind::kInvalidInput, z.error().kind);
    }
  }
  EXPECT_FALSE(TimeZone::FromPosixRule("x", "EST").ok());
  EXPECT_FALSE(TimeZone::FromPosixRule("x", "EST5EDT,M13.1.0,M11.1.0").ok());
  EXPECT_TRUE(TimeZone::Load("UTC").ok());
  EXPECT_EQ(0, TimeZone::Load("Etc/UTC")->OffsetAt(At(Utc(2026, 6, 1))));
}

}  // namespace
}  // namespace s3snapshot::core
