// Two-sample comparison of event rates (errors per request, conversions per visit): the exact
// conditional test for the ratio of two Poisson rates, and Newcombe's interval for the
// difference of the two proportions.
//
// The test (Przyborowski & Wilenski 1940, "Homogeneity of results in testing samples from Poisson
// series", Biometrika 31:313-323) conditions on the total number of events k = x_e + x_c. Given
// k, x_e ~ Binomial(k, pi) with pi = t_e*R / (t_e*R + t_c), where R is the rate ratio
// experiment/control and t_e, t_c the exposures (requests, visits). Testing R = r0 becomes an
// exact binomial test of pi = pi0, and the Clopper-Pearson interval for pi maps to an interval for
// R through R = pi/(1 - pi) * t_c/t_e. This is what R's
// poisson.test(c(x_e, x_c), c(t_e, t_c), r = r0) computes; augur returns its numbers (see each
// field for the rare places where augur is more accurate than R's arithmetic).
//
// Why this test: errors per request are strictly binomial, not Poisson, but for the rare events a
// canary watches (rates well under a few per cent) the two coincide, and the conditional test is
// the standard exact comparison: it needs no large-sample approximation, so it is valid for the
// 3-errors-against-0 case a canary sees in its first minutes. For larger proportions it is
// conservative: with binomial counts and equal rates, x_e given k is hypergeometric, narrower
// than the Binomial(k, pi) the test refers it to (by the finite-population factor
// 1 - k/(t_e + t_c)), so p-values come out larger and intervals wider than Fisher's exact test
// would give, and false alarms stay below the nominal rate. The interval for the difference of
// rates (for "at most +0.1 percentage points" criteria) is a binomial one, Newcombe's.
//
// Cost and accuracy: Boost.Math's incomplete beta gives the tails and their inverses, so counts up
// to 2^53 (totals of 1e12, k of 1e9 and more) cost O(log k) evaluations, never a sum over k terms;
// the two-sided p-value finds the far-side cut-off by bisection on the monotone side of the pmf.
// Against a 50-digit evaluation the tail probabilities are good to about 1e-15 relative for k up
// to 1e5, 1e-13 at k = 1e7 and 1e-11 at k = 1e9 (R's pbinom: similar, 3e-13 at 1e9). The
// question itself is no sharper at that size: rounding pi to a double moves them by ~1e-12.
// Pure: no I/O, no clock, no randomness; the same input gives the same bits. Thread-safe.
#ifndef AUGUR_JUDGES_RATE_TEST_H_
#define AUGUR_JUDGES_RATE_TEST_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace augur::judges {

struct RateTestOptions {
  double confidence = 0.95;  // of both two-sided intervals, in (0, 1)
  double null_ratio = 1.0;   // r0 of the p-values (R's `r`), finite and > 0
};

struct RateTestResult {
  int64_t events_experiment = 0;
  int64_t total_experiment = 0;
  int64_t events_control = 0;
  int64_t total_control = 0;
  double rate_experiment = 0.0;  // events / total
  double rate_control = 0.0;
  // rate_experiment / rate_control: 0 if only the experiment has no events, +inf if only the
  // control has none, NaN if neither has any (R's estimate, the same three cases).
  double ratio = 0.0;
  // Exact two-sided interval for the rate ratio at `confidence`: Clopper-Pearson bounds on pi,
  // mapped to R. ratio_ci_low is 0 when the experiment has no events; ratio_ci_high is +inf when
  // the control has none; [0, +inf] when neither has any. R's poisson.test conf.int; augur forms
  // the odds pi/(1 - pi) from Boost's complement 1 - pi directly, so bounds stay accurate where
  // R's 1 - pp cancels (t_e much larger than t_c).
  double ratio_ci_low = 0.0;
  double ratio_ci_high = 0.0;
  // Two-sided p-value against R = null_ratio, by binom.test's rule: the probability of every
  // count whose probability is at most d*(1 + 1e-7), d that of the observed count. Far in the
  // tails it underflows to 0 (or a subnormal) as R's does.
  double p_value = 1.0;
  double p_greater = 1.0;  // one-sided, H1: ratio > null_ratio; P(X >= x_e)
  double p_less = 1.0;     // one-sided, H1: ratio < null_ratio; P(X <= x_e)
  // Difference of proportions rate_experiment - rate_control, and Newcombe's hybrid score
  // interval at `confidence` (R. G. Newcombe, "Interval estimation for the difference between
  // independent proportions: comparison of eleven methods", Statistics in Medicine 17:873-890,
  // 1998, method 10): Wilson score intervals of each side without continuity correction,
  // combined by the square-and-add rule. Never outside [-1, 1]; sensible at 0 events. For
  // criteria in absolute terms ("the error rate may grow by at most 0.001").
  double difference = 0.0;
  double difference_ci_low = 0.0;
  double difference_ci_high = 0.0;
};

// Compares the experiment's rate events_experiment/total_experiment with the control's. All
// p-values are 1 and the ratio interval is [0, +inf] when there are no events on either side (no
// information, not an error). Errors, all kInvalidArgument: a negative count, a total of 0, events
// above their total, totals summing above 2^53 (not exact in a double), confidence outside
// (0, 1), null_ratio not finite and positive.
absl::StatusOr<RateTestResult> PoissonRateTest(int64_t events_experiment, int64_t total_experiment,
                                               int64_t events_control, int64_t total_control,
                                               const RateTestOptions& options = {});

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_RATE_TEST_H_
