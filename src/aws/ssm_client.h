// SSM Run Command (API version 2014-11-06), over the JSON 1.1 protocol
// (POST /, X-Amz-Target: AmazonSSM.<Operation>): SendCommand and
// GetCommandInvocation, on the same signer, credentials, retries and rate
// limiting as EC2 (aws_client.h). For pre- and post-scripts around a snapshot.
#ifndef S3SNAPSHOT_AWS_SSM_CLIENT_H_
#define S3SNAPSHOT_AWS_SSM_CLIENT_H_

#include <map>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "core/clock.h"
#include "core/result.h"

namespace s3snapshot::aws {

struct SendCommandRequest {
  std::string document_name;                                   // "AWS-RunShellScript", or a document of the caller's
  std::vector<std::string> instance_ids;                       // at most kMaxInstancesPerCommand
  std::map<std::string, std::vector<std::string>> parameters;  // {"commands": ["..."]}
  int timeout_seconds = 0;  // TimeoutSeconds (30..2592000): how long to wait to *deliver*; 0: the default
  std::string comment;      // at most 100 characters
};

// The states of one instance's invocation, as SSM names them.
struct CommandInvocation {
  std::string command_id, instance_id;
  // Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling
  std::string status;
  std::string status_details;
  int response_code = -1;  // the script's exit status; -1 until it ran
  std::string standard_output, standard_error;

  bool Done() const;       // a final state
  bool Succeeded() const;  // Success
};

class SsmApi {
 public:
  virtual ~SsmApi() = default;
  // Returns the CommandId. Not resent after an ambiguous failure: the
  // command might run twice (SSM takes no client token).
  virtual core::Result<std::string> SendCommand(const SendCommandRequest& req) = 0;
  // InvocationDoesNotExist is kNotFound: SSM may say so right after
  // SendCommand (see GetInvocationAfterSend).
  virtual core::Result<CommandInvocation> GetCommandInvocation(const std::string& command_id,
                                                               const std::string& instance_id) = 0;
};

// SendCommand takes at most 50 instance ids.
inline constexpr size_t kMaxInstancesPerCommand = 50;
// Right after SendCommand, GetCommandInvocation may answer
// InvocationDoesNotExist for a moment: asked again this many times, with
// `clock`'s sleeps of 1, 2, 4 ... s between.
inline constexpr int kInvocationLookups = 5;

// GetCommandInvocation, asked again (bounded) while SSM says the invocation
// does not exist yet (InvocationDoesNotExist; any other error is final).
core::Result<CommandInvocation> GetInvocationAfterSend(SsmApi& ssm, core::Clock& clock, const std::string& command_id,
                                                       const std::string& instance_id);

class SsmClient : public SsmApi {
 public:
  static constexpr const char* kTargetPrefix = "AmazonSSM";
  SsmClient(std::string region, std::string endpoint, ClientContext ctx)
      : client_("ssm", kTargetPrefix, std::move(region), std::move(endpoint), std::move(ctx)) {}
  core::Result<std::string> SendCommand(const SendCommandRequest& req) override;
  core::Result<CommandInvocation> GetCommandInvocation(const std::string& command_id,
                                                       const std::string& instance_id) override;

 private:
  AwsClient client_;
};

// Request bodies and answer parsers, exposed for tests on recorded JSON.
std::string SendCommandBody(const SendCommandRequest& req);
core::Result<std::string> ParseSendCommand(const std::string& json);
core::Result<CommandInvocation> ParseGetCommandInvocation(const std::string& json);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_SSM_CLIENT_H_
