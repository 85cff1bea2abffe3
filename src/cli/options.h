// The command line: the seed's flags and spelling (-sp included), plus the AWS
// CLI conventions. Parsing only; no AWS calls.
#ifndef S3SNAPSHOT_CLI_OPTIONS_H_
#define S3SNAPSHOT_CLI_OPTIONS_H_

#include <string>
#include <vector>

#include "core/result.h"

namespace s3snapshot::cli {

struct CliOptions {
  std::string label;
  bool stop = false, stopped = false, verbose = false, protect = false;
  bool all = false, dry_run = false;
  std::string sns_arn, sns_arn_error;
  std::string filter;       // JSON text, "@path", or "-"
  bool filter_given = false;
  std::string output = "text";
  std::string region, profile, endpoint_url;
  std::vector<std::string> regions;       // --region a,b or all (region: the first)
  std::vector<std::string> assume_roles;  // --assume-role, repeatable
  std::string external_id;
  std::vector<std::string> copy_to_regions;  // --copy-to-region, repeatable
  std::string kms_key_id;
  int stop_timeout_seconds = 600;
  int concurrency = 8;
  int connect_timeout_seconds = 3, read_timeout_seconds = 30;
  int keep = 0, keep_days = 0;
  bool prune_orphans = false;
  bool wait = false;
  int wait_timeout_seconds = 3600;
  bool help = false, version = false;
  std::vector<std::string> flags_given;  // document keys given as flags ("stop", "label", ...)
};

// kInvalidInput with a message naming the option on any mistake.
core::Result<CliOptions> ParseArgs(const std::vector<std::string>& args);

std::string UsageText();

}  // namespace s3snapshot::cli

#endif  // S3SNAPSHOT_CLI_OPTIONS_H_
