// Known answers for the two-sample Kolmogorov-Smirnov test.
//
// Sources, each case says which:
//   R    R 4.2.2 (Debian, "Patched 2022-11-10 r83330", whose ks.test already has psmirnov with
//        exact tie handling): ks.test(x = experiment, y = control, alternative = a),
//        printed with sprintf("%.17g"). R's "greater" is kExperimentSmaller, "less" is
//        kExperimentLarger.
//   scipy  scipy 1.10.1 under /usr/bin/python3: stats.ks_2samp(experiment, control,
//        alternative = a, method = "exact") (same alternative names as R, checked on sample A)
//        and special.kolmogorov(x) = 1 - K(x) for the limiting distribution.
//   exact  exact rationals from two Python scripts written for these tests: full enumeration
//        of the C(n+m, n) label assignments (small N), and integer lattice-path counting with
//        first-passage decomposition (any N), both evaluating the gap only where the pooled
//        values change. They agree with each other and with R's two-sided and "greater" values.
// R's exact p-values are 1 - P(no hit) from path counts scaled by lgamma: about 1e-11 relative
// off at n = 80. augur sums hit probabilities and matches the exact rationals to 1e-14.
#include "judges/ks_test.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "judges/mann_whitney.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using ::testing::HasSubstr;

KsResult Ks(const std::vector<double>& experiment, const std::vector<double>& control,
            KsAlternative alternative = KsAlternative::kTwoSided) {
  absl::StatusOr<KsResult> r = KolmogorovSmirnov(experiment, control, alternative);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : KsResult{};
}

void ExpectRelative(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, rel * std::fabs(expected)) << "expected " << expected;
}

// (i - 0.5) / n for i = 1..n, the same doubles as R's ((1:n) - 0.5) / n.
std::vector<double> Grid(int n) {
  std::vector<double> v;
  for (int i = 1; i <= n; ++i) v.push_back((i - 0.5) / n);
  return v;
}

// Sample A: no ties, n = 15, m = 13.
const std::vector<double> kAx = {0.61, 0.29, 0.06, 0.59,  -1.73, -0.74, 0.51, -0.56,
                                 0.39, 1.64, 0.05, -0.06, 0.64,  -0.82, 0.37};
const std::vector<double> kAy = {1.77, 1.09, -1.28, 2.36, 1.31, 1.05, -0.32,
                                 -0.4, 1.06, -2.47, 1.2,  0.9,  2.1};

TEST(KolmogorovSmirnovTest, ExactWithoutTiesMatchesRScipyAndExactCounts) {
  // R:     two.sided D=0.62564102564102564 p=0.0048356184579106953
  //        greater   D=0.62564102564102564 p=0.0024178092289559583
  //        less      D=0.087179487179487189 p=0.82580996929664341
  // scipy: two-sided 0.0048356184579094793, greater 0.0024178092289547396,
  //        less 0.82580996929664319 (identical to the exact rationals to 17 digits)
  // exact: d_plus = 122/195, d_minus = 17/195, the p-values as scipy's.
  struct Case {
    KsAlternative alternative;
    double statistic, p_exact, p_r;
  };
  const Case cases[] = {
      {KsAlternative::kTwoSided, 122.0 / 195, 0.0048356184579094793, 0.0048356184579106953},
      {KsAlternative::kExperimentSmaller, 122.0 / 195, 0.0024178092289547396,
       0.0024178092289559583},
      {KsAlternative::kExperimentLarger, 17.0 / 195, 0.82580996929664319, 0.82580996929664341},
  };
  for (const Case& c : cases) {
    const KsResult r = Ks(kAx, kAy, c.alternative);
    EXPECT_TRUE(r.exact);
    EXPECT_EQ(r.n_experiment, 15);
    EXPECT_EQ(r.n_control, 13);
    EXPECT_EQ(r.d_plus, 122.0 / 195);
    EXPECT_EQ(r.d_minus, 17.0 / 195);
    EXPECT_EQ(r.statistic, c.statistic);
    ExpectRelative(r.p_value, c.p_exact, 1e-14);
    ExpectRelative(r.p_value, c.p_r, 1e-12);  // R's own error is 2.5e-13 here
  }
}

TEST(KolmogorovSmirnovTest, WiderSpreadWithTheSameMedianIsFlaggedOneSided) {
  // Control uniform on [95, 105], experiment on [90, 110], deterministic quantiles, n = m = 80:
  // the medians agree (both 100) and Mann-Whitney sees nothing, the KS gap is 0.25 either way.
  // R: wilcox.test p=1 W=3200; ks.test two.sided p=0.013191885548709092, less and greater
  //    p=0.0065959437127729448, all D=0.25.
  // exact: d_plus = d_minus = 1600/6400; two-sided 0.013191885548795407, one-sided
  //    0.0065959437128593531 (R is 6.5e-12 and 1.3e-11 relative off).
  std::vector<double> experiment, control;
  for (int i = 1; i <= 80; ++i) {
    const double u = (i - 0.5) / 80 - 0.5;
    experiment.push_back(100 + 20 * u);
    control.push_back(100 + 10 * u);
  }
  const absl::StatusOr<MannWhitneyResult> mw = MannWhitney(experiment, control);
  ASSERT_TRUE(mw.ok());
  EXPECT_EQ(mw->p_value, 1.0);

  const KsResult larger = Ks(experiment, control, KsAlternative::kExperimentLarger);
  EXPECT_TRUE(larger.exact);
  EXPECT_EQ(larger.statistic, 0.25);
  ExpectRelative(larger.p_value, 0.0065959437128593531, 1e-14);
  ExpectRelative(larger.p_value, 0.0065959437127729448, 1e-10);
  EXPECT_LT(larger.p_value, 0.01);
  const KsResult smaller = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  ExpectRelative(smaller.p_value, 0.0065959437128593531, 1e-14);
  const KsResult two = Ks(experiment, control);
  EXPECT_EQ(two.statistic, 0.25);
  ExpectRelative(two.p_value, 0.013191885548795407, 1e-14);
  ExpectRelative(two.p_value, 0.013191885548709092, 1e-10);
}

TEST(KolmogorovSmirnovTest, TieHeavyBucketsAreExact) {
  // Latency buckets; experiment 10,20,20,30,30,50,50,50,100,100, control
  // 10,10,10,20,20,20,20,30,30,50.
  // exact (enumeration of all 184756 assignments): d_plus = 0, d_minus = 2/5;
  //   two-sided 13844/46189, less 27749/184756, greater 1.
  // R: two.sided p=0.2997250427590914, less p=0.15019268657038698, greater p=1.
  // scipy (continuous null, ignores the ties): two-sided 0.41752365281777043,
  //   less 0.20979020979020979: conservative, which is what exact tie handling buys back.
  const std::vector<double> experiment = {10, 20, 20, 30, 30, 50, 50, 50, 100, 100};
  const std::vector<double> control = {10, 10, 10, 20, 20, 20, 20, 30, 30, 50};
  KsResult r = Ks(experiment, control);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.d_plus, 0.0);
  EXPECT_EQ(r.d_minus, 0.4);
  EXPECT_EQ(r.statistic, 0.4);
  ExpectRelative(r.p_value, 13844.0 / 46189, 1e-14);
  ExpectRelative(r.p_value, 0.2997250427590914, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 27749.0 / 184756, 1e-14);
  ExpectRelative(r.p_value, 0.15019268657038698, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  EXPECT_EQ(r.statistic, 0.0);
  EXPECT_EQ(r.p_value, 1.0);
}

TEST(KolmogorovSmirnovTest, TiesOneSidedCountsEachDirection) {
  // Experiment 3,1,3,8,5,1,1, control 3,4,2: an asymmetric tie pattern.
  // exact (enumeration of all 120 assignments): d_plus = 9/21, d_minus = 6/21; two-sided 7/10,
  //   greater 11/30, less 17/30.
  // R: two.sided 0.70000000000000129, greater 0.36666666666666936, less 0.49166666666666881:
  //   R's "less" is the probability that D+ (not D-) reaches 6/21, the orientation bug
  //   ks_test.h describes; augur gives the enumeration's 17/30.
  const std::vector<double> experiment = {3, 1, 3, 8, 5, 1, 1};
  const std::vector<double> control = {3, 4, 2};
  KsResult r = Ks(experiment, control);
  EXPECT_EQ(r.d_plus, 9.0 / 21);
  EXPECT_EQ(r.d_minus, 6.0 / 21);
  ExpectRelative(r.p_value, 7.0 / 10, 1e-14);
  r = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  ExpectRelative(r.p_value, 11.0 / 30, 1e-14);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 17.0 / 30, 1e-14);
}

TEST(KolmogorovSmirnovTest, UnequalSizesExact) {
  // experiment ((1:30) - 0.5)/30)^0.8, control ((1:200) - 0.5)/200; n*m = 6000.
  // exact: d_plus = 90/6000, d_minus = 600/6000; two-sided 0.93356089557285948,
  //   greater 0.97849785993326932, less 0.55731031063277947.
  // R: two.sided 0.93356089557285682, greater D=0.014999999999999965 (cumulative sums of 1/n)
  //   p=0.97849785993326843, less D=0.10000000000000001 p=0.55731031063276204.
  std::vector<double> experiment;
  for (const double u : Grid(30)) experiment.push_back(std::pow(u, 0.8));
  const std::vector<double> control = Grid(200);
  KsResult r = Ks(experiment, control);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.d_plus, 90.0 / 6000);
  EXPECT_EQ(r.d_minus, 0.1);
  ExpectRelative(r.p_value, 0.93356089557285948, 1e-14);
  ExpectRelative(r.p_value, 0.93356089557285682, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  ExpectRelative(r.statistic, 0.014999999999999965, 1e-12);
  ExpectRelative(r.p_value, 0.97849785993326932, 1e-14);
  ExpectRelative(r.p_value, 0.97849785993326843, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 0.55731031063277947, 1e-14);
  ExpectRelative(r.p_value, 0.55731031063276204, 1e-12);
}

TEST(KolmogorovSmirnovTest, ExactAtTheCap) {
  // n = m = 100, n*m = 10000: exact for augur, asymptotic in R by default (n*m < 10000).
  // experiment (((1:100) - 0.5)/100)^1.3, control ((1:100) - 0.5)/100.
  // exact: d_plus = 1000/10000, d_minus = 0; two-sided 0.70205698286648788, greater
  //   0.36910835390771934. R with exact = TRUE: 0.7020569828664861, 0.36910835390771579.
  //   R's default (asymptotic): 0.69937419993527605 and 0.36787944117144222.
  const std::vector<double> control = Grid(100);
  std::vector<double> experiment;
  for (const double u : control) experiment.push_back(std::pow(u, 1.3));
  KsResult r = Ks(experiment, control);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.statistic, 0.1);
  ExpectRelative(r.p_value, 0.70205698286648788, 1e-14);
  ExpectRelative(r.p_value, 0.7020569828664861, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  ExpectRelative(r.p_value, 0.36910835390771934, 1e-14);
  ExpectRelative(r.p_value, 0.36910835390771579, 1e-12);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  EXPECT_EQ(r.statistic, 0.0);
  EXPECT_EQ(r.p_value, 1.0);
  // One more value on a side leaves the exact branch.
  experiment.push_back(2.0);
  EXPECT_FALSE(Ks(experiment, control).exact);
}

TEST(KolmogorovSmirnovTest, LargeSamplesUseTheLimitingDistribution) {
  // n = m = 600, control ((1:600) - 0.5)/600, experiment control + 0.0605: d_minus = 37/600,
  // sqrt(300) * D = 1.068 (the alternating series).
  // R: two.sided D=0.061666666666666668 p=0.20401029764184753; less p=0.10211387502018632;
  //    greater D=0 p=1.
  // scipy: special.kolmogorov(1.0680979980008078) = 0.2040102976418473.
  const std::vector<double> control = Grid(600);
  std::vector<double> experiment;
  for (const double u : control) experiment.push_back(u + 0.0605);
  KsResult r = Ks(experiment, control);
  EXPECT_FALSE(r.exact);
  EXPECT_EQ(r.statistic, 37.0 / 600);
  ExpectRelative(r.p_value, 0.2040102976418473, 1e-13);
  ExpectRelative(r.p_value, 0.20401029764184753, 1e-13);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 0.10211387502018632, 1e-13);
  r = Ks(experiment, control, KsAlternative::kExperimentSmaller);
  EXPECT_EQ(r.p_value, 1.0);
}

TEST(KolmogorovSmirnovTest, LimitingDistributionBelowOneUsesTheThetaSeries) {
  // n = m = 600, experiment 1.042 * control: d_minus = 25/600, x = sqrt(300) * D = 0.7217.
  // scipy: special.kolmogorov(0.72168783648703227) = 0.67489397664500261;
  //   one-sided exp(-2 * 300 * D^2) = 0.35286608145884896.
  // R: two.sided p=0.67489397856058431, 1.9e-9 high: R keeps one term of the theta series
  //   (k_max = 3 for its tolerance 1e-6), whose next term is exp(-pi^2/x^2) = 6e-9 of it.
  //   less p=0.35286608145884879.
  const std::vector<double> control = Grid(600);
  std::vector<double> experiment;
  for (const double u : control) experiment.push_back(u * 1.042);
  KsResult r = Ks(experiment, control);
  EXPECT_EQ(r.statistic, 25.0 / 600);
  ExpectRelative(r.p_value, 0.67489397664500261, 1e-13);
  ExpectRelative(r.p_value, 0.67489397856058431, 1e-8);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 0.35286608145884896, 1e-13);
}

TEST(KolmogorovSmirnovTest, LimitingDistributionKeepsTinyPValues) {
  // n = m = 600, experiment = control + 0.5004: d_minus = 301/600, x = 8.6891215513038684.
  // scipy: special.kolmogorov(x) = 5.2703493543297057e-66; one-sided exp(-2 * 300 * D^2) =
  //   2.6351746771649277e-66. R prints p = 0 for both: it forms 1 - (1 - p).
  const std::vector<double> control = Grid(600);
  std::vector<double> experiment;
  for (const double u : control) experiment.push_back(u + 0.5004);
  KsResult r = Ks(experiment, control);
  EXPECT_EQ(r.statistic, 301.0 / 600);
  ExpectRelative(r.p_value, 5.2703493543297057e-66, 1e-13);
  r = Ks(experiment, control, KsAlternative::kExperimentLarger);
  ExpectRelative(r.p_value, 2.6351746771649277e-66, 1e-13);
}

TEST(KolmogorovSmirnovTest, IdenticalSamplesHavePValueOne) {
  for (const int n : {5, 700}) {  // exact and limiting branches
    const std::vector<double> v = Grid(n);
    for (const KsAlternative a : {KsAlternative::kTwoSided, KsAlternative::kExperimentLarger,
                                  KsAlternative::kExperimentSmaller}) {
      const KsResult r = Ks(v, v, a);
      EXPECT_EQ(r.exact, n == 5);
      EXPECT_EQ(r.statistic, 0.0);
      EXPECT_EQ(r.d_plus, 0.0);
      EXPECT_EQ(r.d_minus, 0.0);
      EXPECT_EQ(r.p_value, 1.0);
    }
  }
  // All values tied across both samples.
  const KsResult tied = Ks({7, 7, 7}, {7, 7});
  EXPECT_EQ(tied.statistic, 0.0);
  EXPECT_EQ(tied.p_value, 1.0);
}

TEST(KolmogorovSmirnovTest, OrderOfInputDoesNotMatter) {
  std::vector<double> x = kAx;
  std::vector<double> y = kAy;
  std::reverse(x.begin(), x.end());
  std::rotate(y.begin(), y.begin() + 5, y.end());
  const KsResult a = Ks(kAx, kAy);
  const KsResult b = Ks(x, y);
  EXPECT_EQ(a.statistic, b.statistic);
  EXPECT_EQ(a.p_value, b.p_value);
}

TEST(KolmogorovSmirnovTest, InfinitiesSortAndSignedZerosTie) {
  // {-inf, -0.0, 1, +inf} vs {+0.0, 2, 3}: -0.0 and +0.0 are one tied value. Gaps after
  // -inf: 1/4; after the zeros: 2/4 - 1/3; after 1: 3/4 - 1/3 = 5/12; after 2: 3/4 - 2/3;
  // after 3: 3/4 - 1; after +inf: 0. So d_plus = 5/12, d_minus = 1/4.
  const KsResult r = Ks({-kInf, -0.0, 1, kInf}, {0.0, 2, 3});
  EXPECT_EQ(r.d_plus, 5.0 / 12);
  EXPECT_EQ(r.d_minus, 3.0 / 12);
  EXPECT_GT(r.p_value, 0.0);
  EXPECT_LE(r.p_value, 1.0);
  // Infinities on both sides are ties like any other value.
  const KsResult inf = Ks({kInf, kInf}, {kInf});
  EXPECT_EQ(inf.statistic, 0.0);
  EXPECT_EQ(inf.p_value, 1.0);
}

TEST(KolmogorovSmirnovTest, TwoSidedExactIsAtLeastTheOneSidedOfTheSameGap) {
  // Every path that reaches D on one side reaches it in absolute value, and one that reaches it
  // in absolute value reaches it on one side or the other.
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) x.push_back(std::fmod(i * 7.3, 11.0));
  for (int i = 0; i < 55; ++i) y.push_back(std::fmod(i * 5.1, 10.0) + 0.4);
  const KsResult two = Ks(x, y);
  const KsResult larger = Ks(x, y, KsAlternative::kExperimentLarger);
  const KsResult smaller = Ks(x, y, KsAlternative::kExperimentSmaller);
  ASSERT_TRUE(two.exact);
  EXPECT_EQ(two.statistic, std::max(larger.statistic, smaller.statistic));
  const KsResult& same = larger.statistic == two.statistic ? larger : smaller;
  EXPECT_GE(two.p_value, same.p_value);
  EXPECT_LE(two.p_value, (larger.p_value + smaller.p_value) * (1 + 1e-12));
}

TEST(KolmogorovSmirnovTest, InvalidArguments) {
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> empty;
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  struct Case {
    const std::vector<double>* experiment;
    const std::vector<double>* control;
    const char* message;
  };
  const Case cases[] = {
      {&empty, &ok, "experiment sample is empty"},
      {&ok, &empty, "control sample is empty"},
      {&with_nan, &ok, "experiment sample has NaN at index 1"},
      {&ok, &with_nan, "control sample has NaN at index 1"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<KsResult> r = KolmogorovSmirnov(*c.experiment, *c.control);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace augur::judges
