// The CLI's one function: argv in, exit code out.
#ifndef S3SNAPSHOT_CLI_CLI_H_
#define S3SNAPSHOT_CLI_CLI_H_

#include <cstdio>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/env.h"

namespace s3snapshot::cli {

// Runs the command line. Reads stdin only for "--filter -". Writes the report
// to `out` and diagnostics to stderr. Returns the exit code (0, 1, 2).
int RunCli(const std::vector<std::string>& args, const core::Env& env, std::istream& in, std::ostream& out);

}  // namespace s3snapshot::cli

#endif  // S3SNAPSHOT_CLI_CLI_H_
