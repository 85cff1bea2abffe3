#include "core/http.h"

namespace s3snapshot::core {

bool ParseUrl(const std::string& url, UrlParts* out) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return false;
  out->scheme = url.substr(0, scheme_end);
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find_first_of("/?", host_start);
  std::string hostport =
      url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (hostport.empty()) return false;
  size_t colon = hostport.rfind(':');
  size_t bracket = hostport.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    out->host = hostport.substr(0, colon);
    out->port = hostport.substr(colon + 1);
  } else {
    out->host = hostport;
    out->port.clear();
  }
  std::string rest = path_start == std::string::npos ? "/" : url.substr(path_start);
  size_t q = rest.find('?');
  out->path = rest.substr(0, q);
  if (out->path.empty()) out->path.assign(1, '/');
  out->query = q == std::string::npos ? "" : rest.substr(q + 1);
  return true;
}

std::string UrlParts::HostHeader() const {
  bool default_port = port.empty() || (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
  return default_port ? host : host + ":" + port;
}

}  // namespace s3snapshot::core
