#include "app/run.h"

#include <algorithm>

#include "aws/arn.h"
#include "aws/endpoints.h"
#include "aws/sns_client.h"
#include "core/worker_pool.h"
#include "job/audit.h"
#include "job/drill.h"
#include "job/notifier.h"
#include "job/restore.h"
#include "job/select.h"
#include "job/snapshot_job.h"

namespace s3snapshot::app {

namespace {

struct Scope {
  std::string role_arn, account, region;
  std::string Label() const { return account.empty() ? region : account + "/" + region; }
};

std::string AccountOf(const std::string& role_arn) {
  aws::Arn a;
  return aws::ParseArn(role_arn, &a) ? a.account : "";
}

// One scope's clients and context (its role's EC2 and, with scripts, SSM),
// and its run or audit.
report::Report RunScope(const spec::JobSpec& spec, const Scope& s, Services& services, core::Logger& logger,
                        job::CancelToken* cancel, job::ProgressSink* progress, const std::string& run_id) {
  auto ec2 = services.Ec2For(s.role_arn, spec.external_id, s.region);
  std::unique_ptr<aws::SsmApi> ssm;
  const bool needs_ssm = spec.drill ? !spec.check_command.empty() : spec.HasScripts() && !spec.audit;
  if (needs_ssm) ssm = services.SsmFor(s.role_arn, spec.external_id, s.region);
  job::JobContext ctx;
  ctx.ec2 = ec2.get();
  ctx.ssm = ssm.get();
  ctx.clock = &services.run_clock();
  ctx.logger = &logger;
  ctx.cancel = cancel;
  ctx.run_id = run_id;
  ctx.progress = progress;
  ctx.ec2_for_region = [&services, &spec, s](const std::string& region) {
    return services.Ec2For(s.role_arn, spec.external_id, region);
  };
  if (spec.restore) return job::RunRestore(spec, ctx);
  if (spec.drill) return job::RunDrill(spec, ctx);
  if (spec.audit) return job::RunAudit(spec, ctx);
  return job::RunSnapshotJob(spec, ctx);
}

// The command's report with nothing in it yet (a scope that could not run).
report::Report EmptyReportFor(const spec::JobSpec& spec) {
  if (spec.restore) return report::RestoreReport{};
  if (spec.drill) return report::DrillReport{};
  if (spec.audit) return report::AuditReport{};
  return report::SnapshotReport{};
}

// The snapshot workers of the scopes running at once, together: 64 scopes
// keep their 8 each, 256 get 2 each.
constexpr int kScopeWorkerBudget = 512;

// --org: the accounts of the organization (or under --ou), less
// --exclude-account; the caller's own with its own credentials, every other
// through --role-name. Nothing selected is no error here: the run says so.
core::Result<std::vector<Scope>> OrgAccounts(const spec::JobSpec& spec, Services& services) {
  auto caller = services.CallerAccount();
  if (!caller.ok()) return caller.error().WithContext("finding the caller's account");
  auto org = services.Organizations();
  auto found = spec.ous.empty() ? aws::ActiveAccounts(*org) : aws::ActiveAccountsUnder(*org, spec.ous);
  if (!found.ok()) return found.error();
  const std::string partition = aws::PartitionOf(services.home_region());
  std::vector<Scope> out;
  for (const auto& a : *found) {
    if (std::find(spec.exclude_accounts.begin(), spec.exclude_accounts.end(), a.id) != spec.exclude_accounts.end()) {
      continue;
    }
    const std::string role = a.id == *caller ? "" : "arn:" + partition + ":iam::" + a.id + ":role/" + spec.role_name;
    out.push_back({role, a.id, ""});
  }
  if (out.empty()) {
    return core::Error::Make(core::ErrorKind::kInvalidInput,
                             "--org: no ACTIVE account " +
                                 std::string(spec.ous.empty() ? "in the organization" : "under the OUs given") +
                                 " is left to visit",
                             "NoAccounts");
  }
  return out;
}

}  // namespace

report::Report RunAllScopes(const spec::JobSpec& spec, Services& services, core::Logger& logger,
                            job::CancelToken* cancel, job::ProgressSink* progress) {
  report::Report failed_setup = EmptyReportFor(spec);
  report::Envelope& failed = report::EnvelopeOf(failed_setup);
  std::vector<std::string> regions = spec.regions;
  if (regions.empty()) regions = {services.home_region()};
  if (regions.size() == 1 && regions[0] == "all") {
    auto ec2 = services.Ec2For("", "", services.home_region());
    auto all = ec2->DescribeRegions();
    if (!all.ok()) {
      failed.region = services.home_region();
      failed.run_errors.push_back(
          report::FailureFrom(report::Step::kSelect, all.error().WithContext("listing the enabled regions")));
      return failed_setup;
    }
    // Credentials work in one partition only (aws, aws-cn, aws-us-gov): keep
    // the home region's, whatever the endpoint lists.
    regions.clear();
    for (const auto& r : *all) {
      if (aws::PartitionOf(r) == aws::PartitionOf(services.home_region())) regions.push_back(r);
    }
    std::sort(regions.begin(), regions.end());
  }
  std::vector<Scope> visited;  // role and account of each; the caller's own: no role
  if (spec.org) {
    auto org = OrgAccounts(spec, services);
    if (!org.ok()) {
      failed.region = services.home_region();
      failed.run_errors.push_back(report::FailureFrom(report::Step::kSelect, org.error()));
      return failed_setup;
    }
    visited = std::move(*org);
  } else {
    for (const auto& role : spec.assume_roles) visited.push_back({role, AccountOf(role), ""});
    if (visited.empty()) visited.push_back({"", "", ""});
  }
  std::vector<Scope> scopes;
  for (const auto& a : visited) {
    for (const auto& region : regions) scopes.push_back({a.role_arn, a.account, region});
  }
  const std::string run_id = job::NewRunId(services.run_clock());
  std::vector<report::Report> parts(scopes.size(), EmptyReportFor(spec));
  {
    // Scopes in parallel (--scope-concurrency), each a run of its own; no
    // exception leaves a scope's task (a job never throws; a throw while
    // making its clients is that scope's run error).
    const size_t threads = std::min<size_t>(scopes.size(), static_cast<size_t>(std::max(1, spec.scope_concurrency)));
    // Threads stay bounded however many scopes run at once (Lambda allows
    // 1,024): the scopes' snapshot workers share kScopeWorkerBudget.
    spec::JobSpec scope_spec = spec;
    if (threads > 1) {
      scope_spec.concurrency = std::max(1, std::min(spec.concurrency, kScopeWorkerBudget / static_cast<int>(threads)));
    }
    core::WorkerPool pool(static_cast<int>(threads));
    for (size_t i = 0; i < scopes.size(); ++i) {
      pool.Submit([&, i] {
        try {
          parts[i] = RunScope(scope_spec, scopes[i], services, logger, cancel, scopes.size() == 1 ? progress : nullptr,
                              run_id);
        } catch (...) {
          report::Envelope& part = report::EnvelopeOf(parts[i]);
          part.region = scopes[i].region;
          part.run_errors.push_back(report::Failure(
              report::Step::kInternal, "InternalError",
              "internal error in the scope " + scopes[i].Label() + ": " + core::WhatOf(std::current_exception())));
        }
        report::EnvelopeOf(parts[i]).account = scopes[i].account;
      });
    }
    pool.Wait();
  }

  report::Report report = EmptyReportFor(spec);
  if (scopes.size() == 1) {
    report = std::move(parts[0]);
  } else {
    std::vector<std::string> labels;
    for (const auto& s : scopes) labels.push_back(s.Label());
    report = report::MergeReports(std::move(parts), labels);
    std::string accounts;
    for (const auto& s : scopes) {
      if (!s.account.empty() && accounts.find(s.account) == std::string::npos) {
        accounts += (accounts.empty() ? "" : ",") + s.account;
      }
    }
    report::EnvelopeOf(report).account = accounts;
  }
  {
    std::vector<std::string> labels;
    for (const auto& s : scopes) labels.push_back(s.Label());
    if (!spec.restore) job::RequireSomethingSelected(spec, labels, &report);  // a restore names its instance
  }
  // The counts go into the SNS message too, then once more after it.
  report::Envelope& envelope = report::EnvelopeOf(report);
  envelope.api_calls = services.ApiCalls();
  envelope.throttled = services.ApiThrottled();
  job::Notify(
      spec, [&services](const std::string& region) { return services.SnsFor(region); }, &report);
  envelope.reporting_api_calls = services.ApiCalls() - envelope.api_calls;
  return report;
}

report::Report HandleEvent(const job::SnapshotEvent& event, const spec::JobSpec& settings, Services& services,
                           core::Logger& logger, job::CancelToken* cancel) {
  auto ec2 = services.Ec2For("", "", event.region);
  job::JobContext ctx;
  ctx.ec2 = ec2.get();
  ctx.clock = &services.run_clock();
  ctx.logger = &logger;
  ctx.cancel = cancel;
  ctx.run_id = job::NewRunId(services.run_clock());
  ctx.ec2_for_region = [&services](const std::string& region) { return services.Ec2For("", "", region); };
  report::Report report = job::HandleSnapshotEvent(event, settings, ctx);
  report::Envelope& envelope = report::EnvelopeOf(report);
  envelope.api_calls = services.ApiCalls();
  envelope.throttled = services.ApiThrottled();
  // Only failures are told: a fleet's burst of completion events must not
  // become a burst of summaries on the sns-arn topic.
  spec::JobSpec notify = settings;
  notify.sns_arn.clear();
  job::Notify(
      notify, [&services](const std::string& region) { return services.SnsFor(region); }, &report);
  envelope.reporting_api_calls = services.ApiCalls() - envelope.api_calls;
  return report;
}

int ExitCodeFor(const report::Report& report) { return report::ReportOk(report) ? 0 : 1; }

}  // namespace s3snapshot::app
