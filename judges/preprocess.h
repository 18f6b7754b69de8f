// The preprocessing Kayenta's judge applies to each side before comparing: NaN points removed or
// replaced by 0, then optionally outliers removed by the IQR rule (Kayenta's reduced-sensitivity
// fences). Pure.
#ifndef AUGUR_JUDGES_PREPROCESS_H_
#define AUGUR_JUDGES_PREPROCESS_H_

#include <vector>

#include "absl/types/span.h"

namespace augur::judges {

struct Preprocessing {
  bool nan_replace = false;      // NaN -> 0 (Kayenta's "replace"); otherwise NaN points dropped
  bool remove_outliers = false;  // IQR fences min(P1, Q1 - f·IQR), max(P99, Q3 + f·IQR)
  double outlier_factor = 3.0;
};

// The values a judge compares, in their original order.
std::vector<double> Preprocess(absl::Span<const double> values, const Preprocessing& options);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_PREPROCESS_H_
