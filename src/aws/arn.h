// Amazon Resource Names: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
// as the topics, roles and functions the tool is given are named.
#ifndef S3SNAPSHOT_AWS_ARN_H_
#define S3SNAPSHOT_AWS_ARN_H_

#include <string>

namespace s3snapshot::aws {

struct Arn {
  std::string partition, service, region, account, resource;
};

// False when `s` is not an ARN of that shape.
bool ParseArn(const std::string& s, Arn* out);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_ARN_H_
