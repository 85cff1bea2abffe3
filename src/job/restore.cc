#include "job/restore.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/chunks.h"
#include "core/crypto.h"
#include "job/cancel.h"
#include "job/exclusions.h"
#include "job/ledger.h"
#include "job/restarter.h"
#include "job/rollback.h"
#include "job/stopper.h"
#include "job/tags.h"

namespace s3snapshot::job {

using core::Error;
using core::ErrorKind;
using core::LogLevel;
using report::Failure;
using report::FailureFrom;
using report::RestoredVolume;
using report::Step;

std::vector<RestoreSet> SetsOf(const std::vector<aws::Snapshot>& snapshots) {
  std::map<std::string, RestoreSet> by_run;
  for (const auto& s : snapshots) {
    const std::string run = s.TagValue(kTagRunId);
    if (run.empty()) continue;
    RestoreSet& set = by_run[run];
    set.run_id = run;
    if (set.started_at.empty() || s.start_time < set.started_at) set.started_at = s.start_time;
    set.snapshots.push_back(s);
  }
  std::vector<RestoreSet> out;
  for (auto& [run, set] : by_run) {
    std::sort(set.snapshots.begin(), set.snapshots.end(),
              [](const aws::Snapshot& a, const aws::Snapshot& b) { return a.snapshot_id < b.snapshot_id; });
    for (const auto& s : set.snapshots) {
      if (s.state == "completed") continue;
      set.incomplete += (set.incomplete.empty() ? "" : ", ") + s.snapshot_id + " is " + s.state;
    }
    out.push_back(std::move(set));
  }
  std::sort(out.begin(), out.end(), [](const RestoreSet& a, const RestoreSet& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : a.run_id > b.run_id;
  });
  return out;
}

core::Result<RestoreSet> ChooseSet(const std::vector<RestoreSet>& sets, const spec::JobSpec& spec) {
  const std::string& id = spec.restore_instance;
  if (!spec.restore_run_id.empty()) {
    for (const auto& set : sets) {
      if (set.run_id != spec.restore_run_id) continue;
      if (!set.incomplete.empty()) {
        return Error::Make(ErrorKind::kConflict,
                           "the set of run " + set.run_id + " is not complete (" + set.incomplete +
                               "): it is not restored, not even in part",
                           "IncompleteSet");
      }
      return set;
    }
    return Error::Make(ErrorKind::kNotFound, "no snapshot of " + id + " made by run " + spec.restore_run_id,
                       "NoSuchSet");
  }
  core::WallTime before{};
  const bool bounded = !spec.restore_before.empty() && core::ParseIso8601(spec.restore_before, &before);
  std::string skipped;
  for (const auto& set : sets) {
    core::WallTime started{};
    if (bounded && (!core::ParseIso8601(set.started_at, &started) || started >= before)) continue;
    if (set.incomplete.empty()) return set;
    skipped += (skipped.empty() ? "" : "; ") + set.run_id + " (" + set.incomplete + ")";
  }
  return Error::Make(ErrorKind::kNotFound,
                     "no complete snapshot set of " + id +
                         (bounded ? " begun before " + spec.restore_before : std::string()) +
                         (sets.empty() ? " (the tool has no snapshot of it in this region)" : "") +
                         (skipped.empty() ? "" : "; incomplete: " + skipped),
                     "NoCompleteSet");
}

namespace {

std::string Bare(const std::string& device) {
  std::string d = device.rfind("/dev/", 0) == 0 ? device.substr(5) : device;
  if (d.rfind("xvd", 0) == 0) d = "sd" + d.substr(3);
  return d;
}

}  // namespace

std::vector<std::string> FreeDevices(const aws::Instance& instance, size_t n) {
  std::set<std::string> used;
  for (const auto& bd : instance.block_devices) used.insert(Bare(bd.device_name));
  if (!instance.root_device_name.empty()) used.insert(Bare(instance.root_device_name));
  std::vector<std::string> out;
  for (char c = 'f'; c <= 'z' && out.size() < n; ++c) {
    const std::string name = std::string("sd") + c;
    bool taken = false;
    for (const auto& u : used) taken = taken || u == name || u.rfind(name, 0) == 0;  // sda1 takes sda
    if (!taken) out.push_back("/dev/" + name);
  }
  return out;
}

std::string VolumeClientToken(const std::string& restore_id, const std::string& snapshot_id) {
  return core::HexEncode(core::Sha256("s3snapshot restore " + restore_id + " " + snapshot_id));
}

std::map<std::string, aws::Volume> OriginalVolumes(aws::Ec2Api& ec2, const std::vector<std::string>& volume_ids) {
  std::map<std::string, aws::Volume> out;
  for (const auto& chunk : core::Chunks(volume_ids, aws::kMaxFilterValues)) {
    aws::DescribeVolumesRequest req;
    req.filters = {{"volume-id", chunk}};
    auto found = aws::DescribeAllVolumes(ec2, req);
    if (!found.ok()) break;
    for (auto& v : *found) out[v.volume_id] = std::move(v);
  }
  return out;
}

RestoredVolume PlannedVolume(const aws::Snapshot& s, const aws::Instance& source,
                             const std::map<std::string, aws::Volume>& originals, const std::string& fallback_type) {
  RestoredVolume row;
  row.snapshot_id = s.snapshot_id;
  row.source_volume_id = s.volume_id;
  row.device = s.TagValue(kTagDevice);
  for (const auto& bd : source.block_devices) {
    if (row.device.empty() && bd.volume_id == s.volume_id) row.device = bd.device_name;
  }
  auto original = originals.find(s.volume_id);
  row.volume_type = original != originals.end() ? original->second.volume_type : fallback_type;
  row.state = "planned";
  return row;
}

void KeepPerformance(const aws::Volume& o, aws::CreateVolumeRequest* req) {
  if (o.volume_type == "io1" || o.volume_type == "io2" || o.volume_type == "gp3") req->iops = o.iops;
  if (o.volume_type == "gp3") req->throughput = o.throughput;
}

namespace {

// One restore: the steps of restore.h in order, each filling report_.
class Restorer {
 public:
  Restorer(const spec::JobSpec& spec, const JobContext& ctx) : spec_(spec), ctx_(ctx) {}
  report::RestoreReport Run();

 private:
  std::optional<aws::Instance> Instance(const std::string& id);
  bool ChooseTheSet();
  bool ChooseTheTarget();
  void Plan();
  void CreateVolumes();
  void AwaitAvailable();
  void Attach();
  void PlanDevices();
  void Refresh();
  void InPlace();
  bool ReadyForInPlace();
  void Swap(Ledger& ledger, Restarter& restarter, Rollback& rollback);
  aws::CreateVolumeRequest RequestFor(const RestoredVolume& row, const aws::Snapshot& snap) const;
  void RunError(const Error& e) { report_.run_errors.push_back(FailureFrom(Step::kRestore, e)); }

  const spec::JobSpec& spec_;
  const JobContext& ctx_;
  report::RestoreReport report_;
  std::optional<aws::Instance> source_, target_;
  RestoreSet set_;
  std::map<std::string, aws::Volume> originals_;  // by id: the volumes the set was taken of, if they still exist
};

std::optional<aws::Instance> Restorer::Instance(const std::string& id) {
  aws::DescribeInstancesRequest req;
  req.filters = {{"instance-id", {id}}};
  auto found = aws::DescribeAllInstances(*ctx_.ec2, req);
  if (!found.ok()) {
    RunError(found.error().WithContext("looking up " + id));
    return std::nullopt;
  }
  for (auto& i : *found) {
    if (i.instance_id == id) return i;
  }
  return aws::Instance{};  // none: an empty id
}

bool Restorer::ChooseTheSet() {
  auto snaps = aws::DescribeOwnSnapshots(*ctx_.ec2, {{std::string("tag:") + kTagInstanceId, {spec_.restore_instance}}});
  if (!snaps.ok()) {
    RunError(snaps.error().WithContext("looking up the snapshots of " + spec_.restore_instance));
    return false;
  }
  auto chosen = ChooseSet(SetsOf(*snaps), spec_);
  if (!chosen.ok()) {
    RunError(chosen.error());
    return false;
  }
  set_ = *chosen;
  report_.set_run_id = set_.run_id;
  report_.set_started_at = set_.started_at;
  return true;
}

bool Restorer::ChooseTheTarget() {
  source_ = Instance(spec_.restore_instance);
  if (!source_) return false;
  if (!spec_.availability_zone.empty()) {
    report_.availability_zone = spec_.availability_zone;
    return true;
  }
  const std::string target_id = spec_.to_instance.empty() ? spec_.restore_instance : spec_.to_instance;
  target_ = spec_.to_instance.empty() ? source_ : Instance(target_id);
  if (!target_) return false;
  if (target_->instance_id.empty() || target_->state == "terminated" || target_->state == "shutting-down") {
    report_.run_errors.push_back(Failure(Step::kRestore, "TargetNotFound",
                                         target_id + " is not there (or terminated): give --to-instance ID, or "
                                                     "--availability-zone AZ for volumes attached nowhere"));
    target_.reset();
    return false;
  }
  report_.target_instance_id = target_->instance_id;
  report_.availability_zone = target_->availability_zone;
  return true;
}

void Restorer::Plan() {
  std::vector<std::string> ids;
  for (const auto& s : set_.snapshots) ids.push_back(s.volume_id);
  originals_ = OriginalVolumes(*ctx_.ec2, ids);
  for (const auto& s : set_.snapshots)
    report_.volumes.push_back(PlannedVolume(s, *source_, originals_, spec_.volume_type));
  std::sort(report_.volumes.begin(), report_.volumes.end(),
            [](const RestoredVolume& a, const RestoredVolume& b) { return a.device < b.device; });
}

aws::CreateVolumeRequest Restorer::RequestFor(const RestoredVolume& row, const aws::Snapshot& snap) const {
  aws::CreateVolumeRequest req;
  req.availability_zone = report_.availability_zone;
  req.snapshot_id = snap.snapshot_id;
  req.volume_type = row.volume_type;
  req.client_token = VolumeClientToken(report_.restore_id, snap.snapshot_id);
  req.encrypted = snap.encrypted || !spec_.kms_key_id.empty();
  req.kms_key_id = spec_.kms_key_id;
  auto original = originals_.find(snap.volume_id);
  if (original != originals_.end()) {
    const aws::Volume& o = original->second;
    KeepPerformance(o, &req);
    for (const auto& t : o.tags) {
      if (!IsReservedTagKey(t.key) || t.key == "Name") req.tags.push_back(t);
    }
  }
  req.tags.push_back({kTagRestoredFrom, snap.snapshot_id});
  req.tags.push_back({kTagRestoreId, report_.restore_id});
  req.tags.push_back({kTagInstanceId, spec_.restore_instance});
  if (!row.device.empty()) req.tags.push_back({kTagDevice, row.device});
  if (req.tags.size() > kMaxTagsPerResource) req.tags.erase(req.tags.begin(), req.tags.end() - kMaxTagsPerResource);
  return req;
}

void Restorer::CreateVolumes() {
  // Exactly once: what an earlier attempt of this restore made is found by
  // its tag first; CreateVolume's token covers a call whose answer was lost.
  aws::DescribeVolumesRequest mine;
  mine.filters = {{std::string("tag:") + kTagRestoreId, {report_.restore_id}}};
  auto made = aws::DescribeAllVolumes(*ctx_.ec2, mine);
  if (!made.ok()) {
    RunError(made.error().WithContext("looking for the volumes of restore " + report_.restore_id));
    return;
  }
  for (auto& row : report_.volumes) {
    for (const auto& v : *made) {
      if (v.TagValue(kTagRestoredFrom) == row.snapshot_id) {
        row.volume_id = v.volume_id;
        row.state = v.state;
      }
    }
    if (!row.volume_id.empty()) continue;
    if (ctx_.Cancelled()) {
      row.state = "not made";
      row.errors.push_back(Failure(Step::kRestore, "Cancelled", "cancelled (" + ctx_.CancelReason() + ") first"));
      continue;
    }
    const auto snap = std::find_if(set_.snapshots.begin(), set_.snapshots.end(),
                                   [&](const aws::Snapshot& s) { return s.snapshot_id == row.snapshot_id; });
    auto v = ctx_.ec2->CreateVolume(RequestFor(row, *snap));
    if (!v.ok()) {
      row.state = "failed";
      row.errors.push_back(FailureFrom(Step::kRestore, v.error().WithContext("CreateVolume from " + row.snapshot_id)));
      continue;
    }
    row.volume_id = v->volume_id;
    row.state = v->state;
    row.created = true;
    ctx_.Log(LogLevel::kInfo, "volume created", {{"snapshot", row.snapshot_id}, {"volume", row.volume_id}});
  }
}

void Restorer::AwaitAvailable() {
  const auto deadline = ctx_.clock->Steady() + spec_.wait_timeout;
  for (int round = 0;; ++round) {
    std::vector<std::string> waiting;
    for (const auto& row : report_.volumes) {
      if (!row.volume_id.empty() && row.state == "creating") waiting.push_back(row.volume_id);
    }
    if (waiting.empty()) return;
    if (ctx_.clock->Steady() >= deadline || ctx_.Cancelled()) break;
    if (round > 0 && !SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, ctx_.Backoff(round))) break;
    aws::DescribeVolumesRequest req;
    req.filters = {{"volume-id", waiting}};
    auto now = aws::DescribeAllVolumes(*ctx_.ec2, req);
    if (!now.ok()) continue;  // the next round asks again
    for (auto& row : report_.volumes) {
      for (const auto& v : *now) {
        if (v.volume_id == row.volume_id) row.state = v.state;
      }
      if (row.state == "error" && row.errors.empty()) {
        row.errors.push_back(Failure(Step::kRestore, "VolumeError", row.volume_id + " ended in state 'error'"));
      }
    }
  }
  for (auto& row : report_.volumes) {
    if (row.state != "creating") continue;
    row.errors.push_back(Failure(Step::kRestore, ctx_.Cancelled() ? "Cancelled" : "WaitTimeout",
                                 row.volume_id + " still 'creating'; it is kept, tagged with the restore id"));
  }
}

void Restorer::Attach() {
  if (!target_) return;
  std::vector<RestoredVolume*> todo;
  for (auto& row : report_.volumes) {
    if (row.state == "available" && row.ok()) todo.push_back(&row);
  }
  auto current = Instance(target_->instance_id);  // its devices now, not at the start
  if (!current || current->instance_id.empty()) return;
  const std::vector<std::string> devices = FreeDevices(*current, todo.size());
  for (size_t i = 0; i < todo.size(); ++i) {
    RestoredVolume& row = *todo[i];
    if (i >= devices.size()) {
      row.errors.push_back(Failure(Step::kRestore, "NoFreeDevice",
                                   "no free device name left on " + target_->instance_id + " (/dev/sdf-sdz)"));
      continue;
    }
    if (ctx_.Cancelled()) {
      row.errors.push_back(
          Failure(Step::kRestore, "Cancelled", "not attached: cancelled (" + ctx_.CancelReason() + ")"));
      continue;
    }
    auto a = ctx_.ec2->AttachVolume(row.volume_id, target_->instance_id, devices[i]);
    if (!a.ok()) {
      row.errors.push_back(FailureFrom(Step::kRestore, a.error().WithContext("AttachVolume " + row.volume_id)));
      continue;
    }
    row.attached_device = devices[i];
    row.state = a->state.empty() ? "attaching" : a->state;
  }
}

// The volumes as EC2 has them now: their state, and where they are attached
// on the target (also those an earlier attempt of this restore attached).
void Restorer::Refresh() {
  std::vector<std::string> ids;
  for (const auto& row : report_.volumes) {
    if (!row.volume_id.empty()) ids.push_back(row.volume_id);
  }
  if (ids.empty()) return;
  aws::DescribeVolumesRequest req;
  req.filters = {{"volume-id", ids}};
  auto now = aws::DescribeAllVolumes(*ctx_.ec2, req);
  if (!now.ok()) return;  // the report keeps what the calls answered
  for (auto& row : report_.volumes) {
    for (const auto& v : *now) {
      if (v.volume_id != row.volume_id) continue;
      row.state = v.state;
      for (const auto& a : v.attachments) {
        if (target_ && a.instance_id == target_->instance_id) row.attached_device = a.device;
      }
    }
  }
}

// The checks before an in-place restore touches anything: the instance
// stopped (or --stop), every snapshot's device known.
bool Restorer::ReadyForInPlace() {
  if (target_->state != "stopped" && !spec_.stop) {
    report_.run_errors.push_back(Failure(
        Step::kRestore, "InstanceNotStopped",
        target_->instance_id + " is " + target_->state + ": stop it first, or give --stop (it is started again)"));
    return false;
  }
  for (const auto& row : report_.volumes) {
    if (!row.device.empty()) continue;
    report_.run_errors.push_back(Failure(Step::kRestore, "UnknownDevice",
                                         row.snapshot_id + " has no s3snapshot:device tag and its volume is not "
                                                           "attached: its device is unknown, nothing is replaced"));
    return false;
  }
  return true;
}

// Stopped (under the restart guarantee), swapped (under the rollback
// guarantee), and the instance started again if it ran before.
void Restorer::Swap(Ledger& ledger, Restarter& restarter, Rollback& rollback) {
  const std::string id = target_->instance_id;
  std::vector<Rollback::Device> devices;
  for (const auto& row : report_.volumes) {
    std::string original;
    for (const auto& bd : target_->block_devices) {
      if (SameDevice(bd.device_name, row.device)) original = bd.volume_id;
    }
    devices.push_back({row.device, original, row.volume_id});
  }
  rollback.Register(devices);  // before anything is detached
  bool stopped = target_->state == "stopped";
  if (!stopped) {
    StopThenHandOn(ctx_, ledger, restarter, {id}, spec_.stop_timeout, [&](const std::string&) { stopped = true; });
  }
  if (stopped) {
    auto st = rollback.Swap();
    if (st.ok()) {
      rollback.Commit();
    } else {
      RunError(st.error().WithContext("replacing the volumes of " + id + "; rolling back"));
    }
  }
  rollback.Finish();
  for (const auto& f : rollback.failures()) report_.run_errors.push_back(f);
  report_.replaced = rollback.committed();
  report_.rolled_back = rollback.rolled_back();
  restarter.Queue(id);
  restarter.Finish();
  if (!report_.replaced) return;
  for (const auto& d : devices) {
    if (d.original.empty()) continue;
    auto t = ctx_.ec2->CreateTags({d.original}, {{kTagReplacedBy, d.restored}});
    if (!t.ok()) ctx_.Log(LogLevel::kWarn, "could not tag a replaced volume", {{"volume", d.original}});
  }
}

void Restorer::InPlace() {
  CreateVolumes();
  AwaitAvailable();
  for (const auto& row : report_.volumes) {
    if (!row.ok() || row.state != "available") return;  // nothing detached; the volumes stay, tagged
  }
  Ledger ledger;
  report::InstanceReport row;
  row.instance_id = target_->instance_id;
  row.state_before = row.state_after = target_->state;
  ledger.Add(row);
  {
    // Destroyed in reverse: the rollback finishes before the restart.
    Restarter restarter(ctx_, ledger, spec_.restart_timeout);
    Rollback rollback(ctx_, target_->instance_id, spec_.restart_timeout);
    Swap(ledger, restarter, rollback);
  }
  for (auto& r : ledger.Take()) {
    report_.stopped_by_run = r.stopped_by_run;
    report_.restarted = r.restarted;
    for (auto& e : r.errors) report_.run_errors.push_back(std::move(e));
  }
  Refresh();
}

// A dry run's devices: where the volumes would be attached now.
void Restorer::PlanDevices() {
  if (!target_) return;
  if (spec_.in_place) {
    for (auto& row : report_.volumes) row.attached_device = row.device;
    return;
  }
  const std::vector<std::string> devices = FreeDevices(*target_, report_.volumes.size());
  for (size_t i = 0; i < report_.volumes.size() && i < devices.size(); ++i) {
    report_.volumes[i].attached_device = devices[i];  // state "planned" says it is not yet
  }
}

report::RestoreReport Restorer::Run() {
  const auto t0 = ctx_.clock->Steady();
  report_.run_id = ctx_.run_id;
  report_.region = ctx_.ec2->region();
  report_.started_at = core::FormatIso8601(ctx_.clock->Now());
  report_.dry_run = spec_.dry_run;
  report_.source_instance_id = spec_.restore_instance;
  report_.restore_id = spec_.restore_id.empty() ? "restore-" + ctx_.run_id : spec_.restore_id;
  report_.in_place = spec_.in_place;
  try {
    if (ChooseTheSet() && ChooseTheTarget()) {
      Plan();
      if (spec_.in_place && !ReadyForInPlace()) {
        // Refused before anything is made (a dry run says so too).
      } else if (spec_.dry_run) {
        PlanDevices();
      } else if (spec_.in_place) {
        InPlace();
      } else {
        CreateVolumes();
        AwaitAvailable();
        Attach();
        Refresh();
      }
    }
  } catch (...) {
    // The volumes made so far stay in the report (and carry the restore id).
    report_.run_errors.push_back(
        Failure(Step::kInternal, "InternalError", "internal error: " + core::WhatOf(std::current_exception())));
  }
  if (ctx_.Cancelled()) {
    report_.cancelled = true;
    report_.cancel_reason = ctx_.CancelReason();
  }
  report_.finished_at = core::FormatIso8601(ctx_.clock->Now());
  report_.seconds = std::chrono::duration<double>(ctx_.clock->Steady() - t0).count();
  return std::move(report_);
}

}  // namespace

report::RestoreReport RunRestore(const spec::JobSpec& spec, const JobContext& ctx) { return Restorer(spec, ctx).Run(); }

}  // namespace s3snapshot::job
