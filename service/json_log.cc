#include "service/json_log.h"

#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/json_string.h"

namespace augur::service {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

// JSON has no NaN or infinity; null keeps the line parseable and the field present.
void AppendJsonNumber(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  // std::to_chars without a precision is the shortest text that reads back to the same double
  // (absl::StrCat would round to six digits).
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (result.ec != std::errc()) {
    out.append("null");
    return;
  }
  out.append(buffer, result.ptr);
}

}  // namespace

JsonLog::JsonLog(std::ostream& out, LogLevel min_level, Clock& clock)
    : out_(out), min_level_(min_level), clock_(clock) {}

void JsonLog::Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields) {
  if (level < min_level_) return;
  std::string line = Format(level, msg, fields);
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  // One write per line, flushed, so lines from several threads stay whole and reach the
  // collector even if the process dies next.
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.flush();
}

std::string JsonLog::Format(LogLevel level, absl::string_view msg,
                            std::initializer_list<LogField> fields) const {
  std::string line = "{\"ts\":\"";
  line.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_.Now(), absl::UTCTimeZone()));
  line.append("\",\"level\":\"");
  absl::StrAppend(&line, LevelName(level));
  line.append("\",\"msg\":");
  AppendJsonString(line, msg, InvalidUtf8::kReplace);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(line, field.key, InvalidUtf8::kReplace);
    line.push_back(':');
    std::visit(
        [&line](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string>) {
            AppendJsonString(line, value, InvalidUtf8::kReplace);
          } else if constexpr (std::is_same_v<T, double>) {
            AppendJsonNumber(line, value);
          } else {
            absl::StrAppend(&line, value);
          }
        },
        field.value);
  }
  line.push_back('}');
  return line;
}

}  // namespace augur::service
