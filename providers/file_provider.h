// FileProvider: series from a saved file instead of a live backend, for offline analysis and for
// regenerating reports from the data an analysis saw.
#ifndef AUGUR_PROVIDERS_FILE_PROVIDER_H_
#define AUGUR_PROVIDERS_FILE_PROVIDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/time_series.h"
#include "providers/metric_provider.h"

namespace augur::providers {

class FileProvider final : public MetricProvider {
 public:
  // Loads `path`, which holds either a Prometheus API answer (the JSON body of /api/v1/query_range
  // or /api/v1/query, as saved with curl or `augur query --format json`) or CSV in the form of
  // series_csv.h. Files ending in .csv are CSV; anything else whose first non-blank character
  // is '{' is JSON. Every error is InvalidArgument naming the path (a saved Prometheus error
  // answer included).
  static absl::StatusOr<std::unique_ptr<FileProvider>> Open(const std::string& path);

  // Builds a provider over series already in memory; `source` names them in Describe().
  FileProvider(QueryResult data, std::string source);

  // Every query is answered from the same saved series, whatever its PromQL: a range query
  // gets each series' points with start <= t <= end (series left without points are dropped),
  // so a saved window can be re-cut; the step is not re-applied. An instant query gets a
  // vector: per series, the value of the latest point at or before `time` and at most 5 minutes
  // older (Prometheus' default lookback), stamped with `time` as Prometheus does.
  absl::StatusOr<QueryResult> QueryRange(const RangeQuery& query) override;
  absl::StatusOr<QueryResult> QueryInstant(const InstantQuery& query) override;
  std::string Describe() const override { return source_; }

 private:
  QueryResult data_;
  std::string source_;
};

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_FILE_PROVIDER_H_
