// Known answers for judges/dependence.h and for the dependence options of the Mann-Whitney kernel
// (MannWhitneyOptions::variance_factor and degrees_of_freedom). Every expected number was printed
// by R 4.2.2 (/usr/bin/Rscript) with sprintf("%.17g"); each test shows the R expression. The R
// helpers follow the definitions in judges/dependence.h, written independently of augur's code:
//
//   Rr <- function(rho, n) if (n <= 1 || rho <= 0) 1 else
//           sum(rho^abs(outer(1:n, 1:n, "-"))) / n           # Var(sum of n AR(1)) / (n var)
//
//   serial <- function(x, y) {                                 # EstimateSerialDependence
//     r <- rank(c(x, y)); n <- length(x); m <- length(y)        # pooled mid-ranks
//     num <- 0; den <- 0; pts <- 0; k <- 0
//     for (s in list(r[1:n], r[(n+1):(n+m)])) {
//       if (length(s) < 3) next
//       d <- s - mean(s); num <- num + sum(d[-1] * d[-length(d)]); den <- den + sum(d^2)
//       pts <- pts + length(s); k <- k + 1 }
//     rho <- num / den; adj <- min(max(rho + (1 + 4 * rho) / (pts / k), 0), 0.98)
//     c(rho, adj, (m * Rr(adj, n) + n * Rr(adj, m)) / (n + m), n / Rr(adj, n), m / Rr(adj, m)) }
//
//   cluster <- function(ex, co) {                              # EstimateClusterDependence
//     ex <- Filter(length, ex); co <- Filter(length, co)
//     X <- unlist(ex); Y <- unlist(co); n <- length(X); m <- length(Y)
//     plc <- function(v, other) (sum(other < v) + 0.5 * sum(other == v)) / length(other)
//     side <- function(inst, other) {
//       S <- sapply(inst, function(s) sum(sapply(s, plc, other = other)))
//       nc <- sapply(inst, length); mp <- sum(S) / sum(nc); k <- length(inst)
//       list(V = if (k > 1) k / (k - 1) * sum((S - nc * mp)^2) else 0, k = k, ss = sum(nc^2)) }
//     sx <- side(ex, Y); sy <- side(co, X)
//     if (sx$k == 1) sx$V <- sy$V / sy$ss * sx$ss
//     if (sy$k == 1) sy$V <- sx$V / sx$ss * sy$ss
//     a <- m^2 * sx$V; b <- n^2 * sy$V
//     df <- if (sx$k == 1) sy$k - 1 else if (sy$k == 1) sx$k - 1 else
//             (a + b)^2 / (a^2 / (sx$k - 1) + b^2 / (sy$k - 1))
//     N <- n + m; t <- table(c(X, Y)); ind <- n * m / 12 * (N + 1 - sum(t^3 - t) / (N * (N - 1)))
//     c(a + b, max(1, (a + b) / ind), max(1, df)) }
//
//   disp <- function(e, tot) {                                 # EstimateCountDispersion
//     keep <- tot > 0; e <- e[keep]; tot <- tot[keep]; T <- length(e)
//     p <- sum(e) / sum(tot); r <- e - tot * p; a <- acf(r, lag.max = 2, plot = FALSE)$acf
//     rho1 <- a[2] + 1 / T; L <- 1
//     if (rho1 > 0) {
//       phi <- min(max((a[3] + 1 / T) / rho1, 0), 0.98); L <- 1 + 2 * rho1 / (1 - phi) }
//     c(max(1, T * var(r) * L / (sum(tot) * p * (1 - p))), a[2], T) }
//
//   pv <- function(x, y, f = 1, df = 0) {                      # the kernel's scaled p-value
//     n <- length(x); m <- length(y); W <- wilcox.test(x, y, exact = FALSE)$statistic
//     N <- n + m; t <- table(c(x, y)); sigma <- sqrt(n*m/12 * (N + 1 - sum(t^3 - t)/(N*(N-1))))
//     c0 <- W - n*m/2; z <- (c0 - 0.5 * sign(c0)) / (sigma * sqrt(f))
//     if (df > 0) 2 * pt(-abs(z), df) else 2 * pnorm(-abs(z)) }
//   (pv(x, y) equals wilcox.test(x, y, exact = FALSE)$p.value for both data sets used below.)
#include "judges/dependence.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "judges/mann_whitney.h"

namespace augur::judges {
namespace {

using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void ExpectRelative(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, rel * std::fabs(expected)) << "expected " << expected;
}

std::vector<double> Sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

SerialDependence Serial(const std::vector<double>& x, const std::vector<double>& y) {
  return EstimateSerialDependence(x, y, Sorted(x), Sorted(y));
}

// ---------------------------------------------------------------------------------------------
// LagOneAutocorrelation

TEST(DependenceTest, LagOneAutocorrelationMatchesRsAcf) {
  // R: acf(c(1,3,2,5,4,6,8,7), plot=FALSE)$acf[2] -> 0.49404761904761907
  EXPECT_NEAR(LagOneAutocorrelation({1, 3, 2, 5, 4, 6, 8, 7}), 0.49404761904761907, 1e-15);
  // R: acf(c(2.5,-1,0.3,4.2,3.3,-0.7,1.1), plot=FALSE)$acf[2] -> -0.046959316586314789
  // (Python: d = x - x.mean(); (d[:-1]*d[1:]).sum()/(d*d).sum() -> -0.04695931658631481)
  EXPECT_NEAR(LagOneAutocorrelation({2.5, -1, 0.3, 4.2, 3.3, -0.7, 1.1}), -0.046959316586314789,
              1e-15);
  // R: acf(c(4,9), plot=FALSE)$acf[2] -> -0.5 (two values are enough)
  EXPECT_NEAR(LagOneAutocorrelation({4, 9}), -0.5, 1e-15);
}

TEST(DependenceTest, LagOneAutocorrelationEdgeCases) {
  EXPECT_EQ(LagOneAutocorrelation({}), 0.0);
  EXPECT_EQ(LagOneAutocorrelation({3.5}), 0.0);
  EXPECT_EQ(LagOneAutocorrelation({2, 2, 2, 2}), 0.0);  // R gives NaN; the header says 0
  EXPECT_TRUE(std::isnan(LagOneAutocorrelation({1, kNaN, 3, 4})));
  EXPECT_TRUE(std::isnan(LagOneAutocorrelation({1, 2, kInf, 4})));
}

// ---------------------------------------------------------------------------------------------
// Ar1SumVarianceRatio

TEST(DependenceTest, Ar1SumVarianceRatioIsTheDirectDoubleSum) {
  // R: Rr(0.5, 10), Rr(0.9, 120), Rr(0.8, 3), Rr(0.3, 2) with Rr the double sum above
  //    -> 2.6003906250000002 17.500004843869029 2.4933333333333336 1.3
  ExpectRelative(Ar1SumVarianceRatio(0.5, 10), 2.6003906250000002, 1e-13);
  ExpectRelative(Ar1SumVarianceRatio(0.9, 120), 17.500004843869029, 1e-13);
  ExpectRelative(Ar1SumVarianceRatio(0.8, 3), 2.4933333333333336, 1e-13);
  ExpectRelative(Ar1SumVarianceRatio(0.3, 2), 1.3, 1e-13);
}

TEST(DependenceTest, Ar1SumVarianceRatioIsOneWithoutPositiveCorrelationOrSum) {
  EXPECT_EQ(Ar1SumVarianceRatio(0.0, 50), 1.0);
  EXPECT_EQ(Ar1SumVarianceRatio(-0.4, 50), 1.0);
  EXPECT_EQ(Ar1SumVarianceRatio(0.7, 1), 1.0);
  EXPECT_EQ(Ar1SumVarianceRatio(0.7, 0), 1.0);
  // The long-run limit (1 + rho) / (1 - rho) is approached from below as n grows.
  EXPECT_LT(Ar1SumVarianceRatio(0.6, 1000), 4.0);
  EXPECT_GT(Ar1SumVarianceRatio(0.6, 1000), Ar1SumVarianceRatio(0.6, 100));
}

// ---------------------------------------------------------------------------------------------
// EstimateSerialDependence

// Two series in time order, with ties inside and across the sides, n = 12 and m = 10.
const std::vector<double> kSerialX = {3, 5, 4, 4, 7, 6, 2, 1, 3, 5, 8, 7};
const std::vector<double> kSerialY = {4, 6, 6, 5, 2, 3, 3, 1, 4, 7};

TEST(DependenceTest, SerialDependenceMatchesR) {
  // R: serial(c(3,5,4,4,7,6,2,1,3,5,8,7), c(4,6,6,5,2,3,3,1,4,7))
  //    -> rho 0.38722976565640843 adjusted 0.61894968044055698 factor 3.4655445202481587
  //       effective 3.3894121705276299 2.9384677360716638
  const SerialDependence d = Serial(kSerialX, kSerialY);
  EXPECT_NEAR(d.autocorrelation, 0.38722976565640843, 1e-14);
  EXPECT_NEAR(d.adjusted, 0.61894968044055698, 1e-14);
  ExpectRelative(d.variance_factor, 3.4655445202481587, 1e-13);
  ExpectRelative(d.effective_experiment, 3.3894121705276299, 1e-13);
  ExpectRelative(d.effective_control, 2.9384677360716638, 1e-13);
}

TEST(DependenceTest, SerialDependenceIsScaleFree) {
  // The ranks do not depend on the scale of the data: doubling and shifting every value (both
  // sides alike) changes nothing.
  std::vector<double> x, y;
  for (double v : kSerialX) x.push_back(2.0 * v - 100.0);
  for (double v : kSerialY) y.push_back(2.0 * v - 100.0);
  const SerialDependence a = Serial(kSerialX, kSerialY);
  const SerialDependence b = Serial(x, y);
  EXPECT_DOUBLE_EQ(a.autocorrelation, b.autocorrelation);
  EXPECT_DOUBLE_EQ(a.variance_factor, b.variance_factor);
}

TEST(DependenceTest, AlternatingSeriesLookIndependent) {
  // R: serial(c(1,9,2,10,3,11,4,12), c(5,13,6,14,7,15,8,16)) -> rho -0.67934782608695654
  //    adjusted 0 factor 1 effective 8 8
  const SerialDependence d = Serial({1, 9, 2, 10, 3, 11, 4, 12}, {5, 13, 6, 14, 7, 15, 8, 16});
  EXPECT_NEAR(d.autocorrelation, -0.67934782608695654, 1e-14);
  EXPECT_EQ(d.adjusted, 0.0);
  EXPECT_EQ(d.variance_factor, 1.0);
  EXPECT_EQ(d.effective_experiment, 8.0);
  EXPECT_EQ(d.effective_control, 8.0);
}

TEST(DependenceTest, SerialSideWithFewerThanThreePointsIsSkipped) {
  // The two-point experiment adds nothing to rho; the bias correction uses the control's 10
  // points alone; the factor keeps the general formula, with Rr(adj, 2) = 1 + adj.
  // R: serial(c(2,11), c(4,6,6,5,2,3,3,1,4,7))
  //    -> rho 0.31290663845543504 adjusted 0.53806929383760904 factor 1.7527827290207376
  //       effective 1.3003315312340942 3.5381323390053141
  SerialDependence d = Serial({2, 11}, kSerialY);
  EXPECT_NEAR(d.autocorrelation, 0.31290663845543504, 1e-14);
  EXPECT_NEAR(d.adjusted, 0.53806929383760904, 1e-14);
  ExpectRelative(d.variance_factor, 1.7527827290207376, 1e-13);
  ExpectRelative(d.effective_experiment, 1.3003315312340942, 1e-13);
  ExpectRelative(d.effective_control, 3.5381323390053141, 1e-13);
  // R: serial(5, c(4,6,6,5,2,3,3,1,4,7))
  //    -> rho 0.35610045013030084 adjusted 0.59854063018242121 factor 1.2039510045454274
  //       effective 1 3.0831262795651324
  d = Serial({5}, kSerialY);
  EXPECT_NEAR(d.autocorrelation, 0.35610045013030084, 1e-14);
  EXPECT_NEAR(d.adjusted, 0.59854063018242121, 1e-14);
  ExpectRelative(d.variance_factor, 1.2039510045454274, 1e-13);
  EXPECT_DOUBLE_EQ(d.effective_experiment, 1.0);
  ExpectRelative(d.effective_control, 3.0831262795651324, 1e-13);
}

TEST(DependenceTest, SerialWithNoUsableSideIsIndependence) {
  SerialDependence d = Serial({1, 2}, {3, 4});
  EXPECT_EQ(d.autocorrelation, 0.0);
  EXPECT_EQ(d.adjusted, 0.0);
  EXPECT_EQ(d.variance_factor, 1.0);
  EXPECT_EQ(d.effective_experiment, 2.0);
  EXPECT_EQ(d.effective_control, 2.0);
  // Every value tied: the ranks are constant, nothing to estimate.
  d = Serial({5, 5, 5, 5}, {5, 5, 5});
  EXPECT_EQ(d.variance_factor, 1.0);
  EXPECT_EQ(d.effective_experiment, 4.0);
  EXPECT_EQ(d.effective_control, 3.0);
}

TEST(DependenceTest, SerialAdjustedIsClampedAtItsMaximum) {
  // Two interleaved monotone trends: the bias correction pushes rho past kMaxAutocorrelation.
  // R: serial(0:39, 0:29 + 0.5) -> rho 0.92130874770006588 adjusted 0.98 factor
  //    27.477807683119064 effective 1.2862439639373477 1.2115123313568199
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) x.push_back(i);
  for (int i = 0; i < 30; ++i) y.push_back(i + 0.5);
  const SerialDependence d = Serial(x, y);
  EXPECT_NEAR(d.autocorrelation, 0.92130874770006588, 1e-14);
  EXPECT_EQ(d.adjusted, kMaxAutocorrelation);
  ExpectRelative(d.variance_factor, 27.477807683119064, 1e-12);
  ExpectRelative(d.effective_experiment, 1.2862439639373477, 1e-12);
  ExpectRelative(d.effective_control, 1.2115123313568199, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// EstimateClusterDependence

// Three instances a side with per-instance offsets; 10.0 is tied across the sides, 11.0 within
// the control.
const std::vector<std::vector<double>> kClusterX = {
    {10.2, 11.5, 10.8, 11.1}, {13.0, 12.4, 13.3}, {9.1, 9.8, 9.5, 10.0, 9.7}};
const std::vector<std::vector<double>> kClusterY = {
    {10.5, 11.0, 10.9}, {12.0, 12.8, 12.2, 12.5, 11.0}, {9.0, 9.6, 9.3, 10.0}};

ClusterDependence Cluster(const std::vector<std::vector<double>>& x,
                          const std::vector<std::vector<double>>& y) {
  absl::StatusOr<ClusterDependence> c = EstimateClusterDependence(x, y);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ClusterDependence{};
}

TEST(DependenceTest, ClusterDependenceMatchesR) {
  // R: ex <- list(c(10.2,11.5,10.8,11.1), c(13.0,12.4,13.3), c(9.1,9.8,9.5,10.0,9.7))
  //    co <- list(c(10.5,11.0,10.9), c(12.0,12.8,12.2,12.5,11.0), c(9.0,9.6,9.3,10.0))
  //    cluster(ex, co) -> Var(U) 1590.6979166666667 factor 5.3069411202978438
  //                       df 3.987112160313028 (independent variance 299.73913043478262)
  const ClusterDependence c = Cluster(kClusterX, kClusterY);
  EXPECT_EQ(c.instances_experiment, 3);
  EXPECT_EQ(c.instances_control, 3);
  ExpectRelative(c.variance_u, 1590.6979166666667, 1e-13);
  ExpectRelative(c.variance_factor, 5.3069411202978438, 1e-13);
  ExpectRelative(c.degrees_of_freedom, 3.987112160313028, 1e-13);
}

TEST(DependenceTest, ClusterSkipsEmptyInstances) {
  std::vector<std::vector<double>> x = kClusterX;
  std::vector<std::vector<double>> y = kClusterY;
  x.insert(x.begin() + 1, std::vector<double>{});
  y.push_back({});
  // Same answer as ClusterDependenceMatchesR (R's Filter(length, ...) drops them).
  const ClusterDependence c = Cluster(x, y);
  EXPECT_EQ(c.instances_experiment, 3);
  EXPECT_EQ(c.instances_control, 3);
  ExpectRelative(c.variance_u, 1590.6979166666667, 1e-13);
  ExpectRelative(c.variance_factor, 5.3069411202978438, 1e-13);
  ExpectRelative(c.degrees_of_freedom, 3.987112160313028, 1e-13);
}

TEST(DependenceTest, ClusterSingleExperimentInstanceBorrowsControlVariance) {
  // The experiment pooled into one instance: V_X = V_Y / sum(n_c^2) * n_X^2, df = k_Y - 1.
  // R: cluster(list(unlist(ex)), co) -> Var(U) 2910.505208333333 factor 9.7101276170099595 df 2
  ClusterDependence c =
      Cluster({{10.2, 11.5, 10.8, 11.1, 13.0, 12.4, 13.3, 9.1, 9.8, 9.5, 10.0, 9.7}}, kClusterY);
  EXPECT_EQ(c.instances_experiment, 1);
  EXPECT_EQ(c.instances_control, 3);
  ExpectRelative(c.variance_u, 2910.505208333333, 1e-13);
  ExpectRelative(c.variance_factor, 9.7101276170099595, 1e-13);
  EXPECT_EQ(c.degrees_of_freedom, 2.0);
  // R: cluster(list(c(10.2,11.5,10.8,11.1,13.0,12.4)), co)
  //    -> Var(U) 947.77083333333326 factor 8.3223678546831952 df 2
  c = Cluster({{10.2, 11.5, 10.8, 11.1, 13.0, 12.4}}, kClusterY);
  ExpectRelative(c.variance_u, 947.77083333333326, 1e-13);
  ExpectRelative(c.variance_factor, 8.3223678546831952, 1e-13);
  EXPECT_EQ(c.degrees_of_freedom, 2.0);
}

TEST(DependenceTest, ClusterSingleControlInstanceMirrorsTheExperiment) {
  // Swapping the sides swaps the roles; Var(U) of the swapped test is the same number (U and
  // nm - U have the same variance), and so are the factor and df.
  const std::vector<std::vector<double>> one = {
      {10.2, 11.5, 10.8, 11.1, 13.0, 12.4, 13.3, 9.1, 9.8, 9.5, 10.0, 9.7}};
  const ClusterDependence c = Cluster(kClusterY, one);
  EXPECT_EQ(c.instances_experiment, 3);
  EXPECT_EQ(c.instances_control, 1);
  // R: cluster(co, list(unlist(ex))) -> Var(U) 2910.505208333333 factor 9.7101276170099595 df 2
  ExpectRelative(c.variance_u, 2910.505208333333, 1e-13);
  ExpectRelative(c.variance_factor, 9.7101276170099595, 1e-13);
  EXPECT_EQ(c.degrees_of_freedom, 2.0);
}

TEST(DependenceTest, ClusterFactorIsNeverBelowOne) {
  // Instances that are exchangeable slices of one interleaved sequence: the between-instance
  // spread is small, Var(U) is below the independent value, and the factor floors at 1.
  // R: cluster(list(c(1,7,13), c(3,9,15), c(5,11,17)), list(c(2,8,14), c(4,10,16), c(6,12,18)))
  //    -> Var(U) 53.999999999999993 (independent 128.25) factor 1 df 4
  const ClusterDependence c =
      Cluster({{1, 7, 13}, {3, 9, 15}, {5, 11, 17}}, {{2, 8, 14}, {4, 10, 16}, {6, 12, 18}});
  ExpectRelative(c.variance_u, 53.999999999999993, 1e-13);
  EXPECT_EQ(c.variance_factor, 1.0);
  ExpectRelative(c.degrees_of_freedom, 4.0, 1e-13);
}

TEST(DependenceTest, ClusterErrors) {
  auto code = [](const absl::StatusOr<ClusterDependence>& r) { return r.status().code(); };
  // One instance a side.
  absl::StatusOr<ClusterDependence> r = EstimateClusterDependence({{1, 2, 3}}, {{4, 5, 6}});
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("one instance a side"));
  // Still one non-empty instance a side once the empty ones are skipped.
  EXPECT_EQ(code(EstimateClusterDependence({{1, 2, 3}, {}}, {{}, {4, 5, 6}})),
            absl::StatusCode::kInvalidArgument);
  // A side without points.
  r = EstimateClusterDependence({{}, {}}, kClusterY);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("experiment has no points"));
  r = EstimateClusterDependence(kClusterX, {});
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("control has no points"));
  // A NaN on either side.
  r = EstimateClusterDependence({{1, kNaN}, {2, 3}}, kClusterY);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("NaN"));
  EXPECT_EQ(code(EstimateClusterDependence(kClusterX, {{1, 2}, {kNaN}})),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// EstimateCountDispersion

// 14 steps of about 1000 requests with two bursts of errors.
const std::vector<double> kEvents = {3, 5, 2, 30, 28, 4, 6, 3, 2, 25, 5, 4, 3, 7};
const std::vector<double> kTotals = {1000, 1100, 950,  1000, 1020, 980,  1000,
                                     1050, 990,  1010, 1000, 970,  1000, 1030};

CountDispersion Dispersion(const std::vector<double>& events, const std::vector<double>& totals) {
  absl::StatusOr<CountDispersion> d = EstimateCountDispersion(events, totals);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : CountDispersion{};
}

TEST(DependenceTest, CountDispersionMatchesR) {
  // R: disp(c(3,5,2,30,28,4,6,3,2,25,5,4,3,7),
  //         c(1000,1100,950,1000,1020,980,1000,1050,990,1010,1000,970,1000,1030))
  //    -> design effect 16.547056000035351 rho 0.14355390696589282 steps 14
  //    (lag 2 is -0.30197512147859046, so phi clamps at 0 and L = 1.4299649567889285; the
  //    binomial-variance ratio alone is 11.571651404096469)
  // Python (numpy, ddof=1 variance, the same lags) -> 16.54705600003535
  CountDispersion d = Dispersion(kEvents, kTotals);
  ExpectRelative(d.design_effect, 16.547056000035351, 1e-12);
  EXPECT_NEAR(d.autocorrelation, 0.14355390696589282, 1e-13);
  EXPECT_EQ(d.steps, 14);
  // Bursts that last two steps: a larger autocorrelation and design effect.
  // R: disp(c(3,5,2,30,28,26,6,3,2,25,27,4,3,7), <same totals>)
  //    -> 21.037639517935325 rho 0.3470529834533041 steps 14 (phi 0, L 1.8369631097637511)
  d = Dispersion({3, 5, 2, 30, 28, 26, 6, 3, 2, 25, 27, 4, 3, 7}, kTotals);
  ExpectRelative(d.design_effect, 21.037639517935325, 1e-12);
  EXPECT_NEAR(d.autocorrelation, 0.3470529834533041, 1e-13);
}

TEST(DependenceTest, CountDispersionUsesTheLagTwoDecay) {
  // One slow burst: lag 2 is positive, so phi = rho2 / rho1 is inside (0, 0.98).
  // R: disp(c(2,3,12,14,16,18,15,13,4,3,2,3), rep(1000, 12))
  //    -> 17.688650112818014 rho 0.69789915966386551 steps 12 (lag 2 0.2591036414565826,
  //    phi 0.43832915023305835, L 3.7818160523066551)
  const CountDispersion d =
      Dispersion({2, 3, 12, 14, 16, 18, 15, 13, 4, 3, 2, 3}, std::vector<double>(12, 1000.0));
  ExpectRelative(d.design_effect, 17.688650112818014, 1e-12);
  EXPECT_NEAR(d.autocorrelation, 0.69789915966386551, 1e-13);
  EXPECT_EQ(d.steps, 12);
}

TEST(DependenceTest, CountDispersionDropsStepsWithoutTraffic) {
  std::vector<double> events = kEvents;
  std::vector<double> totals = kTotals;
  events.insert(events.begin() + 5, 0.0);
  totals.insert(totals.begin() + 5, 0.0);
  // R: disp(<events with a 0 inserted at position 6>, <totals likewise>) -> 16.547056000035351,
  //    the same as without the empty step, steps 14.
  const CountDispersion d = Dispersion(events, totals);
  ExpectRelative(d.design_effect, 16.547056000035351, 1e-12);
  EXPECT_EQ(d.steps, 14);
}

TEST(DependenceTest, CountDispersionOfSteadyCountsIsOne) {
  // The same rate every step: residuals all 0, no extra-binomial variance.
  const std::vector<double> events(12, 5.0);
  const std::vector<double> totals(12, 1000.0);
  CountDispersion d = Dispersion(events, totals);
  EXPECT_GE(d.design_effect, 1.0);
  EXPECT_EQ(d.design_effect, 1.0);
  EXPECT_EQ(d.steps, 12);
  // Poisson-like scatter around a steady rate: under-dispersed here (ratio 0.25582457743261761
  // before the floor, rho1 <= 0 so L = 1), floored at 1.
  // R: disp(c(4,6,5,3,7,5,6,4,5,5,6,4), rep(1000, 12)) -> 1 rho -0.49999999999999989 steps 12
  d = Dispersion({4, 6, 5, 3, 7, 5, 6, 4, 5, 5, 6, 4}, totals);
  EXPECT_EQ(d.design_effect, 1.0);
  EXPECT_NEAR(d.autocorrelation, -0.49999999999999989, 1e-14);
  // No events at all.
  d = Dispersion(std::vector<double>(12, 0.0), totals);
  EXPECT_EQ(d.design_effect, 1.0);
  EXPECT_EQ(d.autocorrelation, 0.0);
  EXPECT_EQ(d.steps, 12);
}

TEST(DependenceTest, CountDispersionErrors) {
  auto code = [](const absl::StatusOr<CountDispersion>& r) { return r.status().code(); };
  const std::vector<double> totals(12, 100.0);
  std::vector<double> events(12, 3.0);
  // Sizes differ.
  absl::StatusOr<CountDispersion> r = EstimateCountDispersion(std::vector<double>(11, 3.0), totals);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("differ in length"));
  // A negative count, a NaN, an infinity.
  for (double bad : {-1.0, kNaN, kInf}) {
    std::vector<double> e = events;
    e[4] = bad;
    EXPECT_EQ(code(EstimateCountDispersion(e, totals)), absl::StatusCode::kInvalidArgument) << bad;
    std::vector<double> t = totals;
    t[4] = bad;
    EXPECT_EQ(code(EstimateCountDispersion(events, t)), absl::StatusCode::kInvalidArgument) << bad;
  }
  // Events above their total.
  events[7] = 101.0;
  r = EstimateCountDispersion(events, totals);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("more events than total"));
  // Fewer than kMinDispersionSteps steps with traffic (12 steps, 3 of them empty).
  std::vector<double> sparse = totals;
  sparse[0] = sparse[5] = sparse[9] = 0.0;
  std::vector<double> sparse_events(12, 1.0);
  sparse_events[0] = sparse_events[5] = sparse_events[9] = 0.0;
  r = EstimateCountDispersion(sparse_events, sparse);
  EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("only 9 steps"));
  // Exactly kMinDispersionSteps is enough.
  EXPECT_TRUE(
      EstimateCountDispersion(std::vector<double>(10, 1.0), std::vector<double>(10, 50.0)).ok());
}

// ---------------------------------------------------------------------------------------------
// The kernel's dependence options

// R's ?wilcox.test two-sample example (untied, n = 10, m = 5) and a tied pair (n = 9, m = 7).
const std::vector<double> kHwX = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
const std::vector<double> kHwY = {1.15, 0.88, 0.90, 0.74, 1.21};
const std::vector<double> kTiesA = {1, 2, 2, 3, 4, 5, 5, 5, 8};
const std::vector<double> kTiesB = {2, 3, 3, 6, 7, 7, 9};
// R: set.seed(7); x <- round(rnorm(30, 0.3), 1); y <- round(rnorm(25), 1)
const std::vector<double> kSeedX = {2.6, -0.9, -0.4, -0.1, -0.7, -0.6, 1,    0.2, 0.5,  2.5,
                                    0.7, 3,    2.6,  0.6,  2.2,  0.8,  -0.6, 0,   0.3,  1.3,
                                    1.1, 1,    1.6,  -1.1, 1.6,  0.5,  1.1,  0.9, -0.7, 0};
const std::vector<double> kSeedY = {-0.9, 0.7, 0.1,  -0.1, -0.4, -0.6, 1,    -1.1, -0.1,
                                    0.3,  1.2, -0.7, -0.3, -1.3, -0.4, -0.4, 1.4,  0.6,
                                    0.1,  0.9, -0.3, 0,    0.4,  1.7,  0.7};

MannWhitneyOptions Dependent(double factor, double df) {
  MannWhitneyOptions o;
  o.variance_factor = factor;
  o.degrees_of_freedom = df;
  return o;
}

MannWhitneyResult Judge(const std::vector<double>& x, const std::vector<double>& y,
                        const MannWhitneyOptions& options) {
  absl::StatusOr<MannWhitneyResult> r = MannWhitney(x, y, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : MannWhitneyResult{};
}

TEST(MannWhitneyVarianceFactorTest, DefaultsAreRsOrdinaryTest) {
  // R: wilcox.test(x, y, conf.int=TRUE) on the ?wilcox.test example -> W=35
  //    p=0.2544122544122544 est=0.30500000000000005 ci=[-0.15000000000000002,
  //    0.7599999999999999], "Wilcoxon rank sum exact test"
  const MannWhitneyResult r = Judge(kHwX, kHwY, Dependent(1.0, 0.0));
  EXPECT_EQ(r.method, TestMethod::kExact);
  EXPECT_EQ(r.w, 35);
  ExpectRelative(r.p_value, 0.2544122544122544, 1e-14);
  EXPECT_EQ(r.estimate, 0.30500000000000005);
  EXPECT_EQ(r.ci_low, -0.15000000000000002);
  EXPECT_EQ(r.ci_high, 0.7599999999999999);
  EXPECT_EQ(r.variance_factor, 1.0);
  EXPECT_EQ(r.degrees_of_freedom, 0.0);
}

TEST(MannWhitneyVarianceFactorTest, FactorScalesSigmaOfTheNormalApproximation) {
  // R: pv(hx, hy, 4) -> 0.5607325179763345   (pv(hx, hy) = 0.24462360512698336 is R's
  //    wilcox.test(hx, hy, exact=FALSE)$p.value)
  MannWhitneyResult r = Judge(kHwX, kHwY, Dependent(4.0, 0.0));
  EXPECT_EQ(r.method, TestMethod::kAsymptotic);  // the exact branch would apply at factor 1
  EXPECT_EQ(r.w, 35);
  ExpectRelative(r.p_value, 0.5607325179763345, 1e-12);
  EXPECT_EQ(r.variance_factor, 4.0);
  EXPECT_EQ(r.degrees_of_freedom, 0.0);
  // Ties: R: pv(ta, tb, 4) -> 0.59307249475978474 (pv(ta, tb) = 0.28516980198933767 =
  //    wilcox.test(ta, tb)$p.value)
  r = Judge(kTiesA, kTiesB, Dependent(4.0, 0.0));
  EXPECT_EQ(r.method, TestMethod::kAsymptotic);
  ExpectRelative(r.p_value, 0.59307249475978474, 1e-12);
  // R: pv(x, y, 4) with the set.seed(7) data -> W=487 p=0.345623199746872
  r = Judge(kSeedX, kSeedY, Dependent(4.0, 0.0));
  EXPECT_EQ(r.w, 487);
  ExpectRelative(r.p_value, 0.345623199746872, 1e-12);
}

TEST(MannWhitneyVarianceFactorTest, OneSidedPValueUsesTheScaledSigma) {
  // R: W=487; pnorm((W - 750/2 - 0.5) / (sigma * 2), lower.tail=FALSE) with sigma the
  //    tie-corrected sigma of the set.seed(7) data -> 0.172811599873436
  MannWhitneyOptions o = Dependent(4.0, 0.0);
  o.alternative = Alternative::kGreater;
  const MannWhitneyResult r = Judge(kSeedX, kSeedY, o);
  ExpectRelative(r.p_value, 0.172811599873436, 1e-12);
}

TEST(MannWhitneyVarianceFactorTest, DegreesOfFreedomUseStudentT) {
  // R: pv(hx, hy, 1, 5) -> 0.29712401831757307; pv(hx, hy, 4, 5) -> 0.58597365591358863
  MannWhitneyResult r = Judge(kHwX, kHwY, Dependent(1.0, 5.0));
  EXPECT_EQ(r.method, TestMethod::kAsymptotic);
  ExpectRelative(r.p_value, 0.29712401831757307, 1e-12);
  EXPECT_EQ(r.degrees_of_freedom, 5.0);
  r = Judge(kHwX, kHwY, Dependent(4.0, 5.0));
  ExpectRelative(r.p_value, 0.58597365591358863, 1e-12);
  // Ties: R: pv(ta, tb, 1, 5) -> 0.33402980671871191; pv(ta, tb, 2.5, 7) -> 0.52076875401737932
  r = Judge(kTiesA, kTiesB, Dependent(1.0, 5.0));
  ExpectRelative(r.p_value, 0.33402980671871191, 1e-12);
  r = Judge(kTiesA, kTiesB, Dependent(2.5, 7.0));
  ExpectRelative(r.p_value, 0.52076875401737932, 1e-12);
  // R: 2*pt(-abs((487 - 375 - 0.5) / sigma), 5) for the set.seed(7) data -> 0.1179301146591016
  r = Judge(kSeedX, kSeedY, Dependent(1.0, 5.0));
  ExpectRelative(r.p_value, 0.1179301146591016, 1e-12);
}

TEST(MannWhitneyVarianceFactorTest, FactorOverridesExactAlways) {
  MannWhitneyOptions o = Dependent(1.5, 0.0);
  o.exact = ExactMode::kAlways;
  EXPECT_EQ(Judge(kHwX, kHwY, o).method, TestMethod::kAsymptotic);
  o = Dependent(1.0, 3.0);
  o.exact = ExactMode::kAlways;
  EXPECT_EQ(Judge(kHwX, kHwY, o).method, TestMethod::kAsymptotic);
}

TEST(MannWhitneyVarianceFactorTest, IntervalIsTheScaledOrderStatisticBound) {
  // The interval is the limit of R's root search with sigma (within-sample ties only, as at a
  // shift between pairwise differences) scaled by sqrt(f) and t(df) quantiles: with
  // D <- sort(outer(x, y, "-")) and s0 that sigma, the bound for quantile zq is D[j0],
  // j0 = min{j in 0..nm : (nm/2 - j - 0.5*sign(nm/2 - j)) / s0 - zq <= 0} (D[1] if j0 = 0),
  // zq = qnorm(0.025, lower.tail=FALSE) for the low end and qnorm(0.025) for the high end
  // (qt(., df) with df). At f = 1 this gives R's
  // wilcox.test(x, y, conf.int=TRUE, exact=FALSE, tol.root=1e-300)$conf.int snapped to D:
  //   [0, 1.1000000000000001].
  // R, set.seed(7) data: f=1 -> [0, 1.1000000000000001]; f=4 -> [-0.60000000000000009, 1.8];
  //   df=5 -> [-0.19999999999999996, 1.3]; f=4, df=5 -> [-1.2, 2.5]
  const MannWhitneyResult base = Judge(kSeedX, kSeedY, Dependent(1.0, 0.0));
  EXPECT_DOUBLE_EQ(base.ci_low, 0.0);
  EXPECT_DOUBLE_EQ(base.ci_high, 1.1000000000000001);
  const MannWhitneyResult f4 = Judge(kSeedX, kSeedY, Dependent(4.0, 0.0));
  EXPECT_DOUBLE_EQ(f4.ci_low, -0.60000000000000009);
  EXPECT_DOUBLE_EQ(f4.ci_high, 1.8);
  const MannWhitneyResult t5 = Judge(kSeedX, kSeedY, Dependent(1.0, 5.0));
  EXPECT_DOUBLE_EQ(t5.ci_low, -0.19999999999999996);
  EXPECT_DOUBLE_EQ(t5.ci_high, 1.3);
  const MannWhitneyResult both = Judge(kSeedX, kSeedY, Dependent(4.0, 5.0));
  EXPECT_DOUBLE_EQ(both.ci_low, -1.2);
  EXPECT_DOUBLE_EQ(both.ci_high, 2.5);
  // The estimate is the Hodges-Lehmann median whatever the factor.
  EXPECT_EQ(f4.estimate, base.estimate);
  EXPECT_EQ(both.estimate, base.estimate);
}

TEST(MannWhitneyVarianceFactorTest, IntervalWidensWithTheFactor) {
  MannWhitneyOptions plain;
  plain.exact = ExactMode::kNever;  // factor 1 in the same (normal) branch
  const MannWhitneyResult base = Judge(kSeedX, kSeedY, plain);
  double low = base.ci_low;
  double high = base.ci_high;
  for (double factor : {2.0, 4.0, 9.0}) {
    const MannWhitneyResult r = Judge(kSeedX, kSeedY, Dependent(factor, 0.0));
    EXPECT_LT(r.ci_low, low) << factor;
    EXPECT_GT(r.ci_high, high) << factor;
    low = r.ci_low;
    high = r.ci_high;
  }
  // Also against the exact branch that factor 1 selects on the untied example.
  const MannWhitneyResult exact = Judge(kHwX, kHwY, Dependent(1.0, 0.0));
  const MannWhitneyResult wide = Judge(kHwX, kHwY, Dependent(4.0, 0.0));
  EXPECT_LT(wide.ci_low, exact.ci_low);
  EXPECT_GT(wide.ci_high, exact.ci_high);
}

TEST(MannWhitneyVarianceFactorTest, RejectsInvalidDependenceOptions) {
  auto code = [](const absl::StatusOr<MannWhitneyResult>& r) { return r.status().code(); };
  for (double factor : {0.5, 0.0, -2.0, kNaN, kInf}) {
    const auto r = MannWhitney(kHwX, kHwY, Dependent(factor, 0.0));
    EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument) << factor;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("variance factor")) << factor;
  }
  for (double df : {-1.0, kNaN, kInf}) {
    const auto r = MannWhitney(kHwX, kHwY, Dependent(1.0, df));
    EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument) << df;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("degrees of freedom")) << df;
  }
  for (IntervalMethod m : {IntervalMethod::kRCompatible, IntervalMethod::kKayenta}) {
    MannWhitneyOptions o = Dependent(2.0, 0.0);
    o.interval = m;
    EXPECT_EQ(code(MannWhitney(kHwX, kHwY, o)), absl::StatusCode::kInvalidArgument);
    o = Dependent(1.0, 4.0);
    o.interval = m;
    const auto r = MannWhitney(kHwX, kHwY, o);
    EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("exact interval"));
  }
  // At the defaults the root-search intervals stay available.
  MannWhitneyOptions o;
  o.interval = IntervalMethod::kRCompatible;
  EXPECT_TRUE(MannWhitney(kHwX, kHwY, o).ok());
}

}  // namespace
}  // namespace augur::judges
