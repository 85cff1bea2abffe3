// THE TEARDOWN GUARANTEE of a drill (s3snapshot drill): every volume a drill
// makes is deleted on every way out -- a failed call, a timeout, SIGTERM,
// the Lambda deadline, an exception -- and one it cannot delete is named
// (LEFT BEHIND), never silent.
//
// How it holds:
//  - the drill's volumes carry its id (tag s3snapshot:drill-id), given in
//    CreateVolume's own TagSpecification, so a volume exists only with it;
//  - Register() is called *before* each CreateVolume is sent: from then on
//    a volume may exist whose id the drill never learnt (an answer lost on
//    the way back), and Finish() looks for the drill's volumes by its tag
//    besides the ids it was told (Made());
//  - DeleteNow() detaches and deletes some volumes at once (a set whose
//    check is done); what it could not delete stays registered;
//  - Finish() detaches (and awaits) every volume still attached and deletes
//    every registered one, in rounds with backoff until each is gone
//    (InvalidVolume.NotFound counts as gone) or the deadline (--drill-timeout
//    from its start, or the Lambda deadline); a volume still 'creating' is
//    awaited, since EC2 deletes none in that state. It ignores cancellation
//    (it is what cancellation waits for), catches every exception and is
//    idempotent; the destructor calls it.
//
// What a SIGKILL or a lost host leaves behind is found by the next drill or
// snapshot run: SweepDrillVolumes() deletes, by the same rounds, every volume
// tagged s3snapshot:drill-id older than --drill-timeout.
#ifndef S3SNAPSHOT_JOB_TEARDOWN_H_
#define S3SNAPSHOT_JOB_TEARDOWN_H_

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "job/job_context.h"

namespace s3snapshot::job {

class Teardown {
 public:
  // `drill_id`: the tag value of this drill's volumes ("" : a sweep, which
  // only deletes what it adopts).
  Teardown(const JobContext& ctx, std::string drill_id, std::chrono::seconds timeout);
  ~Teardown();
  Teardown(const Teardown&) = delete;
  Teardown& operator=(const Teardown&) = delete;

  // Before a CreateVolume tagged with the drill id is sent.
  void Register();
  // The volume a CreateVolume made (or a lookup found).
  void Made(const std::string& volume_id);
  // The drill attached `volume_id` to `instance_id` at `device`: detached
  // before it is deleted, also when DescribeVolumes cannot say so.
  void Attached(const std::string& volume_id, const std::string& instance_id, const std::string& device);
  // Volumes to delete that this drill did not make (the sweep's).
  void Adopt(const std::vector<std::string>& volume_ids);
  // Detaches and deletes `volume_ids` now, within `timeout` (cancellation
  // is ignored); true when every one is gone. Those that are not stay for
  // Finish().
  bool DeleteNow(const std::vector<std::string>& volume_ids, std::chrono::seconds timeout);
  // Every registered volume deleted; see above. Idempotent.
  void Finish() noexcept;

  // Deleted so far (in the order they went).
  std::vector<std::string> deleted() const;
  // What Finish() could not delete: LEFT BEHIND.
  std::vector<std::string> left_behind() const;

 private:
  // One pass: every volume in `ids` (and, with `by_tag`, every volume with
  // the drill's tag, added to `ids`) detached if attached, deleted if
  // available. Returns the ids not yet gone.
  std::set<std::string> Round(std::set<std::string>* ids, bool by_tag);
  // Rounds with backoff until `ids` are gone or `until`; the ids not gone.
  std::set<std::string> Rounds(std::set<std::string> ids, bool by_tag, std::chrono::steady_clock::time_point until);

  const JobContext& ctx_;
  const std::string drill_id_;
  const std::chrono::seconds timeout_;
  mutable core::Mutex mu_;
  std::set<std::string> pending_ GUARDED_BY(mu_);  // made or adopted, not yet deleted
  bool registered_ GUARDED_BY(mu_) = false;        // a CreateVolume was (maybe) sent
  bool finished_ GUARDED_BY(mu_) = false;
  std::vector<std::string> deleted_ GUARDED_BY(mu_);
  std::vector<std::string> left_behind_ GUARDED_BY(mu_);
  std::set<std::string> refused_ GUARDED_BY(mu_);
  std::map<std::string, std::pair<std::string, std::string>> attached_
      GUARDED_BY(mu_);  // volume -> (instance, device)  // DeleteVolume not permitted: no round helps
};

// Deletes every volume tagged s3snapshot:drill-id (other than `own_drill_id`'s)
// created more than `older_than` ago: what killed drills left. Returns the
// volumes deleted; those it could not delete go to `left`. A failed lookup
// is returned as the error.
core::Result<std::vector<std::string>> SweepDrillVolumes(const JobContext& ctx, std::chrono::seconds older_than,
                                                         const std::string& own_drill_id,
                                                         std::vector<std::string>* left);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_TEARDOWN_H_
