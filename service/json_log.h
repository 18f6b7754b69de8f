// JsonLog: structured log lines, one JSON object per line, for `augur serve`:
//   {"ts":"2026-11-22T10:00:00.123Z","level":"info","msg":"run started","run_id":"r-1",
//    "template":"http-service"}
// Field values are strings or numbers; keys and values are escaped per RFC 8259. Thread-safe:
// each line is written whole.
#ifndef AUGUR_SERVICE_JSON_LOG_H_
#define AUGUR_SERVICE_JSON_LOG_H_

#include <initializer_list>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"

namespace augur::service {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(std::string(v)) {}
  LogField(absl::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(absl::string_view k, double v) : key(k), value(v) {}
  LogField(absl::string_view k, int64_t v) : key(k), value(v) {}
  LogField(absl::string_view k, int v) : key(k), value(int64_t{v}) {}
  std::string key;
  std::variant<std::string, double, int64_t> value;
};

class JsonLog {
 public:
  // Writes to `out` (not owned; std::cerr for the server). Lines below `min_level` are dropped.
  explicit JsonLog(std::ostream& out, LogLevel min_level = LogLevel::kInfo,
                   Clock& clock = Clock::Real());

  void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});
  void Info(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(absl::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, msg, fields);
  }

  // The line Log would write, without the newline (exposed for tests).
  std::string Format(LogLevel level, absl::string_view msg,
                     std::initializer_list<LogField> fields) const;

 private:
  std::ostream& out_;
  const LogLevel min_level_;
  Clock& clock_;
  absl::Mutex mu_;
};

}  // namespace augur::service

#endif  // AUGUR_SERVICE_JSON_LOG_H_
