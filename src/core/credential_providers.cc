#include "core/credential_providers.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/parse.h"

namespace s3snapshot::core {

namespace {

Error NotConfigured(const std::string& what) {
  return Error::Make(ErrorKind::kNotFound, what, "CredentialsNotConfigured");
}

Error AuthError(const std::string& what) { return Error::Make(ErrorKind::kAuth, what, "CredentialsError"); }

}  // namespace

Result<Credentials> EnvironmentCredentialsProvider::GetCredentials() {
  auto id = env_.Get("AWS_ACCESS_KEY_ID");
  auto secret = env_.Get("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return NotConfigured("AWS_ACCESS_KEY_ID is not set");
  if (!id || !secret) {
    return AuthError(std::string(id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not set while " +
                     (id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is");
  }
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token = env_.Get("AWS_SESSION_TOKEN").value_or("");
  c.source = "environment";
  return c;
}

namespace {
// The program's name only: a credential_process command line may carry
// secrets, and error messages are logged.
std::string ProgramName(const std::string& command) {
  size_t b = command.find_first_not_of(" \t");
  if (b == std::string::npos) return "(empty)";
  size_t e = command.find_first_of(" \t", b);
  return command.substr(b, e == std::string::npos ? std::string::npos : e - b);
}
}  // namespace

Result<std::string> RunShellCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return AuthError("credential_process: cannot run '" + ProgramName(command) + "'");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return AuthError("credential_process '" + ProgramName(command) + " ...' failed (exit status " +
                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  return out;
}

Result<Credentials> ParseCredentialsJson(const std::string& body, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return AuthError(source + ": the response is not a JSON object");
  auto str = [&j](const char* key) -> std::string {
    auto it = j.find(key);
    return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
  };
  if (j.contains("Version") && !(j["Version"].is_number_integer() && j["Version"].get<int>() == 1)) {
    return AuthError(source + ": unsupported Version (expected 1)");
  }
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("SessionToken");
  if (c.session_token.empty()) c.session_token = str("Token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return AuthError(source + ": AccessKeyId or SecretAccessKey missing from the response");
  }
  std::string exp = str("Expiration");
  if (!exp.empty()) {
    WallTime t;
    if (!ParseIso8601(exp, &t)) return AuthError(source + ": bad Expiration '" + exp + "'");
    c.expiration = t;
  }
  c.source = source;
  return c;
}

Result<Credentials> ProcessCredentialsProvider::GetCredentials() {
  Result<std::string> out = runner_(command_);
  if (!out.ok()) return out.error();
  return ParseCredentialsJson(*out, "credential_process");
}

namespace {

bool AllowedContainerHost(const UrlParts& u) {
  if (u.scheme == "https") return true;
  if (u.scheme != "http") return false;
  const std::string& h = u.host;
  return h == "localhost" || h.rfind("127.", 0) == 0 || h == "[::1]" || h == "169.254.170.2" || h == "169.254.170.23" ||
         h == "[fd00:ec2::23]";
}

}  // namespace

Result<Credentials> ContainerCredentialsProvider::GetCredentials() {
  std::string url;
  if (auto rel = env_.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + *rel;
  } else if (auto full = env_.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    UrlParts u;
    if (!ParseUrl(*full, &u) || !AllowedContainerHost(u)) {
      return AuthError("AWS_CONTAINER_CREDENTIALS_FULL_URI '" + *full +
                       "' must be https or a loopback/ECS/EKS address");
    }
    url = *full;
  } else {
    return NotConfigured("no container credentials endpoint set");
  }
  HttpRequest req;
  req.url = url;
  req.headers.emplace_back("Accept", "application/json");
  std::string token;
  if (auto file = env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auto text = env_.ReadFile(*file);
    if (!text) return AuthError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file);
    token = *text;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  } else if (auto t = env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = *t;
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return AuthError("the container authorization token contains a line break");
  }
  if (!token.empty()) req.headers.emplace_back("Authorization", token);
  Result<HttpResponse> resp = http_.Send(req);
  if (!resp.ok()) return AuthError("container credentials: " + resp.error().message);
  if (resp->status != 200) {
    return AuthError("container credentials endpoint answered HTTP " + std::to_string(resp->status));
  }
  return ParseCredentialsJson(resp->body, "container");
}

Result<Credentials> ImdsCredentialsProvider::GetCredentials() {
  auto disabled = env_.Get("AWS_EC2_METADATA_DISABLED");
  if (disabled && ParseBoolean(*disabled).value_or(false)) {
    return NotConfigured("instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
  }
  std::string base = env_.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!base.empty() && base.back() == '/') base.pop_back();

  HttpRequest token_req;
  token_req.method = "PUT";
  token_req.url = base + "/latest/api/token";
  token_req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  Result<HttpResponse> token = http_.Send(token_req);
  if (!token.ok()) return NotConfigured("instance metadata not reachable: " + token.error().message);
  if (token->status != 200) {
    return NotConfigured("instance metadata token request answered HTTP " + std::to_string(token->status));
  }
  auto get = [&](const std::string& path) {
    HttpRequest r;
    r.url = base + path;
    r.headers.emplace_back("X-aws-ec2-metadata-token", token->body);
    return http_.Send(r);
  };
  Result<HttpResponse> role = get("/latest/meta-data/iam/security-credentials/");
  if (!role.ok()) return NotConfigured("instance metadata: " + role.error().message);
  if (role->status == 404) return NotConfigured("no IAM role is attached to this instance");
  if (role->status != 200) return AuthError("instance metadata answered HTTP " + std::to_string(role->status));
  std::string name = role->body.substr(0, role->body.find('\n'));
  Result<HttpResponse> creds = get("/latest/meta-data/iam/security-credentials/" + name);
  if (!creds.ok()) return AuthError("instance metadata: " + creds.error().message);
  if (creds->status != 200) {
    return AuthError("instance metadata credentials answered HTTP " + std::to_string(creds->status));
  }
  return ParseCredentialsJson(creds->body, "instance metadata (" + name + ")");
}

Result<Credentials> ChainCredentialsProvider::GetCredentials() {
  std::string tried;
  for (auto& p : providers_) {
    Result<Credentials> c = p->GetCredentials();
    if (c.ok()) return c;
    if (c.error().kind != ErrorKind::kNotFound) return c.error();
    if (!tried.empty()) tried += "; ";
    tried += c.error().message;
  }
  return Error::Make(ErrorKind::kAuth,
                     "no AWS credentials found (tried: " + tried +
                         "). Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, use --profile, or run "
                         "where a role is attached",
                     "NoCredentials");
}

Result<Credentials> CachingCredentialsProvider::GetCredentials() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_ && (!cached_->expiration || clock_.Now() + refresh_before_ < *cached_->expiration)) {
    return *cached_;
  }
  Result<Credentials> fresh = inner_->GetCredentials();
  if (!fresh.ok()) {
    // Still-valid credentials are better than none while the refresh fails.
    if (cached_ && cached_->expiration && clock_.Now() < *cached_->expiration) return *cached_;
    return fresh.error();
  }
  cached_ = *fresh;
  return fresh;
}

void CachingCredentialsProvider::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  cached_.reset();
}

}  // namespace s3snapshot::core
