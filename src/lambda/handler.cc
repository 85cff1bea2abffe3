#include "lambda/handler.h"

#include <sstream>

#include "app/metrics_out.h"
#include "app/run.h"
#include "aws/arn.h"
#include "aws/sns_client.h"
#include "lambda/runtime.h"
#include "report/report.h"
#include "spec/filter.h"

namespace s3snapshot::lambda {

std::string ResponseBody(const report::Report& report, size_t max_bytes, bool* cut) {
  std::string body = report::ReportToJson(report, -1);
  *cut = body.size() > max_bytes;
  if (!*cut) return body;
  body.clear();
  body.shrink_to_fit();
  std::ostringstream o;
  report::WriteReportJson(report, o, -1, /*failed_instances_only=*/true);
  return o.str();
}

namespace {

// The figures of the "run finished" log line, each command's own.
core::LogFields FinishedFields(const report::Report& report) {
  core::LogFields f = {{"run_id", report::EnvelopeOf(report).run_id}, {"command", report::CommandName(report)}};
  if (const auto* s = std::get_if<report::SnapshotReport>(&report)) {
    f.push_back({"instances", std::to_string(s->instances.size())});
    f.push_back({"snapshots", std::to_string(s->SnapshotCount())});
    f.push_back({"failed", std::to_string(s->FailedCount())});
  } else if (const auto* a = std::get_if<report::AuditReport>(&report)) {
    f.push_back({"volumes", std::to_string(a->volumes.size())});
    f.push_back({"unprotected", std::to_string(a->UnprotectedCount())});
  }
  return f;
}

}  // namespace

core::Result<TopicDefaults> TopicDefaultsFrom(const core::Env& env) {
  TopicDefaults t;
  for (auto [name, field] : {std::pair<const char*, std::string*>{"S3SNAPSHOT_SNS_ARN", &t.sns_arn},
                             {"S3SNAPSHOT_SNS_ARN_ERROR", &t.sns_arn_error}}) {
    const std::string value = env.Get(name).value_or("");
    if (value.empty()) continue;
    if (auto problem = aws::SnsTopicArnProblem(value); !problem.empty()) {
      return core::Error::Make(core::ErrorKind::kInvalidInput,
                               std::string(name) + ": '" + value + "' is not an SNS topic ARN: " + problem,
                               "InvalidConfig");
    }
    *field = value;
  }
  return t;
}

HandlerOutcome HandleInvocation(const std::string& payload, app::AwsServices& services, core::Logger& logger,
                                job::CancelToken* cancel, const spec::JobSpec& event_settings,
                                const std::string& function_arn, std::ostream* emf, const TopicDefaults& topics) {
  HandlerOutcome out;
  auto fail = [&out](const std::string& type, const std::string& message) {
    out.function_error = true;
    out.error_type = type;
    out.error_message = message;
    out.body = ErrorBody(type, message);
    return out;
  };
  if (job::LooksLikeEvent(payload)) {
    auto event = job::ParseSnapshotEvent(payload);
    if (!event.ok()) return fail("InvalidPayload", event.error().message + "; nothing was changed");
    if (!*event) {
      logger.Info("an event this function does not handle: ignored",
                  {{"payload_bytes", std::to_string(payload.size())}});
      out.body = R"({"ignored":true,"reason":"not an EBS snapshot completion event"})";
      return out;
    }
    auto creds = services.CheckCredentials();
    if (!creds.ok()) return fail("CredentialsError", creds.error().ToString() + "; nothing was changed");
    spec::JobSpec settings = event_settings;
    if (settings.sns_arn_error.empty()) settings.sns_arn_error = topics.sns_arn_error;
    report::Report report = app::HandleEvent(**event, settings, services, logger, cancel);
    bool cut = false;
    out.body = ResponseBody(report, kMaxResponseBytes, &cut);
    for (const auto& line : report::FailureSummary(report)) {
      logger.Error(line, {{"run_id", report::EnvelopeOf(report).run_id}});
    }
    return out;
  }
  auto doc = spec::ParseFilterDocument(payload, "payload");
  if (!doc.ok()) return fail("InvalidPayload", doc.error().message + "; nothing was changed");
  spec::JobSpec spec;
  spec.sns_arn = topics.sns_arn;  // the payload's own win
  spec.sns_arn_error = topics.sns_arn_error;
  spec::ApplySettings(*doc, &spec);
  if (const spec::Setting* other = spec::SettingOfOtherCommand(*doc, spec.command())) {
    return fail("InvalidPayload", std::string("payload: \"") + other->name + "\" " +
                                      spec::NotInDocumentOf(spec.command(), *other) + "; nothing was changed");
  }
  auto valid = spec::ValidateSpec(spec);
  if (!valid.ok()) return fail("InvalidPayload", valid.error().message + "; nothing was changed");
  for (const auto& w : spec::SpecWarnings(spec)) logger.Warn(w);
  if (auto regions = spec::ValidateScopeRegions(spec, services.home_region()); !regions.ok()) {
    return fail("InvalidPayload", regions.error().message + "; nothing was changed");
  }
  auto creds = services.CheckCredentials();
  if (!creds.ok()) return fail("CredentialsError", creds.error().ToString() + "; nothing was changed");
  if (spec.verbose) logger.Info("payload accepted", {{"payload_bytes", std::to_string(payload.size())}});
  report::Report report = app::RunAllScopes(spec, services, logger, cancel);
  const report::Envelope& envelope = report::EnvelopeOf(report);
  if (emf != nullptr && !envelope.dry_run) {  // a plan is no figure to alarm on
    aws::Arn arn;
    std::string account = aws::ParseArn(function_arn, &arn) ? arn.account : "";
    *emf << app::EmfFor(report, account, services) << std::flush;
  }
  bool cut = false;
  out.body = ResponseBody(report, kMaxResponseBytes, &cut);
  if (cut) {
    logger.Warn("the report is over Lambda's response limit; the instances that went well are left out of it",
                {{"run_id", envelope.run_id}});
  }
  for (const auto& line : report::FailureSummary(report)) logger.Error(line, {{"run_id", envelope.run_id}});
  logger.Log(report::ReportOk(report) ? core::LogLevel::kInfo : core::LogLevel::kError, "run finished",
             FinishedFields(report));
  return out;
}

}  // namespace s3snapshot::lambda
