#include "job/ledger.h"

namespace s3snapshot::job {

using report::FailureRecord;
using report::InstanceReport;

void Ledger::Add(InstanceReport row) {
  core::MutexLock l(&mu_);
  index_[row.instance_id] = rows_.size();
  rows_.push_back(std::move(row));
}

void Ledger::AddError(const std::string& id, FailureRecord failure) {
  Update(id, [&](InstanceReport& r) { r.errors.push_back(std::move(failure)); });
}

void Ledger::AddWarning(const std::string& id, std::string warning) {
  Update(id, [&](InstanceReport& r) { r.warnings.push_back(std::move(warning)); });
}

size_t Ledger::size() const {
  core::MutexLock l(&mu_);
  return rows_.size();
}

std::vector<InstanceReport> Ledger::Take() {
  core::MutexLock l(&mu_);
  index_.clear();
  return std::move(rows_);
}

}  // namespace s3snapshot::job
