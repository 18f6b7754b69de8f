#include "service/json_log.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

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

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 if it is not one.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  if (byte(1) < min_second || byte(1) > max_second) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// Appends `s` as a JSON string. Valid UTF-8 passes through byte for byte; a byte that is not
// part of a valid sequence becomes U+FFFD, because a single bad byte (say, from a provider's
// error body) would otherwise make the whole line unparseable for log collectors.
void AppendJsonString(std::string& out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(s.substr(i));
      if (length == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
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
  AppendJsonString(line, msg);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(line, field.key);
    line.push_back(':');
    std::visit(
        [&line](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string>) {
            AppendJsonString(line, value);
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
