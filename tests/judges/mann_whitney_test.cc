// Known answers for the Mann-Whitney kernel. Every expected value was printed by R 4.2.2 with
// sprintf("%.17g"); tests/data/r_reference.R holds each call and /tmp-free reproduction steps.
// "limit" values are R's interval with tol.root = 1e-300 snapped to the nearest pairwise
// difference, sort(outer(x, y, "-")): what R's root search converges to as its tolerance goes to
// zero, and what augur's default (interval exact) must return exactly.
#include "judges/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "judges/normal_distribution.h"
#include "judges/shifted_rank_statistic.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using ::testing::HasSubstr;

// R's ?wilcox.test two-sample example (Hollander & Wolfe, permeability constants).
const std::vector<double> kHwX = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
const std::vector<double> kHwY = {1.15, 0.88, 0.90, 0.74, 1.21};
// Ties: the normal approximation with tie correction.
const std::vector<double> kTiesA = {1, 2, 2, 3, 4, 5, 5, 5, 8};
const std::vector<double> kTiesB = {2, 3, 3, 6, 7, 7, 9};

std::vector<double> ReadData(const std::string& name) {
  std::ifstream in(std::string(AUGUR_TEST_DATA_DIR) + "/" + name);
  std::vector<double> v;
  double d;
  while (in >> d) v.push_back(d);
  return v;
}

MannWhitneyResult Judge(const std::vector<double>& x, const std::vector<double>& y,
                        MannWhitneyOptions options = {}) {
  absl::StatusOr<MannWhitneyResult> r = MannWhitney(x, y, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : MannWhitneyResult{};
}

MannWhitneyOptions With(IntervalMethod interval, Alternative alternative = Alternative::kTwoSided,
                        ExactMode exact = ExactMode::kAuto, bool correct = true,
                        double confidence = 0.95) {
  MannWhitneyOptions o;
  o.interval = interval;
  o.alternative = alternative;
  o.exact = exact;
  o.correct = correct;
  o.confidence = confidence;
  return o;
}

void ExpectRelative(double actual, double expected, double rel) {
  EXPECT_NEAR(actual, expected, rel * std::fabs(expected)) << "expected " << expected;
}

TEST(MannWhitneyTest, ExactBranchMatchesR) {
  // R: wilcox.test(x, y, conf.int=TRUE) -> W=35 p=0.2544122544122544 est=0.30500000000000005
  //    ci=[-0.15000000000000002, 0.7599999999999999], "Wilcoxon rank sum exact test"
  for (IntervalMethod m : {IntervalMethod::kExact, IntervalMethod::kRCompatible}) {
    const MannWhitneyResult r = Judge(kHwX, kHwY, With(m));
    EXPECT_EQ(r.method, TestMethod::kExact);
    EXPECT_EQ(r.w, 35);
    ExpectRelative(r.p_value, 0.2544122544122544, 1e-14);
    EXPECT_EQ(r.estimate, 0.30500000000000005);
    EXPECT_EQ(r.ci_low, -0.15000000000000002);
    EXPECT_EQ(r.ci_high, 0.7599999999999999);
    EXPECT_TRUE(r.warnings.empty());
  }
}

TEST(MannWhitneyTest, ExactBranchEachAlternativeMatchesR) {
  // R: alternative="greater" -> p=0.1272061272061272 ci=[-0.07999999999999996, Inf]
  MannWhitneyResult r = Judge(kHwX, kHwY, With(IntervalMethod::kExact, Alternative::kGreater));
  ExpectRelative(r.p_value, 0.1272061272061272, 1e-14);
  EXPECT_EQ(r.ci_low, -0.07999999999999996);
  EXPECT_EQ(r.ci_high, kInf);
  // R: alternative="less" -> p=0.89676989676989671 ci=[-Inf, 0.71999999999999997]
  r = Judge(kHwX, kHwY, With(IntervalMethod::kExact, Alternative::kLess));
  ExpectRelative(r.p_value, 0.89676989676989671, 1e-14);
  EXPECT_EQ(r.ci_low, -kInf);
  EXPECT_EQ(r.ci_high, 0.71999999999999997);
  // R: conf.level=0.8 -> ci=[-0.050000000000000044, 0.69999999999999996]
  r = Judge(kHwX, kHwY,
            With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAuto, true, 0.8));
  EXPECT_EQ(r.ci_low, -0.050000000000000044);
  EXPECT_EQ(r.ci_high, 0.69999999999999996);
}

TEST(MannWhitneyTest, UnachievableConfidenceIsReported) {
  // R: wilcox.test(c(1,2,3), c(4,5,6), conf.int=TRUE, conf.level=0.98) -> W=0 p=0.1 est=-3
  //    ci=[-5, -1], warning "Requested conf.level not achievable" (conf.level becomes 0.9).
  const MannWhitneyResult r =
      Judge({1, 2, 3}, {4, 5, 6},
            With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAuto, true, 0.98));
  EXPECT_EQ(r.w, 0);
  ExpectRelative(r.p_value, 0.1, 1e-14);
  EXPECT_EQ(r.estimate, -3);
  EXPECT_EQ(r.ci_low, -5);
  EXPECT_EQ(r.ci_high, -1);
  EXPECT_NEAR(r.achieved_confidence, 0.9, 1e-15);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("not achievable"));
}

TEST(MannWhitneyTest, NormalApproximationRCompatibleIsBitIdentical) {
  // R: exact=FALSE -> p=0.24462360512698336 est=0.30250833904157232
  //    ci=[-0.15001483719908448, 0.75994276532229388]
  MannWhitneyResult r = Judge(
      kHwX, kHwY, With(IntervalMethod::kRCompatible, Alternative::kTwoSided, ExactMode::kNever));
  EXPECT_EQ(r.method, TestMethod::kAsymptotic);
  ExpectRelative(r.p_value, 0.24462360512698336, 1e-14);
  EXPECT_EQ(r.estimate, 0.30250833904157232);
  EXPECT_EQ(r.ci_low, -0.15001483719908448);
  EXPECT_EQ(r.ci_high, 0.75994276532229388);
  // R: exact=FALSE, correct=FALSE -> p=0.22067136191984679 est=0.30250833904157232
  //    ci=[-0.14998084629011074, 0.7599750662215724]
  r = Judge(kHwX, kHwY,
            With(IntervalMethod::kRCompatible, Alternative::kTwoSided, ExactMode::kNever, false));
  ExpectRelative(r.p_value, 0.22067136191984679, 1e-14);
  EXPECT_EQ(r.estimate, 0.30250833904157232);
  EXPECT_EQ(r.ci_low, -0.14998084629011074);
  EXPECT_EQ(r.ci_high, 0.7599750662215724);
}

TEST(MannWhitneyTest, NormalApproximationExactIntervalIsTheLimitOfR) {
  // R limit: ci=[-0.15000000000000002, 0.7599999999999999] hl=0.30500000000000005
  const MannWhitneyResult r =
      Judge(kHwX, kHwY, With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kNever));
  EXPECT_EQ(r.estimate, 0.30500000000000005);
  EXPECT_EQ(r.ci_low, -0.15000000000000002);
  EXPECT_EQ(r.ci_high, 0.7599999999999999);
}

TEST(MannWhitneyTest, TiesMatchRInBothIntervalModes) {
  struct Case {
    Alternative alternative;
    bool correct;
    double p;              // R
    double r_low, r_high;  // R's printed interval
    double limit_low, limit_high;
  };
  // R: wilcox.test(a, b, conf.int=TRUE, ...) with a, b = kTiesA, kTiesB; R est=-1.0000504850467831
  // for all four; the limit estimate (median of differences) is -1.
  const Case cases[] = {
      {Alternative::kTwoSided, true, 0.28516980198933767, -4.0000503864971542, 1.9999477379498047,
       -4, 2},
      {Alternative::kTwoSided, false, 0.26177031504926951, -4.0000099695649283, 1.9999640895038309,
       -4, 2},
      {Alternative::kGreater, true, 0.88013373354925717, -3.9999562725580815, kInf, -4, kInf},
      {Alternative::kLess, true, 0.14258490099466883, -kInf, 1.0000666709301376, -kInf, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(AlternativeName(c.alternative)) + (c.correct ? "" : " nocorrect"));
    MannWhitneyResult r =
        Judge(kTiesA, kTiesB,
              With(IntervalMethod::kRCompatible, c.alternative, ExactMode::kAuto, c.correct));
    EXPECT_EQ(r.method, TestMethod::kAsymptotic);  // ties force the normal approximation
    EXPECT_EQ(r.w, 21);
    ExpectRelative(r.p_value, c.p, 1e-13);
    EXPECT_EQ(r.ci_low, c.r_low);
    EXPECT_EQ(r.ci_high, c.r_high);
    EXPECT_EQ(r.estimate, -1.0000504850467831);
    r = Judge(kTiesA, kTiesB,
              With(IntervalMethod::kExact, c.alternative, ExactMode::kAuto, c.correct));
    EXPECT_EQ(r.ci_low, c.limit_low);
    EXPECT_EQ(r.ci_high, c.limit_high);
    EXPECT_EQ(r.estimate, -1);
  }
}

TEST(MannWhitneyTest, ExactRequestedWithTiesFallsBackWithWarning) {
  const MannWhitneyResult r = Judge(
      kTiesA, kTiesB, With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAlways));
  EXPECT_EQ(r.method, TestMethod::kAsymptotic);
  ExpectRelative(r.p_value, 0.28516980198933767, 1e-13);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("ties"));
}

TEST(MannWhitneyTest, ZeroHeavyCounters) {
  std::vector<double> z1(40, 0.0), z2(45, 0.0);
  z1.insert(z1.end(), {1, 1, 2, 3, 0.5, 7});
  z2.insert(z2.end(), {1, 2, 1});
  // R: W=1180.5 p=0.26010064135502975 est=9.0302237721604558e-06
  //    ci=[-2.3341659397181625e-05, 1.670616969901573e-05]: tolerance noise around 0.
  MannWhitneyResult r = Judge(z1, z2, With(IntervalMethod::kRCompatible));
  EXPECT_EQ(r.w, 1180.5);
  ExpectRelative(r.p_value, 0.26010064135502975, 1e-13);
  EXPECT_EQ(r.estimate, 9.0302237721604558e-06);
  EXPECT_EQ(r.ci_low, -2.3341659397181625e-05);
  EXPECT_EQ(r.ci_high, 1.670616969901573e-05);
  // R limit: ci=[0, 0] hl=0: most pairs are 0 - 0.
  r = Judge(z1, z2);
  EXPECT_EQ(r.estimate, 0);
  EXPECT_EQ(r.ci_low, 0);
  EXPECT_EQ(r.ci_high, 0);
}

class LargeSampleTest : public ::testing::Test {
 protected:
  // 1000 + 1000 values from R: set.seed(20261122); rnorm(1000, 0.05, 1); rnorm(1000, 0, 1).
  void SetUp() override {
    x_ = ReadData("normal_1000_x.txt");
    y_ = ReadData("normal_1000_y.txt");
    ASSERT_EQ(x_.size(), 1000u);
    ASSERT_EQ(y_.size(), 1000u);
  }
  std::vector<double> x_, y_;
};

TEST_F(LargeSampleTest, RCompatibleIsBitIdenticalToR) {
  // R: W=491412 p=0.50603856078341347 est=-0.030254940157883142
  //    ci=[-0.12059941876263884, 0.059390343080187341]
  MannWhitneyResult r = Judge(x_, y_, With(IntervalMethod::kRCompatible));
  EXPECT_EQ(r.w, 491412);
  ExpectRelative(r.p_value, 0.50603856078341347, 1e-13);
  EXPECT_EQ(r.estimate, -0.030254940157883142);
  EXPECT_EQ(r.ci_low, -0.12059941876263884);
  EXPECT_EQ(r.ci_high, 0.059390343080187341);
  // R: conf.level=0.98, correct=FALSE -> p=0.50601379578945593
  //    ci=[-0.13742958461972013, 0.07631671972635419]
  r = Judge(
      x_, y_,
      With(IntervalMethod::kRCompatible, Alternative::kTwoSided, ExactMode::kAuto, false, 0.98));
  ExpectRelative(r.p_value, 0.50601379578945593, 1e-13);
  EXPECT_EQ(r.ci_low, -0.13742958461972013);
  EXPECT_EQ(r.ci_high, 0.07631671972635419);
  // R: alternative="greater" -> p=0.74700548428339175 ci=[-0.10592381021108771, Inf]
  r = Judge(x_, y_, With(IntervalMethod::kRCompatible, Alternative::kGreater));
  ExpectRelative(r.p_value, 0.74700548428339175, 1e-13);
  EXPECT_EQ(r.ci_low, -0.10592381021108771);
  EXPECT_EQ(r.ci_high, kInf);
}

TEST_F(LargeSampleTest, ExactIntervalIsTheLimitOfR) {
  // R limit: ci=[-0.12059501678078151, 0.059414114349206029] hl=-0.030239646628542276
  MannWhitneyResult r = Judge(x_, y_);
  EXPECT_EQ(r.estimate, -0.030239646628542276);
  EXPECT_EQ(r.ci_low, -0.12059501678078151);
  EXPECT_EQ(r.ci_high, 0.059414114349206029);
  // R limit (conf.level=0.98, correct=FALSE): ci=[-0.13743852154931732, 0.076299204941816967]
  r = Judge(x_, y_,
            With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAuto, false, 0.98));
  EXPECT_EQ(r.ci_low, -0.13743852154931732);
  EXPECT_EQ(r.ci_high, 0.076299204941816967);
}

TEST_F(LargeSampleTest, TinyScaleIsJudgedAsPreciselyAsUnitScale) {
  std::vector<double> xs = x_, ys = y_;
  for (double& v : xs) v *= 1e-9;
  for (double& v : ys) v *= 1e-9;
  // R at scale 1e-9 (default tol.root=1e-4): est=6.2708961402481026e-09
  // ci=[-6.4542473651539469e-09, 6.2708961402481026e-09]: 50x too wide, estimate on the wrong
  // side. r-compatible reproduces that, on purpose.
  MannWhitneyResult r = Judge(xs, ys, With(IntervalMethod::kRCompatible));
  EXPECT_EQ(r.estimate, 6.2708961402481026e-09);
  EXPECT_EQ(r.ci_low, -6.4542473651539469e-09);
  EXPECT_EQ(r.ci_high, 6.2708961402481026e-09);
  // R limit at scale 1e-9: ci=[-1.2059501678078151e-10, 5.9414114349206033e-11]
  // hl=-3.0239646628542235e-11, the unit-scale answer times 1e-9.
  r = Judge(xs, ys);
  ExpectRelative(r.p_value, 0.50603856078341347, 1e-13);
  EXPECT_EQ(r.ci_low, -1.2059501678078151e-10);
  EXPECT_EQ(r.ci_high, 5.9414114349206033e-11);
  EXPECT_EQ(r.estimate, -3.0239646628542235e-11);
}

TEST_F(LargeSampleTest, ExactDistributionBeyondRsAutomaticLimit) {
  // R: wilcox.test(X[1:60], Y[1:70], conf.int=TRUE, exact=TRUE) -> W=2310 p=0.32903890560339072
  //    est=0.18430976839707006 ci=[-0.17648379560583755, 0.50733881943312542]
  const std::vector<double> x(x_.begin(), x_.begin() + 60), y(y_.begin(), y_.begin() + 70);
  const MannWhitneyResult r =
      Judge(x, y, With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAlways));
  EXPECT_EQ(r.method, TestMethod::kExact);
  EXPECT_EQ(r.w, 2310);
  ExpectRelative(r.p_value, 0.32903890560339072, 1e-13);
  EXPECT_EQ(r.estimate, 0.18430976839707006);
  EXPECT_EQ(r.ci_low, -0.17648379560583755);
  EXPECT_EQ(r.ci_high, 0.50733881943312542);
}

TEST_F(LargeSampleTest, ExactBeyondSupportedSizeIsAClearError) {
  const auto r =
      MannWhitney(x_, y_, With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kAlways));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("n*m = 160000"));
}

// Properties: they hold exactly (bit for bit) in the default interval mode.
TEST_F(LargeSampleTest, SwappingSidesNegatesEstimateAndInterval) {
  for (ExactMode exact : {ExactMode::kAuto, ExactMode::kAlways}) {
    const std::vector<double> x(x_.begin(), x_.begin() + (exact == ExactMode::kAuto ? 1000 : 45));
    const std::vector<double> y(y_.begin(), y_.begin() + (exact == ExactMode::kAuto ? 800 : 38));
    const MannWhitneyResult a =
        Judge(x, y, With(IntervalMethod::kExact, Alternative::kTwoSided, exact));
    const MannWhitneyResult b =
        Judge(y, x, With(IntervalMethod::kExact, Alternative::kTwoSided, exact));
    EXPECT_EQ(b.estimate, -a.estimate);
    EXPECT_EQ(b.ci_low, -a.ci_high);
    EXPECT_EQ(b.ci_high, -a.ci_low);
    EXPECT_EQ(b.p_value, a.p_value);
    EXPECT_EQ(b.w, static_cast<double>(x.size() * y.size()) - a.w);
    // One-sided: greater for (x, y) is less for (y, x).
    const MannWhitneyResult g =
        Judge(x, y, With(IntervalMethod::kExact, Alternative::kGreater, exact));
    const MannWhitneyResult l =
        Judge(y, x, With(IntervalMethod::kExact, Alternative::kLess, exact));
    EXPECT_EQ(g.p_value, l.p_value);
    EXPECT_EQ(g.ci_low, -l.ci_high);
  }
}

TEST_F(LargeSampleTest, ShiftingBothSamplesChangesNothing) {
  // A shift by a power of two keeps every difference exact for these magnitudes.
  std::vector<double> xs = x_, ys = y_;
  for (double& v : xs) v += 1024.0;
  for (double& v : ys) v += 1024.0;
  const MannWhitneyResult a = Judge(x_, y_);
  const MannWhitneyResult b = Judge(xs, ys);
  EXPECT_EQ(b.p_value, a.p_value);
  EXPECT_EQ(b.w, a.w);
  // Differences of the shifted values are rounded at 1024's precision (2^-42); they agree to it.
  EXPECT_NEAR(b.estimate, a.estimate, 1e-12);
  EXPECT_NEAR(b.ci_low, a.ci_low, 1e-12);
  EXPECT_NEAR(b.ci_high, a.ci_high, 1e-12);
  // Integer data shift exactly.
  const std::vector<double> ia = {3, 8, 1, 12, 7, 7, 15, 4}, ib = {2, 5, 9, 1, 4, 6};
  std::vector<double> ja = ia, jb = ib;
  for (double& v : ja) v -= 1e6;
  for (double& v : jb) v -= 1e6;
  const MannWhitneyResult c = Judge(ia, ib), d = Judge(ja, jb);
  EXPECT_EQ(c.p_value, d.p_value);
  EXPECT_EQ(c.estimate, d.estimate);
  EXPECT_EQ(c.ci_low, d.ci_low);
  EXPECT_EQ(c.ci_high, d.ci_high);
}

TEST_F(LargeSampleTest, ScalingScalesEstimateAndInterval) {
  const MannWhitneyResult a = Judge(x_, y_);
  for (const double scale : {0.25, 1024.0, std::ldexp(1.0, -40)}) {  // powers of two: exact
    std::vector<double> xs = x_, ys = y_;
    for (double& v : xs) v *= scale;
    for (double& v : ys) v *= scale;
    const MannWhitneyResult b = Judge(xs, ys);
    EXPECT_EQ(b.p_value, a.p_value);
    EXPECT_EQ(b.estimate, a.estimate * scale);
    EXPECT_EQ(b.ci_low, a.ci_low * scale);
    EXPECT_EQ(b.ci_high, a.ci_high * scale);
  }
  for (const double scale : {1e-9, 1e6}) {  // not exact in binary: equal to rounding
    std::vector<double> xs = x_, ys = y_;
    for (double& v : xs) v *= scale;
    for (double& v : ys) v *= scale;
    const MannWhitneyResult b = Judge(xs, ys);
    EXPECT_EQ(b.p_value, a.p_value);
    ExpectRelative(b.estimate, a.estimate * scale, 1e-13);
    ExpectRelative(b.ci_low, a.ci_low * scale, 1e-13);
    ExpectRelative(b.ci_high, a.ci_high * scale, 1e-13);
  }
}

// The limit of R's interval search, found independently of the kernel's counting formula: R's
// standardised statistic, with full pooled ranking, evaluated between consecutive distinct
// differences; the bound is the first difference after which it is <= 0.
double LimitOfRootSearch(std::vector<double> x, std::vector<double> y, double zq,
                         Alternative alternative, bool correct) {
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  std::vector<double> d;
  for (double a : x) {
    for (double b : y) d.push_back(a - b);
  }
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
  const ShiftedRankStatistic statistic(x, y);
  auto f = [&](double shift) {
    const ShiftedRankStatistic::Value v = statistic.At(shift);
    double cc = 0.0;
    if (correct) {
      cc = alternative == Alternative::kTwoSided
               ? (v.centered_u > 0 ? 0.5 : (v.centered_u < 0 ? -0.5 : 0.0))
               : (alternative == Alternative::kGreater ? 0.5 : -0.5);
    }
    return (v.centered_u - cc) / v.sigma - zq;
  };
  if (f(d.front() - 1.0) <= 0.0) return d.front();
  for (size_t k = 0; k + 1 < d.size(); ++k) {
    if (f((d[k] + d[k + 1]) / 2.0) <= 0.0) return d[k];
  }
  return d.back();
}

TEST(MannWhitneyTest, ExactIntervalIsTheLimitOfRsSearchOnRandomTiedData) {
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<int> size(2, 40);
  std::uniform_int_distribution<int> grid(0, 12);  // values on a 0.5 grid: many ties
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> x(static_cast<size_t>(size(rng))), y(static_cast<size_t>(size(rng)));
    for (double& v : x) v = 0.5 * grid(rng);
    for (double& v : y) v = 0.5 * grid(rng) - (trial % 3 == 0 ? 1.0 : 0.0);
    const Alternative alternative = trial % 5 == 0   ? Alternative::kGreater
                                    : trial % 5 == 1 ? Alternative::kLess
                                                     : Alternative::kTwoSided;
    const bool correct = trial % 4 != 3;
    const double confidence = trial % 2 ? 0.95 : 0.8;
    MannWhitneyOptions o =
        With(IntervalMethod::kExact, alternative, ExactMode::kNever, correct, confidence);
    const MannWhitneyResult r = Judge(x, y, o);
    const double alpha = 1.0 - confidence;
    SCOPED_TRACE(::testing::Message() << "trial " << trial);
    if (alternative != Alternative::kLess) {
      const double zq = NormalQuantile(alternative == Alternative::kTwoSided ? alpha / 2.0 : alpha,
                                       /*lower_tail=*/false);
      ASSERT_EQ(r.ci_low, LimitOfRootSearch(x, y, zq, alternative, correct));
      ++checked;
    }
    if (alternative != Alternative::kGreater) {
      const double zq = NormalQuantile(alternative == Alternative::kTwoSided ? alpha / 2.0 : alpha);
      ASSERT_EQ(r.ci_high, LimitOfRootSearch(x, y, zq, alternative, correct));
      ++checked;
    }
  }
  EXPECT_GT(checked, 400);
}

TEST(MannWhitneyTest, RCompatibleAtLowConfidenceUsesTheCentralQuantileBranch) {
  // R: wilcox.test(x, y, conf.int=TRUE, exact=FALSE, conf.level=0.3) -> p=0.27542029202207668
  //    est=4.4150979680707918e-05 ci=[1.315911044106241e-06, 0.99997929622459147]
  // (qnorm's central branch: a wrong AS 241 coefficient once made ci_low differ in the last bits.)
  const MannWhitneyResult r = Judge(
      {0, 0, 1, 0, 2, 1, 2, 2, 1}, {0, 0, 0, 1, 2, 1, 0, 1, 0},
      With(IntervalMethod::kRCompatible, Alternative::kTwoSided, ExactMode::kNever, true, 0.3));
  ExpectRelative(r.p_value, 0.27542029202207668, 1e-14);
  EXPECT_EQ(r.estimate, 4.4150979680707918e-05);
  EXPECT_EQ(r.ci_low, 1.315911044106241e-06);
  EXPECT_EQ(r.ci_high, 0.99997929622459147);
}

TEST(MannWhitneyTest, FlatRootRegionGivesItsMidpoint) {
  // One-sided 50% without correction: R's statistic is exactly 0 between D(7) = -2 and D(8) = -1
  // of sort(outer(x, y, "-")), and R (tol.root=1e-300) stops anywhere there (-1.4110464191844487).
  // augur returns the midpoint, which is also the estimate.
  const MannWhitneyResult r =
      Judge({1, 0}, {2, 2, 0, 3, 4, 2, 0},
            With(IntervalMethod::kExact, Alternative::kLess, ExactMode::kNever, false, 0.5));
  EXPECT_EQ(r.estimate, -1.5);
  EXPECT_EQ(r.ci_high, -1.5);
  EXPECT_EQ(r.ci_low, -kInf);
}

TEST(MannWhitneyTest, NeverReportsNegativeZero) {
  // Pivots of the selection can be -0.0; a difference never is.
  for (int copies : {50, 80}) {
    std::vector<double> x;
    for (int i = 0; i < copies; ++i) x.insert(x.end(), {-1.0, 0.0, 1.0});
    const MannWhitneyResult r = Judge(x, x);
    EXPECT_EQ(r.estimate, 0.0);
    EXPECT_FALSE(std::signbit(r.estimate)) << copies;
    EXPECT_FALSE(std::signbit(r.ci_high)) << copies;
    EXPECT_TRUE(r.ci_low < 0 || !std::signbit(r.ci_low)) << copies;
  }
}

TEST(MannWhitneyTest, RootSearchRefusesAnOverflowingBracket) {
  // R: wilcox.test(c(-1e308,0,1,3), c(1e308,0.5,2,4), conf.int=TRUE, exact=FALSE) stops with
  // "invalid 'xmin' value": min(x) - max(y) overflows to -Inf.
  const auto r =
      MannWhitney(std::vector<double>{-1e308, 0, 1, 3}, std::vector<double>{1e308, 0.5, 2, 4},
                  With(IntervalMethod::kRCompatible, Alternative::kTwoSided, ExactMode::kNever));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("overflow"));
  // The default interval is defined: the extreme differences are -inf and +inf.
  const MannWhitneyResult e =
      Judge({-1e308, 0, 1, 3}, {1e308, 0.5, 2, 4},
            With(IntervalMethod::kExact, Alternative::kTwoSided, ExactMode::kNever));
  // The 16 differences: -inf, six near -1e308, then -4 -3 -2 -1 -1 -0.5 0.5 1 2.5; median -3.5.
  EXPECT_EQ(e.estimate, -3.5);
}

TEST(MannWhitneyTest, EstimateIsNaNWhenTheMiddleDifferencesAreOppositeInfinities) {
  // Documented: the median of {-inf, +inf} is undefined.
  const MannWhitneyResult r = Judge({-kInf, kInf}, {0});
  EXPECT_TRUE(std::isnan(r.estimate));
}

TEST(MannWhitneyTest, InfinitiesRankAsExtremes) {
  // R: wilcox.test(c(1, 2, Inf), c(0.5, 1.5, -Inf)) -> W=8 p=0.20000000000000001 (exact)
  const MannWhitneyResult r = Judge({1, 2, kInf}, {0.5, 1.5, -kInf});
  EXPECT_EQ(r.w, 8);
  ExpectRelative(r.p_value, 0.2, 1e-14);
  // 95% is not achievable with 3 vs 3, so the interval spans the extreme differences.
  EXPECT_EQ(r.ci_low, 1 - 1.5);
  EXPECT_EQ(r.ci_high, kInf);
  // R cannot give an interval here (uniroot: invalid 'xmax'); the root-search modes say so.
  const auto rc = MannWhitney(std::vector<double>{1, 2, kInf, 5}, std::vector<double>{1, 1.5},
                              With(IntervalMethod::kRCompatible));
  EXPECT_EQ(rc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rc.status().message()), HasSubstr("infinite"));
}

TEST(MannWhitneyTest, AllTiedIsUninformativeNotAnError) {
  // R gives p = NaN and stops on the interval; augur: p = 1, interval and estimate 0.
  const MannWhitneyResult r = Judge({3, 3, 3}, {3, 3, 3, 3});
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(r.estimate, 0.0);
  EXPECT_EQ(r.ci_low, 0.0);
  EXPECT_EQ(r.ci_high, 0.0);
  EXPECT_FALSE(r.warnings.empty());
  EXPECT_FALSE(MannWhitney(std::vector<double>{3, 3}, std::vector<double>{3, 3},
                           With(IntervalMethod::kRCompatible))
                   .ok());
}

TEST(MannWhitneyTest, RejectsBadInput) {
  const std::vector<double> ok = {1, 2, 3};
  const std::vector<double> empty;
  const std::vector<double> nan = {1, NAN, 3};
  auto code = [](const absl::StatusOr<MannWhitneyResult>& r) { return r.status().code(); };
  EXPECT_EQ(code(MannWhitney(empty, ok)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(MannWhitney(ok, empty)), absl::StatusCode::kInvalidArgument);
  const auto with_nan = MannWhitney(ok, nan);
  EXPECT_EQ(code(with_nan), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(with_nan.status().message()),
              HasSubstr("control sample has NaN at index 1"));
  for (double confidence : {0.0, 1.0, 1.5, -0.1, static_cast<double>(NAN)}) {
    MannWhitneyOptions o;
    o.confidence = confidence;
    const auto r = MannWhitney(ok, ok, o);
    EXPECT_EQ(code(r), absl::StatusCode::kInvalidArgument) << confidence;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("confidence must be in (0,1)"));
  }
}

TEST(MannWhitneyTest, SingleValues) {
  // R: wilcox.test(2, 1, conf.int=TRUE) -> W=1 p=1 est=1 ci=[1, 1] with "not achievable".
  const MannWhitneyResult r = Judge({2}, {1});
  EXPECT_EQ(r.w, 1);
  EXPECT_EQ(r.p_value, 1);
  EXPECT_EQ(r.estimate, 1);
  EXPECT_EQ(r.ci_low, 1);
  EXPECT_EQ(r.ci_high, 1);
}

TEST(MannWhitneyTest, NamesRoundTrip) {
  for (Alternative a : {Alternative::kTwoSided, Alternative::kGreater, Alternative::kLess}) {
    EXPECT_EQ(*ParseAlternative(AlternativeName(a)), a);
  }
  for (ExactMode e : {ExactMode::kAuto, ExactMode::kAlways, ExactMode::kNever}) {
    EXPECT_EQ(*ParseExactMode(ExactModeName(e)), e);
  }
  for (IntervalMethod m :
       {IntervalMethod::kExact, IntervalMethod::kRCompatible, IntervalMethod::kKayenta}) {
    EXPECT_EQ(*ParseIntervalMethod(IntervalMethodName(m)), m);
  }
  const auto bad = ParseAlternative("two.sided");
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("must be one of two-sided|greater|less, got \"two.sided\""));
}

}  // namespace
}  // namespace augur::judges
