// The one check every two-sample kernel makes of its input.
#ifndef AUGUR_JUDGES_SAMPLE_CHECK_H_
#define AUGUR_JUDGES_SAMPLE_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace augur::judges {

// InvalidArgument when `sample` is empty ("experiment sample is empty") or holds a NaN ("control
// sample has NaN at index 3; the Mann-Whitney kernel takes no NaN ..."). `side` names the sample,
// `kernel` the test. NaN policy belongs to the judges above the kernels (judges/preprocess.h).
absl::Status CheckSample(absl::Span<const double> sample, absl::string_view side,
                         absl::string_view kernel);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_SAMPLE_CHECK_H_
