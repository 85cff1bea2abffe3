// --wait: polls the run's snapshots (DescribeSnapshots with a snapshot-id
// filter, 200 ids a call, exponential backoff) until each is 'completed' or
// 'error', or the timeout passes.
#ifndef S3SNAPSHOT_JOB_WAITER_H_
#define S3SNAPSHOT_JOB_WAITER_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "core/clock.h"
#include "job/cancel.h"
#include "job/job_context.h"
#include "job/ledger.h"
#include "job/progress.h"

namespace s3snapshot::job {

struct WaitItem {
  std::string snapshot_id, label;
};

struct WaitResult {
  std::map<std::string, std::string> final_state;  // id -> completed | error | pending (timed out)
  std::map<std::string, std::string> message;      // id -> StateMessage for 'error'
  bool timed_out = false;                          // the timeout ran out with snapshots still pending
  bool cancelled = false;                          // a signal or the Lambda deadline ended the wait first
  std::string poll_error;                          // a polling failure that retrying cannot fix (e.g. AccessDenied)
};

WaitResult WaitForSnapshots(aws::Ec2Api& ec2, const std::vector<WaitItem>& items, core::Clock& clock,
                            std::chrono::seconds timeout, const CancelToken* cancel, ProgressSink* progress,
                            core::Duration poll_initial = core::Duration(2000),
                            core::Duration poll_max = core::Duration(30000));

}  // namespace s3snapshot::job

namespace s3snapshot::job {

// --wait in a run: waits for the snapshots in the ledger, then records each
// one's final state there, and a failure for each that ended in 'error', is
// still pending at the timeout or could not be polled.
void WaitForRunSnapshots(const JobContext& ctx, Ledger& ledger, std::chrono::seconds timeout);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_WAITER_H_
