#include "judges/judgement.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace augur::judges {

absl::string_view ClassificationName(Classification classification) {
  switch (classification) {
    case Classification::kPass:
      return "PASS";
    case Classification::kHigh:
      return "HIGH";
    case Classification::kLow:
      return "LOW";
    case Classification::kNoData:
      return "NODATA";
    case Classification::kError:
      return "ERROR";
  }
  return "ERROR";
}

std::string FormatPValue(double p) {
  if (std::isnan(p)) return "p=NaN";
  if (p < 1e-300) return "p<1e-300";  // below that only underflow residue remains
  if (p >= 0.001) return absl::StrFormat("p=%.2g", p);
  return absl::StrFormat("p=%.1e", p);
}

std::string FormatSignedPercent(double r) {
  if (std::isnan(r)) return "NaN";
  if (std::isinf(r)) return r > 0 ? "+Inf%" : "-Inf%";
  const double percent = 100.0 * r;
  const double magnitude = std::fabs(percent);
  if (magnitude >= 10) return absl::StrFormat("%+.0f%%", percent);
  if (magnitude >= 1) return absl::StrFormat("%+.1f%%", percent);
  return absl::StrFormat("%+.2g%%", percent);
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return absl::StrFormat("%.4g", v);
}

}  // namespace augur::judges
