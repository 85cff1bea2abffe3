// Regions, partitions and service endpoints.
//   https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
#ifndef S3SNAPSHOT_AWS_ENDPOINTS_H_
#define S3SNAPSHOT_AWS_ENDPOINTS_H_

#include <string>
#include <vector>

#include "core/config_file.h"
#include "core/env.h"
#include "core/result.h"

namespace s3snapshot::aws {

// "aws", "aws-cn" or "aws-us-gov".
std::string PartitionOf(const std::string& region);
// Shape check: "us-east-1", "cn-north-1", "us-gov-west-1", "eu-central-2"...
bool IsValidRegionName(const std::string& region);
// The regions of the aws, aws-cn and aws-us-gov partitions (botocore's
// endpoints.json), sorted: for shell completion, and the regions a run
// accepts (a typo such as us-eats-1 is refused before anything is sent; a
// region newer than this list needs a newer s3snapshot).
const std::vector<std::string>& KnownRegions();
// Why `region` is refused ("'us-eats-1' is not an AWS region (did you mean
// us-east-1?)..."); empty for a known region.
std::string UnknownRegionProblem(const std::string& region);

// The region in force: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
// `region`. An Error (kInvalidInput) when none is set or the name is malformed.
core::Result<std::string> ResolveRegion(const std::string& cli_region, const core::Env& env,
                                        const core::Profile* profile);

// The endpoint URL for `service` ("ec2", "sns", "sts") in `region`:
// --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
// profile's endpoint_url (the last three skipped when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the partition's default
// https://SERVICE.REGION.amazonaws.com[.cn].
std::string ResolveEndpoint(const std::string& service, const std::string& region, const std::string& cli_endpoint_url,
                            const core::Env& env, const core::Profile* profile);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_ENDPOINTS_H_
