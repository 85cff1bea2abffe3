#include "job/thawer.h"

#include <algorithm>
#include <exception>

#include "core/chunks.h"

namespace s3snapshot::job {

using report::Failure;
using report::InstanceReport;
using report::Step;

using core::ErrorKind;
using core::LogLevel;

namespace {

const char kPre[] = "pre-script";
const char kPost[] = "post-script";

// SSM refused the command: it will not run. Anything else (a lost answer,
// a 5xx after retries, an unreadable answer) may have been accepted.
bool CertainlyNotSent(const core::Error& e) {
  switch (e.kind) {
    case ErrorKind::kThrottled:
    case ErrorKind::kAuth:
    case ErrorKind::kInvalidInput:
    case ErrorKind::kNotFound:
    case ErrorKind::kConflict:
    case ErrorKind::kLimit:
      return true;
    default:
      return false;
  }
}

// Retrying cannot help (e.g. no ssm:SendCommand permission).
bool Hopeless(const core::Error& e) { return e.kind == ErrorKind::kAuth || e.kind == ErrorKind::kInvalidInput; }

}  // namespace

ScriptPlan ScriptPlan::From(const spec::JobSpec& spec) {
  ScriptPlan p;
  p.timeout = spec.script_timeout;
  p.skip_on_failure = spec.on_script_failure == "skip";
  if (!spec.ssm_document.empty()) {
    p.document = spec.ssm_document;
    p.has_pre = p.has_post = true;
  } else {
    p.document = kShellDocument;
    p.pre = spec.pre_script;
    p.post = spec.post_script;
    p.has_pre = !p.pre.empty();
    p.has_post = !p.post.empty();
  }
  return p;
}

aws::SendCommandRequest ScriptPlan::Request(const std::string& stage, const std::vector<std::string>& ids) const {
  aws::SendCommandRequest req;
  req.document_name = document;
  req.instance_ids = ids;
  req.timeout_seconds = Thawer::kDeliveryTimeoutSeconds;
  req.comment = "s3snapshot " + stage;
  if (document == kShellDocument) {
    req.parameters["commands"] = {stage == kPre ? pre : post};
    req.parameters["executionTimeout"] = {std::to_string(timeout.count())};
  } else {
    // As DLM calls its pre/post-script documents.
    req.parameters["command"] = {stage};
  }
  return req;
}

Thawer::Thawer(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec)
    : ctx_(ctx),
      ledger_(ledger),
      plan_(ScriptPlan::From(spec)),
      sender_(kBatch, [this](const std::vector<std::string>& ids) { SendPostNow(ids); }) {}

Thawer::~Thawer() { Finish(); }

Thawer::TimePoint Thawer::PreBound(const State& s) const {
  return s.pre_sent_at + std::chrono::seconds(kDeliveryTimeoutSeconds) + plan_.timeout + kPreBoundSlack;
}

void Thawer::SendPre(const std::vector<std::string>& ids) {
  if (!enabled() || ids.empty()) return;
  const TimePoint now = ctx_.clock->Steady();
  {
    core::MutexLock l(&mu_);
    for (const auto& id : ids) {
      State& s = states_[id];
      s.owed = plan_.has_post;
      s.pre_sent_at = now;
      if (!plan_.has_pre) s.pre_ended_at = now;  // nothing to wait for
    }
  }
  for (const auto& id : ids) {
    ledger_.Update(id, [&](InstanceReport& r) {
      r.scripts.used = true;
      r.scripts.thaw_owed = plan_.has_post;
      if (plan_.has_pre) r.scripts.pre.status = "unknown";
    });
  }
  if (plan_.has_post) sender_.Start();
  if (!plan_.has_pre) return;
  auto r = ctx_.ssm->SendCommand(plan_.Request(kPre, ids));
  {
    core::MutexLock l(&mu_);
    for (const auto& id : ids) {
      State& s = states_[id];
      if (r.ok()) {
        s.pre_command = *r;
      } else {
        s.pre_error = "SendCommand failed: " + r.error().ToString();
        // Refused: it will not run, so nothing was frozen and nothing is owed.
        if (CertainlyNotSent(r.error())) {
          s.pre_ended_at = now;
          s.owed = false;
        }
      }
    }
  }
  for (const auto& id : ids) {
    ledger_.Update(id, [&](InstanceReport& r2) {
      r2.scripts.pre.sends = 1;
      if (r.ok()) {
        r2.scripts.pre.command_id = *r;
        r2.scripts.pre.status = "Pending";
      } else {
        r2.scripts.pre.status = CertainlyNotSent(r.error()) ? "not sent" : "unknown";
        if (CertainlyNotSent(r.error())) r2.scripts.thaw_owed = false;
      }
    });
  }
  if (!r.ok()) {
    ctx_.Log(LogLevel::kError, "SendCommand (pre-script) failed",
             {{"instances", std::to_string(ids.size())}, {"error", r.error().ToString()}});
  } else {
    ctx_.Log(LogLevel::kInfo, "pre-script sent", {{"instances", std::to_string(ids.size())}, {"command", *r}});
  }
}

PreOutcome Thawer::AwaitPre(const std::string& id) {
  PreOutcome out;
  if (!plan_.has_pre) {
    out.succeeded = true;
    out.status = "no pre-script";
    return out;
  }
  std::string command;
  TimePoint sent_at;
  {
    core::MutexLock l(&mu_);
    auto it = states_.find(id);
    if (it == states_.end()) {  // SendPre() was not called: the run was cancelled first
      out.status = "not sent";
      out.cancelled = ctx_.Cancelled();
      return out;
    }
    command = it->second.pre_command;
    sent_at = it->second.pre_sent_at;
    out.detail = it->second.pre_error;
  }
  if (command.empty()) {
    ledger_.Update(id, [&](InstanceReport& r) { out.status = r.scripts.pre.status; });
    if (out.status.empty()) out.status = "unknown";
    return out;
  }
  // The script's own timeout, plus a moment for its delivery and the last look.
  const TimePoint deadline = sent_at + plan_.timeout + kPreBoundSlack;
  aws::CommandInvocation last;
  for (int attempt = 0;; ++attempt) {
    auto inv = ctx_.ssm->GetCommandInvocation(command, id);
    if (inv.ok()) {
      last = *inv;
      RecordScript(id, true, last);
      if (last.Done()) {
        {
          core::MutexLock l(&mu_);
          states_[id].pre_ended_at = ctx_.clock->Steady();
        }
        out.succeeded = last.Succeeded();
        out.status = last.status;
        if (!out.succeeded) {
          out.detail = last.response_code >= 0 ? "exit code " + std::to_string(last.response_code) : last.status;
          if (!last.standard_error.empty()) out.detail += ": " + last.standard_error.substr(0, 200);
        }
        return out;
      }
    } else if (inv.error().kind == ErrorKind::kAuth) {
      // No permission to look: its outcome cannot be known.
      out.status = "unknown";
      out.detail = inv.error().ToString();
      return out;
    }
    // kNotFound: SSM does not show the invocation yet; other errors were
    // already retried by the client. Either way, look again until the deadline.
    if (ctx_.clock->Steady() >= deadline) {
      out.status = last.status.empty() ? "unknown" : last.status;
      out.detail = "not done within " + std::to_string(plan_.timeout.count()) + "s";
      return out;
    }
    auto wait = std::min<core::Duration>(ctx_.Backoff(attempt) / 4, kMaxPoll);
    if (!SleepUnlessCancelled(*ctx_.clock, ctx_.cancel, wait)) {
      out.cancelled = true;
      out.status = last.status.empty() ? "unknown" : last.status;
      out.detail = "cancelled (" + ctx_.CancelReason() + ") while waiting for it";
      return out;
    }
  }
}

void Thawer::RecordScript(const std::string& id, bool pre, const aws::CommandInvocation& inv) {
  ledger_.Update(id, [&](InstanceReport& r) {
    report::ScriptRun& run = pre ? r.scripts.pre : r.scripts.post;
    run.status = inv.status;
    run.exit_code = inv.response_code;
  });
}

void Thawer::Queue(const std::string& id) {
  {
    core::MutexLock l(&mu_);
    auto it = states_.find(id);
    if (it == states_.end() || !it->second.owed || it->second.queued) return;
    it->second.queued = true;
  }
  sender_.Push(id);  // refused once Finish() began: Finish() sends it
}

std::vector<std::string> Thawer::Owed() const {
  core::MutexLock l(&mu_);
  std::vector<std::string> out;
  for (const auto& [id, s] : states_) {
    if (s.owed) out.push_back(id);
  }
  return out;
}

void Thawer::SendPostNow(const std::vector<std::string>& ids) noexcept {
  // Whatever goes wrong here, the instances stay owed: Finish() sees to them.
  try {
    SendPost(ids);
  } catch (...) {
    try {
      InternalError(ids, std::current_exception());
    } catch (...) {
    }
  }
}

void Thawer::SendPost(const std::vector<std::string>& ids) {
  auto r = ctx_.ssm->SendCommand(plan_.Request(kPost, ids));
  const TimePoint now = ctx_.clock->Steady();
  {
    core::MutexLock l(&mu_);
    for (const auto& id : ids) {
      State& s = states_[id];
      s.post_sent_at = now;
      s.post_missing = 0;
      s.post_sent = r.ok() || !CertainlyNotSent(r.error());
      s.post_command = r.ok() ? *r : std::string();
      if (!r.ok() && Hopeless(r.error())) ++s.refusals;
      if (!r.ok()) s.last_error = "SendCommand: " + r.error().ToString();
    }
  }
  for (const auto& id : ids) {
    ledger_.Update(id, [&](InstanceReport& rr) {
      ++rr.scripts.post.sends;
      rr.scripts.post.command_id = r.ok() ? *r : std::string();
      rr.scripts.post.status = r.ok() ? "Pending" : (CertainlyNotSent(r.error()) ? "not sent" : "unknown");
      rr.scripts.post.exit_code = -1;
    });
  }
  if (r.ok()) {
    ctx_.Log(LogLevel::kInfo, "post-script sent", {{"instances", std::to_string(ids.size())}, {"command", *r}});
  } else {
    ctx_.Log(LogLevel::kWarn, "SendCommand (post-script) failed; will send it again",
             {{"instances", std::to_string(ids.size())}, {"error", r.error().ToString()}});
  }
}

void Thawer::Finish() noexcept {
  if (finished_) return;
  finished_ = true;
  sender_.Close();
  if (!enabled()) return;
  auto deadline = ctx_.clock->Steady() + 3 * plan_.timeout + kFinishSlack;
  if (ctx_.cancel && ctx_.cancel->deadline()) deadline = std::min(deadline, *ctx_.cancel->deadline());
  bool told = false;
  for (int round = 0;; ++round) {
    try {
      if (Owed().empty()) return;
      if (!told) {
        ctx_.Log(LogLevel::kInfo, "confirming the post-script of " + std::to_string(Owed().size()) +
                                      " instance(s) whose pre-script was sent; do not interrupt");
        told = true;
      }
      FinalRound();
      if (Owed().empty()) return;
    } catch (...) {
      try {
        InternalError(Owed(), std::current_exception());
      } catch (...) {
      }
    }
    try {
      if (ctx_.clock->Steady() >= deadline) {
        MarkNotThawed(Owed());
        return;
      }
      // The thaw ignores cancellation (it is what cancellation waits for),
      // but never sleeps past the deadline: the report must still go out.
      auto left = std::chrono::duration_cast<core::Duration>(deadline - ctx_.clock->Steady());
      ctx_.clock->Sleep(std::min({std::chrono::duration_cast<core::Duration>(ctx_.Backoff(round)),
                                  std::chrono::duration_cast<core::Duration>(kFinishPoll), left}));
    } catch (...) {
    }
  }
}

void Thawer::FinalRound() {
  struct Look {
    std::string id;
    State s;
  };
  std::vector<Look> owed;
  {
    core::MutexLock l(&mu_);
    for (const auto& [id, s] : states_) {
      if (s.owed) owed.push_back({id, s});
    }
  }
  std::vector<std::string> to_send, hopeless;
  auto ledger_sends = [this](const std::string& id) {
    int sends = 0;
    ledger_.Update(id, [&](InstanceReport& r) { sends = r.scripts.post.sends; });
    return sends;
  };
  for (auto& [id, s] : owed) {
    const TimePoint now = ctx_.clock->Steady();
    // 1. Has its pre-script ended? A freeze still to come would undo a thaw.
    if (!s.pre_ended_at) {
      if (!s.pre_command.empty()) {
        auto pre = ctx_.ssm->GetCommandInvocation(s.pre_command, id);
        if (pre.ok()) {
          RecordScript(id, true, *pre);
          if (pre->Done()) s.pre_ended_at = ctx_.clock->Steady();
        }
      }
      if (!s.pre_ended_at && now >= PreBound(s)) s.pre_ended_at = PreBound(s);  // it can no longer run
      if (s.pre_ended_at) {
        core::MutexLock l(&mu_);
        states_[id].pre_ended_at = s.pre_ended_at;
      }
    }
    // 2. Its post-script: never sent, failed, lost, or sent too early.
    if (!s.post_sent) {
      to_send.push_back(id);
      continue;
    }
    if (s.post_command.empty()) {  // the answer was lost: it may or may not run
      to_send.push_back(id);
      continue;
    }
    if (s.pre_ended_at && s.post_sent_at < *s.pre_ended_at) {
      to_send.push_back(id);  // sent while the pre-script could still run: whatever it did, thaw again
      continue;
    }
    auto post = ctx_.ssm->GetCommandInvocation(s.post_command, id);
    if (!post.ok() && Hopeless(post.error())) {
      core::MutexLock l(&mu_);
      ++states_[id].refusals;  // it cannot be known whether it ran
      states_[id].last_error = "GetCommandInvocation: " + post.error().ToString();
      continue;
    }
    if (!post.ok()) {
      if (post.error().kind == ErrorKind::kNotFound) {
        core::MutexLock l(&mu_);
        // SSM shows an invocation a moment after SendCommand; after a few
        // looks it is lost: send again.
        if (++states_[id].post_missing >= 3) to_send.push_back(id);
      }
      continue;
    }
    RecordScript(id, false, *post);
    if (!post->Done()) continue;  // still running: look again
    const bool after_pre = s.pre_ended_at && s.post_sent_at >= *s.pre_ended_at;
    if (post->Succeeded() && after_pre) {
      Thawed(id, *post);
    } else if (post->Succeeded() && !s.pre_ended_at) {
      continue;  // the pre-script may still run: wait until it ended, then thaw again
    } else if (post->Succeeded() || ledger_sends(id) < kMaxPostSends) {
      to_send.push_back(id);  // failed, timed out, or ran before the pre-script ended
    } else {
      hopeless.push_back(id);  // it fails every time: retrying cannot help
    }
  }
  for (const auto& batch : core::Chunks(to_send, kBatch)) SendPost(batch);
  {
    core::MutexLock l(&mu_);
    for (const auto& [id, st] : states_) {
      if (st.owed && st.refusals >= kHopelessRounds &&
          std::find(hopeless.begin(), hopeless.end(), id) == hopeless.end()) {
        hopeless.push_back(id);
      }
    }
  }
  if (!hopeless.empty()) MarkNotThawed(hopeless);
}

void Thawer::Thawed(const std::string& id, const aws::CommandInvocation& inv) {
  {
    core::MutexLock l(&mu_);
    auto it = states_.find(id);
    if (it == states_.end() || !it->second.owed) return;
    it->second.owed = false;
  }
  ledger_.Update(id, [&](InstanceReport& r) {
    r.scripts.thawed = true;
    r.scripts.post.status = inv.status;
    r.scripts.post.exit_code = inv.response_code;
  });
  ctx_.Log(LogLevel::kInfo, "post-script succeeded", {{"instance", id}});
}

void Thawer::InternalError(const std::vector<std::string>& ids, std::exception_ptr e) {
  const std::string what = core::WhatOf(e);
  for (const auto& id : ids) {
    ledger_.AddError(
        id, Failure(Step::kPostScript, "InternalError", "internal error while running the post-script: " + what));
  }
  ctx_.Log(LogLevel::kError, "internal error while running post-scripts; trying again", {{"error", what}});
}

void Thawer::MarkNotThawed(const std::vector<std::string>& ids) {
  {
    core::MutexLock l(&mu_);
    for (const auto& id : ids) states_[id].owed = false;  // said once; the report keeps thaw_owed && !thawed
  }
  std::map<std::string, std::string> why;
  {
    core::MutexLock l(&mu_);
    for (const auto& id : ids) why[id] = states_[id].last_error;
  }
  for (const auto& id : ids) {
    ledger_.Update(id, [&](InstanceReport& r) {
      const std::string last = r.scripts.post.status.empty() ? "not sent" : r.scripts.post.status;
      r.errors.push_back(Failure(Step::kPostScript, "NotThawed",
                                 "the post-script did not succeed (last: " + last +
                                     (why[id].empty() ? "" : "; " + why[id]) +
                                     "): the host may be NOT THAWED; run the post-script on it by hand"));
    });
  }
  ctx_.Log(LogLevel::kError, std::to_string(ids.size()) + " instance(s) NOT THAWED");
}

bool Thawer::AwaitPreAndRecord(const std::string& id) {
  const PreOutcome pre = AwaitPre(id);
  if (pre.succeeded) {
    // Only a pre-script makes the set application-consistent (a post-script alone does not).
    const char* consistency = plan_.has_pre ? "application" : "crash";
    ledger_.Update(id, [&](InstanceReport& r) { r.scripts.consistency = consistency; });
    return true;
  }
  if (pre.cancelled) return true;  // the caller reports the cancellation
  const std::string what = "pre-script " + pre.status + (pre.detail.empty() ? "" : " (" + pre.detail + ")");
  if (plan_.skip_on_failure) {
    ledger_.AddError(
        id, Failure(Step::kPreScript, "PreScriptFailed", what + ": no snapshot taken (--on-script-failure skip)"));
    ctx_.Log(core::LogLevel::kError, "pre-script failed; skipped", {{"instance", id}, {"status", pre.status}});
    return false;
  }
  ledger_.Update(id, [&](InstanceReport& r) {
    r.scripts.consistency = "crash";
    r.warnings.push_back(what + ": the snapshot is crash-consistent (--on-script-failure crash-consistent)");
  });
  ctx_.Log(core::LogLevel::kWarn, "pre-script failed; snapshot is crash-consistent",
           {{"instance", id}, {"status", pre.status}});
  return true;
}

}  // namespace s3snapshot::job
