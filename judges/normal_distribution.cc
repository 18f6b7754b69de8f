#include "judges/normal_distribution.h"

#include <cmath>
#include <limits>

namespace augur::judges {
namespace {

// Coefficients of AS 241 (PPND16) as published by Wichura (1988). Each rational function is
// evaluated by Horner's rule in the published order; with FMA contraction disabled for this
// library the results do not depend on the compiler.
// clang-format off
double Central(double q) {
  const double r = 0.180625 - q * q;
  return q *
         (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
               67265.770927008700853) * r + 45921.953931549871457) * r +
             13731.693765509461125) * r + 1971.5909503065514427) * r +
           133.14166789178437745) * r + 3.387132872796366608) /
         (((((((r * 5226.495278852854561 + 28729.085735721942674) * r +
               39307.89580009271061) * r + 21213.794301586595867) * r +
             5394.1960214247511077) * r + 687.1870074920579083) * r +
           42.313330701600911252) * r + 1.0);
}

// `r` is sqrt(-log(tail probability)).
double Tail(double r) {
  if (r <= 5.0) {
    r -= 1.6;
    return (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                 0.24178072517745061177) * r + 1.27045825245236838258) * r +
               3.64784832476320460504) * r + 5.7694972214606914055) * r +
             4.6303378461565452959) * r + 1.42343711074968357734) /
           (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
               0.68976733498510000455) * r + 1.6763848301838038494) * r +
             2.05319162663775882187) * r + 1.0);
  }
  r -= 5.0;
  return (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
               0.0012426609473880784386) * r + 0.026532189526576123093) * r +
             0.29656057182850489123) * r + 1.7848265399172913358) * r +
           5.4637849111641143699) * r + 6.6579046435011037772) /
         (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
               1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
             0.0148753612908506148525) * r + 0.13692988092273580531) * r +
           0.59983220655588793769) * r + 1.0);
}

// clang-format on

}  // namespace

double NormalQuantile(double p, bool lower_tail) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(p) || p < 0.0 || p > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return lower_tail ? -kInf : kInf;
  if (p == 1.0) return lower_tail ? kInf : -kInf;

  // p_lower is the lower-tail probability; for the upper tail it is 1 - p formed as R does.
  const double p_lower = lower_tail ? p : (0.5 - p) + 0.5;
  const double q = p_lower - 0.5;
  if (std::fabs(q) <= 0.425) return Central(q);

  // The smaller of the two tail probabilities, taken from the caller's p where that is exact.
  double r;
  if (q > 0.0) {
    r = lower_tail ? (0.5 - p) + 0.5 : p;
  } else {
    r = p_lower;
  }
  const double value = Tail(std::sqrt(-std::log(r)));
  return q < 0.0 ? -value : value;
}

double NormalUpperTail(double z) {
  // P(Z > z) = erfc(z / sqrt(2)) / 2. Rounding z / sqrt(2) to a double costs relative accuracy
  // t^2 * 1e-16 in the tail (1e-13 at z = 37), so correct for the rounding to first order:
  // erfc(t + delta) = erfc(t) - delta * 2 / sqrt(pi) * exp(-t^2).
  constexpr double kSqrtHalfHi = 0.7071067811865476;      // nearest double to 1/sqrt(2)
  constexpr double kSqrtHalfLo = -4.833646656726457e-17;  // 1/sqrt(2) - kSqrtHalfHi
  const double t = z * kSqrtHalfHi;
  const double delta = std::fma(z, kSqrtHalfHi, -t) + z * kSqrtHalfLo;
  return 0.5 * std::erfc(t) - delta * (0.5 * M_2_SQRTPI) * std::exp(-t * t);
}

double NormalCdf(double z) { return NormalUpperTail(-z); }

}  // namespace augur::judges
