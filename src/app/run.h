// One run from a validated JobSpec: the job, then the notifications. Shared
// by the CLI and the Lambda handler so both behave the same.
#ifndef S3SNAPSHOT_APP_RUN_H_
#define S3SNAPSHOT_APP_RUN_H_

#include "app/aws_runtime.h"
#include "job/cancel.h"
#include "job/job_spec.h"
#include "job/progress.h"
#include "job/report.h"

namespace s3snapshot::app {

job::Report ExecuteJob(const job::JobSpec& spec, AwsRuntime& runtime, core::Logger& logger,
                       job::CancelToken* cancel, job::ProgressSink* progress = nullptr);

// 0 all done, 1 some instance (or a notification) failed.
int ExitCodeFor(const job::Report& report);

}  // namespace s3snapshot::app

#endif  // S3SNAPSHOT_APP_RUN_H_
