// The Prometheus HTTP API's JSON answers (/api/v1/query and /api/v1/query_range): parsing them
// into QueryResult, and writing a QueryResult back in the same form so `augur query` output can
// be saved and read again by FileProvider.
#ifndef AUGUR_PROVIDERS_PROMETHEUS_RESPONSE_H_
#define AUGUR_PROVIDERS_PROMETHEUS_RESPONSE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/time_series.h"

namespace augur::providers {

// Parses a response body in one pass (about 1 GB/s; see docs/performance.md). A success answer
// gives its series (matrix, vector or scalar) and warnings; sample values "NaN", "+Inf" and
// "-Inf" become the doubles they name, timestamps exact milliseconds.
// An error answer ({"status":"error","errorType":...,"error":...}) gives
// PrometheusErrorStatus(errorType, error). A string result or native histogram samples give
// InvalidArgument saying what to do. Anything else that is not a well-formed answer gives
// DataLoss naming the problem and its byte offset: truncated or invalid JSON (strictly
// parsed, nesting at most 64 deep), missing or repeated members, a matrix series whose
// timestamps do not increase. Unknown members are skipped.
// `http_status` classifies errors whose errorType is not one of Prometheus' own (VictoriaMetrics
// writes the HTTP code there); see PrometheusErrorStatus.
absl::StatusOr<QueryResult> ParsePrometheusResponse(absl::string_view body, int http_status = 200);

// The status for a Prometheus API error, with its message verbatim:
//   bad_data, execution     -> InvalidArgument (the query is wrong; do not retry)
//   timeout                 -> DeadlineExceeded
//   canceled, unavailable,
//   internal                -> Unavailable
//   anything else           -> by `http_status`: 400 and 422 InvalidArgument, otherwise
//                              Unavailable
// The message reads "Prometheus error (bad_data): 1:5: parse error: ...".
absl::Status PrometheusErrorStatus(absl::string_view error_type, absl::string_view error,
                                   int http_status = 0);

// A QueryResult as a Prometheus API success answer, on one line without a trailing newline:
// {"status":"success","data":{"resultType":"matrix","result":[...]}}, with "warnings" when
// there are any. Timestamps are Unix seconds, values strings in shortest round-trip form.
std::string PrometheusResponseJson(const QueryResult& result);

// A sample value as Prometheus writes it: shortest round-trip decimal, "NaN", "+Inf", "-Inf".
std::string FormatSampleValue(double value);

// Reads a sample value as Prometheus and OpenMetrics write it (also "Inf", "inf", "nan").
absl::StatusOr<double> ParseSampleValue(absl::string_view text);

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_RESPONSE_H_
