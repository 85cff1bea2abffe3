#include "spec/filter.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/parse.h"

namespace s3snapshot::spec {

using core::Error;
using core::ErrorKind;
using nlohmann::json;

std::string SuggestKey(const std::string& key, const std::vector<std::string>& known) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return c == '_' ? '-' : static_cast<char>(std::tolower(c)); });
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

Error Invalid(const std::string& message) { return Error::Make(ErrorKind::kInvalidInput, message, "InvalidInput"); }

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
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unknown type";
  }
}

Error WrongType(const std::string& source, const std::string& key, const char* expected, const json& got) {
  std::string hint;
  if (got.is_string() && std::string(expected) == "true or false") {
    hint = " (write true, not \"true\")";
  }
  return Invalid(source + ": \"" + key + "\" must be " + expected + ", not " + TypeName(got) + hint);
}

// A parser callback that notes the first key an object has twice (JSON
// parsers keep the last: {"tags": ..., "tags": ...} would silently drop one
// selection), as "the key \"tags\"" or "the key \"tag:Env\" in \"tags\"".
json::parser_callback_t DuplicateKeyFinder(std::string* duplicate) {
  struct Frame {
    std::set<std::string> keys;
    std::string last_key;
  };
  auto stack = std::make_shared<std::vector<Frame>>();
  return [stack, duplicate](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        stack->push_back({});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack->empty()) stack->pop_back();
        break;
      case json::parse_event_t::key: {
        if (stack->empty()) break;
        const std::string key = parsed.get<std::string>();
        if (!stack->back().keys.insert(key).second && duplicate->empty()) {
          *duplicate = "the key \"" + key + "\"";
          if (stack->size() > 1) *duplicate += " in \"" + (*stack)[stack->size() - 2].last_key + "\"";
        }
        stack->back().last_key = key;
        break;
      }
      default:
        break;
    }
    return true;
  };
}

}  // namespace

namespace {

// The document as JSON: an object with no key given twice, or why not.
core::Result<json> ParseJson(const std::string& text, const std::string& source) {
  json j;
  std::string duplicate;
  try {
    j = json::parse(text, DuplicateKeyFinder(&duplicate));
  } catch (const json::out_of_range& e) {
    // A number too large for a double (found by the fuzzer: "-4444e444").
    return Invalid(source + ": invalid JSON: a number is out of range (" +
                   std::string(e.what()).substr(std::string(e.what()).find(']') + 2) + ")");
  } catch (const json::parse_error& e) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Invalid(source +
                     ": the document is empty; expected a JSON object such as "
                     "{\"instances\": [\"i-12345678\"]}");
    }
    auto [line, col] = LineColumn(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing
    // ..."
    size_t colon = what.find(": ", what.find("column"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    std::string hint = text.find('\'') != std::string::npos ? " (JSON strings must use double quotes)" : "";
    return Invalid(source + ": invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) +
                   ": " + detail + hint);
  } catch (const json::exception& e) {
    return Invalid(source + ": invalid JSON: " + e.what());
  }
  if (!duplicate.empty()) {
    return Invalid(source + ": " + duplicate + " is given twice (JSON would keep only the last one); give it once");
  }
  if (!j.is_object()) {
    return Invalid(source + ": expected a JSON object such as {\"tags\": {\"tag:Env\": \"PROD\"}}, got " + TypeName(j));
  }
  return j;
}

// A list of strings (`what` says what each must be, for the message), named
// `where` ("--filter: \"instances\"").
core::Result<std::vector<std::string>> StringList(const json& v, const std::string& where, const char* what) {
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return Invalid(where + "[" + std::to_string(i) + "] must be " + what + ", not " + TypeName(v[i]));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

core::Result<SettingValue> ParseTags(const json& v, const std::string& source, const std::string& key) {
  if (!v.is_object()) return WrongType(source, key, "an object of \"tag:KEY\": value pairs", v);
  TagFilter tags;
  for (auto t = v.begin(); t != v.end(); ++t) {
    const std::string where = source + ": \"tags\".\"" + t.key() + "\"";
    if (t.value().is_string()) {
      tags[t.key()] = {t.value().get<std::string>()};
    } else if (t.value().is_array()) {
      auto values = StringList(t.value(), where, "a string");
      if (!values.ok()) return values.error();
      tags[t.key()] = *values;
    } else {
      return Invalid(where + " must be a string or a list of strings, not " + TypeName(t.value()));
    }
  }
  return SettingValue(tags);
}

core::Result<SettingValue> ParseNumber(const Setting& setting, const json& v, const std::string& source,
                                       const std::string& key) {
  const std::string expected = DocumentTypeName(setting);
  if (setting.type == SettingType::kDuration) {
    if (!v.is_string()) return WrongType(source, key, expected.c_str(), v);
    auto d =
        core::ParseDuration(v.get<std::string>(), std::chrono::seconds(setting.min), std::chrono::seconds(setting.max));
    if (!d) return Invalid(source + ": \"" + key + "\": " + v.dump() + " is not " + expected);
    return SettingValue(static_cast<long long>(d->count()));
  }
  if (!v.is_number_integer()) return WrongType(source, key, expected.c_str(), v);
  long long n = v.get<long long>();
  if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(setting.max)) {
    n = setting.max + 1;
  }
  if (n < setting.min || n > setting.max)
    return Invalid(source + ": \"" + key + "\": " + v.dump() + " is not " + expected);
  return SettingValue(n);
}

// One key's value, as its setting's type wants it.
core::Result<SettingValue> ParseValue(const Setting& setting, const json& v, const std::string& source,
                                      const std::string& key) {
  const std::string where = source + ": \"" + key + "\"";
  switch (setting.type) {
    case SettingType::kIdList: {
      if (!v.is_array()) return WrongType(source, key, "a list of instance ids", v);
      auto ids = StringList(v, where, "a string instance id");
      if (!ids.ok()) return ids.error();
      return SettingValue(*ids);
    }
    case SettingType::kTagFilter:
      return ParseTags(v, source, key);
    case SettingType::kTextList: {
      if (v.is_string()) return SettingValue(std::vector<std::string>{v.get<std::string>()});
      if (!v.is_array()) return WrongType(source, key, "a string or a list of strings", v);
      auto list = StringList(v, where, "a string");
      if (!list.ok()) return list.error();
      return SettingValue(*list);
    }
    case SettingType::kChoice: {
      if (!v.is_string()) return WrongType(source, key, "a string", v);
      std::string list;
      for (const char* c : setting.choices) {
        if (v.get<std::string>() == c) return SettingValue(v.get<std::string>());
        list += (list.empty() ? "" : " or ") + std::string(c);
      }
      return Invalid(where + ": " + v.dump() + " is not " + list);
    }
    case SettingType::kText:
      if (!v.is_string()) return WrongType(source, key, "a string", v);
      return SettingValue(v.get<std::string>());
    case SettingType::kInteger:
    case SettingType::kDuration:
      return ParseNumber(setting, v, source, key);
    case SettingType::kSwitch:
      if (!v.is_boolean()) return WrongType(source, key, "true or false", v);
      return SettingValue(v.get<bool>());
  }
  return Invalid(where + ": a setting of an unknown type");
}

}  // namespace

core::Result<SettingValues> ParseFilterDocument(const std::string& text, const std::string& source) {
  if (text.size() > kMaxDocumentBytes) {
    return Invalid(source + ": the document is " + std::to_string(text.size()) + " bytes, larger than the " +
                   std::to_string(kMaxDocumentBytes) + "-byte limit");
  }
  auto j = ParseJson(text, source);
  if (!j.ok()) return j.error();
  SettingValues doc;
  for (auto it = j->begin(); it != j->end(); ++it) {
    const std::string& key = it.key();
    const Setting* setting = FindSetting(key);
    if (setting == nullptr || !setting->in_document) {
      std::string s = SuggestKey(key, DocumentKeys());
      return Invalid(source + ": unknown key \"" + key + "\"" + (s.empty() ? "" : " (did you mean \"" + s + "\"?)") +
                     "; known keys: " + DocumentKeyList());
    }
    if (it.value().is_null()) continue;  // null: as if absent
    auto value = ParseValue(*setting, it.value(), source, key);
    if (!value.ok()) return value.error();
    doc[key] = std::move(*value);
  }
  return doc;
}

}  // namespace s3snapshot::spec
