#include "core/timezone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

namespace s3snapshot::core {

namespace {

constexpr int64_t kDay = 86400;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// 0 = Sunday.
int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }

Error Bad(const std::string& what) { return Error::Make(ErrorKind::kInvalidInput, what); }

}  // namespace

int64_t DaysFromCivil(const CivilDay& d) {
  // Howard Hinnant's days_from_civil algorithm (public domain description).
  const int64_t y = d.month <= 2 ? d.year - 1 : d.year;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilDay out;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = static_cast<int>(yoe + era * 400 + (out.month <= 2 ? 1 : 0));
  return out;
}

IsoWeek IsoWeekOf(const CivilDay& d) {
  const int64_t days = DaysFromCivil(d);
  const int iso_weekday = (Weekday(days) + 6) % 7;  // 0 = Monday
  // The week belongs to the year of its Thursday.
  const int64_t thursday = days - iso_weekday + 3;
  const CivilDay th = CivilFromDays(thursday);
  const int64_t jan1 = DaysFromCivil({th.year, 1, 1});
  return {th.year, static_cast<int>((thursday - jan1) / 7 + 1)};
}

// A POSIX TZ rule: "STDoffset[DST[offset][,start[/time],end[/time]]]".
struct TimeZone::Rule {
  struct Date {
    char kind = 'M';  // 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day)
    int n = 0, month = 0, week = 0, day = 0;
    int64_t time = 7200;  // seconds after local midnight
  };
  int64_t std_offset = 0;  // east of UTC, seconds
  int64_t dst_offset = 0;
  bool has_dst = false;
  Date start, end;

  int64_t DayOf(const Date& d, int year) const {
    const int64_t jan1 = DaysFromCivil({year, 1, 1});
    if (d.kind == 'J') return jan1 + d.n - 1 + (IsLeap(year) && d.n >= 60 ? 1 : 0);
    if (d.kind == 'N') return jan1 + d.n;
    const int64_t first = DaysFromCivil({year, d.month, 1});
    int64_t day = first + (d.day - Weekday(first) + 7) % 7 + (d.week - 1) * 7;
    while (day - first >= DaysInMonth(year, d.month)) day -= 7;  // week 5: the last one
    return day;
  }

  int64_t OffsetAt(int64_t t) const {
    if (!has_dst) return std_offset;
    const int year = CivilFromDays(FloorDiv(t + std_offset, kDay)).year;
    const int64_t begins = DayOf(start, year) * kDay + start.time - std_offset;
    const int64_t ends = DayOf(end, year) * kDay + end.time - dst_offset;
    const bool dst = begins < ends ? (t >= begins && t < ends) : !(t >= ends && t < begins);
    return dst ? dst_offset : std_offset;
  }
};

namespace {

class RuleParser {
 public:
  explicit RuleParser(const std::string& s) : s_(s) {}

  std::optional<TimeZone::Rule> Parse() {
    TimeZone::Rule r;
    int64_t west = 0;
    if (!Name() || !Offset(&west)) return std::nullopt;
    r.std_offset = -west;
    if (AtEnd()) return r;
    if (!Name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!AtEnd() && s_[i_] != ',') {
      if (!Offset(&west)) return std::nullopt;
      r.dst_offset = -west;
    }
    if (AtEnd()) {  // POSIX leaves it to the implementation; glibc takes the US rule
      r.start = {'M', 0, 3, 2, 0, 7200};
      r.end = {'M', 0, 11, 1, 0, 7200};
      return r;
    }
    if (!Eat(',') || !DateRule(&r.start) || !Eat(',') || !DateRule(&r.end) || !AtEnd()) return std::nullopt;
    return r;
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  bool Eat(char c) {
    if (AtEnd() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string::npos || close - i_ < 3) return false;
      i_ = close + 1;
      return true;
    }
    size_t begin = i_;
    while (!AtEnd() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ - begin >= 3;
  }
  bool Number(int64_t* out, int64_t max) {
    size_t begin = i_;
    int64_t v = 0;
    while (!AtEnd() && std::isdigit(static_cast<unsigned char>(s_[i_])) && v <= max) v = v * 10 + (s_[i_++] - '0');
    *out = v;
    return i_ > begin && v <= max;
  }
  // [+-]hh[:mm[:ss]], in seconds.
  bool Offset(int64_t* out) {
    int64_t sign = 1;
    if (Eat('-')) {
      sign = -1;
    } else {
      Eat('+');
    }
    int64_t h = 0, m = 0, sec = 0;
    if (!Number(&h, 167)) return false;
    if (Eat(':') && (!Number(&m, 59) || (Eat(':') && !Number(&sec, 59)))) return false;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool DateRule(TimeZone::Rule::Date* d) {
    int64_t a = 0, b = 0, c = 0;
    if (Eat('M')) {
      if (!Number(&a, 12) || a < 1 || !Eat('.') || !Number(&b, 5) || b < 1 || !Eat('.') || !Number(&c, 6)) {
        return false;
      }
      *d = {'M', 0, static_cast<int>(a), static_cast<int>(b), static_cast<int>(c), 7200};
    } else if (Eat('J')) {
      if (!Number(&a, 365) || a < 1) return false;
      *d = {'J', static_cast<int>(a), 0, 0, 0, 7200};
    } else {
      if (!Number(&a, 365)) return false;
      *d = {'N', static_cast<int>(a), 0, 0, 0, 7200};
    }
    return !Eat('/') || Offset(&d->time);
  }

  const std::string& s_;
  size_t i_ = 0;
};

class Bytes {
 public:
  explicit Bytes(const std::string& b) : b_(b) {}
  bool Has(size_t n) const { return pos_ + n <= b_.size(); }
  int64_t Be(int width) {
    uint64_t v = 0;
    for (int k = 0; k < width; ++k) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    if (width == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  uint8_t U8() { return static_cast<uint8_t>(b_[pos_++]); }
  void Skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  int64_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool ReadHeader(Bytes* in, const std::string& raw, TzifHeader* h) {
  if (!in->Has(44) || raw.compare(in->pos(), 4, "TZif") != 0) return false;
  in->Skip(4);
  h->version = static_cast<char>(in->U8());
  in->Skip(15);
  h->isut = in->Be(4);
  h->isstd = in->Be(4);
  h->leap = in->Be(4);
  h->time = in->Be(4);
  h->type = in->Be(4);
  h->chars = in->Be(4);
  return h->isut >= 0 && h->isstd >= 0 && h->leap >= 0 && h->time >= 0 && h->type >= 1 && h->type <= 256 &&
         h->chars >= 0;
}

size_t BlockSize(const TzifHeader& h, int tw) {
  return static_cast<size_t>(h.time * tw + h.time + h.type * 6 + h.chars + h.leap * (tw + 4) + h.isstd + h.isut);
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone z;
  z.name_ = "UTC";
  return z;
}

Result<TimeZone> TimeZone::FromPosixRule(const std::string& name, const std::string& rule) {
  auto parsed = RuleParser(rule).Parse();
  if (!parsed) return Bad("time zone " + name + ": cannot read its rule '" + rule + "'");
  TimeZone z;
  z.name_ = name;
  z.initial_offset_ = parsed->std_offset;
  z.rule_ = std::make_shared<const Rule>(*parsed);
  return z;
}

Result<TimeZone> TimeZone::Load(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  const bool shaped =
      !name.empty() && name.size() < 256 && name[0] != '/' && name.find("..") == std::string::npos &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+' || c == '.';
      });
  if (!shaped) return Bad("'" + name + "' is not an IANA time zone name (like Europe/Berlin or America/New_York)");
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  std::error_code ec;
  std::string raw;
  std::ifstream f;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) < (1 << 20)) {
    f.open(path, std::ios::binary);
  }
  if (f) raw.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (raw.empty()) return Bad("unknown time zone '" + name + "' (no zone file " + path + ")");
  Bytes in(raw);
  TzifHeader h;
  if (!ReadHeader(&in, raw, &h)) return Bad("time zone file " + path + " is not a TZif file");
  int tw = 4;
  if (h.version >= '2') {  // skip the 32-bit block: the 64-bit one follows
    if (!in.Has(BlockSize(h, 4))) return Bad("time zone file " + path + " is truncated");
    in.Skip(BlockSize(h, 4));
    if (!ReadHeader(&in, raw, &h)) return Bad("time zone file " + path + " is not a TZif file");
    tw = 8;
  }
  if (!in.Has(BlockSize(h, tw))) return Bad("time zone file " + path + " is truncated");
  TimeZone z;
  z.name_ = name;
  std::vector<int64_t> at(h.time);
  std::vector<uint8_t> index(h.time);
  for (auto& t : at) t = in.Be(tw);
  for (auto& k : index) k = in.U8();
  std::vector<int64_t> type_offsets(h.type);
  for (auto& o : type_offsets) {
    o = in.Be(4);
    in.Skip(2);
  }
  for (size_t k = 0; k < at.size(); ++k) {
    if (index[k] >= type_offsets.size()) return Bad("time zone file " + path + " is corrupt");
    z.transitions_.push_back(at[k]);
    z.offsets_.push_back(type_offsets[index[k]]);
  }
  z.initial_offset_ = type_offsets[0];
  in.Skip(BlockSize(h, tw) - static_cast<size_t>(h.time * tw + h.time + h.type * 6));
  if (tw == 8 && in.Has(2) && raw[in.pos()] == '\n') {
    const size_t begin = in.pos() + 1, end = raw.find('\n', begin);
    if (end != std::string::npos && end > begin) {
      auto rule = RuleParser(raw.substr(begin, end - begin)).Parse();
      if (!rule) return Bad("time zone file " + path + ": cannot read its rule");
      z.rule_ = std::make_shared<const Rule>(*rule);
    }
  }
  return z;
}

int64_t TimeZone::OffsetAt(WallTime t) const {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  if (transitions_.empty() || s >= transitions_.back()) {
    if (rule_) return rule_->OffsetAt(s);
    return offsets_.empty() ? initial_offset_ : offsets_.back();
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

CivilDay TimeZone::DayOf(WallTime t) const {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return CivilFromDays(FloorDiv(s + OffsetAt(t), kDay));
}

}  // namespace s3snapshot::core
