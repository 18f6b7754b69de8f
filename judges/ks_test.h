// The two-sample Kolmogorov-Smirnov (Smirnov) test: does the experiment's distribution differ
// from the control's anywhere, not only in location?
//
// What it detects: the statistic is the largest vertical gap between the two empirical CDFs, so
// it reacts to any change of distribution: a shift, but also a wider spread or a heavier tail
// with the median unchanged, which the Mann-Whitney test (a test of P(X > Y) = 1/2) is blind to.
// It is most sensitive near the middle of the distribution and weak far in the tails (a P99.9
// regression moves the CDFs by 0.001 at most): pair it with percentile judges for tails.
//
// The alternatives, with F_e and F_c the experiment's and control's CDFs:
//   kTwoSided:          F_e != F_c somewhere; statistic D = max(d_plus, d_minus).
//   kExperimentLarger:  F_e < F_c somewhere (the experiment has larger values, e.g. slower);
//                       statistic d_minus = max(F_c - F_e). R's
//                       ks.test(x = experiment, y = control, alternative = "less").
//   kExperimentSmaller: F_e > F_c somewhere; statistic d_plus = max(F_e - F_c). R's
//                       alternative = "greater", scipy's ks_2samp(experiment, control,
//                       alternative = "greater").
// Note the reversal against Mann-Whitney's naming: a larger experiment has the LOWER CDF.
//
// The p-value is exact when n*m <= kKsExactMaxProduct: the permutation probability, under "both
// samples come from one distribution", that the statistic reaches its observed value, by
// counting lattice paths over the n x m grid (Hodges 1957, "The significance probability of the
// Smirnov two-sample test", Arkiv for Matematik 3:469-486) in O(n*m) time and O(m) memory. Ties
// are exact too: the ECDF gap is only examined where the pooled sorted values change, both for
// the statistic and for the paths (Schroer & Trenkler 1995, "Exact and randomization
// distributions of Kolmogorov-Smirnov tests for two or three samples", Computational Statistics
// & Data Analysis 20:185-202; R's psmirnov). Hit probabilities are summed directly, never formed
// as 1 - P(no hit), so small p-values keep their relative accuracy.
// Above the cap the limiting distribution is used, with N = n*m/(n+m) and x = sqrt(N) * D:
// two-sided 1 - K(x), K Kolmogorov's distribution (Kolmogorov 1933; evaluated to full double
// precision from its two theta-function series, the one converging fastest at each x, with the
// upper tail summed directly for x >= 1); one-sided exp(-2 N D^2) (Smirnov 1939). With ties the
// limit is conservative (p-values too large).
//
// Where augur departs from R 4.2.2 (Debian's "Patched" build, which has psmirnov):
//   * R computes one-sided exact p-values with ties in the "greater" orientation for both
//     directions, so its "less" p-value is wrong when the tie pattern is not symmetric (0.49
//     instead of 17/30 for 3,1,3,8,5,1,1 against 3,4,2, checked by full enumeration); augur
//     counts each direction;
//   * R evaluates K(x) for x < 1 with one term of its series (tolerance 1e-6): its two-sided
//     p-value is up to 4e-5 too high just below x = 1; augur sums to convergence;
//   * exact at n*m == 10000 (R: below 10000).
//
// Pure: no I/O, no clock, no randomness; the same input gives the same bits. Thread-safe.
// O((n+m) log(n+m)) time and O(n+m) memory for the statistic, plus the O(n*m) exact count.
#ifndef AUGUR_JUDGES_KS_TEST_H_
#define AUGUR_JUDGES_KS_TEST_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace augur::judges {

enum class KsAlternative {
  kTwoSided,           // the distributions differ
  kExperimentLarger,   // experiment stochastically larger: its CDF lies below the control's
  kExperimentSmaller,  // experiment stochastically smaller: its CDF lies above
};

// Exact p-values up to this product of the sample sizes; the limiting distribution beyond.
inline constexpr int64_t kKsExactMaxProduct = 10000;

struct KsResult {
  int64_t n_experiment = 0;
  int64_t n_control = 0;
  KsAlternative alternative = KsAlternative::kTwoSided;
  double statistic = 0.0;  // D of the alternative: max(d_plus, d_minus), d_minus or d_plus
  // Both one-sided gaps, whatever the alternative, each in [0, 1], exact multiples of 1/(n*m)
  // rounded once. d_plus = max(F_e - F_c) (R's D^+), d_minus = max(F_c - F_e) (R's D^-).
  double d_plus = 0.0;
  double d_minus = 0.0;
  double p_value = 1.0;  // 1 when the statistic is 0 (e.g. identical samples)
  bool exact = false;    // n*m <= kKsExactMaxProduct
};

// Runs the test. Samples in any order; +-inf are ordinary values (they sort to the ends), -0.0
// equals +0.0. Errors, all kInvalidArgument: an empty sample, a NaN in either sample (the NaN
// policy belongs to the judges above this kernel), n*m above 2^53.
absl::StatusOr<KsResult> KolmogorovSmirnov(absl::Span<const double> experiment,
                                           absl::Span<const double> control,
                                           KsAlternative alternative = KsAlternative::kTwoSided);

// The limiting p-value of a statistic D at N = effective_n (n*m/(n+m) for independent samples;
// smaller for autocorrelated ones, whose ECDFs move like those of fewer points): two-sided
// 1 - K(sqrt(N) D), one-sided exp(-2 N D^2). 1 for D or N not above 0.
double KsLimitingPValue(double statistic, double effective_n, KsAlternative alternative);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_KS_TEST_H_
