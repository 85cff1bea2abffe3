// One clear report per run: what was selected, what was done to each instance,
// every snapshot and every failure, as text for people and JSON for machines.
#ifndef S3SNAPSHOT_JOB_REPORT_H_
#define S3SNAPSHOT_JOB_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.h"

namespace s3snapshot::job {

struct CopyRecord {
  std::string region, snapshot_id, state;  // snapshot_id empty when the copy failed
  bool started = false;                    // CopySnapshot sent by this run
};

struct SnapshotRecord {
  std::string snapshot_id, volume_id, device, state;
  std::vector<CopyRecord> copies;
};

struct FailureRecord {
  // "select", "stop", "snapshot", "start", "wait", "copy to REGION",
  // "retention", "notify", "internal"
  std::string step;
  std::string code, message, request_id;
};

// Every failure record is made by one of these two: from an Error (its AWS
// code, or its kind's name when it has none; its message and request id),
// or from a code and message of the tool's own.
FailureRecord FailureFrom(const std::string& step, const core::Error& e);
FailureRecord Failure(const std::string& step, const std::string& code, const std::string& message);

// A copy of an earlier run's snapshot that this run looked after
// (--copy-to-region): its state in the destination.
struct EarlierCopyRecord {
  std::string scope, instance_id, source_snapshot_id, region, copy_id;
  std::string state;     // completed | pending | queued | failed
  bool started = false;  // CopySnapshot sent by this run
};

struct RetentionRecord {
  std::string scope;
  std::string snapshot_id, volume_id, instance_id, start_time;
  std::string action;  // "deleted", "would delete", "kept", "failed"
  std::string reason;
  // A dry run's "would delete" that the run deletes only when this run's new
  // set has completed by retention time (it then takes the newest slot).
  bool once_set_completes = false;
};

// One pre- or post-script run through SSM Run Command (job/thawer.h).
struct ScriptRun {
  std::string command_id;  // the last SendCommand's; empty: none answered
  // SSM's status (Success, Failed, TimedOut, Cancelled, InProgress, ...),
  // or "not sent" / "unknown" (the answer was lost); empty: not asked for.
  std::string status;
  int exit_code = -1;  // the script's exit status; -1: unknown
  int sends = 0;       // SendCommand calls for it (a post-script may be sent again)
};

struct ScriptsRecord {
  bool used = false;  // the run has scripts and this instance was subject to them
  ScriptRun pre, post;
  // Owed its post-script: its pre-script was (or may have been) sent.
  bool thaw_owed = false;
  // A post-script sent after the pre-script had ended succeeded.
  bool thawed = false;
  // "application" (the pre-script succeeded before CreateSnapshots),
  // "crash" (it did not: --on-script-failure crash-consistent), "stopped"
  // (the instance was not running: no scripts); empty: no snapshot.
  std::string consistency;
};

struct InstanceReport {
  std::string scope;  // "ACCOUNT/REGION" or "REGION" when a run covers several; else empty
  std::string instance_id, name;
  std::string state_before, state_after;
  bool stopped_by_run = false;  // this run stopped it (never in a dry run)
  bool would_stop = false;      // a dry run's plan: --stop would stop it
  bool restarted = false;       // StartInstances accepted for an instance this run stopped
  bool snapshotted = false;     // CreateSnapshots returned snapshots for every volume
  std::vector<SnapshotRecord> snapshots;
  std::vector<FailureRecord> errors;
  std::vector<std::string> warnings;
  double seconds = 0;  // from first action to last on this instance
  // Why nothing was done to it, when that is not a failure (--min-interval:
  // "recent: ..."); empty otherwise.
  std::string skipped;
  bool dry_run_only = false;
  ScriptsRecord scripts;

  bool ok() const { return errors.empty(); }
  bool NotThawed() const { return scripts.thaw_owed && !scripts.thawed; }
};

// An audit (job/audit.h): one selected volume, its newest counted snapshot,
// its newest copies, and what is wrong with its protection.
struct AuditSnapshot {
  std::string snapshot_id;  // empty: none
  std::string start_time, state, progress;
  std::string owner;  // s3snapshot | dlm | aws-backup | other
  long long age_seconds = -1;
};

struct AuditCopy {
  std::string region;
  AuditSnapshot newest;  // the newest completed copy (empty id: none)
};

struct AuditFinding {
  // missing | too-old | error | pending | no-ebs-volume | unknown |
  // copy-missing | copy-too-old | copy-error | copy-pending
  std::string kind;
  std::string message;
};

struct AuditVolume {
  std::string scope;  // as InstanceReport::scope
  std::string instance_id, name, instance_state;
  std::string device, volume_id;  // volume_id empty: an instance with no EBS volume
  bool excluded = false;          // tagged s3snapshot:exclude=true: left out on purpose, not judged
  AuditSnapshot newest;           // the newest completed snapshot that counts
  std::vector<AuditCopy> copies;  // one per --copy-to-region
  std::vector<AuditFinding> findings;
  bool ok() const { return findings.empty(); }
};

struct Report {
  std::string run_id, region, account;
  std::string started_at, finished_at;  // ISO 8601
  double seconds = 0;
  bool dry_run = false;
  std::string label;
  bool cancelled = false;
  std::string cancel_reason;  // "SIGTERM", "Lambda deadline", ...
  std::vector<InstanceReport> instances;
  std::vector<FailureRecord> run_errors;       // not tied to one instance (selection, notify)
  std::vector<std::string> not_found;          // requested ids that are not there (or terminated)
  std::vector<std::string> not_matching_tags;  // requested ids filtered out by the tags
  // API calls (and throttled ones) of the run, counted when its report was
  // concluded: what the SNS message says, too. Calls made after it (SNS
  // Publish, PutMetricData) are reporting_api_calls.
  long api_calls = 0, throttled = 0;
  long reporting_api_calls = 0;
  std::vector<RetentionRecord> retention;
  std::vector<EarlierCopyRecord> earlier_copies;
  // The selection itself failed (credentials, permissions, endpoint): the
  // instance list is empty because nothing could be asked, not because
  // nothing matched.
  bool selection_failed = false;

  // An audit's report (`audit`): the volumes instead of instances, and the
  // policy they were judged by, in words ("newest completed within 1d2h, ...").
  bool audit = false;
  std::string audit_policy;
  std::vector<AuditVolume> volumes;

  int FailedCount() const;
  // Audit: volumes with a finding.
  int UnprotectedCount() const;
  // Audit: the age of the oldest among the volumes' newest completed
  // snapshots (the fleet's worst recovery point); -1 when no volume has one.
  long long OldestNewestAgeSeconds() const;
  int SnapshotCount() const;
  // Everything asked was done: no failed instance, no run error, and the
  // run was not cancelled (a cancelled run skipped work, however little).
  // An audit is ok when no volume has a finding.
  bool ok() const { return FailedCount() == 0 && UnprotectedCount() == 0 && run_errors.empty() && !cancelled; }
  // Instances this run stopped that it could not start again. Must be empty.
  std::vector<std::string> LeftStopped() const;
  // Instances owed a post-script that never succeeded (a host this run may
  // have left frozen). Must be empty.
  std::vector<std::string> NotThawed() const;
};

// The version of the JSON report's layout ("report_version"), pinned by
// share/s3snapshot/report.schema.json: it changes only when a field is
// removed or changes meaning (fields may be added within a version).
inline constexpr int kReportVersion = 1;

// One report from the reports of several scopes (account x region): the
// instances, retention records and errors of each, labelled with `scopes[i]`.
Report MergeReports(std::vector<Report> parts, const std::vector<std::string>& scopes);

// The longest prefix of `s` of at most `max_bytes` that does not cut a UTF-8
// character in two (SNS and EC2 reject invalid UTF-8).
std::string TruncateUtf8(const std::string& s, size_t max_bytes);

// The report as a table for people and as JSON (keys sorted; `indent` < 0:
// one line). The writers stream instance by instance, so a 10,000-instance
// report never exists twice in memory; the string forms are for small ones.
void WriteReportText(const Report& r, std::ostream& out);
void WriteReportJson(const Report& r, std::ostream& out, int indent = 2, bool failed_instances_only = false);
std::string ReportToText(const Report& r);
std::string ReportToJson(const Report& r, int indent = 2);
// What went wrong, one line each, for stderr (cron mails stderr; stdout often
// goes to a file): the cancellation, every run error (selection, credentials,
// permissions, notify), the instances LEFT STOPPED, and the failed instances
// with their first error -- at most `max_instances` of those, then a count.
// Empty when the report is ok.
std::vector<std::string> FailureSummary(const Report& r, size_t max_instances = 20);
// ", N run error(s)" when the report has run errors (failures not tied to an
// instance or volume: selection, notify, metrics), else "". Every summary line
// and subject carries it, so "0 failed" never stands beside exit status 1.
std::string RunErrorCount(const Report& r);
// "then N API call(s) to notify and send metrics" when there were any.
void WriteReportingCalls(const Report& r, std::ostream& o);
// A one-line subject within SNS's 100-character limit.
std::string ReportSubject(const Report& r, bool errors_only);
// A readable body; `errors_only` lists only the failures. Kept under `max_bytes`.
std::string ReportMessage(const Report& r, bool errors_only, size_t max_bytes = 200 * 1024);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_REPORT_H_
