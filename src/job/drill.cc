#include "job/drill.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/chunks.h"
#include "core/parse.h"
#include "job/cancel.h"
#include "job/exclusions.h"
#include "job/restore.h"
#include "job/select.h"
#include "job/tags.h"
#include "job/teardown.h"

namespace s3snapshot::job {

using core::Error;
using core::LogLevel;
using report::DrilledSet;
using report::Failure;
using report::FailureFrom;
using report::RestoredVolume;
using report::Step;
using Clock = std::chrono::steady_clock;

std::vector<aws::Instance> SampleOf(std::vector<aws::Instance> instances, int n, std::mt19937_64& random) {
  if (n > 0 && static_cast<size_t>(n) < instances.size()) {
    std::shuffle(instances.begin(), instances.end(), random);
    instances.resize(static_cast<size_t>(n));
  }
  std::sort(instances.begin(), instances.end(),
            [](const aws::Instance& a, const aws::Instance& b) { return a.instance_id < b.instance_id; });
  return instances;
}

std::string DrilledTagValue(const std::string& when, bool passed) { return when + (passed ? " passed" : " failed"); }

bool ParseDrilledTag(const std::string& value, core::WallTime* when, bool* passed) {
  const size_t space = value.find(' ');
  if (space == std::string::npos) return false;
  const std::string result = value.substr(space + 1);
  if (result != "passed" && result != "failed") return false;
  *passed = result == "passed";
  return core::ParseIso8601(value.substr(0, space), when);
}

namespace {

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

// Single-quoted for sh: device names and ids have no quote, but be sure.
std::string ShellQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::vector<std::string> CheckCommands(const std::string& command, const std::vector<CheckVolume>& volumes,
                                       const std::string& instance_id) {
  std::vector<std::string> devices, ids, sources;
  for (const auto& v : volumes) {
    devices.push_back(v.device);
    ids.push_back(v.volume_id);
    sources.push_back(v.source_device);
  }
  return {"export S3SNAPSHOT_DEVICES=" + ShellQuoted(Joined(devices)),
          "export S3SNAPSHOT_VOLUME_IDS=" + ShellQuoted(Joined(ids)),
          "export S3SNAPSHOT_SOURCE_DEVICES=" + ShellQuoted(Joined(sources)),
          "export S3SNAPSHOT_INSTANCE_ID=" + ShellQuoted(instance_id), command};
}

namespace {

// One drilled set while the drill runs: its row, its snapshots, its clock.
struct SetWork {
  size_t row = 0;  // index into report_.sets
  std::vector<aws::Snapshot> snapshots;
  std::optional<Clock::time_point> first_create;
};

class Driller {
 public:
  Driller(const spec::JobSpec& spec, const JobContext& ctx) : spec_(spec), ctx_(ctx) {}
  report::DrillReport Run();

 private:
  void Sweep();
  std::vector<aws::Instance> Select();
  bool FindCheckInstance();
  void ChooseSets(const std::vector<aws::Instance>& instances);
  void Plan(const std::vector<aws::Instance>& instances);
  void Create(Teardown& teardown);
  void AwaitAvailable();
  std::vector<std::string> NoteAvailable();
  void Poll(const std::vector<std::string>& waiting);
  void CheckAll(Teardown& teardown);
  void CheckOne(SetWork& w, Teardown& teardown);
  std::string RunCheck(DrilledSet& set, const std::vector<std::string>& devices);
  void Conclude(const Teardown& teardown);
  void Evidence();
  DrilledSet& Row(const SetWork& w) { return report_.sets[w.row]; }

  const spec::JobSpec& spec_;
  const JobContext& ctx_;
  report::DrillReport report_;
  std::vector<SetWork> work_;
  std::optional<aws::Instance> check_;
  std::map<std::string, aws::Volume> originals_;
  Clock::time_point last_poll_{};
  std::optional<Error> unreadable_;  // DescribeVolumes not permitted
};

// How often the volumes being made are looked at: the resolution of a
// set's time to available.
constexpr core::Duration kPollEvery{2000};

void Driller::Sweep() {
  std::vector<std::string> left;
  auto swept = SweepDrillVolumes(ctx_, spec_.drill_timeout, report_.drill_id, &left);
  if (!swept.ok()) {
    report_.run_errors.push_back(FailureFrom(Step::kDrill, swept.error()));
    return;
  }
  report_.swept = *swept;
  for (const auto& id : left) report_.left_behind.push_back(id);
}

std::vector<aws::Instance> Driller::Select() {
  auto sel = SelectWithRetries(ctx_, spec_);
  if (!sel.ok()) {
    report_.selection_failed = true;
    report_.run_errors.push_back(FailureFrom(Step::kSelect, sel.error()));
    return {};
  }
  report_.not_found = sel->not_found;
  report_.not_matching_tags = sel->not_matching_tags;
  report_.selected = sel->instances.size();
  std::random_device seed;
  std::mt19937_64 random(seed());
  return SampleOf(std::move(sel->instances), spec_.sample, random);
}

bool Driller::FindCheckInstance() {
  if (spec_.check_instance.empty()) return true;
  aws::DescribeInstancesRequest req;
  req.filters = {{"instance-id", {spec_.check_instance}}};
  auto found = aws::DescribeAllInstances(*ctx_.ec2, req);
  if (!found.ok()) {
    report_.run_errors.push_back(FailureFrom(Step::kDrill, found.error().WithContext("looking up --check-instance")));
    return false;
  }
  for (const auto& i : *found) {
    if (i.instance_id == spec_.check_instance && i.state == "running") check_ = i;
  }
  if (!check_) {
    report_.run_errors.push_back(Failure(Step::kDrill, "CheckInstanceNotRunning",
                                         "--check-instance " + spec_.check_instance + " is not a running instance in " +
                                             report_.region + ": nothing was restored"));
  }
  return check_.has_value();
}

void Driller::ChooseSets(const std::vector<aws::Instance>& instances) {
  std::vector<std::string> ids;
  for (const auto& i : instances) ids.push_back(i.instance_id);
  std::vector<aws::Filter> filters;
  if (!spec_.label.empty()) filters.push_back({std::string("tag:") + kTagLabel, {spec_.label}});
  auto snaps = aws::DescribeOwnSnapshots(*ctx_.ec2, filters, std::string("tag:") + kTagInstanceId, ids);
  if (!snaps.ok()) {
    report_.run_errors.push_back(FailureFrom(Step::kDrill, snaps.error().WithContext("looking up the snapshot sets")));
    return;
  }
  std::map<std::string, std::vector<aws::Snapshot>> by_instance;
  for (auto& s : *snaps) by_instance[s.TagValue(kTagInstanceId)].push_back(std::move(s));
  const core::WallTime now = ctx_.clock->Now();
  for (const auto& inst : instances) {
    DrilledSet row;
    row.instance_id = inst.instance_id;
    row.name = inst.TagValue("Name");
    row.availability_zone = check_ ? check_->availability_zone : inst.availability_zone;
    spec::JobSpec newest;  // the newest complete set, as restore chooses it
    newest.restore_instance = inst.instance_id;
    auto chosen = ChooseSet(SetsOf(by_instance[inst.instance_id]), newest);
    if (!chosen.ok()) {
      row.errors.push_back(FailureFrom(Step::kDrill, chosen.error()));
      report_.sets.push_back(std::move(row));
      continue;
    }
    row.run_id = chosen->run_id;
    row.set_started_at = chosen->started_at;
    core::WallTime started{};
    if (core::ParseIso8601(chosen->started_at, &started)) {
      row.set_age_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    }
    work_.push_back({report_.sets.size(), chosen->snapshots, std::nullopt});
    report_.sets.push_back(std::move(row));
  }
}

// Each set's volumes as rows: the original's type where it still exists.
void Driller::Plan(const std::vector<aws::Instance>& instances) {
  std::vector<std::string> ids;
  for (const auto& w : work_) {
    for (const auto& s : w.snapshots) ids.push_back(s.volume_id);
  }
  originals_ = OriginalVolumes(*ctx_.ec2, ids);
  for (auto& w : work_) {
    const auto inst = std::find_if(instances.begin(), instances.end(),
                                   [&](const aws::Instance& i) { return i.instance_id == Row(w).instance_id; });
    for (const auto& s : w.snapshots) {
      Row(w).volumes.push_back(PlannedVolume(s, *inst, originals_, spec_.volume_type));
    }
  }
}

void Driller::Create(Teardown& teardown) {
  for (auto& w : work_) {
    DrilledSet& set = Row(w);
    for (size_t i = 0; i < set.volumes.size(); ++i) {
      RestoredVolume& v = set.volumes[i];
      if (ctx_.Cancelled()) {
        set.errors.push_back(Failure(Step::kDrill, "Cancelled", "cancelled (" + ctx_.CancelReason() + ") first"));
        break;
      }
      aws::CreateVolumeRequest req;
      req.availability_zone = set.availability_zone;
      req.snapshot_id = v.snapshot_id;
      req.volume_type = v.volume_type;
      req.encrypted = w.snapshots[i].encrypted;
      req.client_token = VolumeClientToken(report_.drill_id, v.snapshot_id);
      if (auto o = originals_.find(v.source_volume_id); o != originals_.end()) KeepPerformance(o->second, &req);
      req.tags = {{kTagDrillId, report_.drill_id},
                  {kTagRestoredFrom, v.snapshot_id},
                  {kTagInstanceId, set.instance_id},
                  {"Name", "s3snapshot drill of " + set.instance_id}};
      teardown.Register();  // before it is sent: the answer may be lost
      if (!w.first_create) w.first_create = ctx_.clock->Steady();
      auto made = ctx_.ec2->CreateVolume(req);
      if (!made.ok()) {
        v.state = "failed";
        set.errors.push_back(FailureFrom(Step::kDrill, made.error().WithContext("CreateVolume from " + v.snapshot_id)));
        break;  // this set fails; its other volumes are not made
      }
      teardown.Made(made->volume_id);
      v.volume_id = made->volume_id;
      v.state = made->state;
      v.created = true;
    }
    // While the others are made, the sets made so far are timed too: a set's
    // time to available must not include the making of the sets after it.
    const std::vector<std::string> waiting = NoteAvailable();
    if (!waiting.empty() && ctx_.clock->Steady() - last_poll_ >= kPollEvery && !unreadable_) {
      Poll(waiting);
      NoteAvailable();
    }
  }
}

// Sets whose every volume reads 'available' get their time to available
// (once): the volumes still 'creating' are returned.
std::vector<std::string> Driller::NoteAvailable() {
  std::vector<std::string> waiting;
  for (auto& w : work_) {
    DrilledSet& set = Row(w);
    const bool all = set.errors.empty() && std::all_of(set.volumes.begin(), set.volumes.end(),
                                                       [](const auto& v) { return v.state == "available"; });
    if (all && set.seconds_to_available < 0 && w.first_create) {
      set.seconds_to_available = std::chrono::duration<double>(ctx_.clock->Steady() - *w.first_create).count();
    }
    for (const auto& v : set.volumes) {
      if (set.errors.empty() && v.state == "creating") waiting.push_back(v.volume_id);
    }
  }
  return waiting;
}

// One look at the volumes still 'creating'; a volume in 'error' fails its set.
void Driller::Poll(const std::vector<std::string>& waiting) {
  last_poll_ = ctx_.clock->Steady();
  std::map<std::string, std::string> states;
  for (const auto& chunk : core::Chunks(waiting, aws::kMaxFilterValues)) {
    aws::DescribeVolumesRequest req;
    req.filters = {{"volume-id", chunk}};
    auto now = aws::DescribeAllVolumes(*ctx_.ec2, req);
    if (now.ok()) {
      for (const auto& v : *now) states[v.volume_id] = v.state;
    } else if (now.error().kind == core::ErrorKind::kAuth) {
      unreadable_ = now.error().WithContext("reading the volumes' state");  // no later look reads more
    }                                                                       // else asked again next time
  }
  for (auto& w : work_) {
    for (auto& v : Row(w).volumes) {
      auto s = states.find(v.volume_id);
      if (s == states.end() || s->second == v.state) continue;
      v.state = s->second;
      if (v.state == "error") {
        Row(w).errors.push_back(
            Failure(Step::kDrill, "VolumeError", v.volume_id + " from " + v.snapshot_id + " ended in state 'error'"));
      }
    }
  }
}

void Driller::AwaitAvailable() {
  const auto limit = spec_.rto.count() > 0 ? std::min(spec_.rto, spec_.wait_timeout) : spec_.wait_timeout;
  const auto deadline = ctx_.clock->Steady() + limit;
  for (int round = 0;; ++round) {
    const std::vector<std::string> waiting = NoteAvailable();
    if (waiting.empty() || ctx_.clock->Steady() >= deadline || ctx_.Cancelled() || unreadable_) break;
    if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, std::min(ctx_.Backoff(round), kPollEvery))) break;
    Poll(waiting);
  }
  for (auto& w : work_) {
    DrilledSet& set = Row(w);
    if (!set.errors.empty() || set.seconds_to_available >= 0 || set.volumes.empty()) continue;
    if (unreadable_) {
      set.errors.push_back(FailureFrom(Step::kDrill, *unreadable_));
      continue;
    }
    set.errors.push_back(Failure(Step::kDrill, ctx_.Cancelled() ? "Cancelled" : "NotAvailable",
                                 ctx_.Cancelled() ? "cancelled (" + ctx_.CancelReason() + ") while restoring"
                                                  : "not every volume was available within " +
                                                        std::string(spec_.rto.count() > 0 ? "--rto " : "") +
                                                        core::FormatDuration(limit)));
  }
}

// Where the set's volumes are attached on the check instance, and when.
void Driller::CheckOne(SetWork& w, Teardown& teardown) {
  DrilledSet& set = Row(w);
  if (!set.errors.empty()) return;
  if (ctx_.Cancelled()) {
    set.errors.push_back(
        Failure(Step::kDrill, "Cancelled", "cancelled (" + ctx_.CancelReason() + ") before its check"));
    return;
  }
  const auto t0 = ctx_.clock->Steady();
  aws::DescribeInstancesRequest req;
  req.filters = {{"instance-id", {check_->instance_id}}};
  auto now = aws::DescribeAllInstances(*ctx_.ec2, req);
  const std::vector<std::string> devices =
      now.ok() && !now->empty() ? FreeDevices(now->front(), set.volumes.size()) : std::vector<std::string>{};
  std::vector<std::string> ids;
  for (const auto& v : set.volumes) ids.push_back(v.volume_id);
  if (devices.size() < set.volumes.size()) {
    set.errors.push_back(Failure(Step::kDrill, "NoFreeDevice",
                                 check_->instance_id + " has not enough free device names (or could not be read)"));
  }
  for (size_t i = 0; set.errors.empty() && i < set.volumes.size(); ++i) {
    auto a = ctx_.ec2->AttachVolume(set.volumes[i].volume_id, check_->instance_id, devices[i]);
    if (!a.ok()) {
      set.errors.push_back(FailureFrom(
          Step::kDrill, a.error().WithContext("attaching " + set.volumes[i].volume_id + " to " + check_->instance_id)));
      break;
    }
    set.volumes[i].attached_device = devices[i];
    teardown.Attached(set.volumes[i].volume_id, check_->instance_id, devices[i]);
  }
  const auto until = t0 + spec_.check_timeout;
  for (int round = 0; set.errors.empty(); ++round) {
    size_t attached = 0;
    for (const auto& chunk : core::Chunks(ids, aws::kMaxFilterValues)) {
      aws::DescribeVolumesRequest vr;
      vr.filters = {{"volume-id", chunk}};
      auto vols = aws::DescribeAllVolumes(*ctx_.ec2, vr);
      if (!vols.ok() && vols.error().kind == core::ErrorKind::kAuth) {
        set.errors.push_back(FailureFrom(Step::kDrill, vols.error().WithContext("reading the attachments")));
        break;
      }
      for (const auto& v : vols.ok() ? *vols : std::vector<aws::Volume>{}) {
        for (const auto& a : v.attachments) attached += a.state == "attached" ? 1 : 0;
      }
    }
    if (attached == ids.size()) break;
    if (ctx_.clock->Steady() >= until || ctx_.Cancelled()) {
      set.errors.push_back(Failure(Step::kDrill, ctx_.Cancelled() ? "Cancelled" : "AttachTimeout",
                                   "the volumes were not attached to " + check_->instance_id + " in time"));
      break;
    }
    ctx_.clock->Sleep(std::min(ctx_.Backoff(round), core::Duration(2000)));
  }
  if (set.errors.empty()) set.check = RunCheck(set, devices);
  set.check_seconds = std::chrono::duration<double>(ctx_.clock->Steady() - t0).count();
  teardown.DeleteNow(ids, spec_.restart_timeout);  // frees the devices; what stays, Finish() deletes
}

std::string Driller::RunCheck(DrilledSet& set, const std::vector<std::string>& devices) {
  aws::SendCommandRequest req;
  req.document_name = "AWS-RunShellScript";
  req.instance_ids = {check_->instance_id};
  req.timeout_seconds = 60;  // to deliver it
  req.comment = "s3snapshot drill check";
  std::vector<CheckVolume> volumes;
  for (size_t i = 0; i < set.volumes.size(); ++i) {
    volumes.push_back({devices[i], set.volumes[i].volume_id, set.volumes[i].device});
  }
  req.parameters["commands"] = CheckCommands(spec_.check_command, volumes, set.instance_id);
  req.parameters["executionTimeout"] = {std::to_string(spec_.check_timeout.count())};
  auto sent = ctx_.ssm->SendCommand(req);
  if (!sent.ok()) {
    set.errors.push_back(FailureFrom(Step::kDrill, sent.error().WithContext("SendCommand (the check)")));
    return "not run";
  }
  const auto until = ctx_.clock->Steady() + spec_.check_timeout + std::chrono::seconds(30);
  auto inv = aws::GetInvocationAfterSend(*ctx_.ssm, *ctx_.clock, *sent, check_->instance_id);
  for (int round = 0; inv.ok() && !inv->Done() && ctx_.clock->Steady() < until; ++round) {
    if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, std::min(ctx_.Backoff(round), core::Duration(2000)))) break;
    inv = ctx_.ssm->GetCommandInvocation(*sent, check_->instance_id);
  }
  if (!inv.ok()) {
    set.errors.push_back(FailureFrom(Step::kDrill, inv.error().WithContext("GetCommandInvocation (the check)")));
    return "unknown";
  }
  if (!inv->Done()) {
    set.errors.push_back(Failure(Step::kDrill, ctx_.Cancelled() ? "Cancelled" : "CheckTimeout",
                                 "the check command did not finish (" + inv->status + ")"));
    return ctx_.Cancelled() ? "cancelled" : "timed out";
  }
  if (inv->Succeeded()) return "passed";
  const std::string exit = "exit " + std::to_string(inv->response_code);
  set.errors.push_back(Failure(Step::kDrill, "CheckFailed",
                               "the check command ended " + inv->status + " (" + exit + ")" +
                                   (inv->standard_error.empty() ? "" : ": " + inv->standard_error.substr(0, 200))));
  return "failed (" + exit + ")";
}

void Driller::CheckAll(Teardown& teardown) {
  if (!check_ || spec_.check_command.empty()) return;
  for (auto& w : work_) CheckOne(w, teardown);
}

// After the teardown: each volume's last state, what is left behind, --rto.
void Driller::Conclude(const Teardown& teardown) {
  const std::vector<std::string> deleted = teardown.deleted(), left = teardown.left_behind();
  const std::set<std::string> gone(deleted.begin(), deleted.end()), kept(left.begin(), left.end());
  for (const auto& id : left) report_.left_behind.push_back(id);
  for (auto& set : report_.sets) {
    for (auto& v : set.volumes) {
      if (kept.count(v.volume_id)) v.state = "LEFT BEHIND";
      if (gone.count(v.volume_id)) v.state = "deleted";
    }
    if (spec_.rto.count() <= 0 || set.seconds_to_available < 0) continue;
    if (set.seconds_to_available + set.check_seconds > static_cast<double>(spec_.rto.count())) {
      set.over_rto = true;
      set.errors.push_back(Failure(Step::kDrill, "RtoExceeded",
                                   "restored in " + report::Seconds(set.seconds_to_available + set.check_seconds) +
                                       ", over --rto " + core::FormatDuration(spec_.rto)));
    }
  }
}

// The drilled sets' snapshots tagged with the time and the result.
void Driller::Evidence() {
  const std::string when = core::FormatIso8601(ctx_.clock->Now());
  for (const auto& w : work_) {
    const DrilledSet& set = Row(w);
    const bool cancelled = std::any_of(set.errors.begin(), set.errors.end(),
                                       [](const report::FailureRecord& e) { return e.code == "Cancelled"; });
    if (cancelled || w.snapshots.empty()) continue;  // not drilled to the end: no evidence either way
    std::vector<std::string> ids;
    for (const auto& s : w.snapshots) ids.push_back(s.snapshot_id);
    auto st = ctx_.ec2->CreateTags(ids, {{kTagDrilled, DrilledTagValue(when, set.ok())}});
    if (!st.ok()) {
      report_.run_errors.push_back(FailureFrom(
          Step::kDrill, st.error().WithContext(std::string("tagging the drilled snapshots ") + kTagDrilled)));
    }
  }
}

report::DrillReport Driller::Run() {
  const auto t0 = ctx_.clock->Steady();
  report_.run_id = ctx_.run_id;
  report_.drill_id = "drill-" + ctx_.run_id;
  report_.region = ctx_.ec2->region();
  report_.label = spec_.label;
  report_.started_at = core::FormatIso8601(ctx_.clock->Now());
  report_.dry_run = spec_.dry_run;
  report_.check_instance_id = spec_.check_instance;
  report_.rto_seconds = spec_.rto.count();
  {
    // Declared before the first CreateVolume; its destructor (and the
    // Finish below) delete every volume on every way out.
    Teardown teardown(ctx_, report_.drill_id, spec_.restart_timeout);
    try {
      if (!spec_.dry_run) Sweep();
      auto instances = Select();
      if (!instances.empty() && FindCheckInstance()) {
        ChooseSets(instances);
        Plan(instances);
        if (!spec_.dry_run) {
          Create(teardown);
          AwaitAvailable();
          CheckAll(teardown);
        }
      }
    } catch (...) {
      report_.run_errors.push_back(
          Failure(Step::kInternal, "InternalError", "internal error: " + core::WhatOf(std::current_exception())));
    }
    teardown.Finish();
    Conclude(teardown);
  }
  try {
    if (!spec_.dry_run) Evidence();
  } catch (...) {
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

report::DrillReport RunDrill(const spec::JobSpec& spec, const JobContext& ctx) {
  JobContext c = ctx;
  if (c.run_id.empty()) c.run_id = NewRunId(*ctx.clock);
  return Driller(spec, c).Run();
}

void SweepAfterRun(const spec::JobSpec& spec, const JobContext& ctx, std::vector<std::string>* swept,
                   std::vector<std::string>* left) {
  if (spec.dry_run || ctx.Cancelled()) return;
  auto done = SweepDrillVolumes(ctx, spec.drill_timeout, "", left);
  if (!done.ok()) {
    // Not this run's failure: its snapshots are made; the next drill names what is left.
    ctx.Log(LogLevel::kWarn, "could not look for volumes left by drills", {{"error", done.error().ToString()}});
    return;
  }
  *swept = *done;
}

void SweepAlongside::Start(const spec::JobSpec& spec, const JobContext& ctx) {
  result_.Start([&spec, ctx] {
    Lines lines;
    try {
      SweepAfterRun(spec, ctx, &lines.swept, &lines.left);
    } catch (...) {
      ctx.Log(LogLevel::kWarn, "could not look for volumes left by drills",
              {{"error", "internal error: " + core::WhatOf(std::current_exception())}});
    }
    return lines;
  });
}

void SweepAlongside::Finish(std::vector<std::string>* swept, std::vector<std::string>* left) {
  if (!result_.pending()) return;
  Lines lines = result_.Get();
  *swept = std::move(lines.swept);
  *left = std::move(lines.left);
}

}  // namespace s3snapshot::job
