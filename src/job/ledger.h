// The run's record of each selected instance -- the rows of the report --
// while the run's threads work on them: the snapshot workers, the restarter's
// starter thread and the main thread all write here, and only here, so one
// mutex guards every row and no unit keeps a second copy.
#ifndef S3SNAPSHOT_JOB_LEDGER_H_
#define S3SNAPSHOT_JOB_LEDGER_H_

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "report/snapshot_report.h"

namespace s3snapshot::job {

class Ledger {
 public:
  // Selection, before any other thread runs.
  void Add(report::InstanceReport row);

  // Calls f(report::InstanceReport&) for the row of `id` under the lock. An id the
  // ledger does not hold is ignored (returns false), never an exception.
  // `f` must not call back into the ledger.
  template <typename F>
  bool Update(const std::string& id, F&& f) {
    core::MutexLock l(&mu_);
    auto it = index_.find(id);
    if (it == index_.end()) return false;
    f(rows_[it->second]);
    return true;
  }
  void AddError(const std::string& id, report::FailureRecord failure);
  void AddWarning(const std::string& id, std::string warning);

  // Calls f(report::InstanceReport&) for every row, in selection order, under the lock.
  template <typename F>
  void ForEach(F&& f) {
    core::MutexLock l(&mu_);
    for (auto& r : rows_) f(r);
  }
  size_t size() const;

  // The rows, moved out; the ledger is empty afterwards.
  std::vector<report::InstanceReport> Take();

 private:
  mutable core::Mutex mu_;
  std::vector<report::InstanceReport> rows_ GUARDED_BY(mu_);
  std::map<std::string, size_t> index_ GUARDED_BY(mu_);  // instance id -> rows_ index
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_LEDGER_H_
