#include "core/time_parse.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace augur {
namespace {

constexpr absl::string_view kDurationForm =
    "a duration such as 30s, 5m, 1h30m or 500ms (units ms, s, m, h, d, w, y)";

struct Unit {
  absl::string_view name;
  int64_t milliseconds;
};

// Largest first, the order Prometheus requires; "ms" before "m" so the longer name wins.
constexpr Unit kUnits[] = {
    {"y", int64_t{365} * 24 * 3600 * 1000},
    {"w", int64_t{7} * 24 * 3600 * 1000},
    {"d", int64_t{24} * 3600 * 1000},
    {"h", int64_t{3600} * 1000},
    {"ms", 1},
    {"m", int64_t{60} * 1000},
    {"s", 1000},
};

// Rank for the largest-first rule: position in y w d h m s ms.
int UnitRank(absl::string_view name) {
  static constexpr absl::string_view kOrder[] = {"y", "w", "d", "h", "m", "s", "ms"};
  for (int i = 0; i < 7; ++i) {
    if (kOrder[i] == name) return i;
  }
  return 7;
}

absl::Status BadDuration(absl::string_view text, absl::string_view why = "") {
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not ", kDurationForm, why.empty() ? "" : ": ", why));
}

bool IsBareNumber(absl::string_view text) {
  if (text.empty()) return false;
  bool digit = false;
  for (char c : text) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return digit;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text, bool allow_bare_seconds) {
  if (text.empty()) return BadDuration(text, "it is empty");
  if (IsBareNumber(text)) {
    double seconds = 0;
    if (!allow_bare_seconds) {
      return BadDuration(text, "a number needs a unit");
    }
    if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) || seconds > 1e15) {
      return BadDuration(text);
    }
    return absl::Milliseconds(std::llround(seconds * 1000.0));
  }
  int64_t total_ms = 0;
  int last_rank = -1;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits_end = i;
    while (digits_end < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[digits_end]))) {
      ++digits_end;
    }
    if (digits_end == i) {
      return BadDuration(text, text[i] == '-' ? "it is negative" : "expected a number");
    }
    int64_t amount = 0;
    if (!absl::SimpleAtoi(text.substr(i, digits_end - i), &amount)) {
      return BadDuration(text, "the number is too large");
    }
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(digits_end, candidate.name.size()) == candidate.name) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) return BadDuration(text, "unknown or missing unit");
    const int rank = UnitRank(unit->name);
    if (rank <= last_rank) return BadDuration(text, "units must go from largest to smallest");
    last_rank = rank;
    if (amount > (std::numeric_limits<int64_t>::max() - total_ms) / unit->milliseconds) {
      return BadDuration(text, "it is too long");
    }
    total_ms += amount * unit->milliseconds;
    i = digits_end + unit->name.size();
  }
  return absl::Milliseconds(total_ms);
}

std::string FormatPromDuration(absl::Duration duration) {
  int64_t ms = absl::ToInt64Milliseconds(duration);
  if (ms <= 0) return ms == 0 ? "0s" : absl::StrCat("-", FormatPromDuration(-duration));
  std::string out;
  struct Part {
    const char* name;
    int64_t ms;
  };
  // Prometheus prints days and weeks only when they divide evenly; augur keeps to h/m/s/ms,
  // which every PromQL engine reads the same way.
  static constexpr Part kParts[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  for (const Part& part : kParts) {
    if (ms >= part.ms) {
      absl::StrAppend(&out, ms / part.ms, part.name);
      ms %= part.ms;
    }
  }
  return out;
}

absl::StatusOr<absl::Time> ParseTimeUnchecked(absl::string_view text, absl::Time now);

// Times augur accepts: the years 1 to 9999 ±, far inside what every backend and int64
// milliseconds can hold.
constexpr int64_t kMaxAbsUnixSeconds = int64_t{253402300800};  // 10000-01-01

absl::StatusOr<absl::Time> ParseTime(absl::string_view text, absl::Time now) {
  auto time = ParseTimeUnchecked(text, now);
  if (time.ok() && (*time == absl::InfinitePast() || *time == absl::InfiniteFuture() ||
                    absl::ToUnixSeconds(*time) > kMaxAbsUnixSeconds ||
                    absl::ToUnixSeconds(*time) < -kMaxAbsUnixSeconds)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is out of range (years 1 to 9999 only)"));
  }
  return time;
}

absl::StatusOr<absl::Time> ParseTimeUnchecked(absl::string_view text, absl::Time now) {
  const absl::string_view original = text;
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return absl::InvalidArgumentError("empty time");
  const auto bad = [original](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", original, "' is not a time (", why,
        "); use RFC 3339 (2026-11-22T10:00:00Z), Unix seconds (1795369440) or now-30m"));
  };
  absl::string_view relative;
  if (absl::ConsumePrefix(&text, "now")) {
    if (text.empty()) return now;
    relative = text;
  } else if (text[0] == '-' || text[0] == '+') {
    relative = text;
  }
  if (!relative.empty()) {
    const char sign = relative[0];
    if (sign != '-' && sign != '+') return bad("expected now, now-DURATION or now+DURATION");
    auto offset = ParseDuration(relative.substr(1));
    if (!offset.ok()) return bad(offset.status().message());
    return sign == '-' ? now - *offset : now + *offset;
  }
  if (IsBareNumber(text)) {
    double seconds = 0;
    if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) || seconds > 1e13) {
      return bad("Unix seconds out of range");
    }
    const double whole = std::floor(seconds);
    return absl::FromUnixSeconds(static_cast<int64_t>(whole)) +
           absl::Milliseconds(std::llround((seconds - whole) * 1000.0));
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error)) return time;
  return bad(absl::StrCat("not RFC 3339: ", error));
}

std::string FormatUnixSeconds(absl::Time time) {
  const int64_t ms = absl::ToUnixMillis(time);
  // The magnitude as unsigned, so even INT64_MIN (an infinite past) negates safely.
  const uint64_t magnitude = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  const uint64_t seconds = magnitude / 1000;
  const uint64_t millis = magnitude % 1000;
  const absl::string_view sign = ms < 0 ? "-" : "";
  if (millis == 0) return absl::StrCat(sign, seconds);
  std::string fraction = absl::StrFormat("%03d", millis);
  while (fraction.back() == '0') fraction.pop_back();
  return absl::StrCat(sign, seconds, ".", fraction);
}

std::string FormatRfc3339(absl::Time time) {
  const bool whole = absl::ToUnixMillis(time) % 1000 == 0;
  return absl::FormatTime(whole ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E3SZ", time,
                          absl::UTCTimeZone());
}

}  // namespace augur
