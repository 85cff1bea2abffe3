// Selection: which instances a run acts on, found server-side with EC2
// filters and pagination (never by listing the whole account).
#ifndef S3SNAPSHOT_JOB_SELECT_H_
#define S3SNAPSHOT_JOB_SELECT_H_

#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "job/job_context.h"
#include "report/report.h"
#include "spec/job_spec.h"

namespace s3snapshot::job {

struct Selection {
  std::vector<aws::Instance> instances;
  // Requested ids that do not exist in the region (or are terminated): errors.
  std::vector<std::string> not_found;
  // Requested ids that exist but do not match the tags: filtered out, as asked.
  std::vector<std::string> not_matching_tags;
};

// The DescribeInstances requests for `spec`: instance ids (as an instance-id
// filter, in chunks of 200, so a missing id does not fail the call), tag
// filters, and a state filter that leaves out terminated instances.
std::vector<aws::DescribeInstancesRequest> SelectionRequests(const spec::JobSpec& spec);

core::Result<Selection> SelectInstances(aws::Ec2Api& ec2, const spec::JobSpec& spec);

// SelectInstances on ctx.ec2 with the job-level rounds retry_policy.h allows
// a read (not after a timeout, not after a signal), logging what it found
// missing or unmatched, and the failure ("nothing was done in REGION").
core::Result<Selection> SelectWithRetries(const JobContext& ctx, const spec::JobSpec& spec);

// A run (or audit) whose selection matched no instance in any of `scopes` is
// a failure unless spec.allow_empty: a run error (step "select", code
// NothingSelected) naming the filter and the scopes searched. A selection
// that failed, or named ids that were not found, already is one.
void RequireSomethingSelected(const spec::JobSpec& spec, const std::vector<std::string>& scopes,
                              report::Report* report);

// The selection in words: "instances i-1, i-2 and tags tag:Env=PRD".
std::string DescribeSelection(const spec::JobSpec& spec);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_SELECT_H_
