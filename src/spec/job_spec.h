// What one run is asked to do, whatever it came from (command line, --filter
// document, Lambda payload), and the rules that make it safe to run.
#ifndef S3SNAPSHOT_SPEC_JOB_SPEC_H_
#define S3SNAPSHOT_SPEC_JOB_SPEC_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace s3snapshot::spec {

// Every field's default is here, and only here (job/settings.h reads them
// for --help).
struct JobSpec {
  std::vector<std::string> instance_ids;
  std::map<std::string, std::vector<std::string>> tags;  // "tag:KEY" -> values
  bool all = false;                                      // --all: no selection means every instance
  bool allow_empty = false;  // --allow-empty: a selection that matches nothing is no failure
  bool stop = false;         // stop running instances first, restart after
  bool stopped = false;      // only instances already stopped
  bool verbose = false;
  bool protect = false;  // tag snapshots State=Protected
  bool dry_run = false;
  std::string sns_arn, sns_arn_error, label;

  // Retention (job/retention.h): 0 means the rule is off.
  int keep = 0;
  int keep_days = 0;
  bool prune_orphans = false;
  // Calendar tiers: the newest complete set of each of the last N days,
  // ISO weeks, months, years (with a set), in retention_timezone.
  int keep_daily = 0, keep_weekly = 0, keep_monthly = 0, keep_yearly = 0;
  std::string retention_timezone = "UTC";

  // Snapshot lock (job/locker.h): mode governance|compliance ("": none),
  // for lock_days or until lock_until (ISO 8601), with a cool-off (compliance).
  std::string lock_mode;
  int lock_days = 0;
  std::string lock_until;
  int lock_cool_off_hours = 0;
  // audit --require-lock: a volume whose newest set is not locked is a finding.
  bool require_lock = false;
  // Time-based copies: CompletionDurationMinutes on each CopySnapshot; 0: standard copies.
  int copy_completion_minutes = 0;
  bool HasRetention() const {
    return keep > 0 || keep_days > 0 || keep_daily > 0 || keep_weekly > 0 || keep_monthly > 0 || keep_yearly > 0;
  }

  // --wait: until the run's snapshots are 'completed' (or 'error').
  bool wait = false;
  std::chrono::seconds wait_timeout{3600};

  // Copies of each new snapshot to other regions (CopySnapshot, run in the
  // destination), re-encrypted with kms_key_id when given.
  std::vector<std::string> copy_to_regions;
  std::string kms_key_id;
  int max_concurrent_copies = 20;  // new copies per destination region per run (EC2's default limit)
  // A completed source still without its copy this long after it began is
  // a failure (--copy-overdue).
  std::chrono::seconds copy_overdue{24 * 3600};

  // Scope: regions (empty: the configured one; {"all"}: every enabled
  // region) times accounts (roles to assume; empty: the caller's own).
  std::vector<std::string> regions;
  std::vector<std::string> assume_roles;
  std::string external_id;
  // --org: every ACTIVE account of the caller's organization (or those under
  // `ous`, recursively), less `exclude_accounts`, through the role
  // `role_name` in each; the caller's own account with its own credentials.
  bool org = false;
  std::vector<std::string> ous, exclude_accounts;
  std::string role_name = "s3snapshot";
  // Account x region runs in parallel: 64 runs 64 scopes as fast as 32 does
  // and 1,024 scopes faster (8.1 s rather than 9.7 s, 161 threads and 25 MiB;
  // 128: 8.0 s, 225 threads; bench/org). Lambda allows 1,024 threads.
  int scope_concurrency = 64;

  // Operational limits.
  std::chrono::seconds stop_timeout{600};     // waiting for instances to stop
  std::chrono::seconds restart_timeout{900};  // making sure they run again
  int concurrency = 8;                        // CreateSnapshots calls in flight

  // --min-interval: an instance with a set of the tool's (same label) begun
  // this recently is skipped; 0: off (job/dedupe.h).
  std::chrono::seconds min_interval{0};
  std::chrono::seconds connect_timeout{3};  // per request
  std::chrono::seconds read_timeout{30};    // per request, the whole request

  // What to capture (job/exclusions.h): the root volume out (--exclude-boot),
  // the volumes attached as these devices out (--exclude-device).
  bool exclude_boot = false;
  std::vector<std::string> exclude_devices;

  // Application-consistent snapshots (job/thawer.h): a pre-script through
  // SSM Run Command before CreateSnapshots, a post-script as soon as it has
  // answered -- shell commands run with AWS-RunShellScript, or a document
  // that takes command=pre-script|post-script, as DLM's do.
  std::string pre_script, post_script, ssm_document;
  std::chrono::seconds script_timeout{30};  // each script's run, as DLM's (10..120)
  // A pre-script that did not succeed: snapshot anyway (the set is then
  // crash-consistent, a warning), or skip the instance (a failure).
  std::string on_script_failure = "crash-consistent";

  // `s3snapshot audit` (payload "audit": true): read-only; for every
  // selected volume, is there a recent enough completed snapshot (job/audit.h).
  bool audit = false;
  std::chrono::seconds max_age{26 * 3600};      // newest completed snapshot at most this old
  std::chrono::seconds max_pending{12 * 3600};  // a snapshot pending longer is a finding
  bool include_foreign = false;                 // DLM, AWS Backup, manual snapshots count too

  // `s3snapshot restore` (job/restore.h): one snapshot set of
  // restore_instance back into volumes, side by side.
  bool restore = false;
  std::string restore_instance;     // --instance: whose set (it may be terminated)
  std::string restore_run_id;       // --run-id: the set of that run
  std::string restore_before;       // --before: the newest complete set begun before (RFC 3339)
  std::string to_instance;          // --to-instance: attach there (default: restore_instance)
  std::string availability_zone;    // --availability-zone: make the volumes there, attach nowhere
  std::string volume_type = "gp3";  // when the original volume is gone
  std::string restore_id;           // --restore-id: resume; default a new one
  bool in_place = false;            // --in-place: the restored volumes replace the originals (job/rollback.h)

  // `s3snapshot drill` (payload "drill": true; job/drill.h): each selected
  // instance's newest complete set restored as volumes, timed, optionally
  // checked on a scratch instance, and deleted (job/teardown.h).
  bool drill = false;
  int sample = 0;               // --sample N: a random N of the selected instances; 0: every one
  std::chrono::seconds rto{0};  // a set slower to available (plus its check) fails; 0: no limit
  std::string check_instance;   // --check-instance: the scratch host the volumes are attached to
  std::string check_command;    // --check-command: run there through SSM (AWS-RunShellScript)
  std::chrono::seconds check_timeout{600};
  // Volumes of a drill older than this were left behind by a killed drill:
  // every drill and every snapshot run deletes them (job/teardown.h).
  std::chrono::seconds drill_timeout{2 * 3600};
  // audit --max-drill-age: an instance without a successful drill this
  // recent is a finding (not drilled); 0: drills are not audited.
  std::chrono::seconds max_drill_age{0};

  // The command the spec is for: the restore, drill and audit switches say which.
  enum class Command { kSnapshot, kAudit, kRestore, kDrill };
  Command command() const {
    return restore ? Command::kRestore : drill ? Command::kDrill : audit ? Command::kAudit : Command::kSnapshot;
  }
  bool HasSelection() const { return !instance_ids.empty() || !tags.empty(); }
  bool HasScripts() const { return !pre_script.empty() || !post_script.empty() || !ssm_document.empty(); }
};

// Checks the spec as a whole: instance id shapes, ARNs, label and tag value
// lengths, control characters, --stop with --stopped, selection or --all.
// Returns kInvalidInput with a message naming the offending key and value.
core::Status ValidateSpec(const JobSpec& spec);
// What a valid spec may still do that its user may not mean (a compliance
// lock outliving every retention rule), one sentence each.
std::vector<std::string> SpecWarnings(const JobSpec& spec);
// What needs the home region (the region in force when spec.regions is
// empty): --copy-to-region must name another region than the run's.
core::Status ValidateScopeRegions(const JobSpec& spec, const std::string& home_region);

// EC2 limits that bound the inputs.
inline constexpr size_t kMaxLabelLength = 128;    // leaves room in the 255-char description
inline constexpr size_t kMaxScriptLength = 4096;  // a --pre-script/--post-script command line
inline constexpr size_t kMaxTagValueLength = 256;
inline constexpr size_t kMaxTagKeyLength = 128;
inline constexpr size_t kMaxInstanceIds = 1000;

bool IsValidInstanceId(const std::string& id);

// A device name as EC2 shows them: /dev/sda1, /dev/xvdf, xvdh, /dev/nvme1n1.
bool IsValidDeviceName(const std::string& name);

// EC2 takes at most 40 ExcludeDataVolumeId values.
inline constexpr size_t kMaxExcludedDevices = 40;

}  // namespace s3snapshot::spec

#endif  // S3SNAPSHOT_SPEC_JOB_SPEC_H_
