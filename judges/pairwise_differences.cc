#include "judges/pairwise_differences.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "judges/double_order.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A double halfway between lo and hi in the order of doubles (not in value): repeated, it
// reaches any double in at most 64 steps.
double OrderMidpoint(double lo, double hi) {
  const uint64_t a = DoubleOrderKey(lo);
  const uint64_t b = DoubleOrderKey(hi);
  const double mid = DoubleFromOrderKey(a + (b - a) / 2);
  return mid == 0.0 ? 0.0 : mid;  // never -0.0: it is no difference's value
}

}  // namespace

PairwiseDifferences::PairwiseDifferences(absl::Span<const double> x_sorted,
                                         absl::Span<const double> y_sorted)
    : x_(x_sorted),
      y_(y_sorted),
      total_(static_cast<int64_t>(x_sorted.size()) * static_cast<int64_t>(y_sorted.size())) {}

template <bool kStrict>
int64_t PairwiseDifferences::Count(double v) const {
  ++sweeps_;
  const size_t m = y_.size();
  int64_t count = 0;
  size_t j = 0;
  for (const double xi : x_) {
    // Row i is non-increasing in j: skip the prefix of differences above v (at or above v when
    // counting strictly below).
    if constexpr (kStrict) {
      while (j < m && PairDifference(xi, y_[j]) >= v) ++j;
    } else {
      while (j < m && PairDifference(xi, y_[j]) > v) ++j;
    }
    count += static_cast<int64_t>(m - j);
  }
  return count;
}

int64_t PairwiseDifferences::CountAtMost(double v) const { return Count<false>(v); }

int64_t PairwiseDifferences::CountBelow(double v) const { return Count<true>(v); }

std::pair<int64_t, double> PairwiseDifferences::CountAtMostAndNextAbove(double v) const {
  ++sweeps_;
  const size_t m = y_.size();
  int64_t count = 0;
  double next = kInf;
  size_t j = 0;
  for (const double xi : x_) {
    while (j < m && PairDifference(xi, y_[j]) > v) ++j;
    count += static_cast<int64_t>(m - j);
    // y_[j-1] gives the smallest difference above v in this row.
    if (j > 0) next = std::min(next, PairDifference(xi, y_[j - 1]));
  }
  return {count, next};
}

double PairwiseDifferences::Gather(double lo, double hi, int64_t below_lo, int64_t at_hi,
                                   int64_t k) const {
  ++sweeps_;
  const size_t m = y_.size();
  std::vector<double> candidates;
  candidates.reserve(static_cast<size_t>(at_hi - below_lo));
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

std::optional<std::pair<double, double>> PairwiseDifferences::SeedPivots(int64_t k) const {
  const size_t n = x_.size();
  const size_t m = y_.size();
  // Large samples thin to about kSubsampleSide a side; medium ones (hundreds of values, the
  // usual metric window) to a thirty-second of their size, which takes a selection at
  // n = m = 600 from 19 full sweeps to about 6 (a sixteenth seeds no better and costs more).
  // Small ones are swept directly.
  const size_t side = n + m >= 8 * kSubsampleSide ? kSubsampleSide : (n + m) / 32;
  if (side < kMinSubsampleSide) return std::nullopt;
  // Every stride-th value of a sorted sample is a sorted sample whose empirical distribution is
  // within 1/side of the full one everywhere, so ranks in the subsample's difference matrix,
  // scaled up, land within about (|xs| + |ys|) sub-ranks of the full ranks.
  auto thin = [side](absl::Span<const double> v) {
    const size_t stride = std::max<size_t>(1, v.size() / side);
    std::vector<double> out;
    out.reserve(v.size() / stride + 1);
    for (size_t i = stride / 2; i < v.size(); i += stride) out.push_back(v[i]);
    return out;
  };
  const std::vector<double> xs = thin(x_);
  const std::vector<double> ys = thin(y_);
  const PairwiseDifferences sub(xs, ys);
  const int64_t sub_total = sub.size();
  const int64_t slack = static_cast<int64_t>(xs.size() + ys.size());
  const int64_t sub_k = static_cast<int64_t>(
      static_cast<double>(k) * static_cast<double>(sub_total) / static_cast<double>(total_));
  const double a = sub.Select(std::clamp<int64_t>(sub_k - slack, 1, sub_total));
  const double b = sub.Select(std::clamp<int64_t>(sub_k + slack, 1, sub_total));
  return std::make_pair(a, b);
}

double PairwiseDifferences::Select(int64_t k) const {
  // Invariant: the answer lies in (lo, hi], with below_lo = #{D <= lo} < k <= #{D <= hi} = at_hi.
  double lo = min();
  int64_t below_lo = 0;
  double next_above_lo = lo;  // the smallest difference > lo
  if (lo == -kInf) {
    // Nothing lies below -inf to open the bracket with: count the -inf differences instead.
    std::tie(below_lo, next_above_lo) = CountAtMostAndNextAbove(lo);
    if (k <= below_lo) return lo;
  } else {
    lo = std::nextafter(lo, -kInf);  // #{D <= lo} = 0
  }
  double hi = max();
  int64_t at_hi = total_;
  std::optional<std::pair<double, double>> seed = SeedPivots(k);

  const int64_t gather_limit = std::max<int64_t>(static_cast<int64_t>(x_.size() + y_.size()), 1024);
  int64_t margin = gather_limit / 4;
  int failures = 0;  // consecutive sweeps that did not shrink the bracket to a quarter
  for (;;) {
    const int64_t candidates = at_hi - below_lo;
    if (candidates <= gather_limit) return Gather(lo, hi, below_lo, at_hi, k);
    const double above_lo = std::nextafter(lo, kInf);
    // No double between lo and hi, or the smallest difference above lo is hi: the answer is hi.
    // (+ 0.0 turns a -0.0 pivot into the +0.0 that differences have.)
    if (above_lo == hi || next_above_lo == hi) return hi + 0.0;

    // Two pivots per sweep pair: seeded from the subsample first; then straddling rank k by
    // twice the last interpolation error; after two poor rounds, bisection (in value, and in the
    // order of doubles, which alone guarantees termination within ~64 rounds).
    const bool finite = std::isfinite(lo) && std::isfinite(hi) && std::isfinite(hi - lo);
    auto interpolate_rank = [&](int64_t rank) {
      rank = std::clamp(rank, below_lo + 1, at_hi);
      const double t = static_cast<double>(rank - below_lo) / static_cast<double>(at_hi - below_lo);
      return std::clamp(lo + t * (hi - lo), above_lo, hi);
    };
    double a, b;
    bool interpolated = false;
    const int64_t target_a = k - margin, target_b = k + margin;
    if (seed) {
      a = std::clamp(seed->first, above_lo, hi);
      b = std::clamp(seed->second, above_lo, hi);
      seed.reset();
    } else if (finite && failures < 2) {
      a = interpolate_rank(target_a);
      b = interpolate_rank(target_b);
      interpolated = true;
    } else {
      a = std::clamp(OrderMidpoint(lo, hi), above_lo, hi);
      b = finite ? std::clamp(lo + (hi - lo) / 2.0, above_lo, hi) : a;
    }
    // After a poor round, try the smallest difference above lo: when a block of ties larger
    // than the gather limit holds the answer, this finds it in one round. That pivot aimed at
    // no rank, so this round teaches nothing about the interpolation error.
    if (failures > 0 && next_above_lo < hi) {
      a = next_above_lo;
      interpolated = false;
    }
    if (b < a) std::swap(a, b);

    // Only #{D <= pivot} is needed: if it reaches k the answer is at most the pivot. The same
    // sweep yields the smallest difference above the pivot, should it become lo.
    const auto [at_a, next_a] = CountAtMostAndNextAbove(a);
    const auto [at_b, next_b] = a == b ? std::make_pair(at_a, next_a) : CountAtMostAndNextAbove(b);
    if (k <= at_a) {
      hi = a;
      at_hi = at_a;
    } else if (k <= at_b) {
      lo = a;
      below_lo = at_a;
      next_above_lo = next_a;
      hi = b;
      at_hi = at_b;
    } else {
      lo = b;
      below_lo = at_b;
      next_above_lo = next_b;
    }
    const int64_t remaining = at_hi - below_lo;
    failures = remaining <= candidates / 4 ? 0 : failures + 1;
    if (interpolated) {
      const int64_t error = std::max(std::llabs(at_a - target_a), std::llabs(at_b - target_b));
      margin = std::max(gather_limit / 4, 2 * error);
    } else {
      // No interpolation error to learn from: straddle generously within the new bracket.
      margin = std::max(gather_limit / 4, remaining / 128);
    }
  }
}

std::pair<double, double> PairwiseDifferences::SelectAdjacent(int64_t k) const {
  const double first = Select(k);
  const auto [at_most, next] = CountAtMostAndNextAbove(first);
  return {first, at_most > k ? first : next};
}

double PairwiseDifferences::Midpoint(double a, double b) {
  if (a == b) return a;
  return static_cast<double>((static_cast<long double>(a) + static_cast<long double>(b)) / 2.0L);
}

double PairwiseDifferences::Median() const {
  if (total_ % 2 == 1) return Select((total_ + 1) / 2);
  const auto [a, b] = SelectAdjacent(total_ / 2);
  return Midpoint(a, b);
}

}  // namespace augur::judges
