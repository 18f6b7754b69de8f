// Brent's root finder ("zeroin"), as published by Forsythe, Malcolm and Moler, Computer Methods
// for Mathematical Computations (1977), with the two early exits R's uniroot() adds.
//
// augur's default statistics never depend on a root search: this exists so that the
// `r-compatible` and `kayenta` interval modes can reproduce R's and Kayenta's printed numbers,
// which are wherever this iteration stops on a step function.
#ifndef AUGUR_JUDGES_ZEROIN_H_
#define AUGUR_JUDGES_ZEROIN_H_

#include "absl/functional/function_ref.h"

namespace augur::judges {

struct ZeroinResult {
  double root = 0.0;
  int evaluations = 0;    // calls of f made by the iteration (not counting fa, fb)
  bool converged = true;  // false when max_iterations ran out; root is then the last iterate
};

// Finds a zero of f in [a, b] given fa = f(a) and fb = f(b) of opposite signs (or one of them 0).
// Stops when the bracket is narrower than 2 * (2 * DBL_EPSILON * |b| + tol / 2), when f is exactly
// zero at the current iterate, or after max_iterations + 1 steps. `tol` is absolute.
ZeroinResult Zeroin(absl::FunctionRef<double(double)> f, double a, double b, double fa, double fb,
                    double tol, int max_iterations);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_ZEROIN_H_
