// Time as an injected dependency, so backoff, waits and credential expiry are
// tested without sleeping.
#ifndef S3SNAPSHOT_CORE_CLOCK_H_
#define S3SNAPSHOT_CORE_CLOCK_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace s3snapshot::core {

using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (signing, report timestamps, credential expiry).
  virtual WallTime Now() const = 0;
  // Monotonic time for measuring durations and deadlines.
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
  // Blocks the calling thread for `d`. Thread-safe.
  virtual void Sleep(Duration d) = 0;
};

class SystemClock : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Steady() const override { return std::chrono::steady_clock::now(); }
  void Sleep(Duration d) override;
};

// A moment no request may outlive (the Lambda deadline), set per invocation
// and read by every client. Thread-safe.
class Deadline {
 public:
  void Set(std::optional<std::chrono::steady_clock::time_point> at) {
    std::lock_guard<std::mutex> l(mu_);
    at_ = at;
  }
  std::optional<std::chrono::steady_clock::time_point> Get() const {
    std::lock_guard<std::mutex> l(mu_);
    return at_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<std::chrono::steady_clock::time_point> at_;
};

// The delay before poll or retry number `attempt` (0-based) of a loop that
// waits on EC2: `initial` doubled each time, capped at `max`; no jitter (the
// requests it spaces are reads, already spread by the rate limiter).
inline Duration ExponentialBackoff(Duration initial, Duration max, int attempt) {
  long long ms = initial.count() << (attempt < 0 ? 0 : attempt > 10 ? 10 : attempt);
  return Duration(ms < max.count() ? ms : max.count());
}

// "20150830T123600Z" (SigV4's X-Amz-Date).
std::string FormatAmzDate(WallTime t);
// "2015-08-30T12:36:00Z".
std::string FormatIso8601(WallTime t);
// Parses "2015-08-30T12:36:00Z", "2015-08-30T12:36:00.000Z" and "+00:00" offsets.
// Returns false on anything else.
bool ParseIso8601(const std::string& s, WallTime* out);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CLOCK_H_
