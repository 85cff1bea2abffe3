// The stop phase of --stop: StopInstances in batches, then polls until each
// instance is 'stopped' and hands it on to be snapshotted.
//
// Every batch is registered with the Restarter *before* StopInstances is
// sent. A batch refused as a whole is tried one instance at a time, so one bad
// id does not keep the others from their snapshot; an instance refused alone
// is forgotten by the Restarter (it was not stopped). An unknown outcome (a
// lost answer) is waited on as if accepted: the Restarter starts it anyway.
// Runs on the run's main thread; `on_stopped` is called from it.
#ifndef S3SNAPSHOT_JOB_STOPPER_H_
#define S3SNAPSHOT_JOB_STOPPER_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "job/ledger.h"
#include "job/restarter.h"

namespace s3snapshot::job {

// StopInstances ids per call.
inline constexpr size_t kStopBatch = 50;
// Instance ids per DescribeInstances poll (an instance-id filter).
inline constexpr size_t kPollBatch = 200;

// Stops `ids` and calls on_stopped(id) for each as it reaches 'stopped'.
// Returns when none is left stopping; those that did not stop within
// `timeout`, were terminated, or were still stopping when the run was
// cancelled get an error in the ledger (and are not handed on).
void StopThenHandOn(const JobContext& ctx, Ledger& ledger, Restarter& restarter, const std::vector<std::string>& ids,
                    std::chrono::seconds timeout, const std::function<void(const std::string& id)>& on_stopped);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_STOPPER_H_
