// Streaming JSON for reports: a long array written element by element, laid
// out as nlohmann's dump() would have, so a 10,000-instance (or 30,000-volume)
// report never exists as one document in memory.
#ifndef S3SNAPSHOT_REPORT_JSON_STREAM_H_
#define S3SNAPSHOT_REPORT_JSON_STREAM_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "report/envelope.h"

namespace s3snapshot::report {

// A failure record as JSON: {"step", "code", "message", "request_id"}.
nlohmann::json FailureJson(const FailureRecord& f);
// The envelope's members of every command's JSON report ("command",
// "report_version", "run_id", ..., "ok", "errors").
void PutEnvelopeJson(const Envelope& r, const char* command, bool ok, nlohmann::json* j);

inline std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes a JSON array at nesting level 1 one element at a time, formatted as
// nlohmann's dump() would have placed it, without a document of all elements.
template <typename T, typename ToJson>
void WriteArray(std::ostream& o, const std::vector<T>& items, int indent, ToJson to_json,
                const std::function<bool(const T&)>& keep) {
  const std::string inner = indent >= 0 ? "\n" + std::string(2 * static_cast<size_t>(indent), ' ') : "";
  o << '[';
  bool first = true;
  for (const auto& item : items) {
    if (!keep(item)) continue;
    std::string e = DumpJson(to_json(item), indent);
    if (indent >= 0) {
      std::string shifted;
      shifted.reserve(e.size() + e.size() / 8);
      for (char c : e) {
        shifted += c;
        if (c == '\n') shifted.append(2 * static_cast<size_t>(indent), ' ');
      }
      e.swap(shifted);
    }
    o << (first ? "" : ",") << inner << e;
    first = false;
  }
  if (!first && indent >= 0) o << '\n' << std::string(static_cast<size_t>(indent), ' ');
  o << ']';
}

// A member of a report whose value is streamed: in the small head document
// its value is the placeholder string `marker` (which can only match where it
// is a whole value: inside other strings a quote is escaped); `write` writes
// the real value in its place.
struct StreamedMember {
  std::string key, marker;
  std::function<void(std::ostream&)> write;
};

// `head` (a dump with `indent`) with each member's placeholder replaced by
// what it writes; `members` in the order they appear (nlohmann sorts keys).
inline void WriteWithStreamedMembers(std::ostream& o, const std::string& head, int indent,
                                     const std::vector<StreamedMember>& members) {
  const std::string sep = indent >= 0 ? ": " : ":";
  size_t pos = 0;
  for (const auto& m : members) {
    const std::string at = "\"" + m.key + "\"" + sep + "\"" + m.marker + "\"";
    size_t p = head.find(at, pos);
    if (p == std::string::npos) continue;
    o.write(head.data() + pos, static_cast<std::streamsize>(p - pos));
    o << "\"" << m.key << "\"" << sep;
    m.write(o);
    pos = p + at.size();
  }
  o.write(head.data() + pos, static_cast<std::streamsize>(head.size() - pos));
}

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_JSON_STREAM_H_
