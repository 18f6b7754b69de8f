// The two-sample Mann-Whitney U test (Wilcoxon rank-sum) with the Hodges-Lehmann estimate of the
// shift and its confidence interval: augur's statistical kernel.
//
// Definitions follow R's wilcox.test(x = experiment, y = control, conf.int = TRUE): the statistic
// W is the U of the experiment (#pairs with experiment > control, ties counting 1/2); the exact
// null distribution is used when both samples are under 50 and nothing is tied (or when asked),
// otherwise the normal approximation with tie correction and, by default, continuity correction.
// The estimate and interval describe experiment minus control.
//
// Where augur departs from R on purpose (docs/statistics.md explains each):
//   * interval kExact (the default) returns the order statistics of the pairwise differences that
//     R's root search approximates with its absolute 1e-4 tolerance, and the true Hodges-Lehmann
//     median, so results are exact at every scale; kRCompatible reproduces R's numbers instead;
//   * when every observation is tied the p-value is 1 (R gives NaN) and the interval is the
//     single common difference (R stops);
//   * two equal infinities differ by 0 (IEEE would give NaN), so +-Inf data keep a defined
//     estimate and interval in kExact mode.
//
// Pure: no I/O, no clock, no randomness. O((n+m) log(n+m)) time, O(n+m) memory; the n*m pairwise
// differences are never materialised.
#ifndef AUGUR_JUDGES_MANN_WHITNEY_H_
#define AUGUR_JUDGES_MANN_WHITNEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace augur::judges {

// Which shift the test looks for, experiment relative to control.
enum class Alternative {
  kTwoSided,  // experiment differs
  kGreater,   // experiment is larger
  kLess,      // experiment is smaller
};

enum class ExactMode {
  kAuto,    // exact when both samples have fewer than 50 values and there are no ties (R's rule)
  kAlways,  // exact unless there are ties (then the normal approximation, with a warning);
            // fails with kOutOfRange beyond MannWhitneyDistribution::kMaxProduct
  kNever,   // always the normal approximation
};

enum class IntervalMethod {
  // Order statistics of the pairwise differences; estimate = their median. Scale-exact.
  kExact,
  // R 4.2's numbers: in the normal-approximation branch, Brent's root search on the
  // standardised statistic with absolute tolerance root_tolerance (R: tol.root = 1e-4), the
  // continuity correction dropped for the estimate, as wilcox.test does.
  kRCompatible,
  // Kayenta's numbers: the root search of kRCompatible always (Kayenta has no exact branch),
  // with the continuity correction kept for the estimate too.
  kKayenta,
};

enum class TestMethod { kExact, kAsymptotic };

struct MannWhitneyOptions {
  Alternative alternative = Alternative::kTwoSided;
  ExactMode exact = ExactMode::kAuto;
  bool correct = true;       // continuity correction of the normal approximation
  double confidence = 0.95;  // of the interval, in (0, 1)
  IntervalMethod interval = IntervalMethod::kExact;
  double root_tolerance = 1e-4;  // kRCompatible and kKayenta only; absolute, as in R
  // Dependence between the points (judges/dependence.h): the null variance of U is
  // variance_factor times the independent-samples one, and with degrees_of_freedom > 0 the
  // reference distribution is Student's t with that many degrees of freedom instead of N(0, 1).
  // Either one set (factor != 1 or df > 0) selects the normal-approximation branch with the
  // scaled sigma for the p-value and for the interval's order statistics, whatever `exact` says:
  // the exact null distribution assumes independent points. kExact interval only. At the
  // defaults (1, 0) the test is R's.
  double variance_factor = 1.0;
  double degrees_of_freedom = 0.0;
};

struct MannWhitneyResult {
  int64_t n_experiment = 0;
  int64_t n_control = 0;
  double w = 0.0;  // U of the experiment sample
  double p_value = 1.0;
  double estimate = 0.0;             // shift, experiment minus control
  double ci_low = 0.0;               // -inf for Alternative::kLess
  double ci_high = 0.0;              // +inf for Alternative::kGreater
  double confidence = 0.0;           // as requested
  double achieved_confidence = 0.0;  // exact branch: the discrete coverage actually attained
  Alternative alternative = Alternative::kTwoSided;
  TestMethod method = TestMethod::kAsymptotic;
  IntervalMethod interval = IntervalMethod::kExact;
  bool correct = true;
  double variance_factor = 1.0;       // as used
  double degrees_of_freedom = 0.0;    // 0: normal reference
  std::vector<std::string> warnings;  // what R would warn about, in plain words
};

// Runs the test. Errors (kInvalidArgument unless noted): an empty sample, a NaN in either
// sample (the NaN policy belongs to the judges above this kernel), confidence outside (0, 1),
// root_tolerance not positive, variance_factor below 1 or not finite, degrees_of_freedom negative
// or NaN, a dependence adjustment with an interval other than kExact, n*m above 2^53; kOutOfRange
// for ExactMode::kAlways beyond the exact distribution's supported size; for kRCompatible/kKayenta
// in the normal branch, non-finite data or all observations tied (R cannot compute an interval
// there either).
absl::StatusOr<MannWhitneyResult> MannWhitney(absl::Span<const double> experiment,
                                              absl::Span<const double> control,
                                              const MannWhitneyOptions& options = {});

// Names used by the CLI, JSON output and templates: "two-sided", "greater", "less"; "auto",
// "always", "never"; "exact", "r-compatible", "kayenta"; "exact", "asymptotic".
// P(T > z) under the normal approximation's null reference: N(0, 1) when degrees_of_freedom is
// 0, Student's t with that many degrees of freedom otherwise (MannWhitneyOptions).
double MannWhitneyReferenceUpperTail(double z, double degrees_of_freedom);

absl::string_view AlternativeName(Alternative alternative);
absl::string_view ExactModeName(ExactMode mode);
absl::string_view IntervalMethodName(IntervalMethod method);
absl::string_view TestMethodName(TestMethod method);
absl::StatusOr<Alternative> ParseAlternative(absl::string_view name);
absl::StatusOr<ExactMode> ParseExactMode(absl::string_view name);
absl::StatusOr<IntervalMethod> ParseIntervalMethod(absl::string_view name);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_MANN_WHITNEY_H_
