#include "aws/aws_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "aws/errors.h"
#include "core/sigv4.h"

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using core::Result;

bool ParseJsonErrorBody(const std::string& body, AwsErrorBody* out) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("__type") || !j["__type"].is_string()) return false;
  std::string type = j["__type"].get<std::string>();
  size_t hash = type.rfind('#');
  out->code = hash == std::string::npos ? type : type.substr(hash + 1);
  for (const char* key : {"message", "Message"}) {
    if (j.contains(key) && j[key].is_string()) out->message = j[key].get<std::string>();
  }
  return !out->code.empty();
}

std::string UnexpectedBodyText(const std::string& body, const std::string& content_type) {
  const size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  std::string lower = body.substr(start, 15);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  (void)content_type;  // moto labels its XML errors text/html: the body decides
  if (lower.rfind("<!doctype html", 0) == 0 || lower.rfind("<html", 0) == 0) {
    // A web page (a proxy, a captive portal, an emulator's 404): never print it.
    return " (an HTML page, not an AWS answer: is the endpoint URL and region right?)";
  }
  std::string snippet = body.substr(start, 200);
  for (char& c : snippet) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return ": " + snippet;
}

AwsClient::AwsClient(std::string service, std::string api_version, std::string region, std::string endpoint,
                     ClientContext ctx)
    : service_(std::move(service)),
      version_(std::move(api_version)),
      region_(std::move(region)),
      endpoint_(std::move(endpoint)),
      ctx_(std::move(ctx)) {}

Result<QueryResponse> AwsClient::Attempt(const std::string& action, const std::string& body, Protocol protocol,
                                         bool sign, bool idempotent) {
  core::UrlParts url;
  if (!core::ParseUrl(endpoint_, &url)) {
    return Error::Make(ErrorKind::kInvalidInput, "bad endpoint URL '" + endpoint_ + "'", "InvalidEndpoint");
  }
  core::SignableRequest sreq;
  sreq.method = "POST";
  sreq.path = url.path;
  sreq.query = url.query;
  sreq.headers.emplace_back("Host", url.HostHeader());
  if (protocol == Protocol::kJson11) {
    sreq.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
    sreq.headers.emplace_back("X-Amz-Target", version_ + "." + action);
  } else {
    sreq.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  }
  sreq.body = body;
  if (sign) {
    Result<core::Credentials> creds = ctx_.credentials->GetCredentials();
    if (!creds.ok()) return creds.error();
    core::SigningParams p;
    p.credentials = *creds;
    p.region = region_;
    p.service = service_;
    p.time = ctx_.clock->Now();
    core::SignRequest(&sreq, p);
  }
  core::HttpRequest req;
  if (ctx_.deadline) {
    req.not_after = ctx_.deadline->Get();
    if (req.not_after && ctx_.clock->Steady() >= *req.not_after) {
      return Error::Make(ErrorKind::kCancelled, "not sent: the deadline has passed", "DeadlineReached");
    }
  }
  req.method = "POST";
  req.url = url.scheme + "://" + url.host + (url.port.empty() ? "" : ":" + url.port) + url.path +
            (url.query.empty() ? "" : "?" + url.query);
  req.headers = std::move(sreq.headers);
  req.body = body;
  req.idempotent = idempotent;
  stats_.calls++;
  if (ctx_.shared_stats) ctx_.shared_stats->calls++;
  Result<core::HttpResponse> resp = ctx_.http->Send(req);
  if (!resp.ok()) return resp.error();

  std::string header_id = resp->Header("x-amzn-requestid");
  if (header_id.empty()) header_id = resp->Header("x-amz-request-id");
  if (resp->status >= 200 && resp->status < 300) {
    QueryResponse out;
    out.body = std::move(resp->body);
    out.request_id = protocol == Protocol::kQuery ? ParseRequestId(out.body) : "";
    if (out.request_id.empty()) out.request_id = header_id;
    return out;
  }
  AwsErrorBody eb;
  Error e;
  e.http_status = resp->status;
  // A JSON service's error may still come as XML from what stands in front
  // of it (an IAM refusal, a proxy): read it either way.
  if (protocol == Protocol::kQuery ? ParseErrorBody(resp->body, &eb)
                                   : ParseJsonErrorBody(resp->body, &eb) || ParseErrorBody(resp->body, &eb)) {
    e.code = eb.code;
    e.message = eb.message;
    e.request_id = eb.request_id.empty() ? header_id : eb.request_id;
  } else {
    e.code = "HTTP" + std::to_string(resp->status);
    e.message = "unexpected HTTP " + std::to_string(resp->status) + " response from " + url.host +
                UnexpectedBodyText(resp->body, resp->Header("content-type"));
    e.request_id = header_id;
  }
  e.kind = KindForAwsError(e.code, resp->status);
  if (e.kind == ErrorKind::kThrottled) {
    stats_.throttled++;
    if (ctx_.shared_stats) ctx_.shared_stats->throttled++;
  }
  return e;
}

Result<QueryResponse> AwsClient::Call(const std::string& action, const QueryParams& params, bool idempotent,
                                      bool sign) {
  return Send(action, params.Encode(action, version_), Protocol::kQuery, idempotent, sign);
}

Result<QueryResponse> AwsClient::CallJson(const std::string& action, const std::string& body, bool idempotent) {
  return Send(action, body, Protocol::kJson11, idempotent, /*sign=*/true);
}

Result<QueryResponse> AwsClient::Send(const std::string& action, const std::string& body, Protocol protocol,
                                      bool idempotent, bool sign) {
  std::optional<Error> last_retried;
  bool refreshed_credentials = false;
  for (int attempt = 1;; ++attempt) {
    if (ctx_.rate_limiter) ctx_.rate_limiter->Acquire(action);
    auto start = ctx_.clock->Steady();
    Result<QueryResponse> r = Attempt(action, body, protocol, sign, idempotent);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.clock->Steady() - start);
    if (ctx_.logger && ctx_.logger->Enabled(core::LogLevel::kDebug)) {
      core::LogFields f = {{"service", service_},
                           {"region", region_},
                           {"action", action},
                           {"attempt", std::to_string(attempt)},
                           {"ms", std::to_string(ms.count())}};
      if (r.ok()) {
        f.emplace_back("request_id", r->request_id);
      } else {
        f.emplace_back("error", r.error().code.empty() ? core::ErrorKindName(r.error().kind) : r.error().code);
        if (!r.error().request_id.empty()) f.emplace_back("request_id", r.error().request_id);
      }
      ctx_.logger->Debug("call", f);
    }
    if (r.ok()) {
      if (ctx_.rate_limiter) ctx_.rate_limiter->OnSuccess(action);
      ctx_.retryer->OnSuccess(attempt, last_retried);
      r->attempts = attempt;
      return r;
    }
    Error e = r.error();
    if (e.kind == ErrorKind::kAuth && IsExpiredCredentials(e.code) && !refreshed_credentials &&
        ctx_.on_expired_credentials) {
      // One free retry with fresh credentials.
      refreshed_credentials = true;
      ctx_.on_expired_credentials();
      --attempt;
      continue;
    }
    if (e.kind == ErrorKind::kThrottled && ctx_.rate_limiter) ctx_.rate_limiter->OnThrottle(action);
    std::optional<std::chrono::milliseconds> delay = ctx_.retryer->OnFailure(e, attempt, idempotent);
    if (!delay) {
      std::string ctx = action;
      if (attempt > 1) ctx += " (after " + std::to_string(attempt) + " attempts)";
      return e.WithContext(ctx);
    }
    if (ctx_.deadline) {
      auto at = ctx_.deadline->Get();
      if (at && ctx_.clock->Steady() + *delay >= *at) {
        return e.WithContext(action + " (no time left to retry before the deadline)");
      }
    }
    stats_.retries++;
    if (ctx_.shared_stats) ctx_.shared_stats->retries++;
    last_retried = e;
    ctx_.clock->Sleep(*delay);
  }
}

}  // namespace s3snapshot::aws
