#include "core/batch_sender.h"

#include <algorithm>

namespace s3snapshot::core {

void BatchSender::Start() {
  MutexLock l(&mu_);
  if (!thread_.joinable() && !closing_) thread_ = std::thread([this] { Loop(); });
}

bool BatchSender::Push(const std::string& id) {
  {
    MutexLock l(&mu_);
    if (closing_) return false;
    queue_.push_back(id);
  }
  cv_.Signal();
  return true;
}

void BatchSender::Close() noexcept {
  try {
    {
      MutexLock l(&mu_);
      closing_ = true;
    }
    cv_.SignalAll();
    if (thread_.joinable()) thread_.join();
  } catch (...) {  // join() only throws for a thread that cannot be joined
  }
}

void BatchSender::Loop() {
  for (;;) {
    std::vector<std::string> batch;
    {
      MutexLock l(&mu_);
      cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and all sent
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), batch_));
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    send_(batch);
  }
}

}  // namespace s3snapshot::core
