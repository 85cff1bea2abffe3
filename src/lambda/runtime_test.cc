#include "lambda/runtime.h"

#include <gtest/gtest.h>

#include <new>

#include "testing/fake_transport.h"

namespace s3snapshot::lambda {
namespace {

TEST(RuntimeApiTest, NextReadsTheInvocationHeaders) {
  testing::FakeTransport http;
  http.Respond(200, R"({"tags": {"tag:Env": "PROD"}})",
               {{"lambda-runtime-aws-request-id", "req-1"},
                {"lambda-runtime-deadline-ms", "1700000000000"},
                {"lambda-runtime-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793"},
                {"lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:s"}});
  RuntimeApiClient api("127.0.0.1:9001", http);
  auto inv = api.Next();
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ("req-1", inv->request_id);
  EXPECT_EQ(1700000000000, inv->deadline_ms);
  EXPECT_EQ("Root=1-5759e988-bd862e3fe1be46a994272793", inv->trace_id);
  EXPECT_EQ(R"({"tags": {"tag:Env": "PROD"}})", inv->payload);
  auto reqs = http.requests();
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", reqs[0].url);
  EXPECT_GE(reqs[0].timeout, std::chrono::hours(1)) << "a long poll";
}

TEST(RuntimeApiTest, ResponseAndErrorPaths) {
  testing::FakeTransport http;
  http.Respond(202, "");
  http.Respond(202, "");
  http.Respond(202, "");
  RuntimeApiClient api("127.0.0.1:9001", http);
  ASSERT_TRUE(api.PostResponse("req-1", "{}").ok());
  ASSERT_TRUE(api.PostError("req-2", "InvalidPayload", "bad \"key\"").ok());
  ASSERT_TRUE(api.PostInitError("Runtime.InitError", "no region").ok());
  auto reqs = http.requests();
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-1/response", reqs[0].url);
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-2/error", reqs[1].url);
  EXPECT_EQ(R"({"errorMessage":"bad \"key\"","errorType":"InvalidPayload"})", reqs[1].body);
  bool typed = false;
  for (auto& [k, v] : reqs[1].headers) typed |= k == "Lambda-Runtime-Function-Error-Type" && v == "InvalidPayload";
  EXPECT_TRUE(typed);
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/init/error", reqs[2].url);
}

TEST(RuntimeApiTest, NextWithoutRequestIdIsAnError) {
  testing::FakeTransport http;
  http.Respond(200, "{}");
  RuntimeApiClient api("127.0.0.1:9001", http);
  EXPECT_FALSE(api.Next().ok());
}

TEST(ServeInvocationTest, AThrowIsARuntimeInternalErrorAndTheLoopGoesOn) {
  testing::FakeTransport http;
  http.Respond(202, "");
  http.Respond(202, "");
  RuntimeApiClient api("127.0.0.1:9001", http);
  core::NullLogger logger;
  Invocation inv;
  inv.request_id = "req-1";
  auto st = ServeInvocation(
      api, inv, [](const Invocation&) -> InvocationResult { throw std::bad_alloc(); }, logger);
  ASSERT_TRUE(st.ok());
  inv.request_id = "req-2";
  st = ServeInvocation(
      api, inv,
      [](const Invocation&) {
        return InvocationResult{false, "{\"ok\":true}", "", ""};
      },
      logger);
  ASSERT_TRUE(st.ok());
  auto reqs = http.requests();
  ASSERT_EQ(2u, reqs.size());
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-1/error", reqs[0].url);
  bool typed = false;
  for (auto& [k, v] : reqs[0].headers)
    typed |= k == "Lambda-Runtime-Function-Error-Type" && v == "Runtime.InternalError";
  EXPECT_TRUE(typed);
  EXPECT_NE(std::string::npos, reqs[0].body.find("internal error"));
  EXPECT_EQ("http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-2/response", reqs[1].url);
}

}  // namespace
}  // namespace s3snapshot::lambda
