#include "judges/zeroin.h"

#include <cfloat>
#include <cmath>

namespace augur::judges {

ZeroinResult Zeroin(absl::FunctionRef<double(double)> f, double a, double b, double fa, double fb,
                    double tol, int max_iterations) {
  ZeroinResult result;
  if (fa == 0.0) {
    result.root = a;
    return result;
  }
  if (fb == 0.0) {
    result.root = b;
    return result;
  }
  // Invariant: b is the best estimate, a the previous one, and the root lies between b and c.
  double c = a;
  double fc = fa;
  for (int step = 0; step <= max_iterations; ++step) {
    const double previous_step = b - a;
    if (std::fabs(fc) < std::fabs(fb)) {
      // Make b the abscissa with the smaller |f|.
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const double tol_act = 2.0 * DBL_EPSILON * std::fabs(b) + tol / 2.0;
    double new_step = (c - b) / 2.0;
    if (std::fabs(new_step) <= tol_act || fb == 0.0) {
      result.root = b;
      return result;
    }
    // Try interpolation when the previous step was large enough and went the right way.
    if (std::fabs(previous_step) >= tol_act && std::fabs(fa) > std::fabs(fb)) {
      const double cb = c - b;
      double p;
      double q;
      if (a == c) {  // Only two distinct points: secant step.
        const double t1 = fb / fa;
        p = cb * t1;
        q = 1.0 - t1;
      } else {  // Inverse quadratic interpolation.
        q = fa / fc;
        const double t1 = fb / fc;
        const double t2 = fb / fa;
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
        q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
      }
      if (p > 0.0) {
        q = -q;
      } else {
        p = -p;
      }
      // Accept the interpolation only if it stays well inside the bracket and shrinks fast.
      if (p < (0.75 * cb * q - std::fabs(tol_act * q) / 2.0) &&
          p < std::fabs(previous_step * q / 2.0)) {
        new_step = p / q;
      }
    }
    if (std::fabs(new_step) < tol_act) new_step = new_step > 0.0 ? tol_act : -tol_act;

    a = b;
    fa = fb;
    b += new_step;
    fb = f(b);
    ++result.evaluations;
    if ((fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0)) {
      c = a;
      fc = fa;
    }
  }
  result.root = b;
  result.converged = false;
  return result;
}

}  // namespace augur::judges
