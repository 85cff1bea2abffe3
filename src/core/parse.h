// Strict parsing of the numbers and switches that come from flags,
// environment variables and config files: the whole text must be the value
// ("3x", " 3", "" and "abc" are not numbers), within the given range.
#ifndef S3SNAPSHOT_CORE_PARSE_H_
#define S3SNAPSHOT_CORE_PARSE_H_

#include <chrono>
#include <optional>
#include <string>

namespace s3snapshot::core {

// A whole number in [lo, hi], decimal digits with an optional leading '-'.
std::optional<long long> ParseInteger(const std::string& text, long long lo, long long hi);
// A decimal number ("2", "0.5", "1e3") in [lo, hi]; no inf or nan.
std::optional<double> ParseDecimal(const std::string& text, double lo, double hi);
// A duration: a whole number and one unit, s, m, h or d ("90s", "20h", "7d"),
// within [lo, hi].
std::optional<std::chrono::seconds> ParseDuration(const std::string& text, std::chrono::seconds lo,
                                                  std::chrono::seconds hi);
// The shortest exact spelling of `d` ("24h", "90m", "45s").
std::string FormatDuration(std::chrono::seconds d);
// "true" or "false", in any letter case.
std::optional<bool> ParseBoolean(const std::string& text);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_PARSE_H_
