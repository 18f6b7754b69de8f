#include "judges/mann_whitney_classifier.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "judges/dependence.h"
#include "judges/descriptive.h"
#include "judges/mann_whitney.h"
#include "judges/sort_doubles.h"

namespace augur::judges {
namespace {

using Options = MannWhitneyClassifierOptions;

std::string ConfidenceText(double confidence) {
  return absl::StrFormat("%g%% CI", 100.0 * confidence);
}

// "+23% (98% CI +15%..+31%)", or in the metric's units when the control's median is 0.
std::string ShiftText(const Judgement& j, double confidence) {
  if (!std::isnan(j.relative_estimate)) {
    return absl::StrCat(FormatSignedPercent(j.relative_estimate), " (", ConfidenceText(confidence),
                        " ", FormatSignedPercent(j.relative_ci_low), "..",
                        FormatSignedPercent(j.relative_ci_high), ")");
  }
  auto signed_value = [](double v) { return absl::StrCat(v > 0 ? "+" : "", FormatValue(v)); };
  return absl::StrCat(signed_value(j.estimate), " (", ConfidenceText(confidence), " ",
                      signed_value(j.ci_low), "..", signed_value(j.ci_high), ")");
}

std::string EffectText(double effect, Options::EffectSize measure) {
  return absl::StrFormat(
      "%s %.3g", measure == Options::EffectSize::kCles ? "P(higher)" : "mean ratio", effect);
}

bool IsCritical(const Options& o, Classification c, double effect) {
  if (c == Classification::kHigh) {
    if (o.critical_increase) return std::isnan(effect) || effect >= *o.critical_increase;
    return o.critical;
  }
  if (c == Classification::kLow) {
    if (o.critical_decrease) return std::isnan(effect) || effect <= *o.critical_decrease;
    return o.critical;
  }
  return false;
}

// " (autocorrelation 0.81: variance x9.4)" or the instances: what the dependence adjustment
// did, for the reason.
std::string DependenceText(const Judgement& j, const std::string& label) {
  if (j.instances_experiment > 0) {
    return absl::StrFormat(" (%d %s and %d control instances: variance x%.3g, t with %.3g df)",
                           j.instances_experiment, label, j.instances_control, j.variance_factor,
                           j.degrees_of_freedom);
  }
  if (std::isnan(j.autocorrelation) || !(j.variance_factor > 1.0)) return "";
  return absl::StrFormat(" (autocorrelation %.2f: variance x%.3g)", j.autocorrelation,
                         j.variance_factor);
}

}  // namespace

double SmallestMannWhitneyPValue(int64_t n, int64_t m) {
  if (n <= 0 || m <= 0) return 1.0;
  const double log_choose = std::lgamma(static_cast<double>(n + m) + 1.0) -
                            std::lgamma(static_cast<double>(n) + 1.0) -
                            std::lgamma(static_cast<double>(m) + 1.0);
  return std::min(1.0, 2.0 * std::exp(-log_choose));
}

Judgement ClassifyMannWhitney(absl::Span<const double> experiment, absl::Span<const double> control,
                              const Options& o) {
  Judgement j;
  const int64_t n = static_cast<int64_t>(experiment.size());
  const int64_t m = static_cast<int64_t>(control.size());
  if (n == 0 || m == 0) {
    j.classification = Classification::kNoData;
    j.critical = o.critical;
    j.reason = absl::StrCat("no data: ", o.experiment_label, " has ", n, " points, control ", m);
    return j;
  }
  if (o.mode == Options::Mode::kAugur) {
    const double smallest = SmallestMannWhitneyPValue(n, m);
    if (smallest >= 1.0 - o.confidence) {
      j.classification = Classification::kNoData;
      j.critical = o.critical;
      j.reason = absl::StrFormat(
          "too few points to reach %g%% confidence: %s has %d, control %d (the smallest "
          "possible p-value is %.2g)",
          100.0 * o.confidence, o.experiment_label, n, m, smallest);
      return j;
    }
  }

  std::vector<double> sorted_e(experiment.begin(), experiment.end());
  std::vector<double> sorted_c(control.begin(), control.end());
  SortDoubles(sorted_e);
  SortDoubles(sorted_c);
  const double control_median = PercentileOfSorted(sorted_c, 50);
  const double mean_ratio = o.experiment_mean && o.control_mean
                                ? MeanRatioOfMeans(*o.experiment_mean, *o.control_mean)
                                : MeanRatio(experiment, control);
  if (sorted_e == sorted_c) {
    j.classification = Classification::kPass;
    j.reason = "the data of both sides are identical";
    j.estimate = j.ci_low = j.ci_high = 0.0;
    j.effect_size = o.effect_size == Options::EffectSize::kCles ? 0.5 : 1.0;
    return j;
  }
  if (sorted_e.front() == sorted_e.back() && sorted_c.front() == sorted_c.back() &&
      sorted_e.front() == sorted_c.front()) {
    j.classification = Classification::kPass;
    j.reason = absl::StrCat("every value on both sides is ", FormatValue(sorted_e.front()));
    j.estimate = j.ci_low = j.ci_high = 0.0;
    j.effect_size = o.effect_size == Options::EffectSize::kCles ? 0.5 : 1.0;
    return j;
  }

  MannWhitneyOptions mw;
  mw.confidence = o.confidence;
  if (o.mode == Options::Mode::kAugur && o.dependence == Options::Dependence::kSerial) {
    const SerialDependence d =
        EstimateSerialDependence(o.experiment_series, o.control_series, sorted_e, sorted_c);
    j.autocorrelation = d.autocorrelation;
    j.variance_factor = d.variance_factor;
    mw.variance_factor = d.variance_factor;
  } else if (o.mode == Options::Mode::kAugur && o.dependence == Options::Dependence::kInstances &&
             o.experiment_instances != nullptr && o.control_instances != nullptr) {
    auto d = EstimateClusterDependence(*o.experiment_instances, *o.control_instances);
    if (!d.ok()) {
      j.classification = Classification::kError;
      j.reason =
          absl::StrCat("the instance-aware comparison could not run: ", d.status().message());
      return j;
    }
    j.variance_factor = d->variance_factor;
    j.degrees_of_freedom = d->degrees_of_freedom;
    j.instances_experiment = d->instances_experiment;
    j.instances_control = d->instances_control;
    mw.variance_factor = d->variance_factor;
    mw.degrees_of_freedom = d->degrees_of_freedom;
  }
  if (mw.variance_factor != 1.0 || mw.degrees_of_freedom > 0.0) {
    // The most extreme outcome, every experiment point above every control point (continuity
    // corrected), must be able to reach the confidence; otherwise nothing can be shown.
    const double nd = static_cast<double>(n), md = static_cast<double>(m);
    const double sigma = std::sqrt(nd * md * (nd + md + 1.0) / 12.0 * mw.variance_factor);
    const double best =
        2.0 * MannWhitneyReferenceUpperTail((nd * md / 2.0 - 0.5) / sigma, mw.degrees_of_freedom);
    if (best >= 1.0 - o.confidence) {
      j.classification = Classification::kNoData;
      j.critical = o.critical;
      j.reason = absl::StrFormat(
          "too few independent points to reach %g%% confidence: %s has %d, control %d%s (the "
          "smallest possible p-value is %.2g)",
          100.0 * o.confidence, o.experiment_label, n, m, DependenceText(j, o.experiment_label),
          best);
      return j;
    }
  }
  // Two constant sides that differ: Kayenta adds Gaussian noise (sd 1e-5 of each value) so that
  // its root search can run, which makes its interval [d, d] up to noise. augur takes that limit
  // exactly: the exact interval of the pairwise differences, all equal to d.
  const bool both_constant =
      sorted_e.front() == sorted_e.back() && sorted_c.front() == sorted_c.back();
  if (o.mode == Options::Mode::kKayenta && !both_constant) {
    mw.interval = IntervalMethod::kKayenta;
    mw.exact = ExactMode::kNever;
    mw.correct = true;
  }
  auto result = MannWhitney(sorted_e, sorted_c, mw);
  if (!result.ok()) {
    j.classification = Classification::kError;
    j.reason = absl::StrCat("Mann-Whitney could not run: ", result.status().message());
    return j;
  }
  const double pairs = static_cast<double>(n) * static_cast<double>(m);
  j.p_value = result->p_value;
  j.estimate = result->estimate;
  j.ci_low = result->ci_low;
  j.ci_high = result->ci_high;
  j.effect_size = o.effect_size == Options::EffectSize::kCles ? result->w / pairs : mean_ratio;
  if (control_median != 0.0 && std::isfinite(control_median)) {
    const double scale = std::fabs(control_median);
    j.relative_estimate = j.estimate / scale;
    j.relative_ci_low = j.ci_low / scale;
    j.relative_ci_high = j.ci_high / scale;
  }

  const double margin = o.tolerance * std::fabs(j.estimate);
  bool high_evidence;
  bool low_evidence;
  if (o.mode == Options::Mode::kKayenta) {
    high_evidence = j.ci_low > margin;
    low_evidence = j.ci_high < -margin;
  } else {
    const double alpha = 1.0 - o.confidence;
    high_evidence = j.p_value < alpha && result->w > pairs / 2 && j.ci_low >= margin;
    low_evidence = j.p_value < alpha && result->w < pairs / 2 && j.ci_high <= -margin;
  }
  const double effect = j.effect_size;
  const bool high_gate = std::isnan(effect) || effect >= o.allowed_increase;
  const bool low_gate = std::isnan(effect) || effect <= o.allowed_decrease;
  const bool watch_high = o.direction != Direction::kDecrease;
  const bool watch_low = o.direction != Direction::kIncrease;

  const std::string evidence =
      absl::StrCat(o.experiment_label, " ", ShiftText(j, o.confidence), ", ",
                   FormatPValue(j.p_value), DependenceText(j, o.experiment_label));
  if (watch_high && high_evidence && high_gate) {
    j.classification = Classification::kHigh;
  } else if (watch_low && low_evidence && low_gate) {
    j.classification = Classification::kLow;
  } else {
    j.classification = Classification::kPass;
  }
  j.critical = IsCritical(o, j.classification, effect);
  const std::string effect_text = EffectText(effect, o.effect_size);
  if (j.classification != Classification::kPass) {
    j.reason = absl::StrCat(evidence, ", ", effect_text);
    return j;
  }
  if (watch_high && high_evidence) {
    j.reason = absl::StrCat(evidence, ": higher, but ", effect_text, " is below the allowed ",
                            FormatValue(o.allowed_increase));
  } else if (watch_low && low_evidence) {
    j.reason = absl::StrCat(evidence, ": lower, but ", effect_text, " is above the allowed ",
                            FormatValue(o.allowed_decrease));
  } else if ((high_evidence && !watch_high) || (low_evidence && !watch_low)) {
    j.reason = absl::StrCat(evidence, ": a change in the harmless direction");
  } else {
    j.reason = absl::StrCat(evidence, ": no significant shift");
  }
  return j;
}

}  // namespace augur::judges
