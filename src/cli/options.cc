#include "cli/options.h"

#include "core/parse.h"
#include "spec/filter.h"
#include "spec/job_spec.h"

namespace s3snapshot::cli {

using core::Error;
using core::ErrorKind;
using spec::Setting;
using spec::SettingType;
using spec::SettingValues;

namespace {

constexpr size_t kWidth = 79;       // of --help
constexpr size_t kHelpColumn = 27;  // where help text starts

// `text` wrapped to kWidth, every line indented to kHelpColumn; the first
// line continues `head` when it fits, else starts on a line of its own.
std::string Wrap(const std::string& head, const std::string& text) {
  std::string out = head, line;
  auto flush = [&](bool first) {
    if (first && head.size() + 2 <= kHelpColumn) {
      out += std::string(kHelpColumn - head.size(), ' ');
    } else {
      out += "\n" + std::string(kHelpColumn, ' ');
    }
    out += line;
    line.clear();
  };
  bool first = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t sp = text.find(' ', pos);
    std::string word = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? text.size() : sp + 1;
    if (!line.empty() && kHelpColumn + line.size() + 1 + word.size() > kWidth) {
      flush(first);
      first = false;
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) flush(first);
  return out + "\n";
}

Error Usage(const std::string& message) { return Error::Make(ErrorKind::kInvalidInput, message, "Usage"); }

std::string LongFlag(const Setting& s) { return s.flags.back(); }

}  // namespace

std::string HelpOf(const Setting& s) {
  const spec::JobSpec defaults;
  std::string help = s.help;
  size_t keys = help.find("{keys}");
  if (keys != std::string::npos) help.replace(keys, 6, spec::DocumentKeyList());
  if (s.default_text) help += " (default " + s.default_text(defaults) + ")";
  if (s.type == SettingType::kChoice) help += " (default: " + std::string(s.choices.front()) + ")";
  return help;
}

namespace {

// What --help says before and after the options, per command.
struct CommandHelp {
  const char* head;
  const char* tail;
  const char* marker;  // the help prefix its own options carry ("(audit) ")
};

CommandHelp HelpFor(spec::JobSpec::Command command) {
  switch (command) {
    case spec::JobSpec::Command::kAudit:
      return {
          "Usage: s3snapshot audit [OPTIONS]\n\n"
          "Read-only: for every selected instance and each of its EBS volumes, the\n"
          "newest completed snapshot and its age, and what is wrong with its\n"
          "protection (missing, too old, error, pending too long; the same for\n"
          "copies with --copy-to-region). Exit status 1 when a volume is unprotected.\n",
          "\nExit status: 0 every volume protected; 1 a volume is unprotected, an id was\n"
          "not found, the selection matched nothing (without --allow-empty) or failed,\n"
          "or the audit was cancelled; 2 bad usage or input (nothing was sent).\n",
          "(audit) "};
    case spec::JobSpec::Command::kRestore:
      return {
          "Usage: s3snapshot restore --instance ID [--run-id RUN | --before TIME] [OPTIONS]\n\n"
          "Turn one snapshot set of an instance back into volumes, side by side: one new\n"
          "volume per snapshot of the set (the newest complete one by default), in the\n"
          "target's Availability Zone, attached to the target at free device names. No\n"
          "existing volume is detached, changed or deleted. A set with a snapshot not\n"
          "completed is refused, never half restored. Run again with the printed\n"
          "--restore-id to resume: no snapshot gets a second volume.\n",
          "\nExit status: 0 every volume restored (and attached); 1 no complete set, a\n"
          "volume failed, or the restore was cancelled; 2 bad usage or input (nothing\n"
          "was sent).\n",
          "(restore) "};
    case spec::JobSpec::Command::kDrill:
      return {
          "Usage: s3snapshot drill [OPTIONS]\n\n"
          "Prove that snapshot sets restore, and leave nothing behind: for every selected\n"
          "instance (or a random --sample of them), its newest complete set is restored\n"
          "side by side as new volumes (attached to no instance but --check-instance),\n"
          "timed to 'available', optionally checked by --check-command on the scratch\n"
          "--check-instance through SSM, and every volume is deleted again -- also on a\n"
          "failure, a timeout, SIGTERM or the Lambda deadline. Drilled snapshots are\n"
          "tagged s3snapshot:drilled (see audit --max-drill-age). Volumes a killed drill\n"
          "left are deleted by the next drill or snapshot run.\n",
          "\nExit status: 0 every set restored (and checked) within --rto and every volume\n"
          "deleted; 1 a set failed, a volume was LEFT BEHIND, an id was not found, the\n"
          "selection matched nothing (without --allow-empty) or failed, or the drill\n"
          "was cancelled; 2 bad usage or input (nothing was sent).\n",
          "(drill) "};
    case spec::JobSpec::Command::kSnapshot:
      break;
  }
  return {
      "Usage: s3snapshot [OPTIONS]\n"
      "       s3snapshot audit [OPTIONS]\n"
      "       s3snapshot restore --instance ID [OPTIONS]\n"
      "       s3snapshot drill [OPTIONS]\n\n"
      "Snapshot the EBS volumes of EC2 instances chosen by instance ids and/or\n"
      "tags: one crash-consistent set per instance (CreateSnapshots), tagged with\n"
      "the run that made it.\n\n"
      "Commands:\n"
      "  audit                    Which selected volumes have no recent completed\n"
      "                           snapshot (read-only); see s3snapshot audit --help\n"
      "  restore                  One snapshot set back into volumes, side by side;\n"
      "                           see s3snapshot restore --help\n"
      "  drill                    Restore each selected instance's newest set, time\n"
      "                           it, check it, delete it; see s3snapshot drill --help\n",
      "\nExit status: 0 all done; 1 some instance failed, an id was not found, the\n"
      "selection matched nothing (without --allow-empty) or failed, a notification\n"
      "or the metrics failed, or the run was cancelled (the report and stderr say\n"
      "which); 2 bad usage or input (nothing was sent).\n",
      ""};
}

}  // namespace

std::string UsageText(spec::JobSpec::Command command) {
  const CommandHelp text = HelpFor(command);
  std::string out = text.head;
  const unsigned bit = spec::CommandBit(command);
  for (const auto& [section, title] : spec::Sections()) {
    std::string block;
    for (const auto& s : spec::Settings()) {
      if (s.flags.empty() || s.section != section || (s.commands & bit) == 0) continue;
      std::string head = "  ";
      for (size_t i = 0; i < s.flags.size(); ++i) head += (i ? ", " : "") + std::string(s.flags[i]);
      if (*s.metavar) head += std::string(" ") + s.metavar;
      std::string help = HelpOf(s);
      if (*text.marker && help.rfind(text.marker, 0) == 0) help = help.substr(std::string(text.marker).size());
      block += Wrap(head, help);
    }
    if (!block.empty()) out += std::string("\n") + title + ":\n" + block;
  }
  return out + text.tail;
}

core::Result<SettingValues> ParseArgs(const std::vector<std::string>& args) {
  SettingValues values;
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
    if (a == "-h") a = "--help";
    const Setting* s = spec::FindSettingByFlag(a);
    if (s == nullptr) {
      if (a == "audit" || a == "restore" || a == "drill")
        return Usage("the command goes first: s3snapshot " + a + " [OPTIONS]");
      if (a.rfind("-", 0) != 0) return Usage("unexpected argument '" + a + "' (the filter goes after --filter)");
      std::vector<std::string> flags;
      for (const auto& st : spec::Settings()) {
        for (const char* f : st.flags) {
          if (std::string(f).rfind("--", 0) == 0) flags.push_back(f);
        }
      }
      std::string hint = a.rfind("--", 0) == 0 ? spec::SuggestKey(a, flags) : "";
      return Usage("unknown option '" + a + "'" + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
    const std::string name = LongFlag(*s);
    if (s->type == SettingType::kSwitch) {
      if (has_inline) return Usage(name + " takes no value");
      values[s->name] = true;
      continue;
    }
    std::string v;
    if (has_inline) {
      v = inline_value;
    } else if (i + 1 < args.size()) {
      v = args[++i];
    } else {
      return Usage(name + " needs a value");
    }
    switch (s->type) {
      case SettingType::kText:
        if (std::string(s->name) == "filter" && values.count("filter")) {
          return Usage("--filter given twice; put everything in one document");
        }
        values[s->name] = v;
        break;
      case SettingType::kChoice: {
        bool known = false;
        std::string list;
        for (const char* c : s->choices) {
          known = known || v == c;
          list += (list.empty() ? "" : " or ") + std::string(c);
        }
        if (!known) return Usage(name + ": '" + v + "' is not " + list);
        values[s->name] = v;
        break;
      }
      case SettingType::kInteger: {
        auto n = core::ParseInteger(v, s->min, s->max);
        if (!n) {
          return Usage(name + ": '" + v + "' is not a whole number from " + std::to_string(s->min) + " to " +
                       std::to_string(s->max));
        }
        values[s->name] = *n;
        break;
      }
      case SettingType::kDuration: {
        auto d = core::ParseDuration(v, std::chrono::seconds(s->min), std::chrono::seconds(s->max));
        if (!d) return Usage(name + ": '" + v + "' is not " + spec::DocumentTypeName(*s));
        values[s->name] = static_cast<long long>(d->count());
        break;
      }
      case SettingType::kTextList: {
        std::vector<std::string> list;
        if (s->comma_separated) {
          // One flag gives the whole list ("--region a,b"); a later one replaces it.
          for (size_t start = 0; start <= v.size();) {
            size_t comma = v.find(',', start);
            if (comma == std::string::npos) comma = v.size();
            std::string item = v.substr(start, comma - start);
            if (item.empty()) return Usage(name + ": empty value in '" + v + "'");
            list.push_back(item);
            start = comma + 1;
          }
        } else {
          // Repeatable: each flag adds one.
          if (values.count(s->name)) list = std::get<std::vector<std::string>>(values[s->name]);
          list.push_back(v);
        }
        values[s->name] = list;
        break;
      }
      case SettingType::kSwitch:
      case SettingType::kIdList:
      case SettingType::kTagFilter:
        break;  // switches are handled above; the others have no flags
    }
  }
  if (values.count("stop") && values.count("stopped")) return Usage("--stop and --stopped cannot be used together");
  return values;
}

}  // namespace s3snapshot::cli
