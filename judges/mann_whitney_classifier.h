// Kayenta's NetflixACAJudge metric classification (shared/reference/kayenta.md §2.4-2.7) on
// augur's Mann-Whitney kernel: is the experiment significantly higher or lower than the
// control, by more than the allowed effect size, and is that critical?
//
// Two modes. kKayenta reproduces Kayenta's classifications: the interval of its root search
// (absolute tolerance 1e-4, normal approximation always) and its rule, HIGH iff the lower bound
// L > tolerance·|estimate| (LOW iff the upper bound U < -tolerance·|estimate|) and the effect
// size passes its gate. kAugur (the default) keeps that rule but removes Kayenta's flaws:
//   * the interval is exact at every scale (order statistics of the pairwise differences) and
//     the configured confidence is honoured;
//   * the test must agree: HIGH needs the two-sided p-value below 1 - confidence with the
//     experiment ranked above the control (LOW: below), and L >= tolerance·|estimate| (so
//     zero-inflated data whose median shift is exactly 0 but whose ranks differ - Kayenta's
//     "Large Input" vector - is judged by its p-value, not by an accident of root search);
//   * samples too small to ever reach the confidence are NODATA, not PASS: with n and m
//     points and no ties the smallest two-sided p-value is 2 / C(n+m, n), so 4 against 4 points
//     can never show anything at 98% (2/70 > 0.02);
//   * no random noise for constant data: two constant sides differing is judged on its exact
//     interval [d, d] and the tie-corrected test, deterministically.
// With a dependence adjustment (kSerial, kInstances), a test that cannot reach the confidence
// even with every experiment point above every control point (too few independent points
// once the autocorrelation or the instances are accounted for) is NODATA, with the effective
// sizes in the reason. In both modes, empty data is NODATA (Kayenta passes it under nanStrategy
// replace; augur never passes missing data). Pure and deterministic.
#ifndef AUGUR_JUDGES_MANN_WHITNEY_CLASSIFIER_H_
#define AUGUR_JUDGES_MANN_WHITNEY_CLASSIFIER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "judges/judgement.h"

namespace augur::judges {

struct MannWhitneyClassifierOptions {
  enum class EffectSize { kMeanRatio, kCles };
  enum class Mode { kAugur, kKayenta };

  Direction direction = Direction::kEither;
  double confidence = 0.98;
  double tolerance = 0.25;
  EffectSize effect_size = EffectSize::kMeanRatio;
  Mode mode = Mode::kAugur;
  // Effect sizes tolerated: meanRatio defaults 1.0/1.0, cles 0.5/0.5 (the caller sets them).
  double allowed_increase = 1.0;
  double allowed_decrease = 1.0;
  // A critical metric's HIGH/LOW is critical; with a critical effect size set, only a HIGH at or
  // beyond it (LOW at or below it) is, and then whether or not the metric is critical.
  bool critical = false;
  std::optional<double> critical_increase;
  std::optional<double> critical_decrease;
  // How reasons name the experiment: "canary", "B", "shadow".
  std::string experiment_label = "experiment";
  // Each side's Mean() when the caller has it already (the analysis summarises both sides
  // first); else the classifier computes them. Only the mean ratio uses them.
  std::optional<double> experiment_mean;
  std::optional<double> control_mean;

  // Dependence between the points (judges/dependence.h), mode kAugur only (kKayenta always
  // treats the points as independent samples):
  //   kIndependent  independent samples (R's and Kayenta's assumption);
  //   kSerial       each side is one time series: experiment_series and control_series give
  //                 its points in time order (the spans classified may be sorted), and the
  //                 variance is scaled by the AR(1) estimate of their autocorrelation;
  //   kInstances    each side is several instances (pods): experiment_instances and
  //                 control_instances partition the classified points, and the clustered
  //                 variance with a Student-t reference is used.
  enum class Dependence { kIndependent, kSerial, kInstances };
  Dependence dependence = Dependence::kIndependent;
  absl::Span<const double> experiment_series, control_series;
  const std::vector<std::vector<double>>* experiment_instances = nullptr;
  const std::vector<std::vector<double>>* control_instances = nullptr;
};

// Classifies already preprocessed samples (judges/preprocess.h): no NaN. Empty sides are NODATA.
// estimate/ci are the Hodges-Lehmann shift (experiment minus control) and its interval at the
// configured confidence; effect_size is the mean ratio or CLES; relative_* divide by |median of
// the control| when it is not 0.
Judgement ClassifyMannWhitney(absl::Span<const double> experiment, absl::Span<const double> control,
                              const MannWhitneyClassifierOptions& options);

// The smallest two-sided p-value an exact Mann-Whitney test of n against m untied values can
// reach: 2 / C(n+m, n), capped at 1.
double SmallestMannWhitneyPValue(int64_t n, int64_t m);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_MANN_WHITNEY_CLASSIFIER_H_
