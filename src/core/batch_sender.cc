#include "core/batch_sender.h"

#include <algorithm>

namespace s3snapshot::core {

void BatchSender::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (!thread_.joinable() && !closing_) thread_ = std::thread([this] { Loop(); });
}

bool BatchSender::Push(const std::string& id) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closing_) return false;
    queue_.push_back(id);
  }
  cv_.notify_one();
  return true;
}

void BatchSender::Close() noexcept {
  try {
    {
      std::lock_guard<std::mutex> l(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  } catch (...) {  // join() only throws for a thread that cannot be joined
  }
}

void BatchSender::Loop() {
  for (;;) {
    std::vector<std::string> batch;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and all sent
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), batch_));
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    send_(batch);
  }
}

}  // namespace s3snapshot::core
