#include "job/filter.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace s3snapshot::job {

using core::Error;
using core::ErrorKind;
using nlohmann::json;

const std::vector<std::string>& KnownDocumentKeys() {
  static const std::vector<std::string> kKeys = {"instances", "tags",          "stop",  "stopped",
                                                 "verbose",   "sns-arn",       "sns-arn-error",
                                                 "label",     "protected",     "keep",
                                                 "keep-days", "prune-orphans", "wait",
                                                 "wait-timeout", "regions", "assume-roles",
                                                 "external-id", "copy-to-regions", "kms-key-id"};
  return kKeys;
}

std::string SuggestKey(const std::string& key, const std::vector<std::string>& known) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
      return c == '_' ? '-' : static_cast<char>(std::tolower(c));
    });
    return s;
  };
  std::string k = lower(key);
  std::string best;
  size_t best_d = 4;
  for (const auto& cand : known) {
    std::string c = lower(cand);
    std::vector<size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= k.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (k[i - 1] == c[j - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    size_t d = prev[c.size()];
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  }
  return best;
}

namespace {

Error Invalid(const std::string& message) {
  return Error::Make(ErrorKind::kInvalidInput, message, "InvalidInput");
}

// 1-based line and column of byte offset `pos` in `text`.
std::pair<size_t, size_t> LineColumn(const std::string& text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

const char* TypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unknown type";
  }
}

Error WrongType(const std::string& source, const std::string& key, const char* expected,
                const json& got) {
  std::string hint;
  if (got.is_string() && std::string(expected) == "true or false") {
    hint = " (write true, not \"true\")";
  }
  return Invalid(source + ": \"" + key + "\" must be " + expected + ", not " + TypeName(got) + hint);
}

}  // namespace

core::Result<FilterDocument> ParseFilterDocument(const std::string& text, const std::string& source) {
  if (text.size() > kMaxDocumentBytes) {
    return Invalid(source + ": the document is " + std::to_string(text.size()) +
                   " bytes, larger than the " + std::to_string(kMaxDocumentBytes) + "-byte limit");
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::out_of_range& e) {
    // A number too large for a double (found by the fuzzer: "-4444e444").
    return Invalid(source + ": invalid JSON: a number is out of range (" + std::string(e.what()).substr(
                                std::string(e.what()).find(']') + 2) + ")");
  } catch (const json::parse_error& e) {
    size_t pos = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, col] = LineColumn(text, pos);
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing ..."
    size_t colon = what.find(": ", what.find("column"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    std::string hint;
    if (text.find('\'') != std::string::npos) hint = " (JSON strings must use double quotes)";
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Invalid(source + ": the document is empty; expected a JSON object such as "
                              "{\"instances\": [\"i-12345678\"]}");
    }
    return Invalid(source + ": invalid JSON at line " + std::to_string(line) + ", column " +
                   std::to_string(col) + ": " + detail + hint);
  } catch (const json::exception& e) {
    return Invalid(source + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) {
    return Invalid(source + ": expected a JSON object such as {\"tags\": {\"tag:Env\": \"PROD\"}}, got " +
                   TypeName(j));
  }
  FilterDocument doc;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    if (std::find(KnownDocumentKeys().begin(), KnownDocumentKeys().end(), key) ==
        KnownDocumentKeys().end()) {
      std::string s = SuggestKey(key, KnownDocumentKeys());
      std::string list;
      for (const auto& k : KnownDocumentKeys()) list += (list.empty() ? "" : ", ") + k;
      return Invalid(source + ": unknown key \"" + key + "\"" +
                     (s.empty() ? "" : " (did you mean \"" + s + "\"?)") + "; known keys: " + list);
    }
    if (v.is_null()) continue;  // null: as if absent
    if (key == "instances") {
      if (!v.is_array()) return WrongType(source, key, "a list of instance ids", v);
      std::vector<std::string> ids;
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          return Invalid(source + ": \"instances\"[" + std::to_string(i) +
                         "] must be a string instance id, not " + TypeName(v[i]));
        }
        ids.push_back(v[i].get<std::string>());
      }
      doc.instances = ids;
    } else if (key == "tags") {
      if (!v.is_object()) {
        return WrongType(source, key, "an object of \"tag:KEY\": value pairs", v);
      }
      std::map<std::string, std::vector<std::string>> tags;
      for (auto t = v.begin(); t != v.end(); ++t) {
        if (t.value().is_string()) {
          tags[t.key()] = {t.value().get<std::string>()};
        } else if (t.value().is_array()) {
          std::vector<std::string> values;
          for (const auto& e : t.value()) {
            if (!e.is_string()) {
              return Invalid(source + ": \"tags\".\"" + t.key() +
                             "\" must hold strings, not " + TypeName(e));
            }
            values.push_back(e.get<std::string>());
          }
          tags[t.key()] = values;
        } else {
          return Invalid(source + ": \"tags\".\"" + t.key() +
                         "\" must be a string or a list of strings, not " + TypeName(t.value()));
        }
      }
      doc.tags = tags;
    } else if (key == "regions" || key == "assume-roles" || key == "copy-to-regions") {
      std::vector<std::string> list;
      if (v.is_string()) {
        list.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i) {
          if (!v[i].is_string()) {
            return Invalid(source + ": \"" + key + "\"[" + std::to_string(i) + "] must be a string, not " +
                           TypeName(v[i]));
          }
          list.push_back(v[i].get<std::string>());
        }
      } else {
        return WrongType(source, key, "a string or a list of strings", v);
      }
      (key == "regions" ? doc.regions : key == "assume-roles" ? doc.assume_roles : doc.copy_to_regions) = list;
    } else if (key == "external-id" || key == "kms-key-id") {
      if (!v.is_string()) return WrongType(source, key, "a string", v);
      (key == "external-id" ? doc.external_id : doc.kms_key_id) = v.get<std::string>();
    } else if (key == "keep" || key == "keep-days" || key == "wait-timeout") {
      if (!v.is_number_integer() || v.get<long long>() < 1) {
        return WrongType(source, key, "a whole number of at least 1", v);
      }
      long long n = v.get<long long>();
      int capped = n > 100000 ? 100000 : static_cast<int>(n);
      (key == "keep" ? doc.keep : key == "keep-days" ? doc.keep_days : doc.wait_timeout) = capped;
    } else if (key == "stop" || key == "stopped" || key == "verbose" || key == "protected" ||
               key == "prune-orphans" || key == "wait") {
      if (!v.is_boolean()) return WrongType(source, key, "true or false", v);
      bool b = v.get<bool>();
      if (key == "stop") doc.stop = b;
      if (key == "stopped") doc.stopped = b;
      if (key == "verbose") doc.verbose = b;
      if (key == "protected") doc.protect = b;
      if (key == "prune-orphans") doc.prune_orphans = b;
      if (key == "wait") doc.wait = b;
    } else {  // sns-arn, sns-arn-error, label
      if (!v.is_string()) return WrongType(source, key, "a string", v);
      std::string s = v.get<std::string>();
      if (key == "sns-arn") doc.sns_arn = s;
      if (key == "sns-arn-error") doc.sns_arn_error = s;
      if (key == "label") doc.label = s;
    }
  }
  return doc;
}

}  // namespace s3snapshot::job
