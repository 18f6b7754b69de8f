#include "judges/preprocess.h"

#include "judges/descriptive.h"

namespace augur::judges {

std::vector<double> Preprocess(absl::Span<const double> values, const Preprocessing& options) {
  std::vector<double> clean = options.nan_replace ? ReplaceNaN(values, 0.0) : RemoveNaN(values);
  if (options.remove_outliers) {
    clean = RemoveOutliersIqr(clean, options.outlier_factor, /*reduced_sensitivity=*/true);
  }
  return clean;
}

}  // namespace augur::judges
