// Dependence between the points a rank test compares: serial dependence within a time series,
// and instances (pods) as clusters. Both make the variance of the Mann-Whitney statistic larger
// than the independent-samples value nm(N+1)/12, so a test that ignores them raises false
// alarms on healthy canaries. This file estimates by how much; the kernel (judges/mann_whitney.h)
// takes the answer as MannWhitneyOptions::variance_factor and degrees_of_freedom.
//
// Both estimates rest on the Hoeffding projection of U = #{(i, j): X_i > Y_j} (ties 1/2),
// X the experiment (n points), Y the control (m points):
//   U - nm/2 ~ m * sum_i (F(X_i) - 1/2) - n * sum_j (F(Y_j) - 1/2),
// so Var(U) ~ m^2 Var(sum_i F(X_i)) + n^2 Var(sum_j F(Y_j)): a long-run variance of each side's
// placement series (Serfling 1968, "The Wilcoxon two-sample statistic on strongly mixing
// processes", Ann. Math. Statist. 39:1202-1209; shared reference statistics.md §7).
//
// Serial dependence (one series a side): each side's placement series is modelled as AR(1).
// Its lag-1 autocorrelation is estimated from the pooled mid-rank series of both sides (one
// estimate, half the variance of two), corrected for its downward small-sample bias with
// Marriott & Pope's (1 + 4 rho) / n (F. H. C. Marriott and J. A. Pope, "Bias in the estimation
// of autocorrelations", Biometrika 41:390-402, 1954), clamped to [0, 0.98] (never sharper than
// independence; at 0.98 a series of 120 points holds about 2 independent ones). The variance of a
// sum of n AR(1) terms is n * sigma^2 * R(rho, n) with
//   R(rho, n) = (1 + rho) / (1 - rho) - 2 rho (1 - rho^n) / (n (1 - rho)^2)
// (exact for a stationary AR(1); the first term alone is the long-run limit), so the factor on
// nm(N+1)/12 is (m R(rho, n) + n R(rho, m)) / (n + m). This is the AR(1) plug-in that Andrews
// (1991, "Heteroskedasticity and autocorrelation consistent covariance matrix estimation",
// Econometrica 59:817-858) uses to choose HAC bandwidths, here used directly: at the 100-200
// points of a canary window, kernel (Newey-West) estimators with a data-chosen bandwidth
// underestimate a strong autocorrelation badly (a Bartlett window of 25 lags recovers 12 of
// the 19 that rho = 0.9 needs), and false alarms come straight from that shortfall.
// docs/statistics.md gives the simulation behind the choice.
//
// Clusters (several instances a side): the placement sums of each instance are the units.
// Var(sum_i P_i) is estimated by k/(k-1) * sum_c (S_c - n_c * mean(P))^2 over the side's k
// instances, P_i the placement of X_i among the control (the fraction of control points below
// it, ties 1/2), S_c the sum over instance c: the clustered variance of the Mann-Whitney
// (AUC) statistic of Obuchowski (1997, "Nonparametric analysis of clustered ROC curve data",
// Biometrics 53:567-578), with Brunner & Munzel's Satterthwaite degrees of freedom for a
// Student-t reference (E. Brunner and U. Munzel, "The nonparametric Behrens-Fisher problem",
// Biometrical Journal 42:17-25, 2000). It absorbs any dependence inside an instance (its
// offset, its autocorrelation) because an instance's points enter only through their sum. A
// side with a single instance borrows the other side's between-instance variance per squared
// instance size. The factor is never below 1.
//
// Pure: no I/O, no clock, no randomness. Thread-safe.
#ifndef AUGUR_JUDGES_DEPENDENCE_H_
#define AUGUR_JUDGES_DEPENDENCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace augur::judges {

// The largest autocorrelation the serial estimate uses.
inline constexpr double kMaxAutocorrelation = 0.98;

// The lag-1 sample autocorrelation, R's acf(x, plot = FALSE)$acf[2]:
// sum_t (x_t - mean)(x_(t+1) - mean) / sum_t (x_t - mean)^2. 0 for fewer than 2 values or a
// constant series; NaN if a value is NaN or infinite.
double LagOneAutocorrelation(absl::Span<const double> x);

// R(rho, n) above: the variance of the sum of n consecutive terms of a stationary AR(1) with
// lag-1 correlation rho, over n times one term's variance. rho in [0, 1); 1 for n <= 1.
double Ar1SumVarianceRatio(double rho, int64_t n);

struct SerialDependence {
  double autocorrelation = 0.0;  // pooled lag-1 autocorrelation of the mid-rank series
  double adjusted = 0.0;         // bias-corrected and clamped to [0, kMaxAutocorrelation]
  double variance_factor = 1.0;  // on nm(N+1)/12; >= 1
  // n / R(adjusted, n) and m / R(adjusted, m): how many independent points each side is worth.
  double effective_experiment = 0.0;
  double effective_control = 0.0;
};

// From both samples in time order, NaN-free. `experiment_sorted` and `control_sorted` are the
// same values sorted ascending (the caller has them; they give each point's pooled mid-rank by
// binary search). A side with fewer than 3 points adds nothing to the estimate of rho (its
// ratio still uses the other side's estimate); no side with 3: factor 1. O((n + m) log(n + m)).
SerialDependence EstimateSerialDependence(absl::Span<const double> experiment,
                                          absl::Span<const double> control,
                                          absl::Span<const double> experiment_sorted,
                                          absl::Span<const double> control_sorted);

struct ClusterDependence {
  int64_t instances_experiment = 0;
  int64_t instances_control = 0;
  double variance_u = 0.0;          // the clustered estimate of Var(U)
  double variance_factor = 1.0;     // variance_u over nm(N+1)/12, floored at 1
  double degrees_of_freedom = 0.0;  // Satterthwaite; >= 1
};

// `experiment` and `control` hold one NaN-free series per instance (any order within each).
// Errors (kInvalidArgument): a side without instances or points, a NaN, or a single instance on
// both sides (nothing estimates the between-instance variance). Empty instances are skipped.
absl::StatusOr<ClusterDependence> EstimateClusterDependence(
    const std::vector<std::vector<double>>& experiment,
    const std::vector<std::vector<double>>& control);

// Rate judges: how much more the total of a side's events varies than binomial counts would.
// From per-step counts (events_t of total_t, t = 1..T), with p = sum(events) / sum(total) and
// residuals r_t = events_t - total_t * p, the design effect is
//   T * var(r) * L / sum_t total_t * p * (1 - p),
// var(r) the residuals' sample variance and L their long-run variance ratio. Counts are a burst
// process seen through Poisson noise, whose autocorrelations start low and decay slowly, like an
// ARMA(1, 1): rho_k = rho_1 * phi^(k-1). So L = 1 + 2 rho_1 / (1 - phi), with rho_1 and rho_2 the
// residuals' lag-1 and lag-2 autocorrelations (each + 1/T, the bias of a white series' estimate)
// and phi = rho_2 / rho_1 clamped to [0, kMaxDispersionDecay] when rho_1 > 2 / sqrt(T) (a lag-1
// correlation that stands out of white noise; below it the ratio of two noisy estimates is
// meaningless and L = 1 + 2 rho_1); L = 1 when rho_1 <= 0. (An AR(1) fit from rho_1
// alone underestimates such a process: 6.6% false alarms at a nominal 2.5% in
// tests/analysis/calibration_test.cc's burst model, against 2.3% for this form.) Extra-binomial
// variance within a step and bursts that last both raise the design effect. Floored at 1.
// Dividing a side's events and total by it gives Rao and Scott's effective counts, which an
// exact test for independent events can then compare (J. N. K. Rao and A. J. Scott, "A simple
// method for the analysis of clustered binary data", Biometrics 48:577-585, 1992).
struct CountDispersion {
  double design_effect = 1.0;
  double autocorrelation = 0.0;  // of the residuals, as estimated
  int64_t steps = 0;             // steps with a positive total
};

// Errors (kInvalidArgument): sizes that differ, a negative or non-finite count, events above
// their total, or fewer than kMinDispersionSteps steps with a positive total.
inline constexpr int64_t kMinDispersionSteps = 10;
inline constexpr double kMaxDispersionDecay = 0.9;
absl::StatusOr<CountDispersion> EstimateCountDispersion(absl::Span<const double> events,
                                                        absl::Span<const double> totals);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_DEPENDENCE_H_
