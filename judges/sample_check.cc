#include "judges/sample_check.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace augur::judges {

absl::Status CheckSample(absl::Span<const double> sample, absl::string_view side,
                         absl::string_view kernel) {
  if (sample.empty()) return absl::InvalidArgumentError(absl::StrCat(side, " sample is empty"));
  for (size_t i = 0; i < sample.size(); ++i) {
    if (std::isnan(sample[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          side, " sample has NaN at index ", i, "; the ", kernel,
          " kernel takes no NaN (the judge's NaN strategy removes or replaces them first)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace augur::judges
