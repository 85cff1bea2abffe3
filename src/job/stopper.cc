#include "job/stopper.h"

#include <set>

#include "core/chunks.h"
#include "job/retry_policy.h"

namespace s3snapshot::job {

using report::Failure;
using report::FailureFrom;
using report::InstanceReport;
using report::Step;

using core::ErrorKind;
using core::LogLevel;

namespace {

// StopInstances for one batch; returns the ids that are (or may be) stopping.
std::vector<std::string> StopBatch(const JobContext& ctx, Ledger& ledger, Restarter& restarter,
                                   const std::vector<std::string>& batch) {
  // Registered before the call: if the answer is lost, the instances may be
  // stopping all the same and must be started again.
  restarter.Register(batch);
  auto r = ctx.ec2->StopInstances(batch);
  if (r.ok()) return batch;
  if (r.error().kind == ErrorKind::kAmbiguous || IsRetryableAtJobLevel(r.error())) {
    ctx.Log(LogLevel::kWarn, "StopInstances outcome unknown; waiting on the instances",
            {{"error", r.error().ToString()}});
    return batch;  // may have been applied: wait on them; the restarter starts them
  }
  // One bad instance fails the whole batch: try each alone to isolate it.
  std::vector<std::string> accepted;
  for (const auto& id : batch) {
    auto one = batch.size() == 1 ? r : ctx.ec2->StopInstances({id});
    if (one.ok() || one.error().kind == ErrorKind::kAmbiguous) {
      accepted.push_back(id);
    } else {
      ledger.AddError(id, FailureFrom(Step::kStop, one.error()));
      restarter.Forget(id);
    }
  }
  return accepted;
}

}  // namespace

void StopThenHandOn(const JobContext& ctx, Ledger& ledger, Restarter& restarter, const std::vector<std::string>& ids,
                    std::chrono::seconds timeout, const std::function<void(const std::string& id)>& on_stopped) {
  std::set<std::string> waiting;
  for (const auto& batch : core::Chunks(ids, kStopBatch)) {
    if (ctx.Cancelled()) break;
    auto accepted = StopBatch(ctx, ledger, restarter, batch);
    waiting.insert(accepted.begin(), accepted.end());
    ctx.Log(LogLevel::kInfo, "stopping " + std::to_string(accepted.size()) + " instance(s)");
  }

  auto deadline = ctx.clock->Steady() + timeout;
  auto last_progress = ctx.clock->Steady();
  for (int round = 0; !waiting.empty(); ++round) {
    for (const auto& chunk : core::Chunks(std::vector<std::string>(waiting.begin(), waiting.end()), kPollBatch)) {
      aws::DescribeInstancesRequest req;
      req.filters = {{"instance-id", chunk}};
      auto all = aws::DescribeAllInstances(*ctx.ec2, req);
      if (!all.ok()) {
        ctx.Log(LogLevel::kWarn, "polling instance states failed; will retry", {{"error", all.error().ToString()}});
        continue;
      }
      for (const auto& inst : *all) {
        if (!waiting.count(inst.instance_id)) continue;
        if (inst.state == "stopped") {
          waiting.erase(inst.instance_id);
          ledger.Update(inst.instance_id, [](InstanceReport& r) { r.state_after = "stopped"; });
          on_stopped(inst.instance_id);
        } else if (inst.state == "terminated" || inst.state == "shutting-down") {
          waiting.erase(inst.instance_id);
          ledger.AddError(inst.instance_id,
                          Failure(Step::kStop, "InstanceTerminated", "the instance was terminated while stopping"));
          restarter.Forget(inst.instance_id);
        }
      }
    }
    if (waiting.empty()) break;
    if (ctx.Cancelled()) {
      for (const auto& id : waiting) {
        ledger.AddError(id, Failure(Step::kStop, "Cancelled",
                                    "cancelled (" + ctx.CancelReason() +
                                        ") while waiting for the instance to stop; not snapshotted"));
      }
      return;
    }
    if (ctx.clock->Steady() >= deadline) {
      for (const auto& id : waiting) {
        ledger.AddError(
            id, Failure(Step::kStop, "StopTimeout",
                        "did not reach 'stopped' within " + std::to_string(timeout.count()) + "s; not snapshotted"));
      }
      return;
    }
    if (ctx.clock->Steady() - last_progress >= std::chrono::seconds(10)) {
      ctx.Log(LogLevel::kInfo, "waiting for " + std::to_string(waiting.size()) + " instance(s) to stop");
      last_progress = ctx.clock->Steady();
    }
    SleepUnlessCancelled(*ctx.clock, ctx.cancel, ctx.Backoff(round));
  }
}

}  // namespace s3snapshot::job
