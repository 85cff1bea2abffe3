#include "job/device_tagger.h"

#include <algorithm>
#include <utility>

#include "core/chunks.h"
#include "job/retry_policy.h"
#include "job/tags.h"

namespace s3snapshot::job {

using core::ErrorKind;

void DeviceTagger::Add(const aws::Instance& inst, const std::vector<aws::Snapshot>& snaps) {
  if (inst.block_devices.size() <= 1) return;  // tagged at creation (tags.h)
  std::vector<std::pair<std::string, std::vector<Item>>> full;
  {
    core::MutexLock l(&mu_);
    for (const auto& s : snaps) {
      for (const auto& bd : inst.block_devices) {
        if (bd.volume_id != s.volume_id) continue;
        auto& batch = pending_[bd.device_name];
        batch.push_back({s.snapshot_id, inst.instance_id});
        if (batch.size() >= kDeviceTagBatch) {
          full.emplace_back(bd.device_name, std::move(batch));
          batch.clear();
        }
      }
    }
  }
  for (const auto& [device, items] : full) Send(device, items);
}

void DeviceTagger::Forget(const std::set<std::string>& snapshot_ids) {
  if (snapshot_ids.empty()) return;
  core::MutexLock l(&mu_);
  for (auto& [device, items] : pending_) {
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const Item& it) { return snapshot_ids.count(it.snapshot_id) > 0; }),
                items.end());
  }
}

void DeviceTagger::Flush() {
  std::map<std::string, std::vector<Item>> pending;
  {
    core::MutexLock l(&mu_);
    pending.swap(pending_);
  }
  for (const auto& [device, items] : pending) {
    if (items.empty()) continue;
    bool cancelled = ctx_.Cancelled();
    if (cancelled || slowest_.NoTimeForAnother(ctx_)) {
      for (const auto& it : items) {
        ledger_.AddWarning(it.instance_id,
                           "device tag on " + it.snapshot_id +
                               (cancelled ? " not set: the run was cancelled" : " not set: too close to the deadline"));
      }
      continue;
    }
    Send(device, items);
  }
}

void DeviceTagger::Send(const std::string& device, const std::vector<Item>& items) {
  for (const auto& chunk : core::Chunks(items, kDeviceTagBatch)) {
    std::vector<std::string> ids;
    ids.reserve(chunk.size());
    for (const auto& it : chunk) ids.push_back(it.snapshot_id);
    core::Status st = core::OkStatus();
    for (int attempt = 0; attempt < kDeviceTagAttempts; ++attempt) {
      st = ctx_.ec2->CreateTags(ids, {{kTagDevice, device}});
      // A snapshot not yet visible to CreateTags (eventual consistency): later.
      if (st.ok() || (st.error().kind != ErrorKind::kNotFound && !IsRetryableAtJobLevel(st.error()))) break;
      if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, ctx_.Backoff(attempt))) break;
    }
    if (!st.ok()) {
      for (const auto& it : chunk) {
        ledger_.AddWarning(it.instance_id, "device tag on " + it.snapshot_id + ": " + st.error().ToString());
      }
    }
  }
}

}  // namespace s3snapshot::job
