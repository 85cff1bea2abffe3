#include "core/clock.h"

#include <cstdio>
#include <ctime>
#include <thread>

namespace s3snapshot::core {

void SystemClock::Sleep(Duration d) { std::this_thread::sleep_for(d); }

namespace {
std::tm ToUtc(WallTime t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}
}  // namespace

std::string FormatAmzDate(WallTime t) {
  std::tm tm = ToUtc(t);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string FormatIso8601(WallTime t) {
  std::tm tm = ToUtc(t);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ParseIso8601(const std::string& s, WallTime* out) {
  int y, mo, d, h, mi, sec;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6) {
    return false;
  }
  std::string rest = s.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {  // fractional seconds: ignored
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest = rest.substr(i);
  }
  long offset_seconds = 0;
  if (rest == "Z" || rest == "z" || rest.empty()) {
  } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() == 6 && rest[3] == ':') {
    int oh = std::atoi(rest.substr(1, 2).c_str());
    int om = std::atoi(rest.substr(4, 2).c_str());
    offset_seconds = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
    return false;
  }
  // system_clock counts nanoseconds in 64 bits: about 1678..2262. Found by
  // the fuzzer: a far-off year overflowed the conversion.
  if (y < 1970 || y > 2200) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t tt = timegm(&tm);
  *out = std::chrono::system_clock::from_time_t(tt - offset_seconds);
  return true;
}

}  // namespace s3snapshot::core
