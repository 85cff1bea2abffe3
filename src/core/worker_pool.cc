#include "core/worker_pool.h"

#include <exception>

namespace s3snapshot::core {

WorkerPool::WorkerPool(int threads, ExceptionHandler on_exception) : on_exception_(std::move(on_exception)) {
  if (threads < 1) threads = 1;
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    MutexLock l(&mu_);
    closing_ = true;
  }
  work_cv_.SignalAll();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  {
    MutexLock l(&mu_);
    queue_.push_back(std::move(task));
    ++pending_;
  }
  work_cv_.Signal();
}

void WorkerPool::Wait() {
  MutexLock l(&mu_);
  idle_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return pending_ == 0; });
}

int WorkerPool::exceptions() const {
  MutexLock l(&mu_);
  return exceptions_;
}

void WorkerPool::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock l(&mu_);
      work_cv_.Wait(&mu_, [this]() REQUIRES(mu_) { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string what;
    bool threw = false;
    try {
      task();
    } catch (const std::exception& e) {
      threw = true;
      what = e.what();
    } catch (...) {
      threw = true;
      what = "an exception of unknown type";
    }
    if (threw && on_exception_) {
      try {
        on_exception_(what);
      } catch (...) {  // the handler must not take the worker down either
      }
    }
    bool idle;
    {
      MutexLock l(&mu_);
      if (threw) ++exceptions_;
      idle = --pending_ == 0;
    }
    if (idle) idle_cv_.SignalAll();  // only Wait() listens: no wake-up per task
  }
}

}  // namespace s3snapshot::core
