#include "judges/rate_test.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/math/distributions/binomial.hpp"
#include "boost/math/policies/policy.hpp"
#include "boost/math/special_functions/beta.hpp"
#include "judges/normal_distribution.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kMaxTotal = int64_t{1} << 53;
// binom.test's allowance for rounding when it compares probabilities with the observed one.
constexpr double kRelErr = 1 + 1e-7;

// Judges do not throw: Boost reports a domain or evaluation error by returning NaN or inf, which
// the arguments checked below never provoke.
namespace bmp = boost::math::policies;
using NoThrow =
    bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                bmp::overflow_error<bmp::ignore_error>, bmp::evaluation_error<bmp::ignore_error>,
                bmp::rounding_error<bmp::ignore_error>,
                bmp::indeterminate_result_error<bmp::ignore_error>>;
using Binomial = boost::math::binomial_distribution<double, NoThrow>;

// The binomial pieces of binom.test for X ~ Binomial(n, p), n >= 1, 0 <= x <= n.
class BinomialTails {
 public:
  BinomialTails(int64_t n, double p) : n_(n), p_(p), dist_(static_cast<double>(n), p) {}

  double Pmf(int64_t x) const { return boost::math::pdf(dist_, static_cast<double>(x)); }
  // P(X <= x).
  double Cdf(int64_t x) const {
    if (x < 0) return 0.0;
    if (x >= n_) return 1.0;
    return boost::math::cdf(dist_, static_cast<double>(x));
  }
  // P(X > x), without forming 1 - Cdf(x).
  double Upper(int64_t x) const {
    if (x < 0) return 1.0;
    if (x >= n_) return 0.0;
    return boost::math::cdf(boost::math::complement(dist_, static_cast<double>(x)));
  }

  // binom.test's two-sided p-value: the total probability of the counts no more likely than x
  // (within kRelErr). R counts them with a vector over the whole far side; the pmf is monotone
  // there (the mode floor((n+1)p) lies within one of n*p), so a bisection finds the same cut-off.
  double TwoSided(int64_t x) const {
    if (p_ == 0.0) return x == 0 ? 1.0 : 0.0;
    if (p_ == 1.0) return x == n_ ? 1.0 : 0.0;
    const double threshold = Pmf(x) * kRelErr;
    const double mean = static_cast<double>(n_) * p_;
    const double xd = static_cast<double>(x);
    if (xd == mean) return 1.0;
    double p;
    if (xd < mean) {
      // Far side [ceil(mean), n], pmf non-increasing: the first j there with pmf(j) <= threshold
      // (n + 1 if none); its tail P(X >= j) is what R's pbinom(n - y, lower.tail = FALSE) adds.
      int64_t lo = static_cast<int64_t>(std::ceil(mean));
      int64_t hi = n_ + 1;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (Pmf(mid) <= threshold) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      p = Cdf(x) + Upper(lo - 1);
    } else {
      // Far side [0, floor(mean)], pmf non-decreasing: the last j there with pmf(j) <= threshold
      // (-1 if none); R adds pbinom(y - 1) = P(X <= j).
      int64_t lo = -1;
      int64_t hi = static_cast<int64_t>(std::floor(mean));
      while (lo < hi) {
        const int64_t mid = hi - (hi - lo) / 2;
        if (Pmf(mid) <= threshold) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      p = Cdf(lo) + Upper(x - 1);
    }
    return std::min(1.0, p);
  }

 private:
  int64_t n_;
  double p_;
  Binomial dist_;
};

// Clopper-Pearson bounds on pi for x successes in n trials at tail probability alpha each, as
// odds pi/(1 - pi): Boost returns the complement 1 - pi alongside pi, so the odds keep full
// precision when pi is near 1.
double LowerOdds(int64_t x, int64_t n, double alpha) {
  if (x == 0) return 0.0;
  double complement = 0.0;
  const double pi = boost::math::ibeta_inv(static_cast<double>(x), static_cast<double>(n - x + 1),
                                           alpha, &complement, NoThrow());
  return pi / complement;
}

double UpperOdds(int64_t x, int64_t n, double alpha) {
  if (x == n) return kInf;
  double complement = 0.0;
  const double pi = boost::math::ibetac_inv(static_cast<double>(x + 1), static_cast<double>(n - x),
                                            alpha, &complement, NoThrow());
  return pi / complement;
}

// The distances p - l and u - p from a proportion x/n to its Wilson score bounds at z. Written
// so neither subtracts nearly equal numbers: with c the interval's centre and h its half-width,
// p - l = h + s and u - p = h - s for s = p - c = z^2 (p - 1/2) / (n + z^2), and their product is
// z^2 p (1 - p) / (n + z^2); the sum with both terms of one sign is formed, the other divided out.
struct WilsonDistances {
  double below;
  double above;
};

WilsonDistances Wilson(int64_t x, int64_t n, double z) {
  const double xd = static_cast<double>(x);
  const double nd = static_cast<double>(n);
  const double p = xd / nd;
  const double q = (nd - xd) / nd;
  const double z2 = z * z;
  const double denom = nd + z2;
  const double h = z * std::sqrt(xd * (nd - xd) / nd + z2 / 4.0) / denom;
  const double s = z2 * (p - 0.5) / denom;
  const double product = z2 * p * q / denom;
  if (s >= 0.0) {
    const double below = h + s;
    return {below, product / below};
  }
  const double above = h - s;
  return {product / above, above};
}

absl::Status CheckCounts(int64_t events, int64_t total, const char* side) {
  if (events < 0 || total < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(side, " counts must not be negative, got ", events, "/", total));
  }
  if (total == 0) {
    return absl::InvalidArgumentError(absl::StrCat(side, " total is 0: no rate to compare"));
  }
  if (events > total) {
    return absl::InvalidArgumentError(
        absl::StrCat(side, " events exceed its total: ", events, " > ", total));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RateTestResult> PoissonRateTest(int64_t events_experiment, int64_t total_experiment,
                                               int64_t events_control, int64_t total_control,
                                               const RateTestOptions& options) {
  if (absl::Status s = CheckCounts(events_experiment, total_experiment, "experiment"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCounts(events_control, total_control, "control"); !s.ok()) return s;
  if (total_experiment > kMaxTotal - total_control) {
    return absl::InvalidArgumentError(
        absl::StrCat("totals too large: their sum must be at most 2^53, got ", total_experiment,
                     " and ", total_control));
  }
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence must be in (0,1), got ", options.confidence));
  }
  if (!(options.null_ratio > 0.0 && std::isfinite(options.null_ratio))) {
    return absl::InvalidArgumentError(
        absl::StrCat("null ratio must be finite and positive, got ", options.null_ratio));
  }

  RateTestResult r;
  r.events_experiment = events_experiment;
  r.total_experiment = total_experiment;
  r.events_control = events_control;
  r.total_control = total_control;
  const double xe = static_cast<double>(events_experiment);
  const double xc = static_cast<double>(events_control);
  const double te = static_cast<double>(total_experiment);
  const double tc = static_cast<double>(total_control);
  r.rate_experiment = xe / te;
  r.rate_control = xc / tc;
  // R's estimate (x_e/t_e)/(x_c/t_c): 0/0 is NaN, x/0 is +inf.
  r.ratio =
      events_experiment == 0 && events_control == 0 ? kNaN : r.rate_experiment / r.rate_control;

  // R forms alpha from 1 - conf.level; keep that arithmetic.
  const double alpha = 1.0 - options.confidence;
  const int64_t k = events_experiment + events_control;
  if (k == 0) {
    r.ratio_ci_low = 0.0;
    r.ratio_ci_high = kInf;
    r.p_value = r.p_greater = r.p_less = 1.0;
  } else {
    r.ratio_ci_low = LowerOdds(events_experiment, k, alpha / 2.0) * tc / te;
    r.ratio_ci_high = UpperOdds(events_experiment, k, alpha / 2.0) * tc / te;
    // R's arithmetic for pi; an extreme null_ratio whose product overflows means pi = 1.
    const double rte = options.null_ratio * te;
    const BinomialTails tails(k, std::isinf(rte) ? 1.0 : rte / (rte + tc));
    r.p_value = tails.TwoSided(events_experiment);
    r.p_greater = tails.Upper(events_experiment - 1);
    r.p_less = tails.Cdf(events_experiment);
  }

  r.difference = r.rate_experiment - r.rate_control;
  const double z = NormalQuantile(alpha / 2.0, /*lower_tail=*/false);
  const WilsonDistances e = Wilson(events_experiment, total_experiment, z);
  const WilsonDistances c = Wilson(events_control, total_control, z);
  r.difference_ci_low =
      std::max(-1.0, r.difference - std::sqrt(e.below * e.below + c.above * c.above));
  r.difference_ci_high =
      std::min(1.0, r.difference + std::sqrt(e.above * e.above + c.below * c.below));
  return r;
}

}  // namespace augur::judges
