// The thaw guarantee of --pre-script/--post-script (and --ssm-document):
// every instance whose pre-script this run sent -- or may have sent, when a
// SendCommand answer was lost -- gets its post-script, and the post-script
// counts only once it has succeeded *after the pre-script ended*, whatever
// happened on the way: a failed, throttled or refused snapshot, a pre-script
// that failed, timed out or whose answer was lost, SIGINT/SIGTERM, the
// Lambda deadline, an exception. An instance whose post-script never
// succeeds before the thaw deadline is named NOT THAWED in the report, on
// stderr and in the SNS error message.
//
// How it holds (built as the restart guarantee, restarter.h):
//  - SendPre() records the instances as owed *before* SendCommand is sent;
//  - Queue() sends the post-script as soon as CreateSnapshots has answered
//    (the point in time is fixed then), batched (50 ids per SendCommand, SSM's
//    limit) on a sender thread;
//  - Finish() runs the final phase: it joins the sender, then, in rounds
//    with backoff until nothing is owed or the deadline, looks at each owed
//    instance's scripts with GetCommandInvocation and (re)sends the
//    post-script where none was sent, the last one failed, or it was sent
//    while the pre-script could still run (a freeze after the thaw would
//    leave the host frozen). A pre-script whose status cannot be had has
//    surely ended kPreBoundSlack after its delivery timeout
//    (kDeliveryTimeoutSeconds: SSM does not start it later) and its
//    executionTimeout (--script-timeout). Finish() ignores cancellation,
//    catches every exception and is idempotent;
//  - the destructor calls Finish().
//
// Post-scripts must therefore be idempotent (thawing a thawed filesystem
// succeeds): the README's example is.
//
// Threads: SendPre() and Finish() from the run's main thread; AwaitPre()
// and Queue() from any thread. Results go into the Ledger (scripts.*).
#ifndef S3SNAPSHOT_JOB_THAWER_H_
#define S3SNAPSHOT_JOB_THAWER_H_

#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/ssm_client.h"
#include "core/batch_sender.h"
#include "core/mutex.h"
#include "job/job_context.h"
#include "job/ledger.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// What to send for each stage, from the spec.
struct ScriptPlan {
  static constexpr const char* kShellDocument = "AWS-RunShellScript";
  std::string document;   // AWS-RunShellScript or --ssm-document
  std::string pre, post;  // shell commands (AWS-RunShellScript); unused with a document
  bool has_pre = false, has_post = false;
  std::chrono::seconds timeout{30};
  bool skip_on_failure = false;  // --on-script-failure skip (else crash-consistent)

  static ScriptPlan From(const spec::JobSpec& spec);
  bool enabled() const { return has_pre || has_post; }
  // The SendCommand of `stage` ("pre-script" or "post-script") for `ids`.
  aws::SendCommandRequest Request(const std::string& stage, const std::vector<std::string>& ids) const;
};

struct PreOutcome {
  bool succeeded = false;
  bool cancelled = false;  // the run was cancelled while waiting
  std::string status;      // SSM's, or "not sent", "unknown", "no pre-script"
  std::string detail;      // for the report: "exit code 1", "not done within 30s", ...
};

class Thawer {
 public:
  // SendCommand takes at most 50 instance ids.
  static constexpr size_t kBatch = aws::kMaxInstancesPerCommand;
  // SendCommand's TimeoutSeconds (its minimum): a script not delivered by
  // then never runs.
  static constexpr int kDeliveryTimeoutSeconds = 30;
  static constexpr std::chrono::seconds kPreBoundSlack{5};
  // The final phase lasts at most 3 x --script-timeout + this (never past
  // the Lambda deadline).
  static constexpr std::chrono::seconds kFinishSlack{60};
  // A post-script that ended unsuccessfully this many times is not sent
  // again: the instance is NOT THAWED at once.
  static constexpr int kMaxPostSends = 5;
  // Rounds in which SSM refuses the post-script or its status for a reason
  // retrying cannot fix (no permission, invalid input) before the instance is
  // NOT THAWED without waiting for the deadline.
  static constexpr int kHopelessRounds = 3;
  // Polls of a pre-script's status: a quarter of the job's backoff (250 ms,
  // 500 ms, then) at most kMaxPoll apart -- the host is frozen from the
  // moment it succeeds until CreateSnapshots has answered, so the poll's
  // granularity is freeze time (bench/scripts: 1.9 s median with 2 s polls).
  // The final phase's rounds, kFinishPoll.
  static constexpr std::chrono::milliseconds kMaxPoll{1000};
  static constexpr std::chrono::milliseconds kFinishPoll{1000};

  Thawer(const JobContext& ctx, Ledger& ledger, const spec::JobSpec& spec);
  ~Thawer();
  Thawer(const Thawer&) = delete;
  Thawer& operator=(const Thawer&) = delete;

  bool enabled() const { return plan_.enabled() && ctx_.ssm != nullptr; }
  const ScriptPlan& plan() const { return plan_; }

  // Main thread, before their CreateSnapshots: each of `ids` (at most kBatch)
  // is owed its post-script from now on (when there is one), then their
  // pre-script is sent (when there is one).
  void SendPre(const std::vector<std::string>& ids);
  // Any thread: waits until the instance's pre-script ended, its timeout
  // passed, or the run was cancelled.
  PreOutcome AwaitPre(const std::string& id);
  // Any thread: AwaitPre, and its outcome in the instance's row (its
  // consistency, or the warning or failure --on-script-failure asks for).
  // False when the instance is to be skipped (no snapshot).
  bool AwaitPreAndRecord(const std::string& id);
  // Any thread: its CreateSnapshots has answered (or will not be sent):
  // send its post-script now (asynchronously).
  void Queue(const std::string& id);
  // The final phase; see above. Safe to call more than once.
  void Finish() noexcept;

  // Instances still owed a successful post-script.
  std::vector<std::string> Owed() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct State {
    bool owed = false;    // needs its post-script
    bool queued = false;  // Queue() was called
    std::string pre_command;
    std::string pre_error;  // why SendCommand failed
    TimePoint pre_sent_at{};
    std::optional<TimePoint> pre_ended_at;  // when it was seen ended (or surely over)
    std::string post_command;
    TimePoint post_sent_at{};
    bool post_sent = false;  // a SendCommand for it was (or may have been) accepted
    int post_missing = 0;    // GetCommandInvocation said it does not exist
    std::string last_error;  // the last refusal, for the report
    int refusals = 0;        // rounds SSM refused to send or show its scripts (permissions, input)
  };

  void SendPostNow(const std::vector<std::string>& ids) noexcept;  // the sender thread's
  void SendPost(const std::vector<std::string>& ids);
  void FinalRound();
  void Thawed(const std::string& id, const aws::CommandInvocation& inv);
  void RecordScript(const std::string& id, bool pre, const aws::CommandInvocation& inv);
  void MarkNotThawed(const std::vector<std::string>& ids);
  void InternalError(const std::vector<std::string>& ids, std::exception_ptr e);
  TimePoint PreBound(const State& s) const;

  const JobContext& ctx_;
  Ledger& ledger_;
  const ScriptPlan plan_;

  mutable core::Mutex mu_;
  std::map<std::string, State> states_ GUARDED_BY(mu_);

  // Post-scripts as CreateSnapshots answers (started by the first SendPre()
  // of a run with a post-script); after the members it calls into.
  core::BatchSender sender_;

  bool finished_ = false;  // main thread only
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_THAWER_H_
