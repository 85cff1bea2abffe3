#include "job/notifier.h"

namespace s3snapshot::job {

using report::FailureFrom;
using report::Step;

namespace {

void PublishTo(const std::string& arn, bool errors_only, const SnsFactory& factory, report::Report* report) {
  aws::Arn parsed;
  if (!aws::ParseArn(arn, &parsed)) return;  // validated earlier
  auto sns = factory(parsed.region);
  std::string subject = report::ReportSubject(*report, errors_only);
  std::string body = report::ReportMessage(*report, errors_only);
  auto r = sns->Publish(arn, subject, body);
  if (!r.ok()) {
    report::EnvelopeOf(*report).run_errors.push_back(
        FailureFrom(Step::kNotify, r.error().WithContext("publishing to " + arn)));
  }
}

}  // namespace

void Notify(const spec::JobSpec& spec, const SnsFactory& factory, report::Report* report) {
  if (spec.dry_run) return;
  bool failed = !report::ReportOk(*report);
  if (!spec.sns_arn.empty()) PublishTo(spec.sns_arn, false, factory, report);
  if (!spec.sns_arn_error.empty() && (failed || !report::ReportOk(*report))) {
    PublishTo(spec.sns_arn_error, true, factory, report);
  }
}

}  // namespace s3snapshot::job
