// THE ROLLBACK GUARANTEE of an in-place restore (restore --in-place): the
// instance ends with either every restored volume or every original volume
// attached at the original devices -- never a mix, never a missing root --
// whatever fails on the way: a refused or lost attach or detach,
// throttling, SIGTERM, the Lambda deadline, an exception.
//
// How it holds:
//  - Register() names every device, its original volume and its
//    replacement *before* the first DetachVolume is sent;
//  - Swap() moves one device at a time: detach the original, wait until it
//    is 'available', attach the replacement at the device, wait until it is
//    'attached'; a failure or a cancellation stops it there;
//  - Commit(), once every device holds its replacement: nothing to undo;
//  - Finish(), unless committed, puts every original back: whatever is at a
//    device that is not its original is detached (and awaited), and the
//    original attached there again (and awaited), in rounds with backoff
//    until every device holds its original or the deadline. It ignores
//    cancellation (it is what cancellation waits for), catches every
//    exception and is idempotent; the destructor calls it. A device it could
//    not put back is a failure named ROLLBACK FAILED, never silent.
//
// The instance must be stopped while it acts (restore.cc stops it first,
// under the restart guarantee, and starts it after Finish()).
#ifndef S3SNAPSHOT_JOB_ROLLBACK_H_
#define S3SNAPSHOT_JOB_ROLLBACK_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "report/envelope.h"

namespace s3snapshot::job {

class Rollback {
 public:
  struct Device {
    std::string device;    // "/dev/xvda"
    std::string original;  // the volume there before ("" : none)
    std::string restored;  // its replacement
  };

  Rollback(const JobContext& ctx, std::string instance_id, std::chrono::seconds timeout);
  ~Rollback();
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;

  // Before the first detach.
  void Register(std::vector<Device> devices);
  // Every device swapped, or the failure that stopped the swap.
  core::Status Swap();
  // Every device holds its replacement: Finish() has nothing to undo.
  void Commit() { committed_ = true; }
  // Unless committed, every original back at its device; see above.
  void Finish() noexcept;

  bool committed() const { return committed_; }
  // Finish() put back what the swap had moved (false when nothing moved).
  bool rolled_back() const { return rolled_back_; }
  // What Finish() could not undo (empty when it could, or had nothing to do).
  const std::vector<report::FailureRecord>& failures() const { return failures_; }

 private:
  // The volume at each device of the instance now (DescribeInstances).
  core::Result<std::vector<std::pair<std::string, std::string>>> DevicesNow();
  // Polls DescribeVolumes until `done(volume)` (detached: 'available';
  // attached: attached to the instance), or `until`.
  core::Status AwaitVolume(const std::string& volume, const std::function<bool(const aws::Volume&)>& done,
                           const std::string& what, std::chrono::steady_clock::time_point until);
  core::Status Move(const std::string& from, const std::string& to, const std::string& device,
                    std::chrono::steady_clock::time_point until);
  bool UndoRound(std::chrono::steady_clock::time_point until);

  const JobContext& ctx_;
  const std::string instance_id_;
  const std::chrono::seconds timeout_;
  std::vector<Device> devices_;
  bool committed_ = false;
  bool touched_ = false;  // Swap() began: something may have moved
  bool finished_ = false;
  bool rolled_back_ = false;
  std::vector<report::FailureRecord> failures_;
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_ROLLBACK_H_
