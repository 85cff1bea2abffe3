// A fixed set of worker threads draining a queue of tasks.
//
// Threads: Submit() and Wait() may be called from any thread, also from a
// task. A task that throws does not end the process (as an escaped exception
// in a std::thread would, through std::terminate): the pool catches it and
// hands its description to `on_exception`, then goes on with the next task.
// Callers that must attribute a failure to a piece of work wrap the task
// themselves; this is the last line of defence.
#ifndef S3SNAPSHOT_CORE_WORKER_POOL_H_
#define S3SNAPSHOT_CORE_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace s3snapshot::core {

class WorkerPool {
 public:
  using ExceptionHandler = std::function<void(const std::string& what)>;

  // Starts `threads` workers (at least one).
  explicit WorkerPool(int threads, ExceptionHandler on_exception = nullptr);
  // Runs what is queued, then joins the workers.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);
  // Returns when every task submitted so far (and those they submitted) has run.
  void Wait();
  // Tasks that threw so far.
  int exceptions() const;

 private:
  void Loop();

  mutable Mutex mu_;
  CondVar work_cv_;  // a task was queued, or the pool closes
  CondVar idle_cv_;  // pending_ reached 0
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  int pending_ GUARDED_BY(mu_) = 0;  // queued or running
  int exceptions_ GUARDED_BY(mu_) = 0;
  bool closing_ GUARDED_BY(mu_) = false;
  ExceptionHandler on_exception_;  // set once, before the threads start
  std::vector<std::thread> threads_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_WORKER_POOL_H_
