// libFuzzer target: every AWS response parser (XML, and SSM's JSON 1.1), on
// arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/ec2_client.h"
#include "aws/query.h"
#include "aws/sns_client.h"
#include "aws/ssm_client.h"
#include "aws/sts_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3snapshot::aws;
  std::string xml(reinterpret_cast<const char*>(data), size);
  (void)ParseDescribeInstances(xml);
  (void)ParseInstanceStateChanges(xml);
  (void)ParseCreateSnapshots(xml);
  (void)ParseDescribeSnapshots(xml);
  (void)ParseCopySnapshot(xml);
  (void)ParseDescribeRegions(xml);
  (void)ParseDescribeVolumeIds(xml);
  (void)ParsePublish(xml);
  (void)ParseGetCallerIdentity(xml);
  (void)ParseAssumeRoleCredentials(xml, "AssumeRole");
  AwsErrorBody e;
  (void)ParseErrorBody(xml, &e);
  (void)ParseRequestId(xml);
  (void)ParseSendCommand(xml);
  (void)ParseGetCommandInvocation(xml);
  (void)ParseJsonErrorBody(xml, &e);
  return 0;
}
