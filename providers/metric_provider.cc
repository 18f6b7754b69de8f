#include "providers/metric_provider.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "core/time_parse.h"

namespace augur::providers {

std::vector<absl::StatusOr<QueryResult>> MetricProvider::QueryRangeAll(
    absl::Span<const RangeQuery> queries) {
  std::vector<absl::StatusOr<QueryResult>> results;
  results.reserve(queries.size());
  for (const RangeQuery& query : queries) results.push_back(QueryRange(query));
  return results;
}

absl::Status ValidateRangeQuery(const RangeQuery& query, int64_t max_points) {
  if (query.query.empty()) return absl::InvalidArgumentError("the query is empty");
  if (query.end < query.start) {
    return absl::InvalidArgumentError(absl::StrCat("the end (", FormatRfc3339(query.end),
                                                   ") is before the start (",
                                                   FormatRfc3339(query.start), ")"));
  }
  const auto infinite = [](absl::Time t) {
    return t == absl::InfinitePast() || t == absl::InfiniteFuture();
  };
  if (infinite(query.start) || infinite(query.end) || query.step == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("the window and step must be finite");
  }
  if (query.step < absl::Milliseconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the step must be at least 1ms, got ", FormatPromDuration(query.step)));
  }
  absl::Duration remainder;
  const int64_t steps = absl::IDivDuration(query.end - query.start, query.step, &remainder);
  if (steps >= max_points) {
    const std::string points =
        steps == std::numeric_limits<int64_t>::max() ? "too many" : absl::StrCat(steps + 1);
    return absl::InvalidArgumentError(
        absl::StrCat("the window ", FormatPromDuration(query.end - query.start), " at step ",
                     FormatPromDuration(query.step), " asks for ", points,
                     " points per series; the limit is ", max_points, " (use a larger step)"));
  }
  return absl::OkStatus();
}

}  // namespace augur::providers
