// HTTP as a small interface (leveldb's Env, ninja's DiskInterface): the AWS
// clients and the Lambda runtime send through it; tests use a fake.
#ifndef S3SNAPSHOT_CORE_HTTP_H_
#define S3SNAPSHOT_CORE_HTTP_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace s3snapshot::core {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // 0: the transport's default. The Lambda runtime's long poll sets a long one.
  std::chrono::milliseconds timeout{0};
  // When set, the request is given up (timed out) at this moment at the
  // latest, whatever `timeout` says.
  std::optional<std::chrono::steady_clock::time_point> not_after;
  // false for requests that must never be sent twice (CreateSnapshots).
  // libcurl silently resends a request whose reused connection closed
  // without an answer, which for a non-idempotent call would apply it twice;
  // the transport must instead report such a request as kAmbiguous.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Sends one request. Failures before a complete response come back as an Error
// of kind kTransport (nothing reached the server: refused, DNS, TLS handshake)
// or kAmbiguous (the request may have been received: timeout or connection lost
// after sending). Any HTTP status, 5xx included, is a response.
// Implementations are safe to call from several threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Splits "https://host:port/path?q" into its parts. Returns false when the URL
// has no scheme or host.
struct UrlParts {
  std::string scheme, host, port, path, query;
  std::string HostHeader() const;  // host[:port], the port only when not default
};
bool ParseUrl(const std::string& url, UrlParts* out);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_HTTP_H_
