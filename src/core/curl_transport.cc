#include "core/curl_transport.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace s3snapshot::core {

namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  static_cast<std::string*>(userdata)->append(ptr, size * nmemb);
  return size * nmemb;
}

// The body of a request that must not be sent twice, handed to libcurl by a
// read callback. libcurl resends a request whose reused connection died
// without an answer; to do so it must rewind the body, and the seek callback
// refuses: the transfer then fails with CURLE_SEND_FAIL_REWIND, which we
// report as ambiguous (the first copy may have been applied). That keeps
// connection reuse (no TCP and TLS handshake per CreateSnapshots) without
// the silent duplicate.
struct OnceBody {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadOnceBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* b = static_cast<OnceBody*>(userdata);
  size_t n = std::min(size * nitems, b->data->size() - b->offset);
  std::memcpy(buffer, b->data->data() + b->offset, n);
  b->offset += n;
  return n;
}

int RefuseRewind(void* userdata, curl_off_t offset, int /*origin*/) {
  auto* b = static_cast<OnceBody*>(userdata);
  if (offset == 0 && b->offset == 0) return CURL_SEEKFUNC_OK;  // nothing sent yet
  return CURL_SEEKFUNC_FAIL;
}

// Reserves the body's size when the server announces it, so a large
// DescribeInstances page is not copied through doubling reallocations.
void ReserveFromContentLength(HttpResponse* resp, const std::string& value) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(value.c_str(), &end, 10);
  if (end != value.c_str() && n > 0 && n <= (64ull << 20)) resp->body.reserve(static_cast<size_t>(n));
}

size_t WriteHeader(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* resp = static_cast<HttpResponse*>(userdata);
  std::string line(buffer, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new response (after 100-continue or a redirect)
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * nitems;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  size_t b = value.find_first_not_of(" \t");
  size_t e = value.find_last_not_of(" \t\r\n");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  if (name == "content-length") ReserveFromContentLength(resp, value);
  resp->headers[name] = value;
  return size * nitems;
}

// Errors that say the request never reached a server, so it is safe to resend.
bool NothingSent(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string FindSystemCaBundle() {
  static const char* kCandidates[] = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Alpine
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Amazon Linux, RHEL, Fedora
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+
      "/etc/ssl/ca-bundle.pem",                             // SUSE
      "/etc/ssl/cert.pem",                                  // Alpine, macOS
  };
  for (const char* p : kCandidates) {
    if (access(p, R_OK) == 0) return p;
  }
  return "";
}

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  static GlobalInit init;
  if (options_.ca_bundle.empty()) options_.ca_bundle = FindSystemCaBundle();
}

CurlTransport::~CurlTransport() {
  for (const Handles& h : idle_) {
    curl_multi_cleanup(static_cast<CURLM*>(h.multi));
    curl_easy_cleanup(static_cast<CURL*>(h.easy));
  }
}

CurlTransport::Handles CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      Handles h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  Handles h{curl_easy_init(), curl_multi_init()};
  if (h.easy == nullptr || h.multi == nullptr) {
    curl_multi_cleanup(static_cast<CURLM*>(h.multi));
    curl_easy_cleanup(static_cast<CURL*>(h.easy));
    return {};
  }
  return h;
}

void CurlTransport::Release(Handles handles) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(handles);
}

namespace {

// curl_easy_perform, except for how it waits. curl_easy_perform wakes up
// once a second while it waits for an answer; a run of 10,000 instances
// spends most of its time waiting (on the API's rate limits) in several
// threads at once, and those wake-ups came to a fifth of its CPU time. Here
// each thread sleeps in poll() until its socket is ready or until the next
// timeout libcurl itself asks for (connect, request timeout). The multi
// handle holds the connection cache, so connections are still reused.
CURLcode Perform(CURL* easy, CURLM* multi) {
  if (curl_multi_add_handle(multi, easy) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode result = CURLE_GOT_NOTHING;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
    bool done = false;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
        result = msg->data.result;
        done = true;
      }
    }
    if (done || running == 0) break;
    long wait_ms = -1;
    curl_multi_timeout(multi, &wait_ms);
    if (wait_ms < 0) wait_ms = 1000;  // no timer set: look again in a second, as libcurl would
    if (curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::min<long>(wait_ms, 3600000)), nullptr) != CURLM_OK) {
      result = CURLE_RECV_ERROR;
      break;
    }
  }
  curl_multi_remove_handle(multi, easy);
  return result;
}

}  // namespace

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  Handles handles = Acquire();
  CURL* curl = static_cast<CURL*>(handles.easy);
  if (curl == nullptr) return Error::Make(ErrorKind::kInternal, "curl_easy_init failed");
  curl_easy_reset(curl);  // clears per-request options (the connections are the multi handle's)

  HttpResponse resp;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // thread-safe timeouts
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  if (request.not_after) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*request.not_after - std::chrono::steady_clock::now());
    timeout = std::max(std::chrono::milliseconds(1), std::min(timeout, left));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers
  if (!options_.user_agent.empty()) curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);

  OnceBody once{&request.body};
  if (request.method == "POST" && !request.idempotent) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadOnceBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &once);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, RefuseRewind);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &once);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  struct curl_slist* hdrs = nullptr;
  for (const auto& [k, v] : request.headers) hdrs = curl_slist_append(hdrs, (k + ": " + v).c_str());
  hdrs = curl_slist_append(hdrs, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);

  CURLcode rc = Perform(curl, static_cast<CURLM*>(handles.multi));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdrs);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  Release(handles);

  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_SEND_FAIL_REWIND) {
      detail = "the connection closed before the answer (not resent: the request may have been applied)";
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
      // Not transient: retrying cannot make an untrusted certificate trusted.
      return Error::Make(ErrorKind::kAuth,
                         request.method + " " + request.url + ": TLS verification failed: " + detail +
                             " (set AWS_CA_BUNDLE to trust a private CA)",
                         "TLSVerificationFailed");
    }
    ErrorKind kind = NothingSent(rc) ? ErrorKind::kTransport : ErrorKind::kAmbiguous;
    Error e = Error::Make(kind, request.method + " " + request.url + ": " + detail,
                          rc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout" : "ConnectionError");
    e.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    return e;
  }
  resp.status = static_cast<int>(status);
  return resp;
}

}  // namespace s3snapshot::core
