// Judgement: what a judge concludes about one metric (one pair of series): a classification
// with the evidence behind it. Every judge (Mann-Whitney, rate, Kolmogorov-Smirnov, threshold)
// returns one; the analysis scores them and decides.
#ifndef AUGUR_JUDGES_JUDGEMENT_H_
#define AUGUR_JUDGES_JUDGEMENT_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"

namespace augur::judges {

// The harmful way a metric can move, experiment relative to control.
enum class Direction { kIncrease, kDecrease, kEither };

// Kayenta's labels, minus NodataFailMetric (the scorer derives it from mustHaveData).
enum class Classification {
  kPass,    // no harmful difference found
  kHigh,    // the experiment is significantly higher, beyond what is allowed
  kLow,     // significantly lower, beyond what is allowed
  kNoData,  // not enough data to judge: missing, NaN-only, too few points, too little traffic
  kError,   // the data could not be judged (inconsistent counts, mismatched series)
};

// "PASS", "HIGH", "LOW", "NODATA", "ERROR".
absl::string_view ClassificationName(Classification classification);

struct Judgement {
  Classification classification = Classification::kNoData;
  // A HIGH or LOW beyond the critical effect size (or of a critical metric): fails the analysis.
  // A critical metric's NODATA is critical too (Kayenta's rule; it scores 0).
  bool critical = false;
  // Plain words, without the metric's name: "canary +23% (98% CI +15%..+31%), p=3e-06".
  std::string reason;
  // NaN where the judge has no such number (a threshold has no p-value).
  double p_value = std::numeric_limits<double>::quiet_NaN();
  double ci_low = std::numeric_limits<double>::quiet_NaN();  // of `estimate`
  double ci_high = std::numeric_limits<double>::quiet_NaN();
  double estimate = std::numeric_limits<double>::quiet_NaN();  // shift, ratio or aggregate
  double effect_size = std::numeric_limits<double>::quiet_NaN();
  // The estimate and interval relative to the control's level (0.23 = +23%), for reasons and
  // A/B decisions; NaN when the control's level is 0 or unknown.
  double relative_estimate = std::numeric_limits<double>::quiet_NaN();
  double relative_ci_low = std::numeric_limits<double>::quiet_NaN();
  double relative_ci_high = std::numeric_limits<double>::quiet_NaN();
  // The dependence between points that the test accounted for (judges/dependence.h): the
  // pooled lag-1 autocorrelation of the rank series (NaN when not estimated), the factor on the
  // independent-samples variance (1: none), the degrees of freedom of a Student-t reference (0:
  // normal) and the instances a side (0: the comparison is not instance-aware).
  double autocorrelation = std::numeric_limits<double>::quiet_NaN();
  double variance_factor = 1.0;
  double degrees_of_freedom = 0.0;
  int64_t instances_experiment = 0;
  int64_t instances_control = 0;
  // The p-value after Holm's adjustment across the analysis' tests (analysis/error_control.h);
  // NaN when the metric is not in that family.
  double p_value_adjusted = std::numeric_limits<double>::quiet_NaN();
};

// Formatting shared by the judges' reasons.
std::string FormatPValue(double p);         // "p=3e-06", "p=0.041", "p<1e-300"
std::string FormatSignedPercent(double r);  // 0.234 -> "+23%", -0.05 -> "-5.0%", 0.0012 -> "+0.12%"
std::string FormatValue(double v);          // 4 significant digits, "NaN", "+Inf"

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_JUDGEMENT_H_
