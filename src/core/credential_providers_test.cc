#include "core/credential_providers.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/fake_transport.h"

namespace s3snapshot::core {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

TEST(EnvironmentProviderTest, ReadsKeysAndToken) {
  MapEnv env;
  env.vars = {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SESSION_TOKEN", "T"}};
  auto c = EnvironmentCredentialsProvider(env).GetCredentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ("AKID", c->access_key_id);
  EXPECT_EQ("S", c->secret_access_key);
  EXPECT_EQ("T", c->session_token);
}

TEST(EnvironmentProviderTest, UnsetIsNotFoundAndHalfSetIsAnError) {
  MapEnv env;
  EXPECT_EQ(ErrorKind::kNotFound, EnvironmentCredentialsProvider(env).GetCredentials().error().kind);
  env.vars["AWS_ACCESS_KEY_ID"] = "AKID";
  EXPECT_EQ(ErrorKind::kAuth, EnvironmentCredentialsProvider(env).GetCredentials().error().kind);
}

TEST(ProcessProviderTest, ParsesTheProcessOutput) {
  ProcessCredentialsProvider p("ignored", [](const std::string&) -> Result<std::string> {
    return std::string(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S",)"
                       R"("SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"})");
  });
  auto c = p.GetCredentials();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ("A", c->access_key_id);
  EXPECT_EQ("T", c->session_token);
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ("2030-01-01T00:00:00Z", FormatIso8601(*c->expiration));
}

TEST(ProcessProviderTest, RunsARealCommand) {
  ProcessCredentialsProvider p(R"(printf '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"}')");
  auto c = p.GetCredentials();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ("AK", c->access_key_id);
  EXPECT_FALSE(c->expiration.has_value());
}

TEST(ProcessProviderTest, FailingCommandOrBadJsonIsAnAuthError) {
  EXPECT_EQ(ErrorKind::kAuth, ProcessCredentialsProvider("exit 3").GetCredentials().error().kind);
  EXPECT_EQ(ErrorKind::kAuth, ProcessCredentialsProvider("echo nope").GetCredentials().error().kind);
  EXPECT_EQ(ErrorKind::kAuth,
            ProcessCredentialsProvider(R"(echo '{"Version":2,"AccessKeyId":"a","SecretAccessKey":"b"}')")
                .GetCredentials()
                .error()
                .kind);
}

TEST(ContainerProviderTest, RelativeUriWithAuthorizationToken) {
  MapEnv env;
  env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "tok";
  FakeTransport http;
  http.Respond(200, R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00Z"})");
  auto c = ContainerCredentialsProvider(env, http).GetCredentials();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ("T", c->session_token);
  ASSERT_EQ(1u, http.requests().size());
  EXPECT_EQ("http://169.254.170.2/v2/credentials/abc", http.requests()[0].url);
  bool has_auth = false;
  auto reqs = http.requests();
  for (auto& [k, v] : reqs[0].headers) has_auth |= (k == "Authorization" && v == "tok");
  EXPECT_TRUE(has_auth);
}

TEST(ContainerProviderTest, FullUriMustBeLoopbackOrHttps) {
  MapEnv env;
  env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.0.0.1/creds";
  FakeTransport http;
  EXPECT_EQ(ErrorKind::kAuth, ContainerCredentialsProvider(env, http).GetCredentials().error().kind);
  EXPECT_TRUE(http.requests().empty());
  env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:8080/creds";
  env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = "/token";
  env.files["/token"] = "filetok\n";
  http.Respond(200, R"({"AccessKeyId":"A","SecretAccessKey":"S"})");
  ASSERT_TRUE(ContainerCredentialsProvider(env, http).GetCredentials().ok());
  EXPECT_EQ("filetok", http.requests()[0].headers[1].second);
}

TEST(ContainerProviderTest, NotConfiguredWithoutVariables) {
  MapEnv env;
  FakeTransport http;
  EXPECT_EQ(ErrorKind::kNotFound, ContainerCredentialsProvider(env, http).GetCredentials().error().kind);
}

TEST(ImdsProviderTest, TokenFirstThenRoleThenCredentials) {
  MapEnv env;
  env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9/";
  FakeTransport http;
  http.Respond(200, "TOKEN");
  http.Respond(200, "my-role\n");
  http.Respond(
      200,
      R"({"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00Z"})");
  auto c = ImdsCredentialsProvider(env, http).GetCredentials();
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto reqs = http.requests();
  ASSERT_EQ(3u, reqs.size());
  EXPECT_EQ("PUT", reqs[0].method);
  EXPECT_EQ("http://127.0.0.1:9/latest/api/token", reqs[0].url);
  EXPECT_EQ("X-aws-ec2-metadata-token-ttl-seconds", reqs[0].headers[0].first);
  EXPECT_EQ("http://127.0.0.1:9/latest/meta-data/iam/security-credentials/my-role", reqs[2].url);
  EXPECT_EQ("TOKEN", reqs[2].headers[0].second);
}

TEST(ImdsProviderTest, UnreachableIsNotFoundAndDisabledSendsNothing) {
  MapEnv env;
  FakeTransport http;
  http.Fail(ErrorKind::kTransport, "connect timeout");
  EXPECT_EQ(ErrorKind::kNotFound, ImdsCredentialsProvider(env, http).GetCredentials().error().kind);
  env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_EQ(ErrorKind::kNotFound, ImdsCredentialsProvider(env, http).GetCredentials().error().kind);
  EXPECT_EQ(1u, http.requests().size());
}

class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(const FakeClock& clock, std::chrono::minutes ttl) : clock_(clock), ttl_(ttl) {}
  Result<Credentials> GetCredentials() override {
    ++calls;
    if (fail) return Error::Make(ErrorKind::kAuth, "sts down");
    Credentials c;
    c.access_key_id = "A" + std::to_string(calls);
    c.secret_access_key = "S";
    c.expiration = clock_.Now() + ttl_;
    return c;
  }
  int calls = 0;
  bool fail = false;

 private:
  const FakeClock& clock_;
  std::chrono::minutes ttl_;
};

TEST(CachingProviderTest, CachesUntilFiveMinutesBeforeExpiry) {
  FakeClock clock;
  auto inner = std::make_unique<CountingProvider>(clock, std::chrono::minutes(60));
  CountingProvider* raw = inner.get();
  CachingCredentialsProvider cache(std::move(inner), clock);
  EXPECT_EQ("A1", cache.GetCredentials()->access_key_id);
  clock.Advance(std::chrono::minutes(54));
  EXPECT_EQ("A1", cache.GetCredentials()->access_key_id);
  clock.Advance(std::chrono::minutes(2));  // 56 min: within 5 min of expiry
  EXPECT_EQ("A2", cache.GetCredentials()->access_key_id);
  EXPECT_EQ(2, raw->calls);
  cache.Invalidate();
  EXPECT_EQ("A3", cache.GetCredentials()->access_key_id);
}

TEST(CachingProviderTest, KeepsValidCredentialsWhenRefreshFails) {
  FakeClock clock;
  auto inner = std::make_unique<CountingProvider>(clock, std::chrono::minutes(60));
  CountingProvider* raw = inner.get();
  CachingCredentialsProvider cache(std::move(inner), clock);
  ASSERT_TRUE(cache.GetCredentials().ok());
  raw->fail = true;
  clock.Advance(std::chrono::minutes(58));
  EXPECT_TRUE(cache.GetCredentials().ok());
  clock.Advance(std::chrono::minutes(3));  // expired now
  EXPECT_FALSE(cache.GetCredentials().ok());
}

TEST(ChainProviderTest, FirstConfiguredProviderWinsAndErrorsStopTheChain) {
  MapEnv env;
  FakeTransport http;
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<EnvironmentCredentialsProvider>(env));
  Credentials fallback;
  fallback.access_key_id = "FALLBACK";
  chain.push_back(std::make_unique<StaticCredentialsProvider>(fallback));
  ChainCredentialsProvider p(std::move(chain));
  EXPECT_EQ("FALLBACK", p.GetCredentials()->access_key_id);

  env.vars["AWS_ACCESS_KEY_ID"] = "only-half";
  EXPECT_EQ(ErrorKind::kAuth, p.GetCredentials().error().kind) << "a broken provider is reported";
}

TEST(ChainProviderTest, NothingConfiguredSaysWhatWasTried) {
  MapEnv env;
  env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  FakeTransport http;
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<EnvironmentCredentialsProvider>(env));
  chain.push_back(std::make_unique<ImdsCredentialsProvider>(env, http));
  auto r = ChainCredentialsProvider(std::move(chain)).GetCredentials();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ("NoCredentials", r.error().code);
  EXPECT_NE(std::string::npos, r.error().message.find("AWS_ACCESS_KEY_ID"));
}

}  // namespace
}  // namespace s3snapshot::core
