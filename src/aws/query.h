// The AWS Query protocol (EC2, SNS, STS): form-encoded requests with flattened
// lists and structures, XML responses with two error shapes.
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html
#ifndef S3SNAPSHOT_AWS_QUERY_H_
#define S3SNAPSHOT_AWS_QUERY_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace s3snapshot::aws {

struct Tag {
  std::string key, value;
  bool operator==(const Tag& o) const { return key == o.key && value == o.value; }
};

struct Filter {
  std::string name;
  std::vector<std::string> values;
};

// Ordered request parameters. EC2 lists are 1-based: Prefix.1, Prefix.2, ...
class QueryParams {
 public:
  QueryParams& Set(const std::string& key, const std::string& value);
  // Name.1=a, Name.2=b ... (EC2 "InstanceId.N"); `member` adds ".member" (SNS/STS).
  QueryParams& SetList(const std::string& prefix, const std::vector<std::string>& values);
  // Filter.N.Name, Filter.N.Value.M
  QueryParams& SetFilters(const std::vector<Filter>& filters);
  // TagSpecification.N.ResourceType, TagSpecification.N.Tag.M.Key/Value
  QueryParams& SetTagSpecification(int n, const std::string& resource_type, const std::vector<Tag>& tags);
  // Tag.N.Key, Tag.N.Value (CreateTags)
  QueryParams& SetTags(const std::string& prefix, const std::vector<Tag>& tags);

  // "Action=...&Version=...&k=v..." form-encoded, RFC 3986.
  std::string Encode(const std::string& action, const std::string& version) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  std::string Get(const std::string& key) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// An error response body parsed: EC2's <Response><Errors><Error> or
// SNS/STS's <ErrorResponse><Error>. Returns false when the body is neither.
struct AwsErrorBody {
  std::string code, message, request_id;
};
bool ParseErrorBody(const std::string& body, AwsErrorBody* out);

// The request id of a successful response: <requestId> (EC2) or
// <ResponseMetadata><RequestId> (SNS/STS). Empty when absent.
std::string ParseRequestId(const std::string& body);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_QUERY_H_
