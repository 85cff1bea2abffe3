#include "app/run.h"

#include "job/notifier.h"
#include "job/snapshot_job.h"

namespace s3snapshot::app {

job::Report ExecuteJob(const job::JobSpec& spec, AwsRuntime& runtime, core::Logger& logger,
                       job::CancelToken* cancel, job::ProgressSink* progress) {
  auto ec2 = runtime.Ec2(runtime.region());
  job::JobContext ctx;
  ctx.ec2 = ec2.get();
  ctx.clock = &runtime.clock();
  ctx.logger = &logger;
  ctx.cancel = cancel;
  ctx.progress = progress;
  ctx.api_stats = [&runtime] {
    return std::make_pair(runtime.stats().calls.load(), runtime.stats().throttled.load());
  };
  job::Report report = job::RunSnapshotJob(spec, ctx);
  job::Notify(spec, [&runtime](const std::string& region) { return runtime.Sns(region); }, &report);
  report.api_calls = runtime.stats().calls.load();
  report.throttled = runtime.stats().throttled.load();
  return report;
}

int ExitCodeFor(const job::Report& report) { return report.ok() ? 0 : 1; }

}  // namespace s3snapshot::app
