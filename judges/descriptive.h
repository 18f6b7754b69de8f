// Kayenta's preprocessing and descriptive statistics: NaN removal or replacement, the IQR outlier
// detector, summary statistics, R-7 percentiles, and the two effect sizes its judge reports (the
// mean ratio and the common-language effect size). shared/reference/kayenta.md §2.3 and §2.7
// describe what Kayenta does; the comments below say where augur differs.
//
// Inputs are samples in any order. The judges above these functions apply the NaN policy first
// (RemoveNaN or ReplaceNaN); each function says what it does if a NaN reaches it anyway.
// +-Infinity is an ordinary value: it sorts at the ends and follows IEEE arithmetic.
//
// Pure: no I/O, no clock, no randomness; the same input gives the same bits. Thread-safe.
#ifndef AUGUR_JUDGES_DESCRIPTIVE_H_
#define AUGUR_JUDGES_DESCRIPTIVE_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/types/span.h"

namespace augur::judges {

// Kayenta's `stats` of one side, plus the median and P95.
struct Summary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  int64_t count = 0;
  // All NaN when count == 0 (Kayenta reports zeros there; a NaN cannot be mistaken for data).
  double min = kNaN;
  double max = kNaN;
  double mean = kNaN;    // as Mean()
  double std = kNaN;     // sample standard deviation (n - 1); 0 when count == 1
  double median = kNaN;  // P50, as Percentile()
  double p95 = kNaN;     // P95, as Percentile()
};

// Summarises `values` (any order). Expects NaN-free input: if any value is NaN, count is the
// number of values and every statistic is NaN. O(n) memory for a sorted copy; O(n) time for large
// inputs (SortDoubles).
Summary Summarize(absl::Span<const double> values);

// The R-7 (Excel, Kayenta, R's default quantile type) percentile of an ascending, NaN-free sample,
// p in [0, 100]: with h = (n - 1) * p / 100 and l = floor(h),
//   v[l] + (h - l) * (v[l + 1] - v[l]),
// and exactly v[l] when h is a whole number or v[l] == v[l + 1] (so infinities do not turn into
// NaN). n == 1 gives v[0]; an empty sample, or p NaN or outside [0, 100], gives NaN. The order is
// the caller's promise and is not checked. O(1).
//
// R computes (1 - f) * v[l] + f * v[l + 1] instead, which can differ in the last bit.
double PercentileOfSorted(absl::Span<const double> sorted, double p);

// PercentileOfSorted on a sorted copy of `values` (any order). NaN if any value is NaN.
double Percentile(absl::Span<const double> values, double p);

// The arithmetic mean, accurate to about an ulp whatever the size and offset of the data (a
// compensated sum, then a correction pass with the residuals), so a million values near 1e9 with a
// spread of 1e-3 keep every digit of the spread. NaN for an empty sample; IEEE's answer if any
// value is NaN or infinite (NaN, or the infinity).
double Mean(absl::Span<const double> values);

// `values` without its NaNs, order preserved (Kayenta's nanStrategy "remove").
std::vector<double> RemoveNaN(absl::Span<const double> values);

// `values` with every NaN replaced by `replacement`, order preserved (Kayenta's "replace" uses 0).
std::vector<double> ReplaceNaN(absl::Span<const double> values, double replacement);

// Kayenta's IQR outlier detector; returns the values kept, order preserved. With Q1 = P25,
// Q3 = P75 and IQR = Q3 - Q1 (R-7 percentiles of the non-NaN values):
//   reduced_sensitivity (Kayenta's judge): lower fence min(P1, Q1 - factor*IQR), upper fence
//     max(P99, Q3 + factor*IQR), so a sample of up to about 100 values loses at most its most
//     extreme value on each side;
//   otherwise: fences Q1 - factor*IQR and Q3 + factor*IQR.
// A value is removed when it is strictly below the lower fence or strictly above the upper one.
// NaNs are never outliers: they are kept, and ignored when computing the fences. A factor that is
// negative or not finite removes nothing. Empty in, empty out.
std::vector<double> RemoveOutliersIqr(absl::Span<const double> values, double factor,
                                      bool reduced_sensitivity = true);

// mean(experiment) / mean(control), Kayenta's deviation and "meanRatio" effect size. NaN when
// either sample is empty or either mean is exactly 0 (Kayenta makes a zero experiment mean NaN
// too, not 0).
double MeanRatio(absl::Span<const double> experiment, absl::Span<const double> control);
// The same from the two means already computed.
double MeanRatioOfMeans(double experiment_mean, double control_mean);

// The common-language effect size: P(experiment > control) + P(experiment == control) / 2 over
// all n*m pairs, in [0, 1]; 0.5 means no shift. This is Kayenta's CLES(control, experiment),
// (2 R_E - n_E (n_E + 1)) / (2 n_E n_C) with R_E the rank sum of the experiment. Computed by
// sorting and merging, O((n+m) log(n+m)) time, O(n+m) memory; the pairs are counted exactly in
// integers and the ratio is rounded once. NaN when either sample is empty or has a NaN.
double Cles(absl::Span<const double> experiment, absl::Span<const double> control);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_DESCRIPTIVE_H_
