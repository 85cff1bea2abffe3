#include "job/exactly_once.h"

#include <optional>

#include "job/retry_policy.h"
#include "job/tags.h"

namespace s3snapshot::job {

using core::Error;
using core::ErrorKind;
using core::LogLevel;

std::vector<aws::Snapshot> FindRunSnapshots(const JobContext& ctx, const std::string& instance_id) {
  auto found = aws::DescribeOwnSnapshots(*ctx.ec2, {{std::string("tag:") + kTagRunId, {ctx.run_id}},
                                                    {std::string("tag:") + kTagInstanceId, {instance_id}}});
  if (!found.ok()) return {};
  return *found;
}

core::Result<std::vector<aws::Snapshot>> CreateSnapshotSetExactlyOnce(const JobContext& ctx,
                                                                      const aws::CreateSnapshotsRequest& req,
                                                                      SlowestCall* slowest,
                                                                      const std::function<void()>& settled) {
  std::optional<Error> last;
  for (int attempt = 0; attempt < kCreateSnapshotAttempts; ++attempt) {
    if (attempt > 0 && ctx.Cancelled()) break;
    auto call_start = ctx.clock->Steady();
    auto r = ctx.ec2->CreateSnapshots(req);
    slowest->Record(std::chrono::duration_cast<core::Duration>(ctx.clock->Steady() - call_start));
    if (r.ok()) return r;
    last = r.error();
    if (r.error().kind == ErrorKind::kAmbiguous || r.error().kind == ErrorKind::kMalformed) {
      // Look for this run's snapshots of the instance before trying again.
      // Listing is eventually consistent: look twice, but when cancelled or
      // out of time look once, at once.
      for (core::Duration delay : kLostAnswerLookupDelays) {
        if (!ctx.Cancelled()) SleepUnlessCancelled(*ctx.clock, ctx.cancel, delay);
        if (ctx.Cancelled() && settled) settled();  // the last look: nothing more will be sent
        auto found = FindRunSnapshots(ctx, req.instance_id);
        if (!found.empty()) {
          ctx.Log(LogLevel::kWarn, "CreateSnapshots outcome was unknown; found its snapshots",
                  {{"instance", req.instance_id}, {"error", r.error().ToString()}});
          return found;
        }
        if (ctx.Cancelled()) {
          last->message +=
              " (outcome unknown: no snapshot of this run found for the instance, and the run was "
              "cancelled before it could look again; look for tag " +
              std::string(kTagRunId) + "=" + ctx.run_id + ")";
          break;
        }
      }
      continue;
    }
    if (!IsRetryableAtJobLevel(r.error())) break;
    core::Duration wait = r.error().kind == ErrorKind::kLimit ? kSnapshotLimitWait : ctx.Backoff(attempt + 1);
    ctx.Log(LogLevel::kInfo, "CreateSnapshots will be retried",
            {{"instance", req.instance_id}, {"error", r.error().code}, {"wait_ms", std::to_string(wait.count())}});
    if (!SleepUnlessCancelled(*ctx.clock, ctx.cancel, wait)) break;
  }
  return last ? *last : Error::Make(ErrorKind::kCancelled, "cancelled before CreateSnapshots", "Cancelled");
}

}  // namespace s3snapshot::job
