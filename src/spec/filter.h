// The --filter document and the Lambda payload: one JSON object with the seed's
// keys, validated strictly so that a typo stops the run before anything changes.
#ifndef S3SNAPSHOT_SPEC_FILTER_H_
#define S3SNAPSHOT_SPEC_FILTER_H_

#include <string>
#include <vector>

#include "core/result.h"
#include "spec/job_spec.h"
#include "spec/settings.h"

namespace s3snapshot::spec {

// Parses `text` (named `source` in messages, e.g. "--filter" or "payload")
// into the values of the settings it names (job/settings.h: the keys a
// document may have, as the seed spells them, and their types). Errors are
// kInvalidInput and say what and where: invalid JSON with line and column,
// an unknown key with a suggestion, a wrong type or a number out of range
// with the expected one.
core::Result<SettingValues> ParseFilterDocument(const std::string& text, const std::string& source);

// The known key closest to `key` (edit distance at most 3), or "".
std::string SuggestKey(const std::string& key, const std::vector<std::string>& known);

inline constexpr size_t kMaxDocumentBytes = 256 * 1024;

}  // namespace s3snapshot::spec

#endif  // S3SNAPSHOT_SPEC_FILTER_H_
