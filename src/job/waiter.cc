#include "job/waiter.h"

#include <algorithm>
#include <cstdlib>

#include "core/chunks.h"

namespace s3snapshot::job {

using report::Failure;
using report::InstanceReport;
using report::Step;

WaitResult WaitForSnapshots(aws::Ec2Api& ec2, const std::vector<WaitItem>& items, core::Clock& clock,
                            std::chrono::seconds timeout, const CancelToken* cancel, ProgressSink* progress,
                            core::Duration poll_initial, core::Duration poll_max) {
  WaitResult result;
  std::map<std::string, SnapshotProgress> state;
  for (const auto& it : items) state[it.snapshot_id] = {it.snapshot_id, it.label, 0, "pending"};
  auto start = clock.Steady();
  auto deadline = start + timeout;
  double first_pct = -1;
  for (int round = 0;; ++round) {
    std::vector<std::string> open;
    for (const auto& [id, p] : state) {
      if (p.state != "completed" && p.state != "error") open.push_back(id);
    }
    for (const auto& chunk : core::Chunks(open, aws::kMaxFilterValues)) {
      // One chunk at a time: a chunk that fails is polled again next round,
      // the others' progress is kept.
      auto snaps = aws::DescribeOwnSnapshots(ec2, {}, "snapshot-id", chunk);
      if (!snaps.ok()) {
        const auto kind = snaps.error().kind;
        if (kind == core::ErrorKind::kAuth || kind == core::ErrorKind::kInvalidInput) {
          result.poll_error = snaps.error().ToString();
        }
        continue;  // a transient failure is retried on the next round
      }
      for (const auto& s : *snaps) {
        auto it = state.find(s.snapshot_id);
        if (it == state.end()) continue;
        it->second.state = s.state;
        it->second.percent = s.state == "completed" ? 100 : std::atoi(s.progress.c_str());
        if (s.state == "error") result.message[s.snapshot_id] = s.state_message;
      }
    }
    ProgressUpdate u;
    double sum = 0;
    for (const auto& [id, p] : state) {
      u.items.push_back(p);
      u.completed += p.state == "completed";
      u.failed += p.state == "error";
      sum += p.percent;
    }
    u.total = static_cast<int>(state.size());
    u.elapsed_seconds = std::chrono::duration<double>(clock.Steady() - start).count();
    double pct = u.total ? sum / u.total : 100;
    if (first_pct < 0) first_pct = pct;
    if (pct > first_pct && u.elapsed_seconds > 0) {
      u.eta_seconds = (100 - pct) * u.elapsed_seconds / (pct - first_pct);
    }
    bool done = u.completed + u.failed == u.total;
    bool out_of_time = clock.Steady() >= deadline;
    const bool cancelled = cancel && cancel->ShouldStop(clock);
    bool stop = cancelled || !result.poll_error.empty();
    u.final = done || out_of_time || stop;
    if (progress) progress->Update(u);
    if (u.final) {
      // A cancellation is never a timeout: the snapshots exist and complete.
      result.cancelled = !done && cancelled;
      result.timed_out = !done && !cancelled && result.poll_error.empty();
      for (const auto& [id, p] : state) result.final_state[id] = p.state;
      return result;
    }
    auto ms = std::min<long long>(poll_initial.count() << std::min(round, 10), poll_max.count());
    auto left = std::chrono::duration_cast<core::Duration>(deadline - clock.Steady());
    SleepUnlessCancelled(clock, cancel, std::min(core::Duration(ms), std::max(left, core::Duration(0))));
  }
}

void WaitForRunSnapshots(const JobContext& ctx, Ledger& ledger, std::chrono::seconds timeout) {
  std::vector<WaitItem> items;
  ledger.ForEach([&](InstanceReport& r) {
    for (const auto& s : r.snapshots) {
      if (!s.snapshot_id.empty()) items.push_back({s.snapshot_id, r.instance_id + " " + s.device});
    }
  });
  if (items.empty()) return;
  ctx.Log(core::LogLevel::kInfo, "waiting for " + std::to_string(items.size()) + " snapshot(s) to complete");
  WaitResult w = WaitForSnapshots(*ctx.ec2, items, *ctx.clock, timeout, ctx.cancel, ctx.progress, ctx.backoff_initial,
                                  std::max(ctx.backoff_max, core::Duration(30000)));
  ledger.ForEach([&](InstanceReport& r) {
    for (auto& s : r.snapshots) {
      auto it = w.final_state.find(s.snapshot_id);
      if (it == w.final_state.end()) continue;
      s.state = it->second;
      const std::string what = s.snapshot_id + " (" + s.device + ")";
      if (s.state == "error") {
        r.snapshotted = false;
        const std::string& why = w.message[s.snapshot_id];
        r.errors.push_back(
            Failure(Step::kWait, "SnapshotError", what + " ended in state 'error'" + (why.empty() ? "" : ": " + why)));
      } else if (s.state != "completed" && !w.poll_error.empty()) {
        r.errors.push_back(Failure(Step::kWait, "WaitFailed", what + ": polling failed: " + w.poll_error));
      } else if (s.state != "completed" && w.cancelled) {
        // Created, and completing on its own: the instance's set is made. A
        // report that called it failed would make the next run a duplicate.
        r.warnings.push_back(what + " created, not awaited: the run was cancelled (" + ctx.CancelReason() +
                             ") while it was '" + s.state + "'");
      } else if (s.state != "completed") {
        r.errors.push_back(Failure(Step::kWait, "WaitTimeout",
                                   what + " still '" + s.state + "' after " + std::to_string(timeout.count()) + "s"));
      }
    }
  });
}

}  // namespace s3snapshot::job
