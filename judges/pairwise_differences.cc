#include "judges/pairwise_differences.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Maps doubles to unsigned integers in the same order (-inf < ... < -0 = +0 < ... < +inf).
uint64_t OrderKey(double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return (bits & kSign) ? ~bits : bits | kSign;
}

double FromOrderKey(uint64_t key) {
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return std::bit_cast<double>((key & kSign) ? key & ~kSign : ~key);
}

// A double halfway between lo and hi in the order of doubles (not in value): repeated, it
// reaches any double in at most 64 steps.
double OrderMidpoint(double lo, double hi) {
  const uint64_t a = OrderKey(lo);
  const uint64_t b = OrderKey(hi);
  return FromOrderKey(a + (b - a) / 2);
}

}  // namespace

PairwiseDifferences::PairwiseDifferences(absl::Span<const double> x_sorted,
                                         absl::Span<const double> y_sorted)
    : x_(x_sorted),
      y_(y_sorted),
      total_(static_cast<int64_t>(x_sorted.size()) * static_cast<int64_t>(y_sorted.size())) {}

int64_t PairwiseDifferences::CountAtMost(double v) const {
  ++sweeps_;
  const size_t m = y_.size();
  int64_t count = 0;
  size_t j = 0;
  for (const double xi : x_) {
    // Row i is non-increasing in j: skip the prefix of differences above v.
    while (j < m && PairDifference(xi, y_[j]) > v) ++j;
    count += static_cast<int64_t>(m - j);
  }
  return count;
}

int64_t PairwiseDifferences::CountBelow(double v) const {
  ++sweeps_;
  const size_t m = y_.size();
  int64_t count = 0;
  size_t j = 0;
  for (const double xi : x_) {
    while (j < m && PairDifference(xi, y_[j]) >= v) ++j;
    count += static_cast<int64_t>(m - j);
  }
  return count;
}

void PairwiseDifferences::CountPair(double a, double b, Counts& at_a, Counts& at_b) const {
  ++sweeps_;
  const size_t m = y_.size();
  size_t ja_below = 0, ja_at_most = 0, jb_below = 0, jb_at_most = 0;
  at_a = Counts{0, 0};
  at_b = Counts{0, 0};
  for (const double xi : x_) {
    while (ja_at_most < m && PairDifference(xi, y_[ja_at_most]) > a) ++ja_at_most;
    while (ja_below < m && PairDifference(xi, y_[ja_below]) >= a) ++ja_below;
    while (jb_at_most < m && PairDifference(xi, y_[jb_at_most]) > b) ++jb_at_most;
    while (jb_below < m && PairDifference(xi, y_[jb_below]) >= b) ++jb_below;
    at_a.at_most += static_cast<int64_t>(m - ja_at_most);
    at_a.below += static_cast<int64_t>(m - ja_below);
    at_b.at_most += static_cast<int64_t>(m - jb_at_most);
    at_b.below += static_cast<int64_t>(m - jb_below);
  }
}

double PairwiseDifferences::NextAbove(double v) const {
  ++sweeps_;
  const size_t m = y_.size();
  double next = kInf;
  size_t j = 0;
  for (const double xi : x_) {
    while (j < m && PairDifference(xi, y_[j]) > v) ++j;
    // y_[j-1] gives the smallest difference above v in this row.
    if (j > 0) next = std::min(next, PairDifference(xi, y_[j - 1]));
  }
  return next;
}

double PairwiseDifferences::Gather(double lo, double hi, int64_t below_lo, int64_t k) const {
  ++sweeps_;
  const size_t m = y_.size();
  std::vector<double> candidates;
  size_t j_hi = 0;  // first j with D <= hi
  size_t j_lo = 0;  // first j with D <= lo
  for (const double xi : x_) {
    while (j_hi < m && PairDifference(xi, y_[j_hi]) > hi) ++j_hi;
    while (j_lo < m && PairDifference(xi, y_[j_lo]) > lo) ++j_lo;
    for (size_t j = j_hi; j < j_lo; ++j) candidates.push_back(PairDifference(xi, y_[j]));
  }
  const auto nth = candidates.begin() + (k - below_lo - 1);
  std::nth_element(candidates.begin(), nth, candidates.end());
  return *nth;
}

double PairwiseDifferences::Select(int64_t k) const {
  // Invariant: the answer lies in (lo, hi], with below_lo = #{D <= lo} < k <= #{D <= hi} = at_hi.
  double lo = min();
  int64_t below_lo = CountAtMost(lo);
  if (k <= below_lo) return lo;
  double hi = max();
  int64_t at_hi = total_;

  const int64_t gather_limit =
      std::max<int64_t>(static_cast<int64_t>(x_.size() + y_.size()), 4096);
  int64_t margin = gather_limit / 4;
  bool interpolate = true;
  for (;;) {
    const int64_t candidates = at_hi - below_lo;
    if (candidates <= gather_limit) return Gather(lo, hi, below_lo, k);
    const double above_lo = std::nextafter(lo, kInf);
    if (above_lo == hi) return hi;  // no double between: every candidate equals hi

    // Two pivots per sweep. While interpolation works, they straddle rank k by the size of the
    // last interpolation error; when it stalls, one of them bisects the bracket in double order.
    const bool finite = std::isfinite(lo) && std::isfinite(hi) && std::isfinite(hi - lo);
    auto interpolate_rank = [&](int64_t rank) {
      rank = std::clamp(rank, below_lo + 1, at_hi);
      const double t =
          static_cast<double>(rank - below_lo) / static_cast<double>(at_hi - below_lo);
      return std::clamp(lo + t * (hi - lo), above_lo, hi);
    };
    double a, b;
    int64_t target_a = k - margin, target_b = k + margin;
    if (finite && interpolate) {
      a = interpolate_rank(target_a);
      b = interpolate_rank(target_b);
    } else {
      a = std::clamp(OrderMidpoint(lo, hi), above_lo, hi);
      b = finite ? interpolate_rank(k) : a;
      target_a = target_b = k;
      if (b < a) std::swap(a, b);
    }

    Counts at_a, at_b;
    CountPair(a, b, at_a, at_b);
    if (at_a.below < k && k <= at_a.at_most) return a;
    if (at_b.below < k && k <= at_b.at_most) return b;
    if (k <= at_a.below) {
      hi = std::nextafter(a, -kInf);
      at_hi = at_a.below;
    } else if (k <= at_b.below) {
      lo = a;
      below_lo = at_a.at_most;
      hi = std::nextafter(b, -kInf);
      at_hi = at_b.below;
    } else {
      lo = b;
      below_lo = at_b.at_most;
    }
    const int64_t error =
        std::max(std::llabs(at_a.at_most - target_a), std::llabs(at_b.at_most - target_b));
    margin = std::max(gather_limit / 4, 2 * error);
    interpolate = at_hi - below_lo <= candidates / 2;
  }
}

std::pair<double, double> PairwiseDifferences::SelectAdjacent(int64_t k) const {
  const double first = Select(k);
  if (CountAtMost(first) > k) return {first, first};
  return {first, NextAbove(first)};
}

double PairwiseDifferences::Median() const {
  if (total_ % 2 == 1) return Select((total_ + 1) / 2);
  const auto [a, b] = SelectAdjacent(total_ / 2);
  if (a == b) return a;
  return static_cast<double>((static_cast<long double>(a) + static_cast<long double>(b)) / 2.0L);
}

}  // namespace augur::judges
