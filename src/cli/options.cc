#include "cli/options.h"

#include <cstdlib>

namespace s3snapshot::cli {

using core::Error;
using core::ErrorKind;

std::string UsageText() {
  return R"(Usage: s3snapshot [OPTIONS]

Snapshot the EBS volumes of EC2 instances chosen by instance ids and/or tags.

Options:
  -l, --label LABEL        Label to be included in the Snapshot description
                           (and the s3snapshot:label tag; at most 128 characters)
  -s, --stop               Stop Instance before start the snapshot; every
                           instance this run stops is started again before it
                           exits, also after a failure, Ctrl-C or SIGTERM
  -sp, --stopped           Check if instance is stopped before start the
                           snapshot. (If not skip and flag error)
  --sns-arn SNS_ARN        The SNS topic ARN to send message when finished
  --sns-arn-error SNS_ARN  The SNS topic ARN to send message when an error
                           occurs
  -f, --filter FILTER      Filter list to snapshot: a JSON document, @FILE to
                           read it from a file, or - to read it from stdin.
                           ex: --filter
                           '{"instances": ["i-12345678", "i-abcdef12"],
                           "tags": {"tag:Owner": "John", "tag:Name": "PROD"}}'
                           Keys: instances, tags, stop, stopped, verbose,
                           sns-arn, sns-arn-error, label, protected, keep,
                           keep-days, prune-orphans, wait, wait-timeout,
                           regions, assume-roles, external-id,
                           copy-to-regions, kms-key-id. Instances
                           and tags combine with AND; a tag value may be a
                           list (any of them) and may use EC2 wildcards * ?.
                           A flag given on the command line wins over the
                           same key in the document.
  --protected              Tag the snapshots State=Protected
  --keep N                 Retention: after this run's snapshots exist, keep
                           the newest N completed snapshots per volume
  --keep-days D            Retention: keep snapshots younger than D days
                           (with --keep: kept if either rule keeps it).
                           Only the tool's own (Scripted=s3snapshot),
                           unprotected, completed snapshots are ever deleted,
                           never a volume's newest completed one
  --prune-orphans          Retention also for snapshots whose volume no
                           longer exists (these lose the newest-one rule)
  --wait                   Wait until the run's snapshots are completed (a
                           live progress bar on a terminal, a line every
                           30 s otherwise); a snapshot ending in 'error' is
                           a failure
  --wait-timeout SECONDS   How long --wait waits (default 3600)
  --copy-to-region REGION  Copy each new snapshot, with its tags, to REGION
                           (repeatable); waits for the sources to complete,
                           queues within EC2's 20 concurrent copies per
                           region; --keep/--keep-days apply there too
  --kms-key-id KEY         Encrypt the copies with this KMS key
  --all                    Allow a run with no instances and no tags: select
                           every (non-terminated) instance in the region
  --dry-run                Print the plan (instances, volumes, which would be
                           stopped) and change nothing
  --output text|json       Report format on stdout (default: text)
  --region REGION[,REGION...]|all
                           AWS region(s) (default: AWS_REGION,
                           AWS_DEFAULT_REGION, or the profile's region); a
                           list, or all enabled regions, run concurrently
  --assume-role ROLE_ARN   Run in the account of this role (repeatable: every
                           account x region, one report). The session is
                           named s3snapshot
  --external-id ID         External id for --assume-role
  --profile PROFILE        Named profile from ~/.aws/config and
                           ~/.aws/credentials (default: AWS_PROFILE, default)
  --endpoint-url URL       Send EC2, SNS and STS requests to URL (e.g. a local
                           emulator) instead of the AWS endpoints
  --stop-timeout SECONDS   How long to wait for instances to stop (default 600)
  --concurrency N          Instances snapshotted in parallel (default 8)
  --connect-timeout SECONDS  Per-request connect timeout (default 3)
  --read-timeout SECONDS   Per-request timeout, whole request (default 30);
                           with retries (AWS_MAX_ATTEMPTS, default 3) an
                           endpoint that never answers fails in bounded time
  --verbose                Show extra information during execution (every
                           API call: action, attempt, duration, request id)
  -v, --version            Display version number and exit.
  --help                   Show this message and exit.

Exit status: 0 all done; 1 some instance failed (the report says which);
2 bad usage or input (nothing was changed).
)";
}

core::Result<CliOptions> ParseArgs(const std::vector<std::string>& args) {
  CliOptions o;
  auto invalid = [](const std::string& m) { return Error::Make(ErrorKind::kInvalidInput, m, "Usage"); };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_inline = true;
      }
    }
    auto value = [&](const std::string& name) -> core::Result<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= args.size()) return invalid(name + " needs a value");
      return args[++i];
    };
    auto no_value = [&]() -> core::Status {
      if (has_inline) return invalid(a + " takes no value");
      return core::OkStatus();
    };
    auto integer = [&](const std::string& name, int lo, int hi, int* out) -> core::Status {
      auto v = value(name);
      if (!v.ok()) return v.error();
      char* end = nullptr;
      long n = std::strtol(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || n < lo || n > hi) {
        return invalid(name + ": '" + *v + "' is not a whole number from " + std::to_string(lo) +
                       " to " + std::to_string(hi));
      }
      *out = static_cast<int>(n);
      return core::OkStatus();
    };
#define S3S_FLAG(field, key)                 \
  {                                          \
    auto st = no_value();                    \
    if (!st.ok()) return st.error();         \
    o.field = true;                          \
    if (*key) o.flags_given.push_back(key);  \
    continue;                                \
  }
#define S3S_VALUE(field, key, name)          \
  {                                          \
    auto v = value(name);                    \
    if (!v.ok()) return v.error();           \
    o.field = *v;                            \
    if (*key) o.flags_given.push_back(key);  \
    continue;                                \
  }
    if (a == "-l" || a == "--label") S3S_VALUE(label, "label", "--label")
    if (a == "-s" || a == "--stop") S3S_FLAG(stop, "stop")
    if (a == "-sp" || a == "--stopped") S3S_FLAG(stopped, "stopped")
    if (a == "--verbose") S3S_FLAG(verbose, "verbose")
    if (a == "--protected") S3S_FLAG(protect, "protected")
    if (a == "--all") S3S_FLAG(all, "")
    if (a == "--prune-orphans") S3S_FLAG(prune_orphans, "prune-orphans")
    if (a == "--wait") S3S_FLAG(wait, "wait")
    if (a == "--dry-run") S3S_FLAG(dry_run, "")
    if (a == "--help" || a == "-h") S3S_FLAG(help, "")
    if (a == "-v" || a == "--version") S3S_FLAG(version, "")
    if (a == "--sns-arn") S3S_VALUE(sns_arn, "sns-arn", "--sns-arn")
    if (a == "--sns-arn-error") S3S_VALUE(sns_arn_error, "sns-arn-error", "--sns-arn-error")
    if (a == "--region") {
      auto v = value("--region");
      if (!v.ok()) return v.error();
      o.regions.clear();
      size_t start = 0;
      while (start <= v->size()) {
        size_t comma = v->find(',', start);
        if (comma == std::string::npos) comma = v->size();
        std::string r = v->substr(start, comma - start);
        if (r.empty()) return invalid("--region: empty region name in '" + *v + "'");
        o.regions.push_back(r);
        start = comma + 1;
      }
      // One region is the ordinary --region; a list or "all" fans out.
      o.region = o.regions.size() == 1 && o.regions[0] != "all" ? o.regions[0] : "";
      if (o.regions.size() == 1 && o.regions[0] != "all") o.regions.clear();
      o.flags_given.push_back("regions");
      continue;
    }
    if (a == "--assume-role") {
      auto v = value("--assume-role");
      if (!v.ok()) return v.error();
      o.assume_roles.push_back(*v);
      o.flags_given.push_back("assume-roles");
      continue;
    }
    if (a == "--external-id") S3S_VALUE(external_id, "external-id", "--external-id")
    if (a == "--kms-key-id") S3S_VALUE(kms_key_id, "kms-key-id", "--kms-key-id")
    if (a == "--copy-to-region") {
      auto v = value("--copy-to-region");
      if (!v.ok()) return v.error();
      o.copy_to_regions.push_back(*v);
      o.flags_given.push_back("copy-to-regions");
      continue;
    }
    if (a == "--profile") S3S_VALUE(profile, "", "--profile")
    if (a == "--endpoint-url") S3S_VALUE(endpoint_url, "", "--endpoint-url")
    if (a == "-f" || a == "--filter") {
      if (o.filter_given) return invalid("--filter given twice; put everything in one document");
      auto v = value("--filter");
      if (!v.ok()) return v.error();
      o.filter = *v;
      o.filter_given = true;
      continue;
    }
    if (a == "--output") {
      auto v = value("--output");
      if (!v.ok()) return v.error();
      if (*v != "text" && *v != "json") return invalid("--output: '" + *v + "' is not text or json");
      o.output = *v;
      continue;
    }
    if (a == "--stop-timeout") {
      auto st = integer("--stop-timeout", 1, 86400, &o.stop_timeout_seconds);
      if (!st.ok()) return st.error();
      continue;
    }
    if (a == "--wait-timeout") {
      auto st = integer("--wait-timeout", 1, 7 * 86400, &o.wait_timeout_seconds);
      if (!st.ok()) return st.error();
      o.flags_given.push_back("wait-timeout");
      continue;
    }
    if (a == "--keep") {
      auto st = integer("--keep", 1, 1000, &o.keep);
      if (!st.ok()) return st.error();
      o.flags_given.push_back("keep");
      continue;
    }
    if (a == "--keep-days") {
      auto st = integer("--keep-days", 1, 36500, &o.keep_days);
      if (!st.ok()) return st.error();
      o.flags_given.push_back("keep-days");
      continue;
    }
    if (a == "--connect-timeout") {
      auto st = integer("--connect-timeout", 1, 300, &o.connect_timeout_seconds);
      if (!st.ok()) return st.error();
      continue;
    }
    if (a == "--read-timeout") {
      auto st = integer("--read-timeout", 1, 3600, &o.read_timeout_seconds);
      if (!st.ok()) return st.error();
      continue;
    }
    if (a == "--concurrency") {
      auto st = integer("--concurrency", 1, 64, &o.concurrency);
      if (!st.ok()) return st.error();
      continue;
    }
#undef S3S_FLAG
#undef S3S_VALUE
    if (a.rfind("-", 0) == 0) {
      std::string hint;
      if (a == "--stoped") hint = " (did you mean --stopped?)";
      if (a == "--filters") hint = " (did you mean --filter?)";
      if (a == "--sns_arn") hint = " (did you mean --sns-arn?)";
      if (a == "--dryrun") hint = " (did you mean --dry-run?)";
      return invalid("unknown option '" + a + "'" + hint);
    }
    return invalid("unexpected argument '" + a + "' (the filter goes after --filter)");
  }
  if (o.stop && o.stopped) return invalid("--stop and --stopped cannot be used together");
  return o;
}

}  // namespace s3snapshot::cli
