#include "judges/pairwise_differences.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "judges/double_order.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A double halfway between lo and hi in the order of doubles (not in value): repeated, it
// reaches any double in at most 64 steps.
double OrderMidpoint(double lo, double hi) {
  const uint64_t a = DoubleOrderKey(lo);
  const uint64_t b = DoubleOrderKey(hi);
  const double mid = DoubleFromOrderKey(a + (b - a) / 2);
  return mid == 0.0 ? 0.0 : mid;  // never -0.0: it is no difference's value
}

// The result of one sweep: #{D <= v} (or #{D < v}) and, when asked, the smallest D above v.
struct SweepResult {
  int64_t count = 0;
  double next = kInf;
};

// One sweep of the matrix D against v, as a merge path from (0, 0) to (n, m). At state (i, j) a
// step either skips D[i][j] (above v; at or above v when kStrict) and moves to j + 1, or closes
// row i, whose m - j remaining differences are at most v, and moves to i + 1. Past the last row
// (i = n) the path runs on to j = m; past the last column (j = m) it closes the remaining rows.
// Every path has n + m steps, so it splits into kChains pieces of equal length whose starts are
// found by bisection on their diagonals (i + j = s); the pieces then advance in lockstep. Each
// step depends on the comparison of the last, so one merge runs at the latency of a load, a
// subtraction and a compare; several independent ones fill the pipeline, and none has a
// data-dependent branch to mispredict (integer masks and bitwise operators, not && and ?:,
// which the compiler turns into branches). At n = m = 600 this is about 4x faster than a
// branching merge on fresh data.
//
// kPadded: both samples are finite, x[n] and y[m] hold +inf and v is finite. Then x[n] - y[j] =
// +inf is above v (past the last row, skip) and x[i] - y[m] = -inf is not (past the last column,
// close), and a difference is plain a - b (exact for a == b). Otherwise indices are clamped and
// the two edges masked.
//
// With kNext, also the smallest difference above v: every skipped difference is above v, and the
// smallest one is among them (the row holding it skips the y just before its boundary, which
// some row i' <= i skipped with a difference no larger).
//
// With a non-null `boundaries` (n + 2 slots), also each row's boundary: boundaries[i] = the first
// j with D[i][j] not skipped. A close stores to its row, a skip to the spare slot n + 1 (a row
// split between two pieces must keep the value of its close, whichever piece runs later).
template <bool kStrict, bool kNext, bool kPadded>
SweepResult SweepPath(const double* x, int64_t n, const double* y, int64_t m, double v,
                      int64_t* boundaries = nullptr) {
  constexpr int kChains = 4;
  auto skips = [v](double d) { return kStrict ? d >= v : d > v; };
  // The state of the path on diagonal s: the smallest i whose boundary is at least s - i.
  auto start_on_diagonal = [&](int64_t s) {
    int64_t lo = std::max<int64_t>(0, s - m);
    int64_t hi = std::min(n, s);
    while (lo < hi) {
      const int64_t i = lo + (hi - lo) / 2;
      // Row i's boundary is at least s - i when y[s - i - 1] is still skipped in row i.
      if (s - i == 0 || skips(PairDifference(x[i], y[s - i - 1]))) {
        hi = i;
      } else {
        lo = i + 1;
      }
    }
    return lo;
  };
  const int64_t length = n + m;
  int64_t i[kChains], j[kChains], steps[kChains];
  int64_t closed_sum[kChains];  // sum of m - j over the rows a piece closes
  uint64_t next_key[kChains];   // order key of the smallest difference a piece skipped
  for (int c = 0; c < kChains; ++c) {
    const int64_t s = length * c / kChains;
    i[c] = start_on_diagonal(s);
    j[c] = s - i[c];
    steps[c] = length * (c + 1) / kChains - s;
    closed_sum[c] = 0;
    next_key[c] = ~uint64_t{0};
  }
  auto step = [&](int c) {
    const int64_t ic = i[c];
    const int64_t jc = j[c];
    int64_t skip;
    double d;
    if constexpr (kPadded) {
      d = x[ic] - y[jc];
      skip = static_cast<int64_t>(skips(d));
    } else {
      d = PairDifference(x[std::min(ic, n - 1)], y[std::min(jc, m - 1)]);
      const int64_t inside = static_cast<int64_t>(ic < n) & static_cast<int64_t>(jc < m);
      skip = static_cast<int64_t>(ic == n) | (inside & static_cast<int64_t>(skips(d)));
      if constexpr (kNext) d = inside != 0 ? d : kInf;
    }
    if constexpr (kNext) {
      next_key[c] = std::min(next_key[c], DoubleOrderKey(d) | static_cast<uint64_t>(skip - 1));
    }
    closed_sum[c] += (m - jc) & (skip - 1);
    if (boundaries != nullptr) boundaries[skip != 0 ? n + 1 : ic] = jc;
    j[c] = jc + skip;
    i[c] = ic + (skip ^ 1);
  };
  const int64_t common = *std::min_element(steps, steps + kChains);
  for (int64_t t = 0; t < common; ++t) {
    for (int c = 0; c < kChains; ++c) step(c);
  }
  SweepResult result;
  uint64_t key = ~uint64_t{0};
  for (int c = 0; c < kChains; ++c) {
    for (int64_t t = common; t < steps[c]; ++t) step(c);
    result.count += closed_sum[c];
    key = std::min(key, next_key[c]);
  }
  if (kNext && key != ~uint64_t{0}) result.next = DoubleFromOrderKey(key);
  return result;
}

// The r-th smallest (from 0) of `values`, which it reorders. Quickselect whose three-way
// partitions copy into a second buffer without data-dependent branches (each value is written to
// both ends and kept where its comparison says): std::nth_element mispredicts about every other
// comparison, which made it most of the cost of a selection. The values equal to the pivot end a
// round at once, so ties cost nothing; an unlucky run of pivots hands over to std::nth_element.
// The r-th smallest (0-based) of values[0, size). Consumes `values`: afterwards it holds no
// particular order nor, in general, the same values.
double SelectNth(double* values, size_t size, size_t r) {
  constexpr size_t kSmall = 32;
  // Every slot is written before it is read: no need to zero the scratch (nor, in Gather, the
  // candidates and boundaries), which was a tenth of a 300-point classification.
  const std::unique_ptr<double[]> scratch = std::make_unique_for_overwrite<double[]>(size);
  double* const buffers[2] = {values, scratch.get()};
  int current = 0;  // the buffer `from` points into
  double* from = values;
  size_t n = size;
  for (int round = 0; n > kSmall; ++round) {
    if (round == 64) {
      std::nth_element(from, from + r, from + n);
      return from[r];
    }
    const double a = from[0], b = from[n / 2], c = from[n - 1];
    const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), c));
    double* to = buffers[1 - current];
    size_t less = 0;
    size_t greater = 0;
    for (size_t i = 0; i < n; ++i) {
      const double v = from[i];
      to[less] = v;
      less += static_cast<size_t>(v < pivot);
      to[n - 1 - greater] = v;
      greater += static_cast<size_t>(v > pivot);
    }
    if (r < less) {
      from = to;
      n = less;
    } else if (r >= n - greater) {
      r -= n - greater;
      from = to + (n - greater);
      n = greater;
    } else {
      return pivot;
    }
    current = 1 - current;
  }
  std::nth_element(from, from + r, from + n);
  return from[r];
}

}  // namespace

PairwiseDifferences::PairwiseDifferences(absl::Span<const double> x_sorted,
                                         absl::Span<const double> y_sorted)
    : total_(static_cast<int64_t>(x_sorted.size()) * static_cast<int64_t>(y_sorted.size())) {
  padded_.reserve(x_sorted.size() + y_sorted.size() + 2);
  padded_.insert(padded_.end(), x_sorted.begin(), x_sorted.end());
  padded_.push_back(kInf);
  padded_.insert(padded_.end(), y_sorted.begin(), y_sorted.end());
  padded_.push_back(kInf);
  x_ = absl::MakeConstSpan(padded_.data(), x_sorted.size());
  y_ = absl::MakeConstSpan(padded_.data() + x_sorted.size() + 1, y_sorted.size());
  finite_ = !x_.empty() && !y_.empty() && std::isfinite(x_.front()) && std::isfinite(x_.back()) &&
            std::isfinite(y_.front()) && std::isfinite(y_.back());
}

template <bool kStrict, bool kNext>
std::pair<int64_t, double> PairwiseDifferences::Sweep(double v, int64_t* boundaries) const {
  ++sweeps_;
  const int64_t n = static_cast<int64_t>(x_.size());
  const int64_t m = static_cast<int64_t>(y_.size());
  const SweepResult r =
      finite_ && std::isfinite(v)
          ? SweepPath<kStrict, kNext, true>(x_.data(), n, y_.data(), m, v, boundaries)
          : SweepPath<kStrict, kNext, false>(x_.data(), n, y_.data(), m, v, boundaries);
  return {r.count, r.next};
}

int64_t PairwiseDifferences::CountAtMost(double v) const { return Sweep<false, false>(v).first; }

int64_t PairwiseDifferences::CountBelow(double v) const { return Sweep<true, false>(v).first; }

std::pair<int64_t, double> PairwiseDifferences::CountAtMostAndNextAbove(double v) const {
  return Sweep<false, true>(v);
}

double PairwiseDifferences::Gather(double lo, double hi, int64_t below_lo, int64_t at_hi,
                                   int64_t k) const {
  const int64_t n = static_cast<int64_t>(x_.size());
  // Row i's candidates are D[i][j] for first_at_most_hi[i] <= j < first_at_most_lo[i]: two
  // sweeps record the rows' boundaries, then a plain copy (vectorised when finite) collects them.
  const std::unique_ptr<int64_t[]> first_at_most_hi =
      std::make_unique_for_overwrite<int64_t[]>(static_cast<size_t>(n) + 2);
  const std::unique_ptr<int64_t[]> first_at_most_lo =
      std::make_unique_for_overwrite<int64_t[]>(static_cast<size_t>(n) + 2);
  Sweep<false, false>(hi, first_at_most_hi.get());
  Sweep<false, false>(lo, first_at_most_lo.get());
  const size_t count = static_cast<size_t>(at_hi - below_lo);
  const std::unique_ptr<double[]> candidates = std::make_unique_for_overwrite<double[]>(count);
  double* out = candidates.get();
  for (int64_t i = 0; i < n; ++i) {
    const double xi = x_[i];
    const int64_t begin = first_at_most_hi[i];
    const int64_t end = first_at_most_lo[i];
    if (finite_) {
      for (int64_t j = begin; j < end; ++j) out[j - begin] = xi - y_[j];
    } else {
      for (int64_t j = begin; j < end; ++j) out[j - begin] = PairDifference(xi, y_[j]);
    }
    out += end - begin;  // lo < hi, so a row's lo boundary is never before its hi one
  }
  return SelectNth(candidates.get(), count, static_cast<size_t>(k - below_lo - 1));
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
  const int64_t sub_total = static_cast<int64_t>(xs.size() * ys.size());
  // That bound is loose: the typical error is a fraction of it. Large samples keep it (their
  // sweeps are costly, a missed bracket more so); medium ones straddle half of it, which at
  // n = m = 300 brackets every rank within 6 sweeps instead of up to 17.
  const int64_t bound = static_cast<int64_t>(xs.size() + ys.size());
  const int64_t slack = side == kSubsampleSide ? bound : bound / 2;
  const int64_t sub_k = static_cast<int64_t>(
      static_cast<double>(k) * static_cast<double>(sub_total) / static_cast<double>(total_));
  const int64_t rank_a = std::clamp<int64_t>(sub_k - slack, 1, sub_total);
  const int64_t rank_b = std::clamp<int64_t>(sub_k + slack, 1, sub_total);
  if (sub_total <= kMaxMaterializedSubsample) {
    // Medium samples: all the sub-differences at once (a few hundred), and both pivots from
    // them, instead of two selections that each sweep and gather them again.
    // SelectNth consumes its input, so each pivot selects from its own copy.
    const size_t count = static_cast<size_t>(sub_total);
    const std::unique_ptr<double[]> d = std::make_unique_for_overwrite<double[]>(2 * count);
    size_t i = 0;
    for (const double x : xs) {
      for (const double y : ys) d[i++] = PairDifference(x, y);
    }
    std::copy(d.get(), d.get() + count, d.get() + count);
    const double a = SelectNth(d.get(), count, static_cast<size_t>(rank_a - 1));
    const double b = SelectNth(d.get() + count, count, static_cast<size_t>(rank_b - 1));
    return std::make_pair(a + 0.0, b + 0.0);
  }
  const PairwiseDifferences sub(xs, ys);
  return std::make_pair(sub.Select(rank_a), sub.Select(rank_b));
}

double PairwiseDifferences::Select(int64_t k) const {
  // Invariant: the answer lies in (lo, hi], with below_lo = #{D <= lo} < k <= #{D <= hi} = at_hi.
  double lo = min();
  int64_t below_lo = 0;
  // The smallest difference above lo, or NaN while unknown: finding it takes a sweep of its own
  // unless a pivot that became lo was swept with it (see below).
  double next_above_lo = lo;
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
    if (failures > 0) {
      if (std::isnan(next_above_lo)) next_above_lo = CountAtMostAndNextAbove(lo).second;
      if (next_above_lo == hi) return hi + 0.0;
      if (next_above_lo < hi) {
        a = next_above_lo;
        interpolated = false;
      }
    }
    if (b < a) std::swap(a, b);

    // #{D <= pivot} decides: if it reaches k the answer is at most the pivot. In a streak of poor
    // rounds the same sweep also finds the smallest difference above the pivot, should it
    // become lo, so that only a streak's first round pays a sweep for it.
    auto count = [&](double pivot) {
      return failures > 0 ? CountAtMostAndNextAbove(pivot)
                          : std::make_pair(CountAtMost(pivot), kNaN);
    };
    const auto [at_a, next_a] = count(a);
    const auto [at_b, next_b] = a == b ? std::make_pair(at_a, next_a) : count(b);
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
