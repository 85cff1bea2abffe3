#include "aws/credential_chain.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/fake_transport.h"

namespace s3snapshot::aws {
namespace {

using core::ErrorKind;

// Records which source credentials each STS call was signed with.
struct StsLog {
  std::vector<std::string> calls;
};

class FakeSts : public StsApi {
 public:
  FakeSts(core::CredentialsProvider* source, StsLog* log) : source_(source), log_(log) {}
  core::Result<CallerIdentity> GetCallerIdentity() override { return CallerIdentity{"1", "a", "u"}; }
  core::Result<core::Credentials> AssumeRole(const AssumeRoleRequest& req) override {
    auto src = source_->GetCredentials();
    if (!src.ok()) return src.error();
    log_->calls.push_back("AssumeRole " + req.role_arn + " with " + src->access_key_id +
                          (req.external_id.empty() ? "" : " ext=" + req.external_id));
    core::Credentials c;
    c.access_key_id = "ASIA-" + req.role_arn.substr(req.role_arn.rfind('/') + 1);
    c.secret_access_key = "s";
    c.session_token = "t";
    return c;
  }
  core::Result<core::Credentials> AssumeRoleWithWebIdentity(const std::string& role, const std::string& session,
                                                            const std::string& token) override {
    log_->calls.push_back("Web " + role + " " + session + " " + token + (source_ ? " signed" : " unsigned"));
    core::Credentials c;
    c.access_key_id = "ASIA-WEB";
    c.secret_access_key = "s";
    return c;
  }

 private:
  core::CredentialsProvider* source_;
  StsLog* log_;
};

class ChainTest : public ::testing::Test {
 protected:
  ChainTest() {
    env_.vars["HOME"] = "/h";
    env_.vars["AWS_EC2_METADATA_DISABLED"] = "true";
    factory_ = [this](core::CredentialsProvider* src) { return std::make_unique<FakeSts>(src, &log_); };
  }
  core::Result<std::unique_ptr<core::CachingCredentialsProvider>> Build(const std::string& profile = "") {
    auto cfg = core::LoadSharedConfig(env_);
    EXPECT_TRUE(cfg.ok());
    ChainOptions o;
    o.profile = profile;
    return BuildDefaultCredentialChain(env_, *cfg, o, factory_, http_, clock_);
  }
  core::MapEnv env_;
  StsLog log_;
  StsFactory factory_;
  testing::FakeTransport http_;
  testing::FakeClock clock_;
};

TEST_F(ChainTest, EnvironmentComesFirst) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "ENV";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  env_.files["/h/.aws/credentials"] = "[default]\naws_access_key_id=FILE\naws_secret_access_key=s\n";
  auto chain = Build();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ("ENV", (*chain)->GetCredentials()->access_key_id);
}

TEST_F(ChainTest, WebIdentityBeforeProfile) {
  env_.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/tok";
  env_.vars["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/web";
  env_.files["/tok"] = "JWT\n";
  env_.files["/h/.aws/credentials"] = "[default]\naws_access_key_id=FILE\naws_secret_access_key=s\n";
  auto chain = Build();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ("ASIA-WEB", (*chain)->GetCredentials()->access_key_id);
  ASSERT_EQ(1u, log_.calls.size());
  EXPECT_EQ("Web arn:aws:iam::123456789012:role/web s3snapshot JWT unsigned", log_.calls[0]);
}

TEST_F(ChainTest, DefaultProfileStaticKeys) {
  env_.files["/h/.aws/credentials"] = "[default]\naws_access_key_id=FILE\naws_secret_access_key=s\n";
  auto chain = Build();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ("FILE", (*chain)->GetCredentials()->access_key_id);
}

TEST_F(ChainTest, RoleArnWithSourceProfileChain) {
  env_.files["/h/.aws/credentials"] = "[base]\naws_access_key_id=BASE\naws_secret_access_key=s\n";
  env_.files["/h/.aws/config"] =
      "[profile hop]\nrole_arn = arn:aws:iam::111111111111:role/hop\nsource_profile = base\n"
      "[profile target]\nrole_arn = arn:aws:iam::222222222222:role/target\nsource_profile = hop\n"
      "external_id = xyz\n";
  auto chain = Build("target");
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  EXPECT_EQ("ASIA-target", (*chain)->GetCredentials()->access_key_id);
  ASSERT_EQ(2u, log_.calls.size());
  EXPECT_EQ("AssumeRole arn:aws:iam::111111111111:role/hop with BASE", log_.calls[0]);
  EXPECT_EQ("AssumeRole arn:aws:iam::222222222222:role/target with ASIA-hop ext=xyz", log_.calls[1]);
}

TEST_F(ChainTest, ExplicitProfileIgnoresEnvironment) {
  env_.vars["AWS_ACCESS_KEY_ID"] = "ENV";
  env_.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  env_.files["/h/.aws/credentials"] = "[p]\naws_access_key_id=P\naws_secret_access_key=s\n";
  auto chain = Build("p");
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ("P", (*chain)->GetCredentials()->access_key_id);
}

TEST_F(ChainTest, UnknownProfileAndCyclesAreInputErrors) {
  auto missing = Build("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(ErrorKind::kInvalidInput, missing.error().kind);
  EXPECT_NE(std::string::npos, missing.error().message.find("'nope'"));

  env_.files["/h/.aws/config"] =
      "[profile a]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=b\n"
      "[profile b]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=a\n";
  auto cycle = Build("a");
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(std::string::npos, cycle.error().message.find("cycle"));

  env_.vars["AWS_PROFILE"] = "ghost";
  auto ghost = Build();
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ("ProfileNotFound", ghost.error().code);
}

TEST_F(ChainTest, CredentialProcessProfile) {
  env_.files["/h/.aws/config"] =
      "[profile proc]\ncredential_process = printf "
      "'{\"Version\":1,\"AccessKeyId\":\"PROC\",\"SecretAccessKey\":\"s\"}'\n";
  auto chain = Build("proc");
  ASSERT_TRUE(chain.ok());
  auto c = (*chain)->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ("PROC", c->access_key_id);
}

TEST_F(ChainTest, ContainerThenImdsWhenNothingElse) {
  env_.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:1/creds";
  http_.Respond(200, R"({"AccessKeyId":"ECS","SecretAccessKey":"s"})");
  auto chain = Build();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ("ECS", (*chain)->GetCredentials()->access_key_id);
}

TEST_F(ChainTest, NoCredentialsAnywhere) {
  auto chain = Build();
  ASSERT_TRUE(chain.ok());
  auto c = (*chain)->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ("NoCredentials", c.error().code);
}

}  // namespace
}  // namespace s3snapshot::aws
