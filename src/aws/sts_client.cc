#include "aws/sts_client.h"

#include <pugixml.hpp>

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using core::Result;

Result<CallerIdentity> ParseGetCallerIdentity(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()) ||
      std::string(doc.document_element().name()) != "GetCallerIdentityResponse") {
    return Error::Make(ErrorKind::kMalformed, "cannot parse the GetCallerIdentity response", "MalformedResponse");
  }
  pugi::xml_node r = doc.document_element().child("GetCallerIdentityResult");
  return CallerIdentity{r.child_value("Account"), r.child_value("Arn"), r.child_value("UserId")};
}

Result<core::Credentials> ParseAssumeRoleCredentials(const std::string& xml, const std::string& root_name) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()) ||
      std::string(doc.document_element().name()) != root_name + "Response") {
    return Error::Make(ErrorKind::kMalformed, "cannot parse the " + root_name + " response", "MalformedResponse");
  }
  pugi::xml_node c = doc.document_element().child((root_name + "Result").c_str()).child("Credentials");
  core::Credentials out;
  out.access_key_id = c.child_value("AccessKeyId");
  out.secret_access_key = c.child_value("SecretAccessKey");
  out.session_token = c.child_value("SessionToken");
  std::string exp = c.child_value("Expiration");
  core::WallTime t;
  if (!exp.empty() && core::ParseIso8601(exp, &t)) out.expiration = t;
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return Error::Make(ErrorKind::kMalformed, root_name + " response without credentials", "MalformedResponse");
  }
  out.source = root_name;
  return out;
}

Result<CallerIdentity> StsClient::GetCallerIdentity() {
  auto r = client_.Call("GetCallerIdentity", QueryParams());
  if (!r.ok()) return r.error();
  return ParseGetCallerIdentity(r->body);
}

Result<core::Credentials> StsClient::AssumeRole(const AssumeRoleRequest& req) {
  QueryParams p;
  p.Set("RoleArn", req.role_arn);
  p.Set("RoleSessionName", req.session_name);
  if (!req.external_id.empty()) p.Set("ExternalId", req.external_id);
  if (req.duration_seconds > 0) p.Set("DurationSeconds", std::to_string(req.duration_seconds));
  auto r = client_.Call("AssumeRole", p);
  if (!r.ok()) return r.error().WithContext("assuming " + req.role_arn);
  return ParseAssumeRoleCredentials(r->body, "AssumeRole");
}

Result<core::Credentials> StsClient::AssumeRoleWithWebIdentity(const std::string& role_arn,
                                                               const std::string& session_name,
                                                               const std::string& token) {
  QueryParams p;
  p.Set("RoleArn", role_arn);
  p.Set("RoleSessionName", session_name);
  p.Set("WebIdentityToken", token);
  auto r = client_.Call("AssumeRoleWithWebIdentity", p, true, /*sign=*/false);
  if (!r.ok()) return r.error().WithContext("assuming " + role_arn + " with a web identity");
  return ParseAssumeRoleCredentials(r->body, "AssumeRoleWithWebIdentity");
}

}  // namespace s3snapshot::aws
