#include "job/teardown.h"

#include <algorithm>
#include <exception>
#include <optional>

#include "core/chunks.h"
#include "job/tags.h"

namespace s3snapshot::job {

using core::ErrorKind;
using core::LogLevel;
using Clock = std::chrono::steady_clock;

Teardown::Teardown(const JobContext& ctx, std::string drill_id, std::chrono::seconds timeout)
    : ctx_(ctx), drill_id_(std::move(drill_id)), timeout_(timeout) {}

Teardown::~Teardown() { Finish(); }

void Teardown::Register() {
  core::MutexLock l(&mu_);
  registered_ = true;
}

void Teardown::Made(const std::string& volume_id) {
  core::MutexLock l(&mu_);
  pending_.insert(volume_id);
}

void Teardown::Attached(const std::string& volume_id, const std::string& instance_id, const std::string& device) {
  core::MutexLock l(&mu_);
  attached_[volume_id] = {instance_id, device};
}

void Teardown::Adopt(const std::vector<std::string>& volume_ids) {
  core::MutexLock l(&mu_);
  pending_.insert(volume_ids.begin(), volume_ids.end());
}

std::vector<std::string> Teardown::deleted() const {
  core::MutexLock l(&mu_);
  return deleted_;
}

std::vector<std::string> Teardown::left_behind() const {
  core::MutexLock l(&mu_);
  return left_behind_;
}

namespace {

// What one volume needs now: detached first, then deleted; 'creating' waits.
enum class Next { kGone, kDetach, kDelete, kWait };

Next NextStep(const aws::Volume& v) {
  if (v.state == "deleting" || v.state == "deleted") return Next::kGone;
  if (v.state == "creating") return Next::kWait;
  for (const auto& a : v.attachments) {
    if (a.state == "attached" || a.state == "attaching") return Next::kDetach;
  }
  if (v.state == "in-use") return Next::kWait;  // detaching
  return Next::kDelete;                         // available, error
}

}  // namespace

std::set<std::string> Teardown::Round(std::set<std::string>* ids, bool by_tag) {
  std::vector<aws::Volume> seen;
  if (by_tag) {
    aws::DescribeVolumesRequest req;
    req.filters = {{std::string("tag:") + kTagDrillId, {drill_id_}}};
    auto found = aws::DescribeAllVolumes(*ctx_.ec2, req);
    if (!found.ok() && found.error().kind != ErrorKind::kAuth) return *ids;  // asked again next round
    for (auto& v : found.ok() ? *found : std::vector<aws::Volume>{}) {
      ids->insert(v.volume_id);
      seen.push_back(std::move(v));
    }
  }
  const std::vector<std::string> asked(ids->begin(), ids->end());
  for (const auto& chunk : core::Chunks(asked, aws::kMaxFilterValues)) {
    aws::DescribeVolumesRequest req;
    req.filters = {{"volume-id", chunk}};
    auto found = aws::DescribeAllVolumes(*ctx_.ec2, req);
    // Not permitted to look: DeleteVolume alone (below) says what is gone.
    if (!found.ok() && found.error().kind != ErrorKind::kAuth) return *ids;
    for (auto& v : found.ok() ? *found : std::vector<aws::Volume>{}) seen.push_back(std::move(v));
  }
  std::set<std::string> left, described;
  auto remove = [&](const std::string& id) {
    auto st = ctx_.ec2->DeleteVolume(id);
    if (st.ok() || st.error().kind == ErrorKind::kNotFound) return;
    left.insert(id);
    std::optional<std::pair<std::string, std::string>> where;
    {
      core::MutexLock l(&mu_);
      if (auto it = attached_.find(id); it != attached_.end()) where = it->second;
    }
    if (st.error().code == "VolumeInUse" && where) {
      // Still attached where the drill put it (DescribeVolumes did not say).
      auto d = ctx_.ec2->DetachVolume(id, where->first, where->second);
      if (!d.ok()) ctx_.Log(LogLevel::kWarn, "DetachVolume refused", {{"volume", id}, {"error", d.error().ToString()}});
      if (!d.ok() && d.error().kind == ErrorKind::kAuth) {
        core::MutexLock l(&mu_);
        refused_.insert(id);
      }
      return;
    }
    if (st.error().kind == ErrorKind::kAuth) {
      core::MutexLock l(&mu_);
      refused_.insert(id);  // no round will do better
    }
    ctx_.Log(LogLevel::kWarn, "DeleteVolume refused", {{"volume", id}, {"error", st.error().ToString()}});
  };
  for (const auto& v : seen) {
    if (!described.insert(v.volume_id).second) continue;
    const Next next = NextStep(v);
    if (next == Next::kDelete) {
      remove(v.volume_id);
    } else if (next != Next::kGone) {
      left.insert(v.volume_id);
    }
    if (next != Next::kDetach) continue;
    for (const auto& a : v.attachments) {
      auto d = ctx_.ec2->DetachVolume(v.volume_id, a.instance_id, a.device);
      if (d.ok()) continue;
      ctx_.Log(LogLevel::kWarn, "DetachVolume refused", {{"volume", v.volume_id}, {"error", d.error().ToString()}});
      if (d.error().kind == ErrorKind::kAuth) {
        core::MutexLock l(&mu_);
        refused_.insert(v.volume_id);  // no round will do better
      }
    }
  }
  // Not described: gone, or too new for DescribeVolumes to show yet --
  // DeleteVolume says which.
  for (const auto& id : *ids) {
    if (described.count(id) == 0) remove(id);
  }
  return left;
}

std::set<std::string> Teardown::Rounds(std::set<std::string> ids, bool by_tag, Clock::time_point until) {
  for (int round = 0;; ++round) {
    std::set<std::string> left;
    try {
      left = Round(&ids, by_tag);
    } catch (...) {
      ctx_.Log(LogLevel::kError, "internal error while deleting drill volumes; trying again",
               {{"error", core::WhatOf(std::current_exception())}});
      left = ids;
    }
    {
      core::MutexLock l(&mu_);
      for (const auto& id : ids) {
        if (left.count(id)) {
          pending_.insert(id);  // also one found by its tag
        } else if (pending_.erase(id) > 0 || by_tag) {
          deleted_.push_back(id);
        }
      }
    }
    ids = left;
    const bool hopeless = std::all_of(ids.begin(), ids.end(), [this](const std::string& id) {
      core::MutexLock l(&mu_);
      return refused_.count(id) > 0;
    });
    if ((ids.empty() && (!by_tag || round > 0)) || (!ids.empty() && hopeless)) return ids;
    if (ctx_.clock->Steady() >= until) return ids;
    ctx_.clock->Sleep(std::min(std::min(ctx_.Backoff(round), core::Duration(5000)),
                               std::chrono::duration_cast<core::Duration>(until - ctx_.clock->Steady())));
  }
}

bool Teardown::DeleteNow(const std::vector<std::string>& volume_ids, std::chrono::seconds timeout) {
  std::set<std::string> ids(volume_ids.begin(), volume_ids.end());
  {
    core::MutexLock l(&mu_);
    pending_.insert(ids.begin(), ids.end());
  }
  return Rounds(ids, false, ctx_.clock->Steady() + timeout).empty();
}

void Teardown::Finish() noexcept {
  std::set<std::string> ids;
  bool by_tag = false;
  {
    core::MutexLock l(&mu_);
    if (finished_) return;
    finished_ = true;
    ids = pending_;
    by_tag = registered_ && !drill_id_.empty();
  }
  if (ids.empty() && !by_tag) return;
  try {
    auto until = ctx_.clock->Steady() + timeout_;
    if (ctx_.cancel && ctx_.cancel->deadline()) until = std::min(until, *ctx_.cancel->deadline());
    ctx_.Log(LogLevel::kInfo, "deleting the drill's volumes",
             {{"drill", drill_id_}, {"volumes", std::to_string(ids.size())}});
    std::set<std::string> left = Rounds(ids, by_tag, until);
    core::MutexLock l(&mu_);
    left_behind_.assign(left.begin(), left.end());
  } catch (...) {
    try {
      core::MutexLock l(&mu_);
      left_behind_.assign(pending_.begin(), pending_.end());
    } catch (...) {
    }
  }
}

core::Result<std::vector<std::string>> SweepDrillVolumes(const JobContext& ctx, std::chrono::seconds older_than,
                                                         const std::string& own_drill_id,
                                                         std::vector<std::string>* left) {
  aws::DescribeVolumesRequest req;
  req.filters = {{"tag-key", {kTagDrillId}}};
  auto found = aws::DescribeAllVolumes(*ctx.ec2, req);
  if (!found.ok()) return found.error().WithContext("looking for volumes left by earlier drills");
  const core::WallTime now = ctx.clock->Now();
  std::vector<std::string> stale;
  for (const auto& v : *found) {
    core::WallTime made{};
    if (v.TagValue(kTagDrillId) == own_drill_id || !core::ParseIso8601(v.create_time, &made)) continue;
    if (now - made > older_than) stale.push_back(v.volume_id);
  }
  if (stale.empty()) return stale;
  ctx.Log(LogLevel::kWarn, "deleting volumes left by earlier drills", {{"volumes", std::to_string(stale.size())}});
  Teardown sweep(ctx, "", older_than);
  sweep.Adopt(stale);
  sweep.Finish();
  for (const auto& id : sweep.left_behind()) left->push_back(id);
  return sweep.deleted();
}

}  // namespace s3snapshot::job
