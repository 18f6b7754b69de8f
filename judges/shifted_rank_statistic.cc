#include "judges/shifted_rank_statistic.h"

#include <cmath>

namespace augur::judges {

void TieSum::AddGroup(int64_t size) {
  if (size < 2) return;
  const long double t = static_cast<long double>(size);
  const double cube = static_cast<double>(t * t * t);
  sum_ += static_cast<long double>(cube - static_cast<double>(size));
}

double MannWhitneySigma(int64_t n, int64_t m, double tie_sum) {
  const double nx = static_cast<double>(n);
  const double ny = static_cast<double>(m);
  return std::sqrt((nx * ny / 12.0) * ((nx + ny + 1.0) - tie_sum / ((nx + ny) * (nx + ny - 1.0))));
}

namespace {

void AddRuns(absl::Span<const double> sorted, TieSum& ties) {
  size_t i = 0;
  while (i < sorted.size()) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    ties.AddGroup(static_cast<int64_t>(j - i));
    i = j;
  }
}

}  // namespace

double WithinSampleTieSum(absl::Span<const double> x_sorted, absl::Span<const double> y_sorted) {
  TieSum ties;
  AddRuns(x_sorted, ties);
  AddRuns(y_sorted, ties);
  return ties.value();
}

ShiftedRankStatistic::ShiftedRankStatistic(absl::Span<const double> x_sorted,
                                           absl::Span<const double> y_sorted)
    : x_(x_sorted), y_(y_sorted) {}

ShiftedRankStatistic::Value ShiftedRankStatistic::At(double d) const {
  const size_t n = x_.size();
  const size_t m = y_.size();
  // x[i] - d is non-decreasing in i because IEEE subtraction rounds monotonically.
  int64_t twice_u = 0;
  TieSum ties;
  size_t i = 0;
  size_t j = 0;
  while (i < n || j < m) {
    const double v = (i < n && (j >= m || x_[i] - d <= y_[j])) ? x_[i] - d : y_[j];
    const size_t y_below = j;
    int64_t in_x = 0;
    int64_t in_y = 0;
    while (i < n && x_[i] - d == v) {
      ++i;
      ++in_x;
    }
    while (j < m && y_[j] == v) {
      ++j;
      ++in_y;
    }
    // Each shifted x equal to v beats the y values below v and ties with those equal to v.
    twice_u += in_x * (2 * static_cast<int64_t>(y_below) + in_y);
    ties.AddGroup(in_x + in_y);
  }
  const int64_t nm = static_cast<int64_t>(n) * static_cast<int64_t>(m);
  Value value;
  value.centered_u = static_cast<double>(twice_u - nm) / 2.0;
  value.tie_sum = ties.value();
  value.sigma = MannWhitneySigma(static_cast<int64_t>(n), static_cast<int64_t>(m), value.tie_sum);
  return value;
}

}  // namespace augur::judges
