// AWS error codes mapped to an ErrorKind, once, here: retry logic and the job
// look at the kind and never match code strings.
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
#ifndef S3SNAPSHOT_AWS_ERRORS_H_
#define S3SNAPSHOT_AWS_ERRORS_H_

#include <string>

#include "core/result.h"

namespace s3snapshot::aws {

core::ErrorKind KindForAwsError(const std::string& code, int http_status);

// Credentials that the service says have expired: refresh and try again.
bool IsExpiredCredentials(const std::string& code);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_ERRORS_H_
