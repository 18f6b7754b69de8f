#include "judges/ks_test.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "judges/sample_check.h"
#include "judges/sort_doubles.h"

namespace augur::judges {
namespace {

// n*m up to 2^53 keeps every i*m - j*n exact in int64 and every gap exact when made a double.
constexpr int64_t kMaxProduct = int64_t{1} << 53;

// The ECDF gaps in units of 1/(n*m): after i experiment and j control values the gap
// F_e - F_c is (i*m - j*n) / (n*m). Integers make the statistic and the path boundary exact.
struct Gaps {
  int64_t plus = 0;   // max(i*m - j*n)
  int64_t minus = 0;  // max(j*n - i*m)
  // checkpoint[k]: the pooled sorted values change after the k-th (or k == n+m), so the gap
  // after k values is observable. Filled only when asked for.
  std::vector<char> checkpoint;
};

// Merges the sorted samples, stepping over whole groups of equal values (-0.0 == +0.0).
Gaps MergeGaps(const std::vector<double>& x, const std::vector<double>& y, bool checkpoints) {
  const int64_t n = static_cast<int64_t>(x.size());
  const int64_t m = static_cast<int64_t>(y.size());
  Gaps g;
  if (checkpoints) g.checkpoint.assign(static_cast<size_t>(n + m + 1), 0);
  int64_t i = 0;
  int64_t j = 0;
  while (i < n || j < m) {
    const double v = (j == m || (i < n && x[i] <= y[j])) ? x[i] : y[j];
    while (i < n && x[i] == v) ++i;
    while (j < m && y[j] == v) ++j;
    const int64_t gap = i * m - j * n;
    g.plus = std::max(g.plus, gap);
    g.minus = std::max(g.minus, -gap);
    if (checkpoints) g.checkpoint[static_cast<size_t>(i + j)] = 1;
  }
  return g;
}

// P(the statistic >= threshold / (n*m)) under the permutation null, for threshold > 0. A path
// takes n experiment and m control steps in random order; the forward pass carries, for each
// node (i, j), the probability of reaching it without having touched the boundary, and moves
// the probability of each node on the boundary (at an observable point) into the answer. The
// step probabilities are those of drawing without replacement: (n - i) / (N - i - j) for an
// experiment value. One row of m + 1 doubles.
double ExactUpperTail(int64_t n, int64_t m, const std::vector<char>& checkpoint, int64_t threshold,
                      KsAlternative alternative) {
  const int64_t big_n = n + m;
  auto on_boundary = [&](int64_t i, int64_t j) {
    if (!checkpoint[static_cast<size_t>(i + j)]) return false;
    const int64_t gap = i * m - j * n;
    switch (alternative) {
      case KsAlternative::kTwoSided:
        return gap >= threshold || -gap >= threshold;
      case KsAlternative::kExperimentLarger:
        return -gap >= threshold;
      case KsAlternative::kExperimentSmaller:
        return gap >= threshold;
    }
    return false;
  };
  std::vector<double> row(static_cast<size_t>(m + 1));
  double hit = 0.0;
  auto absorb = [&](int64_t i, int64_t j) {
    if (on_boundary(i, j)) {
      hit += row[static_cast<size_t>(j)];
      row[static_cast<size_t>(j)] = 0.0;
    }
  };
  row[0] = 1.0;
  for (int64_t j = 1; j <= m; ++j) {
    row[static_cast<size_t>(j)] = row[static_cast<size_t>(j - 1)] * static_cast<double>(m - j + 1) /
                                  static_cast<double>(big_n - j + 1);
    absorb(0, j);
  }
  for (int64_t i = 1; i <= n; ++i) {
    const double remaining_x = static_cast<double>(n - i + 1);
    row[0] = row[0] * remaining_x / static_cast<double>(big_n - i + 1);
    absorb(i, 0);
    for (int64_t j = 1; j <= m; ++j) {
      const size_t js = static_cast<size_t>(j);
      row[js] = (row[js] * remaining_x + row[js - 1] * static_cast<double>(m - j + 1)) /
                static_cast<double>(big_n - i - j + 1);
      absorb(i, j);
    }
  }
  return std::min(1.0, hit);
}

// 1 - K(x) for Kolmogorov's limiting distribution K(x) = 1 - 2 sum_{k>=1} (-1)^(k-1) e^(-2k^2x^2)
// = sqrt(2 pi)/x sum_{k odd} e^(-k^2 pi^2 / (8 x^2)). The alternating form converges fast for
// x >= 1 and gives the upper tail without cancellation; the theta form converges fast below 1,
// where K <= 0.74 and 1 - K loses nothing. Both run until a term no longer changes the sum.
double KolmogorovUpperTail(double x) {
  if (!(x > 0.0)) return 1.0;
  if (x >= 1.0) {
    double sum = 0.0;
    double sign = 1.0;
    for (int k = 1; k < 100; ++k) {
      const double term = std::exp(-2.0 * k * k * x * x);
      const double next = sum + sign * term;
      if (next == sum) break;
      sum = next;
      sign = -sign;
    }
    return std::clamp(2.0 * sum, 0.0, 1.0);
  }
  const double z = -(std::numbers::pi * std::numbers::pi) / (8.0 * x * x);
  double sum = 0.0;
  for (int k = 1; k < 200; k += 2) {
    const double next = sum + std::exp(k * k * z);
    if (next == sum) break;
    sum = next;
  }
  const double cdf = std::sqrt(2.0 * std::numbers::pi) / x * sum;
  return std::clamp(1.0 - cdf, 0.0, 1.0);
}

}  // namespace

absl::StatusOr<KsResult> KolmogorovSmirnov(absl::Span<const double> experiment,
                                           absl::Span<const double> control,
                                           KsAlternative alternative) {
  if (absl::Status s = CheckSample(experiment, "experiment", "Kolmogorov-Smirnov"); !s.ok())
    return s;
  if (absl::Status s = CheckSample(control, "control", "Kolmogorov-Smirnov"); !s.ok()) return s;
  const int64_t n = static_cast<int64_t>(experiment.size());
  const int64_t m = static_cast<int64_t>(control.size());
  if (n > kMaxProduct / m) {
    return absl::InvalidArgumentError(
        absl::StrCat("samples too large: n*m must be at most 2^53, got n=", n, " m=", m));
  }
  const int64_t pairs = n * m;
  std::vector<double> x(experiment.begin(), experiment.end());
  std::vector<double> y(control.begin(), control.end());
  SortDoubles(x);
  SortDoubles(y);

  KsResult r;
  r.n_experiment = n;
  r.n_control = m;
  r.alternative = alternative;
  r.exact = pairs <= kKsExactMaxProduct;
  const Gaps gaps = MergeGaps(x, y, r.exact);
  r.d_plus = static_cast<double>(gaps.plus) / static_cast<double>(pairs);
  r.d_minus = static_cast<double>(gaps.minus) / static_cast<double>(pairs);
  int64_t observed = 0;
  switch (alternative) {
    case KsAlternative::kTwoSided:
      observed = std::max(gaps.plus, gaps.minus);
      r.statistic = std::max(r.d_plus, r.d_minus);
      break;
    case KsAlternative::kExperimentLarger:
      observed = gaps.minus;
      r.statistic = r.d_minus;
      break;
    case KsAlternative::kExperimentSmaller:
      observed = gaps.plus;
      r.statistic = r.d_plus;
      break;
  }

  if (observed == 0) {
    r.p_value = 1.0;  // every arrangement reaches a gap of 0
  } else if (r.exact) {
    r.p_value = ExactUpperTail(n, m, gaps.checkpoint, observed, alternative);
  } else {
    // R's arithmetic: N = n*m/(n+m), then sqrt(N) * D or exp(-2 N D^2).
    const double nd = static_cast<double>(n);
    const double md = static_cast<double>(m);
    r.p_value = KsLimitingPValue(r.statistic, nd * md / (nd + md), alternative);
  }
  return r;
}

double KsLimitingPValue(double statistic, double effective_n, KsAlternative alternative) {
  if (!(statistic > 0.0) || !(effective_n > 0.0)) return 1.0;
  if (alternative == KsAlternative::kTwoSided) {
    return KolmogorovUpperTail(std::sqrt(effective_n) * statistic);
  }
  return std::exp(-2.0 * effective_n * statistic * statistic);
}

}  // namespace augur::judges
