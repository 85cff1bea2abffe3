#include "aws/query.h"

#include <cstring>
#include <pugixml.hpp>

#include "core/sigv4.h"

namespace s3snapshot::aws {

QueryParams& QueryParams::Set(const std::string& key, const std::string& value) {
  items_.emplace_back(key, value);
  return *this;
}

QueryParams& QueryParams::SetList(const std::string& prefix, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) Set(prefix + "." + std::to_string(i + 1), values[i]);
  return *this;
}

QueryParams& QueryParams::SetFilters(const std::vector<Filter>& filters) {
  for (size_t i = 0; i < filters.size(); ++i) {
    std::string p = "Filter." + std::to_string(i + 1);
    Set(p + ".Name", filters[i].name);
    SetList(p + ".Value", filters[i].values);
  }
  return *this;
}

QueryParams& QueryParams::SetTagSpecification(int n, const std::string& resource_type, const std::vector<Tag>& tags) {
  std::string p = "TagSpecification." + std::to_string(n);
  Set(p + ".ResourceType", resource_type);
  return SetTags(p + ".Tag", tags);
}

QueryParams& QueryParams::SetTags(const std::string& prefix, const std::vector<Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string p = prefix + "." + std::to_string(i + 1);
    Set(p + ".Key", tags[i].key);
    Set(p + ".Value", tags[i].value);
  }
  return *this;
}

namespace {
// application/x-www-form-urlencoded as the AWS SDKs send it (botocore's
// urlencode): RFC 3986 unreserved characters kept, space as '+', the rest %XX.
std::string FormEncode(const std::string& s) {
  std::string out = core::UriEncode(s, false);
  std::string r;
  r.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "%20") == 0) {
      r += '+';
      i += 2;
    } else {
      r += out[i];
    }
  }
  return r;
}
}  // namespace

std::string QueryParams::Encode(const std::string& action, const std::string& version) const {
  std::string s = "Action=" + FormEncode(action) + "&Version=" + FormEncode(version);
  for (const auto& [k, v] : items_) s += "&" + FormEncode(k) + "=" + FormEncode(v);
  return s;
}

std::string QueryParams::Get(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return "";
}

bool ParseErrorBody(const std::string& body, AwsErrorBody* out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node root = doc.document_element();
  std::string name = root.name();
  pugi::xml_node err;
  if (name == "Response" || (name == "ErrorResponse" && root.child("Errors"))) {
    // EC2's shape; some endpoints wrap it in <ErrorResponse> instead.
    err = root.child("Errors").child("Error");
    out->request_id = root.child_value("RequestID");
    if (out->request_id.empty()) out->request_id = root.child_value("RequestId");
    if (out->request_id.empty()) out->request_id = root.child_value("RequestId");
  } else if (name == "ErrorResponse") {
    err = root.child("Error");
    out->request_id = root.child_value("RequestId");
  } else {
    return false;
  }
  if (!err) return false;
  out->code = err.child_value("Code");
  out->message = err.child_value("Message");
  return !out->code.empty();
}

std::string ParseRequestId(const std::string& body) {
  // A scan, not a parse: a DescribeInstances page can be megabytes, and a
  // second DOM of it just for this id doubled the run's peak memory. EC2
  // puts <requestId> first under the root; SNS and STS put <RequestId> in
  // <ResponseMetadata> at the end. Neither name is used deeper in those
  // responses, and text cannot contain '<' unescaped.
  for (const char* open : {"<requestId>", "<RequestId>"}) {
    size_t b = body.find(open);
    if (b == std::string::npos) continue;
    b += std::strlen(open);
    size_t e = body.find('<', b);
    if (e == std::string::npos || body.compare(e, 2, "</") != 0) continue;
    std::string id = body.substr(b, e - b);
    size_t first = id.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    size_t last = id.find_last_not_of(" \t\r\n");
    return id.substr(first, last - first + 1);
  }
  return "";
}

}  // namespace s3snapshot::aws
