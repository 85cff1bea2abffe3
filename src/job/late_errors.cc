#include "job/late_errors.h"

#include "core/chunks.h"
#include "job/tags.h"

namespace s3snapshot::job {

using report::Failure;
using report::FailureRecord;
using report::InstanceReport;
using report::Step;

LateErrors FindAndMarkLateErrors(const JobContext& ctx, const std::vector<std::string>& volume_ids,
                                 const std::set<std::string>& exclude) {
  LateErrors out;
  std::vector<std::string> reported;
  // Filtered by state and volume only: snapshots in 'error' are few, and
  // the tool's are told apart by their tag here (a tag filter costs the
  // service more than a few extra items).
  auto found = aws::DescribeOwnSnapshots(*ctx.ec2, {{"status", {"error"}}}, "volume-id", volume_ids);
  if (!found.ok()) {
    out.warnings.push_back("looking for snapshots that ended in 'error' since earlier runs failed: " +
                           found.error().ToString());
    return out;
  }
  {
    for (const auto& s : *found) {
      if (s.state != "error" || s.TagValue(kTagScripted) != kTagScriptedValue || exclude.count(s.snapshot_id) ||
          s.TagValue(kTagRunId) == ctx.run_id || !s.TagValue(kTagErrorReported).empty()) {
        continue;
      }
      std::string device = s.TagValue(kTagDevice);
      out.failures.push_back(
          {s.TagValue(kTagInstanceId),
           Failure(Step::kEarlierSnapshot, "SnapshotError",
                   s.snapshot_id + " (" + s.volume_id + (device.empty() ? "" : " " + device) + ", run " +
                       s.TagValue(kTagRunId) + ", begun " + s.start_time + ") ended in state 'error'" +
                       (s.state_message.empty() ? "" : ": " + s.state_message))});
      reported.push_back(s.snapshot_id);
    }
  }
  for (const auto& chunk : core::Chunks(reported, 1000)) {
    auto st = ctx.ec2->CreateTags(chunk, {{kTagErrorReported, ctx.run_id}});
    if (!st.ok()) {
      out.warnings.push_back("marking snapshots in 'error' as reported failed (the next run reports them again): " +
                             st.error().ToString());
    }
  }
  return out;
}

namespace {

void Report(const JobContext& ctx, const LateErrors& late, Ledger& ledger, std::vector<FailureRecord>* run_errors) {
  for (const auto& entry : late.failures) {
    const std::string& instance = entry.first;
    const FailureRecord& failure = entry.second;  // named: the lambda captures it (clang 14)
    ctx.Log(core::LogLevel::kError, "an earlier snapshot ended in 'error'",
            {{"instance", instance}, {"error", failure.message}});
    if (!ledger.Update(instance, [&](InstanceReport& r) { r.errors.push_back(failure); })) {
      run_errors->push_back(failure);
    }
  }
  for (const auto& w : late.warnings) ctx.Log(core::LogLevel::kWarn, w);
}

}  // namespace

void ReportLateErrorsInto(const JobContext& ctx, Ledger& ledger, const std::vector<std::string>& volume_ids,
                          const std::set<std::string>& exclude, std::vector<FailureRecord>* run_errors) {
  Report(ctx, FindAndMarkLateErrors(ctx, volume_ids, exclude), ledger, run_errors);
}

void LateErrorLookup::Start(const JobContext& ctx, std::vector<std::string> volume_ids) {
  ctx_ = ctx;
  result_.Start([this, volumes = std::move(volume_ids)] {
    try {
      return FindAndMarkLateErrors(ctx_, volumes, {});
    } catch (...) {
      LateErrors failed;
      failed.warnings.push_back("looking for snapshots that ended in 'error' since earlier runs failed: " +
                                core::WhatOf(std::current_exception()));
      return failed;
    }
  });
}

void LateErrorLookup::ReportInto(Ledger& ledger, std::vector<FailureRecord>* run_errors) {
  if (!result_.pending()) return;
  Report(ctx_, result_.Get(), ledger, run_errors);
}

}  // namespace s3snapshot::job
