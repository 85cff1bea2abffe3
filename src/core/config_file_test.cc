#include "core/config_file.h"

#include <gtest/gtest.h>

namespace s3snapshot::core {
namespace {

TEST(ConfigFileTest, ParsesConfigProfilesAndCredentials) {
  MapEnv env;
  env.vars["HOME"] = "/home/u";
  env.files["/home/u/.aws/config"] =
      "# comment\n[default]\nregion = eu-west-1\n\n[profile prod]\nregion=us-east-2 ; inline\n"
      "role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n"
      "s3 =\n  max_concurrent_requests = 10\n[sso-session x]\nsso_region = us-east-1\n";
  env.files["/home/u/.aws/credentials"] = "[default]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n";
  auto cfg = LoadSharedConfig(env);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  ASSERT_NE(nullptr, cfg->Find("default"));
  EXPECT_EQ("eu-west-1", cfg->Find("default")->at("region"));
  EXPECT_EQ("AKID", cfg->Find("default")->at("aws_access_key_id"));
  ASSERT_NE(nullptr, cfg->Find("prod"));
  EXPECT_EQ("us-east-2", cfg->Find("prod")->at("region"));
  EXPECT_EQ(0u, cfg->Find("prod")->count("max_concurrent_requests"));
  EXPECT_EQ(nullptr, cfg->Find("x"));
}

TEST(ConfigFileTest, MalformedLineNamesFileAndLine) {
  MapEnv env;
  env.vars["HOME"] = "/h";
  env.files["/h/.aws/config"] = "[default]\nregion = us-east-1\nthis is not a setting\n";
  auto cfg = LoadSharedConfig(env);
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(ErrorKind::kInvalidInput, cfg.error().kind);
  EXPECT_NE(std::string::npos, cfg.error().message.find("/h/.aws/config:3")) << cfg.error().message;
}

TEST(ConfigFileTest, UnclosedSectionIsAnError) {
  std::map<std::string, Profile> p;
  EXPECT_FALSE(ParseConfigText("[default\nregion=x\n", true, "f", &p).ok());
}

TEST(ConfigFileTest, EnvironmentOverridesFileLocations) {
  MapEnv env;
  env.vars["AWS_CONFIG_FILE"] = "/c";
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] = "/k";
  env.files["/c"] = "[profile a]\nregion = ap-south-1\n";
  env.files["/k"] = "[a]\naws_access_key_id = X\n";
  auto cfg = LoadSharedConfig(env);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ("ap-south-1", cfg->Find("a")->at("region"));
  EXPECT_EQ("X", cfg->Find("a")->at("aws_access_key_id"));
}

TEST(ConfigFileTest, MissingFilesAreFine) {
  MapEnv env;
  env.vars["HOME"] = "/nowhere";
  auto cfg = LoadSharedConfig(env);
  ASSERT_TRUE(cfg.ok());
  EXPECT_TRUE(cfg->profiles.empty());
}

TEST(ConfigFileTest, ProfileNamePrecedence) {
  MapEnv env;
  EXPECT_EQ("default", ProfileName(env, ""));
  env.vars["AWS_PROFILE"] = "p";
  EXPECT_EQ("p", ProfileName(env, ""));
  EXPECT_EQ("cli", ProfileName(env, "cli"));
}

}  // namespace
}  // namespace s3snapshot::core
