#include "aws/ssm_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/aws_test_util.h"
#include "testing/client_fixture.h"

namespace s3snapshot::aws {
namespace {

std::string ReadJson(const std::string& name) {
  std::ifstream in(std::string(S3SNAPSHOT_TESTDATA_DIR) + "/json/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Header(const core::HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class SsmClientTest : public testing::ClientTest {
 protected:
  SsmClient Client() { return SsmClient("eu-west-1", "http://127.0.0.1:1234", ctx_); }
};

TEST_F(SsmClientTest, SendCommandIsJson11WithTheTargetHeaderAndSigned) {
  http_.Respond(200, ReadJson("ssm_send_command.json"), {{"x-amzn-requestid", "req-1"}});
  auto ssm = Client();
  SendCommandRequest req;
  req.document_name = "AWS-RunShellScript";
  req.instance_ids = {"i-0123456789abcdef0"};
  req.parameters = {{"commands", {"fsfreeze --freeze /data"}}};
  req.timeout_seconds = 30;
  req.comment = "s3snapshot pre-script";
  auto id = ssm.SendCommand(req);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "0b8a5d2c-6f1e-4c5b-9d2a-3e4f5a6b7c8d");
  auto sent = http_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url, "http://127.0.0.1:1234/");
  EXPECT_EQ(Header(sent[0], "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(Header(sent[0], "X-Amz-Target"), "AmazonSSM.SendCommand");
  EXPECT_NE(Header(sent[0], "Authorization").find("/eu-west-1/ssm/aws4_request"), std::string::npos);
  EXPECT_NE(Header(sent[0], "Authorization").find("x-amz-target"), std::string::npos) << "the target is signed";
  auto body = nlohmann::json::parse(sent[0].body);
  EXPECT_EQ(body["DocumentName"], "AWS-RunShellScript");
  EXPECT_EQ(body["InstanceIds"], nlohmann::json::array({"i-0123456789abcdef0"}));
  EXPECT_EQ(body["Parameters"]["commands"][0], "fsfreeze --freeze /data");
  EXPECT_EQ(body["TimeoutSeconds"], 30);
  EXPECT_FALSE(sent[0].idempotent) << "a command is never sent twice blindly";
}

TEST_F(SsmClientTest, AFailedInvocationIsParsedWithItsExitStatusAndOutput) {
  http_.Respond(200, ReadJson("ssm_get_command_invocation_failed.json"));
  auto inv = Client().GetCommandInvocation("0b8a5d2c-6f1e-4c5b-9d2a-3e4f5a6b7c8d", "i-0123456789abcdef0");
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->status, "Failed");
  EXPECT_TRUE(inv->Done());
  EXPECT_FALSE(inv->Succeeded());
  EXPECT_EQ(inv->response_code, 1);
  EXPECT_NE(inv->standard_error.find("freeze failed"), std::string::npos);
  auto sent = http_.requests();
  EXPECT_EQ(Header(sent[0], "X-Amz-Target"), "AmazonSSM.GetCommandInvocation");
}

TEST_F(SsmClientTest, ErrorsAreNamedByTheirTypeWithOrWithoutANamespace) {
  http_.Respond(400, R"({"__type":"com.amazonaws.ssm#InvalidInstanceId","Message":"Instances not in a valid state"})",
                {{"x-amzn-requestid", "req-2"}});
  auto id = Client().SendCommand({"AWS-RunShellScript", {"i-0123456789abcdef0"}, {}, 0, ""});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, "InvalidInstanceId");
  EXPECT_EQ(id.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(id.error().message.find("Instances not in a valid state"), std::string::npos);
  EXPECT_EQ(id.error().request_id, "req-2");
  http_.Respond(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
  http_.Respond(200, ReadJson("ssm_get_command_invocation_failed.json"));
  auto inv = Client().GetCommandInvocation("c", "i-0123456789abcdef0");
  ASSERT_TRUE(inv.ok()) << "throttling is retried";
  EXPECT_EQ(http_.requests().size(), 3u);
}

TEST_F(SsmClientTest, InvocationDoesNotExistRightAfterSendIsAskedAgainBounded) {
  const std::string missing = R"({"__type":"InvocationDoesNotExist"})";
  http_.Respond(400, missing);
  http_.Respond(400, missing);
  http_.Respond(200, ReadJson("ssm_get_command_invocation_failed.json"));
  auto ssm = Client();
  auto inv = GetInvocationAfterSend(ssm, clock_, "c", "i-0123456789abcdef0");
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(clock_.sleeps().size(), 2u);
  // Never there: kInvocationLookups asks, then the error.
  http_.SetFallback([missing](const core::HttpRequest&) {
    core::HttpResponse r;
    r.status = 400;
    r.body = missing;
    return core::Result<core::HttpResponse>(r);
  });
  size_t before = http_.requests().size();
  inv = GetInvocationAfterSend(ssm, clock_, "c", "i-0123456789abcdef0");
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().code, "InvocationDoesNotExist");
  EXPECT_EQ(http_.requests().size() - before, static_cast<size_t>(kInvocationLookups));
}

TEST_F(SsmClientTest, OtherNotFoundErrorsAreFinalAtOnce) {
  http_.Respond(400, R"({"__type":"InvalidCommandId"})");
  auto ssm = Client();
  auto inv = GetInvocationAfterSend(ssm, clock_, "c", "i-0123456789abcdef0");
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(http_.requests().size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST(SsmParseTest, MalformedAnswersAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseSendCommand("").ok());
  EXPECT_FALSE(ParseSendCommand("{\"Command\": 3}").ok());
  EXPECT_FALSE(ParseGetCommandInvocation("[]").ok());
  EXPECT_FALSE(ParseGetCommandInvocation("{\"Status\": 1}").ok());
  AwsErrorBody eb;
  EXPECT_FALSE(ParseJsonErrorBody("<xml/>", &eb));
  EXPECT_FALSE(ParseJsonErrorBody("{\"message\": \"no type\"}", &eb));
}

}  // namespace
}  // namespace s3snapshot::aws
