// A thread that hands queued ids to `send` in batches of at most `batch`, as
// soon as they come (no gathering delay: the restart and the thaw guarantees
// use it, and every second counts for a stopped or a frozen host).
//
// Threads: Push() from any thread; Start() and Close() from the owner's.
// `send` runs on the sender thread and must not throw: its owner catches,
// and whatever fails is seen to by the owner's final phase.
#ifndef S3SNAPSHOT_CORE_BATCH_SENDER_H_
#define S3SNAPSHOT_CORE_BATCH_SENDER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace s3snapshot::core {

class BatchSender {
 public:
  using Send = std::function<void(const std::vector<std::string>& batch)>;
  BatchSender(size_t batch, Send send) : batch_(batch), send_(std::move(send)) {}
  ~BatchSender() { Close(); }
  BatchSender(const BatchSender&) = delete;
  BatchSender& operator=(const BatchSender&) = delete;

  // Starts the thread; a no-op once started or closed.
  void Start();
  // Queues `id`; false once closed (the id was not taken).
  bool Push(const std::string& id);
  // Takes no more ids, sends what is queued, joins. Idempotent.
  void Close() noexcept;

 private:
  void Loop();

  const size_t batch_;
  const Send send_;
  Mutex mu_;
  CondVar cv_;
  std::vector<std::string> queue_ GUARDED_BY(mu_);
  bool closing_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // started under mu_; joined by Close() alone
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_BATCH_SENDER_H_
