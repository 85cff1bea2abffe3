// What every command's report has: the run's identity, its scopes, its
// failures and its counts (the envelope), and the failure records made of
// errors. Each command's own model (snapshot_report.h, audit_report.h) is
// this envelope plus its rows; report.h holds them as one type.
#ifndef S3SNAPSHOT_REPORT_ENVELOPE_H_
#define S3SNAPSHOT_REPORT_ENVELOPE_H_

#include <functional>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace s3snapshot::report {

// The step a failure happened in. Its name (StepName) is what the JSON
// report, the text and the SNS message show, as published.
enum class Step {
  kSelect,           // "select"
  kStop,             // "stop"
  kSnapshot,         // "snapshot"
  kLock,             // "lock": --lock-mode on a new snapshot or copy
  kStart,            // "start"
  kWait,             // "wait"
  kCopy,             // "copy": an earlier run's copies, a copy's completion event
  kCopyTo,           // "copy to REGION" (FailureRecord::region)
  kRetention,        // "retention"
  kEarlierSnapshot,  // "earlier snapshot": one that ended in 'error' after its run
  kPreScript,        // "pre-script"
  kPostScript,       // "post-script"
  kEvent,            // "event": a completion event's lookups
  kAudit,            // "audit"
  kRestore,          // "restore": choosing the set, making and attaching its volumes
  kDrill,            // "drill": a drill's sets, volumes, checks and teardown
  kNotify,           // "notify"
  kMetrics,          // "metrics"
  kInternal,         // "internal"
};

struct FailureRecord {
  Step step = Step::kInternal;
  std::string region;  // Step::kCopyTo: the destination
  std::string code, message, request_id;
};

// "snapshot", "copy to eu-west-1", ...: the one table of step names.
std::string StepName(const FailureRecord& f);

// Every failure record is made by one of these: from an Error (its AWS code,
// or its kind's name when it has none; its message and request id), or from
// a code and message of the tool's own. CopyFailure* name the destination.
FailureRecord FailureFrom(Step step, const core::Error& e);
FailureRecord Failure(Step step, const std::string& code, const std::string& message);
FailureRecord CopyFailureFrom(const std::string& region, const core::Error& e);
FailureRecord CopyFailure(const std::string& region, const std::string& code, const std::string& message);

// "step: Code: message (request id ...)": one line of text.
std::string FailureLine(const FailureRecord& f);

// One scope (account x region) of a run that covered several: whether
// everything asked there was done, and its counts.
struct ScopeSummary {
  std::string scope;  // "ACCOUNT/REGION", or "REGION" in the caller's account
  bool ok = true;
  int items = 0;   // instances (a run), volumes (an audit), sets (a drill)
  int failed = 0;  // of those, failed (an audit: unprotected)
  int run_errors = 0;
};

struct Envelope {
  std::string run_id, region, account;
  std::string started_at, finished_at;  // ISO 8601
  double seconds = 0;
  bool dry_run = false;
  std::string label;
  bool cancelled = false;
  std::string cancel_reason;                   // "SIGTERM", "deadline", ...
  std::vector<FailureRecord> run_errors;       // not tied to one instance (selection, notify)
  std::vector<std::string> not_found;          // requested ids that are not there (or terminated)
  std::vector<std::string> not_matching_tags;  // requested ids filtered out by the tags
  // API calls (and throttled ones) of the run, counted when its report was
  // concluded: what the SNS message says, too. Calls made after it (SNS
  // Publish, PutMetricData) are reporting_api_calls.
  long api_calls = 0, throttled = 0;
  long reporting_api_calls = 0;
  // The selection itself failed (credentials, permissions, endpoint): the
  // report has no rows because nothing could be asked, not because nothing
  // matched.
  bool selection_failed = false;
  // A run over several scopes: one per scope, in the order they were run;
  // empty for a one-scope run.
  std::vector<ScopeSummary> scopes;
};

// The version of the JSON report's layout ("report_version"), pinned by
// share/s3snapshot/report.schema.json: it changes only when a field is
// removed or changes meaning (fields may be added within a version).
inline constexpr int kReportVersion = 1;

// Folds one scope's envelope into a merged one (the first part gives the
// run's identity): run errors prefixed "[SCOPE] ", unmatched ids suffixed
// " [SCOPE]", the earliest start, the latest end, the longest part.
void MergeEnvelope(Envelope part, const std::string& scope, bool first, Envelope* merged);
// The summary of one part before it is merged (ok: no failed item, no run
// error, not cancelled).
ScopeSummary SummaryOf(const Envelope& part, const std::string& scope, int items, int failed);
// A run over several accounts or regions: a line per account (its regions,
// items and failures), and under it a line per region that failed. `noun`:
// "instance(s)", "volume(s)", "set(s)"; `failed_word`: "failed", "unprotected".
// `failed_first`: the accounts with a failed scope before the others (the
// SNS message's head).
void WriteScopes(const Envelope& r, const char* noun, const char* failed_word, std::ostream& o,
                 bool failed_first = false);
// At most `max` of `lines`, then "... and N more WHAT: see the full report".
void WriteBoundedLines(const std::vector<std::string>& lines, size_t max, const char* what, std::ostream& o);
// How many failure lines an SNS message's head lists before "... and N more".
inline constexpr size_t kHeadFailureLines = 100;
// The header's " (account ...)": the account, a few accounts listed, or
// "N accounts" (an organization's are listed under "by account:"); "" when
// the report names none.
std::string AccountsText(const Envelope& r);
// Instance ids belong to one region: once merged, an id is "not found" only
// when no scope found it (`found`: the ids some scope had).
void DropFoundIds(const std::set<std::string>& found, Envelope* merged);

// A run error that made the selection fail (not an opt-out lookup, which
// snapshots every volume, nor an empty selection).
bool IsSelectionFailure(const Envelope& r, const FailureRecord& e);

// ", N run error(s)" when the report has run errors (failures not tied to an
// instance or volume: selection, notify, metrics), else "". Every summary line
// and subject carries it, so "0 failed" never stands beside exit status 1.
std::string RunErrorCount(const Envelope& r);
// "then N API call(s) to notify and send metrics" when there were any.
void WriteReportingCalls(const Envelope& r, std::ostream& o);
// An SNS subject from its first words: the region and label added, cut to
// SNS's 100 characters, printable ASCII only.
std::string SubjectLine(std::string first_words, const Envelope& r);

// What `write` writes, kept under `max_bytes` (with a note that it was cut),
// without ever holding more than that: an SNS message of a huge report.
std::string LimitedText(size_t max_bytes, const std::function<void(std::ostream&)>& write);

// The longest prefix of `s` of at most `max_bytes` that does not cut a UTF-8
// character in two (SNS and EC2 reject invalid UTF-8).
std::string TruncateUtf8(const std::string& s, size_t max_bytes);

// Text helpers every renderer shares: a left-aligned column, "12.3s", an age
// in the largest units ("1d2h"), and one that never reads as within `limit`
// when it is not ("1d1s" rather than "1d").
std::string Pad(const std::string& s, size_t width);
std::string Seconds(double s);
std::string HumanAge(long long seconds);
std::string HumanAgeBeyond(long long seconds, long long limit);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_ENVELOPE_H_
