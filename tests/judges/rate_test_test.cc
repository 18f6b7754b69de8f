// Known answers for the rate test.
//
// Ratio, interval and p-values: R 4.2.2's poisson.test, printed with sprintf("%.17g"). For each
// case below, `poisson.test(x, T, r, conf.level)` gave p.value, conf.int and estimate, and the
// same call with alternative = "greater" / "less" gave p_greater / p_less.
//
// Difference interval: Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
// (four decimals), and to 17 digits the textbook formulas evaluated in 50-digit decimal
// arithmetic with /usr/bin/python3 (z = scipy 1.10.1 norm.ppf(1 - (1 - conf)/2)):
//   def wilson(x, n, z):  # Decimal, getcontext().prec = 50
//     p = x/n; a = 2*n*p + z*z; b = z*(z*z + 4*n*p*(1-p)).sqrt(); c = 2*(n + z*z)
//     return (a - b)/c, (a + b)/c
//   L = d - ((p1-l1)**2 + (u2-p2)**2).sqrt(); U = d + ((u1-p1)**2 + (p2-l2)**2).sqrt()
#include "judges/rate_test.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using ::testing::HasSubstr;

RateTestResult Compare(int64_t xe, int64_t te, int64_t xc, int64_t tc, double confidence = 0.95,
                       double null_ratio = 1.0) {
  RateTestOptions options;
  options.confidence = confidence;
  options.null_ratio = null_ratio;
  absl::StatusOr<RateTestResult> r = PoissonRateTest(xe, te, xc, tc, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RateTestResult{};
}

// R prints 17 significant digits; Boost's incomplete beta and R's nmath agree to within 4e-15
// on every case here, so 1e-13 relative only leaves room for either library's last bits.
void ExpectRelative(double actual, double expected, double rel = 1e-13) {
  EXPECT_NEAR(actual, expected, rel * std::fabs(expected)) << "expected " << expected;
}

struct RCase {
  int64_t xe, te, xc, tc;
  double confidence, null_ratio;
  double p, p_greater, p_less;
  double ratio, ci_low, ci_high;
  double tolerance = 1e-13;  // relative, for the p-values (the interval always gets 1e-13)
};

TEST(PoissonRateTestTest, MatchesRPoissonTest) {
  const RCase cases[] = {
      // poisson.test(c(5, 2), c(1000, 1000))
      {5, 1000, 2, 1000, 0.95, 1.0, 0.45312500000000022, 0.22656250000000011, 0.9375, 2.5,
       0.40928608085489243, 26.25347677240827},
      // poisson.test(c(50, 10), c(10000, 9000), r = 1.2, conf.level = 0.98)
      {50, 10000, 10, 9000, 0.98, 1.2, 2.0825333698585008e-05, 1.4845293574999904e-05,
       0.99999626349386239, 4.5, 2.0238460141505503, 11.627121945116526},
      // poisson.test(c(3, 3), c(1000, 1000)): observed count at the mean, p = 1.
      {3, 1000, 3, 1000, 0.95, 1.0, 1, 0.65625, 0.65625, 1, 0.13393758817773022,
       7.4661640067240667},
      // poisson.test(c(1000, 1100), c(1e6, 1e6))
      {1000, 1000000, 1100, 1000000, 0.95, 1.0, 0.030720707864242414, 0.98624972024621205,
       0.015360353932121207, 0.90909090909090906, 0.83364301346327563, 0.99127791187628522},
      // poisson.test(c(12, 30), c(2e4, 1e5), r = 2): the estimate equals r, p = 1.
      {12, 20000, 30, 100000, 0.95, 2.0, 1, 0.55816780186412052, 0.57704679376981505, 2,
       0.93254553417089503, 4.0226454501806179},
      // poisson.test(c(100000000, 100010000), c(1e12, 1e12)): k = 2e8, the two-sided p-value
      // needs the far-side cut-off among 1e8 counts.
      {100000000, 1000000000000, 100010000, 1000000000000, 0.95, 1.0, 0.47955504639558211,
       0.76026641538191519, 0.23977752319779105, 0.99990000999900019, 0.99962289228663337,
       1.0001772045336164},
      // poisson.test(c(100010000, 100000000), c(1e12, 1e12)): the same, observed above the mean.
      {100010000, 1000000000000, 100000000, 1000000000000, 0.95, 1.0, 0.47955504639558211,
       0.23977752319779105, 0.76026641538191519, 1.0001, 0.99982282686226687, 1.000377249977243},
      // poisson.test(c(5000123, 4000000), c(5e11, 4e11), r = 1.0002)
      // k = 9e6: R's pbinom is 1e-13 off here (a 50-digit evaluation, Boost's binomial on
      // cpp_bin_float_50 with the same double pi, gives less = 0.39700032194605259; augur
      // 0.39700032194605261), hence 1e-12.
      {5000123, 500000000000, 4000000, 400000000000, 0.95, 1.0002, 0.79387222643996691,
       0.60325830364371691, 0.39700032194601287, 1.0000245999999999, 0.99871045394371705,
       1.0013405227247483, 1e-12},
      // poisson.test(c(987654321, 123456789), c(9e11, 1e11), r = 0.8889, conf.level = 0.99):
      // k above 1e9, pi near 0.9. The 50-digit evaluation gives greater = 0.55207647679472938,
      // less = 0.44796128137618869: R is 3e-13 off, augur (Boost's incomplete beta in long
      // double at a = 1e9) 6e-12 on `greater`. The problem allows no better: one ulp of pi moves
      // these p-values by k * pmf * 1e-16, about 4e-12. Hence 1e-10.
      {987654321, 900000000000, 123456789, 100000000000, 0.99, 0.8889, 0.89587380022288809,
       0.5520764767948998, 0.44796128137601832, 0.88888889698888895, 0.88867035935743866,
       0.88910750019905271, 1e-10},
  };
  for (const RCase& c : cases) {
    SCOPED_TRACE(testing::Message() << c.xe << "/" << c.te << " vs " << c.xc << "/" << c.tc);
    const RateTestResult r = Compare(c.xe, c.te, c.xc, c.tc, c.confidence, c.null_ratio);
    ExpectRelative(r.p_value, c.p, c.tolerance);
    ExpectRelative(r.p_greater, c.p_greater, c.tolerance);
    ExpectRelative(r.p_less, c.p_less, c.tolerance);
    ExpectRelative(r.ratio, c.ratio, 1e-15);
    ExpectRelative(r.ratio_ci_low, c.ci_low);
    ExpectRelative(r.ratio_ci_high, c.ci_high);
  }
}

TEST(PoissonRateTestTest, NoExperimentEventsMatchesR) {
  // poisson.test(c(0, 7), c(500, 800)) -> p=0.048611140881624361 greater=1
  //   less=0.033421538870791183 est=0 ci=[0, 1.1101023681543241]
  const RateTestResult r = Compare(0, 500, 7, 800);
  ExpectRelative(r.p_value, 0.048611140881624361);
  EXPECT_EQ(r.p_greater, 1.0);
  ExpectRelative(r.p_less, 0.033421538870791183);
  EXPECT_EQ(r.ratio, 0.0);
  EXPECT_EQ(r.ratio_ci_low, 0.0);
  ExpectRelative(r.ratio_ci_high, 1.1101023681543241);
  // Newcombe, decimal script: (0, 500, 7, 800).
  ExpectRelative(r.difference, -0.00875, 1e-15);
  ExpectRelative(r.difference_ci_low, -0.017950404673404682);
  ExpectRelative(r.difference_ci_high, 0.00010590330225243669);
}

TEST(PoissonRateTestTest, NoControlEventsMatchesR) {
  // poisson.test(c(7, 0), c(500, 800)) -> p=0.0012450493451502613 (= greater) less=1 est=Inf
  //   ci=[2.3060936301363828, Inf]
  const RateTestResult r = Compare(7, 500, 0, 800);
  ExpectRelative(r.p_value, 0.0012450493451502613);
  ExpectRelative(r.p_greater, 0.0012450493451502613);
  EXPECT_EQ(r.p_less, 1.0);
  EXPECT_EQ(r.ratio, kInf);
  ExpectRelative(r.ratio_ci_low, 2.3060936301363828);
  EXPECT_EQ(r.ratio_ci_high, kInf);
  // poisson.test(c(1, 0), c(1, 1)) -> p=1 greater=0.5 less=1 ci=[0.025641025641025664, Inf]
  const RateTestResult one = Compare(1, 1, 0, 1);
  EXPECT_EQ(one.p_value, 1.0);
  ExpectRelative(one.p_greater, 0.5);
  EXPECT_EQ(one.p_less, 1.0);
  ExpectRelative(one.ratio_ci_low, 0.025641025641025664);
  EXPECT_EQ(one.ratio_ci_high, kInf);
  // Newcombe, decimal script: (1, 1, 0, 1) -> [-0.12210872068194178, 1].
  ExpectRelative(one.difference_ci_low, -0.12210872068194178);
  EXPECT_EQ(one.difference_ci_high, 1.0);
}

TEST(PoissonRateTestTest, NoEventsAnywhereIsNoInformation) {
  // poisson.test(c(0, 0), c(100, 100)) -> p=1 greater=1 less=1 est=NaN ci=[0, Inf]
  const RateTestResult r = Compare(0, 100, 0, 100);
  EXPECT_EQ(r.p_value, 1.0);
  EXPECT_EQ(r.p_greater, 1.0);
  EXPECT_EQ(r.p_less, 1.0);
  EXPECT_TRUE(std::isnan(r.ratio));
  EXPECT_EQ(r.ratio_ci_low, 0.0);
  EXPECT_EQ(r.ratio_ci_high, kInf);
  EXPECT_EQ(r.rate_experiment, 0.0);
  EXPECT_EQ(r.difference, 0.0);
  // Newcombe, decimal script: (0, 100, 0, 100) -> +-0.036993498206985678, symmetric.
  ExpectRelative(r.difference_ci_low, -0.036993498206985678);
  ExpectRelative(r.difference_ci_high, 0.036993498206985678);
}

TEST(PoissonRateTestTest, HugeCountsMatchR) {
  // poisson.test(c(120000, 100000), c(1e9, 1e9)) -> p=1.4821969375237396e-323 greater=0 less=1
  //   est=1.2 ci=[1.189961692941309, 1.2101249071977866]
  // The true p-value (z about 42) is far below the smallest double: R's subnormal is underflow
  // residue (augur happens to give the same bits), so only "tiny" is asserted.
  const RateTestResult r = Compare(120000, 1000000000, 100000, 1000000000);
  EXPECT_LE(r.p_value, 1e-300);
  EXPECT_LE(r.p_greater, 1e-300);
  EXPECT_EQ(r.p_less, 1.0);
  ExpectRelative(r.ratio, 1.2, 1e-15);
  ExpectRelative(r.ratio_ci_low, 1.189961692941309);
  ExpectRelative(r.ratio_ci_high, 1.2101249071977866);
  // Newcombe, decimal script: (120000, 1e9, 100000, 1e9).
  ExpectRelative(r.difference, 2e-5, 1e-12);
  ExpectRelative(r.difference_ci_low, 1.9080861872554022e-05);
  ExpectRelative(r.difference_ci_high, 2.0919385128618447e-05);
}

TEST(PoissonRateTestTest, LopsidedExposuresKeepTheRatioIntervalAccurate) {
  // poisson.test(c(658060, 1), c(1e9, 10)) -> p=0.0065590051958616452 (= less)
  //   greater=0.99997844257459967 ci=[0.0011810836911268989, 0.25992020635124918]
  // pi is within 1e-8 of 1, where R's pp/(1 - pp) loses eight digits. The bounds from a 50-digit
  // evaluation (Boost's ibeta_inv/ibetac_inv on cpp_bin_float_50, odds formed in 50 digits):
  //   [0.0011810836911276213, 0.25992020626328843]; augur forms 1 - pi inside Boost and agrees.
  const RateTestResult r = Compare(658060, 1000000000, 1, 10);
  ExpectRelative(r.p_value, 0.0065590051958616452);
  ExpectRelative(r.p_less, 0.0065590051958616452);
  ExpectRelative(r.p_greater, 0.99997844257459967);
  ExpectRelative(r.ratio_ci_low, 0.0011810836911276213, 1e-14);
  ExpectRelative(r.ratio_ci_high, 0.25992020626328843, 1e-14);
  ExpectRelative(r.ratio_ci_low, 0.0011810836911268989, 1e-9);  // R
  ExpectRelative(r.ratio_ci_high, 0.25992020635124918, 1e-9);   // R
}

TEST(PoissonRateTestTest, TrillionRequestsDifferenceInterval) {
  // Newcombe, decimal script: (100000000, 1e12, 100010000, 1e12). Half-widths of 1e-8 around
  // rates of 1e-4: the interval lives in the last eight digits of the two proportions, so the
  // doubles' own rounding (1e-20 absolute) allows about 1e-12 relative.
  const RateTestResult r = Compare(100000000, 1000000000000, 100010000, 1000000000000);
  ExpectRelative(r.difference, -1e-8, 1e-10);
  ExpectRelative(r.difference_ci_low, -3.7717383721717162e-08, 1e-11);
  ExpectRelative(r.difference_ci_high, 1.7717383586002945e-08, 1e-11);
}

TEST(PoissonRateTestTest, NewcombeTableTwoExamples) {
  struct Case {
    int64_t x1, n1, x2, n2;
    double low, high;              // decimal script, 17 digits
    double table_low, table_high;  // Newcombe 1998 Table II, method 10
  };
  const Case cases[] = {
      {56, 70, 48, 80, 0.052431472402364891, 0.33387265403690597, 0.0524, 0.3339},
      {9, 10, 3, 10, 0.17052272393450291, 0.80901797353548799, 0.1705, 0.8090},
      {5, 56, 0, 29, -0.038137147903536887, 0.19256001385511159, -0.0381, 0.1926},
      {0, 10, 0, 20, -0.16112515805281935, 0.2775327998628892, -0.1611, 0.2775},
      {10, 10, 0, 20, 0.67908603714191473, 1, 0.6791, 1.0000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.x1 << "/" << c.n1 << " - " << c.x2 << "/" << c.n2);
    const RateTestResult r = Compare(c.x1, c.n1, c.x2, c.n2);
    ExpectRelative(r.difference_ci_low, c.low);
    ExpectRelative(r.difference_ci_high, c.high);
    EXPECT_NEAR(r.difference_ci_low, c.table_low, 0.00005);
    EXPECT_NEAR(r.difference_ci_high, c.table_high, 0.00005);
  }
}

TEST(PoissonRateTestTest, NewcombeAtOtherConfidence) {
  // Decimal script: (50, 10000, 10, 9000, conf = 0.98) and (5, 1000, 2, 1000, conf = 0.95).
  RateTestResult r = Compare(50, 10000, 10, 9000, 0.98, 1.2);
  ExpectRelative(r.difference_ci_low, 0.0020688004390444488);
  ExpectRelative(r.difference_ci_high, 0.0059012210371211238);
  r = Compare(5, 1000, 2, 1000);
  ExpectRelative(r.difference_ci_low, -0.0029908972170589556);
  ExpectRelative(r.difference_ci_high, 0.009807469633639973);
}

TEST(PoissonRateTestTest, EchoesInputsAndRates) {
  const RateTestResult r = Compare(5, 1000, 2, 4000);
  EXPECT_EQ(r.events_experiment, 5);
  EXPECT_EQ(r.total_experiment, 1000);
  EXPECT_EQ(r.events_control, 2);
  EXPECT_EQ(r.total_control, 4000);
  EXPECT_EQ(r.rate_experiment, 0.005);
  EXPECT_EQ(r.rate_control, 0.0005);
  EXPECT_EQ(r.difference, 0.005 - 0.0005);
  ExpectRelative(r.ratio, 10.0, 1e-15);
}

TEST(PoissonRateTestTest, TwoSidedIsAtLeastTheSmallerTail) {
  // binom.test's rule never gives less than the observed tail, nor more than 1.
  for (int64_t xe = 0; xe <= 40; ++xe) {
    const RateTestResult r = Compare(xe, 10000, 20, 10000);
    EXPECT_GE(r.p_value, std::min(r.p_less, r.p_greater) * (1 - 1e-12)) << xe;
    EXPECT_LE(r.p_value, 1.0);
    EXPECT_GE(r.p_less + r.p_greater, 1.0 - 1e-12) << xe;
  }
}

TEST(PoissonRateTestTest, ExtremeNullRatiosStayDefined) {
  // r0 * t_e overflows: pi is 1, every event "should" be the experiment's. (R stops: its pi is
  // Inf/Inf.) A subnormal r0 makes pi 0 the other way.
  RateTestResult r = Compare(5, 1000000000000, 2, 1000, 0.95, 1e300);
  EXPECT_EQ(r.p_value, 0.0);
  EXPECT_EQ(r.p_greater, 1.0);
  EXPECT_EQ(r.p_less, 0.0);
  r = Compare(5, 1000000000000, 2, 1000, 0.95, 1e-320);
  EXPECT_EQ(r.p_value, 0.0);
  EXPECT_EQ(r.p_greater, 0.0);
  EXPECT_EQ(r.p_less, 1.0);
}

TEST(PoissonRateTestTest, InvalidArguments) {
  struct Case {
    int64_t xe, te, xc, tc;
    double confidence, null_ratio;
    const char* message;
  };
  const Case cases[] = {
      {-1, 10, 0, 10, 0.95, 1.0, "negative"},
      {0, 10, -1, 10, 0.95, 1.0, "negative"},
      {0, 0, 0, 10, 0.95, 1.0, "total is 0"},
      {0, 10, 0, 0, 0.95, 1.0, "total is 0"},
      {11, 10, 0, 10, 0.95, 1.0, "exceed"},
      {0, 10, 11, 10, 0.95, 1.0, "exceed"},
      {0, int64_t{1} << 53, 0, 1, 0.95, 1.0, "2^53"},
      {1, 10, 1, 10, 0.0, 1.0, "confidence"},
      {1, 10, 1, 10, 1.0, 1.0, "confidence"},
      {1, 10, 1, 10, std::nan(""), 1.0, "confidence"},
      {1, 10, 1, 10, 0.95, 0.0, "null ratio"},
      {1, 10, 1, 10, 0.95, -1.0, "null ratio"},
      {1, 10, 1, 10, 0.95, kInf, "null ratio"},
      {1, 10, 1, 10, 0.95, std::nan(""), "null ratio"},
  };
  for (const Case& c : cases) {
    RateTestOptions options;
    options.confidence = c.confidence;
    options.null_ratio = c.null_ratio;
    const absl::StatusOr<RateTestResult> r = PoissonRateTest(c.xe, c.te, c.xc, c.tc, options);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace augur::judges
