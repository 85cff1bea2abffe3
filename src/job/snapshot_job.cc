#include "job/snapshot_job.h"

#include <algorithm>
#include <exception>

#include "core/chunks.h"
#include "core/worker_pool.h"
#include "job/copier.h"
#include "job/dedupe.h"
#include "job/drill.h"
#include "job/exclusions.h"
#include "job/late_errors.h"
#include "job/retention.h"
#include "job/select.h"
#include "job/stopper.h"
#include "job/waiter.h"

namespace s3snapshot::job {

using aws::Instance;
using core::LogLevel;
using core::WhatOf;
using report::Failure;
using report::FailureFrom;
using report::FailureRecord;
using report::InstanceReport;
using report::SnapshotRecord;
using report::Step;

Job::Job(const spec::JobSpec& spec, const JobContext& ctx)
    : spec_(spec),
      ctx_(ctx),
      restarter_(ctx, ledger_, spec.restart_timeout),
      thawer_(ctx, ledger_, spec),
      device_tagger_(ctx, ledger_, slowest_create_),
      locker_(ctx, ledger_, LockOptionsOf(spec)) {}

report::SnapshotReport Job::Run() {
  auto t0 = ctx_.clock->Steady();
  report_.run_id = ctx_.run_id;
  report_.region = ctx_.ec2->region();
  report_.started_at = core::FormatIso8601(ctx_.clock->Now());
  report_.dry_run = spec_.dry_run;
  report_.label = spec_.label;
  when_ = report_.started_at;
  try {
    if (spec_.HasScripts() && ctx_.ssm == nullptr) {
      // A composition bug; never a silent crash-consistent run.
      report_.run_errors.push_back(
          Failure(Step::kInternal, "InternalError", "scripts were asked for without an SSM client"));
      return Conclude();
    }
    if (Select()) {
      LookUpOptOuts();
      Plan plan = Classify();
      if (spec_.min_interval.count() > 0) SkipRecent(ctx_, ledger_, spec_, &plan.to_stop, &plan.to_snapshot);
      if (spec_.dry_run) {
        RecordPlan(plan);
      } else {
        late_errors_.Start(ctx_, SelectedVolumes());
        if (!instances_.empty()) sweep_.Start(spec_, ctx_);  // a scope that selected nothing costs its selection only
        SnapshotAll(plan);
        thawer_.Finish();
        // Restarts first: device tags are a convenience and must never hold
        // instances stopped (nor spend a deadline's reserve).
        restarter_.Finish();
        if (spec_.min_interval.count() > 0) device_tagger_.Forget(YieldToEarlierSets(ctx_, ledger_, spec_));
        device_tagger_.Flush();
        if (spec_.wait) WaitForRunSnapshots(ctx_, ledger_, spec_.wait_timeout);
        // Copies never wait for their sources (copier.h): a source still
        // pending is queued for a later run or its completion event.
        if (!spec_.copy_to_regions.empty()) {
          CopyToDestinations();
          RetainInDestinations();
        }
        ReportLateErrors();
      }
    }
    RetainInSourceRegion();
    sweep_.Finish(&report_.drill_volumes_swept, &report_.drill_volumes_left);
  } catch (...) {
    InternalError("run", WhatOf(std::current_exception()));
  }
  thawer_.Finish();  // no-ops unless an exception skipped them above
  restarter_.Finish();
  report_.seconds = std::chrono::duration<double>(ctx_.clock->Steady() - t0).count();
  return Conclude();
}

bool Job::Select() {
  auto sel = SelectWithRetries(ctx_, spec_);
  if (!sel.ok()) {
    report_.selection_failed = true;
    report_.run_errors.push_back(FailureFrom(Step::kSelect, sel.error()));
    return false;
  }
  report_.not_found = sel->not_found;
  report_.not_matching_tags = sel->not_matching_tags;
  for (auto& inst : sel->instances) {
    InstanceReport r;
    r.instance_id = inst.instance_id;
    r.name = inst.TagValue("Name");
    r.state_before = inst.state;
    r.state_after = inst.state;
    ledger_.Add(std::move(r));
    work_began_at_[inst.instance_id] = {};
    std::string id = inst.instance_id;
    instances_.emplace(std::move(id), std::move(inst));  // one copy of each instance, not two
  }
  return true;
}

void Job::LookUpOptOuts() { opted_out_ = OptedOutVolumes(*ctx_.ec2, SelectedVolumes(), &report_.run_errors); }

Job::Plan Job::Classify() {
  Plan plan;
  ledger_.ForEach([&](InstanceReport& r) {
    const Instance& inst = instances_.at(r.instance_id);
    const Exclusions excl = ExclusionsFor(inst, spec_, opted_out_);
    for (const auto& w : excl.warnings) r.warnings.push_back(w);
    if (inst.block_devices.empty()) {
      r.errors.push_back(Failure(Step::kSelect, "NoEbsVolumes", "no EBS volumes attached: nothing to snapshot"));
    } else if (excl.data_volume_ids.size() > spec::kMaxExcludedDevices) {
      r.errors.push_back(Failure(Step::kSelect, "TooManyExclusions",
                                 std::to_string(excl.data_volume_ids.size()) + " volumes excluded, at most " +
                                     std::to_string(spec::kMaxExcludedDevices) + " (EC2's limit)"));
    } else if (excl.kept.empty()) {
      // Asked for: not a failure, and nothing to stop for.
      r.skipped = "excluded: every volume is excluded (--exclude-boot, --exclude-device, s3snapshot:exclude=true)";
    } else if (spec_.stopped && inst.state != "stopped") {
      r.errors.push_back(Failure(Step::kSelect, "InstanceNotStopped",
                                 "state is '" + inst.state + "'; --stopped snapshots only stopped instances"));
    } else if (spec_.stop && (inst.state == "running" || inst.state == "pending")) {
      plan.to_stop.push_back(r.instance_id);
    } else {
      plan.to_snapshot.push_back(r.instance_id);
      if (spec_.HasScripts() && inst.state != "running") {
        r.scripts.used = true;
        r.scripts.consistency = "stopped";
        r.warnings.push_back("no scripts: the instance is " + inst.state + " (nothing to freeze)");
      }
    }
  });
  if (!spec_.dry_run) {
    if (spec_.all && spec_.stop && !plan.to_stop.empty()) {
      ctx_.Log(LogLevel::kWarn, "--all --stop: stopping " + std::to_string(plan.to_stop.size()) +
                                    " running instance(s) in " + report_.region);
    }
    ctx_.Log(LogLevel::kInfo,
             "selected " + std::to_string(ledger_.size()) + " instance(s); " + std::to_string(plan.to_stop.size()) +
                 " to stop",
             {{"run_id", report_.run_id}, {"region", report_.region}});
  }
  return plan;
}

void Job::RecordPlan(const Plan& plan) {
  ledger_.ForEach([&](InstanceReport& r) {
    if (!r.errors.empty() || !r.skipped.empty()) return;
    r.would_stop = std::find(plan.to_stop.begin(), plan.to_stop.end(), r.instance_id) != plan.to_stop.end();
    r.dry_run_only = true;
    if (spec_.HasScripts() && instances_.at(r.instance_id).state == "running") r.scripts.used = true;
    for (const auto& bd : ExclusionsFor(instances_.at(r.instance_id), spec_, opted_out_).kept) {
      SnapshotRecord planned{"", bd.volume_id, bd.device_name, "planned", {}};
      for (const auto& region : spec_.copy_to_regions) planned.copies.push_back({region, "", "planned"});
      r.snapshots.push_back(planned);
    }
  });
}

void Job::SnapshotAll(const Plan& plan) {
  const size_t workers = std::min<size_t>(static_cast<size_t>(std::max(1, spec_.concurrency)), plan.to_snapshot.size());
  core::WorkerPool pool(static_cast<int>(std::max<size_t>(1, workers)), [this](const std::string& what) {
    // Only a throw outside SnapshotInstance's own guard gets here.
    ctx_.Log(LogLevel::kError, "internal error in a snapshot task: " + what);
  });
  auto task = [this](std::string id, bool restart_after) {
    return [this, id = std::move(id), restart_after] {
      try {
        SnapshotInstance(id, restart_after);
      } catch (...) {
        // This instance's failure; the others go on. If it was stopped, the
        // restarter still owes it a start (its final phase sees to it).
        ledger_.AddError(
            id, Failure(Step::kSnapshot, "InternalError", "internal error: " + WhatOf(std::current_exception())));
        restarter_.Queue(id);
        thawer_.Queue(id);
      }
    };
  };
  auto scripted = [this](const std::string& id) { return thawer_.enabled() && instances_.at(id).state == "running"; };
  for (const auto& id : plan.to_snapshot) {
    if (!scripted(id)) pool.Submit(task(id, false));
  }
  if (thawer_.enabled()) {
    // In waves no larger than the pool, so that no host stays frozen while
    // it waits for a worker, and at most 50 ids a SendCommand.
    std::vector<std::string> hosts;
    for (const auto& id : plan.to_snapshot) {
      if (scripted(id)) hosts.push_back(id);
    }
    const size_t wave = std::min<size_t>(Thawer::kBatch, static_cast<size_t>(std::max(1, spec_.concurrency)));
    for (const auto& ids : core::Chunks(hosts, wave)) {
      for (const auto& id : ids) work_began_at_.at(id) = ctx_.clock->Steady();
      try {
        if (!ctx_.Cancelled()) thawer_.SendPre(ids);  // cancelled: nothing sent, the tasks say so
      } catch (...) {
        // These instances' failure (they stay owed their post-script); the
        // wave goes on as after a failed pre-script.
        for (const auto& id : ids) {
          ledger_.AddError(id,
                           Failure(Step::kPreScript, "InternalError",
                                   "internal error while sending the pre-script: " + WhatOf(std::current_exception())));
        }
      }
      for (const auto& id : ids) pool.Submit(task(id, false));
      pool.Wait();
    }
  }
  if (!plan.to_stop.empty()) {
    for (const auto& id : plan.to_stop) work_began_at_.at(id) = ctx_.clock->Steady();
    StopThenHandOn(ctx_, ledger_, restarter_, plan.to_stop, spec_.stop_timeout,
                   [&](const std::string& id) { pool.Submit(task(id, true)); });
  }
  pool.Wait();
}

void Job::SnapshotInstance(const std::string& id, bool restart_after) {
  const Instance& inst = instances_.at(id);
  auto& began = work_began_at_.at(id);
  if (began == std::chrono::steady_clock::time_point{}) began = ctx_.clock->Steady();
  // Out of time for another CreateSnapshots (twice the slowest so far must
  // fit before the deadline; a call cannot be taken back): the whole run
  // stops starting work, as at the deadline itself.
  if (slowest_create_.NoTimeForAnother(ctx_)) ctx_.cancel->Cancel("deadline");
  if (!AwaitPreScript(id)) {
    // Skipped (--on-script-failure skip): its post-script is sent below.
  } else if (ctx_.Cancelled()) {
    ledger_.AddError(id, Failure(Step::kSnapshot, "Cancelled",
                                 "cancelled (" + ctx_.CancelReason() + ") before the snapshot was taken"));
  } else {
    const Exclusions excl = ExclusionsFor(inst, spec_, opted_out_);
    aws::CreateSnapshotsRequest req;
    req.instance_id = id;
    req.exclude_boot_volume = excl.boot;
    req.exclude_data_volume_ids = excl.data_volume_ids;
    req.description = SnapshotDescription(inst, spec_.label, when_);
    req.tags = SnapshotTags(inst, spec_.protect, spec_.label, ctx_.run_id,
                            CopyToTagValue({spec_.copy_to_regions.begin(), spec_.copy_to_regions.end()}));
    auto snaps = CreateSnapshotSetExactlyOnce(ctx_, req, &slowest_create_, [&] { Release(id, restart_after); });
    if (snaps.ok()) {
      std::vector<SnapshotRecord> recs;
      std::set<std::string> covered;
      for (const auto& s : *snaps) {
        std::string device;
        for (const auto& bd : inst.block_devices) {
          if (bd.volume_id == s.volume_id) device = bd.device_name;
        }
        covered.insert(s.volume_id);
        recs.push_back({s.snapshot_id, s.volume_id, device, s.state.empty() ? "pending" : s.state, {}});
      }
      ledger_.Update(id, [&](InstanceReport& r) {
        r.snapshots = recs;
        r.snapshotted = true;
        for (const auto& bd : excl.kept) {
          if (covered.count(bd.volume_id)) continue;
          r.snapshotted = false;
          r.errors.push_back(
              Failure(Step::kSnapshot, "VolumeNotSnapshotted",
                      "CreateSnapshots returned no snapshot for volume " + bd.volume_id + " (" + bd.device_name + ")"));
        }
      });
      ctx_.Log(LogLevel::kInfo, "snapshotted", {{"instance", id}, {"snapshots", std::to_string(recs.size())}});
      // Restart first: the point in time is fixed once CreateSnapshots answered.
      if (restart_after) restarter_.Queue(id);
      restart_after = false;
      device_tagger_.Add(inst, *snaps);
    } else {
      ledger_.AddError(id, FailureFrom(Step::kSnapshot, snaps.error()));
      ctx_.Log(LogLevel::kError, "snapshot failed", {{"instance", id}, {"error", snaps.error().ToString()}});
    }
  }
  Release(id, restart_after);
  locker_.Lock(id);  // after the thaw and restart are queued: they never wait for it
  double seconds = std::chrono::duration<double>(ctx_.clock->Steady() - began).count();
  ledger_.Update(id, [&](InstanceReport& r) { r.seconds = seconds; });
}

// The thaw and the restart as soon as no CreateSnapshots will be sent for
// the instance again (it answered, was not sent, or was given up on).
void Job::Release(const std::string& id, bool restart_after) {
  thawer_.Queue(id);
  if (restart_after) restarter_.Queue(id);
}

bool Job::AwaitPreScript(const std::string& id) {
  if (!thawer_.enabled() || instances_.at(id).state != "running") return true;
  return thawer_.AwaitPreAndRecord(id);
}

void Job::CopyToDestinations() {
  // This run's snapshots, in the state EC2 gives now (one batched look, no
  // waiting: a source still pending is queued for a later run or event).
  const std::set<std::string> regions(spec_.copy_to_regions.begin(), spec_.copy_to_regions.end());
  std::vector<CopySource> sources;
  ledger_.ForEach([&](InstanceReport& r) {
    const Instance& inst = instances_.at(r.instance_id);
    for (const auto& s : r.snapshots) {
      if (s.snapshot_id.empty()) continue;
      CopySource c;
      c.instance_id = r.instance_id;
      c.snapshot_id = s.snapshot_id;
      c.volume_id = s.volume_id;
      c.device = s.device;
      c.state = s.state;
      c.tags = SnapshotTags(inst, spec_.protect, spec_.label, ctx_.run_id);
      c.description = SnapshotDescription(inst, spec_.label, when_);
      c.owed = regions;
      c.this_run = true;
      sources.push_back(std::move(c));
    }
  });
  RefreshSourceStates(ctx_, &sources);
  RecordCopies(job::CopyToDestinations(ctx_, std::move(sources), regions, SelectedVolumes(), true,
                                       CopyOptionsFor(spec_, report_.region)),
               ledger_, &report_);
}

void Job::ReportLateErrors() { late_errors_.ReportInto(ledger_, &report_.run_errors); }

std::vector<std::string> Job::SelectedVolumes() const {
  std::vector<std::string> volumes;
  for (const auto& [id, inst] : instances_) {
    for (const auto& bd : inst.block_devices) volumes.push_back(bd.volume_id);
  }
  return volumes;
}

std::set<std::string> Job::FreshVolumes(bool warn_skipped) {
  // Only volumes whose snapshot this run has made (or, in a dry run, would
  // make): a failure today never costs an older snapshot.
  std::set<std::string> volumes;
  ledger_.ForEach([&](InstanceReport& r) {
    bool fresh = spec_.dry_run ? r.errors.empty() : r.snapshotted && r.ok();
    if (!fresh) {
      if (warn_skipped && !r.errors.empty()) {
        r.warnings.push_back("retention skipped for this instance: its snapshot did not succeed");
      }
      return;
    }
    for (const auto& s : r.snapshots) volumes.insert(s.volume_id);
  });
  return volumes;
}

void Job::RetainInDestinations() {
  // Every selected volume's copies, snapshotted today or not, by the same rules.
  RetainRunCopies(ctx_, spec_, SelectedVolumes(), &report_);
}

void Job::RetainInSourceRegion() {
  // Never after a run error or a cancellation.
  if (!spec_.HasRetention() || !report_.run_errors.empty() || ctx_.Cancelled()) return;
  ApplyRunRetention(spec_, ctx_, FreshVolumes(true), &report_);
}

void Job::InternalError(const std::string& where, const std::string& what) {
  report_.run_errors.push_back(
      Failure(Step::kInternal, "InternalError", "internal error in the " + where + ": " + what));
  ctx_.Log(LogLevel::kError, "internal error; restarting what the run stopped before it ends", {{"error", what}});
}

report::SnapshotReport Job::Conclude() {
  if (ctx_.Cancelled()) {
    report_.cancelled = true;
    report_.cancel_reason = ctx_.CancelReason();
  }
  report_.finished_at = core::FormatIso8601(ctx_.clock->Now());
  report_.instances = ledger_.Take();
  return std::move(report_);
}

report::SnapshotReport RunSnapshotJob(const spec::JobSpec& spec, const JobContext& ctx) {
  JobContext with_id = ctx;
  if (with_id.run_id.empty()) with_id.run_id = NewRunId(*ctx.clock);
  Job job(spec, with_id);
  return job.Run();
}

}  // namespace s3snapshot::job
