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
  Direction direction = Direction::kEither;
  double confidence = 0.98;                 // Kayenta's NetflixACAJudge value, now honoured
  double allowed_increase = 1.0;            // experiment/control mean ratio tolerated before HIGH
  double allowed_decrease = 1.0;            // ratio tolerated before LOW
  std::optional<double> critical_increase;  // a HIGH at or past this ratio fails the analysis
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
  std::optional<double> critical_increase;
};

// Absolute bounds on the experiment, and bounds relative to the control (Keptn's "<=+10%").
struct ThresholdJudge {
  enum class Aggregate { kMean, kMedian, kMin, kMax, kLast, kP90, kP95, kP99 };
  Aggregate aggregate = Aggregate::kMean;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<double> max_increase_percent;  // experiment <= control * (1 + p/100)
  std::optional<double> max_decrease_percent;  // experiment >= control * (1 - p/100)
};

using Judge = std::variant<MannWhitneyJudge, RateJudge, ThresholdJudge>;

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

struct AnalysisTemplate {
  std::string name;
  std::string description;
  std::vector<TemplateArg> args;
  ProviderRef provider;
  absl::Duration step = absl::Seconds(30);
  Scoring scoring;
  std::vector<Metric> metrics;
};

}  // namespace augur::config

#endif  // AUGUR_CONFIG_ANALYSIS_TEMPLATE_H_
