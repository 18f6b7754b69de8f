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
#include "judges/sort_doubles.h"

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

// One three-way partition of from[0, n) around `pivot` into to[0, n): the values below it at
// the front (`less` of them), those above at the back (`greater`), without data-dependent
// branches: each value is written to both ends and kept where its comparison says.
// std::nth_element mispredicts about every other comparison, which made it most of the cost of
// a selection.
void Partition(const double* from, double* to, size_t n, double pivot, size_t& less,
               size_t& greater) {
  less = 0;
  greater = 0;
  for (size_t i = 0; i < n; ++i) {
    const double v = from[i];
    to[less] = v;
    less += static_cast<size_t>(v < pivot);
    to[n - 1 - greater] = v;
    greater += static_cast<size_t>(v > pivot);
  }
}

// The ranks[t]-th smallest (0-based; `ranks` ascending) of values[0, n) into out[t]:
// quickselect that follows every rank at once, sharing the partitions above where they part.
// Consumes `values` and `scratch` (n slots each): afterwards they hold no particular order nor,
// in general, the same values. Every slot is written before it is read, so neither needs
// zeroing. The values equal to the pivot end a round at once, so ties cost nothing; an unlucky
// run of pivots (depth 64) sorts what is left.
void SelectRanks(double* values, double* scratch, size_t n, const size_t* ranks, size_t count,
                 double* out, int depth = 64) {
  constexpr size_t kSmall = 32;
  if (count == 0) return;
  if (n <= kSmall || depth == 0) {
    std::sort(values, values + n);
    for (size_t t = 0; t < count; ++t) out[t] = values[ranks[t]];
    return;
  }
  const double a = values[0], b = values[n / 2], c = values[n - 1];
  const double pivot = std::max(std::min(a, b), std::min(std::max(a, b), c));
  size_t less, greater;
  Partition(values, scratch, n, pivot, less, greater);
  --depth;
  // Ranks below `less` are on the left, those from n - greater on the right, the rest are the
  // pivot. Each part recurses in the matching stretch of the two buffers.
  size_t left = 0;
  while (left < count && ranks[left] < less) ++left;
  size_t middle = left;
  while (middle < count && ranks[middle] < n - greater) out[middle++] = pivot;
  if (left > 0) SelectRanks(scratch, values, less, ranks, left, out, depth);
  if (middle == count) return;
  const size_t offset = n - greater;
  // The right part's ranks, shifted to it. A few at most (the interval's ends, the median's
  // pair), so a small copy.
  size_t shifted[8];
  const size_t right = count - middle;
  if (right > 8) {
    std::sort(scratch + offset, scratch + n);
    for (size_t t = middle; t < count; ++t) out[t] = scratch[ranks[t]];
    return;
  }
  for (size_t t = 0; t < right; ++t) shifted[t] = ranks[middle + t] - offset;
  double* const next_values = scratch + offset;
  double* const next_scratch = values + offset;
  SelectRanks(next_values, next_scratch, greater, shifted, right, out + middle, depth);
}

}  // namespace

PairwiseDifferences::PairwiseDifferences(absl::Span<const double> x_sorted,
                                         absl::Span<const double> y_sorted)
    : total_(static_cast<int64_t>(x_sorted.size()) * static_cast<int64_t>(y_sorted.size())) {
  // +inf after x, and four after y: the sweeps' sentinel and room for a gather's copies in fours.
  padded_.reserve(x_sorted.size() + y_sorted.size() + 5);
  padded_.insert(padded_.end(), x_sorted.begin(), x_sorted.end());
  padded_.push_back(kInf);
  padded_.insert(padded_.end(), y_sorted.begin(), y_sorted.end());
  padded_.insert(padded_.end(), 4, kInf);
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

// A value swept, kept for every later rank: #{D <= value}, the smallest difference above it
// (NaN until known) and, once recorded, each row's boundary (the first column with D <= value).
struct PairwiseDifferences::Pivot {
  double value;
  int64_t at_most;
  double next_above;
  std::unique_ptr<int64_t[]> bounds;
};

// The state of one SelectMany: the pivots swept so far, in increasing value (so in
// non-decreasing count), and the ranks still to resolve.
class PairwiseDifferences::Selection {
 public:
  Selection(const PairwiseDifferences& d, absl::Span<const int64_t> ranks)
      : d_(d), ranks_(ranks), out_(ranks.size(), kNaN), resolved_(ranks.size(), false) {
    const int64_t n = static_cast<int64_t>(d.x_.size());
    const int64_t m = static_cast<int64_t>(d.y_.size());
    // Rows' boundaries are kept for every pivot of moderate samples (a gather then needs no
    // sweep of its own); large ones record them only for a gather's two ends, to bound memory.
    record_bounds_ = n <= kRecordBoundsRows;
    const double min = d.min();
    if (min == -kInf) {
      // Nothing lies below -inf to open the bracket with: count the -inf differences instead.
      Sweep(-kInf, /*with_next=*/true);
    } else {
      // Just below the smallest difference: #{D <= value} = 0, and every row's boundary is m.
      pivots_.push_back(Pivot{std::nextafter(min, -kInf), 0, min, Filled(m)});
    }
    if (pivots_.back().at_most < d.total_) {
      pivots_.push_back(Pivot{d.max(), d.total_, kInf, Filled(0)});
    }
  }

  std::vector<double> Run() {
    std::vector<size_t> order(ranks_.size());
    for (size_t t = 0; t < order.size(); ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [this](size_t a, size_t b) { return ranks_[a] < ranks_[b]; });
    std::vector<int64_t> sorted_ranks;
    for (const size_t t : order) sorted_ranks.push_back(ranks_[t]);
    std::optional<std::vector<std::pair<double, double>>> seeds = d_.SeedPivots(sorted_ranks);
    for (size_t s = 0; s < order.size(); ++s) {
      if (resolved_[order[s]]) continue;
      std::optional<std::pair<double, double>> seed;
      if (seeds) seed = (*seeds)[s];
      Resolve(ranks_[order[s]], seed);
    }
    return std::move(out_);
  }

 private:
  // A gather copies in fours: up to three values past a row's end (and past the candidates').
  static constexpr size_t kCopyOverrun = 4;
  // Samples with up to this many rows keep every pivot's row boundaries.
  static constexpr int64_t kRecordBoundsRows = 4096;

  std::unique_ptr<int64_t[]> Filled(int64_t value) const {
    const size_t size = d_.x_.size() + 2;
    std::unique_ptr<int64_t[]> b = std::make_unique_for_overwrite<int64_t[]>(size);
    std::fill(b.get(), b.get() + size, value);
    return b;
  }

  // The index of the first pivot whose value is at least v (pivots_.size() if none).
  size_t LowerBound(double v) const {
    return static_cast<size_t>(
        std::lower_bound(pivots_.begin(), pivots_.end(), v,
                         [](const Pivot& p, double value) { return p.value < value; }) -
        pivots_.begin());
  }

  // The pivot at v, swept now unless it already was. With `with_next`, its next_above is known.
  Pivot& Sweep(double v, bool with_next) {
    const size_t at = LowerBound(v);
    if (at < pivots_.size() && pivots_[at].value == v) {
      Pivot& p = pivots_[at];
      if (with_next && std::isnan(p.next_above)) {
        p.next_above = d_.CountAtMostAndNextAbove(v).second;
      }
      return p;
    }
    std::unique_ptr<int64_t[]> bounds;
    if (record_bounds_) bounds = std::make_unique_for_overwrite<int64_t[]>(d_.x_.size() + 2);
    const auto [at_most, next] = with_next ? d_.Sweep<false, true>(v, bounds.get())
                                           : d_.Sweep<false, false>(v, bounds.get());
    return *pivots_.insert(pivots_.begin() + static_cast<ptrdiff_t>(at),
                           Pivot{v, at_most, with_next ? next : kNaN, std::move(bounds)});
  }

  // The index of the tightest bracket's lower end for rank k: the last pivot with fewer than k
  // differences at or below it. The next pivot is the bracket's upper end.
  size_t BracketFor(int64_t k) const {
    size_t lo = 0;
    while (lo + 1 < pivots_.size() && pivots_[lo + 1].at_most < k) ++lo;
    return lo;
  }

  // Every pending rank in (below, at_most] is `value`.
  void ResolveBracketTo(int64_t below, int64_t at_most, double value) {
    for (size_t t = 0; t < ranks_.size(); ++t) {
      if (!resolved_[t] && ranks_[t] > below && ranks_[t] <= at_most) {
        out_[t] = value;
        resolved_[t] = true;
      }
    }
  }

  // Collects the differences in (lo, hi] and resolves every pending rank among them.
  void Gather(size_t lo_index) {
    for (const size_t i : {lo_index, lo_index + 1}) {
      Pivot& p = pivots_[i];
      if (p.bounds == nullptr) {
        p.bounds = std::make_unique_for_overwrite<int64_t[]>(d_.x_.size() + 2);
        d_.Sweep<false, false>(p.value, p.bounds.get());
      }
    }
    const Pivot& lo = pivots_[lo_index];
    const Pivot& hi = pivots_[lo_index + 1];
    const int64_t n = static_cast<int64_t>(d_.x_.size());
    // Row i's candidates are D[i][j] for hi.bounds[i] <= j < lo.bounds[i]: a plain copy
    // (vectorised when finite) collects them.
    const size_t count = static_cast<size_t>(hi.at_most - lo.at_most);
    // Twice the room: the second half is SelectRanks's scratch. Plus the fours' overrun.
    const std::unique_ptr<double[]> candidates =
        std::make_unique_for_overwrite<double[]>(2 * count + kCopyOverrun);
    double* out = candidates.get();
    for (int64_t i = 0; i < n; ++i) {
      const double xi = d_.x_[i];
      const int64_t begin = hi.bounds[i];
      const int64_t end = lo.bounds[i];
      if (d_.finite_) {
        // Rows hold a few candidates each: copy in fours without a test per value (the
        // padding after y and after the buffer absorbs the overrun; the next row overwrites it).
        const double* y = d_.y_.data() + begin;
        for (int64_t j = 0; j == 0 || j < end - begin; j += 4) {
          out[j] = xi - y[j];
          out[j + 1] = xi - y[j + 1];
          out[j + 2] = xi - y[j + 2];
          out[j + 3] = xi - y[j + 3];
        }
      } else {
        for (int64_t j = begin; j < end; ++j) out[j - begin] = PairDifference(xi, d_.y_[j]);
      }
      out += end - begin;  // lo < hi, so a row's lo boundary is never before its hi one
    }
    // The pending ranks in the bracket, ascending, as 0-based positions among the candidates.
    std::vector<std::pair<size_t, size_t>> wanted;
    for (size_t t = 0; t < ranks_.size(); ++t) {
      if (!resolved_[t] && ranks_[t] > lo.at_most && ranks_[t] <= hi.at_most) {
        wanted.emplace_back(static_cast<size_t>(ranks_[t] - lo.at_most - 1), t);
      }
    }
    std::sort(wanted.begin(), wanted.end());
    std::vector<size_t> positions;
    for (const auto& w : wanted) positions.push_back(w.first);
    std::vector<double> values(positions.size());
    SelectRanks(candidates.get(), candidates.get() + count, count, positions.data(),
                positions.size(), values.data());
    for (size_t i = 0; i < wanted.size(); ++i) {
      out_[wanted[i].second] = values[i];
      resolved_[wanted[i].second] = true;
    }
  }

  // Narrows the bracket around rank k until it can be gathered (see the class comment in the
  // header), then resolves k and every other pending rank that ends in the same bracket.
  void Resolve(int64_t k, std::optional<std::pair<double, double>> seed) {
    if (pivots_.front().at_most >= k) {  // the -inf differences hold rank k
      return ResolveBracketTo(0, pivots_.front().at_most, -kInf);
    }
    // A gather and its selection cost about four times a sweep per candidate, so the bracket
    // closes to about half a sweep's length (n + m steps) before gathering (at n = m = 300:
    // 35 us for an interval and estimate, against 38 with max(n + m, 1024)).
    const int64_t gather_limit =
        std::max<int64_t>(static_cast<int64_t>(d_.x_.size() + d_.y_.size()) / 2, 1024);
    int64_t margin = gather_limit / 4;
    int failures = 0;  // consecutive rounds that did not shrink the bracket to a quarter
    for (;;) {
      const size_t lo_index = BracketFor(k);
      const Pivot& lo = pivots_[lo_index];
      const Pivot& hi = pivots_[lo_index + 1];
      const int64_t below_lo = lo.at_most;
      const int64_t at_hi = hi.at_most;
      const int64_t candidates = at_hi - below_lo;
      if (candidates <= gather_limit) return Gather(lo_index);
      const double lo_value = lo.value;
      const double hi_value = hi.value;
      const double above_lo = std::nextafter(lo_value, kInf);
      // No double between lo and hi, or the smallest difference above lo is hi: the answer is hi.
      // (+ 0.0 turns a -0.0 pivot into the +0.0 that differences have.)
      if (above_lo == hi_value || lo.next_above == hi_value) {
        return ResolveBracketTo(below_lo, at_hi, hi_value + 0.0);
      }

      // Two pivots per round: seeded from the subsample first; then straddling rank k by twice
      // the last interpolation error; after two poor rounds, bisection (in value, and in the
      // order of doubles, which alone guarantees termination within ~64 rounds).
      const bool finite =
          std::isfinite(lo_value) && std::isfinite(hi_value) && std::isfinite(hi_value - lo_value);
      auto interpolate_rank = [&](int64_t rank) {
        rank = std::clamp(rank, below_lo + 1, at_hi);
        const double t =
            static_cast<double>(rank - below_lo) / static_cast<double>(at_hi - below_lo);
        return std::clamp(lo_value + t * (hi_value - lo_value), above_lo, hi_value);
      };
      double a, b;
      bool interpolated = false;
      const int64_t target_a = k - margin, target_b = k + margin;
      // A seed wholly outside the bracket (an earlier rank's pivots closed in) is no use.
      if (seed && !(seed->first > lo_value && seed->first < hi_value) &&
          !(seed->second > lo_value && seed->second < hi_value)) {
        seed.reset();
      }
      if (seed) {
        a = std::clamp(seed->first, above_lo, hi_value);
        b = std::clamp(seed->second, above_lo, hi_value);
        seed.reset();
      } else if (finite && failures < 2) {
        a = interpolate_rank(target_a);
        b = interpolate_rank(target_b);
        interpolated = true;
      } else {
        a = std::clamp(OrderMidpoint(lo_value, hi_value), above_lo, hi_value);
        b = finite ? std::clamp(lo_value + (hi_value - lo_value) / 2.0, above_lo, hi_value) : a;
      }
      // After a poor round, try the smallest difference above lo: when a block of ties larger
      // than the gather limit holds the answer, this finds it in one round. That pivot aimed at
      // no rank, so this round teaches nothing about the interpolation error.
      if (failures > 0) {
        const double next_above_lo = Sweep(lo_value, /*with_next=*/true).next_above;
        const size_t hi_index = LowerBound(hi_value);  // the sweep may have moved it
        if (next_above_lo == hi_value) {
          return ResolveBracketTo(pivots_[hi_index - 1].at_most, pivots_[hi_index].at_most,
                                  hi_value + 0.0);
        }
        if (next_above_lo < hi_value) {
          a = next_above_lo;
          interpolated = false;
        }
      }
      if (b < a) std::swap(a, b);

      // In a streak of poor rounds the same sweep also finds the smallest difference above the
      // pivot, should it become lo, so that only a streak's first round pays a sweep for it.
      const bool with_next = failures > 0;
      const int64_t at_a = Sweep(a, with_next).at_most;
      const int64_t at_b = a == b ? at_a : Sweep(b, with_next).at_most;
      const size_t new_lo = BracketFor(k);
      const int64_t remaining = pivots_[new_lo + 1].at_most - pivots_[new_lo].at_most;
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

  const PairwiseDifferences& d_;
  absl::Span<const int64_t> ranks_;
  std::vector<double> out_;
  std::vector<bool> resolved_;
  std::vector<Pivot> pivots_;
  bool record_bounds_ = true;
};

std::optional<std::vector<std::pair<double, double>>> PairwiseDifferences::SeedPivots(
    absl::Span<const int64_t> ranks) const {
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
  // Sub-ranks a, b of each rank, interleaved: 2t and 2t + 1.
  std::vector<int64_t> sub_ranks;
  for (const int64_t k : ranks) {
    const int64_t sub_k = static_cast<int64_t>(
        static_cast<double>(k) * static_cast<double>(sub_total) / static_cast<double>(total_));
    sub_ranks.push_back(std::clamp<int64_t>(sub_k - slack, 1, sub_total));
    sub_ranks.push_back(std::clamp<int64_t>(sub_k + slack, 1, sub_total));
  }
  std::vector<double> values;
  if (sub_total <= kMaxMaterializedSubsample) {
    // Medium samples: all the sub-differences at once (a few hundred), every pivot selected
    // from them together.
    const size_t count = static_cast<size_t>(sub_total);
    const std::unique_ptr<double[]> d = std::make_unique_for_overwrite<double[]>(2 * count);
    size_t i = 0;
    for (const double x : xs) {
      for (const double y : ys) d[i++] = PairDifference(x, y);
    }
    std::vector<size_t> positions;
    for (const int64_t r : sub_ranks) positions.push_back(static_cast<size_t>(r - 1));
    std::vector<size_t> order(positions.size());
    for (size_t t = 0; t < order.size(); ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return positions[a] < positions[b]; });
    std::vector<size_t> sorted_positions;
    for (const size_t t : order) sorted_positions.push_back(positions[t]);
    std::vector<double> sorted_values(positions.size());
    SelectRanks(d.get(), d.get() + count, count, sorted_positions.data(), sorted_positions.size(),
                sorted_values.data());
    values.resize(positions.size());
    for (size_t t = 0; t < order.size(); ++t) values[order[t]] = sorted_values[t];
  } else {
    const PairwiseDifferences sub(xs, ys);
    values = sub.SelectMany(sub_ranks);
  }
  std::vector<std::pair<double, double>> seeds;
  for (size_t t = 0; t < ranks.size(); ++t) {
    seeds.emplace_back(values[2 * t] + 0.0, values[2 * t + 1] + 0.0);
  }
  return seeds;
}

std::vector<double> PairwiseDifferences::SelectMany(absl::Span<const int64_t> ranks) const {
  return Selection(*this, ranks).Run();
}

double PairwiseDifferences::Select(int64_t k) const { return SelectMany({k})[0]; }

std::pair<double, double> PairwiseDifferences::SelectAdjacent(int64_t k) const {
  const std::vector<double> v = SelectMany({k, k + 1});
  return {v[0], v[1]};
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
