// A snapshot run's report: what was selected, what was done to each
// instance, every snapshot, copy and retention decision and every failure, as
// text for people, JSON for machines and an SNS message.
#ifndef S3SNAPSHOT_REPORT_SNAPSHOT_REPORT_H_
#define S3SNAPSHOT_REPORT_SNAPSHOT_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "report/envelope.h"

namespace s3snapshot::report {

// --lock-mode: "governance until 2026-12-12T05:25:34Z", "compliance for 30
// days from completion" (a pending snapshot's duration starts when it
// completes), "NOT LOCKED" when the lock failed; empty: no lock was asked.
inline constexpr char kNotLocked[] = "NOT LOCKED";

struct CopyRecord {
  std::string region, snapshot_id, state;  // snapshot_id empty when the copy failed
  bool started = false;                    // CopySnapshot sent by this run
  std::string lock = {};
  bool late = false;  // a time-based copy pending past its promised time (--copy-completion-minutes)
};

struct SnapshotRecord {
  std::string snapshot_id, volume_id, device, state;
  std::vector<CopyRecord> copies;
  std::string lock = {};  // as CopyRecord::lock
};

// A copy of an earlier run's snapshot that this run looked after
// (--copy-to-region): its state in the destination.
struct EarlierCopyRecord {
  std::string scope, instance_id, source_snapshot_id, region, copy_id;
  std::string state;      // completed | pending | queued | failed
  bool started = false;   // CopySnapshot sent by this run
  std::string lock = {};  // as CopyRecord's
  bool late = false;      // as CopyRecord's
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

// A snapshot run's report: the envelope, one row per selected instance, the
// retention decisions, and the earlier runs' copies it looked after.
struct SnapshotReport : Envelope {
  std::vector<InstanceReport> instances;
  std::vector<RetentionRecord> retention;
  std::vector<EarlierCopyRecord> earlier_copies;
  // Volumes killed drills left (tagged s3snapshot:drill-id, older than
  // --drill-timeout) that this run deleted, and those it could not: not the
  // run's failure (its snapshots are made), a line of the report, and a
  // failure of the next drill.
  std::vector<std::string> drill_volumes_swept, drill_volumes_left;
  // What the run could not do as well as it should and that is no failure
  // (retention without leave to read snapshot locks).
  std::vector<std::string> warnings;

  int FailedCount() const;
  int SnapshotCount() const;
  // Everything asked was done: no failed instance, no run error, and the
  // run was not cancelled (a cancelled run skipped work, however little).
  bool ok() const { return FailedCount() == 0 && run_errors.empty() && !cancelled; }
  // Instances this run stopped that it could not start again. Must be empty.
  std::vector<std::string> LeftStopped() const;
  // Instances owed a post-script that never succeeded (a host this run may
  // have left frozen). Must be empty.
  std::vector<std::string> NotThawed() const;
};

// One report from the reports of several scopes (account x region): the
// instances, retention records and errors of each, labelled with `scopes[i]`.
SnapshotReport MergeReports(std::vector<SnapshotReport> parts, const std::vector<std::string>& scopes);

// The report as a table for people and as JSON (keys sorted; `indent` < 0:
// one line). The writers stream instance by instance, so a 10,000-instance
// report never exists twice in memory. `failures_only`: only the instances
// that failed (with a count of those left out).
void WriteText(const SnapshotReport& r, std::ostream& out);
void WriteJson(const SnapshotReport& r, std::ostream& out, int indent, bool failures_only);
// What went wrong, one line each, for stderr (cron mails stderr; stdout often
// goes to a file): the cancellation, every run error (selection, credentials,
// permissions, notify), the instances LEFT STOPPED, and the failed instances
// with their first error -- at most `max_instances` of those, then a count.
// Empty when the report is ok.
std::vector<std::string> FailureSummary(const SnapshotReport& r, size_t max_instances = 20);
// A one-line SNS subject (before SubjectLine) and the head of the error
// message (the failures, then "Full report:").
std::string SubjectWords(const SnapshotReport& r, bool errors_only);
void WriteErrorHead(const SnapshotReport& r, std::ostream& out);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_SNAPSHOT_REPORT_H_
