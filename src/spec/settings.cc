#include "spec/settings.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/parse.h"

namespace s3snapshot::spec {

namespace {

// Appliers and default printers for JobSpec members, by member pointer.
template <auto Member>
void SetSwitch(JobSpec& s, const SettingValue& v) {
  s.*Member = std::get<bool>(v);
}
template <auto Member>
void SetText(JobSpec& s, const SettingValue& v) {
  s.*Member = std::get<std::string>(v);
}
template <auto Member>
void SetList(JobSpec& s, const SettingValue& v) {
  s.*Member = std::get<std::vector<std::string>>(v);
}
template <auto Member>
void SetInt(JobSpec& s, const SettingValue& v) {
  s.*Member = static_cast<int>(std::get<long long>(v));
}
template <auto Member>
void SetSeconds(JobSpec& s, const SettingValue& v) {
  s.*Member = std::chrono::seconds(std::get<long long>(v));
}
void SetTags(JobSpec& s, const SettingValue& v) { s.tags = std::get<TagFilter>(v); }
template <auto Member>
std::string ShowInt(const JobSpec& s) {
  return std::to_string(s.*Member);
}
template <auto Member>
std::string ShowDuration(const JobSpec& s) {
  return core::FormatDuration(s.*Member);
}
template <auto Member>
std::string ShowSeconds(const JobSpec& s) {
  return std::to_string((s.*Member).count());
}

using T = SettingType;

std::vector<Setting> MakeSettings() {
  std::vector<Setting> v;
  v.push_back({.name = "instances",
               .in_document = true,
               .type = T::kIdList,
               .apply = SetList<&JobSpec::instance_ids>,
               .section = Section::kSelection});
  v.push_back(
      {.name = "tags", .in_document = true, .type = T::kTagFilter, .apply = SetTags, .section = Section::kSelection});
  v.push_back(
      {.name = "label",
       .flags = {"-l", "--label"},
       .in_document = true,
       .type = T::kText,
       .metavar = "LABEL",
       .help =
           "Label to be included in the Snapshot description (and the s3snapshot:label tag; at most 128 characters); "
           "in an audit, only the tool's snapshots with this label count; in a drill, only its sets",
       .apply = SetText<&JobSpec::label>,
       .section = Section::kCapture});
  v.push_back({.name = "stop",
               .flags = {"-s", "--stop"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Stop Instance before start the snapshot; every instance this run stops is started again before "
                       "it exits, also after a failure, Ctrl-C or SIGTERM",
               .apply = SetSwitch<&JobSpec::stop>,
               .commands = kSnapshotCommand | kRestoreCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "stopped",
               .flags = {"-sp", "--stopped"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Check if instance is stopped before start the snapshot. (If not skip and flag error)",
               .apply = SetSwitch<&JobSpec::stopped>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "sns-arn",
               .flags = {"--sns-arn"},
               .in_document = true,
               .type = T::kText,
               .metavar = "SNS_ARN",
               .help = "The SNS topic ARN to send message when finished",
               .apply = SetText<&JobSpec::sns_arn>,
               .section = Section::kNotifications});
  v.push_back({.name = "sns-arn-error",
               .flags = {"--sns-arn-error"},
               .in_document = true,
               .type = T::kText,
               .metavar = "SNS_ARN",
               .help = "The SNS topic ARN to send message when an error occurs",
               .apply = SetText<&JobSpec::sns_arn_error>,
               .section = Section::kNotifications});
  v.push_back({.name = "filter",
               .flags = {"-f", "--filter"},
               .in_document = false,
               .type = T::kText,
               .metavar = "FILTER",
               .help = "Filter list to snapshot: a JSON document, @FILE to read it from a file, or - to read it from "
                       "stdin. ex: --filter '{\"instances\": [\"i-12345678\", \"i-abcdef12\"], \"tags\": "
                       "{\"tag:Owner\": \"John\", \"tag:Name\": \"PROD\"}}' Keys: {keys}. Instances and tags combine "
                       "with AND; a tag value may be a list (any of them) and may use EC2 wildcards * ?. A flag given "
                       "on the command line wins over the same key in the document.",
               .section = Section::kSelection});
  v.push_back({.name = "protected",
               .flags = {"--protected"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Tag the snapshots State=Protected",
               .apply = SetSwitch<&JobSpec::protect>,
               .commands = kSnapshotCommand,
               .section = Section::kCapture});
  v.push_back({.name = "keep",
               .flags = {"--keep"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Retention: after this run's snapshots exist, keep the newest N completed snapshots per volume",
               .min = 1,
               .max = 1000,
               .apply = SetInt<&JobSpec::keep>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "keep-days",
               .flags = {"--keep-days"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "D",
               .help = "Retention: keep snapshots younger than D days (with --keep: kept if either rule keeps it). "
                       "Only the tool's own (Scripted=s3snapshot), unprotected, completed snapshots are ever deleted, "
                       "never a volume's newest completed one",
               .min = 1,
               .max = 36500,
               .apply = SetInt<&JobSpec::keep_days>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "keep-daily",
               .flags = {"--keep-daily"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Retention tier: keep the newest complete set of each of the last N days that have one "
                       "(in --retention-timezone); with other rules, a set is kept if any rule keeps it",
               .min = 1,
               .max = 1000,
               .apply = SetInt<&JobSpec::keep_daily>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "keep-weekly",
               .flags = {"--keep-weekly"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Retention tier: keep the newest complete set of each of the last N ISO weeks (Monday to "
                       "Sunday) that have one "
                       "(in --retention-timezone); with other rules, a set is kept if any rule keeps it",
               .min = 1,
               .max = 1000,
               .apply = SetInt<&JobSpec::keep_weekly>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "keep-monthly",
               .flags = {"--keep-monthly"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Retention tier: keep the newest complete set of each of the last N months that have one "
                       "(in --retention-timezone); with other rules, a set is kept if any rule keeps it",
               .min = 1,
               .max = 1000,
               .apply = SetInt<&JobSpec::keep_monthly>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "keep-yearly",
               .flags = {"--keep-yearly"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Retention tier: keep the newest complete set of each of the last N years that have one "
                       "(in --retention-timezone); with other rules, a set is kept if any rule keeps it",
               .min = 1,
               .max = 100,
               .apply = SetInt<&JobSpec::keep_yearly>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "retention-timezone",
               .flags = {"--retention-timezone"},
               .in_document = true,
               .type = T::kText,
               .metavar = "TZ",
               .help = "The IANA time zone (like Europe/Berlin) whose days, weeks, months and years the --keep-daily, "
                       "--keep-weekly, --keep-monthly and --keep-yearly tiers count in; daylight saving changes "
                       "are followed",
               .apply = SetText<&JobSpec::retention_timezone>,
               .default_text = [](const JobSpec& s) { return s.retention_timezone; },
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "lock-mode",
               .flags = {"--lock-mode"},
               .in_document = true,
               .type = T::kText,
               .metavar = "governance|compliance",
               .help = "Lock each new snapshot (EBS snapshot lock) right after it is made, and each copy in its "
                       "region: governance (those allowed to may unlock it) or compliance (no one can unlock or "
                       "delete it once the cool-off has passed, not even the account's root user). A lock that "
                       "fails is a failure of the instance. Needs --lock-days or --lock-until",
               .apply = SetText<&JobSpec::lock_mode>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "lock-days",
               .flags = {"--lock-days"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "How long --lock-mode locks a snapshot, in days from its completion",
               .min = 1,
               .max = 36500,
               .apply = SetInt<&JobSpec::lock_days>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "lock-until",
               .flags = {"--lock-until"},
               .in_document = true,
               .type = T::kText,
               .metavar = "TIME",
               .help = "Lock until this time (ISO 8601, like 2027-06-30T00:00:00Z) instead of --lock-days",
               .apply = SetText<&JobSpec::lock_until>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "lock-cool-off-hours",
               .flags = {"--lock-cool-off-hours"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "H",
               .help = "--lock-mode compliance: the hours after locking during which the lock can still be "
                       "removed or shortened (a safety net for a wrong setting)",
               .min = 1,
               .max = 72,
               .apply = SetInt<&JobSpec::lock_cool_off_hours>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "prune-orphans",
               .flags = {"--prune-orphans"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Retention also for snapshots whose volume no longer exists (these lose the newest-one rule)",
               .apply = SetSwitch<&JobSpec::prune_orphans>,
               .commands = kSnapshotCommand,
               .section = Section::kRetention});
  v.push_back({.name = "wait",
               .flags = {"--wait"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Wait until the run's snapshots are completed (a live progress bar on a terminal, a line every "
                       "30 s otherwise); a snapshot ending in 'error' is a failure",
               .apply = SetSwitch<&JobSpec::wait>,
               .commands = kSnapshotCommand,
               .section = Section::kWaiting});
  v.push_back({.name = "wait-timeout",
               .flags = {"--wait-timeout"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "SECONDS",
               .help = "How long --wait waits",
               .min = 1,
               .max = 7 * 86400,
               .apply = SetSeconds<&JobSpec::wait_timeout>,
               .default_text = ShowSeconds<&JobSpec::wait_timeout>,
               .commands = kSnapshotCommand,
               .section = Section::kWaiting});
  v.push_back(
      {.name = "copy-to-regions",
       .flags = {"--copy-to-region"},
       .in_document = true,
       .type = T::kTextList,
       .metavar = "REGION",
       .help = "Copy each new snapshot, with its tags, to REGION (repeatable), without waiting for it: a source still "
               "pending is queued and copied by a later run (or its completion event); earlier snapshots still "
               "owing a copy are copied too, at most 20 a region a run, never twice; --keep/--keep-days apply "
               "there too. In an audit: each volume's newest completed copy in REGION is checked too",
       .apply = SetList<&JobSpec::copy_to_regions>,
       .commands = kSnapshotCommand | kAuditCommand,
       .section = Section::kCopies});
  v.push_back({.name = "copy-overdue",
               .flags = {"--copy-overdue"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "A snapshot completed this long ago (counted from its start) and still without its copy "
                       "is a failure",
               .min = 60,
               .max = 366 * 86400,
               .apply = SetSeconds<&JobSpec::copy_overdue>,
               .default_text = ShowDuration<&JobSpec::copy_overdue>,
               .commands = kSnapshotCommand,
               .section = Section::kCopies});
  v.push_back({.name = "copy-completion-minutes",
               .flags = {"--copy-completion-minutes"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Time-based copies: ask EC2 to complete each copy within N minutes (a multiple of 15, "
                       "15 to 2880; billed per GiB). A copy still pending past that is reported and counted as "
                       "late (--copy-overdue stays the failure)",
               .min = 15,
               .max = 2880,
               .apply = SetInt<&JobSpec::copy_completion_minutes>,
               .commands = kSnapshotCommand,
               .section = Section::kCopies});
  v.push_back({.name = "kms-key-id",
               .flags = {"--kms-key-id"},
               .in_document = true,
               .type = T::kText,
               .metavar = "KEY",
               .help = "Encrypt the copies (restore: the restored volumes) with this KMS key",
               .apply = SetText<&JobSpec::kms_key_id>,
               .commands = kSnapshotCommand | kRestoreCommand,
               .section = Section::kCopies});
  v.push_back({.name = "min-interval",
               .flags = {"--min-interval"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "Skip an instance that already has a snapshot set from the tool with the same label begun "
                       "within DURATION (e.g. 20h): a dedupe window for schedules and events that may fire twice, "
                       "reported as skipped (recent); of two runs that overlap, the later set yields",
               .min = 1,
               .max = 366 * 86400,
               .apply = SetSeconds<&JobSpec::min_interval>,
               .commands = kSnapshotCommand,
               .section = Section::kCapture});
  v.push_back({.name = "exclude-boot",
               .flags = {"--exclude-boot"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Leave the root (boot) volume out of the snapshot set (ExcludeBootVolume); an instance left "
                       "with no volume is reported, not an error",
               .apply = SetSwitch<&JobSpec::exclude_boot>,
               .commands = kSnapshotCommand,
               .section = Section::kCapture});
  v.push_back({.name = "exclude-devices",
               .flags = {"--exclude-device"},
               .in_document = true,
               .type = T::kTextList,
               .metavar = "DEV",
               .help = "Leave the volume attached as DEV (e.g. /dev/sdf) out of the snapshot set (repeatable, at "
                       "most 40; never the root volume: see --exclude-boot)",
               .apply = SetList<&JobSpec::exclude_devices>,
               .commands = kSnapshotCommand,
               .section = Section::kCapture});
  v.push_back({.name = "pre-script",
               .flags = {"--pre-script"},
               .in_document = true,
               .type = T::kText,
               .metavar = "CMD",
               .help = "Run CMD on each instance through SSM Run Command (AWS-RunShellScript) before its snapshot "
                       "(e.g. freeze a filesystem or flush a database); the snapshot waits for it to succeed",
               .apply = SetText<&JobSpec::pre_script>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "post-script",
               .flags = {"--post-script"},
               .in_document = true,
               .type = T::kText,
               .metavar = "CMD",
               .help = "Run CMD on each instance through SSM as soon as CreateSnapshots has answered (e.g. thaw); "
                       "every instance whose pre-script was sent gets it, also after a failure, Ctrl-C, SIGTERM or "
                       "the Lambda deadline, and one whose post-script never succeeds is named NOT THAWED",
               .apply = SetText<&JobSpec::post_script>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "ssm-document",
               .flags = {"--ssm-document"},
               .in_document = true,
               .type = T::kText,
               .metavar = "NAME",
               .help = "Instead of --pre-script/--post-script: run the SSM document NAME (or ARN) with the "
                       "parameter command=pre-script before and command=post-script after, as DLM does",
               .apply = SetText<&JobSpec::ssm_document>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "script-timeout",
               .flags = {"--script-timeout"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "SECONDS",
               .help = "How long a pre- or post-script may run (AWS-RunShellScript's executionTimeout; a document "
                       "of yours must end within it); a pre-script not done by "
                       "then has failed",
               .min = 10,
               .max = 120,
               .apply = SetSeconds<&JobSpec::script_timeout>,
               .default_text = ShowSeconds<&JobSpec::script_timeout>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "on-script-failure",
               .flags = {"--on-script-failure"},
               .in_document = true,
               .type = T::kChoice,
               .metavar = "crash-consistent|skip",
               .help = "When a pre-script fails or times out: snapshot anyway, crash-consistent (a warning), or "
                       "skip the instance (a failure); its post-script runs either way",
               .choices = {"crash-consistent", "skip"},
               .apply = SetText<&JobSpec::on_script_failure>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "audit",
               .in_document = true,
               .type = T::kSwitch,
               .help = "Run an audit instead of a snapshot run (as the command s3snapshot audit)",
               .apply = SetSwitch<&JobSpec::audit>,
               .section = Section::kSelection});
  v.push_back({.name = "max-age",
               .flags = {"--max-age"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "(audit) A volume whose newest completed snapshot began longer ago than this is a "
                       "finding (too old); the same for its newest copy with --copy-to-region",
               .min = 60,
               .max = 366 * 86400,
               .apply = SetSeconds<&JobSpec::max_age>,
               .default_text = ShowDuration<&JobSpec::max_age>,
               .commands = kAuditCommand,
               .section = Section::kAuditPolicy});
  v.push_back({.name = "max-pending",
               .flags = {"--max-pending"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "(audit) A snapshot or copy still pending this long after it began is a finding",
               .min = 60,
               .max = 366 * 86400,
               .apply = SetSeconds<&JobSpec::max_pending>,
               .default_text = ShowDuration<&JobSpec::max_pending>,
               .commands = kAuditCommand,
               .section = Section::kAuditPolicy});
  v.push_back({.name = "include-foreign",
               .flags = {"--include-foreign"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "(audit) Count any completed snapshot of a volume as coverage (DLM, AWS Backup, manual), "
                       "and say whose; without it only the tool's own (Scripted=s3snapshot) count",
               .apply = SetSwitch<&JobSpec::include_foreign>,
               .commands = kAuditCommand,
               .section = Section::kAuditPolicy});
  v.push_back({.name = "instance",
               .flags = {"--instance"},
               .type = T::kText,
               .metavar = "ID",
               .help = "(restore) The instance whose snapshot set is restored; it may be terminated (required)",
               .apply = SetText<&JobSpec::restore_instance>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "run-id",
               .flags = {"--run-id"},
               .type = T::kText,
               .metavar = "RUN",
               .help = "(restore) The set that run made (its s3snapshot:run-id); default: the newest complete set",
               .apply = SetText<&JobSpec::restore_run_id>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "before",
               .flags = {"--before"},
               .type = T::kText,
               .metavar = "TIME",
               .help = "(restore) The newest complete set begun before TIME (RFC 3339: 2026-12-01T00:00:00Z)",
               .apply = SetText<&JobSpec::restore_before>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "to-instance",
               .flags = {"--to-instance"},
               .type = T::kText,
               .metavar = "ID",
               .help = "(restore) Attach the restored volumes to this instance, at free device names (default: the "
                       "source instance); no volume it has is detached, changed or deleted",
               .apply = SetText<&JobSpec::to_instance>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "availability-zone",
               .flags = {"--availability-zone"},
               .type = T::kText,
               .metavar = "AZ",
               .help = "(restore) Make the volumes in AZ and attach them to no instance",
               .apply = SetText<&JobSpec::availability_zone>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "volume-type",
               .flags = {"--volume-type"},
               .in_document = true,
               .type = T::kChoice,
               .metavar = "TYPE",
               .help = "The type of a restored volume whose original is gone (else the original's type, IOPS and "
                       "throughput)",
               .choices = {"gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"},
               .apply = SetText<&JobSpec::volume_type>,
               .commands = kRestoreCommand | kDrillCommand,
               .section = Section::kRestore});
  v.push_back({.name = "in-place",
               .flags = {"--in-place"},
               .type = T::kSwitch,
               .help = "(restore) Roll the instance back: the restored volumes replace the ones at the same devices "
                       "(root too), which are kept, detached and tagged s3snapshot:replaced-by; the instance must be "
                       "stopped, or --stop given (it is started again). On any failure or signal every original goes "
                       "back to its device",
               .apply = SetSwitch<&JobSpec::in_place>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "restore-id",
               .flags = {"--restore-id"},
               .type = T::kText,
               .metavar = "ID",
               .help = "(restore) Resume the restore with this id: a snapshot that already has a volume tagged "
                       "with it gets no second one (default: a new id, printed in the report)",
               .apply = SetText<&JobSpec::restore_id>,
               .commands = kRestoreCommand,
               .section = Section::kRestore});
  v.push_back({.name = "drill",
               .in_document = true,
               .type = T::kSwitch,
               .help = "Run a drill instead of a snapshot run (as the command s3snapshot drill)",
               .apply = SetSwitch<&JobSpec::drill>,
               .section = Section::kSelection});
  v.push_back({.name = "sample",
               .flags = {"--sample"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "(drill) Drill a random N of the selected instances (default: every one)",
               .min = 1,
               .max = 1000,
               .apply = SetInt<&JobSpec::sample>,
               .commands = kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "rto",
               .flags = {"--rto"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "(drill) A set whose time to available (plus its check) is longer is a failure "
                       "(default: no limit)",
               .min = 1,
               .max = 7 * 86400,
               .apply = SetSeconds<&JobSpec::rto>,
               .commands = kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "check-instance",
               .flags = {"--check-instance"},
               .in_document = true,
               .type = T::kText,
               .metavar = "ID",
               .help = "(drill) A scratch instance (managed by SSM) the restored volumes are attached to for "
                       "--check-command; every set is restored in its Availability Zone",
               .apply = SetText<&JobSpec::check_instance>,
               .commands = kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "check-command",
               .flags = {"--check-command"},
               .in_document = true,
               .type = T::kText,
               .metavar = "CMD",
               .help = "(drill) A shell command run on --check-instance through SSM (AWS-RunShellScript) with "
                       "the attached devices in $S3SNAPSHOT_DEVICES; exit 0 passes the set",
               .apply = SetText<&JobSpec::check_command>,
               .commands = kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "check-timeout",
               .flags = {"--check-timeout"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "(drill) How long one check may run",
               .min = 10,
               .max = 6 * 3600,
               .apply = SetSeconds<&JobSpec::check_timeout>,
               .default_text = ShowDuration<&JobSpec::check_timeout>,
               .commands = kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "drill-timeout",
               .flags = {"--drill-timeout"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help =
                   "Volumes of an earlier drill (tagged s3snapshot:drill-id) older than this were left by a "
                   "killed drill: every drill, and every snapshot run that selected an instance there, deletes them",
               .min = 60,
               .max = 7 * 86400,
               .apply = SetSeconds<&JobSpec::drill_timeout>,
               .default_text = ShowDuration<&JobSpec::drill_timeout>,
               .commands = kSnapshotCommand | kDrillCommand,
               .section = Section::kDrill});
  v.push_back({.name = "max-drill-age",
               .flags = {"--max-drill-age"},
               .in_document = true,
               .type = T::kDuration,
               .metavar = "DURATION",
               .help = "(audit) An instance with no successful drill (s3snapshot:drilled) this recent is a "
                       "finding (not drilled); default: drills are not audited",
               .min = 60,
               .max = 366 * 86400,
               .apply = SetSeconds<&JobSpec::max_drill_age>,
               .commands = kAuditCommand,
               .section = Section::kAuditPolicy});
  v.push_back({.name = "require-lock",
               .flags = {"--require-lock"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "(audit) A volume whose newest set is not locked (EBS snapshot lock, --lock-mode) is a "
                       "finding (unlocked)",
               .apply = SetSwitch<&JobSpec::require_lock>,
               .commands = kAuditCommand,
               .section = Section::kAuditPolicy});
  v.push_back(
      {.name = "all",
       .flags = {"--all"},
       .in_document = false,
       .type = T::kSwitch,
       .help = "Allow a run with no instances and no tags: select every (non-terminated) instance in the region",
       .apply = SetSwitch<&JobSpec::all>,
       .section = Section::kSelection});
  v.push_back({.name = "allow-empty",
               .flags = {"--allow-empty"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "A selection that matches no instance in any scope is a success (by default it is a failure, "
                       "exit 1, with the SNS error message: a tag typo must not stop backups silently)",
               .apply = SetSwitch<&JobSpec::allow_empty>,
               .section = Section::kSelection});
  v.push_back({.name = "dry-run",
               .flags = {"--dry-run"},
               .in_document = false,
               .type = T::kSwitch,
               .help = "Print the plan (instances, volumes, which would be stopped, which snapshots retention would "
                       "delete; a restore's or a drill's sets and volumes) and change nothing: no snapshot, stop, "
                       "volume, tag or deletion, no SNS message, no metrics written or sent",
               .apply = SetSwitch<&JobSpec::dry_run>,
               .commands = kSnapshotCommand | kRestoreCommand | kDrillCommand,
               .section = Section::kSelection});
  v.push_back({.name = "output",
               .flags = {"--output"},
               .in_document = false,
               .type = T::kChoice,
               .metavar = "text|json",
               .help = "Report format on stdout",
               .choices = {"text", "json"},
               .commands = kEveryCommand,
               .section = Section::kOutput});
  v.push_back({.name = "metrics-file",
               .flags = {"--metrics-file"},
               .in_document = false,
               .type = T::kText,
               .metavar = "PATH",
               .help = "Write the run's metrics to PATH in the Prometheus text format (for node_exporter's textfile "
                       "collector), atomically, with the time of the last successful run",
               .section = Section::kOutput});
  v.push_back({.name = "cloudwatch-metrics",
               .flags = {"--cloudwatch-metrics"},
               .in_document = false,
               .type = T::kSwitch,
               .help = "Send the run's metrics to CloudWatch (PutMetricData, namespace s3snapshot, in each scope's "
                       "region)",
               .section = Section::kOutput});
  v.push_back({.name = "regions",
               .flags = {"--region"},
               .in_document = true,
               .type = T::kTextList,
               .metavar = "REGION[,REGION...]|all",
               .help = "AWS region(s) (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region); a list, or "
                       "all enabled regions, run concurrently",
               .comma_separated = true,
               .apply = SetList<&JobSpec::regions>,
               .commands = kEveryCommand,
               .section = Section::kScope});
  v.push_back({.name = "assume-roles",
               .flags = {"--assume-role"},
               .in_document = true,
               .type = T::kTextList,
               .metavar = "ROLE_ARN",
               .help = "Run in the account of this role (repeatable: every account x region, one report). The session "
                       "is named s3snapshot",
               .apply = SetList<&JobSpec::assume_roles>,
               .section = Section::kScope});
  v.push_back({.name = "org",
               .flags = {"--org"},
               .in_document = true,
               .type = T::kSwitch,
               .help = "Run in every ACTIVE account of the caller's organization (AWS Organizations ListAccounts; "
                       "from the management account or a delegated administrator), through the role --role-name "
                       "in each; the caller's own account with its own credentials",
               .apply = SetSwitch<&JobSpec::org>,
               .section = Section::kScope});
  v.push_back({.name = "ous",
               .flags = {"--ou"},
               .in_document = true,
               .type = T::kTextList,
               .metavar = "OU_ID",
               .help = "With --org: only the accounts under this OU (ou-...; repeatable), and the OUs below it",
               .apply = SetList<&JobSpec::ous>,
               .section = Section::kScope});
  v.push_back({.name = "exclude-accounts",
               .flags = {"--exclude-account"},
               .in_document = true,
               .type = T::kTextList,
               .metavar = "ACCOUNT_ID",
               .help = "With --org: leave this account out (repeatable)",
               .apply = SetList<&JobSpec::exclude_accounts>,
               .section = Section::kScope});
  v.push_back({.name = "role-name",
               .flags = {"--role-name"},
               .in_document = true,
               .type = T::kText,
               .metavar = "NAME",
               .help = "With --org: the role assumed in each account (arn:PARTITION:iam::ACCOUNT:role/NAME, with "
                       "--external-id)",
               .apply = SetText<&JobSpec::role_name>,
               .default_text = [](const JobSpec& s) { return s.role_name; },
               .section = Section::kScope});
  v.push_back({.name = "scope-concurrency",
               .flags = {"--scope-concurrency"},
               .in_document = true,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Accounts x regions run at once (EC2 limits each account and region on its own, so scopes "
                       "do not slow each other down)",
               .min = 1,
               .max = 256,
               .apply = SetInt<&JobSpec::scope_concurrency>,
               .default_text = ShowInt<&JobSpec::scope_concurrency>,
               .section = Section::kScope});
  v.push_back({.name = "external-id",
               .flags = {"--external-id"},
               .in_document = true,
               .type = T::kText,
               .metavar = "ID",
               .help = "External id for --assume-role",
               .apply = SetText<&JobSpec::external_id>,
               .section = Section::kScope});
  v.push_back({.name = "profile",
               .flags = {"--profile"},
               .in_document = false,
               .type = T::kText,
               .metavar = "PROFILE",
               .help = "Named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, default)",
               .commands = kEveryCommand,
               .section = Section::kScope});
  v.push_back(
      {.name = "endpoint-url",
       .flags = {"--endpoint-url"},
       .in_document = false,
       .type = T::kText,
       .metavar = "URL",
       .help = "Send EC2, SNS, STS and CloudWatch requests to URL (e.g. a local emulator) instead of the AWS endpoints",
       .commands = kEveryCommand,
       .section = Section::kScope});
  v.push_back({.name = "stop-timeout",
               .flags = {"--stop-timeout"},
               .in_document = false,
               .type = T::kInteger,
               .metavar = "SECONDS",
               .help = "How long to wait for instances to stop",
               .min = 1,
               .max = 86400,
               .apply = SetSeconds<&JobSpec::stop_timeout>,
               .default_text = ShowSeconds<&JobSpec::stop_timeout>,
               .commands = kSnapshotCommand,
               .section = Section::kConsistency});
  v.push_back({.name = "concurrency",
               .flags = {"--concurrency"},
               .in_document = false,
               .type = T::kInteger,
               .metavar = "N",
               .help = "Instances snapshotted in parallel",
               .min = 1,
               .max = 64,
               .apply = SetInt<&JobSpec::concurrency>,
               .default_text = ShowInt<&JobSpec::concurrency>,
               .commands = kSnapshotCommand,
               .section = Section::kTuning});
  v.push_back({.name = "connect-timeout",
               .flags = {"--connect-timeout"},
               .in_document = false,
               .type = T::kInteger,
               .metavar = "SECONDS",
               .help = "Per-request connect timeout",
               .min = 1,
               .max = 300,
               .apply = SetSeconds<&JobSpec::connect_timeout>,
               .default_text = ShowSeconds<&JobSpec::connect_timeout>,
               .commands = kEveryCommand,
               .section = Section::kTuning});
  v.push_back({.name = "read-timeout",
               .flags = {"--read-timeout"},
               .in_document = false,
               .type = T::kInteger,
               .metavar = "SECONDS",
               .help = "Per-request timeout, whole request; with retries (AWS_MAX_ATTEMPTS, default 3) an endpoint "
                       "that never answers fails in bounded time",
               .min = 1,
               .max = 3600,
               .apply = SetSeconds<&JobSpec::read_timeout>,
               .default_text = ShowSeconds<&JobSpec::read_timeout>,
               .commands = kEveryCommand,
               .section = Section::kTuning});
  v.push_back(
      {.name = "verbose",
       .flags = {"--verbose"},
       .in_document = true,
       .type = T::kSwitch,
       .help = "Show extra information during execution (every API call: action, attempt, duration, request id)",
       .apply = SetSwitch<&JobSpec::verbose>,
       .commands = kEveryCommand,
       .section = Section::kOutput});
  v.push_back({.name = "version",
               .flags = {"-v", "--version"},
               .in_document = false,
               .type = T::kSwitch,
               .help = "Display version number and exit.",
               .commands = kEveryCommand,
               .section = Section::kGeneral});
  v.push_back({.name = "help",
               .flags = {"--help"},
               .in_document = false,
               .type = T::kSwitch,
               .help = "Show this message and exit.",
               .commands = kEveryCommand,
               .section = Section::kGeneral});
  return v;
}

}  // namespace

const std::vector<std::pair<Section, const char*>>& Sections() {
  static const std::vector<std::pair<Section, const char*>> kSections = {
      {Section::kSelection, "Selection"},
      {Section::kCapture, "What a snapshot set holds"},
      {Section::kConsistency, "Stopping and application consistency"},
      {Section::kRetention, "Retention"},
      {Section::kCopies, "Copies to other regions"},
      {Section::kWaiting, "Waiting"},
      {Section::kAuditPolicy, "Audit policy"},
      {Section::kRestore, "Restore"},
      {Section::kDrill, "Drill"},
      {Section::kOutput, "Output and metrics"},
      {Section::kNotifications, "Notifications"},
      {Section::kScope, "AWS and scope"},
      {Section::kTuning, "Tuning"},
      {Section::kGeneral, "General"},
  };
  return kSections;
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = MakeSettings();
  return kSettings;
}

const Setting* FindSetting(const std::string& name) {
  for (const auto& s : Settings()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

const Setting* FindSettingByFlag(const std::string& flag) {
  for (const auto& s : Settings()) {
    for (const char* f : s.flags) {
      if (flag == f) return &s;
    }
  }
  return nullptr;
}

const std::vector<std::string>& DocumentKeys() {
  static const std::vector<std::string> kKeys = [] {
    std::vector<std::string> keys;
    for (const auto& s : Settings()) {
      if (s.in_document) keys.push_back(s.name);
    }
    return keys;
  }();
  return kKeys;
}

std::string DocumentKeyList() {
  std::string list;
  for (const auto& k : DocumentKeys()) list += (list.empty() ? "" : ", ") + k;
  return list;
}

unsigned CommandBit(JobSpec::Command c) {
  switch (c) {
    case JobSpec::Command::kAudit:
      return kAuditCommand;
    case JobSpec::Command::kRestore:
      return kRestoreCommand;
    case JobSpec::Command::kDrill:
      return kDrillCommand;
    case JobSpec::Command::kSnapshot:
      break;
  }
  return kSnapshotCommand;
}

const Setting* SettingOfOtherCommand(const SettingValues& values, JobSpec::Command command) {
  const unsigned mine = CommandBit(command);
  for (const auto& [name, value] : values) {
    const Setting* s = FindSetting(name);
    if (s != nullptr && (s->commands & mine) == 0) return s;
  }
  return nullptr;
}

std::string NotInDocumentOf(JobSpec::Command command, const Setting& other) {
  using Command = JobSpec::Command;
  if (command == Command::kAudit) return "does not apply to an audit (an audit changes nothing)";
  if (command == Command::kDrill) return "does not apply to a drill (see s3snapshot drill --help)";
  if (other.commands & kDrillCommand) return "is a setting of a drill (s3snapshot drill, or \"drill\": true)";
  return "is a setting of an audit (s3snapshot audit, or \"audit\": true)";
}

void ApplySettings(const SettingValues& values, JobSpec* spec) {
  for (const auto& [name, value] : values) {
    const Setting* s = FindSetting(name);
    if (s != nullptr && s->apply != nullptr) s->apply(*spec, value);
  }
}

std::string FilterSchemaJson() {
  using nlohmann::ordered_json;
  ordered_json props = ordered_json::object();
  const ordered_json strings = {{"type", "array"}, {"items", {{"type", "string"}}}};
  for (const auto& s : Settings()) {
    if (!s.in_document) continue;
    ordered_json p;
    switch (s.type) {
      case SettingType::kSwitch:
        p = {{"type", {"boolean", "null"}}};
        break;
      case SettingType::kText:
        p = {{"type", {"string", "null"}}};
        break;
      case SettingType::kChoice: {
        ordered_json choices = ordered_json::array();
        for (const char* c : s.choices) choices.push_back(c);
        choices.push_back(nullptr);
        p = {{"enum", choices}};
        break;
      }
      case SettingType::kInteger:
        p = {{"type", {"integer", "null"}}, {"minimum", s.min}, {"maximum", s.max}};
        break;
      case SettingType::kDuration:
        p = {{"type", {"string", "null"}}, {"pattern", "^[0-9]+[smhd]$"}};
        break;
      case SettingType::kTextList:
        p = {{"oneOf", {{{"type", "string"}}, strings, {{"type", "null"}}}}};
        break;
      case SettingType::kIdList:
        p = {{"type", {"array", "null"}},
             {"items", {{"type", "string"}, {"pattern", "^i-([0-9a-f]{8}|[0-9a-f]{17})$"}}},
             {"maxItems", kMaxInstanceIds}};
        break;
      case SettingType::kTagFilter:
        p = {{"type", {"object", "null"}},
             {"propertyNames", {{"pattern", "^tag:.+"}}},
             {"additionalProperties", {{"oneOf", {{{"type", "string"}}, strings}}}}};
        break;
    }
    std::string help = s.help;
    if (s.name == std::string("instances")) help = "Instance ids (i- and 8 or 17 hex digits); AND with tags";
    if (s.name == std::string("tags"))
      help = "EC2 tag filters: \"tag:KEY\": a value, or a list of values (any of them)";
    p["description"] = help;
    props[s.name] = p;
  }
  ordered_json schema = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                         {"$id", "urn:s3snapshot:filter"},
                         {"title", "s3snapshot: the --filter document and the Lambda payload"},
                         {"type", "object"},
                         {"additionalProperties", false},
                         {"properties", props}};
  return schema.dump(2) + "\n";
}

std::string DocumentTypeName(const Setting& s) {
  switch (s.type) {
    case SettingType::kSwitch:
      return "true or false";
    case SettingType::kText:
    case SettingType::kChoice:
      return "a string";
    case SettingType::kInteger:
      return "a whole number from " + std::to_string(s.min) + " to " + std::to_string(s.max);
    case SettingType::kDuration:
      return "a duration from " + core::FormatDuration(std::chrono::seconds(s.min)) + " to " +
             core::FormatDuration(std::chrono::seconds(s.max)) + " (a number with s, m, h or d, e.g. \"20h\")";
    case SettingType::kTextList:
      return "a string or a list of strings";
    case SettingType::kIdList:
      return "a list of instance ids";
    case SettingType::kTagFilter:
      return "an object of \"tag:KEY\": value pairs";
  }
  return "";
}

}  // namespace s3snapshot::spec
