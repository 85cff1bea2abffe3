// HttpTransport over libcurl.
#ifndef S3SNAPSHOT_CORE_CURL_TRANSPORT_H_
#define S3SNAPSHOT_CORE_CURL_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/http.h"

namespace s3snapshot::core {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{30000};  // whole request, unless the request overrides
  std::string ca_bundle;   // AWS_CA_BUNDLE; empty: libcurl's default, else a known system path
  std::string user_agent;  // "s3snapshot/X.Y.Z"
};

// Thread-safe: keeps a pool of curl handles, each pair with its own connection
// cache, so connections are reused (keep-alive) across requests and threads.
// TLS peer and host verification are always on. Proxy variables (https_proxy,
// no_proxy, ...) are honoured by libcurl.
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

  // The CA bundle in use ("" when libcurl's compiled-in default is used).
  const std::string& ca_bundle() const { return options_.ca_bundle; }

 private:
  // A request's easy handle and the multi handle that runs it; the multi
  // handle keeps the connection cache, so a pooled pair reuses connections.
  struct Handles {
    void* easy = nullptr;   // CURL*
    void* multi = nullptr;  // CURLM*
  };
  Handles Acquire();
  void Release(Handles handles);

  CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<Handles> idle_;
};

// The first CA bundle that exists among the well-known locations (Debian,
// Amazon Linux / RHEL, Alpine, SUSE), or "" when none does.
std::string FindSystemCaBundle();

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CURL_TRANSPORT_H_
