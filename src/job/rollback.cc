#include "job/rollback.h"

#include <algorithm>
#include <exception>

namespace s3snapshot::job {

using core::Error;
using core::ErrorKind;
using core::LogLevel;
using report::Failure;
using report::Step;
using Clock = std::chrono::steady_clock;

Rollback::Rollback(const JobContext& ctx, std::string instance_id, std::chrono::seconds timeout)
    : ctx_(ctx), instance_id_(std::move(instance_id)), timeout_(timeout) {}

Rollback::~Rollback() { Finish(); }

void Rollback::Register(std::vector<Device> devices) { devices_ = std::move(devices); }

core::Result<std::vector<std::pair<std::string, std::string>>> Rollback::DevicesNow() {
  aws::DescribeInstancesRequest req;
  req.filters = {{"instance-id", {instance_id_}}};
  auto found = aws::DescribeAllInstances(*ctx_.ec2, req);
  if (!found.ok()) return found.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& i : *found) {
    for (const auto& bd : i.block_devices) out.emplace_back(bd.device_name, bd.volume_id);
  }
  return out;
}

namespace {

// One volume as DescribeVolumes has it now.
core::Result<aws::Volume> VolumeNow(aws::Ec2Api& ec2, const std::string& id) {
  aws::DescribeVolumesRequest req;
  req.filters = {{"volume-id", {id}}};
  auto found = aws::DescribeAllVolumes(ec2, req);
  if (!found.ok()) return found.error();
  for (auto& v : *found) {
    if (v.volume_id == id) return v;
  }
  return Error::Make(ErrorKind::kNotFound, "volume " + id + " is not there", "InvalidVolume.NotFound");
}

}  // namespace

core::Status Rollback::AwaitVolume(const std::string& volume, const std::function<bool(const aws::Volume&)>& done,
                                   const std::string& what, Clock::time_point until) {
  for (int round = 0;; ++round) {
    auto v = VolumeNow(*ctx_.ec2, volume);
    if (v.ok() && done(*v)) return core::OkStatus();
    if (ctx_.clock->Steady() >= until) {
      return Error::Make(ErrorKind::kConflict, volume + " was not " + what + " in time",
                         what == "detached" ? "DetachTimeout" : "AttachTimeout");
    }
    ctx_.clock->Sleep(
        std::min(ctx_.Backoff(round), std::chrono::duration_cast<core::Duration>(until - ctx_.clock->Steady())));
  }
}

core::Status Rollback::Move(const std::string& from, const std::string& to, const std::string& device,
                            Clock::time_point until) {
  if (!from.empty()) {
    auto d = ctx_.ec2->DetachVolume(from, instance_id_, device);
    if (!d.ok() && d.error().kind != ErrorKind::kAmbiguous) {
      // Refused: it may already be detached (a retried round); the wait says.
      ctx_.Log(LogLevel::kWarn, "DetachVolume refused", {{"volume", from}, {"error", d.error().ToString()}});
    }
    auto detached = [](const aws::Volume& v) { return v.state == "available"; };
    if (auto st = AwaitVolume(from, detached, "detached", until); !st.ok()) return st;
  }
  if (!to.empty()) {
    auto a = ctx_.ec2->AttachVolume(to, instance_id_, device);
    if (!a.ok() && a.error().kind != ErrorKind::kAmbiguous) {
      return a.error().WithContext("attaching " + to + " at " + device);
    }
    auto attached = [this](const aws::Volume& v) {
      return std::any_of(v.attachments.begin(), v.attachments.end(), [this](const aws::VolumeAttachment& at) {
        return at.instance_id == instance_id_ && at.state == "attached";
      });
    };
    if (auto st = AwaitVolume(to, attached, "attached", until); !st.ok()) return st;
  }
  return core::OkStatus();
}

core::Status Rollback::Swap() {
  const auto until = ctx_.clock->Steady() + timeout_;
  for (const auto& d : devices_) {
    if (ctx_.Cancelled()) {
      return Error::Make(ErrorKind::kCancelled, "cancelled (" + ctx_.CancelReason() + ") during the swap", "Cancelled");
    }
    ctx_.Log(LogLevel::kInfo, "swapping", {{"device", d.device}, {"from", d.original}, {"to", d.restored}});
    touched_ = true;
    if (auto st = Move(d.original, d.restored, d.device, until); !st.ok()) return st;
  }
  return core::OkStatus();
}

// One pass over the devices: whatever is at a device and is not its
// original goes, and the original comes back. True when every device holds
// its original.
bool Rollback::UndoRound(Clock::time_point until) {
  auto now = DevicesNow();
  if (!now.ok()) return false;
  bool all = true;
  for (const auto& d : devices_) {
    std::string current;
    for (const auto& [dev, vol] : *now) {
      if (dev == d.device) current = vol;
    }
    if (current == d.original) continue;
    // A restored volume that never left its 'available' state is not at the device.
    if (!Move(current, d.original, d.device, until).ok()) all = false;
  }
  return all;
}

void Rollback::Finish() noexcept {
  if (finished_ || committed_ || !touched_ || devices_.empty()) {
    finished_ = true;
    return;
  }
  finished_ = true;
  auto until = ctx_.clock->Steady() + timeout_;
  if (ctx_.cancel && ctx_.cancel->deadline()) until = std::min(until, *ctx_.cancel->deadline());
  try {
    ctx_.Log(LogLevel::kWarn, "rolling back: every original volume goes back to its device; do not interrupt",
             {{"instance", instance_id_}});
    for (int round = 0;; ++round) {
      bool done = false;
      try {
        done = UndoRound(until);
      } catch (...) {
        ctx_.Log(LogLevel::kError, "internal error while rolling back; trying again",
                 {{"error", core::WhatOf(std::current_exception())}});
      }
      if (done) {
        rolled_back_ = true;
        return;
      }
      if (ctx_.clock->Steady() >= until) break;
      ctx_.clock->Sleep(
          std::min(ctx_.Backoff(round), std::chrono::duration_cast<core::Duration>(until - ctx_.clock->Steady())));
    }
    for (const auto& d : devices_) {
      failures_.push_back(Failure(Step::kRestore, "RollbackFailed",
                                  "ROLLBACK FAILED: " + d.device + " of " + instance_id_ +
                                      " may not hold its original " + (d.original.empty() ? "(none)" : d.original) +
                                      "; attach it there by hand (the restored volume is " + d.restored + ")"));
    }
  } catch (...) {
    try {
      failures_.push_back(Failure(Step::kRestore, "RollbackFailed", "ROLLBACK FAILED: internal error"));
    } catch (...) {
    }
  }
}

}  // namespace s3snapshot::job
