#include "spec/job_spec.h"

#include <algorithm>
#include <regex>

#include "aws/endpoints.h"
#include "aws/sns_client.h"
#include "core/clock.h"
#include "core/timezone.h"

namespace s3snapshot::spec {

using core::Error;
using core::ErrorKind;

bool IsValidInstanceId(const std::string& id) {
  static const std::regex kId("^i-([0-9a-f]{8}|[0-9a-f]{17})$");
  return std::regex_match(id, kId);
}

bool IsValidDeviceName(const std::string& name) {
  static const std::regex kDevice("^(/dev/)?[a-z][a-z0-9]{1,15}$");
  return std::regex_match(name, kDevice);
}

namespace {

Error Invalid(const std::string& message) { return Error::Make(ErrorKind::kInvalidInput, message, "InvalidInput"); }

// The first control character's position, or npos.
size_t FindControl(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return i;
  }
  return std::string::npos;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s.substr(0, 80)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > 80) out += "...";
  return out + "\"";
}

}  // namespace

core::Status ValidateScopeRegions(const JobSpec& spec, const std::string& home_region) {
  std::vector<std::string> sources = spec.regions;
  if (sources.empty()) sources = {home_region};
  for (const auto& region : spec.copy_to_regions) {
    if (std::find(sources.begin(), sources.end(), region) != sources.end()) {
      return Invalid("\"copy-to-regions\": " + Quote(region) +
                     " is a region the run snapshots in: a copy goes to another region (a snapshot is already in "
                     "its own)");
    }
  }
  return core::OkStatus();
}

namespace {

// Which instances: stop/stopped, ids, tags.
core::Status CheckSelection(const JobSpec& spec) {
  if (spec.stop && spec.stopped) {
    return Invalid(
        "\"stop\" and \"stopped\" cannot both be true: --stop stops running instances, "
        "--stopped only snapshots instances that are already stopped");
  }
  if (spec.instance_ids.size() > kMaxInstanceIds) {
    return Invalid("\"instances\": " + std::to_string(spec.instance_ids.size()) + " ids given, at most " +
                   std::to_string(kMaxInstanceIds) + " (use tags for larger fleets)");
  }
  for (size_t i = 0; i < spec.instance_ids.size(); ++i) {
    const std::string& id = spec.instance_ids[i];
    if (!IsValidInstanceId(id)) {
      return Invalid("\"instances\"[" + std::to_string(i) + "]: " + Quote(id) +
                     " is not an instance id (expected i- and 8 or 17 hex digits, e.g. i-0abc1234def567890)");
    }
  }
  for (const auto& [key, values] : spec.tags) {
    if (key.rfind("tag:", 0) != 0 || key.size() == 4) {
      return Invalid(
          "\"tags\": key " + Quote(key) + " must be an EC2 tag filter \"tag:KEY\"" +
          (key.find(':') == std::string::npos && !key.empty() ? " (did you mean \"tag:" + key + "\"?)" : ""));
    }
    std::string tag_key = key.substr(4);
    if (tag_key.size() > kMaxTagKeyLength) {
      return Invalid("\"tags\": key " + Quote(key) + " is longer than " + std::to_string(kMaxTagKeyLength) +
                     " characters");
    }
    if (FindControl(key) != std::string::npos) {
      return Invalid("\"tags\": key " + Quote(key) + " contains a control character");
    }
    if (values.empty()) return Invalid("\"tags\".\"" + key + "\": the list of values is empty");
    for (const auto& v : values) {
      if (v.size() > kMaxTagValueLength) {
        return Invalid("\"tags\".\"" + key + "\": value " + Quote(v) + " is longer than " +
                       std::to_string(kMaxTagValueLength) + " characters (EC2's tag value limit)");
      }
      if (FindControl(v) != std::string::npos) {
        return Invalid("\"tags\".\"" + key + "\": value " + Quote(v) + " contains a control character");
      }
    }
  }
  return core::OkStatus();
}

// The label, the topics, the regions, the key.
core::Status CheckNamesAndPlaces(const JobSpec& spec) {
  if (spec.label.size() > kMaxLabelLength) {
    return Invalid("\"label\": " + std::to_string(spec.label.size()) + " characters, at most " +
                   std::to_string(kMaxLabelLength) +
                   " (it goes into the snapshot description, "
                   "which EC2 limits to 255 characters, and into a tag)");
  }
  if (FindControl(spec.label) != std::string::npos) {
    return Invalid("\"label\": " + Quote(spec.label) + " contains a control character");
  }
  for (const auto& [key, arn] :
       {std::pair<const char*, const std::string&>{"sns-arn", spec.sns_arn}, {"sns-arn-error", spec.sns_arn_error}}) {
    if (arn.empty()) continue;
    if (auto problem = aws::SnsTopicArnProblem(arn); !problem.empty()) {
      return Invalid("\"" + std::string(key) + "\": " + Quote(arn) + " is not an SNS topic ARN: " + problem);
    }
  }
  for (size_t i = 0; i < spec.regions.size(); ++i) {
    const std::string& r = spec.regions[i];
    if (r == "all" && spec.regions.size() == 1) continue;
    if (!aws::IsValidRegionName(r)) {
      return Invalid("\"regions\"[" + std::to_string(i) + "]: " + Quote(r) +
                     " is not a region name (e.g. us-east-1), nor \"all\" alone");
    }
    if (auto problem = aws::UnknownRegionProblem(r); !problem.empty()) {
      return Invalid("\"regions\"[" + std::to_string(i) + "]: " + problem);
    }
  }
  for (size_t i = 0; i < spec.copy_to_regions.size(); ++i) {
    if (!aws::IsValidRegionName(spec.copy_to_regions[i])) {
      return Invalid("\"copy-to-regions\"[" + std::to_string(i) + "]: " + Quote(spec.copy_to_regions[i]) +
                     " is not a region name (e.g. eu-west-1)");
    }
    if (auto problem = aws::UnknownRegionProblem(spec.copy_to_regions[i]); !problem.empty()) {
      return Invalid("\"copy-to-regions\"[" + std::to_string(i) + "]: " + problem);
    }
  }
  if (!spec.kms_key_id.empty() && spec.copy_to_regions.empty()) {
    return Invalid("\"kms-key-id\" is used with \"copy-to-regions\" only");
  }
  if (!spec.kms_key_id.empty() && FindControl(spec.kms_key_id) != std::string::npos) {
    return Invalid("\"kms-key-id\" contains a control character");
  }
  return core::OkStatus();
}

// --org and its narrowing.
core::Status CheckOrg(const JobSpec& spec) {
  static const std::regex kOu("^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$");
  static const std::regex kAccount("^[0-9]{12}$");
  static const std::regex kRoleName("^[A-Za-z0-9+=,.@_-]{1,64}$");
  if (!spec.org) {
    if (!spec.ous.empty() || !spec.exclude_accounts.empty() || spec.role_name != "s3snapshot") {
      return Invalid("\"ou\", \"exclude-account\" and \"role-name\" are used with \"org\" only");
    }
    return core::OkStatus();
  }
  if (!spec.assume_roles.empty()) {
    return Invalid("\"org\" and \"assume-roles\" both name the accounts: give one of them");
  }
  for (size_t i = 0; i < spec.ous.size(); ++i) {
    if (!std::regex_match(spec.ous[i], kOu)) {
      return Invalid("\"ous\"[" + std::to_string(i) + "]: " + Quote(spec.ous[i]) +
                     " is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)");
    }
  }
  for (size_t i = 0; i < spec.exclude_accounts.size(); ++i) {
    if (!std::regex_match(spec.exclude_accounts[i], kAccount)) {
      return Invalid("\"exclude-accounts\"[" + std::to_string(i) + "]: " + Quote(spec.exclude_accounts[i]) +
                     " is not a 12-digit account id");
    }
  }
  if (!std::regex_match(spec.role_name, kRoleName)) {
    return Invalid("\"role-name\": " + Quote(spec.role_name) +
                   " is not an IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-)");
  }
  return core::OkStatus();
}

// The roles to assume.
core::Status CheckAccounts(const JobSpec& spec) {
  static const std::regex kRole("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$");
  for (size_t i = 0; i < spec.assume_roles.size(); ++i) {
    if (!std::regex_match(spec.assume_roles[i], kRole)) {
      return Invalid("\"assume-roles\"[" + std::to_string(i) + "]: " + Quote(spec.assume_roles[i]) +
                     " is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
  }
  if (!spec.external_id.empty() && spec.assume_roles.empty() && !spec.org) {
    return Invalid("\"external-id\" is used with \"assume-roles\" or \"org\" only");
  }
  return CheckOrg(spec);
}

// The devices left out.
core::Status CheckExclusions(const JobSpec& spec) {
  if (spec.exclude_devices.size() > kMaxExcludedDevices) {
    return Invalid("\"exclude-devices\": " + std::to_string(spec.exclude_devices.size()) + " devices, at most " +
                   std::to_string(kMaxExcludedDevices) + " (EC2's limit of excluded volumes)");
  }
  for (size_t i = 0; i < spec.exclude_devices.size(); ++i) {
    if (!IsValidDeviceName(spec.exclude_devices[i])) {
      return Invalid("\"exclude-devices\"[" + std::to_string(i) + "]: " + Quote(spec.exclude_devices[i]) +
                     " is not a device name (e.g. /dev/sdf, /dev/xvdf, xvdh, /dev/nvme1n1)");
    }
  }
  return core::OkStatus();
}

// The pre- and post-scripts.
core::Status CheckScripts(const JobSpec& spec) {
  if (spec.HasScripts()) {
    if (spec.stop) {
      return Invalid(
          "\"stop\" cannot be used with scripts (\"pre-script\", \"post-script\", \"ssm-document\"): a stopped "
          "instance needs no freeze; choose one");
    }
    if (spec.stopped) {
      return Invalid("\"stopped\" cannot be used with scripts: a stopped instance gets no scripts");
    }
    if (!spec.ssm_document.empty() && (!spec.pre_script.empty() || !spec.post_script.empty())) {
      return Invalid(
          "\"ssm-document\" runs its own pre- and post-script: it cannot be used with \"pre-script\" or "
          "\"post-script\"");
    }
    static const std::regex kDocument("^[a-zA-Z0-9_\\-.:/]{3,128}$");
    if (!spec.ssm_document.empty() && !std::regex_match(spec.ssm_document, kDocument)) {
      return Invalid("\"ssm-document\": " + Quote(spec.ssm_document) +
                     " is not an SSM document name or ARN (3 to 128 of A-Z a-z 0-9 _ - . : /)");
    }
    for (const auto& [key, script] : {std::pair<const char*, const std::string&>{"pre-script", spec.pre_script},
                                      {"post-script", spec.post_script}}) {
      if (script.size() > kMaxScriptLength) {
        return Invalid("\"" + std::string(key) + "\": " + std::to_string(script.size()) + " characters, at most " +
                       std::to_string(kMaxScriptLength) + " (put a longer script on the host and call it)");
      }
      if (script.find('\0') != std::string::npos) {
        return Invalid("\"" + std::string(key) + "\" contains a NUL character");
      }
    }
  }
  if (spec.script_timeout.count() < 10 || spec.script_timeout.count() > 120) {
    return Invalid("\"script-timeout\": must be from 10 to 120 seconds (as DLM's)");
  }
  if (spec.on_script_failure != "crash-consistent" && spec.on_script_failure != "skip") {
    return Invalid("\"on-script-failure\": " + Quote(spec.on_script_failure) + " is not crash-consistent or skip");
  }
  return core::OkStatus();
}

// Retention, the selection's presence, concurrency.
core::Status CheckLimits(const JobSpec& spec) {
  if (spec.keep < 0 || spec.keep > 1000) return Invalid("\"keep\": must be from 1 to 1000");
  if (spec.keep_days < 0 || spec.keep_days > 36500) return Invalid("\"keep-days\": must be from 1 to 36500");
  if (spec.prune_orphans && !spec.HasRetention()) {
    return Invalid(
        "\"prune-orphans\" needs a retention rule: \"keep\", \"keep-days\" or a \"keep-daily\", "
        "\"keep-weekly\", \"keep-monthly\" or \"keep-yearly\" tier");
  }
  if (auto zone = core::TimeZone::Load(spec.retention_timezone); !zone.ok()) {
    return Invalid("\"retention-timezone\": " + zone.error().message);
  }
  if (!spec.HasSelection() && !spec.all) {
    return Invalid(std::string("no selection: give \"instances\" and/or \"tags\" in --filter, or --all to ") +
                   (spec.audit   ? "audit"
                    : spec.drill ? "drill"
                                 : "snapshot") +
                   " every instance in the region");
  }
  if (spec.concurrency < 1 || spec.concurrency > 64) {
    return Invalid("--concurrency must be between 1 and 64");
  }
  return core::OkStatus();
}

// `s3snapshot restore`: which set, and where its volumes go.
// Snapshot lock and time-based copies.
core::Status CheckLockAndCopies(const JobSpec& spec) {
  const bool lock_given = spec.lock_days > 0 || !spec.lock_until.empty() || spec.lock_cool_off_hours > 0;
  if (!spec.lock_mode.empty() && spec.lock_mode != "governance" && spec.lock_mode != "compliance") {
    return Invalid("\"lock-mode\": " + Quote(spec.lock_mode) + " is not governance or compliance");
  }
  if (spec.lock_mode.empty() && lock_given) {
    return Invalid("\"lock-days\", \"lock-until\" and \"lock-cool-off-hours\" need \"lock-mode\"");
  }
  if (!spec.lock_mode.empty() && (spec.lock_days > 0) == !spec.lock_until.empty()) {
    return Invalid("\"lock-mode\" needs one of \"lock-days\" or \"lock-until\" (how long the lock holds)");
  }
  if (spec.lock_cool_off_hours > 0 && spec.lock_mode != "compliance") {
    return Invalid("\"lock-cool-off-hours\" is for \"lock-mode\": compliance only");
  }
  if (spec.lock_cool_off_hours < 0 || spec.lock_cool_off_hours > 72) {
    return Invalid("\"lock-cool-off-hours\": must be from 1 to 72");
  }
  if (spec.lock_days < 0 || spec.lock_days > 36500) return Invalid("\"lock-days\": must be from 1 to 36500");
  if (!spec.lock_until.empty()) {
    core::WallTime until;
    const auto now = std::chrono::system_clock::now();
    if (!core::ParseIso8601(spec.lock_until, &until)) {
      return Invalid("\"lock-until\": " + Quote(spec.lock_until) + " is not a time like 2027-06-30T00:00:00Z");
    }
    if (until <= now) return Invalid("\"lock-until\": " + Quote(spec.lock_until) + " is not in the future");
    if (until - now > std::chrono::hours(24) * 36500) {
      return Invalid("\"lock-until\": " + Quote(spec.lock_until) + " is more than 36500 days away (EC2's limit)");
    }
  }
  if (spec.copy_completion_minutes != 0) {
    if (spec.copy_completion_minutes < 15 || spec.copy_completion_minutes > 2880 ||
        spec.copy_completion_minutes % 15 != 0) {
      return Invalid("\"copy-completion-minutes\": " + std::to_string(spec.copy_completion_minutes) +
                     " is not a multiple of 15 from 15 to 2880");
    }
    if (spec.copy_to_regions.empty()) return Invalid("\"copy-completion-minutes\" needs \"copy-to-regions\"");
  }
  return core::OkStatus();
}

core::Status CheckRestore(const JobSpec& spec) {
  if (spec.restore_instance.empty()) return Invalid("--instance is required: whose snapshot set to restore");
  if (!IsValidInstanceId(spec.restore_instance)) {
    return Invalid("--instance: " + Quote(spec.restore_instance) + " is not an instance id (i-0123456789abcdef0)");
  }
  if (!spec.restore_run_id.empty() && !spec.restore_before.empty()) {
    return Invalid("--run-id and --before both choose the set: give one");
  }
  static const std::regex kRunId("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$");
  if (!spec.restore_run_id.empty() && !std::regex_match(spec.restore_run_id, kRunId)) {
    return Invalid("--run-id: " + Quote(spec.restore_run_id) + " is not a run id (20261204T231441Z-cd568b)");
  }
  core::WallTime before;
  if (!spec.restore_before.empty() && !core::ParseIso8601(spec.restore_before, &before)) {
    return Invalid("--before: " + Quote(spec.restore_before) + " is not an RFC 3339 time (2026-12-01T00:00:00Z)");
  }
  if (!spec.to_instance.empty() && !IsValidInstanceId(spec.to_instance)) {
    return Invalid("--to-instance: " + Quote(spec.to_instance) + " is not an instance id");
  }
  if (!spec.to_instance.empty() && !spec.availability_zone.empty()) {
    return Invalid("--to-instance and --availability-zone both say where: give one");
  }
  static const std::regex kAz("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$");
  if (!spec.availability_zone.empty() && !std::regex_match(spec.availability_zone, kAz)) {
    return Invalid("--availability-zone: " + Quote(spec.availability_zone) +
                   " is not an Availability Zone (us-east-1a)");
  }
  static const std::regex kRestoreId("^[A-Za-z0-9][A-Za-z0-9-]{0,63}$");
  if (!spec.restore_id.empty() && !std::regex_match(spec.restore_id, kRestoreId)) {
    return Invalid("--restore-id: " + Quote(spec.restore_id) + " is not a restore id (letters, digits and -)");
  }
  if (spec.regions.size() > 1 || (spec.regions.size() == 1 && spec.regions[0] == "all")) {
    return Invalid("--region: a restore works in one region");
  }
  if (spec.in_place && (!spec.to_instance.empty() || !spec.availability_zone.empty())) {
    return Invalid("--in-place restores the instance itself: not with --to-instance or --availability-zone");
  }
  if (spec.stop && !spec.in_place) return Invalid("--stop is for --in-place (a side-by-side restore stops nothing)");
  return core::OkStatus();
}

// `s3snapshot drill`: its check, and one command at a time.
core::Status CheckDrill(const JobSpec& spec) {
  if (spec.audit) return Invalid("\"drill\" and \"audit\" are two commands: give one");
  if (!spec.check_command.empty() && spec.check_instance.empty()) {
    return Invalid("--check-command needs --check-instance: the scratch instance it runs on");
  }
  if (!spec.check_instance.empty() && !IsValidInstanceId(spec.check_instance)) {
    return Invalid("--check-instance: " + Quote(spec.check_instance) + " is not an instance id");
  }
  if (!spec.check_instance.empty() &&
      (spec.regions.size() > 1 || (spec.regions.size() == 1 && spec.regions[0] == "all") ||
       spec.assume_roles.size() > 1 || spec.org)) {
    return Invalid("--check-instance is in one account and region: a drill with it works in one scope");
  }
  if (spec.check_command.size() > kMaxScriptLength) {
    return Invalid("--check-command is longer than " + std::to_string(kMaxScriptLength) + " characters");
  }
  return core::OkStatus();
}

}  // namespace

core::Status ValidateSpec(const JobSpec& spec) {
  if (spec.drill) {
    if (auto st = CheckDrill(spec); !st.ok()) return st;
  }
  if (spec.restore) {
    if (auto st = CheckRestore(spec); !st.ok()) return st;
    return CheckNamesAndPlaces(spec);
  }
  if (auto st = CheckSelection(spec); !st.ok()) return st;
  if (auto st = CheckNamesAndPlaces(spec); !st.ok()) return st;
  if (auto st = CheckAccounts(spec); !st.ok()) return st;
  if (auto st = CheckExclusions(spec); !st.ok()) return st;
  if (auto st = CheckScripts(spec); !st.ok()) return st;
  if (auto st = CheckLimits(spec); !st.ok()) return st;
  if (auto st = CheckLockAndCopies(spec); !st.ok()) return st;
  return core::OkStatus();
}

std::vector<std::string> SpecWarnings(const JobSpec& spec) {
  std::vector<std::string> out;
  if (spec.lock_mode != "compliance") return out;
  // How long the date-based rules keep a set at most; a count (--keep N) has
  // no date, so nothing is said then.
  const int horizon =
      std::max({spec.keep_days, spec.keep_daily, 7 * spec.keep_weekly, 31 * spec.keep_monthly, 366 * spec.keep_yearly});
  int days = spec.lock_days;
  core::WallTime until;
  if (days == 0 && core::ParseIso8601(spec.lock_until, &until)) {
    days = static_cast<int>((until - std::chrono::system_clock::now()) / std::chrono::hours(24));
  }
  if (spec.keep == 0 && days > horizon) {
    out.push_back("the compliance lock (" + std::to_string(days) + " days) outlives every retention rule" +
                  (horizon > 0 ? " (" + std::to_string(horizon) + " days at most)" : "") +
                  ": retention cannot delete these snapshots until it ends, no one can unlock them once the "
                  "cool-off has passed, and they are paid for until then");
  }
  return out;
}

}  // namespace s3snapshot::spec
