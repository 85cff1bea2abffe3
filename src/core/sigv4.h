// AWS Signature Version 4, as a pure function of (request, credentials, region,
// service, time), split into the stages of the specification so each can be
// tested against the official vectors:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#ifndef S3SNAPSHOT_CORE_SIGV4_H_
#define S3SNAPSHOT_CORE_SIGV4_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/credentials.h"

namespace s3snapshot::core {

// The parts of an HTTP request that SigV4 covers. `path` and `query` are as they
// appear on the request line (query without the '?'); percent-escapes in the
// query are decoded and re-encoded canonically, the path is encoded as given.
struct SignableRequest {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // order and duplicates kept
  std::string body;
};

struct SigningParams {
  Credentials credentials;
  std::string region;
  std::string service;
  WallTime time;
  bool normalize_path = true;       // false only for S3
  bool sign_body = false;           // add x-amz-content-sha256
  bool omit_session_token = false;  // add the token after signing (IoT-style services)
  int expires_seconds = 3600;       // presigning only
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, the
// rest %XX upper-case; '/' kept when `keep_slash`.
std::string UriEncode(std::string_view s, bool keep_slash);
// Decodes %XX escapes; '+' stays '+'.
std::string UriDecode(std::string_view s);

// Stage 1. Header signing adds x-amz-date (and x-amz-security-token, and
// x-amz-content-sha256 when signing the body) to `req` before canonicalizing.
std::string CanonicalRequest(const SignableRequest& req, const SigningParams& p, std::string* signed_headers_out);
std::string CredentialScope(const SigningParams& p);
// Stage 2.
std::string StringToSign(const std::string& canonical_request, const SigningParams& p);
// Stage 3: the signing key (raw 32 bytes) of a secret for one day
// (YYYYMMDD), region and service, ...
std::string SigningKey(const std::string& secret_access_key, const std::string& date, const std::string& region,
                       const std::string& service);
// ... and the hex signature of a string to sign.
std::string Signature(const std::string& string_to_sign, const SigningParams& p);

// Signs with the Authorization header: adds X-Amz-Date, X-Amz-Security-Token
// (when the credentials have one), x-amz-content-sha256 (when sign_body) and
// Authorization to req->headers.
void SignRequest(SignableRequest* req, const SigningParams& p);

// Presigning: the request with its query-string signature. The returned
// request's query holds X-Amz-Algorithm ... X-Amz-Signature.
SignableRequest PresignRequest(const SignableRequest& req, const SigningParams& p,
                               std::string* canonical_request_out = nullptr, std::string* string_to_sign_out = nullptr);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_SIGV4_H_
