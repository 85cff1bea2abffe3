// Logging to stderr, as text lines for people or JSON lines for CloudWatch.
#ifndef S3SNAPSHOT_CORE_LOG_H_
#define S3SNAPSHOT_CORE_LOG_H_

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace s3snapshot::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
using LogFields = std::vector<std::pair<std::string, std::string>>;

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, const std::string& message, const LogFields& fields = {}) = 0;
  virtual bool Enabled(LogLevel level) const = 0;

  void Debug(const std::string& m, const LogFields& f = {}) {
    if (Enabled(LogLevel::kDebug)) Log(LogLevel::kDebug, m, f);
  }
  void Info(const std::string& m, const LogFields& f = {}) {
    if (Enabled(LogLevel::kInfo)) Log(LogLevel::kInfo, m, f);
  }
  void Warn(const std::string& m, const LogFields& f = {}) {
    if (Enabled(LogLevel::kWarn)) Log(LogLevel::kWarn, m, f);
  }
  void Error(const std::string& m, const LogFields& f = {}) {
    if (Enabled(LogLevel::kError)) Log(LogLevel::kError, m, f);
  }
};

// Writes to a FILE* (stderr by default). Thread-safe: one line per call.
class StreamLogger : public Logger {
 public:
  enum class Format { kText, kJson };
  StreamLogger(LogLevel min_level, Format format, FILE* out = stderr)
      : min_level_(min_level), format_(format), out_(out) {}
  void Log(LogLevel level, const std::string& message, const LogFields& fields) override;
  bool Enabled(LogLevel level) const override { return level >= min_level_; }
  // Fields added to every line (the Lambda request id).
  void SetContext(LogFields context);

 private:
  LogLevel min_level_;
  Format format_;
  FILE* out_;
  std::mutex mu_;
  LogFields context_;
};

class NullLogger : public Logger {
 public:
  void Log(LogLevel, const std::string&, const LogFields&) override {}
  bool Enabled(LogLevel) const override { return false; }
};

const char* LogLevelName(LogLevel level);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_LOG_H_
