// One run from a validated JobSpec: the job, then the notifications. Shared
// by the CLI and the Lambda handler so both behave the same.
#ifndef S3SNAPSHOT_APP_RUN_H_
#define S3SNAPSHOT_APP_RUN_H_

#include "app/services.h"
#include "core/log.h"
#include "job/cancel.h"
#include "job/events.h"
#include "job/progress.h"
#include "report/report.h"
#include "spec/job_spec.h"

namespace s3snapshot::app {

// Runs the job -- a snapshot run, or an audit when spec.audit (job/audit.h) --
// in every scope (account x region: the roles to assume times
// the regions, "all" listed from the home region), up to
// spec.scope_concurrency at a time, merges their reports into one (instances
// labelled with their scope when there are several), then notifies: the
// summary to sns-arn, the failures to sns-arn-error, with the notify errors
// counted in the report. One run id for every scope.
report::Report RunAllScopes(const spec::JobSpec& spec, Services& services, core::Logger& logger,
                            job::CancelToken* cancel, job::ProgressSink* progress = nullptr);

// A completion event (job/events.h), in the event's region, with the
// function's configured settings; then the error notification.
report::Report HandleEvent(const job::SnapshotEvent& event, const spec::JobSpec& settings, Services& services,
                           core::Logger& logger, job::CancelToken* cancel);

// 0 all done, 1 some instance (or a notification) failed.
int ExitCodeFor(const report::Report& report);

}  // namespace s3snapshot::app

#endif  // S3SNAPSHOT_APP_RUN_H_
