// One Lambda invocation: the seed's payload in, the run's report out.
#ifndef S3SNAPSHOT_LAMBDA_HANDLER_H_
#define S3SNAPSHOT_LAMBDA_HANDLER_H_

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "app/aws_services.h"
#include "job/cancel.h"
#include "lambda/runtime.h"
#include "report/report.h"

namespace s3snapshot::lambda {

// Lambda refuses an invocation response over 6 MB (6,291,456 bytes); a larger
// report keeps only the instances that failed (with "instances_omitted").
inline constexpr size_t kMaxResponseBytes = 6000000;

// function_error is true only for a payload we cannot act on.
using HandlerOutcome = InvocationResult;

// Validates the payload exactly as the CLI validates --filter. A run with
// failed instances is NOT a function error: it returns the report (with
// "ok": false) and publishes to sns-arn-error, because a function error would
// make Lambda's asynchronous retries run the whole job again and duplicate
// snapshots. Only an invalid payload (nothing done) is a function error.
// The report as the invocation's response: all of it when it fits in
// `max_bytes`, else only the failed instances (`*cut` set).
std::string ResponseBody(const report::Report& report, size_t max_bytes, bool* cut);

// An EventBridge event (job/events.h) is handled with `event_settings` (the
// function's S3SNAPSHOT_EVENT_SETTINGS); an event of another kind is logged
// and ignored (no error); a malformed one of these kinds is InvalidPayload.
// After a run (snapshot or audit), its metrics go to `emf` as CloudWatch
// Embedded Metric Format lines (job/metrics.h), with the account of
// `function_arn` (the invoked function's ARN) as the Account dimension.
// The function's SNS topics (S3SNAPSHOT_SNS_ARN, S3SNAPSHOT_SNS_ARN_ERROR: the
// SAM template wires the topics it creates there): a payload without
// "sns-arn" / "sns-arn-error" notifies these.
struct TopicDefaults {
  std::string sns_arn, sns_arn_error;
};
// Reads and checks them from the environment (an init error when malformed).
core::Result<TopicDefaults> TopicDefaultsFrom(const core::Env& env);

HandlerOutcome HandleInvocation(const std::string& payload, app::AwsServices& services, core::Logger& logger,
                                job::CancelToken* cancel, const spec::JobSpec& event_settings = {},
                                const std::string& function_arn = "", std::ostream* emf = nullptr,
                                const TopicDefaults& topics = {});

}  // namespace s3snapshot::lambda

#endif  // S3SNAPSHOT_LAMBDA_HANDLER_H_
