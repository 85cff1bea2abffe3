#include "aws/arn.h"

#include <vector>

namespace s3snapshot::aws {

bool ParseArn(const std::string& s, Arn* out) {
  if (s.rfind("arn:", 0) != 0) return false;
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t c = s.find(':', start);
    if (c == std::string::npos) return false;
    parts.push_back(s.substr(start, c - start));
    start = c + 1;
  }
  out->partition = parts[1];
  out->service = parts[2];
  out->region = parts[3];
  out->account = parts[4];
  out->resource = s.substr(start);
  return !out->partition.empty() && !out->service.empty() && !out->resource.empty();
}

}  // namespace s3snapshot::aws
