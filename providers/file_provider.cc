#include "providers/file_provider.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "providers/prometheus_response.h"
#include "providers/series_csv.h"

namespace augur::providers {
namespace {

constexpr absl::Duration kLookback = absl::Minutes(5);

}  // namespace

absl::StatusOr<std::unique_ptr<FileProvider>> FileProvider::Open(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, not a saved answer (JSON or *.csv)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot open the data file: ", std::strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  QueryResult data;
  if (absl::EndsWithIgnoreCase(path, ".csv")) {
    auto parsed = ParseSeriesCsv(text, path);
    if (!parsed.ok()) return parsed.status();
    data = *std::move(parsed);
  } else {
    const absl::string_view stripped = absl::StripLeadingAsciiWhitespace(text);
    if (stripped.empty() || stripped.front() != '{') {
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": not a Prometheus API JSON answer (it does not start with '{'); name CSV files "
          "*.csv"));
    }
    auto parsed = ParsePrometheusResponse(text);
    if (!parsed.ok()) {
      // Whatever the answer's own class (a saved error answer, a truncated body), a file that
      // cannot be used is bad input.
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
    }
    data = *std::move(parsed);
  }
  return std::make_unique<FileProvider>(std::move(data), path);
}

FileProvider::FileProvider(QueryResult data, std::string source)
    : data_(std::move(data)), source_(std::move(source)) {}

absl::StatusOr<QueryResult> FileProvider::QueryRange(const RangeQuery& query) {
  if (absl::Status status = ValidateRangeQuery(query); !status.ok()) return status;
  const int64_t start = absl::ToUnixMillis(query.start);
  const int64_t end = absl::ToUnixMillis(query.end);
  QueryResult result;
  result.type = ResultType::kMatrix;
  result.warnings = data_.warnings;
  for (const Series& series : data_.series) {
    Series cut{series.labels, {}};
    for (const Point& point : series.points) {
      if (point.timestamp_ms >= start && point.timestamp_ms <= end) cut.points.push_back(point);
    }
    if (!cut.points.empty()) result.series.push_back(std::move(cut));
  }
  return result;
}

absl::StatusOr<QueryResult> FileProvider::QueryInstant(const InstantQuery& query) {
  if (query.query.empty()) return absl::InvalidArgumentError("the query is empty");
  const int64_t time = absl::ToUnixMillis(query.time);
  const int64_t oldest = absl::ToUnixMillis(query.time - kLookback);
  QueryResult result;
  result.type = ResultType::kVector;
  result.warnings = data_.warnings;
  for (const Series& series : data_.series) {
    const Point* latest = nullptr;
    for (const Point& point : series.points) {
      if (point.timestamp_ms <= time && point.timestamp_ms >= oldest) latest = &point;
    }
    // Like Prometheus, the sample is stamped with the evaluation time.
    if (latest != nullptr) result.series.push_back(Series{series.labels, {{time, latest->value}}});
  }
  return result;
}

}  // namespace augur::providers
