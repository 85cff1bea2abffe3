// Snapshot lock (--lock-mode governance|compliance): EBS snapshot lock keeps
// a snapshot from being deleted -- by this tool, by a person, by ransomware
// with the account's keys -- until the lock expires. Each new snapshot is
// locked right after its CreateSnapshots answered (EC2 locks a pending
// snapshot; a lock for a duration starts when it completes), and each copy in
// its region once CopySnapshot answered (copier.h).
//
// A lock that fails is a failure of its instance: the set exists, and the
// report says which snapshot is NOT LOCKED. Never silent. A cancelled run
// locks nothing more; what it left unlocked is a failure too.
//
// Threads: Lock() from the snapshot workers, after the instance was
// released (its thaw and restart never wait for a lock).
#ifndef S3SNAPSHOT_JOB_LOCKER_H_
#define S3SNAPSHOT_JOB_LOCKER_H_

#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "job/job_context.h"
#include "job/ledger.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct LockOptions {
  std::string mode;   // governance | compliance; empty: no lock
  int days = 0;       // --lock-days, or:
  std::string until;  // --lock-until (ISO 8601)
  int cool_off_hours = 0;
  bool enabled() const { return !mode.empty(); }
};

LockOptions LockOptionsOf(const spec::JobSpec& spec);

// What a snapshot's report says of its lock (report::SnapshotRecord::lock).
std::string LockText(const aws::SnapshotLock& lock, const LockOptions& options);
using report::kNotLocked;

// Locks one snapshot or copy in `ec2` (no retry beyond the client's: a
// LockSnapshot is safe to send again, and the client sends it again).
core::Result<aws::SnapshotLock> LockOne(aws::Ec2Api& ec2, const LockOptions& options, const std::string& snapshot_id);

class Locker {
 public:
  Locker(const JobContext& ctx, Ledger& ledger, LockOptions options)
      : ctx_(ctx), ledger_(ledger), options_(std::move(options)) {}

  // Locks every snapshot in the ledger row of `instance_id`; each record
  // says how it is locked (or NOT LOCKED, with the instance's failure).
  void Lock(const std::string& instance_id);

 private:
  const JobContext& ctx_;
  Ledger& ledger_;
  const LockOptions options_;
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_LOCKER_H_
