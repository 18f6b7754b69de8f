// Reading and writing times and durations as users and Prometheus write them.
#ifndef AUGUR_CORE_TIME_PARSE_H_
#define AUGUR_CORE_TIME_PARSE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace augur {

// Parses a duration in Prometheus' notation: one or more NUMBER UNIT terms, largest unit first,
// units ms, s, m, h, d (24h), w (7d), y (365d), e.g. "30s", "1h30m", "500ms". With
// `allow_bare_seconds`, a plain decimal number is seconds ("30", "0.5"), as Prometheus accepts for
// `step`. Negative, empty and overflowing durations are errors; zero is allowed (callers that need
// a positive one check). The error message quotes the text and shows the expected form.
absl::StatusOr<absl::Duration> ParseDuration(absl::string_view text,
                                             bool allow_bare_seconds = false);

// Formats a duration in Prometheus' notation, the inverse of ParseDuration: "1h30m", "10m",
// "1m0s500ms" becomes "1m500ms", zero is "0s". Sub-millisecond remainders are dropped.
std::string FormatPromDuration(absl::Duration duration);

// Parses a point in time:
//   - RFC 3339, "2026-11-22T10:00:00Z" or with an offset and fractional seconds;
//   - Unix seconds, "1795369440" or "1795369440.5";
//   - relative to `now`: "now", "now-30m", "now+5m", or a bare signed duration "-1h".
// Times outside the years 1 to 9999 (and absl's "infinite-past"/"infinite-future") are errors.
absl::StatusOr<absl::Time> ParseTime(absl::string_view text, absl::Time now);

// Unix seconds with millisecond precision and no trailing zeros, as the Prometheus API takes
// them: "1795369440", "1795369440.5".
std::string FormatUnixSeconds(absl::Time time);

// RFC 3339 in UTC with milliseconds when they are not zero: "2026-11-22T10:00:00Z".
std::string FormatRfc3339(absl::Time time);

}  // namespace augur

#endif  // AUGUR_CORE_TIME_PARSE_H_
