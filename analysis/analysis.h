// One analysis: a template, its arguments, the control and experiment scopes, a window and a
// strategy in; every query fetched (concurrently, through the provider), every metric judged,
// the groups scored and one verdict out, with the reasons that decided it.
#ifndef AUGUR_ANALYSIS_ANALYSIS_H_
#define AUGUR_ANALYSIS_ANALYSIS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analysis/scoring.h"
#include "config/analysis_template.h"
#include "core/time_series.h"
#include "judges/descriptive.h"
#include "judges/judgement.h"
#include "providers/metric_provider.h"

namespace augur::analysis {

enum class Strategy { kCanary, kAb, kShadow };
enum class Verdict { kPromote, kHold, kAbort };

const char* StrategyName(Strategy strategy);  // "canary", "ab", "shadow"
const char* VerdictName(Verdict verdict);     // "PROMOTE", "HOLD", "ABORT"
absl::StatusOr<Strategy> ParseStrategy(absl::string_view text);

struct AnalysisRequest {
  std::map<std::string, std::string> args;
  std::string control_scope;
  std::string experiment_scope;
  absl::Time start;
  absl::Time end;
  std::optional<absl::Duration> step;  // default: the template's
  Strategy strategy = Strategy::kCanary;
  // Threads that judge the metrics (each metric is independent; results do not depend on it):
  // 0 is up to 4 of the machine's cores, fewer for small analyses.
  int judge_threads = 0;
  // Keep each metric's series in its result (MetricResult::control_series), for reports. The
  // CLI keeps them; the service's Judge does not pay for the copies.
  bool keep_series = false;
};

// A/B only: what a KPI showed.
enum class KpiOutcome { kNone, kBetter, kNonInferior, kInconclusive, kWorse };
const char* KpiOutcomeName(KpiOutcome outcome);  // "", "better", "non-inferior", ...

// The verdict on one metric, or on one pair of series when a query returns several.
struct MetricResult {
  std::string name;    // the metric's name, with the pair's labels: p99{route="/api"}
  std::string metric;  // the template metric's name
  std::string group;
  std::string judge;  // "mannWhitney", "rate", "threshold", "kolmogorovSmirnov"
  Labels labels;      // the pair's labels (empty for single series)
  judges::Judgement judgement;
  bool critical_metric = false;  // the template marks the metric critical
  bool dry_run = false;
  bool must_have_data = true;
  // A/B: the role and, for KPIs, what they showed.
  bool kpi = false;
  KpiOutcome kpi_outcome = KpiOutcome::kNone;
  bool kpi_has_margin = false;  // the KPI sets nonInferiorityMargin: it must be shown
  // The data judged, after NaN handling and outlier removal; for a rate, the counts.
  judges::Summary control;
  judges::Summary experiment;
  std::optional<double> control_events, control_total, experiment_events, experiment_total;
  // The series judged, as fetched (NaN included, before outlier removal), when the request kept
  // them: what a report draws. Empty for rate judges.
  std::vector<Point> control_series, experiment_series;
  // The PromQL sent, per side ("control", "experiment", or "control.events" and so on).
  std::vector<std::pair<std::string, std::string>> queries;
};

struct AnalysisResult {
  Verdict verdict = Verdict::kHold;
  std::string reason;
  Score score;
  Strategy strategy = Strategy::kCanary;
  std::string template_name;
  std::string control_scope, experiment_scope;
  absl::Time start, end;
  absl::Duration step;
  std::string provider;  // where the data came from (no credentials)
  double pass_threshold = 95, marginal_threshold = 75;
  std::vector<MetricResult> metrics;  // template order; pairs of one metric together
};

// Runs the analysis. Errors:
//   InvalidArgument    the request or the template cannot run: a missing argument, an empty
//                      scope, end before start, a strategy the template does not support (ab
//                      needs a KPI), a query the backend rejects (its message, with the metric).
//   Unavailable, DeadlineExceeded, PermissionDenied, FailedPrecondition, ResourceExhausted,
//   DataLoss           the backend could not answer (the provider's error, with the metric):
//                      the analysis could not run; there is no verdict.
// Data problems (no series, NaN only, too few points, too little traffic, mismatched labels)
// are not errors: they are NODATA/ERROR classifications, and never a PROMOTE.
absl::StatusOr<AnalysisResult> RunAnalysis(const config::AnalysisTemplate& t,
                                           const AnalysisRequest& request,
                                           providers::MetricProvider& provider);

// The data of one template metric that the caller already holds (the Judge RPC): series judges
// read `control` and `experiment` (several series per side pair by labels, as query results
// do); rate judges read the last point of each count. Empty results are missing data.
struct MetricAnswers {
  QueryResult control, experiment;
  QueryResult control_events, control_total, experiment_events, experiment_total;
};

// Judges data given inline, without a provider: data[i] belongs to t.metrics[i]. The request's
// window is only reported (it may be empty); metrics carry no rendered queries. Errors:
// InvalidArgument for a request RunAnalysis would refuse or a data count that does not match.
absl::StatusOr<AnalysisResult> JudgeAnswers(const config::AnalysisTemplate& t,
                                            const AnalysisRequest& request,
                                            std::vector<MetricAnswers> data);

// The decision, from judged metrics and their score (exposed for tests):
//   * canary: ABORT on a critical failure, or when the score of the metrics that have data is
//     below marginal; HOLD when any metric lacks data or errs, or the score is below pass;
//     PROMOTE otherwise.
//   * shadow: ABORT on any HIGH or LOW; HOLD on missing data; PROMOTE otherwise.
//   * ab: ABORT when a KPI is significantly worse or a guardrail fails; PROMOTE when every KPI
//     with a non-inferiority margin meets it, at least one KPI is better (or non-inferior), no
//     guardrail fails and nothing lacks data; HOLD otherwise.
// Dry-run metrics never count. The reason names the deciding metrics.
void Decide(AnalysisResult& result, const std::map<std::string, double>& group_weights);

}  // namespace augur::analysis

#endif  // AUGUR_ANALYSIS_ANALYSIS_H_
