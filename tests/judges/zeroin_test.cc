#include "judges/zeroin.h"

#include <cmath>

#include "gtest/gtest.h"

namespace augur::judges {
namespace {

TEST(ZeroinTest, FindsSmoothRootWithinTolerance) {
  auto f = [](double x) { return x * x - 2.0; };
  const ZeroinResult r = Zeroin(f, 0.0, 2.0, f(0.0), f(2.0), 1e-12, 1000);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.root, std::sqrt(2.0), 1e-12);
  EXPECT_LT(r.evaluations, 20);  // superlinear: far fewer than bisection's ~40
}

TEST(ZeroinTest, ConvergesOntoTheJumpOfAStepFunction) {
  // The situation of R's interval search: a non-increasing step function with a jump at 0.3.
  auto f = [](double x) { return x < 0.3 ? 1.0 : -1.0; };
  const ZeroinResult r = Zeroin(f, -1.0, 1.0, f(-1.0), f(1.0), 1e-9, 1000);
  EXPECT_NEAR(r.root, 0.3, 1e-9);
}

TEST(ZeroinTest, ReturnsAnEndpointWhereFIsZero) {
  auto f = [](double x) { return x; };
  EXPECT_EQ(Zeroin(f, 0.0, 1.0, 0.0, 1.0, 1e-4, 1000).root, 0.0);
  EXPECT_EQ(Zeroin(f, -1.0, 0.0, -1.0, 0.0, 1e-4, 1000).root, 0.0);
}

TEST(ZeroinTest, StopsAtTheFirstExactZeroInside) {
  // f is zero on a whole interval; the search stops at the first iterate that lands in it, as
  // R's estimate does on the flat middle of the rank statistic.
  auto f = [](double x) { return x < -0.5 ? 1.0 : (x > 0.5 ? -1.0 : 0.0); };
  const ZeroinResult r = Zeroin(f, -2.0, 3.0, 1.0, -1.0, 1e-4, 1000);
  EXPECT_GE(r.root, -0.5);
  EXPECT_LE(r.root, 0.5);
  EXPECT_EQ(f(r.root), 0.0);
}

TEST(ZeroinTest, ReportsWhenIterationsRunOut) {
  auto f = [](double x) { return x - 0.123456789; };
  const ZeroinResult r = Zeroin(f, 0.0, 1.0, f(0.0), f(1.0), 1e-15, 0);
  EXPECT_FALSE(r.converged);
}

}  // namespace
}  // namespace augur::judges
