// Series as CSV, for spreadsheets and scripts, and readable again by FileProvider.
//
// One row per point. The columns are `timestamp` (Unix seconds, millisecond precision),
// `value` (as Prometheus writes it: 1.5, NaN, +Inf, -Inf), then one column per label name that
// any series carries, sorted, `__name__` first; a series without a label leaves its cell empty,
// which Prometheus reads as the same thing. Fields are quoted per RFC 4180 when needed.
//
//   timestamp,value,__name__,version
//   1795369440,1.5,http_latency,canary
#ifndef AUGUR_PROVIDERS_SERIES_CSV_H_
#define AUGUR_PROVIDERS_SERIES_CSV_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/time_series.h"

namespace augur::providers {

// The CSV text of `result`'s series, header first, each line ending in "\n".
std::string SeriesCsv(const QueryResult& result);

// Reads CSV in the form above. The timestamp column also takes RFC 3339; rows of a series may
// come in any order and are sorted by time; a series with the same timestamp twice is an
// error. Errors name `source` and the line: "data.csv:7: 'abc' is not a sample value".
// The result is a matrix, series in the order of their first row.
absl::StatusOr<QueryResult> ParseSeriesCsv(absl::string_view text, absl::string_view source);

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_SERIES_CSV_H_
