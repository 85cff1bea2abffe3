#include "job/select.h"

#include <algorithm>
#include <set>

#include "core/chunks.h"
#include "job/retry_policy.h"
#include "report/report.h"

namespace s3snapshot::job {

using report::Failure;
using report::Step;

std::vector<aws::DescribeInstancesRequest> SelectionRequests(const spec::JobSpec& spec) {
  std::vector<aws::Filter> common;
  for (const auto& [key, values] : spec.tags) common.push_back({key, values});
  common.push_back({"instance-state-name", {"pending", "running", "stopping", "stopped"}});
  std::vector<aws::DescribeInstancesRequest> out;
  if (spec.instance_ids.empty()) {
    aws::DescribeInstancesRequest r;
    r.filters = common;
    r.max_results = 1000;
    out.push_back(r);
    return out;
  }
  for (const auto& chunk : core::Chunks(spec.instance_ids, aws::kMaxFilterValues)) {
    aws::DescribeInstancesRequest r;
    r.filters = common;
    r.filters.insert(r.filters.begin(), aws::Filter{"instance-id", chunk});
    r.max_results = 1000;
    out.push_back(r);
  }
  return out;
}

core::Result<Selection> SelectInstances(aws::Ec2Api& ec2, const spec::JobSpec& spec) {
  Selection sel;
  std::set<std::string> seen;
  for (const auto& req : SelectionRequests(spec)) {
    auto all = aws::DescribeAllInstances(ec2, req);
    if (!all.ok()) return all.error().WithContext("selecting instances");
    for (auto& i : *all) {
      if (seen.insert(i.instance_id).second) sel.instances.push_back(std::move(i));
    }
  }
  std::sort(sel.instances.begin(), sel.instances.end(),
            [](const aws::Instance& a, const aws::Instance& b) { return a.instance_id < b.instance_id; });
  std::set<std::string> asked;
  std::vector<std::string> unmatched;
  for (const auto& id : spec.instance_ids) {
    if (!seen.count(id) && asked.insert(id).second) unmatched.push_back(id);
  }
  if (unmatched.empty()) return sel;
  if (spec.tags.empty()) {
    sel.not_found = unmatched;
    return sel;
  }
  // With tags, a requested id may exist and simply not match them (filtered
  // out, as asked), or not exist at all (a typo: an error). One more look by id.
  spec::JobSpec by_id;
  by_id.instance_ids = unmatched;
  std::set<std::string> exists;
  for (const auto& req : SelectionRequests(by_id)) {
    auto all = aws::DescribeAllInstances(ec2, req);
    if (!all.ok()) return all.error().WithContext("looking up unmatched instance ids");
    for (const auto& i : *all) exists.insert(i.instance_id);
  }
  for (const auto& id : unmatched) {
    (exists.count(id) ? sel.not_matching_tags : sel.not_found).push_back(id);
  }
  return sel;
}

core::Result<Selection> SelectWithRetries(const JobContext& ctx, const spec::JobSpec& spec) {
  // Selection only reads: a burst of server errors or broken connections
  // that outlasts the client's own attempts is worth a few more rounds
  // (retry_policy.h says when).
  auto sel = SelectInstances(*ctx.ec2, spec);
  for (int round = 1; !sel.ok() && round < kSelectionRounds && IsSelectionRetryable(sel.error()) && !ctx.Cancelled();
       ++round) {
    ctx.Log(core::LogLevel::kWarn, "selecting instances failed; trying again", {{"error", sel.error().ToString()}});
    if (!SleepUnlessCancelled(*ctx.clock, ctx.cancel, ctx.Backoff(round))) break;
    sel = SelectInstances(*ctx.ec2, spec);
  }
  if (!sel.ok()) {
    ctx.Log(core::LogLevel::kError, "selecting instances failed: nothing was done in " + ctx.ec2->region(),
            {{"error", sel.error().ToString()}});
    return sel;
  }
  for (const auto& id : sel->not_found) {
    ctx.Log(core::LogLevel::kError, "instance not found (or terminated)", {{"instance", id}});
  }
  for (const auto& id : sel->not_matching_tags) {
    ctx.Log(core::LogLevel::kInfo, "instance does not match the tags; skipped", {{"instance", id}});
  }
  return sel;
}

std::string DescribeSelection(const spec::JobSpec& spec) {
  std::string out;
  if (!spec.instance_ids.empty()) {
    out += "instances";
    size_t n = 0;
    for (const auto& id : spec.instance_ids) {
      if (++n > 5) {
        out += " (+" + std::to_string(spec.instance_ids.size() - 5) + " more)";
        break;
      }
      out += (n == 1 ? " " : ", ") + id;
    }
  }
  if (!spec.tags.empty()) {
    out += std::string(out.empty() ? "" : " and ") + "tags";
    bool first = true;
    for (const auto& [key, values] : spec.tags) {
      std::string joined;
      for (const auto& v : values) joined += (joined.empty() ? "" : "|") + v;
      out += (first ? " " : ", ") + key + "=" + joined;
      first = false;
    }
  }
  return out.empty() ? "every instance (--all)" : out;
}

void RequireSomethingSelected(const spec::JobSpec& spec, const std::vector<std::string>& scopes,
                              report::Report* merged) {
  report::Envelope* report = &report::EnvelopeOf(*merged);
  if (spec.allow_empty || report->selection_failed || !report->not_found.empty()) return;
  if (report::RowCount(*merged) > 0) return;
  // A drill that selected instances and drilled none (its check instance
  // is not running) says why itself: its selection did match.
  if (const auto* drill = std::get_if<report::DrillReport>(merged); drill != nullptr && drill->selected > 0) return;
  for (const auto& e : report->run_errors) {
    if (e.step == Step::kSelect) return;  // it failed, and says why
  }
  std::string where;
  for (const auto& s : scopes) where += (where.empty() ? "" : ", ") + s;
  report->run_errors.push_back(
      Failure(Step::kSelect, "NothingSelected",
              "the selection (" + DescribeSelection(spec) + ") matched no instance in " + where +
                  (report->not_matching_tags.empty() ? "" : " (the ids given do not match the tags)") +
                  "; check the filter for a typo, or give --allow-empty (\"allow-empty\": true) if an empty fleet is "
                  "expected"));
}

}  // namespace s3snapshot::job
