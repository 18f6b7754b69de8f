// MetricProvider: where an analysis gets its series. Implementations: PrometheusProvider (any
// Prometheus HTTP API: Prometheus, VictoriaMetrics, Thanos, Mimir) and FileProvider (saved
// responses, for offline analysis and regenerating reports).
#ifndef AUGUR_PROVIDERS_METRIC_PROVIDER_H_
#define AUGUR_PROVIDERS_METRIC_PROVIDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/time_series.h"

namespace augur::providers {

// A PromQL range query: points every `step` from `start` to `end`, both inclusive.
struct RangeQuery {
  std::string query;
  absl::Time start;
  absl::Time end;
  absl::Duration step;
};

// A PromQL instant query, evaluated at `time`.
struct InstantQuery {
  std::string query;
  absl::Time time;
};

// Errors are chosen by what the caller should do with them:
//   InvalidArgument     the query is wrong (PromQL syntax or evaluation error, bad times);
//                       the message carries the backend's own words. Retrying cannot help.
//   Unavailable         the backend could not be reached or answered 5xx/429, after retries.
//   DeadlineExceeded    the request, or the backend's own evaluation, timed out, after retries.
//   ResourceExhausted   the response was larger than the configured limit.
//   DataLoss            the response was not a well-formed Prometheus API answer.
//   PermissionDenied    the backend refused the credentials (HTTP 401/403).
//   FailedPrecondition  the provider is misconfigured: wrong base path (404), TLS verification
//                       failed, a credentials file cannot be read.
//   NotFound            (FileProvider) no saved data answers the query.
// Messages never contain secrets (tokens, passwords, header values).
//
// Implementations are thread-safe: calls may come from several threads at once.
class MetricProvider {
 public:
  virtual ~MetricProvider() = default;

  virtual absl::StatusOr<QueryResult> QueryRange(const RangeQuery& query) = 0;
  virtual absl::StatusOr<QueryResult> QueryInstant(const InstantQuery& query) = 0;

  // Runs every query and returns their results in the same order. Implementations may run them
  // in parallel (PrometheusProvider does, with bounded parallelism); the default runs them one
  // after another.
  virtual std::vector<absl::StatusOr<QueryResult>> QueryRangeAll(
      absl::Span<const RangeQuery> queries);

  // Where the data comes from, for logs and reports: a URL without credentials, or a path.
  virtual std::string Describe() const = 0;
};

// Checks what every provider requires of a range query: a non-empty query, start <= end, a
// positive step, and at most `max_points` points per series (Prometheus' own limit is 11,000).
absl::Status ValidateRangeQuery(const RangeQuery& query, int64_t max_points = 11000);

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_METRIC_PROVIDER_H_
