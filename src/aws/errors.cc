#include "aws/errors.h"

#include <set>

namespace s3snapshot::aws {

using core::ErrorKind;

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool IsExpiredCredentials(const std::string& code) {
  return code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired";
}

ErrorKind KindForAwsError(const std::string& code, int http_status) {
  // The AWS SDKs' standard retry mode lists.
  static const std::set<std::string> kThrottling = {"Throttling",
                                                    "ThrottlingException",
                                                    "ThrottledException",
                                                    "RequestThrottledException",
                                                    "TooManyRequestsException",
                                                    "ProvisionedThroughputExceededException",
                                                    "TransactionInProgressException",
                                                    "RequestLimitExceeded",
                                                    "BandwidthLimitExceeded",
                                                    "LimitExceededException",
                                                    "RequestThrottled",
                                                    "SlowDown",
                                                    "PriorRequestNotComplete",
                                                    "EC2ThrottledException"};
  static const std::set<std::string> kTransient = {"RequestTimeout",      "RequestTimeoutException", "InternalError",
                                                   "InternalFailure",     "ServiceUnavailable",      "Unavailable",
                                                   "InternalServerError", "ServerInternal"};
  static const std::set<std::string> kAuth = {"AuthFailure",
                                              "SignatureDoesNotMatch",
                                              "UnauthorizedOperation",
                                              "AccessDenied",
                                              "AccessDeniedException",
                                              "InvalidClientTokenId",
                                              "ExpiredToken",
                                              "ExpiredTokenException",
                                              "RequestExpired",
                                              "OptInRequired",
                                              "Blocked",
                                              "UnrecognizedClientException",
                                              "IncompleteSignature",
                                              "MissingAuthenticationToken",
                                              "InvalidAccessKeyId",
                                              "MissingAuthenticationTokenException",
                                              "AuthorizationError",
                                              "InvalidIdentityToken",
                                              "IDPRejectedClaim",
                                              "IDPCommunicationError",
                                              "RegionDisabledException"};
  static const std::set<std::string> kConflict = {
      "IncorrectInstanceState", "IncorrectState",       "InvalidSnapshot.InUse", "SnapshotLocked",
      "DependencyViolation",    "IncorrectVolumeState", "InvalidInstanceState",  "VolumeInUse"};
  // Limits on work in flight: the request is fine, later.
  // ResourceLimitExceeded: CopySnapshot over the destination's concurrent copies.
  static const std::set<std::string> kLimit = {"ConcurrentSnapshotLimitExceeded",
                                               "SnapshotCreationPerVolumeRateExceeded", "ResourceLimitExceeded"};
  if (kThrottling.count(code)) return ErrorKind::kThrottled;
  if (kTransient.count(code)) return ErrorKind::kTransient;
  if (kAuth.count(code)) return ErrorKind::kAuth;
  if (kConflict.count(code)) return ErrorKind::kConflict;
  if (kLimit.count(code)) return ErrorKind::kLimit;
  // SSM: InvocationDoesNotExist (also for a moment right after SendCommand),
  // InvalidInstanceId (not managed by SSM, or not running), InvalidDocument;
  // Organizations: ParentNotFoundException (an OU that is not there).
  static const std::set<std::string> kSsmNotFound = {"InvocationDoesNotExist", "InvalidInstanceId", "InvalidDocument",
                                                     "InvalidCommandId", "ParentNotFoundException"};
  if (kSsmNotFound.count(code)) return ErrorKind::kNotFound;
  if (EndsWith(code, ".NotFound") || EndsWith(code, "NotFound") || code == "NotFound") {
    return ErrorKind::kNotFound;
  }
  if (http_status == 429) return ErrorKind::kThrottled;
  if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
    return ErrorKind::kTransient;
  }
  if (http_status == 401 || http_status == 403) return ErrorKind::kAuth;
  if (http_status >= 400 && http_status < 500) return ErrorKind::kInvalidInput;
  if (http_status >= 500) return ErrorKind::kTransient;
  return ErrorKind::kInternal;
}

}  // namespace s3snapshot::aws
