#include "core/config_file.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace s3snapshot::core {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Status ParseConfigText(const std::string& text, bool is_config, const std::string& path,
                       std::map<std::string, Profile>* profiles) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  std::string section;
  bool in_section = false;  // false before the first section, or in a non-profile section
  bool seen_section = false;
  bool in_subsection = false;
  auto fail = [&](const std::string& what) {
    return Error::Make(ErrorKind::kInvalidInput, path + ":" + std::to_string(lineno) + ": " + what,
                       "InvalidConfigFile");
  };
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    bool indented = line[0] == ' ' || line[0] == '\t';
    if (t[0] == '[') {
      size_t close = t.find(']');
      if (close == std::string::npos) return fail("section header without ']'");
      std::string name = Trim(t.substr(1, close - 1));
      in_subsection = false;
      seen_section = true;
      if (is_config) {
        if (name == "default") {
          section = "default";
          in_section = true;
        } else if (name.rfind("profile", 0) == 0 && name.size() > 7 && (name[7] == ' ' || name[7] == '\t')) {
          section = Trim(name.substr(7));
          in_section = true;
        } else {
          in_section = false;  // [sso-session x], [services x]: not profiles
        }
      } else {
        section = name;
        in_section = true;
      }
      if (in_section && section.empty()) return fail("empty profile name");
      if (in_section) (*profiles)[section];
      continue;
    }
    if (indented && in_subsection) continue;  // sub-setting such as "  max_concurrent_requests = 10"
    size_t eq = t.find('=');
    if (eq == std::string::npos) return fail("expected 'key = value', got '" + t + "'");
    std::string key = Lower(Trim(t.substr(0, eq)));
    std::string value = Trim(t.substr(eq + 1));
    if (key.empty()) return fail("empty key");
    // Inline comments need white space before the '#' or ';'.
    for (size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = Trim(value.substr(0, i));
        break;
      }
    }
    if (!seen_section) return fail("setting '" + key + "' outside any [section]");
    if (!in_section) continue;
    in_subsection = value.empty();
    if (!in_subsection) (*profiles)[section][key] = value;
  }
  return OkStatus();
}

std::string ProfileName(const Env& env, const std::string& explicit_profile) {
  if (!explicit_profile.empty()) return explicit_profile;
  if (auto p = env.Get("AWS_PROFILE")) return *p;
  if (auto p = env.Get("AWS_DEFAULT_PROFILE")) return *p;
  return "default";
}

Result<SharedConfig> LoadSharedConfig(const Env& env) {
  SharedConfig cfg;
  std::string home = env.Get("HOME").value_or("");
  cfg.config_path = env.Get("AWS_CONFIG_FILE").value_or(home + "/.aws/config");
  cfg.credentials_path = env.Get("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials");
  if (auto text = env.ReadFile(cfg.config_path)) {
    Status s = ParseConfigText(*text, true, cfg.config_path, &cfg.profiles);
    if (!s.ok()) return s.error();
  }
  if (auto text = env.ReadFile(cfg.credentials_path)) {
    std::map<std::string, Profile> creds;
    Status s = ParseConfigText(*text, false, cfg.credentials_path, &creds);
    if (!s.ok()) return s.error();
    for (auto& [name, settings] : creds) {
      for (auto& [k, v] : settings) cfg.profiles[name][k] = v;
    }
  }
  return cfg;
}

}  // namespace s3snapshot::core
