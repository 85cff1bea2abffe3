// An HttpTransport that answers from a script and records every request.
#ifndef S3SNAPSHOT_TESTING_FAKE_TRANSPORT_H_
#define S3SNAPSHOT_TESTING_FAKE_TRANSPORT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "core/http.h"

namespace s3snapshot::testing {

class FakeTransport : public core::HttpTransport {
 public:
  using Handler = std::function<core::Result<core::HttpResponse>(const core::HttpRequest&)>;

  // Queues one answer; answers are used in order, then `fallback` (if set).
  void Respond(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    core::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back([r](const core::HttpRequest&) { return core::Result<core::HttpResponse>(r); });
  }
  void Fail(core::ErrorKind kind, std::string message) {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back([kind, message](const core::HttpRequest&) {
      return core::Result<core::HttpResponse>(core::Error::Make(kind, message));
    });
  }
  void SetFallback(Handler h) {
    std::lock_guard<std::mutex> l(mu_);
    fallback_ = std::move(h);
  }

  core::Result<core::HttpResponse> Send(const core::HttpRequest& request) override {
    Handler h;
    {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(request);
      if (!queue_.empty()) {
        h = queue_.front();
        queue_.pop_front();
      } else {
        h = fallback_;
      }
    }
    if (!h) return core::Error::Make(core::ErrorKind::kTransport, "FakeTransport: no answer queued");
    return h(request);
  }

  std::vector<core::HttpRequest> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Handler> queue_;
  Handler fallback_;
  std::vector<core::HttpRequest> requests_;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_FAKE_TRANSPORT_H_
