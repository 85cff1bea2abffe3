#include "app/aws_services.h"

#include "aws/arn.h"
#include "aws/endpoints.h"
#include "core/parse.h"
#include "core/version.h"

namespace s3snapshot::app {

using core::Error;
using core::ErrorKind;
using core::Result;

namespace {

Error Invalid(const std::string& message) { return Error::Make(ErrorKind::kInvalidInput, message, "InvalidConfig"); }

// The settings read from the environment that are neither numbers (checked
// where they are used, below) nor free text: a typo must stop the run, not
// silently change what it does.
core::Status CheckEnvironmentSwitches(const core::Env& env) {
  for (const char* name : {"AWS_EC2_METADATA_DISABLED", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"}) {
    auto v = env.Get(name);
    if (v && !core::ParseBoolean(*v)) return Invalid(std::string(name) + ": '" + *v + "' is not true or false");
  }
  for (const char* name : {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL_STS",
                           "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_SSM"}) {
    auto v = env.Get(name);
    if (v && v->rfind("http://", 0) != 0 && v->rfind("https://", 0) != 0) {
      return Invalid(std::string(name) + ": '" + *v + "' is not an http:// or https:// URL");
    }
  }
  return core::OkStatus();
}

}  // namespace

core::Result<std::unique_ptr<AwsServices>> AwsServices::Create(const core::Env& env, RuntimeOptions options,
                                                               core::Logger* logger) {
  std::unique_ptr<AwsServices> rt(new AwsServices());
  rt->env_ = &env;
  rt->options_ = options;
  rt->logger_ = logger;
  auto switches = CheckEnvironmentSwitches(env);
  if (!switches.ok()) return switches.error();
  auto cfg = core::LoadSharedConfig(env);
  if (!cfg.ok()) return cfg.error();
  rt->config_ = std::move(*cfg);
  std::string profile_name = core::ProfileName(env, options.profile);
  rt->profile_ = rt->config_.Find(profile_name);
  if (!options.profile.empty() && rt->profile_ == nullptr) {
    return Error::Make(ErrorKind::kInvalidInput,
                       "--profile: the profile '" + options.profile + "' is not in " + rt->config_.config_path +
                           " or " + rt->config_.credentials_path,
                       "ProfileNotFound");
  }
  auto region = aws::ResolveRegion(options.region, env, rt->profile_);
  if (!region.ok()) return region.error();
  rt->region_ = *region;

  core::CurlTransportOptions http;
  http.user_agent = std::string("s3snapshot/") + S3SNAPSHOT_VERSION;
  http.ca_bundle = env.Get("AWS_CA_BUNDLE").value_or("");
  http.connect_timeout = std::chrono::seconds(options.connect_timeout_seconds);
  http.request_timeout = std::chrono::seconds(options.read_timeout_seconds);
  if (http.ca_bundle.empty() && rt->profile_ && rt->profile_->count("ca_bundle")) {
    http.ca_bundle = rt->profile_->at("ca_bundle");
  }
  rt->http_ = std::make_unique<core::CurlTransport>(http);
  core::CurlTransportOptions md = http;
  md.connect_timeout = std::chrono::milliseconds(1000);
  md.request_timeout = std::chrono::milliseconds(2000);
  rt->metadata_http_ = std::make_unique<core::CurlTransport>(md);

  core::RetryOptions retry;
  std::string attempts = env.Get("AWS_MAX_ATTEMPTS").value_or("");
  if (attempts.empty() && rt->profile_ && rt->profile_->count("max_attempts")) {
    attempts = rt->profile_->at("max_attempts");
  }
  if (!attempts.empty()) {
    auto n = core::ParseInteger(attempts, 1, 50);
    if (!n) {
      return Invalid(std::string(env.Get("AWS_MAX_ATTEMPTS") ? "AWS_MAX_ATTEMPTS" : "max_attempts (profile)") + ": '" +
                     attempts + "' is not a whole number from 1 to 50");
    }
    retry.max_attempts = static_cast<int>(*n);
  }
  double rate_limit_factor = options.rate_limit_factor;
  if (auto f = env.Get("S3SNAPSHOT_RATE_LIMIT_FACTOR")) {
    auto v = core::ParseDecimal(*f, 0, 1000);
    if (!v) {
      return Invalid("S3SNAPSHOT_RATE_LIMIT_FACTOR: '" + *f +
                     "' is not a number from 0 to 1000 (1 = EC2's default limits, 0 = no client-side limit)");
    }
    rate_limit_factor = *v;
  }
  rt->random_ = std::make_unique<core::SeededRandom>(core::SystemRandom64());
  rt->retryer_ = std::make_unique<core::Retryer>(retry, rt->random_.get());
  if (rate_limit_factor > 0) {
    rt->rate_limiter_ = std::make_unique<core::RateLimiter>(rt->clock_, rate_limit_factor);
    rt->rate_limit_factor_ = rate_limit_factor;
  }

  AwsServices* raw = rt.get();
  aws::StsFactory sts_factory = [raw](core::CredentialsProvider* source) -> std::unique_ptr<aws::StsApi> {
    aws::ClientContext ctx = raw->StsContext(source);
    return std::make_unique<aws::StsClient>(
        raw->region_, aws::ResolveEndpoint("sts", raw->region_, raw->options_.endpoint_url, *raw->env_, raw->profile_),
        ctx);
  };
  aws::ChainOptions chain;
  chain.profile = options.profile;
  chain.session_name = "s3snapshot";
  auto creds = aws::BuildDefaultCredentialChain(env, rt->config_, chain, sts_factory, *rt->metadata_http_, rt->clock_);
  if (!creds.ok()) return creds.error();
  rt->credentials_ = std::move(*creds);
  return rt;
}

aws::ClientContext AwsServices::StsContext(core::CredentialsProvider* creds) {
  // STS's limits are not EC2's: through EC2's shared buckets AssumeRole was
  // a mutating action at 5 a second, and an organization of 256 accounts
  // spent 41 s assuming its roles (bench/org). STS has a limiter of its own
  // (the caller's account, the home region; core/rate_limiter.cc, "sts");
  // each role is assumed once per account and cached, and a throttled
  // AssumeRole is retried with backoff (tests/e2e/test_org.py).
  aws::ClientContext ctx = Context(creds);
  ctx.rate_limiter = LimiterFor("sts", "", region_);
  return ctx;
}

aws::ClientContext AwsServices::Context(core::CredentialsProvider* creds) {
  aws::ClientContext ctx;
  ctx.http = http_.get();
  ctx.credentials = creds;
  ctx.clock = &clock_;
  ctx.retryer = retryer_.get();
  ctx.rate_limiter = rate_limiter_.get();
  ctx.logger = logger_;
  ctx.shared_stats = &stats_;
  ctx.deadline = &deadline_;
  if (creds == credentials_.get()) {
    ctx.on_expired_credentials = [this] { credentials_->Invalidate(); };
  }
  return ctx;
}

core::Status AwsServices::CheckCredentials() {
  auto c = credentials_->GetCredentials();
  if (!c.ok()) return c.error();
  if (logger_) logger_->Debug("credentials", {{"source", c->source}});
  return core::OkStatus();
}

core::RateLimiter* AwsServices::LimiterFor(const std::string& service, const std::string& role_arn,
                                           const std::string& region) {
  if (rate_limit_factor_ <= 0) return nullptr;
  aws::Arn arn;
  const std::string account = role_arn.empty() ? "" : aws::ParseArn(role_arn, &arn) ? arn.account : role_arn;
  std::lock_guard<std::mutex> l(limiters_mu_);
  auto& slot = limiters_[service + "|" + account + "|" + region];
  if (!slot) slot = std::make_unique<core::RateLimiter>(clock_, rate_limit_factor_);
  return slot.get();
}

std::unique_ptr<aws::Ec2Client> AwsServices::Ec2(const std::string& region) {
  aws::ClientContext ctx = Context(credentials_.get());
  ctx.rate_limiter = LimiterFor("ec2", "", region);
  return std::make_unique<aws::Ec2Client>(
      region, aws::ResolveEndpoint("ec2", region, options_.endpoint_url, *env_, profile_), ctx);
}

std::unique_ptr<aws::Ec2Client> AwsServices::Ec2As(const std::string& role_arn, const std::string& external_id,
                                                   const std::string& region) {
  aws::ClientContext ctx = RoleContext(role_arn, external_id);
  ctx.rate_limiter = LimiterFor("ec2", role_arn, region);
  return std::make_unique<aws::Ec2Client>(
      region, aws::ResolveEndpoint("ec2", region, options_.endpoint_url, *env_, profile_), ctx);
}

aws::ClientContext AwsServices::RoleContext(const std::string& role_arn, const std::string& external_id) {
  core::CachingCredentialsProvider* provider;
  {
    std::lock_guard<std::mutex> l(roles_mu_);
    auto& slot = roles_[role_arn + "|" + external_id];
    if (!slot) {
      aws::AssumeRoleRequest req;
      req.role_arn = role_arn;
      req.external_id = external_id;
      req.session_name = "s3snapshot";
      aws::StsFactory factory = [this](core::CredentialsProvider* source) -> std::unique_ptr<aws::StsApi> {
        return std::make_unique<aws::StsClient>(
            region_, aws::ResolveEndpoint("sts", region_, options_.endpoint_url, *env_, profile_), StsContext(source));
      };
      auto assume = std::make_unique<aws::AssumeRoleCredentialsProvider>(
          std::make_unique<core::BorrowedCredentialsProvider>(credentials_.get()), factory, req);
      slot = std::make_unique<core::CachingCredentialsProvider>(std::move(assume), clock_);
    }
    provider = slot.get();
  }
  aws::ClientContext ctx = Context(provider);
  ctx.on_expired_credentials = [provider] { provider->Invalidate(); };
  return ctx;
}

std::unique_ptr<aws::SnsClient> AwsServices::Sns(const std::string& region) {
  return std::make_unique<aws::SnsClient>(
      region, aws::ResolveEndpoint("sns", region, options_.endpoint_url, *env_, profile_), Context(credentials_.get()));
}

std::unique_ptr<aws::StsClient> AwsServices::Sts(const std::string& region) {
  return std::make_unique<aws::StsClient>(region,
                                          aws::ResolveEndpoint("sts", region, options_.endpoint_url, *env_, profile_),
                                          StsContext(credentials_.get()));
}

std::unique_ptr<aws::CloudWatchApi> AwsServices::CloudWatchFor(const std::string& region) {
  return std::make_unique<aws::CloudWatchClient>(
      region, aws::ResolveEndpoint("monitoring", region, options_.endpoint_url, *env_, profile_),
      Context(credentials_.get()));
}

std::unique_ptr<aws::SsmClient> AwsServices::Ssm(const std::string& region) { return SsmAs("", "", region); }

std::unique_ptr<aws::SsmClient> AwsServices::SsmAs(const std::string& role_arn, const std::string& external_id,
                                                   const std::string& region) {
  aws::ClientContext ctx = role_arn.empty() ? Context(credentials_.get()) : RoleContext(role_arn, external_id);
  ctx.rate_limiter = LimiterFor("ssm", role_arn, region);
  return std::make_unique<aws::SsmClient>(
      region, aws::ResolveEndpoint("ssm", region, options_.endpoint_url, *env_, profile_), ctx);
}

std::unique_ptr<aws::OrganizationsApi> AwsServices::Organizations() {
  const std::string region = aws::OrganizationsRegion(region_);
  return std::make_unique<aws::OrganizationsClient>(
      region, aws::ResolveEndpoint("organizations", region, options_.endpoint_url, *env_, profile_),
      Context(credentials_.get()));
}

core::Result<std::string> AwsServices::CallerAccount() {
  auto id = Sts(region_)->GetCallerIdentity();
  if (!id.ok()) return id.error();
  return id->account;
}

}  // namespace s3snapshot::app
