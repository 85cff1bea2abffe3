// The command line: the seed's flags and spelling (-sp included), plus the AWS
// CLI conventions (--opt=value, repeatable list flags). Every option comes from
// the settings table (job/settings.h); this file only reads argv. No AWS calls.
#ifndef S3SNAPSHOT_CLI_OPTIONS_H_
#define S3SNAPSHOT_CLI_OPTIONS_H_

#include <string>
#include <vector>

#include "core/result.h"
#include "spec/settings.h"

namespace s3snapshot::cli {

// The values of the options given, by setting name ("label", "output",
// "regions", ...). kInvalidInput with a message naming the option on any
// mistake: unknown option (with a suggestion), missing or unexpected value,
// a number out of range, --filter twice, --stop with --stopped.
core::Result<spec::SettingValues> ParseArgs(const std::vector<std::string>& args);

// --help of a snapshot run, or of `s3snapshot audit` (its options only),
// in the table's sections: generated from the settings table.
std::string UsageText(spec::JobSpec::Command command = spec::JobSpec::Command::kSnapshot);
// One option's help as --help (and the man page) print it: the table's
// text with the document keys and the default filled in.
std::string HelpOf(const spec::Setting& s);

}  // namespace s3snapshot::cli

#endif  // S3SNAPSHOT_CLI_OPTIONS_H_
