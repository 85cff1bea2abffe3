#include "lambda/runtime.h"

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/aws_services.h"
#include "core/curl_transport.h"
#include "core/log.h"
#include "core/version.h"
#include "lambda/handler.h"
#include "spec/filter.h"

namespace s3snapshot::lambda {

using core::Error;
using core::ErrorKind;

std::string ErrorBody(const std::string& error_type, const std::string& message) {
  nlohmann::json j = {{"errorType", error_type}, {"errorMessage", message}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<Invocation> RuntimeApiClient::Next() {
  core::HttpRequest req;
  req.url = base_ + "/runtime/invocation/next";
  req.timeout = std::chrono::hours(24);  // a long poll: no answer until an event comes
  auto resp = http_.Send(req);
  if (!resp.ok()) return resp.error();
  if (resp->status != 200) {
    return Error::Make(ErrorKind::kTransient, "GET /next answered HTTP " + std::to_string(resp->status));
  }
  Invocation inv;
  inv.request_id = resp->Header("lambda-runtime-aws-request-id");
  inv.deadline_ms = std::atoll(resp->Header("lambda-runtime-deadline-ms").c_str());
  inv.trace_id = resp->Header("lambda-runtime-trace-id");
  inv.function_arn = resp->Header("lambda-runtime-invoked-function-arn");
  inv.payload = std::move(resp->body);
  if (inv.request_id.empty()) return Error::Make(ErrorKind::kMalformed, "GET /next without a request id");
  return inv;
}

core::Status RuntimeApiClient::Post(const std::string& path, const std::string& body, const std::string& error_type) {
  core::HttpRequest req;
  req.method = "POST";
  req.url = base_ + path;
  req.body = body;
  req.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) req.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  auto resp = http_.Send(req);
  if (!resp.ok()) return resp.error();
  if (resp->status != 202) {
    return Error::Make(ErrorKind::kTransient, "POST " + path + " answered HTTP " + std::to_string(resp->status));
  }
  return core::OkStatus();
}

core::Status RuntimeApiClient::PostResponse(const std::string& request_id, const std::string& body) {
  return Post("/runtime/invocation/" + request_id + "/response", body, "");
}

core::Status RuntimeApiClient::PostError(const std::string& request_id, const std::string& error_type,
                                         const std::string& message) {
  return Post("/runtime/invocation/" + request_id + "/error", ErrorBody(error_type, message), error_type);
}

core::Status RuntimeApiClient::PostInitError(const std::string& error_type, const std::string& message) {
  return Post("/runtime/init/error", ErrorBody(error_type, message), error_type);
}

core::Status ServeInvocation(RuntimeApiClient& api, const Invocation& inv,
                             const std::function<InvocationResult(const Invocation&)>& handle, core::Logger& logger) {
  InvocationResult out;
  try {
    out = handle(inv);
  } catch (...) {
    std::string what = "an exception of unknown type";
    try {
      throw;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    logger.Error("internal error in the invocation", {{"error", what}});
    out.function_error = true;
    out.error_type = "Runtime.InternalError";
    out.error_message = "internal error: " + what;
  }
  return out.function_error ? api.PostError(inv.request_id, out.error_type, out.error_message)
                            : api.PostResponse(inv.request_id, out.body);
}

int RunLambdaRuntime(const core::Env& env) {
  core::StreamLogger logger(core::LogLevel::kInfo, core::StreamLogger::Format::kJson, stderr);
  core::CurlTransportOptions o;
  o.user_agent = std::string("s3snapshot/") + S3SNAPSHOT_VERSION;
  core::CurlTransport api_http(o);
  RuntimeApiClient api(*env.Get("AWS_LAMBDA_RUNTIME_API"), api_http);

  app::RuntimeOptions ro;
  auto runtime = app::AwsServices::Create(env, ro, &logger);
  if (!runtime.ok()) {
    logger.Error("init failed", {{"error", runtime.error().message}});
    (void)api.PostInitError("Runtime.InitError", runtime.error().message);
    return 1;
  }
  // The settings completion events are handled with: a document with the
  // payload's keys, checked at init as a payload is.
  spec::JobSpec event_settings;
  if (auto text = env.Get("S3SNAPSHOT_EVENT_SETTINGS"); text && !text->empty()) {
    auto doc = spec::ParseFilterDocument(*text, "S3SNAPSHOT_EVENT_SETTINGS");
    if (!doc.ok()) {
      logger.Error("init failed", {{"error", doc.error().message}});
      (void)api.PostInitError("Runtime.InitError", doc.error().message);
      return 1;
    }
    spec::ApplySettings(*doc, &event_settings);
  }
  auto topics = TopicDefaultsFrom(env);
  if (!topics.ok()) {
    logger.Error("init failed", {{"error", topics.error().message}});
    (void)api.PostInitError("Runtime.InitError", topics.error().message);
    return 1;
  }
  for (;;) {
    auto inv = api.Next();
    if (!inv.ok()) {
      logger.Error("Runtime API: " + inv.error().message);
      return 1;
    }
    logger.SetContext({{"request_id", inv->request_id}});
    if (!inv->trace_id.empty()) setenv("_X_AMZN_TRACE_ID", inv->trace_id.c_str(), 1);
    job::CancelToken cancel;
    if (inv->deadline_ms > 0) {
      auto& clock = (*runtime)->clock();
      int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
      auto left = std::chrono::milliseconds(std::max<int64_t>(0, inv->deadline_ms - now_ms));
      // Keep a quarter of the time (at most 60 s) to start stopped instances
      // again and post the response.
      auto reserve = std::min<std::chrono::milliseconds>(left / 4, std::chrono::seconds(60));
      // The hard deadline leaves 500 ms to post the response.
      cancel.SetDeadline(clock.Steady() + left - std::chrono::milliseconds(500), reserve);
    }
    // No request (nor its retries) outlives the hard deadline: a run killed
    // by Lambda could not report, and a slow network must not make it one.
    (*runtime)->SetDeadline(cancel.deadline());
    core::Status posted = ServeInvocation(
        api, *inv,
        [&](const Invocation& i) {
          return HandleInvocation(i.payload, **runtime, logger, &cancel, event_settings, i.function_arn, &std::cout,
                                  *topics);
        },
        logger);
    (*runtime)->SetDeadline(std::nullopt);
    if (!posted.ok()) logger.Error("posting the result failed", {{"error", posted.error().message}});
  }
}

}  // namespace s3snapshot::lambda
