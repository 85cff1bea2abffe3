// The exactly-once create: one CreateSnapshots per instance makes one
// snapshot set, never two, even when an answer is lost.
//
// EC2 takes no client token for CreateSnapshots, so a request whose outcome is
// unknown (the connection broke after it was sent, the answer timed out or
// could not be read) cannot simply be sent again: the client never resends it
// (retry_policy.h), and this unit first looks for the run's snapshots of the
// instance by their tags (s3snapshot:run-id + s3snapshot:instance-id, set at
// creation), and only when it finds none tries again. Throttling, 5xx and
// snapshot limits that outlast the client's attempts are retried here, up to
// kCreateSnapshotAttempts calls.
//
// When cancelled or out of time it looks once, at once, and reports the
// outcome unknown with the tag to search for. Before that look it calls
// `settled`: no CreateSnapshots will be sent for the instance again, so the
// instance may be started again (and thawed) while the look goes on -- at
// the Lambda deadline a lookup through a bad network must not spend the
// reserve the restart needs.
//
// Thread-safe: called from the snapshot workers, one instance each.
#ifndef S3SNAPSHOT_JOB_EXACTLY_ONCE_H_
#define S3SNAPSHOT_JOB_EXACTLY_ONCE_H_

#include <functional>
#include <string>
#include <vector>

#include "job/job_context.h"

namespace s3snapshot::job {

// The run's snapshots of `instance_id` (by tag); empty when none or the
// lookup failed.
std::vector<aws::Snapshot> FindRunSnapshots(const JobContext& ctx, const std::string& instance_id);

// Sends `req` (whose tags carry ctx.run_id) until it makes one snapshot set,
// finds the set a lost answer made, or gives up.
core::Result<std::vector<aws::Snapshot>> CreateSnapshotSetExactlyOnce(const JobContext& ctx,
                                                                      const aws::CreateSnapshotsRequest& req,
                                                                      SlowestCall* slowest,
                                                                      const std::function<void()>& settled = nullptr);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_EXACTLY_ONCE_H_
