// SNS notifications at the end of a run: the summary to --sns-arn, the
// failures to --sns-arn-error. Each topic is published in its own region.
#ifndef S3SNAPSHOT_JOB_NOTIFIER_H_
#define S3SNAPSHOT_JOB_NOTIFIER_H_

#include <functional>
#include <memory>
#include <string>

#include "aws/sns_client.h"
#include "report/report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

// Makes an SNS client for a region.
using SnsFactory = std::function<std::unique_ptr<aws::SnsApi>(const std::string& region)>;

// Publishes; publishing failures are added to report->run_errors (a lost
// notification is a failure of the run: exit code 1).
void Notify(const spec::JobSpec& spec, const SnsFactory& factory, report::Report* report);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_NOTIFIER_H_
