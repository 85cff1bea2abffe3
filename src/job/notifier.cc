#include "job/notifier.h"

namespace s3snapshot::job {

namespace {

void PublishTo(const std::string& arn, bool errors_only, const SnsFactory& factory, Report* report) {
  aws::Arn parsed;
  if (!aws::ParseArn(arn, &parsed)) return;  // validated earlier
  auto sns = factory(parsed.region);
  std::string subject = ReportSubject(*report, errors_only);
  std::string body = ReportMessage(*report, errors_only);
  auto r = sns->Publish(arn, subject, body);
  if (!r.ok()) {
    report->run_errors.push_back(FailureFrom("notify", r.error().WithContext("publishing to " + arn)));
  }
}

}  // namespace

void Notify(const JobSpec& spec, const SnsFactory& factory, Report* report) {
  if (spec.dry_run) return;
  bool failed = !report->ok();
  if (!spec.sns_arn.empty()) PublishTo(spec.sns_arn, false, factory, report);
  if (!spec.sns_arn_error.empty() && (failed || !report->ok())) {
    PublishTo(spec.sns_arn_error, true, factory, report);
  }
}

}  // namespace s3snapshot::job
