// Every setting of a run, once: its command-line flags, its key in the
// --filter document and the Lambda payload, its type and bounds, its help
// text, and the JobSpec field it sets. The option parser (cli/options.cc),
// the document parser (filter.cc), --help, the document key list and the
// README's tables (tested to agree) all come from this one table, so a new
// option is added here once. Defaults live in JobSpec's initializers and
// nowhere else (--help reads them from a default JobSpec).
#ifndef S3SNAPSHOT_SPEC_SETTINGS_H_
#define S3SNAPSHOT_SPEC_SETTINGS_H_

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "spec/job_spec.h"

namespace s3snapshot::spec {

enum class SettingType {
  kSwitch,     // flag without a value; document: true or false
  kText,       // one string
  kChoice,     // one of `choices` (the first is the default)
  kInteger,    // a whole number in [min, max]
  kDuration,   // a number and a unit s, m, h or d ("20h"), in [min, max] seconds
  kTextList,   // flag repeatable (or comma-separated); document: a string or a list
  kIdList,     // document only: a list of strings ("instances")
  kTagFilter,  // document only: {"tag:KEY": "value" | ["a", "b"]}
};

// The commands a setting belongs to: a snapshot run (`s3snapshot`), an
// audit (`s3snapshot audit`, job/audit.h), a restore (`s3snapshot restore`,
// job/restore.h), a drill (`s3snapshot drill`, job/drill.h). kAnyCommand:
// the commands that select instances and notify alike (the snapshot run,
// the audit, the drill); kEveryCommand: all four.
enum Commands : unsigned {
  kSnapshotCommand = 1,
  kAuditCommand = 2,
  kRestoreCommand = 4,
  kDrillCommand = 8,
  kAnyCommand = kSnapshotCommand | kAuditCommand | kDrillCommand,
  kEveryCommand = kAnyCommand | kRestoreCommand
};
// The command's bit.
unsigned CommandBit(JobSpec::Command c);

// Where --help and the man page list a setting (in this order).
enum class Section {
  kSelection,      // which instances, and whether to act (--filter, --all, --dry-run)
  kCapture,        // what a set holds and how it is named (--label, --exclude-*)
  kConsistency,    // --stop and the scripts
  kRetention,      // --keep, --keep-days
  kCopies,         // --copy-to-region
  kWaiting,        // --wait
  kAuditPolicy,    // an audit's --max-age, --max-pending
  kRestore,        // a restore's --instance, --run-id, --to-instance, ...
  kDrill,          // a drill's --sample, --rto, --check-instance, ...
  kOutput,         // the report and the metrics
  kNotifications,  // SNS
  kScope,          // regions, accounts, profile, endpoint
  kTuning,         // concurrency and timeouts
  kGeneral,        // --help, --version
};
// The sections in order, with their titles ("Selection", ...).
const std::vector<std::pair<Section, const char*>>& Sections();

using TagFilter = std::map<std::string, std::vector<std::string>>;
using SettingValue = std::variant<bool, long long, std::string, std::vector<std::string>, TagFilter>;
// Values given, by setting name (the document key, e.g. "copy-to-regions").
using SettingValues = std::map<std::string, SettingValue>;

struct Setting {
  const char* name = "";                // the document key, and the setting's name
  std::vector<const char*> flags = {};  // "-l", "--label"; empty: document only
  bool in_document = false;             // a --filter / payload key (else: command line only)
  SettingType type = SettingType::kSwitch;
  const char* metavar = "";               // "LABEL", "SECONDS" (flags with a value)
  const char* help = "";                  // --help text; "{keys}" becomes the document key list
  long long min = 0, max = 0;             // kInteger
  std::vector<const char*> choices = {};  // kChoice
  bool comma_separated = false;           // kTextList: "--region a,b" (one flag replaces the list)
  // Sets the JobSpec field (null for settings the entry point consumes:
  // --filter, --output, --profile, ...).
  void (*apply)(JobSpec&, const SettingValue&) = nullptr;
  // The JobSpec default shown in --help (null for none).
  std::string (*default_text)(const JobSpec&) = nullptr;
  unsigned commands = kAnyCommand;  // Commands
  Section section = Section::kGeneral;
};

// In --help order.
const std::vector<Setting>& Settings();
const Setting* FindSetting(const std::string& name);
const Setting* FindSettingByFlag(const std::string& flag);
// The document keys, in table order.
const std::vector<std::string>& DocumentKeys();
// The document key list as --help and error messages print it.
std::string DocumentKeyList();

// The first of `values` that does not belong to `command`, or null: an
// audit refuses what only changes things (--stop, --keep, ...), a snapshot
// run refuses the audit's and the restore's own settings.
const Setting* SettingOfOtherCommand(const SettingValues& values, JobSpec::Command command);

// Why a --filter document or payload key `other` is refused for `command`
// ("does not apply to an audit (...)"), after the key's name.
std::string NotInDocumentOf(JobSpec::Command command, const Setting& other);

// Applies each value to the spec; later calls win (a flag over the document).
void ApplySettings(const SettingValues& values, JobSpec* spec);

// The JSON Schema (2020-12) of the --filter document and the Lambda payload,
// made from this table: share/s3snapshot/filter.schema.json is this, and a
// unit test keeps the two the same. Unknown keys are refused
// (additionalProperties: false); null means "not given".
std::string FilterSchemaJson();

// The type a document value must have, as messages and the README say it.
std::string DocumentTypeName(const Setting& s);

}  // namespace s3snapshot::spec

#endif  // S3SNAPSHOT_SPEC_SETTINGS_H_
