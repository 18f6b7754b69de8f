#include "judges/descriptive.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/types/span.h"
#include "judges/sort_doubles.h"

namespace augur::judges {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool HasNaN(absl::Span<const double> values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
}

std::vector<double> SortedCopy(absl::Span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  SortDoubles(sorted);
  return sorted;
}

// Knuth's TwoSum: s + e == a + b exactly, s = fl(a + b). No branch (Neumaier's form of the same
// error term needs |a| >= |b| and a branch to arrange it).
inline void TwoSum(double a, double b, double& s, double& e) {
  s = a + b;
  const double bv = s - a;
  e = (a - (s - bv)) + (b - bv);
}

// Compensated sum of f(v) over the values: every rounding error of the running sums is kept
// exactly and added back at the end, so the result is within about an ulp unless the terms
// overflow. Four independent sums, so that the additions overlap instead of waiting on each
// other (a sum of 300 values in a quarter of the time). Every term must be finite (the error of
// an infinity is NaN).
template <typename F>
double CompensatedSum(absl::Span<const double> values, F f) {
  constexpr size_t kLanes = 4;
  double sum[kLanes] = {0.0, 0.0, 0.0, 0.0};
  double compensation[kLanes] = {0.0, 0.0, 0.0, 0.0};
  const size_t n = values.size();
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) {
      double e;
      TwoSum(sum[l], f(values[i + l]), sum[l], e);
      compensation[l] += e;
    }
  }
  for (; i < n; ++i) {
    double e;
    TwoSum(sum[0], f(values[i]), sum[0], e);
    compensation[0] += e;
  }
  double total = sum[0];
  double error = compensation[0];
  for (size_t l = 1; l < kLanes; ++l) {
    double e;
    TwoSum(total, sum[l], total, e);
    error += e + compensation[l];
  }
  return total + error;
}

// Mean of a non-empty sample of finite values.
double FiniteMean(absl::Span<const double> values) {
  const double n = static_cast<double>(values.size());
  double mean = CompensatedSum(values, [](double v) { return v; }) / n;
  if (!std::isfinite(mean)) {
    // The sum overflowed although every value is finite: sum the values scaled down instead.
    mean = CompensatedSum(values, [n](double v) { return v / n; });
  }
  // The residuals sum to n times the error of `mean`; adding their mean back removes the error
  // left by the division (and by the scaling, if any).
  const double residual = CompensatedSum(values, [mean](double v) { return v - mean; });
  if (std::isfinite(residual)) mean += residual / n;
  return mean;
}

// Sample standard deviation (n - 1) of at least two finite values around their accurate mean:
// the corrected two-pass formula, sum of squared residuals less (sum of residuals)^2 / n.
double FiniteSampleStd(absl::Span<const double> values, double mean) {
  const double n = static_cast<double>(values.size());
  double squares = 0.0;
  double residuals = 0.0;
  for (const double v : values) {
    const double d = v - mean;
    squares += d * d;
    residuals += d;
  }
  const double variance = (squares - residuals * residuals / n) / (n - 1.0);
  return std::sqrt(std::max(variance, 0.0));
}

}  // namespace

double PercentileOfSorted(absl::Span<const double> sorted, double p) {
  if (sorted.empty() || !(p >= 0.0 && p <= 100.0)) return kNaN;
  if (sorted.size() == 1) return sorted[0];
  const double h = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const double floor_h = std::floor(h);
  const size_t lower = static_cast<size_t>(floor_h);
  const double fraction = h - floor_h;
  if (fraction == 0.0 || lower + 1 >= sorted.size()) return sorted[lower];
  const double low = sorted[lower];
  const double high = sorted[lower + 1];
  if (low == high) return low;
  return low + fraction * (high - low);
}

double Percentile(absl::Span<const double> values, double p) {
  if (HasNaN(values)) return kNaN;
  return PercentileOfSorted(SortedCopy(values), p);
}

double Mean(absl::Span<const double> values) {
  if (values.empty()) return kNaN;
  const bool all_finite =
      std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  if (!all_finite) {
    // NaN, an infinity, or both infinities: IEEE's answer, which no compensation improves.
    double sum = 0.0;
    for (const double v : values) sum += v;
    return sum / static_cast<double>(values.size());
  }
  return FiniteMean(values);
}

Summary Summarize(absl::Span<const double> values) {
  Summary s;
  s.count = static_cast<int64_t>(values.size());
  if (values.empty() || HasNaN(values)) return s;
  const std::vector<double> sorted = SortedCopy(values);
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = Mean(values);
  if (values.size() == 1) {
    s.std = 0.0;
  } else if (std::isfinite(s.min) && std::isfinite(s.max)) {
    s.std = FiniteSampleStd(values, s.mean);
  } else {
    s.std = kNaN;  // an infinite value has no finite spread around it
  }
  s.median = PercentileOfSorted(sorted, 50.0);
  s.p95 = PercentileOfSorted(sorted, 95.0);
  return s;
}

std::vector<double> RemoveNaN(absl::Span<const double> values) {
  std::vector<double> kept;
  kept.reserve(values.size());
  for (const double v : values) {
    if (!std::isnan(v)) kept.push_back(v);
  }
  return kept;
}

std::vector<double> ReplaceNaN(absl::Span<const double> values, double replacement) {
  std::vector<double> replaced(values.begin(), values.end());
  for (double& v : replaced) {
    if (std::isnan(v)) v = replacement;
  }
  return replaced;
}

std::vector<double> RemoveOutliersIqr(absl::Span<const double> values, double factor,
                                      bool reduced_sensitivity) {
  std::vector<double> sorted = RemoveNaN(values);
  if (sorted.empty() || !std::isfinite(factor) || factor < 0.0) {
    return std::vector<double>(values.begin(), values.end());
  }
  SortDoubles(sorted);
  const double q1 = PercentileOfSorted(sorted, 25.0);
  const double q3 = PercentileOfSorted(sorted, 75.0);
  const double iqr = q3 - q1;
  double lower = q1 - factor * iqr;
  double upper = q3 + factor * iqr;
  if (reduced_sensitivity) {
    // fmin/fmax ignore a NaN fence (from infinite quartiles) and keep the percentile.
    lower = std::fmin(PercentileOfSorted(sorted, 1.0), lower);
    upper = std::fmax(PercentileOfSorted(sorted, 99.0), upper);
  }
  std::vector<double> kept;
  kept.reserve(values.size());
  for (const double v : values) {
    if (!(v < lower || v > upper)) kept.push_back(v);
  }
  return kept;
}

double MeanRatio(absl::Span<const double> experiment, absl::Span<const double> control) {
  return MeanRatioOfMeans(Mean(experiment), Mean(control));
}

double MeanRatioOfMeans(double experiment_mean, double control_mean) {
  if (experiment_mean == 0.0 || control_mean == 0.0) return kNaN;
  return experiment_mean / control_mean;  // NaN already if either side is empty
}

double Cles(absl::Span<const double> experiment, absl::Span<const double> control) {
  if (experiment.empty() || control.empty() || HasNaN(experiment) || HasNaN(control)) return kNaN;
  const std::vector<double> e = SortedCopy(experiment);
  const std::vector<double> c = SortedCopy(control);
  // Twice the experiment's U: each pair with experiment > control counts 2, each tie 1.
  uint64_t twice_u = 0;
  size_t below = 0;      // controls strictly below the current experiment value
  size_t not_above = 0;  // controls at or below it
  for (const double x : e) {
    while (below < c.size() && c[below] < x) ++below;
    if (not_above < below) not_above = below;
    while (not_above < c.size() && c[not_above] <= x) ++not_above;
    twice_u += 2 * static_cast<uint64_t>(below) + static_cast<uint64_t>(not_above - below);
  }
  const double pairs = static_cast<double>(e.size()) * static_cast<double>(c.size());
  return static_cast<double>(twice_u) / (2.0 * pairs);
}

}  // namespace augur::judges
