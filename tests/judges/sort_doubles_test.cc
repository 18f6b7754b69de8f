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

TEST(SortDoublesTest, SmallAndLargeRandom) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (size_t n : {0, 1, 2, 1000, 70000, 300000}) {
    std::vector<double> v(n);
    for (double& d : v) d = normal(rng);
    ExpectSortsLikeStdSort(v);
  }
}

TEST(SortDoublesTest, LargeWithSpecialValuesAndTies) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_real_distribution<double> exponent(-300, 300);
  std::vector<double> v(200000);
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

TEST(SortDoublesTest, LargeConstantSkipsEveryPass) {
  std::vector<double> v(100000, 0.125);
  SortDoubles(v);
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](double d) { return d == 0.125; }));
}

}  // namespace
}  // namespace augur::judges
