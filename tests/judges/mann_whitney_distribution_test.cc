#include "judges/mann_whitney_distribution.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace augur::judges {
namespace {

// Brute force: the U statistic of every way to choose which n of the n+m ranks belong to x.
std::vector<double> EnumeratedPmf(int n, int m) {
  std::vector<double> counts(static_cast<size_t>(n * m + 1), 0.0);
  double total = 0.0;
  for (uint32_t mask = 0; mask < (1u << (n + m)); ++mask) {
    if (__builtin_popcount(mask) != n) continue;
    // U = sum over x of the number of y ranked below it.
    int u = 0;
    int y_below = 0;
    for (int r = 0; r < n + m; ++r) {
      if (mask & (1u << r)) {
        u += y_below;
      } else {
        ++y_below;
      }
    }
    counts[static_cast<size_t>(u)] += 1.0;
    total += 1.0;
  }
  for (double& c : counts) c /= total;
  return counts;
}

TEST(MannWhitneyDistributionTest, MatchesEnumerationForSmallSamples) {
  for (int n = 1; n <= 8; ++n) {
    for (int m = 1; m <= 8; ++m) {
      const auto dist = MannWhitneyDistribution::Create(n, m);
      ASSERT_TRUE(dist.ok()) << dist.status();
      const std::vector<double> pmf = EnumeratedPmf(n, m);
      double cdf = 0.0;
      for (int u = 0; u <= n * m; ++u) {
        cdf += pmf[static_cast<size_t>(u)];
        EXPECT_NEAR(dist->Cdf(u), cdf, 1e-14) << n << "x" << m << " u=" << u;
        EXPECT_NEAR(dist->UpperTail(u), 1.0 - cdf + pmf[static_cast<size_t>(u)], 1e-14)
            << n << "x" << m << " u=" << u;
      }
      EXPECT_EQ(dist->Cdf(-1), 0.0);
      EXPECT_EQ(dist->Cdf(n * m), 1.0);
      EXPECT_EQ(dist->UpperTail(0), 1.0);
      EXPECT_EQ(dist->UpperTail(n * m + 1), 0.0);
    }
  }
}

TEST(MannWhitneyDistributionTest, MatchesRPwilcoxAndQwilcox) {
  // R 4.2.2: sprintf("%.17g", pwilcox(c(0,5,12,25,40,49), 10, 5))
  const auto dist = MannWhitneyDistribution::Create(10, 5);
  ASSERT_TRUE(dist.ok());
  const int64_t us[] = {0, 5, 12, 25, 40, 49};
  const double r_cdf[] = {0.000333000333000333, 0.006327006327006327, 0.064602064602064607,
                          0.52347652347652351,  0.9723609723609723,   0.99966699966699968};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(dist->Cdf(us[i]), r_cdf[i], 1e-15 * r_cdf[i] + 1e-17);
  // R 4.2.2: qwilcox(c(0.025, 0.05, 0.5, 0.975, 0.01), 10, 5) -> 9 12 25 41 7
  EXPECT_EQ(dist->Quantile(0.025), 9);
  EXPECT_EQ(dist->Quantile(0.05), 12);
  EXPECT_EQ(dist->Quantile(0.5), 25);
  EXPECT_EQ(dist->Quantile(0.975), 41);
  EXPECT_EQ(dist->Quantile(0.01), 7);
}

TEST(MannWhitneyDistributionTest, MatchesExactBigIntegerCdfUpTo400x400) {
  // Reference: tests/data/mann_whitney_exact_cdf.py, exact rational CDFs from Python integers.
  std::ifstream file(AUGUR_TEST_DATA_DIR "/mann_whitney_exact_cdf.txt");
  ASSERT_TRUE(file) << "missing reference data";
  std::string line;
  int checked = 0;
  int64_t current_n = -1, current_m = -1;
  absl::StatusOr<MannWhitneyDistribution> dist = absl::UnknownError("unset");
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    int64_t n, m, u;
    std::string p_text;
    fields >> n >> m >> u >> p_text;
    if (n != current_n || m != current_m) {
      dist = MannWhitneyDistribution::Create(n, m);
      ASSERT_TRUE(dist.ok()) << dist.status();
      current_n = n;
      current_m = m;
    }
    const double expected = std::stod(p_text);
    // The documented accuracy: at worst 1e-11 relative (400 x 400, centre of the distribution;
    // measured 5.0e-12).
    EXPECT_NEAR(dist->Cdf(u), expected, 1e-11 * expected) << n << "x" << m << " u=" << u;
    ++checked;
  }
  EXPECT_EQ(checked, 43);  // every data line of the file
}

TEST(MannWhitneyDistributionTest, RejectsUnsupportedSizesClearly) {
  const auto too_big = MannWhitneyDistribution::Create(401, 400);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(too_big.status().message().find("160000"), std::string::npos);
  EXPECT_EQ(MannWhitneyDistribution::Create(0, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace augur::judges
