#include "cli/app.h"

#include <iostream>
#include <sstream>

#include "app/aws_runtime.h"
#include "app/run.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "core/version.h"
#include "job/filter.h"
#include "job/report.h"

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

}  // namespace

int RunCli(const std::vector<std::string>& args, const core::Env& env, std::istream& in,
           std::ostream& out) {
  auto parsed = ParseArgs(args);
  if (!parsed.ok()) return UsageError(parsed.error().message);
  const CliOptions& o = *parsed;
  if (o.help) {
    out << UsageText();
    return 0;
  }
  if (o.version) {
    out << "s3snapshot " << S3SNAPSHOT_VERSION << "\n";
    return 0;
  }

  job::JobSpec spec;
  spec.label = o.label;
  spec.stop = o.stop;
  spec.stopped = o.stopped;
  spec.verbose = o.verbose;
  spec.protect = o.protect;
  spec.sns_arn = o.sns_arn;
  spec.sns_arn_error = o.sns_arn_error;
  spec.all = o.all;
  spec.dry_run = o.dry_run;
  spec.stop_timeout = std::chrono::seconds(o.stop_timeout_seconds);
  spec.concurrency = o.concurrency;
  spec.keep = o.keep;
  spec.keep_days = o.keep_days;
  spec.prune_orphans = o.prune_orphans;
  spec.wait = o.wait;
  spec.regions = o.regions;
  spec.assume_roles = o.assume_roles;
  spec.external_id = o.external_id;
  spec.copy_to_regions = o.copy_to_regions;
  spec.kms_key_id = o.kms_key_id;
  spec.wait_timeout = std::chrono::seconds(o.wait_timeout_seconds);
  if (o.filter_given) {
    std::string text = o.filter, source = "--filter";
    if (o.filter == "-") {
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      source = "--filter (stdin)";
    } else if (!o.filter.empty() && o.filter[0] == '@') {
      std::string path = o.filter.substr(1);
      auto content = env.ReadFile(path);
      if (!content) return InputError("--filter: cannot read the file '" + path + "'");
      text = *content;
      source = "--filter " + path;
    }
    auto doc = job::ParseFilterDocument(text, source);
    if (!doc.ok()) return InputError(doc.error().message);
    job::ApplyDocument(*doc, o.flags_given, &spec);
  }
  auto valid = job::ValidateSpec(spec);
  if (!valid.ok()) return InputError(valid.error().message);

  core::StreamLogger logger(spec.verbose ? core::LogLevel::kDebug : core::LogLevel::kInfo,
                            core::StreamLogger::Format::kText);
  app::RuntimeOptions ro;
  ro.region = o.region;
  // With a list of regions, the first is the "home" one (STS, region listing).
  if (ro.region.empty() && !spec.regions.empty() && spec.regions[0] != "all") ro.region = spec.regions[0];
  ro.profile = o.profile;
  ro.endpoint_url = o.endpoint_url;
  ro.connect_timeout_seconds = o.connect_timeout_seconds;
  ro.read_timeout_seconds = o.read_timeout_seconds;
  auto runtime = app::AwsRuntime::Create(env, ro, &logger);
  if (!runtime.ok()) return InputError(runtime.error().message);
  auto creds = (*runtime)->CheckCredentials();
  if (!creds.ok()) return InputError("credentials: " + creds.error().ToString());

  job::CancelToken cancel;
  job::InstallSignalHandlers(&cancel);
  auto progress = MakeProgress(stderr);
  job::Report report = app::ExecuteJob(spec, **runtime, logger, &cancel, progress.get());
  // A signal that came after the job's own last look (while notifying) still
  // makes this a cancelled run: it says so and exits 1.
  if (!report.cancelled && cancel.ShouldStop((*runtime)->clock())) {
    report.cancelled = true;
    report.cancel_reason = cancel.reason();
  }
  if (o.output == "json") {
    job::WriteReportJson(report, out);
    out << "\n";
  } else {
    job::WriteReportText(report, out);
  }
  out.flush();
  for (const auto& line : job::FailureSummary(report)) std::cerr << "s3snapshot: error: " << line << "\n";
  return app::ExitCodeFor(report);
}

}  // namespace s3snapshot::cli
