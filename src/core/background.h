// A value computed on a thread of its own while its owner goes on: Start()
// runs the work, Get() waits for its result, and the destructor waits too,
// so the thread never outlives the owner (nor what the work refers to).
// The work should not throw; if it does, Get() rethrows.
#ifndef S3SNAPSHOT_CORE_BACKGROUND_H_
#define S3SNAPSHOT_CORE_BACKGROUND_H_

#include <functional>
#include <future>
#include <utility>

namespace s3snapshot::core {

template <typename T>
class Background {
 public:
  Background() = default;
  ~Background() {
    if (result_.valid()) result_.wait();
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  void Start(std::function<T()> work) { result_ = std::async(std::launch::async, std::move(work)); }
  // Whether Start() was called and Get() not yet.
  bool pending() const { return result_.valid(); }
  T Get() { return result_.get(); }

 private:
  std::future<T> result_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_BACKGROUND_H_
