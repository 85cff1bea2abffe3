// A Lambda custom runtime of our own (provided.al2023): the Runtime API loop.
//   https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
#ifndef S3SNAPSHOT_LAMBDA_RUNTIME_H_
#define S3SNAPSHOT_LAMBDA_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/env.h"
#include "core/http.h"
#include "core/log.h"

namespace s3snapshot::lambda {

struct Invocation {
  std::string request_id;
  int64_t deadline_ms = 0;  // epoch milliseconds (Lambda-Runtime-Deadline-Ms)
  std::string trace_id;     // Lambda-Runtime-Trace-Id
  std::string function_arn;
  std::string payload;
};

// The Runtime API over an HttpTransport. Not thread-safe (one loop).
class RuntimeApiClient {
 public:
  RuntimeApiClient(std::string api_host, core::HttpTransport& http)
      : base_("http://" + std::move(api_host) + "/2018-06-01"), http_(http) {}
  // Blocks until the next invocation.
  core::Result<Invocation> Next();
  core::Status PostResponse(const std::string& request_id, const std::string& body);
  core::Status PostError(const std::string& request_id, const std::string& error_type, const std::string& message);
  core::Status PostInitError(const std::string& error_type, const std::string& message);

 private:
  core::Status Post(const std::string& path, const std::string& body, const std::string& error_type);
  std::string base_;
  core::HttpTransport& http_;
};

// {"errorType": ..., "errorMessage": ...}
std::string ErrorBody(const std::string& error_type, const std::string& message);

// What one invocation answers: a response body, or a function error.
struct InvocationResult {
  bool function_error = false;
  std::string body;                       // the response, when not an error
  std::string error_type, error_message;  // when an error
};

// Runs `handle` for `inv` and posts what it answers. A throw from `handle`
// (which runs the whole job, restarts included) is posted as the function
// error Runtime.InternalError and the loop goes on: never Runtime.ExitError,
// which would end the process and make Lambda's retry run the job again in a
// new one.
core::Status ServeInvocation(RuntimeApiClient& api, const Invocation& inv,
                             const std::function<InvocationResult(const Invocation&)>& handle, core::Logger& logger);

// Serves invocations until the Runtime API goes away. Returns the exit code.
int RunLambdaRuntime(const core::Env& env);

}  // namespace s3snapshot::lambda

#endif  // S3SNAPSHOT_LAMBDA_RUNTIME_H_
