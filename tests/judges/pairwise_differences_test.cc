#include "judges/pairwise_differences.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> AllDifferences(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> d;
  for (double a : x) {
    for (double b : y) d.push_back(PairDifference(a, b));
  }
  std::sort(d.begin(), d.end());
  return d;
}

void ExpectSelectsLikeBruteForce(std::vector<double> x, std::vector<double> y, int64_t stride) {
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const std::vector<double> all = AllDifferences(x, y);
  const PairwiseDifferences diffs(x, y);
  ASSERT_EQ(diffs.size(), static_cast<int64_t>(all.size()));
  EXPECT_EQ(diffs.min(), all.front());
  EXPECT_EQ(diffs.max(), all.back());
  for (int64_t k = 1; k <= diffs.size(); k += stride) {
    ASSERT_EQ(diffs.Select(k), all[static_cast<size_t>(k - 1)]) << "k=" << k;
  }
  ASSERT_EQ(diffs.Select(diffs.size()), all.back());
  // Several ranks at once, as an estimate and its interval ask: out of order, repeated, adjacent,
  // at both ends and around the middle. Each must be what it is alone.
  const int64_t size = diffs.size();
  std::vector<int64_t> ranks = {
      size / 2 + 1, size / 2, 1, size, (size * 45) / 100 + 1, size - (size * 45) / 100,
      size / 2,     size / 3};
  for (int64_t& r : ranks) r = std::clamp<int64_t>(r, 1, size);
  const std::vector<double> many = diffs.SelectMany(ranks);
  ASSERT_EQ(many.size(), ranks.size());
  for (size_t t = 0; t < ranks.size(); ++t) {
    ASSERT_EQ(many[t], all[static_cast<size_t>(ranks[t] - 1)]) << "rank " << ranks[t];
  }
  const double v = all[all.size() / 3];
  EXPECT_EQ(diffs.CountAtMost(v), std::upper_bound(all.begin(), all.end(), v) - all.begin());
  EXPECT_EQ(diffs.CountBelow(v), std::lower_bound(all.begin(), all.end(), v) - all.begin());
}

TEST(PairwiseDifferencesTest, SmallSamplesEveryRank) {
  ExpectSelectsLikeBruteForce({1.0}, {2.0}, 1);
  ExpectSelectsLikeBruteForce({10, 20, 30, 40}, {1, 2, 3, 4}, 1);
  ExpectSelectsLikeBruteForce({0.5, -0.0, 0.0, 3}, {0.0, 0.0, 1, 1}, 1);
}

TEST(PairwiseDifferencesTest, RandomContinuousMatchesBruteForce) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(700), y(900);
  for (double& v : x) v = normal(rng) + 0.1;
  for (double& v : y) v = normal(rng);
  ExpectSelectsLikeBruteForce(x, y, 997);
}

TEST(PairwiseDifferencesTest, HeavyTiesAndZeros) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> small(0, 3);
  std::vector<double> x(600), y(500);
  for (double& v : x) v = small(rng) == 0 ? 1.0 : 0.0;  // zero-heavy counters
  for (double& v : y) v = small(rng) < 2 ? 0.0 : static_cast<double>(small(rng));
  ExpectSelectsLikeBruteForce(x, y, 331);
}

TEST(PairwiseDifferencesTest, WideDynamicRangeAndInfinities) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-300.0, 300.0);
  std::vector<double> x(300), y(250);
  for (double& v : x) v = std::pow(10.0, exponent(rng));
  for (size_t i = 0; i < y.size(); ++i) y[i] = (i % 2 ? -1.0 : 1.0) * std::pow(10.0, exponent(rng));
  x[0] = kInf;
  x[1] = -kInf;
  y[0] = kInf;
  y[1] = kInf;
  ExpectSelectsLikeBruteForce(x, y, 97);
}

// The sweeps split the merge path into pieces that start on diagonals; shapes smaller than the
// number of pieces, single rows and columns, ties, signed zeros and infinities (which take the
// unpadded path) must all count exactly, at every difference and just beside it.
TEST(PairwiseDifferencesTest, CountsMatchBruteForceAtEveryValueAndShape) {
  std::mt19937_64 rng(17);
  std::uniform_int_distribution<int> level(-3, 3);
  const std::pair<int, int> shapes[] = {{1, 1}, {1, 5}, {5, 1}, {2, 3}, {3, 2}, {7, 13}, {40, 33}};
  for (const bool with_infinities : {false, true}) {
    for (const auto& [n, m] : shapes) {
      std::vector<double> x(n), y(m);
      for (double& v : x) v = level(rng) * 0.5;
      for (double& v : y) v = level(rng) == 0 ? -0.0 : level(rng) * 0.25;
      if (with_infinities) {
        x.back() = kInf;
        y.front() = -kInf;
        if (m > 1) y.back() = kInf;
      }
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      const std::vector<double> all = AllDifferences(x, y);
      const PairwiseDifferences diffs(x, y);
      std::vector<double> probes = {-kInf, kInf, 0.0, -0.0};
      for (const double d : all) {
        probes.push_back(d);
        probes.push_back(std::nextafter(d, -kInf));
        probes.push_back(std::nextafter(d, kInf));
      }
      for (const double v : probes) {
        SCOPED_TRACE(testing::Message()
                     << "n=" << n << " m=" << m << " v=" << v << " infinities=" << with_infinities);
        ASSERT_EQ(diffs.CountAtMost(v), std::upper_bound(all.begin(), all.end(), v) - all.begin());
        ASSERT_EQ(diffs.CountBelow(v), std::lower_bound(all.begin(), all.end(), v) - all.begin());
      }
      for (int64_t k = 1; k <= diffs.size(); ++k) {
        ASSERT_EQ(diffs.Select(k), all[static_cast<size_t>(k - 1)]) << "n=" << n << " m=" << m;
      }
      if (diffs.size() % 2 == 0 && !with_infinities) {
        const size_t h = all.size() / 2;
        EXPECT_EQ(diffs.Median(), PairwiseDifferences::Midpoint(all[h - 1], all[h]));
      }
    }
  }
}

TEST(PairwiseDifferencesTest, EqualInfinitiesDifferByZero) {
  EXPECT_EQ(PairDifference(kInf, kInf), 0.0);
  EXPECT_EQ(PairDifference(-kInf, -kInf), 0.0);
  EXPECT_EQ(PairDifference(kInf, 1.0), kInf);
  EXPECT_EQ(PairDifference(1.0, kInf), -kInf);
}

TEST(PairwiseDifferencesTest, MedianIsTheHodgesLehmannEstimate) {
  std::vector<double> x = {10, 20, 30, 40};
  std::vector<double> y = {1, 2, 3, 4};
  // Kayenta's test case: the 16 differences have middle values 22 and 23.
  EXPECT_EQ(PairwiseDifferences(x, y).Median(), 22.5);
  std::vector<double> one = {5};
  std::vector<double> three = {1, 2, 3};
  EXPECT_EQ(PairwiseDifferences(one, three).Median(), 3.0);
}

TEST(PairwiseDifferencesTest, FewSweepsOnLargeContinuousData) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(20000), y(20000);
  for (double& v : x) v = normal(rng);
  for (double& v : y) v = normal(rng);
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const PairwiseDifferences diffs(x, y);
  const double median = diffs.Select(diffs.size() / 2);
  EXPECT_EQ(diffs.CountBelow(median) < diffs.size() / 2, true);
  EXPECT_GE(diffs.CountAtMost(median), diffs.size() / 2);
  // Interpolation converges in a handful of sweeps where bisection would need ~64.
  EXPECT_LE(diffs.sweeps(), 2 + 12);
}

TEST(PairwiseDifferencesTest, TieBlocksLargerThanTheGatherLimitEndQuickly) {
  // Counter-like data: 5 distinct differences, each a block of millions. The median sits inside
  // the block at 0; pivoting on the smallest difference above lo ends it (80 sweeps before).
  std::vector<double> x;
  for (int i = 0; i < 3334; ++i) x.insert(x.end(), {0.0, 1.0, 2.0});
  std::sort(x.begin(), x.end());
  const PairwiseDifferences diffs(x, x);
  EXPECT_EQ(diffs.Median(), 0.0);
  EXPECT_LE(diffs.sweeps(), 12);
  EXPECT_EQ(diffs.Select(1), -2.0);
  EXPECT_EQ(diffs.Select(diffs.size()), 2.0);
}

TEST(PairwiseDifferencesTest, AdversarialDataStaysBounded) {
  // Values spread over 600 orders of magnitude defeat interpolation; the bisection in double
  // order bounds the work.
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> exponent(-300.0, 300.0);
  std::vector<double> x(5000), y(5000);
  for (double& v : x) v = std::pow(10.0, exponent(rng));
  for (double& v : y) v = std::pow(10.0, exponent(rng));
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const PairwiseDifferences diffs(x, y);
  const int64_t k = diffs.size() / 2 + 12345;
  const double v = diffs.Select(k);
  EXPECT_LT(diffs.CountBelow(v), k);
  EXPECT_GE(diffs.CountAtMost(v), k);
  EXPECT_LE(diffs.sweeps(), 2 + 140);
}

}  // namespace
}  // namespace augur::judges
