#include "aws/ssm_client.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using nlohmann::json;

namespace {

Error Malformed(const std::string& what) {
  return Error::Make(ErrorKind::kMalformed, "cannot parse the " + what + " response", "MalformedResponse");
}

std::string StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool CommandInvocation::Done() const {
  return status == "Success" || status == "Cancelled" || status == "TimedOut" || status == "Failed";
}

bool CommandInvocation::Succeeded() const { return status == "Success"; }

std::string SendCommandBody(const SendCommandRequest& req) {
  json j = {{"DocumentName", req.document_name}, {"InstanceIds", req.instance_ids}};
  if (!req.parameters.empty()) j["Parameters"] = req.parameters;
  if (req.timeout_seconds > 0) j["TimeoutSeconds"] = req.timeout_seconds;
  if (!req.comment.empty()) j["Comment"] = req.comment.substr(0, 100);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<std::string> ParseSendCommand(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("Command") || !j["Command"].is_object()) return Malformed("SendCommand");
  std::string id = StringAt(j["Command"], "CommandId");
  if (id.empty()) return Malformed("SendCommand");
  return id;
}

core::Result<CommandInvocation> ParseGetCommandInvocation(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Malformed("GetCommandInvocation");
  CommandInvocation inv;
  inv.command_id = StringAt(j, "CommandId");
  inv.instance_id = StringAt(j, "InstanceId");
  inv.status = StringAt(j, "Status");
  inv.status_details = StringAt(j, "StatusDetails");
  inv.standard_output = StringAt(j, "StandardOutputContent");
  inv.standard_error = StringAt(j, "StandardErrorContent");
  if (j.contains("ResponseCode") && j["ResponseCode"].is_number_integer()) inv.response_code = j["ResponseCode"];
  if (inv.status.empty()) return Malformed("GetCommandInvocation");
  return inv;
}

core::Result<std::string> SsmClient::SendCommand(const SendCommandRequest& req) {
  if (req.instance_ids.empty() || req.instance_ids.size() > kMaxInstancesPerCommand) {
    return Error::Make(ErrorKind::kInternal, "SendCommand takes 1 to 50 instance ids", "InternalError");
  }
  auto r = client_.CallJson("SendCommand", SendCommandBody(req), /*idempotent=*/false);
  if (!r.ok()) return r.error();
  return ParseSendCommand(r->body);
}

core::Result<CommandInvocation> SsmClient::GetCommandInvocation(const std::string& command_id,
                                                                const std::string& instance_id) {
  json body = {{"CommandId", command_id}, {"InstanceId", instance_id}};
  auto r = client_.CallJson("GetCommandInvocation", body.dump());
  if (!r.ok()) return r.error();
  return ParseGetCommandInvocation(r->body);
}

core::Result<CommandInvocation> GetInvocationAfterSend(SsmApi& ssm, core::Clock& clock, const std::string& command_id,
                                                       const std::string& instance_id) {
  for (int attempt = 0;; ++attempt) {
    auto inv = ssm.GetCommandInvocation(command_id, instance_id);
    // Only SSM's "not yet" is asked again; InvalidCommandId and the like are final.
    if (inv.ok() || inv.error().code != "InvocationDoesNotExist" || attempt + 1 >= kInvocationLookups) return inv;
    clock.Sleep(core::ExponentialBackoff(core::Duration(1000), core::Duration(8000), attempt));
  }
}

}  // namespace s3snapshot::aws
