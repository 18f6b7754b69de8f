#include "judges/sort_doubles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace augur::judges {
namespace {

void ExpectSortsLikeStdSort(std::vector<double> values) {
  std::vector<double> expected = values;
  std::sort(expected.begin(), expected.end());
  SortDoubles(values);
  ASSERT_EQ(values.size(), expected.size());
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], expected[i]) << "at " << i;
}

void ExpectSortsSpecialValues(size_t n) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_real_distribution<double> exponent(-300, 300);
  std::vector<double> v(n);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (double& d : v) {
    switch (pick(rng)) {
      case 0:
        d = kInf;
        break;
      case 1:
        d = -kInf;
        break;
      case 2:
        d = 0.0;
        break;
      case 3:
        d = std::numeric_limits<double>::denorm_min();
        break;
      case 4:
        d = -std::numeric_limits<double>::max();
        break;
      case 5:
        d = 7.0;
        break;
      default:
        d = (pick(rng) < 5 ? -1 : 1) * std::pow(10.0, exponent(rng));
    }
  }
  ExpectSortsLikeStdSort(v);
}

TEST(SortDoublesTest, SmallAndLargeRandom) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0.0, 1.0);
  // Each side of each method's bounds: std::sort below 64, 8-bit digits to 65536, 11-bit above.
  for (size_t n : {0, 1, 2, 63, 64, 600, 1000, 65536, 65537, 70000, 300000}) {
    std::vector<double> v(n);
    for (double& d : v) d = normal(rng);
    ExpectSortsLikeStdSort(v);
  }
}

TEST(SortDoublesTest, MetricWindowsTakeTheBucketPathAndClusteredDataFallsBack) {
  // Positive latency-like windows spread over a few buckets per value (the bucket pass and an
  // insertion sort); a cluster with far outliers piles more than 32 values into one bucket,
  // where the radix sort takes over. Both must sort exactly.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (size_t n : {64, 65, 300, 600, 4096, 65536}) {
    SCOPED_TRACE(n);
    std::vector<double> latency(n);
    for (double& d : latency) d = 0.1 * std::exp(0.1 * normal(rng));
    ExpectSortsLikeStdSort(latency);
    std::vector<double> clustered(n);
    for (size_t i = 0; i < n; ++i) {
      clustered[i] =
          i % 50 == 0 ? 1e6 * (1.0 + normal(rng) * normal(rng)) : 0.1 + 1e-9 * normal(rng);
    }
    ExpectSortsLikeStdSort(clustered);
    std::vector<double> ties(n);
    for (double& d : ties) d = std::round(10.0 * std::exp(normal(rng)));
    ExpectSortsLikeStdSort(ties);
  }
}

TEST(SortDoublesTest, SpecialValuesAndTiesAtEverySize) {
  for (const size_t n : {size_t{600}, size_t{200000}}) {
    SCOPED_TRACE(n);
    ExpectSortsSpecialValues(n);
  }
}

TEST(SortDoublesTest, LargeConstantSkipsEveryPass) {
  std::vector<double> v(100000, 0.125);
  SortDoubles(v);
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](double d) { return d == 0.125; }));
}

}  // namespace
}  // namespace augur::judges
