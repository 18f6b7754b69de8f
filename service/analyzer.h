// Analyzer: runs one analysis for the service (an Analyze call or one interval of a run): waits
// for a slot under the concurrency limit, makes the provider with the call's deadline and
// cancellation, runs it, and records metrics (fetch and judge time, verdicts, classifications,
// provider errors).
#ifndef AUGUR_SERVICE_ANALYZER_H_
#define AUGUR_SERVICE_ANALYZER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "analysis/analysis.h"
#include "config/augur_config.h"
#include "core/clock.h"
#include "providers/metric_provider.h"
#include "service/service_metrics.h"
#include "service/template_registry.h"

namespace augur::service {

// How long a call may take and how the caller says stop.
struct CallLimits {
  absl::Time deadline = absl::InfiniteFuture();
  std::function<bool()> cancelled;  // may be empty
};

// Makes the metrics backend for one analysis. The seam tests use to answer from memory.
class ProviderFactory {
 public:
  virtual ~ProviderFactory() = default;
  // `name`: the request's provider; else the template's (inline, or a name); else the default
  // (--prometheus before the configuration's default provider).
  // InvalidArgument naming the provider when there is none or it is unknown.
  virtual absl::StatusOr<std::unique_ptr<providers::MetricProvider>> Make(
      const std::string& name, const config::AnalysisTemplate& t, const CallLimits& limits) = 0;
};

// Prometheus-API backends from the configuration (`providers`, `defaultProvider`) and, when
// given, --prometheus URL as the default.
class PrometheusProviderFactory final : public ProviderFactory {
 public:
  PrometheusProviderFactory(std::vector<config::ProviderSettings> providers,
                            std::string default_provider, std::string default_url, Clock& clock);
  absl::StatusOr<std::unique_ptr<providers::MetricProvider>> Make(
      const std::string& name, const config::AnalysisTemplate& t,
      const CallLimits& limits) override;

 private:
  const std::vector<config::ProviderSettings> providers_;
  const std::string default_provider_;
  const std::string default_url_;
  Clock& clock_;
};

struct AnalyzerOptions {
  int max_concurrent = 16;                    // limits.maxConcurrentAnalyses
  absl::Duration timeout = absl::Minutes(2);  // limits.analysisTimeout
};

class Analyzer {
 public:
  Analyzer(AnalyzerOptions options, ProviderFactory& providers, ServiceMetrics& metrics,
           Clock& clock = Clock::Real());

  // `kind` labels the metrics: "analyze" or "run_interval". Errors: the provider's and
  // RunAnalysis' (InvalidArgument, Unavailable, DeadlineExceeded, Cancelled...), and
  // DeadlineExceeded or Cancelled while waiting for a slot.
  absl::StatusOr<analysis::AnalysisResult> Analyze(const char* kind, const LoadedTemplate& t,
                                                   const analysis::AnalysisRequest& request,
                                                   const std::string& provider,
                                                   const CallLimits& limits);

  // Whether Analyze could make the provider `name` for `t` (StartRun checks before storing a
  // run, so that a typo fails the call, not every interval): the factory's error.
  absl::Status CheckProvider(const std::string& name, const config::AnalysisTemplate& t);

  // Judges inline data (the Judge RPC): no slot (it is CPU only and short), one thread.
  absl::StatusOr<analysis::AnalysisResult> Judge(const LoadedTemplate& t,
                                                 const analysis::AnalysisRequest& request,
                                                 std::vector<analysis::MetricAnswers> data);

  const AnalyzerOptions& options() const { return options_; }

 private:
  void Record(const char* kind, const analysis::AnalysisResult& result);

  const AnalyzerOptions options_;
  ProviderFactory& providers_;
  ServiceMetrics& metrics_;
  Clock& clock_;
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
};

// The kind label of a provider error for augur_provider_errors_total.
const char* ProviderErrorKind(const absl::Status& status);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_ANALYZER_H_
