#include "aws/credential_chain.h"

#include <set>

#include "core/parse.h"

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using core::Result;

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(std::unique_ptr<core::CredentialsProvider> source,
                                                             const StsFactory& sts_factory, AssumeRoleRequest request)
    : source_(std::move(source)), sts_(sts_factory(source_.get())), request_(std::move(request)) {}

Result<core::Credentials> AssumeRoleCredentialsProvider::GetCredentials() {
  auto c = sts_->AssumeRole(request_);
  if (!c.ok()) {
    Error e = c.error();
    if (e.kind == ErrorKind::kNotFound) e.kind = ErrorKind::kAuth;  // not "unconfigured"
    return e;
  }
  c->source = "assume-role " + request_.role_arn;
  return c;
}

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(const core::Env& env, const StsFactory& sts_factory,
                                                               std::string token_file, std::string role_arn,
                                                               std::string session_name)
    : env_(env),
      sts_(sts_factory(nullptr)),
      token_file_(std::move(token_file)),
      role_arn_(std::move(role_arn)),
      session_name_(std::move(session_name)) {}

Result<core::Credentials> WebIdentityCredentialsProvider::GetCredentials() {
  std::string file = token_file_.empty() ? env_.Get("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("") : token_file_;
  std::string role = role_arn_.empty() ? env_.Get("AWS_ROLE_ARN").value_or("") : role_arn_;
  if (file.empty() && role.empty()) {
    return Error::Make(ErrorKind::kNotFound, "AWS_WEB_IDENTITY_TOKEN_FILE is not set", "CredentialsNotConfigured");
  }
  if (file.empty() || role.empty()) {
    return Error::Make(ErrorKind::kAuth, "web identity needs both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
                       "CredentialsError");
  }
  auto token = env_.ReadFile(file);
  if (!token) {
    return Error::Make(ErrorKind::kAuth, "cannot read the web identity token file " + file, "CredentialsError");
  }
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  std::string session =
      session_name_.empty() ? env_.Get("AWS_ROLE_SESSION_NAME").value_or("s3snapshot") : session_name_;
  auto c = sts_->AssumeRoleWithWebIdentity(role, session, *token);
  if (!c.ok()) {
    Error e = c.error();
    if (e.kind == ErrorKind::kNotFound) e.kind = ErrorKind::kAuth;
    return e;
  }
  c->source = "web identity " + role;
  return c;
}

namespace {

Result<std::unique_ptr<core::CredentialsProvider>> ProfileProviderImpl(
    const core::Env& env, const core::SharedConfig& config, const std::string& name, const StsFactory& sts_factory,
    core::HttpTransport& metadata_http, const std::string& session_name, std::set<std::string>* visiting) {
  auto invalid = [&](const std::string& what) {
    return Error::Make(ErrorKind::kInvalidInput, "profile '" + name + "': " + what, "InvalidProfile");
  };
  const core::Profile* p = config.Find(name);
  if (p == nullptr) {
    return Error::Make(ErrorKind::kInvalidInput,
                       "the profile '" + name + "' is not in " + config.config_path + " or " + config.credentials_path,
                       "ProfileNotFound");
  }
  if (!visiting->insert(name).second) return invalid("source_profile cycle");
  auto get = [p](const char* k) {
    auto it = p->find(k);
    return it == p->end() ? std::string() : it->second;
  };
  std::string role_arn = get("role_arn");
  if (!role_arn.empty()) {
    std::string session = get("role_session_name");
    if (session.empty()) session = session_name;
    std::string token_file = get("web_identity_token_file");
    if (!token_file.empty()) {
      return std::unique_ptr<core::CredentialsProvider>(
          new WebIdentityCredentialsProvider(env, sts_factory, token_file, role_arn, session));
    }
    std::unique_ptr<core::CredentialsProvider> source;
    std::string source_profile = get("source_profile");
    std::string credential_source = get("credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return invalid("has both source_profile and credential_source");
    }
    if (!source_profile.empty()) {
      // A source profile's own role_arn is followed only if it is a different
      // profile; a profile naming itself uses its static keys (the SDKs' rule).
      if (source_profile == name) {
        core::Credentials c;
        c.access_key_id = get("aws_access_key_id");
        c.secret_access_key = get("aws_secret_access_key");
        c.session_token = get("aws_session_token");
        if (c.access_key_id.empty()) return invalid("source_profile names itself but has no keys");
        source = std::make_unique<core::StaticCredentialsProvider>(c);
      } else {
        auto s = ProfileProviderImpl(env, config, source_profile, sts_factory, metadata_http, session_name, visiting);
        if (!s.ok()) return s.error();
        source = std::move(*s);
      }
    } else if (credential_source == "Environment") {
      source = std::make_unique<core::EnvironmentCredentialsProvider>(env);
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = std::make_unique<core::ImdsCredentialsProvider>(env, metadata_http);
    } else if (credential_source == "EcsContainer") {
      source = std::make_unique<core::ContainerCredentialsProvider>(env, metadata_http);
    } else if (!credential_source.empty()) {
      return invalid("unknown credential_source '" + credential_source + "'");
    } else {
      return invalid("role_arn needs source_profile, credential_source or web_identity_token_file");
    }
    AssumeRoleRequest req;
    req.role_arn = role_arn;
    req.session_name = session;
    req.external_id = get("external_id");
    std::string duration = get("duration_seconds");
    if (!duration.empty()) {
      auto seconds = core::ParseInteger(duration, 900, 43200);
      if (!seconds) return invalid("duration_seconds: '" + duration + "' is not a whole number from 900 to 43200");
      req.duration_seconds = static_cast<int>(*seconds);
    }
    return std::unique_ptr<core::CredentialsProvider>(
        new AssumeRoleCredentialsProvider(std::move(source), sts_factory, req));
  }
  std::string process = get("credential_process");
  if (!process.empty()) {
    return std::unique_ptr<core::CredentialsProvider>(new core::ProcessCredentialsProvider(process));
  }
  std::string key = get("aws_access_key_id");
  std::string secret = get("aws_secret_access_key");
  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty()) return invalid("needs both aws_access_key_id and aws_secret_access_key");
    core::Credentials c;
    c.access_key_id = key;
    c.secret_access_key = secret;
    c.session_token = get("aws_session_token");
    c.source = "profile " + name;
    return std::unique_ptr<core::CredentialsProvider>(new core::StaticCredentialsProvider(c));
  }
  return Error::Make(ErrorKind::kNotFound, "profile '" + name + "' has no credentials", "CredentialsNotConfigured");
}

// Lets a chain skip a profile that has no credentials, while a broken one stops it.
class LazyProfileProvider : public core::CredentialsProvider {
 public:
  explicit LazyProfileProvider(Result<std::unique_ptr<core::CredentialsProvider>> inner) : inner_(std::move(inner)) {}
  Result<core::Credentials> GetCredentials() override {
    if (!inner_.ok()) return inner_.error();
    return (*inner_)->GetCredentials();
  }

 private:
  Result<std::unique_ptr<core::CredentialsProvider>> inner_;
};

}  // namespace

Result<std::unique_ptr<core::CredentialsProvider>> MakeProfileProvider(
    const core::Env& env, const core::SharedConfig& config, const std::string& name, const StsFactory& sts_factory,
    core::HttpTransport& metadata_http, const std::string& session_name) {
  std::set<std::string> visiting;
  return ProfileProviderImpl(env, config, name, sts_factory, metadata_http, session_name, &visiting);
}

Result<std::unique_ptr<core::CachingCredentialsProvider>> BuildDefaultCredentialChain(
    const core::Env& env, const core::SharedConfig& config, const ChainOptions& options, const StsFactory& sts_factory,
    core::HttpTransport& metadata_http, const core::Clock& clock) {
  std::unique_ptr<core::CredentialsProvider> root;
  if (!options.profile.empty()) {
    auto p = MakeProfileProvider(env, config, options.profile, sts_factory, metadata_http, options.session_name);
    if (!p.ok()) {
      Error e = p.error();
      if (e.kind == ErrorKind::kNotFound) e.kind = ErrorKind::kInvalidInput;
      return e;
    }
    root = std::move(*p);
  } else {
    std::string name = core::ProfileName(env, "");
    std::vector<std::unique_ptr<core::CredentialsProvider>> chain;
    chain.push_back(std::make_unique<core::EnvironmentCredentialsProvider>(env));
    chain.push_back(std::make_unique<WebIdentityCredentialsProvider>(env, sts_factory));
    auto profile = MakeProfileProvider(env, config, name, sts_factory, metadata_http, options.session_name);
    if (!profile.ok() && profile.error().code == "ProfileNotFound" && name == "default") {
      // No default profile: not configured, the chain goes on.
    } else {
      if (!profile.ok() && profile.error().code == "ProfileNotFound") {
        return profile.error();  // AWS_PROFILE names a profile that does not exist
      }
      chain.push_back(std::make_unique<LazyProfileProvider>(std::move(profile)));
    }
    chain.push_back(std::make_unique<core::ContainerCredentialsProvider>(env, metadata_http));
    chain.push_back(std::make_unique<core::ImdsCredentialsProvider>(env, metadata_http));
    root = std::make_unique<core::ChainCredentialsProvider>(std::move(chain));
  }
  return std::make_unique<core::CachingCredentialsProvider>(std::move(root), clock);
}

}  // namespace s3snapshot::aws
