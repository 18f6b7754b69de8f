// Time series: what a metrics backend returns and what the judges consume.
#ifndef AUGUR_CORE_TIME_SERIES_H_
#define AUGUR_CORE_TIME_SERIES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace augur {

// One sample. Timestamps are milliseconds since the Unix epoch, the precision of Prometheus.
// Values may be NaN or ±Inf: a backend returns them and the judges decide what they mean.
struct Point {
  int64_t timestamp_ms = 0;
  double value = 0.0;
};

// A label set, sorted by name, names unique. An empty value means the label is absent, as in
// Prometheus.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Formats labels the way PromQL writes a selector: {__name__="up", job="api"} becomes
// up{job="api"}; no labels is {}.
std::string FormatLabels(const Labels& labels);

struct Series {
  Labels labels;
  std::vector<Point> points;  // in timestamp order
};

// The shape of a query's answer, named as in the Prometheus HTTP API.
enum class ResultType { kMatrix, kVector, kScalar };

absl::string_view ResultTypeName(ResultType type);

// The answer to one query. A scalar is one series without labels holding one point; a vector
// holds one point per series; a matrix any number. Warnings are the backend's, verbatim.
struct QueryResult {
  ResultType type = ResultType::kMatrix;
  std::vector<Series> series;
  std::vector<std::string> warnings;
};

}  // namespace augur

#endif  // AUGUR_CORE_TIME_SERIES_H_
