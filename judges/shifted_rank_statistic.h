// The Mann-Whitney statistic of x shifted by d against y, with the tie-corrected null standard
// deviation, evaluated the way R's wilcox.test() and Kayenta evaluate it inside their interval
// searches: pool (x[i] - d, y[j]) in IEEE arithmetic, rank, count ties by exact equality.
#ifndef AUGUR_JUDGES_SHIFTED_RANK_STATISTIC_H_
#define AUGUR_JUDGES_SHIFTED_RANK_STATISTIC_H_

#include <cstdint>

#include "absl/types/span.h"

namespace augur::judges {

// Sum over groups of tied values of (t^3 - t), accumulated as R does: each t^3 rounded to double
// once, the sum kept in long double and rounded once at the end.
class TieSum {
 public:
  void AddGroup(int64_t size);
  double value() const { return static_cast<double>(sum_); }

 private:
  long double sum_ = 0.0L;
};

// sqrt((n*m/12) * ((n+m+1) - tie_sum / ((n+m)*(n+m-1)))): the standard deviation of U under the
// null hypothesis with the tie correction, in R's order of operations.
double MannWhitneySigma(int64_t n, int64_t m, double tie_sum);

// The tie sum of each sample on its own (ties within x plus ties within y): what the pooled
// tie sum is at any shift d where no x[i] - d equals any y[j].
double WithinSampleTieSum(absl::Span<const double> x_sorted, absl::Span<const double> y_sorted);

class ShiftedRankStatistic {
 public:
  struct Value {
    double centered_u;  // U(d) - n*m/2, exact (U counts pairs with x[i] - d > y[j], ties as 1/2)
    double sigma;       // the tie-corrected null standard deviation at d
    double tie_sum;     // sum of (t^3 - t) over tie groups of the pooled sample at d
  };

  // Borrows both samples, sorted ascending; they must outlive this object. Thread-safe.
  ShiftedRankStatistic(absl::Span<const double> x_sorted, absl::Span<const double> y_sorted);

  // O(n + m): one merge of (x - d) and y.
  Value At(double d) const;

 private:
  absl::Span<const double> x_;
  absl::Span<const double> y_;
};

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_SHIFTED_RANK_STATISTIC_H_
