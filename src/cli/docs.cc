#include "cli/docs.h"

#include <vector>

#include "aws/endpoints.h"
#include "cli/options.h"
#include "core/version.h"
#include "spec/settings.h"

namespace s3snapshot::cli {

namespace {

using spec::Setting;
using spec::SettingType;

// Text for roff: backslashes and hyphens escaped, and a line that would
// start with a control character ('.' or '\'') guarded.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  std::string guarded;
  bool line_start = true;
  for (char c : out) {
    if (line_start && (c == '.' || c == '\'')) guarded += "\\&";
    guarded += c;
    line_start = c == '\n';
  }
  return guarded;
}

std::string Bold(const std::string& s) { return "\\fB" + Roff(s) + "\\fR"; }
std::string Italic(const std::string& s) { return "\\fI" + Roff(s) + "\\fR"; }

std::string OptionTag(const Setting& s) {
  std::string tag;
  for (size_t i = 0; i < s.flags.size(); ++i) tag += (i ? ", " : "") + Bold(s.flags[i]);
  if (*s.metavar) tag += " " + Italic(s.metavar);
  return tag;
}

struct Entry {
  const char* name;
  const char* text;
};

const std::vector<Entry>& Environment() {
  static const std::vector<Entry> kEnv = {
      {"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "Static or temporary credentials."},
      {"AWS_PROFILE", "The profile of ~/.aws/config and ~/.aws/credentials (default: default); --profile wins."},
      {"AWS_REGION, AWS_DEFAULT_REGION", "The region, when --region is not given."},
      {"AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "Other places for the two files."},
      {"AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME", "Web identity credentials (as on EKS)."},
      {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI, "
       "AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
       "Container credentials (ECS, EKS Pod Identity)."},
      {"AWS_EC2_METADATA_DISABLED", "true: do not ask the instance metadata service (IMDSv2) for credentials."},
      {"AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_STS, "
       "AWS_ENDPOINT_URL_CLOUDWATCH",
       "Other endpoints (all services, or one); --endpoint-url wins. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true "
       "ignores them and the profile's endpoint_url."},
      {"AWS_MAX_ATTEMPTS", "Attempts per request, 1 to 50 (default 3)."},
      {"AWS_CA_BUNDLE", "The CA certificates to verify TLS with."},
      {"https_proxy, no_proxy", "An HTTP proxy, and the hosts reached without it."},
      {"S3SNAPSHOT_RATE_LIMIT_FACTOR",
       "Scales the client's token buckets (EC2's documented defaults) for accounts with raised limits, 0 to "
       "1000; 0 turns them off."},
      {"S3SNAPSHOT_EVENT_SETTINGS",
       "Lambda only: the settings for completion events (a document with the "
       "payload's keys)."},
      {"S3SNAPSHOT_SNS_ARN, S3SNAPSHOT_SNS_ARN_ERROR",
       "Lambda only: the topics a payload (or an event) that names none of its own notifies; the SAM template "
       "sets them to the topics it creates."},
  };
  return kEnv;
}

std::vector<const Setting*> Options(unsigned command) {
  std::vector<const Setting*> out;
  for (const auto& s : spec::Settings()) {
    if (!s.flags.empty() && (s.commands & command) != 0) out.push_back(&s);
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> Flags(unsigned command, bool with_value) {
  std::vector<std::string> out;
  for (const Setting* s : Options(command)) {
    if ((s->type != SettingType::kSwitch) != with_value) continue;
    for (const char* f : s->flags) out.push_back(f);
  }
  return out;
}

// zsh _arguments descriptions: no brackets, colons or quotes, one sentence.
std::string ZshText(const std::string& help) {
  std::string first = help.substr(0, help.find(". "));
  size_t paren = first.find(" (");
  if (paren != std::string::npos && paren > 20) first = first.substr(0, paren);
  if (first.size() > 72) first = first.substr(0, first.rfind(' ', 69)) + "...";
  std::string out;
  for (char c : first) {
    if (c == '[' || c == '(') {
      out += '<';
    } else if (c == ']' || c == ')') {
      out += '>';
    } else if (c == ':') {
      out += ' ';
    } else if (c == '\'') {
      out += '`';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string ManPage() {
  std::string m;
  m += ".\\\" The man page s3snapshot(1). Made from the option table (src/cli/docs.cc); do not edit:\n";
  m += ".\\\" run cli_test with S3SNAPSHOT_WRITE_DOCS=1 to write it again.\n";
  m += ".TH S3SNAPSHOT 1 \"\" \"s3snapshot " S3SNAPSHOT_VERSION "\" \"User Commands\"\n";
  m += ".SH NAME\ns3snapshot \\- snapshot the EBS volumes of EC2 instances, audit that they are protected, "
       "restore them and prove that they restore\n";
  m +=
      ".SH SYNOPSIS\n.B s3snapshot\n.RI [ OPTIONS ]\n.br\n.B s3snapshot audit\n.RI [ OPTIONS ]\n.br\n"
      ".B s3snapshot restore \\-\\-instance\n.RI \"\" ID \" [\" OPTIONS ]\n.br\n.B s3snapshot drill\n.RI [ OPTIONS ]\n";
  m += ".SH DESCRIPTION\n";
  m += Roff(
      "s3snapshot snapshots the EBS volumes of the EC2 instances a filter selects (by instance ids and/or "
      "tags): one CreateSnapshots call per instance, all its volumes at one crash-consistent point in time, "
      "with tags that say which run made them. With --stop it stops running instances first and starts every "
      "one it stopped again before it exits, also after a failure, Ctrl-C or SIGTERM.\n");
  m += ".PP\n" + Roff(
                     "It also retains (--keep, --keep-days), copies to other regions across runs (--copy-to-region), "
                     "waits (--wait), notifies through SNS, runs in many regions and accounts at once, and writes a "
                     "report as text or JSON. The same binary is an AWS Lambda function (custom runtime) when "
                     "AWS_LAMBDA_RUNTIME_API is set.\n");
  m += ".PP\n" + Roff(
                     "A typo never touches the fleet: unknown keys, wrong types and malformed ids are errors, and "
                     "a run with no selection is refused unless --all is given. Bad input exits with status 2 "
                     "and nothing is sent to AWS.\n");
  m += ".SH COMMANDS\n.TP\n" + Bold("s3snapshot") + " [" + Italic("OPTIONS") + "]\n" + Roff("A snapshot run.\n") +
       ".TP\n" + Bold("s3snapshot audit") + " [" + Italic("OPTIONS") + "]\n" +
       Roff(
           "Read-only: for every selected instance (running or stopped) and each EBS volume, the newest "
           "completed snapshot that counts and its age, and what is wrong: missing, too-old (--max-age), "
           "error, pending (--max-pending), no-ebs-volume, unknown, and with --copy-to-region the same for "
           "copies. Exit status 1 when any volume is unprotected. It takes the selection, --label, "
           "--copy-to-region, scope, output, notification and metrics options and those marked (audit); the "
           "options that change things are refused.\n") +
       ".TP\n" + Bold("s3snapshot restore") + " " + Roff("--instance") + " " + Italic("ID") + " [" + Italic("OPTIONS") +
       "]\n" +
       Roff(
           "One snapshot set of the instance back into volumes, side by side: the newest complete set (or "
           "--run-id, or the newest before --before), one CreateVolume per snapshot in the target's "
           "Availability Zone (with the original volume's type, IOPS and throughput when it still exists), "
           "tagged s3snapshot:restored-from and s3snapshot:restore-id, then attached to the target "
           "(--to-instance, default the source instance) at free device names. No existing volume is detached, "
           "changed or deleted. A set with a snapshot not completed is refused. Run again with the printed "
           "--restore-id to resume: no snapshot gets a second volume. It takes --dry-run, --output, the scope "
           "options of one region and those marked (restore).\n") +
       ".TP\n" + Bold("s3snapshot drill") + " [" + Italic("OPTIONS") + "]\n" +
       Roff(
           "Proof that sets restore: for every selected instance (or a random --sample), its newest complete "
           "set is restored side by side as volumes tagged s3snapshot:drill-id, timed to 'available', "
           "optionally attached to --check-instance and checked by --check-command through SSM, and every "
           "volume is deleted again on every way out (a volume that cannot be deleted is LEFT BEHIND, a "
           "failure). A set slower than --rto fails. Drilled snapshots are tagged s3snapshot:drilled with the "
           "time and result, which audit --max-drill-age reads. Volumes of a killed drill older than "
           "--drill-timeout are deleted by the next drill or snapshot run. It takes the selection, --label, "
           "--dry-run, scope, output, notification and metrics options and those marked (drill).\n");
  m += ".SH OPTIONS\n";
  for (const auto& [section, title] : spec::Sections()) {
    std::string block;
    for (const auto& s : spec::Settings()) {
      if (s.flags.empty() || s.section != section) continue;
      std::string help = HelpOf(s);
      if ((s.commands & spec::kSnapshotCommand) && !(s.commands & spec::kAuditCommand) &&
          help.rfind("(restore)", 0) != 0 && help.rfind("(drill)", 0) != 0) {
        help += " (Not in an audit.)";
      }
      block += ".TP\n" + OptionTag(s) + "\n" + Roff(help) + "\n";
    }
    if (!block.empty()) m += ".SS " + Roff(title) + "\n" + block;
  }
  m += ".SH THE FILTER DOCUMENT\n" +
       Roff("--filter takes a JSON object with the keys of the Lambda payload: " + spec::DocumentKeyList() +
            ". Instances and tags combine with AND; a tag value may be a list (any of them). A flag on the "
            "command line wins over the same key in the document. Its JSON Schema is "
            "/usr/share/s3snapshot/filter.schema.json.\n");
  m += ".SH EXIT STATUS\n.TP\n.B 0\n" +
       Roff(
           "Every selected instance was snapshotted (and started again, with --stop); an audit: every volume "
           "is protected; a restore: every volume of the set was made (and attached); a drill: every set "
           "restored (and checked) within --rto and every volume deleted.\n") +
       ".TP\n.B 1\n" +
       Roff(
           "Some instance failed, an audit found unprotected volumes, a restore found no complete set or a "
           "volume failed, a drill's set failed or a volume was LEFT BEHIND, a requested id was not found, the "
           "selection matched no instance (without --allow-empty), the selection, a notification or the "
           "metrics failed, or the run was cancelled; the report and stderr say which, and the other "
           "instances' work was done.\n") +
       ".TP\n.B 2\n" + Roff("Bad usage or input (options, filter, configuration, credentials): nothing was sent.\n");
  m += ".SH ENVIRONMENT\n";
  for (const auto& e : Environment()) m += ".TP\n" + Bold(e.name) + "\n" + Roff(e.text) + "\n";
  m += ".SH FILES\n.TP\n" + Italic("~/.aws/config") + ", " + Italic("~/.aws/credentials") + "\n" +
       Roff(
           "Profiles: keys, credential_process, role_arn with source_profile or credential_source, region, "
           "endpoint_url, max_attempts, ca_bundle.\n") +
       ".TP\n" + Italic("/usr/share/s3snapshot/filter.schema.json") + ", " +
       Italic("/usr/share/s3snapshot/report.schema.json") + "\n" +
       Roff("JSON Schemas of the filter document and of the JSON report.\n") + ".TP\n" +
       Italic("/usr/lib/systemd/system/s3snapshot@.service") + ", " + Italic("s3snapshot@.timer") + "\n" +
       Roff(
           "systemctl enable --now s3snapshot@daily.timer runs the filter /etc/s3snapshot/daily.json every "
           "day.\n");
  m += ".SH EXAMPLES\n";
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"Snapshot the instances tagged Env=PROD:", "s3snapshot --filter '{\"tags\": {\"tag:Env\": \"PROD\"}}'"},
      {"Stop, snapshot and start two instances:",
       "s3snapshot --filter '{\"instances\": [\"i-abcdef12\", \"i-12345678\"], \"stop\": true}'"},
      {"See the plan first:", "s3snapshot --filter @daily.json --label daily --keep 7 --dry-run"},
      {"Which volumes have no snapshot of the last 26 hours:",
       "s3snapshot audit --filter '{\"tags\": {\"tag:Backup\": \"daily\"}}' --output json"},
  };
  for (const auto& [what, cmd] : examples) {
    m += ".PP\n" + Roff(what) + "\n.PP\n.RS\n.nf\n" + Roff(cmd) + "\n.fi\n.RE\n";
  }
  m += ".SH SEE ALSO\n" +
       Roff(
           "The README (/usr/share/doc/s3snapshot/README.md) and its pages in /usr/share/doc/s3snapshot/docs/ "
           "(usage, guarantees, operations, Lambda and deployment, development): every guarantee and the tests that "
           "hold the "
           "tool to it, the Lambda runtime, the SAM template, the metrics.\n");
  return m;
}

std::string BashCompletion() {
  const std::string regions = Join(aws::KnownRegions(), " ");
  std::string b;
  b += "# bash completion for s3snapshot. Made from its option table (src/cli/docs.cc); do not edit.\n";
  b += "_s3snapshot() {\n";
  b += "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n";
  b += "  local regions=\"" + regions + "\"\n";
  b += "  case \"$prev\" in\n";
  b += "    --output) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return ;;\n";
  b += "    --region)\n";
  b += "      if [[ $cur == *,* ]]; then\n";
  b += "        COMPREPLY=($(compgen -P \"${cur%,*},\" -W \"$regions\" -- \"${cur##*,}\"))\n";
  b += "      else\n";
  b += "        COMPREPLY=($(compgen -W \"all $regions\" -- \"$cur\"))\n";
  b += "      fi\n";
  b += "      return ;;\n";
  b += "    --copy-to-region) COMPREPLY=($(compgen -W \"$regions\" -- \"$cur\")); return ;;\n";
  b += "    -f|--filter)\n";
  b += "      if [[ $cur == @* ]]; then\n";
  b += "        COMPREPLY=($(compgen -f -P @ -- \"${cur#@}\"))\n";
  b += "      else\n";
  b += "        COMPREPLY=($(compgen -W \"@ -\" -- \"$cur\"))\n";
  b += "      fi\n";
  b += "      compopt -o nospace 2>/dev/null\n";
  b += "      return ;;\n";
  b += "    --metrics-file) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  b += "    --profile)\n";
  b += "      local profiles\n";
  b += "      profiles=$(sed -n 's/^[[:space:]]*\\[\\(profile[[:space:]]\\+\\)\\{0,1\\}\\([^]]*\\)\\].*/\\2/p' \\\n";
  b += "        \"${AWS_CONFIG_FILE:-$HOME/.aws/config}\" \"${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}\" "
       "2>/dev/null | sort -u)\n";
  b += "      COMPREPLY=($(compgen -W \"$profiles\" -- \"$cur\"))\n";
  b += "      return ;;\n";
  std::vector<std::string> valued = Flags(spec::kEveryCommand, true);
  b += "    " + Join(valued, "|") + ") COMPREPLY=(); return ;;\n";
  b += "  esac\n";
  b += "  local opts=\"" + Join(Flags(spec::kSnapshotCommand, false), " ") + " " +
       Join(Flags(spec::kSnapshotCommand, true), " ") + "\"\n";
  b += "  if [[ ${COMP_WORDS[1]} == audit ]]; then\n";
  b += "    opts=\"" + Join(Flags(spec::kAuditCommand, false), " ") + " " +
       Join(Flags(spec::kAuditCommand, true), " ") + "\"\n";
  b += "  elif [[ ${COMP_WORDS[1]} == restore ]]; then\n";
  b += "    opts=\"" + Join(Flags(spec::kRestoreCommand, false), " ") + " " +
       Join(Flags(spec::kRestoreCommand, true), " ") + "\"\n";
  b += "  elif [[ ${COMP_WORDS[1]} == drill ]]; then\n";
  b += "    opts=\"" + Join(Flags(spec::kDrillCommand, false), " ") + " " +
       Join(Flags(spec::kDrillCommand, true), " ") + "\"\n";
  b += "  fi\n";
  b += "  if [[ $cur == -* ]]; then\n";
  b += "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n";
  b += "  elif [[ $COMP_CWORD -eq 1 ]]; then\n";
  b += "    COMPREPLY=($(compgen -W \"audit restore drill\" -- \"$cur\"))\n";
  b += "  fi\n";
  b += "}\n";
  b += "complete -F _s3snapshot s3snapshot\n";
  return b;
}

std::string ZshCompletion() {
  std::string z;
  z += "#compdef s3snapshot\n";
  z += "# zsh completion for s3snapshot. Made from its option table (src/cli/docs.cc); do not edit.\n\n";
  z += "_s3snapshot() {\n";
  z += "  local -a regions=(" + Join(aws::KnownRegions(), " ") + ")\n";
  z += "  local -a opts\n";
  z += "  if [[ ${words[2]} == audit ]]; then\n";
  auto specs = [](unsigned command) {
    std::string out;
    for (const Setting* s : Options(command)) {
      std::string excl;
      if (s->flags.size() > 1) excl = "(" + Join(std::vector<std::string>(s->flags.begin(), s->flags.end()), " ") + ")";
      std::string value;
      if (s->type != SettingType::kSwitch) {
        std::string meta = *s->metavar ? s->metavar : "value";
        std::string name = s->name;
        std::string action;
        if (name == "output") {
          action = "(text json)";
        } else if (name == "regions") {
          action = "(all $regions)";
        } else if (name == "copy-to-regions") {
          action = "($regions)";
        } else if (name == "metrics-file") {
          action = "_files";
        } else if (name == "filter") {
          action = "_files -P @";
        }
        value = ":" + ZshText(meta) + ":" + action;
      }
      bool repeatable = s->type == SettingType::kTextList && !s->comma_separated;
      for (const char* f : s->flags) {
        out += "      '" + std::string(repeatable ? "*" : excl) + f + "[" + ZshText(HelpOf(*s)) + "]" + value + "'\n";
      }
    }
    return out;
  };
  z += "    opts=(\n" + specs(spec::kAuditCommand) + "    )\n";
  z += "  elif [[ ${words[2]} == restore ]]; then\n";
  z += "    opts=(\n" + specs(spec::kRestoreCommand) + "    )\n";
  z += "  elif [[ ${words[2]} == drill ]]; then\n";
  z += "    opts=(\n" + specs(spec::kDrillCommand) + "    )\n";
  z += "  else\n";
  z += "    opts=(\n" + specs(spec::kSnapshotCommand) + "      '1:command:(audit restore drill)'\n    )\n";
  z += "  fi\n";
  z += "  _arguments $opts\n";
  z += "}\n\n";
  z += "_s3snapshot \"$@\"\n";
  return z;
}

}  // namespace s3snapshot::cli
