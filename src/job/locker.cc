#include "job/locker.h"

#include <map>

namespace s3snapshot::job {

using report::FailureFrom;
using report::Step;

LockOptions LockOptionsOf(const spec::JobSpec& spec) {
  LockOptions o;
  o.mode = spec.lock_mode;
  o.days = spec.lock_days;
  o.until = spec.lock_until;
  o.cool_off_hours = spec.lock_cool_off_hours;
  return o;
}

std::string LockText(const aws::SnapshotLock& lock, const LockOptions& options) {
  const std::string state = lock.lock_state.empty() ? options.mode : lock.lock_state;
  if (!lock.lock_expires_on.empty()) return state + " until " + lock.lock_expires_on;
  if (options.days > 0) {
    return state + " for " + std::to_string(options.days) + (options.days == 1 ? " day" : " days") + " from completion";
  }
  return state + " until " + options.until;
}

core::Result<aws::SnapshotLock> LockOne(aws::Ec2Api& ec2, const LockOptions& options, const std::string& snapshot_id) {
  aws::LockSnapshotRequest req;
  req.snapshot_id = snapshot_id;
  req.mode = options.mode;
  req.duration_days = options.days;
  req.expiration_date = options.until;
  if (options.mode == "compliance") req.cool_off_hours = options.cool_off_hours;
  return ec2.LockSnapshot(req);
}

void Locker::Lock(const std::string& instance_id) {
  if (!options_.enabled()) return;
  std::vector<std::string> ids;
  ledger_.Update(instance_id, [&](report::InstanceReport& r) {
    for (const auto& s : r.snapshots) {
      if (!s.snapshot_id.empty()) ids.push_back(s.snapshot_id);
    }
  });
  std::map<std::string, std::string> texts;
  std::vector<report::FailureRecord> failures;
  for (const auto& id : ids) {
    if (ctx_.Cancelled()) {
      texts[id] = kNotLocked;
      failures.push_back(report::Failure(Step::kLock, "Cancelled",
                                         id + " was not locked: the run was cancelled (" + ctx_.CancelReason() + ")"));
      continue;
    }
    auto lock = LockOne(*ctx_.ec2, options_, id);
    if (lock.ok()) {
      texts[id] = LockText(*lock, options_);
    } else {
      texts[id] = kNotLocked;
      failures.push_back(FailureFrom(Step::kLock, lock.error().WithContext("locking " + id)));
      ctx_.Log(core::LogLevel::kError, "lock failed", {{"snapshot", id}, {"error", lock.error().ToString()}});
    }
  }
  ledger_.Update(instance_id, [&](report::InstanceReport& r) {
    for (auto& s : r.snapshots) {
      if (texts.count(s.snapshot_id)) s.lock = texts[s.snapshot_id];
    }
    for (auto& f : failures) r.errors.push_back(std::move(f));
  });
}

}  // namespace s3snapshot::job
