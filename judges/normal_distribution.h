// The standard normal distribution: its quantile function and tail probabilities.
//
// Pure functions, thread-safe, deterministic to the bit on IEEE-754 doubles.
#ifndef AUGUR_JUDGES_NORMAL_DISTRIBUTION_H_
#define AUGUR_JUDGES_NORMAL_DISTRIBUTION_H_

namespace augur::judges {

// The p-quantile of N(0, 1): z with P(Z <= z) = p, or with P(Z > z) = p when `lower_tail` is
// false. Wichura's algorithm AS 241 (PPND16, Applied Statistics 37:477-484, 1988), accurate to
// about 1e-16 relative. The upper-tail form forms 1 - p as (0.5 - p) + 0.5 before the central
// branch, which is how R's qnorm(p, lower.tail = FALSE) arrives at its (bit-identical) values.
// Returns -inf for p == 0 and +inf for p == 1 (lower tail); NaN for p outside [0, 1] or NaN.
double NormalQuantile(double p, bool lower_tail = true);

// P(Z <= z) for Z ~ N(0, 1). Through erfc, with the rounding of z / sqrt(2) corrected, so both
// tails keep full relative accuracy (within 1e-14 of R's pnorm down to 1e-300).
double NormalCdf(double z);

// P(Z > z) for Z ~ N(0, 1), likewise accurate in the far upper tail.
double NormalUpperTail(double z);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_NORMAL_DISTRIBUTION_H_
