#include "cli/cli.h"

#include <unistd.h>

#include <iostream>
#include <sstream>

#include "app/aws_services.h"
#include "app/metrics_out.h"
#include "app/run.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "core/version.h"
#include "report/report.h"
#include "spec/filter.h"

namespace s3snapshot::cli {

namespace {

int UsageError(const std::string& message) {
  std::cerr << "s3snapshot: error: " << message << "\n"
            << "Try 's3snapshot --help' for more information.\n";
  return 2;
}

int InputError(const std::string& message) {
  std::cerr << "s3snapshot: error: " << message << "\nNothing was changed.\n";
  return 2;
}

// ValidateSpec names a setting by its document key ("\"sns-arn\": ...");
// the user may have given it as a flag, or in a --filter document. The
// message names what they typed: "--sns-arn: ..." or "--filter f.json:
// \"sns-arn\": ...".
std::string NameTheSource(const std::string& message, const spec::SettingValues& flags,
                          const std::string& filter_source) {
  if (message.empty() || message[0] != '"') return message;
  const size_t close = message.find('"', 1);
  if (close == std::string::npos) return message;
  const std::string key = message.substr(1, close - 1);
  const spec::Setting* s = spec::FindSetting(key);
  if (s != nullptr && flags.count(key) && !s->flags.empty()) {
    size_t end = close + 1;
    if (end < message.size() && message[end] == '[') end = message.find(']', end) + 1;  // "[0]": the flag's nth use
    return std::string(s->flags.back()) + message.substr(end);
  }
  return filter_source.empty() ? message : filter_source + ": " + message;
}

// Why `other` is refused for `command`, in the words of its own command.
std::string NotAnOptionOf(spec::JobSpec::Command command, const spec::Setting& other) {
  using Command = spec::JobSpec::Command;
  if (command == Command::kAudit) return "is not an option of 's3snapshot audit' (an audit changes nothing)";
  if (command == Command::kRestore) return "is not an option of 's3snapshot restore' (see s3snapshot restore --help)";
  if (command == Command::kDrill) return "is not an option of 's3snapshot drill' (see s3snapshot drill --help)";
  if (other.commands & spec::kRestoreCommand) return "is an option of 's3snapshot restore'";
  if (other.commands & spec::kDrillCommand) return "is an option of 's3snapshot drill'";
  return "is an option of 's3snapshot audit'";
}

// --filter's document (JSON, @FILE or - for stdin) applied to `spec`; 0, or
// the exit status of the error it printed. `*source` names where it came from.
int ApplyFilterDocument(const std::string& arg, spec::JobSpec::Command command, const core::Env& env, std::istream& in,
                        spec::JobSpec* spec, std::string* source) {  // never for a restore: it has no --filter
  std::string text = arg;
  *source = "--filter";
  if (arg == "-") {
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    *source = "--filter (stdin)";
  } else if (!arg.empty() && arg[0] == '@') {
    std::string path = arg.substr(1);
    auto content = env.ReadFile(path);
    if (!content) return InputError("--filter: cannot read the file '" + path + "': " + env.WhyUnreadable(path));
    text = *content;
    *source = "--filter " + path;
  }
  auto doc = spec::ParseFilterDocument(text, *source);
  if (!doc.ok()) return InputError(doc.error().message);
  spec::ApplySettings(*doc, spec);
  if (command == spec::JobSpec::Command::kAudit) spec->audit = true;
  if (command == spec::JobSpec::Command::kDrill) spec->drill = true;
  if (const spec::Setting* other = spec::SettingOfOtherCommand(*doc, spec->command())) {
    return InputError(*source + ": \"" + other->name + "\" " + spec::NotInDocumentOf(spec->command(), *other));
  }
  return 0;
}

}  // namespace

int RunCli(const std::vector<std::string>& argv, const core::Env& env, std::istream& in, std::ostream& out) {
  // The command comes first: `s3snapshot audit|restore [OPTIONS]`; none is a
  // snapshot run.
  std::vector<std::string> args = argv;
  using Command = spec::JobSpec::Command;
  Command command = Command::kSnapshot;
  if (!args.empty() && (args[0] == "audit" || args[0] == "restore" || args[0] == "drill")) {
    command = args[0] == "audit" ? Command::kAudit : args[0] == "drill" ? Command::kDrill : Command::kRestore;
    args.erase(args.begin());
  }
  auto parsed = ParseArgs(args);
  if (!parsed.ok()) return UsageError(parsed.error().message);
  const spec::SettingValues& flags = *parsed;
  auto text_of = [&](const char* name, std::string fallback = "") {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : std::get<std::string>(it->second);
  };
  if (flags.count("help")) {
    out << UsageText(command);
    return 0;
  }
  if (flags.count("version")) {
    out << "s3snapshot " << S3SNAPSHOT_VERSION << "\n";
    return 0;
  }

  // The document first, then the flags: a flag wins over the same key.
  spec::JobSpec spec;
  std::string filter_source_text;  // where the document came from, when one was given
  if (command == Command::kRestore) spec.restore = true;
  if (flags.count("filter") && command == Command::kRestore) {
    return UsageError("--filter is not an option of 's3snapshot restore' (it restores one instance's set: --instance)");
  }
  if (flags.count("filter")) {
    if (int status = ApplyFilterDocument(text_of("filter"), command, env, in, &spec, &filter_source_text)) {
      return status;
    }
  }
  if (command == Command::kAudit) spec.audit = true;
  if (command == Command::kDrill) spec.drill = true;
  if (const spec::Setting* other = spec::SettingOfOtherCommand(flags, spec.command())) {
    return UsageError(std::string(other->flags.back()) + " " + NotAnOptionOf(spec.command(), *other));
  }
  spec::ApplySettings(flags, &spec);
  auto valid = spec::ValidateSpec(spec);
  if (!valid.ok()) return InputError(NameTheSource(valid.error().message, flags, filter_source_text));
  for (const auto& w : spec::SpecWarnings(spec)) std::cerr << "s3snapshot: warning: " << w << "\n";
  if (auto url = text_of("endpoint-url");
      !url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return UsageError("--endpoint-url: '" + url + "' is not an http:// or https:// URL");
  }

  app::MetricsOptions metrics;
  metrics.file = text_of("metrics-file");
  metrics.cloudwatch = flags.count("cloudwatch-metrics") > 0;
  if (!metrics.file.empty()) {
    size_t slash = metrics.file.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : metrics.file.substr(0, slash);
    if (metrics.file.back() == '/' || access(dir.c_str(), W_OK) != 0) {
      return InputError("--metrics-file: '" + metrics.file + "': the directory '" + dir +
                        "' does not exist or is not writable");
    }
  }

  core::StreamLogger logger(spec.verbose ? core::LogLevel::kDebug : core::LogLevel::kInfo,
                            core::StreamLogger::Format::kText);
  app::RuntimeOptions ro;
  // One region is the home region; with a list, the first is (STS, region
  // listing) and the run fans out over all of them.
  if (spec.regions.size() == 1 && spec.regions[0] != "all") {
    ro.region = spec.regions[0];
    spec.regions.clear();
  } else if (!spec.regions.empty() && spec.regions[0] != "all") {
    ro.region = spec.regions[0];
  }
  ro.profile = text_of("profile");
  ro.endpoint_url = text_of("endpoint-url");
  ro.connect_timeout_seconds = static_cast<int>(spec.connect_timeout.count());
  ro.read_timeout_seconds = static_cast<int>(spec.read_timeout.count());
  const bool json_output = text_of("output", "text") == "json";
  auto runtime = app::AwsServices::Create(env, ro, &logger);
  if (!runtime.ok()) return InputError(runtime.error().message);
  if (auto regions = spec::ValidateScopeRegions(spec, (*runtime)->home_region()); !regions.ok()) {
    return InputError(NameTheSource(regions.error().message, flags, filter_source_text));
  }
  auto creds = (*runtime)->CheckCredentials();
  if (!creds.ok()) return InputError("credentials: " + creds.error().ToString());

  job::CancelToken cancel;
  job::InstallSignalHandlers(&cancel);
  auto progress = MakeProgress(stderr);
  report::Report report = app::RunAllScopes(spec, **runtime, logger, &cancel, progress.get());
  // A signal that came after the job's own last look (while notifying) still
  // makes this a cancelled run: it says so and exits 1.
  report::Envelope& envelope = report::EnvelopeOf(report);
  if (!envelope.cancelled && cancel.ShouldStop((*runtime)->clock())) {
    envelope.cancelled = true;
    envelope.cancel_reason = cancel.reason();
  }
  app::PublishMetrics(metrics, **runtime, logger, &report);
  envelope.reporting_api_calls = (*runtime)->ApiCalls() - envelope.api_calls;
  if (json_output) {
    report::WriteReportJson(report, out);
    out << "\n";
  } else {
    report::WriteReportText(report, out);
  }
  out.flush();
  for (const auto& line : report::FailureSummary(report)) std::cerr << "s3snapshot: error: " << line << "\n";
  return app::ExitCodeFor(report);
}

}  // namespace s3snapshot::cli
