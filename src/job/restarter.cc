#include "job/restarter.h"

#include <algorithm>
#include <exception>

#include "core/chunks.h"

namespace s3snapshot::job {

using report::Failure;
using report::FailureFrom;
using report::InstanceReport;
using report::Step;

using core::ErrorKind;
using core::LogLevel;

Restarter::Restarter(const JobContext& ctx, Ledger& ledger, std::chrono::seconds timeout)
    : ctx_(ctx),
      ledger_(ledger),
      timeout_(timeout),
      starter_(kStartBatch, [this](const std::vector<std::string>& ids) { StartNow(ids); }) {}

Restarter::~Restarter() { Finish(); }

void Restarter::Register(const std::vector<std::string>& ids) {
  {
    core::MutexLock l(&mu_);
    owed_.insert(ids.begin(), ids.end());
  }
  for (const auto& id : ids) ledger_.Update(id, [](InstanceReport& r) { r.stopped_by_run = true; });
  starter_.Start();
}

void Restarter::Forget(const std::string& id) {
  {
    core::MutexLock l(&mu_);
    owed_.erase(id);
  }
  ledger_.Update(id, [](InstanceReport& r) { r.stopped_by_run = false; });
}

void Restarter::Queue(const std::string& id) {
  {
    core::MutexLock l(&mu_);
    if (!owed_.count(id) || !queued_.insert(id).second) return;  // once: no id twice in a batch
  }
  starter_.Push(id);  // refused once Finish() began: Finish() starts it
}

std::vector<std::string> Restarter::Owed() const {
  core::MutexLock l(&mu_);
  return {owed_.begin(), owed_.end()};
}

void Restarter::Started(const std::string& id, const std::string& state) {
  {
    core::MutexLock l(&mu_);
    if (!owed_.erase(id)) return;
  }
  ledger_.Update(id, [&](InstanceReport& r) {
    r.restarted = true;
    r.state_after = state;
  });
  ctx_.Log(LogLevel::kInfo, "started again", {{"instance", id}});
}

void Restarter::StartNow(const std::vector<std::string>& batch) noexcept {
  // Whatever goes wrong here, the instances stay owed: Finish() looks at
  // each one's state and starts it.
  try {
    auto r = ctx_.ec2->StartInstances(batch);
    if (!r.ok()) {
      ctx_.Log(LogLevel::kWarn, "StartInstances failed; will retry before exit",
               {{"instances", std::to_string(batch.size())}, {"error", r.error().ToString()}});
      return;
    }
    for (const auto& ch : *r) Started(ch.instance_id, ch.current_state);
  } catch (...) {
    try {
      InternalError(batch, std::current_exception());
    } catch (...) {
    }
  }
}

void Restarter::Finish() noexcept {
  if (finished_) return;
  finished_ = true;
  starter_.Close();
  auto deadline = ctx_.clock->Steady() + timeout_;
  if (ctx_.cancel && ctx_.cancel->deadline()) deadline = std::min(deadline, *ctx_.cancel->deadline());
  for (int round = 0;; ++round) {
    try {
      FinalRounds(deadline);
      return;
    } catch (...) {
      try {
        InternalError(Owed(), std::current_exception());
      } catch (...) {
      }
    }
    // Only an exception gets here: try again while there is time.
    if (ctx_.clock->Steady() >= deadline) {
      try {
        MarkLeftStopped(Owed(), nullptr);
      } catch (...) {
      }
      return;
    }
    try {
      auto left = std::chrono::duration_cast<core::Duration>(deadline - ctx_.clock->Steady());
      ctx_.clock->Sleep(std::min(ctx_.Backoff(round), left));
    } catch (...) {
    }
  }
}

void Restarter::FinalRounds(std::chrono::steady_clock::time_point deadline) {
  std::vector<std::string> left = Owed();
  if (left.empty()) return;
  ctx_.Log(LogLevel::kWarn,
           "starting " + std::to_string(left.size()) + " instance(s) this run stopped; do not interrupt");
  // The restart ignores cancellation: it is what cancellation is waiting for.
  int hopeless_rounds = 0;
  for (int round = 0; !left.empty(); ++round) {
    // Instances still 'stopping' cannot be started yet (IncorrectInstanceState).
    std::vector<std::string> startable;
    for (const auto& chunk : core::Chunks(left, aws::kMaxFilterValues)) {
      aws::DescribeInstancesRequest req;
      req.filters = {{"instance-id", chunk}};
      auto states = aws::DescribeAllInstances(*ctx_.ec2, req);
      if (!states.ok()) {
        startable.insert(startable.end(), chunk.begin(), chunk.end());
        continue;
      }
      for (const auto& inst : *states) {
        if (inst.state == "stopped") {
          startable.push_back(inst.instance_id);
        } else if (inst.state == "running" || inst.state == "pending") {
          Started(inst.instance_id, inst.state);
        } else if (inst.state == "terminated" || inst.state == "shutting-down") {
          {
            core::MutexLock l(&mu_);
            owed_.erase(inst.instance_id);
          }
          ledger_.AddError(inst.instance_id, Failure(Step::kStart, "InstanceTerminated", "terminated during the run"));
        }
      }
    }
    for (const auto& batch : core::Chunks(startable, kStartBatch)) {
      auto r = ctx_.ec2->StartInstances(batch);
      if (r.ok()) {
        for (const auto& ch : *r) Started(ch.instance_id, ch.current_state);
        continue;
      }
      if ((r.error().kind == ErrorKind::kAuth || r.error().kind == ErrorKind::kInvalidInput) &&
          ++hopeless_rounds >= kHopelessRounds) {
        // Retrying cannot help (e.g. no ec2:StartInstances permission): say so now.
        MarkLeftStopped(Owed(), &r.error());
        return;
      }
      ctx_.Log(LogLevel::kWarn, "StartInstances failed; will retry",
               {{"instances", std::to_string(batch.size())}, {"error", r.error().ToString()}});
      // One instance that cannot start (yet) must not hold up the others:
      // a batch EC2 refused (an instance's state, an id) is tried one by
      // one. A batch lost to the network or throttled is not -- one call per
      // instance through the same faults would spend the deadline's reserve
      // (test_lambda's deadline behind resets) -- but sent whole again next round.
      const bool refused = r.error().kind == ErrorKind::kConflict || r.error().kind == ErrorKind::kInvalidInput ||
                           r.error().kind == ErrorKind::kNotFound;
      if (refused && batch.size() > 1) {
        for (const auto& id : batch) {
          auto one = ctx_.ec2->StartInstances({id});
          if (one.ok()) Started(id, one->empty() ? "pending" : one->front().current_state);
        }
      }
    }
    left = Owed();
    if (left.empty()) break;
    if (ctx_.clock->Steady() >= deadline) {
      MarkLeftStopped(left, nullptr);
      return;
    }
    // Never sleep past the deadline: the report (naming who is left stopped)
    // must still go out.
    auto until_deadline = std::chrono::duration_cast<core::Duration>(deadline - ctx_.clock->Steady());
    ctx_.clock->Sleep(std::min(ctx_.Backoff(round), until_deadline));
  }
}

void Restarter::InternalError(const std::vector<std::string>& ids, std::exception_ptr e) {
  const std::string what = core::WhatOf(e);
  // Each instance's failure (a bug, or memory ran out): it stays owed and
  // the final phase tries again.
  for (const auto& id : ids) {
    ledger_.AddError(id, Failure(Step::kStart, "InternalError", "internal error while starting it again: " + what));
  }
  ctx_.Log(LogLevel::kError, "internal error while starting instances; trying again", {{"error", what}});
}

void Restarter::MarkLeftStopped(const std::vector<std::string>& ids, const core::Error* cause) {
  for (const auto& id : ids) {
    ledger_.Update(id, [&](InstanceReport& r) {
      if (cause) r.errors.push_back(FailureFrom(Step::kStart, *cause));
      r.errors.push_back(Failure(Step::kStart, "RestartFailed",
                                 "could not start the instance again: it is LEFT STOPPED; start it by hand"));
    });
  }
  ctx_.Log(LogLevel::kError, std::to_string(ids.size()) + " instance(s) LEFT STOPPED" +
                                 (cause ? ": " + cause->ToString() : std::string()));
}

}  // namespace s3snapshot::job
