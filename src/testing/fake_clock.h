// A clock that advances only when told to (or when slept on).
#ifndef S3SNAPSHOT_TESTING_FAKE_CLOCK_H_
#define S3SNAPSHOT_TESTING_FAKE_CLOCK_H_

#include <mutex>
#include <vector>

#include "core/clock.h"

namespace s3snapshot::testing {

class FakeClock : public core::Clock {
 public:
  FakeClock() : wall_(std::chrono::system_clock::from_time_t(1700000000)) {}
  core::WallTime Now() const override {
    std::lock_guard<std::mutex> l(mu_);
    return wall_;
  }
  std::chrono::steady_clock::time_point Steady() const override {
    std::lock_guard<std::mutex> l(mu_);
    return steady_;
  }
  void Sleep(core::Duration d) override {
    std::lock_guard<std::mutex> l(mu_);
    sleeps_.push_back(d);
    wall_ += d;
    steady_ += d;
  }
  void Advance(core::Duration d) {
    std::lock_guard<std::mutex> l(mu_);
    wall_ += d;
    steady_ += d;
  }
  std::vector<core::Duration> sleeps() const {
    std::lock_guard<std::mutex> l(mu_);
    return sleeps_;
  }
  core::Duration total_slept() const {
    std::lock_guard<std::mutex> l(mu_);
    core::Duration t{0};
    for (auto s : sleeps_) t += s;
    return t;
  }

 private:
  mutable std::mutex mu_;
  core::WallTime wall_;
  std::chrono::steady_clock::time_point steady_{};
  std::vector<core::Duration> sleeps_;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_FAKE_CLOCK_H_
