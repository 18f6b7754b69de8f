// AnalysisTemplate: an SRE's release criteria, as read from YAML (docs/templates.md is the
// reference; every default below is documented there). Plain structs: the loader validates,
// the analysis interprets.
#ifndef AUGUR_CONFIG_ANALYSIS_TEMPLATE_H_
#define AUGUR_CONFIG_ANALYSIS_TEMPLATE_H_

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace augur::config {

// The harmful way a metric can move (canary, shadow, A/B guardrails).
enum class Direction { kIncrease, kDecrease, kEither };
// The good way a KPI can move (A/B).
enum class Better { kIncrease, kDecrease };

struct TemplateArg {
  std::string name;
  std::optional<std::string> default_value;  // none: the argument is required
  std::string description;
};

// A provider given inline in the template; otherwise the template names one from the CLI or
// server configuration, or leaves it to the command line's --prometheus.
struct InlinePrometheus {
  std::string address;
  std::map<std::string, std::string> headers;
  std::string bearer_token_file;
};

struct ProviderRef {
  std::string name;  // a configured provider, or empty
  std::optional<InlinePrometheus> inline_prometheus;
};

// Mann-Whitney U with the Hodges-Lehmann interval (Kayenta's classifier, confidence honoured).
struct MannWhitneyJudge {
  // How the size of a shift is measured for the allowed/critical gates: the ratio of means
  // (Kayenta's default) or the common-language effect size P(experiment > control).
  enum class EffectSize { kMeanRatio, kCles };
  // augur: exact intervals, a p-value that must agree, too-small samples are NODATA.
  // kayenta: Kayenta's classifications reproduced (root-search interval, no sample-size rule).
  enum class Mode { kAugur, kKayenta };
  Direction direction = Direction::kEither;
  double confidence = 0.98;  // Kayenta's NetflixACAJudge value, now honoured
  double tolerance = 0.25;   // the interval must clear tolerance * |estimate| (Kayenta's 0.25)
  EffectSize effect_size = EffectSize::kMeanRatio;
  Mode mode = Mode::kAugur;
  // adjust: the points of a series are autocorrelated, and the test's variance grows with the
  // estimated autocorrelation (judges/dependence.h); ignore: independent samples, R's test.
  // Mode kayenta always ignores it.
  bool adjust_autocorrelation = true;
  double allowed_increase = 1.0;  // effect size tolerated before HIGH (meanRatio 1.0, cles 0.5)
  double allowed_decrease = 1.0;  // effect size tolerated before LOW (meanRatio 1.0, cles 0.5)
  std::optional<double> critical_increase;  // a HIGH at or past this effect fails the analysis
  std::optional<double> critical_decrease;
};

// A count-based rate test: events/total on each side.
struct RateJudge {
  std::string events;  // PromQL with placeholders
  std::string total;
  Direction direction = Direction::kIncrease;
  double confidence = 0.95;
  int64_t min_total = 200;        // fewer events in total on either side: not enough evidence
  double allowed_increase = 1.0;  // experiment/control rate ratio tolerated
  double allowed_decrease = 1.0;  // ratio tolerated before LOW (direction decrease or either)
  // Instead of a ratio, an absolute rise of the rate tolerated (0.001 = 0.1 percentage points).
  std::optional<double> allowed_absolute_increase;
  std::optional<double> critical_increase;
  // adjust: the counts' overdispersion over time (bursts) is estimated from per-step counts
  // (the queries re-rendered with {{window}} as the step) and the test uses Rao and Scott's
  // effective counts; ignore (the default): independent events, as the exact test assumes.
  // Opt-in because Prometheus' increase() over one step extrapolates: with a scrape interval s
  // the per-step counts are scaled by about step / (step - s), which the estimate cannot tell
  // from real overdispersion (docs/judging.md).
  bool adjust_dispersion = false;
};

// Absolute bounds on the experiment, and bounds relative to the control (Keptn's "<=+10%").
struct ThresholdJudge {
  std::string aggregate = "mean";  // mean, median, min, max, last, pNN (judges/threshold.h)
  std::optional<double> min;
  std::optional<double> max;
  std::optional<double> max_increase_percent;  // experiment <= control * (1 + p/100)
  std::optional<double> max_decrease_percent;  // experiment >= control * (1 - p/100)
  std::vector<std::string> criteria;           // Keptn criteria, all must hold: "<=+10%", "<600"
};

// The two-sample Kolmogorov-Smirnov test: catches a spread or tail that grows while the median
// holds, which Mann-Whitney cannot see.
struct KolmogorovSmirnovJudge {
  Direction direction = Direction::kIncrease;
  double confidence = 0.98;
  double quantile = 0.99;         // the tail whose ratio gates the verdict
  double allowed_increase = 1.0;  // experiment/control ratio of that quantile tolerated
  double allowed_decrease = 1.0;
  bool adjust_autocorrelation = true;  // as MannWhitneyJudge: effective sample sizes
};

using Judge = std::variant<MannWhitneyJudge, RateJudge, ThresholdJudge, KolmogorovSmirnovJudge>;

struct Outliers {
  bool remove = false;  // IQR removal
  double factor = 3.0;  // fences at Q1 - f·IQR and Q3 + f·IQR
};

struct Metric {
  std::string name;
  std::string group;  // defaults to the metric's name
  // Either `query` for both sides or both of the per-side queries (rate judges carry their own).
  std::string query;
  std::string control_query;
  std::string experiment_query;
  Judge judge;
  bool critical = false;
  bool must_have_data = true;
  bool dry_run = false;
  bool nan_replace = false;  // nanStrategy: remove (default) or replace (with 0)
  Outliers outliers;
  // The label that tells a side's instances (pods) apart, for the instance-aware comparison:
  // the query returns one series per instance, and instances are the units compared
  // (mannWhitney only). Empty: series are paired across the sides by their labels.
  std::string instances;
  // A/B: a KPI names the good direction; a guardrail is judged like a canary metric.
  std::optional<Better> better;
  bool guardrail = false;
  std::optional<double> minimum_effect;
  std::optional<double> non_inferiority_margin;
};

struct Scoring {
  double pass = 95;
  double marginal = 75;
  std::map<std::string, double> group_weights;  // groups not listed weigh 1
};

// How the metrics' tests share the false-alarm rate: Holm's step-down adjustment of their
// p-values (the default: "abort if any metric regresses" keeps each metric's confidence for the
// family), or none (each metric alone at its confidence, as Kayenta).
enum class ErrorControl { kHolm, kNone };

struct AnalysisTemplate {
  std::string name;
  std::string description;
  std::vector<TemplateArg> args;
  ProviderRef provider;
  absl::Duration step = absl::Seconds(30);
  Scoring scoring;
  ErrorControl error_control = ErrorControl::kHolm;
  std::vector<Metric> metrics;
};

}  // namespace augur::config

#endif  // AUGUR_CONFIG_ANALYSIS_TEMPLATE_H_
