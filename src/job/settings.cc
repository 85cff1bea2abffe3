#include "job/settings.h"

#include <chrono>

namespace s3snapshot::job {

namespace {

// Appliers and default printers for JobSpec members, by member pointer.
template <auto Member>
void SetSwitch(JobSpec& s, const SettingValue& v) { s.*Member = std::get<bool>(v); }
template <auto Member>
void SetText(JobSpec& s, const SettingValue& v) { s.*Member = std::get<std::string>(v); }
template <auto Member>
void SetList(JobSpec& s, const SettingValue& v) { s.*Member = std::get<std::vector<std::string>>(v); }
template <auto Member>
void SetInt(JobSpec& s, const SettingValue& v) { s.*Member = static_cast<int>(std::get<long long>(v)); }
template <auto Member>
void SetSeconds(JobSpec& s, const SettingValue& v) { s.*Member = std::chrono::seconds(std::get<long long>(v)); }
void SetTags(JobSpec& s, const SettingValue& v) { s.tags = std::get<TagFilter>(v); }
template <auto Member>
std::string ShowInt(const JobSpec& s) { return std::to_string(s.*Member); }
template <auto Member>
std::string ShowSeconds(const JobSpec& s) { return std::to_string((s.*Member).count()); }

using T = SettingType;

std::vector<Setting> MakeSettings() {
  std::vector<Setting> v;
  // Document only.
  v.push_back({"instances", {}, true, T::kIdList, "", "", 0, 0, {}, false, SetList<&JobSpec::instance_ids>});
  v.push_back({"tags", {}, true, T::kTagFilter, "", "", 0, 0, {}, false, SetTags});
  // In --help order.
  v.push_back({"label", {"-l", "--label"}, true, T::kText, "LABEL",
               "Label to be included in the Snapshot description (and the s3snapshot:label tag; at most 128 "
               "characters)",
               0, 0, {}, false, SetText<&JobSpec::label>});
  v.push_back({"stop", {"-s", "--stop"}, true, T::kSwitch, "",
               "Stop Instance before start the snapshot; every instance this run stops is started again before "
               "it exits, also after a failure, Ctrl-C or SIGTERM",
               0, 0, {}, false, SetSwitch<&JobSpec::stop>});
  v.push_back({"stopped", {"-sp", "--stopped"}, true, T::kSwitch, "",
               "Check if instance is stopped before start the snapshot. (If not skip and flag error)", 0, 0, {},
               false, SetSwitch<&JobSpec::stopped>});
  v.push_back({"sns-arn", {"--sns-arn"}, true, T::kText, "SNS_ARN",
               "The SNS topic ARN to send message when finished", 0, 0, {}, false, SetText<&JobSpec::sns_arn>});
  v.push_back({"sns-arn-error", {"--sns-arn-error"}, true, T::kText, "SNS_ARN",
               "The SNS topic ARN to send message when an error occurs", 0, 0, {}, false,
               SetText<&JobSpec::sns_arn_error>});
  v.push_back({"filter", {"-f", "--filter"}, false, T::kText, "FILTER",
               "Filter list to snapshot: a JSON document, @FILE to read it from a file, or - to read it from "
               "stdin. ex: --filter '{\"instances\": [\"i-12345678\", \"i-abcdef12\"], \"tags\": {\"tag:Owner\": "
               "\"John\", \"tag:Name\": \"PROD\"}}' Keys: {keys}. Instances and tags combine with AND; a tag "
               "value may be a list (any of them) and may use EC2 wildcards * ?. A flag given on the command "
               "line wins over the same key in the document."});
  v.push_back({"protected", {"--protected"}, true, T::kSwitch, "", "Tag the snapshots State=Protected", 0, 0, {},
               false, SetSwitch<&JobSpec::protect>});
  v.push_back({"keep", {"--keep"}, true, T::kInteger, "N",
               "Retention: after this run's snapshots exist, keep the newest N completed snapshots per volume",
               1, 1000, {}, false, SetInt<&JobSpec::keep>});
  v.push_back({"keep-days", {"--keep-days"}, true, T::kInteger, "D",
               "Retention: keep snapshots younger than D days (with --keep: kept if either rule keeps it). Only "
               "the tool's own (Scripted=s3snapshot), unprotected, completed snapshots are ever deleted, never "
               "a volume's newest completed one",
               1, 36500, {}, false, SetInt<&JobSpec::keep_days>});
  v.push_back({"prune-orphans", {"--prune-orphans"}, true, T::kSwitch, "",
               "Retention also for snapshots whose volume no longer exists (these lose the newest-one rule)", 0,
               0, {}, false, SetSwitch<&JobSpec::prune_orphans>});
  v.push_back({"wait", {"--wait"}, true, T::kSwitch, "",
               "Wait until the run's snapshots are completed (a live progress bar on a terminal, a line every 30 "
               "s otherwise); a snapshot ending in 'error' is a failure",
               0, 0, {}, false, SetSwitch<&JobSpec::wait>});
  v.push_back({"wait-timeout", {"--wait-timeout"}, true, T::kInteger, "SECONDS", "How long --wait waits", 1,
               7 * 86400, {}, false, SetSeconds<&JobSpec::wait_timeout>, ShowSeconds<&JobSpec::wait_timeout>});
  v.push_back({"copy-to-regions", {"--copy-to-region"}, true, T::kTextList, "REGION",
               "Copy each new snapshot, with its tags, to REGION (repeatable); waits for the sources to "
               "complete, queues within EC2's 20 concurrent copies per region; --keep/--keep-days apply there "
               "too",
               0, 0, {}, false, SetList<&JobSpec::copy_to_regions>});
  v.push_back({"kms-key-id", {"--kms-key-id"}, true, T::kText, "KEY", "Encrypt the copies with this KMS key", 0,
               0, {}, false, SetText<&JobSpec::kms_key_id>});
  v.push_back({"all", {"--all"}, false, T::kSwitch, "",
               "Allow a run with no instances and no tags: select every (non-terminated) instance in the region",
               0, 0, {}, false, SetSwitch<&JobSpec::all>});
  v.push_back({"dry-run", {"--dry-run"}, false, T::kSwitch, "",
               "Print the plan (instances, volumes, which would be stopped) and change nothing", 0, 0, {}, false,
               SetSwitch<&JobSpec::dry_run>});
  v.push_back({"output", {"--output"}, false, T::kChoice, "text|json", "Report format on stdout", 0, 0,
               {"text", "json"}});
  v.push_back({"regions", {"--region"}, true, T::kTextList, "REGION[,REGION...]|all",
               "AWS region(s) (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region); a list, or "
               "all enabled regions, run concurrently",
               0, 0, {}, true, SetList<&JobSpec::regions>});
  v.push_back({"assume-roles", {"--assume-role"}, true, T::kTextList, "ROLE_ARN",
               "Run in the account of this role (repeatable: every account x region, one report). The session "
               "is named s3snapshot",
               0, 0, {}, false, SetList<&JobSpec::assume_roles>});
  v.push_back({"external-id", {"--external-id"}, true, T::kText, "ID", "External id for --assume-role", 0, 0, {},
               false, SetText<&JobSpec::external_id>});
  v.push_back({"profile", {"--profile"}, false, T::kText, "PROFILE",
               "Named profile from ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, default)"});
  v.push_back({"endpoint-url", {"--endpoint-url"}, false, T::kText, "URL",
               "Send EC2, SNS and STS requests to URL (e.g. a local emulator) instead of the AWS endpoints"});
  v.push_back({"stop-timeout", {"--stop-timeout"}, false, T::kInteger, "SECONDS",
               "How long to wait for instances to stop", 1, 86400, {}, false, SetSeconds<&JobSpec::stop_timeout>,
               ShowSeconds<&JobSpec::stop_timeout>});
  v.push_back({"concurrency", {"--concurrency"}, false, T::kInteger, "N", "Instances snapshotted in parallel", 1,
               64, {}, false, SetInt<&JobSpec::concurrency>, ShowInt<&JobSpec::concurrency>});
  v.push_back({"connect-timeout", {"--connect-timeout"}, false, T::kInteger, "SECONDS",
               "Per-request connect timeout", 1, 300, {}, false, SetSeconds<&JobSpec::connect_timeout>,
               ShowSeconds<&JobSpec::connect_timeout>});
  v.push_back({"read-timeout", {"--read-timeout"}, false, T::kInteger, "SECONDS",
               "Per-request timeout, whole request; with retries (AWS_MAX_ATTEMPTS, default 3) an endpoint that "
               "never answers fails in bounded time",
               1, 3600, {}, false, SetSeconds<&JobSpec::read_timeout>, ShowSeconds<&JobSpec::read_timeout>});
  v.push_back({"verbose", {"--verbose"}, true, T::kSwitch, "",
               "Show extra information during execution (every API call: action, attempt, duration, request id)",
               0, 0, {}, false, SetSwitch<&JobSpec::verbose>});
  v.push_back({"version", {"-v", "--version"}, false, T::kSwitch, "", "Display version number and exit."});
  v.push_back({"help", {"--help"}, false, T::kSwitch, "", "Show this message and exit."});
  return v;
}

}  // namespace

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

void ApplySettings(const SettingValues& values, JobSpec* spec) {
  for (const auto& [name, value] : values) {
    const Setting* s = FindSetting(name);
    if (s != nullptr && s->apply != nullptr) s->apply(*spec, value);
  }
}

std::string DocumentTypeName(const Setting& s) {
  switch (s.type) {
    case SettingType::kSwitch: return "true or false";
    case SettingType::kText:
    case SettingType::kChoice: return "a string";
    case SettingType::kInteger:
      return "a whole number from " + std::to_string(s.min) + " to " + std::to_string(s.max);
    case SettingType::kTextList: return "a string or a list of strings";
    case SettingType::kIdList: return "a list of instance ids";
    case SettingType::kTagFilter: return "an object of \"tag:KEY\": value pairs";
  }
  return "";
}

}  // namespace s3snapshot::job
