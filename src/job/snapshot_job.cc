#include "job/snapshot_job.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/retry.h"
#include "job/plan.h"
#include "job/retention.h"
#include "job/waiter.h"

namespace s3snapshot::job {

using aws::Instance;
using core::Error;
using core::ErrorKind;

namespace {

// A fixed set of workers draining a queue. Wait() returns when all submitted
// work has run.
class WorkerPool {
 public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> l(mu_);
      queue_.push_back(std::move(f));
      ++pending_;
    }
    cv_.notify_one();
  }
  void Wait() {
    std::unique_lock<std::mutex> l(mu_);
    idle_cv_.wait(l, [this] { return pending_ == 0; });
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f();
      bool idle;
      {
        std::lock_guard<std::mutex> l(mu_);
        idle = --pending_ == 0;
      }
      if (idle) idle_cv_.notify_all();  // only Wait() listens: no wake-up per task
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  int pending_ = 0;
  bool done_ = false;
};

bool IsRetryableAtJobLevel(const Error& e) {
  return e.kind == ErrorKind::kThrottled || e.kind == ErrorKind::kTransient ||
         e.kind == ErrorKind::kTransport || e.kind == ErrorKind::kLimit;
}

FailureRecord Failure(const std::string& step, const Error& e) {
  return FailureRecord{step, e.code.empty() ? core::ErrorKindName(e.kind) : e.code, e.message,
                       e.request_id};
}

bool IsReservedTagKey(const std::string& key) {
  return key.rfind("aws:", 0) == 0 || key.rfind("s3snapshot:", 0) == 0 || key == kTagScripted ||
         key == kTagState || key == "Name";
}

class Job {
 public:
  Job(const JobSpec& spec, JobContext& ctx) : spec_(spec), ctx_(ctx) {}

  Report Run();

 private:
  InstanceReport& Rep(const std::string& id) { return report_.instances[index_.at(id)]; }
  void AddError(const std::string& id, const FailureRecord& f) {
    std::lock_guard<std::mutex> l(mu_);
    Rep(id).errors.push_back(f);
  }
  bool Stopping() const { return ctx_.cancel != nullptr && ctx_.cancel->ShouldStop(*ctx_.clock); }
  core::Duration Backoff(int attempt) const {
    auto ms = ctx_.poll_initial.count() << std::min(attempt, 10);
    return core::Duration(std::min<long long>(ms, ctx_.poll_max.count()));
  }
  double SecondsSince(std::chrono::steady_clock::time_point t) const {
    return std::chrono::duration<double>(ctx_.clock->Steady() - t).count();
  }

  void StopPhase(const std::vector<std::string>& ids, WorkerPool& pool);
  void SnapshotInstance(const std::string& id, bool restart_after);
  core::Result<std::vector<aws::Snapshot>> CreateSnapshotsOnce(const Instance& inst);
  std::vector<aws::Snapshot> FindRunSnapshots(const std::string& instance_id);
  void TagDevices(const Instance& inst, const std::vector<aws::Snapshot>& snaps);
  void FlushDeviceTags();
  struct DeviceTagItem {
    std::string snapshot_id;
    size_t report_index;
  };
  static constexpr size_t kDeviceTagBatch = 1000;  // resource ids per CreateTags call
  void SendDeviceTags(const std::string& device, const std::vector<DeviceTagItem>& items);
  std::map<std::string, std::vector<DeviceTagItem>> device_tags_;  // device -> snapshots to tag
  bool StartOne(const std::string& id);
  void RestartGuarantee();
  void Retention();
  void WaitForCompletion();
  void CopyToRegions();
  void Log(core::LogLevel level, const std::string& msg, const core::LogFields& f = {}) {
    if (ctx_.logger && ctx_.logger->Enabled(level)) ctx_.logger->Log(level, msg, f);
  }

  const JobSpec& spec_;
  JobContext& ctx_;
  Report report_;
  std::mutex mu_;  // guards report_ and need_restart_
  std::map<std::string, size_t> index_;
  std::map<std::string, Instance> instances_;
  std::map<std::string, std::chrono::steady_clock::time_point> started_at_;
  std::set<std::string> need_restart_;  // stopped (or maybe stopped) by this run, not started yet
  std::string when_;
  std::atomic<long long> slowest_create_ms_{0};  // the slowest CreateSnapshots call so far

  // Restarts are batched: StartInstances' request bucket is small (5, then 2
  // per second), so one call per instance would make a large fleet wait.
  // SnapshotInstance queues; one starter thread sends everything queued in
  // one call whenever it can.
  void QueueStart(const std::string& id);
  void StarterLoop();
  std::mutex start_mu_;
  std::condition_variable start_cv_;
  std::vector<std::string> start_queue_;
  bool start_done_ = false;
};

Report Job::Run() {
  auto t0 = ctx_.clock->Steady();
  report_.run_id = ctx_.run_id;
  report_.region = ctx_.ec2->region();
  report_.started_at = core::FormatIso8601(ctx_.clock->Now());
  report_.dry_run = spec_.dry_run;
  report_.label = spec_.label;
  when_ = report_.started_at;

  // Selection only reads: a burst of server errors or lost connections that
  // outlasts the client's own attempts is worth a few more rounds before the
  // run gives up (a lost answer to a read is safe to ask again).
  auto sel = SelectInstances(*ctx_.ec2, spec_);
  auto retry_select = [](const Error& e) { return IsRetryableAtJobLevel(e) || e.kind == ErrorKind::kAmbiguous; };
  for (int round = 0; !sel.ok() && retry_select(sel.error()) && round < 3 && !Stopping(); ++round) {
    Log(core::LogLevel::kWarn, "selecting instances failed; trying again", {{"error", sel.error().ToString()}});
    if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, Backoff(round + 1))) break;
    sel = SelectInstances(*ctx_.ec2, spec_);
  }
  if (!sel.ok()) {
    report_.run_errors.push_back(Failure("select", sel.error()));
  } else {
    report_.not_found = sel->not_found;
    report_.not_matching_tags = sel->not_matching_tags;
    for (const auto& id : sel->not_found) {
      Log(core::LogLevel::kError, "instance not found (or terminated)", {{"instance", id}});
    }
    for (const auto& id : sel->not_matching_tags) {
      Log(core::LogLevel::kInfo, "instance does not match the tags; skipped", {{"instance", id}});
    }
    report_.instances.reserve(sel->instances.size());
    for (auto& inst : sel->instances) {
      index_[inst.instance_id] = report_.instances.size();
      InstanceReport r;
      r.instance_id = inst.instance_id;
      r.name = inst.TagValue("Name");
      r.state_before = inst.state;
      r.state_after = inst.state;
      report_.instances.push_back(std::move(r));
      std::string id = inst.instance_id;
      instances_.emplace(std::move(id), std::move(inst));  // one copy of each instance, not two
    }
    std::vector<Instance>().swap(sel->instances);
  }

  std::vector<std::string> to_stop, to_snapshot;
  for (auto& r : report_.instances) {
    const Instance& inst = instances_[r.instance_id];
    if (inst.block_devices.empty()) {
      r.errors.push_back({"select", "NoEbsVolumes", "no EBS volumes attached: nothing to snapshot", ""});
      continue;
    }
    if (spec_.stopped && inst.state != "stopped") {
      r.errors.push_back({"select", "InstanceNotStopped",
                          "state is '" + inst.state + "'; --stopped snapshots only stopped instances", ""});
      continue;
    }
    if (spec_.stop && (inst.state == "running" || inst.state == "pending")) {
      to_stop.push_back(r.instance_id);
    } else {
      to_snapshot.push_back(r.instance_id);
    }
  }

  if (spec_.dry_run) {
    for (auto& r : report_.instances) {
      if (!r.errors.empty()) continue;
      r.stopped_by_run = std::find(to_stop.begin(), to_stop.end(), r.instance_id) != to_stop.end();
      r.dry_run_only = true;
      for (const auto& bd : instances_[r.instance_id].block_devices) {
        SnapshotRecord planned{"", bd.volume_id, bd.device_name, "planned", {}};
        for (const auto& region : spec_.copy_to_regions) planned.copies.push_back({region, "", "planned"});
        r.snapshots.push_back(planned);
      }
    }
  } else {
    if (spec_.all && spec_.stop && !to_stop.empty()) {
      Log(core::LogLevel::kWarn, "--all --stop: stopping " + std::to_string(to_stop.size()) +
                                     " running instance(s) in " + report_.region);
    }
    Log(core::LogLevel::kInfo, "selected " + std::to_string(report_.instances.size()) +
                                   " instance(s); " + std::to_string(to_stop.size()) + " to stop",
        {{"run_id", report_.run_id}, {"region", report_.region}});
    {
      std::thread starter([this] { StarterLoop(); });
      {
        WorkerPool pool(spec_.concurrency);
        for (const auto& id : to_snapshot) {
          pool.Submit([this, id] { SnapshotInstance(id, false); });
        }
        if (!to_stop.empty()) StopPhase(to_stop, pool);
        pool.Wait();
      }
      {
        std::lock_guard<std::mutex> l(start_mu_);
        start_done_ = true;
      }
      start_cv_.notify_all();
      starter.join();
    }
    // Restarts first: device tags are a convenience and must never hold
    // instances stopped (nor spend a deadline's reserve).
    RestartGuarantee();
    FlushDeviceTags();
    if (!spec_.copy_to_regions.empty()) {
      CopyToRegions();
    } else if (spec_.wait) {
      WaitForCompletion();
    }
  }
  Retention();

  if (ctx_.cancel && ctx_.cancel->ShouldStop(*ctx_.clock)) {
    report_.cancelled = true;
    report_.cancel_reason = ctx_.cancel->reason();
  }
  report_.finished_at = core::FormatIso8601(ctx_.clock->Now());
  report_.seconds = SecondsSince(t0);
  if (ctx_.api_stats) {
    auto [calls, throttled] = ctx_.api_stats();
    report_.api_calls = calls;
    report_.throttled = throttled;
  }
  return std::move(report_);
}

void Job::StopPhase(const std::vector<std::string>& ids, WorkerPool& pool) {
  std::set<std::string> waiting;
  const size_t kBatch = 50;
  for (size_t b = 0; b < ids.size() && !Stopping(); b += kBatch) {
    std::vector<std::string> batch(ids.begin() + static_cast<long>(b),
                                   ids.begin() + static_cast<long>(std::min(b + kBatch, ids.size())));
    {
      // Registered before the call: if the answer is lost, the instances may
      // be stopping all the same and must be started again.
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& id : batch) {
        need_restart_.insert(id);
        Rep(id).stopped_by_run = true;
        started_at_[id] = ctx_.clock->Steady();
      }
    }
    auto r = ctx_.ec2->StopInstances(batch);
    std::vector<std::string> accepted;
    if (r.ok()) {
      accepted = batch;
    } else if (r.error().kind == ErrorKind::kAmbiguous || IsRetryableAtJobLevel(r.error())) {
      accepted = batch;  // may have been applied: wait on them; the guard will start them
      Log(core::LogLevel::kWarn, "StopInstances outcome unknown; waiting on the instances",
          {{"error", r.error().ToString()}});
    } else {
      // One bad instance fails the whole batch: try each alone to isolate it.
      for (const auto& id : batch) {
        auto one = batch.size() == 1 ? r : ctx_.ec2->StopInstances({id});
        if (one.ok() || one.error().kind == ErrorKind::kAmbiguous) {
          accepted.push_back(id);
        } else {
          std::lock_guard<std::mutex> l(mu_);
          Rep(id).errors.push_back(Failure("stop", one.error()));
          Rep(id).stopped_by_run = false;
          need_restart_.erase(id);
        }
      }
    }
    for (const auto& id : accepted) waiting.insert(id);
    Log(core::LogLevel::kInfo, "stopping " + std::to_string(accepted.size()) + " instance(s)");
  }

  auto deadline = ctx_.clock->Steady() + spec_.stop_timeout;
  int round = 0;
  auto last_progress = ctx_.clock->Steady();
  while (!waiting.empty()) {
    std::vector<std::string> ids_now(waiting.begin(), waiting.end());
    for (size_t i = 0; i < ids_now.size(); i += 200) {
      aws::DescribeInstancesRequest req;
      std::vector<std::string> chunk(ids_now.begin() + static_cast<long>(i),
                                     ids_now.begin() + static_cast<long>(std::min(i + 200, ids_now.size())));
      req.filters = {{"instance-id", chunk}};
      auto all = aws::DescribeAllInstances(*ctx_.ec2, req);
      if (!all.ok()) {
        Log(core::LogLevel::kWarn, "polling instance states failed; will retry",
            {{"error", all.error().ToString()}});
        continue;
      }
      for (const auto& inst : *all) {
        if (!waiting.count(inst.instance_id)) continue;
        if (inst.state == "stopped") {
          waiting.erase(inst.instance_id);
          {
            std::lock_guard<std::mutex> l(mu_);
            Rep(inst.instance_id).state_after = "stopped";
          }
          const std::string id = inst.instance_id;
          pool.Submit([this, id] { SnapshotInstance(id, true); });
        } else if (inst.state == "terminated" || inst.state == "shutting-down") {
          waiting.erase(inst.instance_id);
          std::lock_guard<std::mutex> l(mu_);
          Rep(inst.instance_id).errors.push_back({"stop", "InstanceTerminated",
                                                  "the instance was terminated while stopping", ""});
          need_restart_.erase(inst.instance_id);
          Rep(inst.instance_id).stopped_by_run = false;
        }
      }
    }
    if (waiting.empty()) break;
    if (Stopping()) {
      for (const auto& id : waiting) {
        AddError(id, {"stop", "Cancelled",
                      "cancelled (" + (ctx_.cancel ? ctx_.cancel->reason() : std::string()) +
                          ") while waiting for the instance to stop; not snapshotted", ""});
      }
      return;
    }
    if (ctx_.clock->Steady() >= deadline) {
      for (const auto& id : waiting) {
        AddError(id, {"stop", "StopTimeout",
                      "did not reach 'stopped' within " + std::to_string(spec_.stop_timeout.count()) +
                          "s; not snapshotted", ""});
      }
      return;
    }
    if (ctx_.clock->Steady() - last_progress >= std::chrono::seconds(10)) {
      Log(core::LogLevel::kInfo, "waiting for " + std::to_string(waiting.size()) + " instance(s) to stop");
      last_progress = ctx_.clock->Steady();
    }
    SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, Backoff(round++));
  }
}

std::vector<aws::Snapshot> Job::FindRunSnapshots(const std::string& instance_id) {
  aws::DescribeSnapshotsRequest req;
  req.owner_ids = {"self"};
  req.filters = {{std::string("tag:") + kTagRunId, {report_.run_id}},
                 {std::string("tag:") + kTagInstanceId, {instance_id}}};
  auto found = aws::DescribeAllSnapshots(*ctx_.ec2, req);
  if (!found.ok()) return {};
  return *found;
}

core::Result<std::vector<aws::Snapshot>> Job::CreateSnapshotsOnce(const Instance& inst) {
  aws::CreateSnapshotsRequest req;
  req.instance_id = inst.instance_id;
  req.description = SnapshotDescription(inst, spec_.label, when_);
  req.tags = SnapshotTags(inst, spec_, report_.run_id);
  std::optional<Error> last;
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (attempt > 0 && Stopping()) break;
    auto call_start = ctx_.clock->Steady();
    auto r = ctx_.ec2->CreateSnapshots(req);
    long long ms = std::chrono::duration_cast<core::Duration>(ctx_.clock->Steady() - call_start).count();
    for (long long prev = slowest_create_ms_.load(); ms > prev && !slowest_create_ms_.compare_exchange_weak(prev, ms);) {
    }
    if (r.ok()) return r;
    last = r.error();
    if (r.error().kind == ErrorKind::kAmbiguous || r.error().kind == ErrorKind::kMalformed) {
      // EC2 takes no client token for CreateSnapshots: look for this run's
      // snapshots of the instance before trying again, so a retry never
      // makes a second set. Listing is eventually consistent; look twice,
      // but when cancelled or out of time look once, at once: the instance
      // may be waiting for this to be started again.
      for (int look = 0; look < 2; ++look) {
        if (!Stopping()) SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, core::Duration(look == 0 ? 1000 : 4000));
        auto found = FindRunSnapshots(inst.instance_id);
        if (!found.empty()) {
          Log(core::LogLevel::kWarn, "CreateSnapshots outcome was unknown; found its snapshots",
              {{"instance", inst.instance_id}, {"error", r.error().ToString()}});
          return found;
        }
        if (Stopping()) {
          last->message += " (outcome unknown: no snapshot of this run found for the instance, and the run was "
                           "cancelled before it could look again; look for tag " + std::string(kTagRunId) + "=" +
                           report_.run_id + ")";
          break;
        }
      }
      continue;
    }
    if (!IsRetryableAtJobLevel(r.error())) break;
    core::Duration wait = r.error().kind == ErrorKind::kLimit ? core::Duration(15000) : Backoff(attempt + 1);
    Log(core::LogLevel::kInfo, "CreateSnapshots will be retried",
        {{"instance", inst.instance_id}, {"error", r.error().code}, {"wait_ms", std::to_string(wait.count())}});
    if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, wait)) break;
  }
  return last ? *last : Error::Make(ErrorKind::kCancelled, "cancelled before CreateSnapshots", "Cancelled");
}

void Job::TagDevices(const Instance& inst, const std::vector<aws::Snapshot>& snaps) {
  // CreateSnapshots gives all of an instance's snapshots one TagSpecification.
  // The device of each is tagged afterwards, batched across instances: one
  // CreateTags call per device name and up to 1,000 snapshots, instead of one
  // per snapshot, which would make CreateTags' bucket the bottleneck of a
  // large fleet. A full batch is sent at once (so a long run's memory stays
  // bounded); FlushDeviceTags sends the rest at the end. Retention and
  // de-duplication rely only on tags set at creation.
  if (inst.block_devices.size() <= 1) return;
  std::vector<std::pair<std::string, std::vector<DeviceTagItem>>> full;
  {
    std::lock_guard<std::mutex> l(mu_);
    size_t index = index_.at(inst.instance_id);
    for (const auto& s : snaps) {
      for (const auto& bd : inst.block_devices) {
        if (bd.volume_id != s.volume_id) continue;
        auto& batch = device_tags_[bd.device_name];
        batch.push_back({s.snapshot_id, index});
        if (batch.size() >= kDeviceTagBatch) {
          full.emplace_back(bd.device_name, std::move(batch));
          batch.clear();
        }
      }
    }
  }
  for (const auto& [device, items] : full) SendDeviceTags(device, items);
}

void Job::FlushDeviceTags() {
  std::map<std::string, std::vector<DeviceTagItem>> pending;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending.swap(device_tags_);
  }
  for (const auto& [device, items] : pending) {
    if (items.empty()) continue;
    // Like a CreateSnapshots, a CreateTags is sent only if it can be expected
    // to return (twice the slowest call seen) before the deadline: device
    // tags must not run the function past it.
    bool cancelled = Stopping();
    if (cancelled ||
        (ctx_.cancel && ctx_.cancel->NoTimeFor(*ctx_.clock, core::Duration(2 * slowest_create_ms_.load())))) {
      // Say which snapshots lack the tag.
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& it : items) {
        report_.instances[it.report_index].warnings.push_back(
            "device tag on " + it.snapshot_id +
            (cancelled ? " not set: the run was cancelled" : " not set: too close to the deadline"));
      }
      continue;
    }
    SendDeviceTags(device, items);
  }
}

void Job::SendDeviceTags(const std::string& device, const std::vector<DeviceTagItem>& items) {
  for (size_t i = 0; i < items.size(); i += kDeviceTagBatch) {
    size_t end = std::min(i + kDeviceTagBatch, items.size());
    std::vector<std::string> ids;
    ids.reserve(end - i);
    for (size_t k = i; k < end; ++k) ids.push_back(items[k].snapshot_id);
    core::Status st = core::OkStatus();
    for (int attempt = 0; attempt < 5; ++attempt) {
      st = ctx_.ec2->CreateTags(ids, {{kTagDevice, device}});
      // A snapshot not yet visible to CreateTags (eventual consistency): later.
      if (st.ok() || (st.error().kind != ErrorKind::kNotFound && !IsRetryableAtJobLevel(st.error()))) break;
      if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, Backoff(attempt))) break;
    }
    if (!st.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      for (size_t k = i; k < end; ++k) {
        report_.instances[items[k].report_index].warnings.push_back("device tag on " + items[k].snapshot_id + ": " +
                                                                    st.error().ToString());
      }
    }
  }
}

void Job::SnapshotInstance(const std::string& id, bool restart_after) {
  const Instance& inst = instances_.at(id);
  std::chrono::steady_clock::time_point t0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!started_at_.count(id)) started_at_[id] = ctx_.clock->Steady();
    t0 = started_at_[id];
  }
  // A call cannot be taken back once sent: start one only if it can be
  // expected to return (twice the slowest seen so far) before the deadline.
  bool no_time = ctx_.cancel != nullptr &&
                 ctx_.cancel->NoTimeFor(*ctx_.clock, core::Duration(2 * slowest_create_ms_.load()));
  if (no_time) ctx_.cancel->Cancel("deadline");
  if (Stopping()) {
    AddError(id, {"snapshot", "Cancelled",
                  "cancelled (" + (ctx_.cancel ? ctx_.cancel->reason() : std::string()) +
                      ") before the snapshot was taken", ""});
  } else {
    auto snaps = CreateSnapshotsOnce(inst);
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
      std::vector<std::string> missing;
      for (const auto& bd : inst.block_devices) {
        if (!covered.count(bd.volume_id)) missing.push_back(bd.volume_id + " (" + bd.device_name + ")");
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        InstanceReport& r = Rep(id);
        r.snapshots = recs;
        r.snapshotted = missing.empty();
        for (const auto& m : missing) {
          r.errors.push_back({"snapshot", "VolumeNotSnapshotted",
                              "CreateSnapshots returned no snapshot for volume " + m, ""});
        }
      }
      Log(core::LogLevel::kInfo, "snapshotted", {{"instance", id}, {"snapshots", std::to_string(recs.size())}});
      // Restart first: the point in time is fixed once CreateSnapshots returned.
      if (restart_after) {
        QueueStart(id);
        restart_after = false;
      }
      TagDevices(inst, *snaps);
    } else {
      AddError(id, Failure("snapshot", snaps.error()));
      Log(core::LogLevel::kError, "snapshot failed", {{"instance", id}, {"error", snaps.error().ToString()}});
    }
  }
  if (restart_after) QueueStart(id);
  std::lock_guard<std::mutex> l(mu_);
  Rep(id).seconds = SecondsSince(t0);
}

void Job::QueueStart(const std::string& id) {
  {
    std::lock_guard<std::mutex> l(start_mu_);
    start_queue_.push_back(id);
  }
  start_cv_.notify_one();
}

void Job::StarterLoop() {
  for (;;) {
    std::vector<std::string> batch;
    {
      std::unique_lock<std::mutex> l(start_mu_);
      start_cv_.wait(l, [this] { return start_done_ || !start_queue_.empty(); });
      if (start_queue_.empty()) return;
      size_t n = std::min<size_t>(start_queue_.size(), 100);
      batch.assign(start_queue_.begin(), start_queue_.begin() + static_cast<long>(n));
      start_queue_.erase(start_queue_.begin(), start_queue_.begin() + static_cast<long>(n));
    }
    auto r = ctx_.ec2->StartInstances(batch);
    if (!r.ok()) {
      // Left in need_restart_: RestartGuarantee() looks at each one's state
      // and tries again before the run ends.
      Log(core::LogLevel::kWarn, "StartInstances failed; will retry before exit",
          {{"instances", std::to_string(batch.size())}, {"error", r.error().ToString()}});
      continue;
    }
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& ch : *r) {
      if (!need_restart_.erase(ch.instance_id)) continue;
      InstanceReport& rep = Rep(ch.instance_id);
      rep.restarted = true;
      rep.state_after = ch.current_state;
      Log(core::LogLevel::kInfo, "started again", {{"instance", ch.instance_id}});
    }
  }
}

bool Job::StartOne(const std::string& id) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!need_restart_.count(id)) return true;
  }
  auto r = ctx_.ec2->StartInstances({id});
  if (!r.ok()) {
    Log(core::LogLevel::kWarn, "StartInstances failed; will retry before exit",
        {{"instance", id}, {"error", r.error().ToString()}});
    return false;
  }
  std::lock_guard<std::mutex> l(mu_);
  need_restart_.erase(id);
  InstanceReport& rep = Rep(id);
  rep.restarted = true;
  rep.state_after = r->empty() ? "pending" : r->front().current_state;
  Log(core::LogLevel::kInfo, "started again", {{"instance", id}});
  return true;
}

void Job::RestartGuarantee() {
  std::vector<std::string> left;
  {
    std::lock_guard<std::mutex> l(mu_);
    left.assign(need_restart_.begin(), need_restart_.end());
  }
  if (left.empty()) return;
  Log(core::LogLevel::kWarn, "starting " + std::to_string(left.size()) +
                                 " instance(s) this run stopped; do not interrupt");
  // The restart ignores cancellation: it is what cancellation is waiting for.
  auto deadline = ctx_.clock->Steady() + spec_.restart_timeout;
  if (ctx_.cancel && ctx_.cancel->deadline()) deadline = std::min(deadline, *ctx_.cancel->deadline());
  int round = 0;
  int hopeless_rounds = 0;
  while (!left.empty()) {
    // Instances still 'stopping' cannot be started yet (IncorrectInstanceState).
    std::vector<std::string> startable;
    aws::DescribeInstancesRequest req;
    req.filters = {{"instance-id", left}};
    auto states = aws::DescribeAllInstances(*ctx_.ec2, req);
    if (states.ok()) {
      for (const auto& inst : *states) {
        if (inst.state == "stopped") {
          startable.push_back(inst.instance_id);
        } else if (inst.state == "running" || inst.state == "pending") {
          std::lock_guard<std::mutex> l(mu_);
          need_restart_.erase(inst.instance_id);
          Rep(inst.instance_id).restarted = true;
          Rep(inst.instance_id).state_after = inst.state;
        } else if (inst.state == "terminated" || inst.state == "shutting-down") {
          std::lock_guard<std::mutex> l(mu_);
          need_restart_.erase(inst.instance_id);
          Rep(inst.instance_id).errors.push_back({"start", "InstanceTerminated", "terminated during the run", ""});
        }
      }
    } else {
      startable = left;
    }
    if (!startable.empty()) {
      auto r = ctx_.ec2->StartInstances(startable);
      if (!r.ok() && (r.error().kind == ErrorKind::kAuth || r.error().kind == ErrorKind::kInvalidInput) &&
          ++hopeless_rounds >= 3) {
        // Retrying cannot help (e.g. no ec2:StartInstances permission): say so now.
        std::lock_guard<std::mutex> l(mu_);
        for (const auto& id : left) {
          Rep(id).errors.push_back(Failure("start", r.error()));
          Rep(id).errors.push_back({"start", "RestartFailed",
                                    "could not start the instance again: it is LEFT STOPPED; start it by hand", ""});
        }
        Log(core::LogLevel::kError, std::to_string(left.size()) + " instance(s) LEFT STOPPED: " + r.error().ToString());
        return;
      }
      if (r.ok()) {
        std::lock_guard<std::mutex> l(mu_);
        for (const auto& ch : *r) {
          need_restart_.erase(ch.instance_id);
          Rep(ch.instance_id).restarted = true;
          Rep(ch.instance_id).state_after = ch.current_state;
        }
      } else if (startable.size() > 1) {
        for (const auto& id : startable) StartOne(id);
      }
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      left.assign(need_restart_.begin(), need_restart_.end());
    }
    if (left.empty()) break;
    if (ctx_.clock->Steady() >= deadline) {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& id : left) {
        Rep(id).errors.push_back({"start", "RestartFailed",
                                  "could not start the instance again: it is LEFT STOPPED; start it by hand", ""});
      }
      Log(core::LogLevel::kError, std::to_string(left.size()) + " instance(s) LEFT STOPPED");
      return;
    }
    // Never sleep past the deadline: the report (naming who is left stopped)
    // must still go out.
    auto until_deadline = std::chrono::duration_cast<core::Duration>(deadline - ctx_.clock->Steady());
    ctx_.clock->Sleep(std::min(Backoff(round++), until_deadline));
  }
}

void Job::WaitForCompletion() {
  std::vector<WaitItem> items;
  for (const auto& r : report_.instances) {
    for (const auto& s : r.snapshots) {
      if (!s.snapshot_id.empty()) items.push_back({s.snapshot_id, r.instance_id + " " + s.device});
    }
  }
  if (items.empty()) return;
  Log(core::LogLevel::kInfo, "waiting for " + std::to_string(items.size()) + " snapshot(s) to complete");
  WaitResult w = WaitForSnapshots(*ctx_.ec2, items, *ctx_.clock, spec_.wait_timeout, ctx_.cancel,
                                  ctx_.progress, ctx_.poll_initial, std::max(ctx_.poll_max, core::Duration(30000)));
  std::lock_guard<std::mutex> l(mu_);
  for (auto& r : report_.instances) {
    for (auto& s : r.snapshots) {
      auto it = w.final_state.find(s.snapshot_id);
      if (it == w.final_state.end()) continue;
      s.state = it->second;
      if (s.state == "error") {
        r.snapshotted = false;
        r.errors.push_back({"wait", "SnapshotError",
                            s.snapshot_id + " (" + s.device + ") ended in state 'error'" +
                                (w.message[s.snapshot_id].empty() ? "" : ": " + w.message[s.snapshot_id]), ""});
      } else if (s.state != "completed" && !w.poll_error.empty()) {
        r.errors.push_back({"wait", "WaitFailed", s.snapshot_id + " (" + s.device + "): polling failed: " + w.poll_error, ""});
      } else if (s.state != "completed") {
        r.errors.push_back({"wait", w.timed_out ? "WaitTimeout" : "Cancelled",
                            s.snapshot_id + " (" + s.device + ") still '" + s.state + "' after " +
                                (w.timed_out ? std::to_string(spec_.wait_timeout.count()) + "s" : "cancellation"), ""});
      }
    }
  }
}

void Job::CopyToRegions() {
  // Sources must be 'completed' before EC2 copies them.
  WaitForCompletion();
  if (!ctx_.ec2_for_region) return;
  struct Pending {
    size_t inst, snap;
    std::string region;
  };
  struct Flight {
    size_t inst, snap;
    std::string region, copy_id;
  };
  std::vector<Pending> queue;
  std::map<std::string, std::unique_ptr<aws::Ec2Api>> dest;
  for (const auto& region : spec_.copy_to_regions) {
    dest[region] = ctx_.ec2_for_region(region);
    for (size_t i = 0; i < report_.instances.size(); ++i) {
      for (size_t k = 0; k < report_.instances[i].snapshots.size(); ++k) {
        if (report_.instances[i].snapshots[k].state == "completed") queue.push_back({i, k, region});
      }
    }
  }
  if (queue.empty()) return;
  Log(core::LogLevel::kInfo, "copying " + std::to_string(queue.size()) + " snapshot(s) to " +
                                 std::to_string(spec_.copy_to_regions.size()) + " region(s)");
  std::vector<Flight> flights;
  std::map<std::string, int> in_flight;
  auto record = [&](size_t i, size_t k, const std::string& region, const std::string& id, const std::string& state) {
    std::lock_guard<std::mutex> l(mu_);
    auto& copies = report_.instances[i].snapshots[k].copies;
    for (auto& c : copies) {
      if (c.region == region) {
        c.snapshot_id = id;
        c.state = state;
        return;
      }
    }
    copies.push_back({region, id, state});
  };
  auto deadline = ctx_.clock->Steady() + spec_.wait_timeout;
  int round = 0;
  while (!queue.empty() || (!flights.empty() && spec_.wait)) {
    // Start what the per-region limit allows.
    for (auto it = queue.begin(); it != queue.end() && !Stopping();) {
      if (in_flight[it->region] >= spec_.max_concurrent_copies) {
        ++it;
        continue;
      }
      const InstanceReport& ir = report_.instances[it->inst];
      const SnapshotRecord& sr = ir.snapshots[it->snap];
      const Instance& inst = instances_.at(ir.instance_id);
      aws::CopySnapshotRequest req;
      req.source_region = report_.region;
      req.source_snapshot_id = sr.snapshot_id;
      req.description = TruncateUtf8("copy of " + sr.snapshot_id + " from " + report_.region + ": " +
                                         SnapshotDescription(inst, spec_.label, when_),
                                     kMaxDescriptionLength);
      req.kms_key_id = spec_.kms_key_id;
      req.encrypted = !spec_.kms_key_id.empty();
      req.tags = SnapshotTags(inst, spec_, report_.run_id);
      if (inst.block_devices.size() > 1) req.tags.push_back({kTagDevice, sr.device});
      req.tags.push_back({kTagSourceSnapshot, sr.snapshot_id});
      req.tags.push_back({kTagSourceRegion, report_.region});
      req.tags.push_back({kTagSourceVolume, sr.volume_id});
      if (req.tags.size() > kMaxTagsPerResource) req.tags.resize(kMaxTagsPerResource);
      auto r = dest[it->region]->CopySnapshot(req);
      if (!r.ok() && (r.error().kind == ErrorKind::kAmbiguous || r.error().kind == ErrorKind::kMalformed)) {
        // CopySnapshot takes no client token either: look for the copy first.
        aws::DescribeSnapshotsRequest find;
        find.owner_ids = {"self"};
        find.filters = {{std::string("tag:") + kTagSourceSnapshot, {sr.snapshot_id}}};
        auto found = aws::DescribeAllSnapshots(*dest[it->region], find);
        if (found.ok() && !found->empty()) r = found->front().snapshot_id;
      }
      if (r.ok()) {
        record(it->inst, it->snap, it->region, *r, "pending");
        flights.push_back({it->inst, it->snap, it->region, *r});
        in_flight[it->region]++;
        it = queue.erase(it);
      } else if (r.error().code == "ResourceLimitExceeded" || IsRetryableAtJobLevel(r.error())) {
        ++it;  // the destination's concurrent-copy limit, or throttling: later
      } else {
        record(it->inst, it->snap, it->region, "", "failed");
        AddError(report_.instances[it->inst].instance_id, Failure("copy to " + it->region, r.error()));
        it = queue.erase(it);
      }
    }
    if (Stopping() || ctx_.clock->Steady() >= deadline) break;
    if (flights.empty() && queue.empty()) break;
    if (flights.empty() && !queue.empty()) {
      // Nothing in flight but work refused for now (throttled): back off.
      ctx_.clock->Sleep(Backoff(round++));
      continue;
    }
    SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, Backoff(round++));
    // Poll each region's copies in flight, in batches.
    for (const auto& region : spec_.copy_to_regions) {
      std::vector<std::string> ids;
      for (const auto& f : flights) {
        if (f.region == region) ids.push_back(f.copy_id);
      }
      for (size_t i = 0; i < ids.size(); i += 200) {
        aws::DescribeSnapshotsRequest req;
        req.owner_ids = {"self"};
        req.filters = {{"snapshot-id", std::vector<std::string>(ids.begin() + static_cast<long>(i),
                                                                ids.begin() + static_cast<long>(std::min(i + 200, ids.size())))}};
        auto snaps = aws::DescribeAllSnapshots(*dest[region], req);
        if (!snaps.ok()) {
          if (snaps.error().kind == ErrorKind::kAuth || snaps.error().kind == ErrorKind::kInvalidInput) {
            for (const auto& f : flights) {
              if (f.region == region) {
                AddError(report_.instances[f.inst].instance_id, Failure("copy to " + region, snaps.error()));
              }
            }
            flights.erase(std::remove_if(flights.begin(), flights.end(),
                                         [&](const Flight& f) { return f.region == region; }),
                          flights.end());
            in_flight[region] = 0;
          }
          continue;
        }
        for (const auto& s : *snaps) {
          if (s.state != "completed" && s.state != "error") continue;
          for (auto f = flights.begin(); f != flights.end(); ++f) {
            if (f->copy_id != s.snapshot_id) continue;
            record(f->inst, f->snap, f->region, f->copy_id, s.state);
            if (s.state == "error") {
              AddError(report_.instances[f->inst].instance_id,
                       {"copy to " + f->region, "SnapshotError", "copy " + f->copy_id + " ended in state 'error'", ""});
            }
            in_flight[f->region]--;
            flights.erase(f);
            break;
          }
        }
      }
    }
  }
  for (const auto& p : queue) {
    record(p.inst, p.snap, p.region, "", "not started");
    AddError(report_.instances[p.inst].instance_id,
             {"copy to " + p.region, Stopping() ? "Cancelled" : "CopyTimeout", "the copy was not started", ""});
  }
  if (spec_.wait) {
    for (const auto& f : flights) {
      AddError(report_.instances[f.inst].instance_id,
               {"copy to " + f.region, "WaitTimeout", "copy " + f.copy_id + " not completed in time", ""});
    }
  }
  // Retention in each destination, by source volume.
  RetentionPolicy policy{spec_.keep, spec_.keep_days, false};
  if (!policy.enabled()) return;
  std::set<std::string> volumes;
  for (const auto& r : report_.instances) {
    if (!r.snapshotted || !r.ok()) continue;
    for (const auto& s : r.snapshots) volumes.insert(s.volume_id);
  }
  for (const auto& region : spec_.copy_to_regions) {
    ApplyRetention(*dest[region], policy, volumes, ctx_.clock->Now(), false, &report_, kTagSourceVolume, region);
  }
}

void Job::Retention() {
  RetentionPolicy policy{spec_.keep, spec_.keep_days, spec_.prune_orphans};
  if (!policy.enabled() || !report_.run_errors.empty()) return;
  if (ctx_.cancel && ctx_.cancel->ShouldStop(*ctx_.clock)) return;
  // Only volumes whose snapshot this run has made (or, in a dry run, would
  // make): a failure today never costs an older snapshot.
  std::set<std::string> volumes;
  for (auto& r : report_.instances) {
    bool fresh = spec_.dry_run ? r.errors.empty() : r.snapshotted && r.ok();
    if (!fresh) {
      if (!r.errors.empty()) r.warnings.push_back("retention skipped for this instance: its snapshot did not succeed");
      continue;
    }
    for (const auto& s : r.snapshots) volumes.insert(s.volume_id);
  }
  ApplyRetention(*ctx_.ec2, policy, volumes, ctx_.clock->Now(), spec_.dry_run, &report_);
}

std::string Hex(uint64_t v, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) {
    s.insert(s.begin(), kHex[v & 0xf]);
    v >>= 4;
  }
  return s;
}

}  // namespace

std::string NewRunId(const core::Clock& clock) {
  uint64_t r = core::SystemRandom64();
  return core::FormatAmzDate(clock.Now()) + "-" + Hex(r, 6);
}

std::vector<aws::Tag> SnapshotTags(const Instance& instance, const JobSpec& spec,
                                   const std::string& run_id) {
  std::vector<aws::Tag> tags;
  tags.push_back({kTagScripted, kTagScriptedValue});
  if (spec.protect) tags.push_back({kTagState, kTagProtected});
  // Name: the instance's Name (or id), plus the device when there is only one
  // (several volumes share one TagSpecification; see TagDevices).
  std::string name = instance.TagValue("Name").empty() ? instance.instance_id : instance.TagValue("Name");
  if (instance.block_devices.size() == 1) {
    name += " " + instance.block_devices[0].device_name;
    tags.push_back({kTagDevice, instance.block_devices[0].device_name});
  }
  tags.push_back({"Name", TruncateUtf8(name, 256)});
  tags.push_back({kTagInstanceId, instance.instance_id});
  tags.push_back({kTagRunId, run_id});
  if (!spec.label.empty()) tags.push_back({kTagLabel, spec.label});
  // The instance's own tags where they fit; one place stays free for the
  // device tag added after creation.
  const size_t limit = kMaxTagsPerResource - 1;
  for (const auto& t : instance.tags) {
    if (tags.size() >= limit) break;
    if (IsReservedTagKey(t.key)) continue;
    tags.push_back(t);
  }
  return tags;
}

std::string SnapshotDescription(const Instance& instance, const std::string& label,
                                const std::string& when) {
  std::string head = "s3snapshot";
  if (!label.empty()) head += " " + label;
  head += ": " + instance.instance_id;
  std::string name = instance.TagValue("Name");
  if (!name.empty()) head += " (" + TruncateUtf8(name, 64) + ")";
  std::string tail = " at " + when;
  std::string devices;
  for (const auto& bd : instance.block_devices) devices += " " + bd.device_name + "=" + bd.volume_id;
  size_t room = kMaxDescriptionLength - std::min(kMaxDescriptionLength, head.size() + tail.size());
  if (devices.size() > room) devices = room > 4 ? TruncateUtf8(devices, room - 4) + " ..." : "";
  return TruncateUtf8(head + devices + tail, kMaxDescriptionLength);
}

Report RunSnapshotJob(const JobSpec& spec, JobContext& ctx) {
  if (ctx.run_id.empty()) ctx.run_id = NewRunId(*ctx.clock);
  Job job(spec, ctx);
  return job.Run();
}

}  // namespace s3snapshot::job
