#include "judges/mann_whitney_distribution.h"

#include <algorithm>
#include <cfloat>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace augur::judges {

absl::StatusOr<MannWhitneyDistribution> MannWhitneyDistribution::Create(int64_t n, int64_t m) {
  if (n < 1 || m < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exact Mann-Whitney distribution needs both samples non-empty, got n=", n, " m=", m));
  }
  if (n > kMaxProduct / m) {
    return absl::OutOfRangeError(
        absl::StrCat("exact Mann-Whitney distribution is supported up to n*m = ", kMaxProduct,
                     " (400 x 400), got n=", n, " m=", m, " (n*m = ", n * m,
                     "); use the normal approximation (exact: auto or never)"));
  }
  const int64_t shorter = std::min(n, m);
  const int64_t longer = std::max(n, m);
  const int64_t half = n * m / 2;
  std::vector<long double> c(static_cast<size_t>(half + 1), 0.0L);
  c[0] = 1.0L;
  for (int64_t i = 1; i <= shorter; ++i) {
    // Multiply by (1 - q^(longer + i)); descending so each read sees the previous factor's value.
    for (int64_t u = half; u >= longer + i; --u) c[u] -= c[u - longer - i];
    // Divide by (1 - q^i), a prefix sum with stride i, and renormalise by i / (longer + i) so the
    // coefficients stay a probability mass function (C(longer+i, i) = C(longer+i-1,
    // i-1)*(longer+i)/i).
    const long double scale = static_cast<long double>(i) / static_cast<long double>(longer + i);
    for (int64_t u = 0; u < std::min(i, half + 1); ++u) c[u] *= scale;
    for (int64_t u = i; u <= half; ++u) c[u] = c[u] * scale + c[u - i];
  }
  std::vector<double> lower_cdf(static_cast<size_t>(half + 1));
  long double sum = 0.0L;
  for (int64_t u = 0; u <= half; ++u) {
    sum += c[u];
    lower_cdf[u] = static_cast<double>(sum);
  }
  return MannWhitneyDistribution(n, m, std::move(lower_cdf));
}

MannWhitneyDistribution::MannWhitneyDistribution(int64_t n, int64_t m,
                                                 std::vector<double> lower_cdf)
    : n_(n), m_(m), half_(n * m / 2), lower_cdf_(std::move(lower_cdf)) {}

double MannWhitneyDistribution::Pmf(int64_t u) const {
  const int64_t k = std::min(u, n_ * m_ - u);
  return k == 0 ? LowerSum(0) : LowerSum(k) - LowerSum(k - 1);
}

double MannWhitneyDistribution::Cdf(int64_t u) const {
  if (u < 0) return 0.0;
  if (u >= n_ * m_) return 1.0;
  if (u <= half_) return LowerSum(u);
  // Sum the shorter (upper) tail: P(U <= u) = 1 - P(U >= u + 1) = 1 - P(U <= n*m - u - 1).
  return 1.0 - LowerSum(n_ * m_ - u - 1);
}

double MannWhitneyDistribution::UpperTail(int64_t u) const {
  if (u <= 0) return 1.0;
  if (u > n_ * m_) return 0.0;
  // By symmetry P(U >= u) = P(U <= n*m - u).
  const int64_t mirrored = n_ * m_ - u;
  if (mirrored <= half_) return LowerSum(mirrored);
  return 1.0 - LowerSum(u - 1);
}

int64_t MannWhitneyDistribution::Quantile(double p) const {
  const int64_t total = n_ * m_;
  if (p <= 0.5) {
    const double target = p - 10.0 * DBL_EPSILON;
    // The lower half is stored cumulatively: binary search for the first u with CDF >= target.
    const auto it = std::lower_bound(lower_cdf_.begin(), lower_cdf_.end(), target);
    if (it != lower_cdf_.end()) return it - lower_cdf_.begin();
  }
  // Upper half: accumulate the upper tail until it exceeds 1 - p, as qwilcox does.
  const double target = 1.0 - p + 10.0 * DBL_EPSILON;
  double tail = 0.0;
  for (int64_t k = 0; k <= total; ++k) {
    tail += Pmf(total - k);
    if (tail > target) return total - k;
  }
  return 0;
}

}  // namespace augur::judges
