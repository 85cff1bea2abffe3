#include "core/log.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace s3snapshot::core {

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

void StreamLogger::SetContext(LogFields context) {
  std::lock_guard<std::mutex> lock(mu_);
  context_ = std::move(context);
}

void StreamLogger::Log(LogLevel level, const std::string& message, const LogFields& fields) {
  if (!Enabled(level)) return;
  std::string line;
  std::lock_guard<std::mutex> lock(mu_);
  if (format_ == Format::kJson) {
    nlohmann::json j;
    j["timestamp"] = FormatIso8601(std::chrono::system_clock::now());
    j["level"] = LogLevelName(level);
    j["message"] = message;
    for (const auto& [k, v] : context_) j[k] = v;
    for (const auto& [k, v] : fields) j[k] = v;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = std::string("s3snapshot: ") + (level >= LogLevel::kWarn ? LogLevelName(level) + std::string(": ") : "") +
           message;
    for (const auto& [k, v] : fields) line += " " + k + "=" + v;
  }
  line += '\n';
  fwrite(line.data(), 1, line.size(), out_);
  fflush(out_);
}

}  // namespace s3snapshot::core
