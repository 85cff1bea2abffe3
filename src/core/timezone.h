// Local calendar time in an IANA time zone ("Europe/Berlin"), read from the
// system's compiled zone files (TZif, RFC 8536) under $TZDIR or
// /usr/share/zoneinfo: their transitions, then the POSIX TZ rule in their
// footer for the times after the last one (the "slim" files most systems
// ship list no transitions past the last change of rules). Retention's
// calendar tiers ask it which day, week, month and year a set began in.
// libstdc++ 12 has no std::chrono::tzdb, and a process-wide TZ variable
// cannot serve one run per Lambda invocation with threads running.
#ifndef S3SNAPSHOT_CORE_TIMEZONE_H_
#define S3SNAPSHOT_CORE_TIMEZONE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace s3snapshot::core {

// A day of the proleptic Gregorian calendar.
struct CivilDay {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const CivilDay& o) const { return year == o.year && month == o.month && day == o.day; }
};

// Days since 1970-01-01 of a civil day, and back.
int64_t DaysFromCivil(const CivilDay& d);
CivilDay CivilFromDays(int64_t days);

// ISO 8601 week: the week's year (which differs from the day's around New
// Year) and its number, 1..53. Weeks begin on Monday.
struct IsoWeek {
  int year = 1970;
  int week = 1;
};
IsoWeek IsoWeekOf(const CivilDay& d);

class TimeZone {
 public:
  // "UTC" (and "Etc/UTC") need no file. Any other name must be a zone file
  // under the zone directory; a name that leaves it ("..", an absolute path)
  // is refused.
  static Result<TimeZone> Load(const std::string& name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  // The offset from UTC, in seconds, in effect at `t`.
  int64_t OffsetAt(WallTime t) const;
  // The local day `t` falls on.
  CivilDay DayOf(WallTime t) const;

  // Exposed for tests: a zone from a POSIX TZ rule alone ("EST5EDT,M3.2.0,M11.1.0").
  static Result<TimeZone> FromPosixRule(const std::string& name, const std::string& rule);

  struct Rule;  // a parsed POSIX TZ rule (timezone.cc)

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int64_t> offsets_;      // offset in effect from transitions_[i]
  int64_t initial_offset_ = 0;        // before the first transition
  std::shared_ptr<const Rule> rule_;  // after the last transition; may be null
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_TIMEZONE_H_
