#include "judges/normal_distribution.h"

#include <cmath>
#include <fstream>

#include "gtest/gtest.h"

namespace augur::judges {
namespace {

struct QuantileCase {
  double p;
  double lower;  // R 4.2.2: qnorm(p)
  double upper;  // R 4.2.2: qnorm(p, lower.tail = FALSE)
};

// Known answers printed by R 4.2.2 with sprintf("%.17g"):
//   p <- c(0.025, 0.01, 0.005, 0.05, 0.1, 0.3, 0.5, 0.075, 0.0749, 0.7, 1e-10, 1e-300, 0.975,
//   0.999) for (v in p) cat(sprintf("{%.17g, %.17g, %.17g},\n", v, qnorm(v), qnorm(v,
//   lower.tail=FALSE)))
// R 4.2's qnorm is AS 241, so the values must agree to the last bit.
constexpr QuantileCase kQuantileCases[] = {
    {0.025000000000000001, -1.9599639845400538, 1.9599639845400538},
    {0.01, -2.3263478740408408, 2.3263478740408408},
    {0.0050000000000000001, -2.5758293035488999, 2.5758293035488999},
    {0.050000000000000003, -1.6448536269514726, 1.6448536269514726},
    {0.10000000000000001, -1.2815515655446008, 1.2815515655446008},
    {0.29999999999999999, -0.52440051270804067, 0.52440051270804067},
    {0.5, 0, 0},
    {0.074999999999999997, -1.4395314709384557, 1.4395314709384555},
    {0.074899999999999994, -1.4402382675279632, 1.4402382675279632},
    {0.69999999999999996, 0.52440051270804067, -0.52440051270804067},
    {1e-10, -6.3613409024040557, 6.3613409024040557},
    {1e-300, -37.047096299361201, 37.047096299361201},
    {0.97499999999999998, 1.9599639845400536, -1.9599639845400536},
    {0.999, 3.0902323061678132, -3.0902323061678132},
};

TEST(NormalQuantileTest, MatchesRBitForBit) {
  for (const QuantileCase& c : kQuantileCases) {
    EXPECT_EQ(NormalQuantile(c.p), c.lower) << "p=" << c.p;
    EXPECT_EQ(NormalQuantile(c.p, /*lower_tail=*/false), c.upper) << "p=" << c.p;
  }
}

TEST(NormalQuantileTest, MatchesRBitForBitOnADenseGrid) {
  // tests/data/r_qnorm.txt, written by R 4.2.2:
  //   p <- c(seq(0.0005, 0.9995, by=0.0005), 1e-5, 1e-20, 1e-100)
  //   writeLines(sprintf("%.17g %.17g %.17g", p, qnorm(p), qnorm(p, lower.tail=FALSE)), ...)
  // Every branch of AS 241 and both tails; a single wrong coefficient shows up here.
  std::ifstream in(AUGUR_TEST_DATA_DIR "/r_qnorm.txt");
  ASSERT_TRUE(in);
  double p, lower, upper;
  int checked = 0;
  while (in >> p >> lower >> upper) {
    ASSERT_EQ(NormalQuantile(p), lower) << "p=" << p;
    ASSERT_EQ(NormalQuantile(p, false), upper) << "p=" << p;
    ++checked;
  }
  EXPECT_EQ(checked, 2002);
}

TEST(NormalQuantileTest, AlphaFromConfidenceAsRForms) {
  // R: alpha <- 1 - 0.95; qnorm(alpha/2, lower.tail=FALSE) = 1.9599639845400536, which differs
  // from qnorm(0.025) in the last bit because 1 - 0.95 is not 0.05.
  EXPECT_EQ(NormalQuantile((1.0 - 0.95) / 2.0, false), 1.9599639845400536);
  EXPECT_EQ(NormalQuantile((1.0 - 0.98) / 2.0), -2.3263478740408408);
}

TEST(NormalQuantileTest, EdgesAndInvalid) {
  EXPECT_EQ(NormalQuantile(0.0), -INFINITY);
  EXPECT_EQ(NormalQuantile(1.0), INFINITY);
  EXPECT_EQ(NormalQuantile(0.0, false), INFINITY);
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(NormalQuantile(NAN)));
}

struct CdfCase {
  double z;
  double lower;  // R 4.2.2: pnorm(z)
  double upper;  // R 4.2.2: pnorm(z, lower.tail = FALSE)
};

// R 4.2.2: z <- c(-40, -10, -3, -1.5, 0, 0.3, 2, 8, 37)
//   for (v in z) cat(sprintf("{%.17g, %.17g, %.17g},\n", v, pnorm(v), pnorm(v, lower.tail=FALSE)))
constexpr CdfCase kCdfCases[] = {
    {-40, 0, 1},
    {-10, 7.6198530241605269e-24, 1},
    {-3, 0.0013498980316300946, 0.9986501019683699},
    {-1.5, 0.066807201268858071, 0.93319279873114191},
    {0, 0.5, 0.5},
    {0.29999999999999999, 0.61791142218895267, 0.38208857781104733},
    {2, 0.97724986805182079, 0.022750131948179212},
    {8, 0.99999999999999933, 6.2209605742717849e-16},
    {37, 1, 5.7255712225245771e-300},
};

TEST(NormalCdfTest, MatchesRToRelativeAccuracy) {
  // augur uses erfc where R uses Cody's algorithm: equal to within a few ulps, also in the tails.
  for (const CdfCase& c : kCdfCases) {
    EXPECT_NEAR(NormalCdf(c.z), c.lower, 1e-14 * c.lower) << "z=" << c.z;
    EXPECT_NEAR(NormalUpperTail(c.z), c.upper, 1e-14 * c.upper) << "z=" << c.z;
  }
}

}  // namespace
}  // namespace augur::judges
