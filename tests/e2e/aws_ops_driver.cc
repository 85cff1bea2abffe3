// Test driver: one AWS operation through s3snapshot's own aws/ clients,
// result as JSON on stdout. Used by test_aws_operations.py, which seeds and
// checks with boto3. Region and endpoint come from AWS_REGION and
// AWS_ENDPOINT_URL, credentials from the default chain.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/aws_services.h"

using nlohmann::json;
using namespace s3snapshot;

namespace {

std::vector<aws::Tag> Tags(const std::vector<std::string>& args, size_t from) {
  std::vector<aws::Tag> tags;
  for (size_t i = from; i < args.size(); ++i) {
    size_t eq = args[i].find('=');
    tags.push_back({args[i].substr(0, eq), args[i].substr(eq + 1)});
  }
  return tags;
}

json SnapJson(const aws::Snapshot& s) {
  json t = json::object();
  for (const auto& tag : s.tags) t[tag.key] = tag.value;
  return {{"snapshot_id", s.snapshot_id},
          {"volume_id", s.volume_id},
          {"state", s.state},
          {"description", s.description},
          {"tags", t}};
}

int Fail(const core::Error& e) {
  json j = {{"error",
             {{"kind", core::ErrorKindName(e.kind)},
              {"code", e.code},
              {"message", e.message},
              {"request_id", e.request_id}}}};
  std::cout << j.dump() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty()) {
    std::cerr << "usage: aws_ops_driver OPERATION [ARGS...]\n";
    return 2;
  }
  core::SystemEnv env;
  core::NullLogger logger;
  auto rt = app::AwsServices::Create(env, {}, &logger);
  if (!rt.ok()) return Fail(rt.error());
  auto ec2 = (*rt)->Ec2((*rt)->region());
  const std::string& op = a[0];
  json out;
  if (op == "DescribeInstances") {
    aws::DescribeInstancesRequest req;
    if (a.size() >= 3) req.filters = {{a[1], {a[2]}}};
    if (a.size() >= 4) req.max_results = std::stoi(a[3]);
    auto r = aws::DescribeAllInstances(*ec2, req);
    if (!r.ok()) return Fail(r.error());
    out = json::array();
    for (const auto& i : *r) {
      json vols = json::array();
      for (const auto& bd : i.block_devices) vols.push_back({{"device", bd.device_name}, {"volume_id", bd.volume_id}});
      out.push_back({{"instance_id", i.instance_id}, {"state", i.state}, {"volumes", vols}});
    }
  } else if (op == "StopInstances" || op == "StartInstances") {
    std::vector<std::string> ids(a.begin() + 1, a.end());
    auto r = op == "StopInstances" ? ec2->StopInstances(ids) : ec2->StartInstances(ids);
    if (!r.ok()) return Fail(r.error());
    out = json::array();
    for (const auto& c : *r)
      out.push_back({{"instance_id", c.instance_id}, {"previous", c.previous_state}, {"current", c.current_state}});
  } else if (op == "CreateSnapshots") {
    aws::CreateSnapshotsRequest req;
    req.instance_id = a.at(1);
    req.description = a.at(2);
    req.tags = Tags(a, 3);
    auto r = ec2->CreateSnapshots(req);
    if (!r.ok()) return Fail(r.error());
    out = json::array();
    for (const auto& s : *r) out.push_back(SnapJson(s));
  } else if (op == "CreateTags") {
    auto r = ec2->CreateTags({a.at(1)}, Tags(a, 2));
    if (!r.ok()) return Fail(r.error());
    out = {{"ok", true}};
  } else if (op == "DeleteTags") {
    auto r = ec2->DeleteTags({a.at(1)}, std::vector<std::string>(a.begin() + 2, a.end()));
    if (!r.ok()) return Fail(r.error());
    out = {{"ok", true}};
  } else if (op == "DescribeSnapshots") {
    aws::DescribeSnapshotsRequest req;
    req.owner_ids = {"self"};
    if (a.size() >= 3) req.filters = {{a[1], {a[2]}}};
    auto r = aws::DescribeAllSnapshots(*ec2, req);
    if (!r.ok()) return Fail(r.error());
    out = json::array();
    for (const auto& s : *r) out.push_back(SnapJson(s));
  } else if (op == "DeleteSnapshot") {
    auto r = ec2->DeleteSnapshot(a.at(1));
    if (!r.ok()) return Fail(r.error());
    out = {{"ok", true}};
  } else if (op == "DeleteVolume") {
    auto r = ec2->DeleteVolume(a.at(1));
    if (!r.ok()) return Fail(r.error());
    out = {{"ok", true}};
  } else if (op == "CopySnapshot") {
    aws::CopySnapshotRequest req;
    req.source_region = a.at(1);
    req.source_snapshot_id = a.at(2);
    req.description = a.at(3);
    req.tags = Tags(a, 4);
    auto r = ec2->CopySnapshot(req);
    if (!r.ok()) return Fail(r.error());
    out = {{"snapshot_id", *r}};
  } else if (op == "DescribeRegions") {
    auto r = ec2->DescribeRegions();
    if (!r.ok()) return Fail(r.error());
    out = *r;
  } else if (op == "Publish") {
    auto sns = (*rt)->Sns((*rt)->region());
    auto r = sns->Publish(a.at(1), a.at(2), a.at(3));
    if (!r.ok()) return Fail(r.error());
    out = {{"message_id", *r}};
  } else if (op == "SendCommand") {
    // SendCommand DOCUMENT INSTANCE_ID COMMAND...
    aws::SendCommandRequest req;
    req.document_name = a.at(1);
    req.instance_ids = {a.at(2)};
    req.parameters["commands"] = std::vector<std::string>(a.begin() + 3, a.end());
    req.timeout_seconds = 30;
    req.comment = "s3snapshot e2e";
    auto ssm = (*rt)->Ssm((*rt)->region());
    auto r = ssm->SendCommand(req);
    if (!r.ok()) return Fail(r.error());
    out = {{"command_id", *r}};
  } else if (op == "GetCommandInvocation") {
    auto ssm = (*rt)->Ssm((*rt)->region());
    auto r = aws::GetInvocationAfterSend(*ssm, (*rt)->clock(), a.at(1), a.at(2));
    if (!r.ok()) return Fail(r.error());
    out = {{"status", r->status},
           {"response_code", r->response_code},
           {"command_id", r->command_id},
           {"instance_id", r->instance_id}};
  } else if (op == "GetCallerIdentity") {
    auto sts = (*rt)->Sts((*rt)->region());
    auto r = sts->GetCallerIdentity();
    if (!r.ok()) return Fail(r.error());
    out = {{"account", r->account}, {"arn", r->arn}, {"user_id", r->user_id}};
  } else if (op == "AssumeRole" || op == "AssumeRoleWithWebIdentity") {
    auto sts = (*rt)->Sts((*rt)->region());
    auto r = op == "AssumeRole" ? sts->AssumeRole({a.at(1), a.at(2), a.size() > 3 ? a[3] : "", 0})
                                : sts->AssumeRoleWithWebIdentity(a.at(1), a.at(2), a.at(3));
    if (!r.ok()) return Fail(r.error());
    out = {{"access_key_id", r->access_key_id},
           {"has_secret", !r->secret_access_key.empty()},
           {"has_token", !r->session_token.empty()},
           {"expires", r->expiration.has_value()}};
  } else if (op == "Credentials") {
    auto st = (*rt)->CheckCredentials();
    if (!st.ok()) return Fail(st.error());
    out = {{"ok", true}};
  } else {
    std::cerr << "unknown operation " << op << "\n";
    return 2;
  }
  std::cout << out.dump() << "\n";
  return 0;
}
