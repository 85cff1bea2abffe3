// A mutex whose contracts the compiler checks: Clang's thread-safety analysis
// (-Wthread-safety, on in the clang build) proves that every member marked
// GUARDED_BY(mu_) is touched only with mu_ held. libstdc++'s std::mutex
// carries no annotations, so the tool's own classes use this one, as
// leveldb's port::Mutex does. Other compilers see plain std::mutex.
#ifndef S3SNAPSHOT_CORE_MUTEX_H_
#define S3SNAPSHOT_CORE_MUTEX_H_

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define S3S_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define S3S_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) S3S_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY S3S_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) S3S_THREAD_ANNOTATION(guarded_by(x))
#define ACQUIRE(...) S3S_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) S3S_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define REQUIRES(...) S3S_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) S3S_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

namespace s3snapshot::core {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable for a Mutex (leveldb's port::CondVar). Wait() names
// the mutex it releases while it waits, and requires it held -- which the
// analysis checks at each call -- and holds it again when it returns.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Waits until `done()` is true (checked with `mu` held).
  template <class Pred>
  void Wait(Mutex* mu, Pred done) REQUIRES(mu) {
    std::unique_lock<std::mutex> l(mu->mu_, std::adopt_lock);
    cv_.wait(l, done);
    l.release();  // still held: the caller's scope unlocks it
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_MUTEX_H_
