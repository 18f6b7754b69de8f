// ServiceMetrics: what `augur serve` exposes on /metrics (Prometheus text format, through
// prometheus-cpp): analyses by strategy and verdict, metric classifications, judge and fetch
// latency, provider errors by kind, RPCs by method and code, active runs, build info.
// Thread-safe; every call is cheap enough for the Judge RPC's hot path (no allocation once a
// label combination has been seen).
#ifndef AUGUR_SERVICE_SERVICE_METRICS_H_
#define AUGUR_SERVICE_SERVICE_METRICS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace prometheus {
class Registry;
}

namespace augur::service {

class ServiceMetrics {
 public:
  // `version` goes into augur_build_info{version="..."} 1.
  explicit ServiceMetrics(absl::string_view version);
  ~ServiceMetrics();
  ServiceMetrics(const ServiceMetrics&) = delete;
  ServiceMetrics& operator=(const ServiceMetrics&) = delete;

  // augur_analyses_total{kind="analyze|judge|run_interval", strategy="canary|ab|shadow",
  // verdict="PROMOTE|HOLD|ABORT|none"} ("none": the analysis could not run).
  void CountAnalysis(absl::string_view kind, absl::string_view strategy, absl::string_view verdict);
  // augur_metric_classifications_total{judge="mannWhitney|...",
  // classification="PASS|HIGH|LOW|NODATA|ERROR"}
  void CountClassification(absl::string_view judge, absl::string_view classification);
  // augur_judge_duration_seconds (histogram): judging and scoring one analysis, fetch excluded.
  void ObserveJudgeSeconds(double seconds);
  // augur_fetch_duration_seconds (histogram): fetching one analysis' queries.
  void ObserveFetchSeconds(double seconds);
  // augur_provider_errors_total{kind="unavailable|deadline_exceeded|invalid_query|
  // permission_denied|cancelled|other"}
  void CountProviderError(absl::string_view kind);
  // augur_grpc_requests_total{method="Analyze|...", code="OK|INVALID_ARGUMENT|..."} and
  // augur_grpc_request_duration_seconds{method} (histogram).
  void CountRpc(absl::string_view method, absl::string_view code, double seconds);
  // augur_active_runs (gauge).
  void SetActiveRuns(int64_t runs);
  // augur_templates_loaded (gauge) and augur_template_reloads_total{result="ok|error"}.
  void SetTemplatesLoaded(int64_t templates);
  void CountTemplateReload(bool ok);

  // Everything above, in the Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::service

#endif  // AUGUR_SERVICE_SERVICE_METRICS_H_
