#include "aws/sns_client.h"

#include <pugixml.hpp>
#include <regex>

#include "aws/endpoints.h"

namespace s3snapshot::aws {

core::Result<std::string> ParsePublish(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()) || std::string(doc.document_element().name()) != "PublishResponse") {
    return core::Error::Make(core::ErrorKind::kMalformed, "cannot parse the Publish response", "MalformedResponse");
  }
  return std::string(doc.document_element().child("PublishResult").child_value("MessageId"));
}

core::Result<std::string> SnsClient::Publish(const std::string& topic_arn, const std::string& subject,
                                             const std::string& message) {
  QueryParams p;
  p.Set("TopicArn", topic_arn);
  if (!subject.empty()) p.Set("Subject", subject);
  p.Set("Message", message);
  // Publish is not idempotent either, but a duplicate notification is harmless
  // next to a lost one: ambiguous failures are retried.
  auto r = client_.Call("Publish", p, /*idempotent=*/true);
  if (!r.ok()) return r.error();
  return ParsePublish(r->body);
}

std::string SnsTopicArnProblem(const std::string& s) {
  Arn a;
  if (!ParseArn(s, &a)) return "not an ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)";
  static const std::regex kAccount("^[0-9]{12}$");
  static const std::regex kTopic("^[A-Za-z0-9_-]{1,256}(\\.fifo)?$");
  if (a.partition != "aws" && a.partition != "aws-cn" && a.partition != "aws-us-gov") {
    return "the partition '" + a.partition + "' is not aws, aws-cn or aws-us-gov";
  }
  if (a.service != "sns") return "the service is '" + a.service + "', not sns";
  if (!IsValidRegionName(a.region)) return "the region '" + a.region + "' is not a region name (e.g. us-east-1)";
  if (!std::regex_match(a.account, kAccount)) return "the account '" + a.account + "' is not 12 digits";
  if (!std::regex_match(a.resource, kTopic)) {
    return "the topic name '" + a.resource + "' is not 1 to 256 of A-Z a-z 0-9 _ - (and .fifo)";
  }
  return "";
}

bool IsValidSnsTopicArn(const std::string& s) { return SnsTopicArnProblem(s).empty(); }

}  // namespace s3snapshot::aws
