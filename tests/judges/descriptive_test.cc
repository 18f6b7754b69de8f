// Known answers for Kayenta's preprocessing and descriptive statistics.
//   * Kayenta: StatisticSuite, DetectorSuite and TransformSuite of spinnaker/kayenta a69573be
//     (2025-04-08), transcribed in tests/data/kayenta/judge-test-vectors.json and asserted with
//     Kayenta's own tolerances; shared/reference/kayenta.md §4.3 lists the same numbers.
//   * R 4.2.2: the calls are quoted beside each number, printed with sprintf("%.17g", ...).
#include "judges/descriptive.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/kayenta_vectors.h"

namespace augur::judges {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Kayenta's detector inputs (kayenta.md §4.3).
const std::vector<double> kIqrSet = {21, 23, 24, 25, 50, 29, 23, 21};
const std::vector<double> kTwoSided = {1, 1, 1, 5, -1, -1, -1, -5};
// R's quantile() checks: a latency-like series, in time order.
const std::vector<double> kSeries = {12, 15, 11, 19, 30, 14, 13, 22, 17, 16};
// NIST's percentile example, as in Kayenta's StatisticSuite.
const std::vector<double> kNist = {95.1772, 95.1567, 95.1937, 95.1959, 95.1442, 95.0610,
                                   95.1591, 95.1195, 95.1772, 95.0925, 95.1990, 95.1682};

// R and augur interpolate R-7 with different (equally valid) roundings; a few ulps apart.
void ExpectClose(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-13 * std::fabs(expected)) << "expected " << expected;
}

// Values with a JSON "NaN" string in place of NaN, as the vectors file writes them.
std::vector<double> Numbers(const json& array) {
  std::vector<double> v;
  for (const json& x : array) v.push_back(x.is_string() ? kNaN : x.get<double>());
  return v;
}

std::vector<double> Without(const std::vector<double>& values, const std::vector<size_t>& drop) {
  std::vector<double> kept;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::find(drop.begin(), drop.end(), i) == drop.end()) kept.push_back(values[i]);
  }
  return kept;
}

class DescriptiveKayentaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_FALSE(augur::testing::KayentaVectors().empty())
        << "missing tests/data/kayenta/judge-test-vectors.json";
  }

  static const json& Case(const std::string& suite, const std::string& name) {
    return augur::testing::KayentaCase(suite, name);
  }

  // Kayenta's delta for `key` in case `c`, or 0 (an exact assertion).
  static double Tolerance(const json& c, const std::string& key) {
    if (!c.contains("tolerance")) return 0.0;
    const json& t = c["tolerance"];
    if (t.is_number()) return t.get<double>();
    return t.value(key, 0.0);
  }
};

TEST_F(DescriptiveKayentaTest, SummaryStatistics) {
  for (const char* name : {"Summary Statistics: Scalar", "Summary Statistics: List"}) {
    SCOPED_TRACE(name);
    const json& c = Case("statistic_suite", name);
    const Summary s = Summarize(Numbers(c["input"]));
    const json& e = c["expected"];
    EXPECT_EQ(s.count, e["count"].get<int64_t>());
    EXPECT_EQ(s.min, e["min"].get<double>());
    EXPECT_EQ(s.max, e["max"].get<double>());
    EXPECT_EQ(s.mean, e["mean"].get<double>());
    EXPECT_NEAR(s.std, e["std"].get<double>(), Tolerance(c, "std"));
  }
}

TEST_F(DescriptiveKayentaTest, SummaryOfNoDataIsNaNWhereKayentaReportsZeros) {
  const json& c = Case("statistic_suite", "Summary Statistics: No Data");
  ASSERT_TRUE(c["input"].empty());
  EXPECT_EQ(c["expected"]["mean"], 0);  // Kayenta's choice; augur's contract says NaN
  const Summary s = Summarize(Numbers(c["input"]));
  EXPECT_EQ(s.count, 0);
  for (const double v : {s.min, s.max, s.mean, s.std, s.median, s.p95}) EXPECT_TRUE(std::isnan(v));
}

TEST_F(DescriptiveKayentaTest, Percentiles) {
  int checked = 0;
  for (const json& c : augur::testing::KayentaVectors()["statistic_suite"]) {
    if (!c.contains("input") || !c["expected"].is_object()) continue;
    const std::vector<double> input = Numbers(c["input"]);
    for (const auto& [key, expected] : c["expected"].items()) {
      if (key.size() < 2 || key[0] != 'p') continue;
      SCOPED_TRACE(c["name"].get<std::string>() + " " + key);
      const double p = std::stod(key.substr(1));
      // Kayenta asserts exactly where it gives no delta; 95.19568 is a decimal rounding of
      // 95.195679999999996 (R: quantile(nist, 0.9, type=7)), so allow that one rounding.
      const double tol = std::max(Tolerance(c, key), 1e-13 * std::fabs(expected.get<double>()));
      EXPECT_NEAR(Percentile(input, p), expected.get<double>(), tol);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8);  // P5, P50, P100, P50, P90, P100, P25, P75
}

TEST_F(DescriptiveKayentaTest, MeanRatio) {
  for (const char* name : {"Effect Size: Mean Ratio (No Effect)", "Effect Size: Mean Ratio (High)",
                           "Effect Size: Mean Ratio (Low)"}) {
    SCOPED_TRACE(name);
    const json& c = Case("statistic_suite", name);
    EXPECT_EQ(MeanRatio(Numbers(c["experiment"]), Numbers(c["control"])),
              c["expected"]["meanRatio"].get<double>());
  }
  const json& zero = Case("statistic_suite", "Effect Size: Mean Ratio (Zero Mean)");
  EXPECT_EQ(zero["expected"]["meanRatio"], "NaN");
  EXPECT_TRUE(std::isnan(MeanRatio(Numbers(zero["experiment"]), Numbers(zero["control"]))));
}

TEST_F(DescriptiveKayentaTest, Cles) {
  // Exact values by counting all pairs: 12.5/25, 0/100, 694/900, 108/900 (kayenta.md §4.3 derives
  // 0.77111 for the high case; Kayenta asserts 0.771 +- 0.001).
  const struct {
    const char* name;
    double exact;
  } kCases[] = {{"CLES Effect Size: Identical", 0.5},
                {"CLES Effect Size: Different (No Overlap)", 0.0},
                {"CLES Effect Size: High Metric", 694.0 / 900.0},
                {"CLES Effect Size: Low Metric", 108.0 / 900.0}};
  for (const auto& k : kCases) {
    SCOPED_TRACE(k.name);
    const json& c = Case("statistic_suite", k.name);
    const double cles = Cles(Numbers(c["experiment"]), Numbers(c["control"]));
    EXPECT_NEAR(cles, c["expected"]["cles(control, experiment)"].get<double>(),
                Tolerance(c, "cles"));
    EXPECT_EQ(cles, k.exact);
  }
}

TEST_F(DescriptiveKayentaTest, IqrDetector) {
  for (const char* name : {"IQR Detection", "IQR Detect Two Sided", "IQR NIST Test"}) {
    SCOPED_TRACE(name);
    const json& c = Case("detector_suite", name);
    ASSERT_EQ(c["detector"], "IQR factor=1.5 reduceSensitivity=false");
    const std::vector<double> input = Numbers(c["input"]);
    EXPECT_EQ(RemoveOutliersIqr(input, 1.5, /*reduced_sensitivity=*/false),
              Without(input, c["expected_outlier_indices"].get<std::vector<size_t>>()));
  }
  const json& empty = Case("detector_suite", "IQR Empty Data");
  EXPECT_THAT(RemoveOutliersIqr(Numbers(empty["input"]), 1.5, false), IsEmpty());
  EXPECT_THAT(RemoveOutliersIqr(Numbers(empty["input"]), 1.5, true), IsEmpty());
}

TEST_F(DescriptiveKayentaTest, Transforms) {
  const json& iqr = Case("detector_suite", "TransformSuite: IQR Outlier Removal");
  EXPECT_EQ(RemoveOutliersIqr(Numbers(iqr["input"]), 1.5, false), Numbers(iqr["expected_output"]));
  for (const char* name :
       {"TransformSuite: Remove Single NaN", "TransformSuite: Remove Multiple NaN"}) {
    SCOPED_TRACE(name);
    const json& c = Case("detector_suite", name);
    EXPECT_EQ(RemoveNaN(Numbers(c["input"])), Numbers(c["expected_output"]));
  }
  const json& replace = Case("detector_suite", "TransformSuite: Replace NANs (value 0.0)");
  EXPECT_EQ(ReplaceNaN(Numbers(replace["input"]), 0.0), Numbers(replace["expected_output"]));
}

TEST(DescriptiveIqrTest, JudgeSettingsRemoveOnlyTheExtremePoint) {
  // kayenta.md §4.3: with factor 3 and reduced sensitivity only the 50 of the first set goes
  // (upper fence max(P99 = 48.53, Q3 + 3 IQR = 36.5)), and the two-sided set loses nothing
  // (fences min(P1 = -4.72, Q1 - 3 IQR = -7) and max(P99 = 4.72, Q3 + 3 IQR = 7)).
  EXPECT_EQ(RemoveOutliersIqr(kIqrSet, 3.0), Without(kIqrSet, {4}));
  EXPECT_EQ(RemoveOutliersIqr(kTwoSided, 3.0), kTwoSided);
}

TEST(DescriptiveIqrTest, ReducedSensitivityKeepsAllButTheMostExtremeOfASmallSample) {
  // Q1 = 2.75, Q3 = 8.25, IQR = 5.5: plain fences -5.5 and 16.5 drop 40 and -30; reduced, the
  // P1 and P99 fences (-26.59, 36.7) still drop both.
  const std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 40, -30};
  EXPECT_EQ(RemoveOutliersIqr(v, 1.5, false), Without(v, {10, 11}));
  EXPECT_EQ(RemoveOutliersIqr(v, 1.5, true), Without(v, {10, 11}));
  // Q1 = 3.75, Q3 = 9.25: plain fences -4.5 and 17.5 drop 35 and 40; reduced, the upper fence is
  // P99 = 39.45, which keeps 35.
  const std::vector<double> w = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 35, 40};
  EXPECT_EQ(RemoveOutliersIqr(w, 1.5, false), Without(w, {10, 11}));
  EXPECT_EQ(RemoveOutliersIqr(w, 1.5, true), Without(w, {11}));
}

TEST(DescriptiveIqrTest, NaNsAreKeptAndIgnoredForTheFences) {
  const std::vector<double> v = {21, kNaN, 23, 24, 25, 50, 29, 23, 21};
  const std::vector<double> kept = RemoveOutliersIqr(v, 1.5, false);
  ASSERT_EQ(kept.size(), 8u);
  EXPECT_EQ(kept[0], 21);
  EXPECT_TRUE(std::isnan(kept[1]));
  EXPECT_EQ(kept[7], 21);
}

TEST(DescriptiveIqrTest, UnusableFactorRemovesNothing) {
  EXPECT_EQ(RemoveOutliersIqr(kIqrSet, -1.0, false), kIqrSet);
  EXPECT_EQ(RemoveOutliersIqr(kIqrSet, kNaN, false), kIqrSet);
  EXPECT_EQ(RemoveOutliersIqr(kIqrSet, kInf, false), kIqrSet);
  // Factor 0: the fences are the quartiles themselves (22.5 and 26).
  EXPECT_EQ(RemoveOutliersIqr(kIqrSet, 0.0, false), (std::vector<double>{23, 24, 25, 23}));
}

TEST(DescriptivePercentileTest, MatchesRQuantileType7) {
  // R: x <- c(12, 15, 11, 19, 30, 14, 13, 22, 17, 16); quantile(x, p, type = 7)
  const struct {
    double p;
    double r;
  } kCases[] = {{0.1, 11.009},
                {25, 13.25},
                {50, 15.5},
                {90, 22.799999999999997},
                {95, 26.399999999999991},
                {99, 29.280000000000001},
                {99.9, 29.927999999999997}};
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.p);
    ExpectClose(Percentile(kSeries, c.p), c.r);
  }
  // R: nist <- c(95.1772, ...); quantile(nist, c(0.5, 0.95, 0.99), type = 7)
  ExpectClose(Percentile(kNist, 50), 95.16364999999999);
  ExpectClose(Percentile(kNist, 95), 95.197294999999997);
  ExpectClose(Percentile(kNist, 99), 95.198658999999992);
}

TEST(DescriptivePercentileTest, Ends) {
  EXPECT_EQ(Percentile(kSeries, 0), 11);
  EXPECT_EQ(Percentile(kSeries, 100), 30);
  EXPECT_EQ(PercentileOfSorted(std::vector<double>{7}, 37), 7);
  EXPECT_TRUE(std::isnan(PercentileOfSorted({}, 50)));
  EXPECT_TRUE(std::isnan(Percentile(kSeries, -0.1)));
  EXPECT_TRUE(std::isnan(Percentile(kSeries, 100.1)));
  EXPECT_TRUE(std::isnan(Percentile(kSeries, kNaN)));
  EXPECT_TRUE(std::isnan(Percentile({1, kNaN, 3}, 50)));
}

TEST(DescriptivePercentileTest, InfinitiesDoNotBecomeNaN) {
  // The plain formula gives inf + 0.5 * (inf - inf) = NaN between two equal infinities.
  EXPECT_EQ(PercentileOfSorted(std::vector<double>{1, kInf, kInf}, 75), kInf);
  EXPECT_EQ(PercentileOfSorted(std::vector<double>{-kInf, -kInf, 0}, 25), -kInf);
  EXPECT_EQ(PercentileOfSorted(std::vector<double>{1, 2, kInf}, 50), 2);
  EXPECT_EQ(PercentileOfSorted(std::vector<double>{1, 2, kInf}, 75), kInf);
}

TEST(DescriptiveSummaryTest, MatchesR) {
  // R: mean(x); sd(x); median(x); quantile(x, 0.95, type = 7) for the series and the NIST data.
  Summary s = Summarize(kSeries);
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.min, 11);
  EXPECT_EQ(s.max, 30);
  EXPECT_EQ(s.mean, 16.899999999999999);
  ExpectClose(s.std, 5.6656861896861184);
  EXPECT_EQ(s.median, 15.5);
  ExpectClose(s.p95, 26.399999999999991);
  s = Summarize(kNist);
  EXPECT_EQ(s.mean, 95.153683333333333);
  ExpectClose(s.std, 0.043048024626482696);
  ExpectClose(s.median, 95.16364999999999);
  ExpectClose(s.p95, 95.197294999999997);
}

TEST(DescriptiveSummaryTest, OneValueHasZeroSpread) {
  const Summary s = Summarize(std::vector<double>{4.0});
  EXPECT_EQ(s.count, 1);
  EXPECT_EQ(s.std, 0);
  EXPECT_EQ(s.median, 4);
  EXPECT_EQ(s.p95, 4);
}

TEST(DescriptiveSummaryTest, NaNInputGivesNaNStatistics) {
  const Summary s = Summarize({1, kNaN, 3});
  EXPECT_EQ(s.count, 3);
  for (const double v : {s.min, s.max, s.mean, s.std, s.median, s.p95}) EXPECT_TRUE(std::isnan(v));
}

TEST(DescriptiveSummaryTest, SpreadSurvivesALargeOffset) {
  // R: sd(1e9 + 1:5) = 1.5811388300841898 = sqrt(2.5); mean 1000000003.
  const Summary s = Summarize({1e9 + 3, 1e9 + 1, 1e9 + 5, 1e9 + 2, 1e9 + 4});
  EXPECT_EQ(s.mean, 1e9 + 3);
  EXPECT_EQ(s.std, std::sqrt(2.5));
  // Millisecond spread around an epoch in seconds: half the values a, half b, so the sample sd
  // is (a - b) / 2 * sqrt(n / (n - 1)) with a - b exact (Sterbenz).
  const double a = 1.7e9 + 0.001;
  const double b = 1.7e9 - 0.001;
  std::vector<double> v;
  for (int i = 0; i < 100000; ++i) v.push_back(i % 2 == 0 ? a : b);
  const Summary t = Summarize(v);
  EXPECT_NEAR(t.mean, 1.7e9, 1e-6);
  EXPECT_NEAR(t.std, (a - b) / 2 * std::sqrt(100000.0 / 99999.0), 1e-15);
}

TEST(DescriptiveMeanTest, CompensatedAtScale) {
  // A naive running sum of a million 0.1s ends at 100000.00000133288, a mean off in the 12th
  // digit; the compensated mean is 0.1 to the bit.
  EXPECT_EQ(Mean(std::vector<double>(1000000, 0.1)), 0.1);
  // Exact binary fractions on top of 1e9: the true mean 1e9 + 0.4375 is representable.
  std::vector<double> v;
  for (int i = 0; i < 800000; ++i) v.push_back(1e9 + (i % 8) / 8.0);
  EXPECT_EQ(Mean(v), 1e9 + 0.4375);
}

TEST(DescriptiveMeanTest, EdgeCases) {
  EXPECT_TRUE(std::isnan(Mean({})));
  EXPECT_EQ(Mean({1e308, 1e308}), 1e308);  // the sum overflows, the mean does not
  EXPECT_EQ(Mean({-1e308, -1e308, -1e308}), -1e308);
  EXPECT_EQ(Mean({1, kInf}), kInf);
  EXPECT_TRUE(std::isnan(Mean({-kInf, kInf})));
  EXPECT_TRUE(std::isnan(Mean({1, kNaN})));
}

TEST(DescriptiveNaNTest, RemoveAndReplacePreserveOrder) {
  EXPECT_THAT(RemoveNaN({kNaN, 3, kNaN, -1, 2}), ElementsAre(3, -1, 2));
  EXPECT_THAT(RemoveNaN({}), IsEmpty());
  EXPECT_THAT(ReplaceNaN({kNaN, 3, kNaN, -1}, -7), ElementsAre(-7, 3, -7, -1));
  EXPECT_THAT(ReplaceNaN({kInf, 1}, 0), ElementsAre(kInf, 1));  // infinities are values
}

TEST(DescriptiveMeanRatioTest, EmptyOrZeroMeanIsNaN) {
  EXPECT_TRUE(std::isnan(MeanRatio({}, {1})));
  EXPECT_TRUE(std::isnan(MeanRatio({1}, {})));
  EXPECT_TRUE(std::isnan(MeanRatio({-1, 1}, {2})));  // experiment mean exactly 0
  EXPECT_EQ(MeanRatio({3, 5}, {-2}), -2);
}

TEST(DescriptiveClesTest, MatchesPairCountingWithTies) {
  // Deterministic data with many ties across and within the samples.
  std::vector<double> e;
  std::vector<double> c;
  for (int i = 0; i < 97; ++i) e.push_back((i * 37) % 23 / 2.0);
  for (int i = 0; i < 61; ++i) c.push_back((i * 11) % 19 / 2.0 + 0.5);
  double twice_u = 0;
  for (const double x : e) {
    for (const double y : c) twice_u += x > y ? 2 : (x == y ? 1 : 0);
  }
  const double expected = twice_u / (2.0 * 97 * 61);
  EXPECT_EQ(Cles(e, c), expected);
  EXPECT_EQ(Cles(c, e), 1.0 - expected);
}

TEST(DescriptiveClesTest, EdgeCases) {
  EXPECT_TRUE(std::isnan(Cles({}, {1})));
  EXPECT_TRUE(std::isnan(Cles({1}, {})));
  EXPECT_TRUE(std::isnan(Cles({1, kNaN}, {1})));
  EXPECT_EQ(Cles({0.0}, {-0.0}), 0.5);  // -0 and +0 are equal
  EXPECT_EQ(Cles({kInf}, {kInf, 1}), 0.75);
  EXPECT_EQ(Cles({2, 2, 2}, {1, 1}), 1.0);
}

}  // namespace
}  // namespace augur::judges
