// Selection: which instances a run acts on, found server-side with EC2
// filters and pagination (never by listing the whole account).
#ifndef S3SNAPSHOT_JOB_PLAN_H_
#define S3SNAPSHOT_JOB_PLAN_H_

#include <string>
#include <vector>

#include "aws/ec2_client.h"
#include "job/job_spec.h"

namespace s3snapshot::job {

struct Selection {
  std::vector<aws::Instance> instances;
  // Requested ids that did not come back: missing, terminated, or (with tags)
  // not matching. `missing_is_error` says whether they count as failures.
  std::vector<std::string> unmatched_ids;
  bool missing_is_error = false;
};

// The DescribeInstances requests for `spec`: instance ids (as an instance-id
// filter, in chunks of 200, so a missing id does not fail the call), tag
// filters, and a state filter that leaves out terminated instances.
std::vector<aws::DescribeInstancesRequest> SelectionRequests(const JobSpec& spec);

core::Result<Selection> SelectInstances(aws::Ec2Api& ec2, const JobSpec& spec);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_PLAN_H_
