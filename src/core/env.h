// Environment variables and files read through an injected interface, so tests
// never call setenv or touch $HOME.
#ifndef S3SNAPSHOT_CORE_ENV_H_
#define S3SNAPSHOT_CORE_ENV_H_

#include <map>
#include <optional>
#include <string>

namespace s3snapshot::core {

class Env {
 public:
  virtual ~Env() = default;
  // The variable's value; nullopt when unset. An empty value counts as unset,
  // as the AWS SDKs treat it.
  virtual std::optional<std::string> Get(const std::string& name) const = 0;
  // The file's whole content; nullopt when it does not exist or cannot be read.
  virtual std::optional<std::string> ReadFile(const std::string& path) const = 0;
  // Why ReadFile(path) fails, in words ("No such file or directory", "it is a
  // directory", "Permission denied"); for error messages.
  virtual std::string WhyUnreadable(const std::string& /*path*/) const { return "it cannot be read"; }
};

// The process environment and the real file system.
class SystemEnv : public Env {
 public:
  std::optional<std::string> Get(const std::string& name) const override;
  std::optional<std::string> ReadFile(const std::string& path) const override;
  std::string WhyUnreadable(const std::string& path) const override;
};

// An in-memory Env for tests.
class MapEnv : public Env {
 public:
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;
  std::optional<std::string> Get(const std::string& name) const override {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> ReadFile(const std::string& path) const override {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_ENV_H_
