// Order statistics of the n*m pairwise differences x[i] - y[j] of two sorted samples, found
// without materialising the differences: O(n + m) memory, a few O(n + m) sweeps per query.
#ifndef AUGUR_JUDGES_PAIRWISE_DIFFERENCES_H_
#define AUGUR_JUDGES_PAIRWISE_DIFFERENCES_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace augur::judges {

// The difference of one pair as the kernel defines it: a - b in IEEE arithmetic, except that two
// equal values (including two equal infinities, whose IEEE difference would be NaN) differ by 0.
// This keeps the differences totally ordered and monotone in both arguments.
inline double PairDifference(double a, double b) { return a == b ? 0.0 : a - b; }

// A view of two samples, each sorted ascending, free of NaN. Copies them (with a sentinel after
// each, see the .cc), so the spans need not outlive it. Not thread-safe (it counts its sweeps);
// cheap to make one per thread.
//
// The n x m matrix D[i][j] = PairDifference(x[i], y[j]) is non-decreasing down each column and
// non-increasing along each row, so #{D <= v} is one merge-path sweep (O(n + m)), run as four
// pieces in lockstep without data-dependent branches. Selection narrows a value bracket (lo, hi]
// around the k-th difference by rounds of two pivots (one sweep each): the first pair from the
// same selection on a systematic subsample (every s-th value, about 1024 per side), later ones by
// linear interpolation of the counts. After a poor round one pivot is the smallest difference
// above lo (which ends a block of ties holding the answer at once); after two, the pivots bisect
// the bracket in value and in the order of doubles, which bounds the work at about 64 bisection
// rounds even for adversarial data. Once at most max((n + m) / 2, 1024) candidates remain it
// gathers them, using the rows' boundaries the two ends' sweeps recorded, and finishes with a
// branch-free quickselect. Several ranks share all of it (SelectMany). Typical: 4 sweeps a rank.
// Deterministic: pivots only change how fast the bracket closes, never the answer.
class PairwiseDifferences {
 public:
  PairwiseDifferences(absl::Span<const double> x_sorted, absl::Span<const double> y_sorted);
  PairwiseDifferences(const PairwiseDifferences&) = delete;
  PairwiseDifferences& operator=(const PairwiseDifferences&) = delete;

  int64_t size() const { return total_; }
  double min() const { return PairDifference(x_.front(), y_.back()); }
  double max() const { return PairDifference(x_.back(), y_.front()); }

  // #{(i, j) : D[i][j] <= v}.
  int64_t CountAtMost(double v) const;
  // #{(i, j) : D[i][j] < v}.
  int64_t CountBelow(double v) const;

  // The k-th smallest difference, 1 <= k <= size().
  double Select(int64_t k) const;
  // The k-th and (k+1)-th smallest differences, 1 <= k < size().
  std::pair<double, double> SelectAdjacent(int64_t k) const;
  // The ranks[t]-th smallest difference for each t (each 1 <= ranks[t] <= size(); any order,
  // repeats allowed), found together: one subsample seeds every rank, each sweep's count and row
  // boundaries serve every later rank, and ranks that end in one bracket share its gather. A
  // Hodges-Lehmann estimate with its interval is one call of four ranks.
  std::vector<double> SelectMany(absl::Span<const int64_t> ranks) const;
  // The median of all differences (the two-sample Hodges-Lehmann estimate): the middle one, or
  // Midpoint() of the two middle ones. NaN when those are -inf and +inf.
  double Median() const;
  // (a + b) / 2 as R's mean() forms it: summed in long double, halved, rounded to double (which
  // can differ from the correctly rounded mean in the last bit, exactly as R does).
  static double Midpoint(double a, double b);

  // Number of sweeps over the full samples made so far (for tests and benchmarks).
  int64_t sweeps() const { return sweeps_; }

 private:
  // Samples larger than this per side seed the selection from a subsample of this size.
  static constexpr size_t kSubsampleSide = 1024;
  // Below this many values a side after thinning, selection sweeps the samples directly. 16
  // seeds the usual metric windows of 300 points a side (thinned to 18): 7 sweeps a median
  // instead of 18 (bench/analysis_bench, BM_ClassifyMannWhitney300SameDistribution).
  static constexpr size_t kMinSubsampleSide = 16;
  // Subsample difference sets up to this size are computed whole to seed from.
  static constexpr int64_t kMaxMaterializedSubsample = 2048;

  struct Pivot;
  class Selection;

  // Two first pivots around each ranks[t]-th difference, from one systematic subsample (large
  // and medium samples only; nullopt for small ones, which are swept directly).
  std::optional<std::vector<std::pair<double, double>>> SeedPivots(
      absl::Span<const int64_t> ranks) const;
  // #{D < v} when kStrict, else #{D <= v}, and with kNext the smallest difference above v (else
  // +inf): one sweep. A non-null `boundaries` (size() of x + 2 slots) receives each row's first
  // column not counted as above v.
  template <bool kStrict, bool kNext>
  std::pair<int64_t, double> Sweep(double v, int64_t* boundaries = nullptr) const;
  // #{D <= v} and the smallest difference strictly greater than v (+inf if none), in one sweep.
  std::pair<int64_t, double> CountAtMostAndNextAbove(double v) const;

  // Copies of both samples, each followed by a +inf sentinel that lets a sweep run off the
  // matrix's edge without a test (see SweepPath); x_ and y_ view them, without the sentinels.
  std::vector<double> padded_;
  absl::Span<const double> x_;
  absl::Span<const double> y_;
  int64_t total_;
  bool finite_;  // no infinite value on either side: a difference is then plain a - b
  mutable int64_t sweeps_ = 0;
};

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_PAIRWISE_DIFFERENCES_H_
