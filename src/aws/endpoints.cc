#include "aws/endpoints.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/parse.h"

namespace s3snapshot::aws {

std::string PartitionOf(const std::string& region) {
  if (region.rfind("cn-", 0) == 0) return "aws-cn";
  if (region.rfind("us-gov-", 0) == 0) return "aws-us-gov";
  return "aws";
}

bool IsValidRegionName(const std::string& region) {
  static const std::regex kRegion("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$");
  return std::regex_match(region, kRegion);
}

const std::vector<std::string>& KnownRegions() {
  static const std::vector<std::string> kRegions = {
      "af-south-1",     "ap-east-1",      "ap-east-2",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
      "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",   "ca-west-1",      "cn-north-1",
      "cn-northwest-1", "eu-central-1",   "eu-central-2",   "eu-north-1",     "eu-south-1",     "eu-south-2",
      "eu-west-1",      "eu-west-2",      "eu-west-3",      "il-central-1",   "me-central-1",   "me-south-1",
      "mx-central-1",   "sa-east-1",      "us-east-1",      "us-east-2",      "us-gov-east-1",  "us-gov-west-1",
      "us-west-1",      "us-west-2"};
  return kRegions;
}

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string UnknownRegionProblem(const std::string& region) {
  const auto& known = KnownRegions();
  if (std::binary_search(known.begin(), known.end(), region)) return "";
  std::string best;
  size_t best_distance = 3;  // a suggestion only for a near miss
  for (const auto& r : known) {
    size_t d = EditDistance(region, r);
    if (d < best_distance) best_distance = d, best = r;
  }
  return "'" + region + "' is not an AWS region" + (best.empty() ? "" : " (did you mean " + best + "?)") +
         "; the regions are those of `aws ec2 describe-regions --all-regions`";
}

core::Result<std::string> ResolveRegion(const std::string& cli_region, const core::Env& env,
                                        const core::Profile* profile) {
  std::string region, source;
  if (!cli_region.empty()) {
    region = cli_region, source = "--region";
  } else if (auto r = env.Get("AWS_REGION")) {
    region = *r, source = "AWS_REGION";
  } else if (auto r2 = env.Get("AWS_DEFAULT_REGION")) {
    region = *r2, source = "AWS_DEFAULT_REGION";
  } else if (profile != nullptr && profile->count("region")) {
    region = profile->at("region"), source = "the profile's region";
  } else {
    return core::Error::Make(core::ErrorKind::kInvalidInput,
                             "no region: use --region, set AWS_REGION, or set region in ~/.aws/config", "NoRegion");
  }
  if (!IsValidRegionName(region)) {
    return core::Error::Make(core::ErrorKind::kInvalidInput,
                             source + ": '" + region + "' is not a region name (e.g. us-east-1)", "InvalidRegion");
  }
  if (auto problem = UnknownRegionProblem(region); !problem.empty()) {
    return core::Error::Make(core::ErrorKind::kInvalidInput, source + ": " + problem, "InvalidRegion");
  }
  return region;
}

std::string ResolveEndpoint(const std::string& service, const std::string& region, const std::string& cli_endpoint_url,
                            const core::Env& env, const core::Profile* profile) {
  if (!cli_endpoint_url.empty()) return cli_endpoint_url;
  auto ignore = env.Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (!(ignore && core::ParseBoolean(*ignore).value_or(false))) {
    std::string upper = service;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    // The variable is named by the SDKs' service id: CloudWatch signs and is
    // reached as "monitoring".
    if (upper == "MONITORING") upper = "CLOUDWATCH";
    if (auto e = env.Get("AWS_ENDPOINT_URL_" + upper)) return *e;
    if (auto e = env.Get("AWS_ENDPOINT_URL")) return *e;
    if (profile != nullptr && profile->count("endpoint_url")) return profile->at("endpoint_url");
  }
  std::string suffix = PartitionOf(region) == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + service + "." + region + "." + suffix;
}

}  // namespace s3snapshot::aws
