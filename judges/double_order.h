// An order-preserving map between doubles and 64-bit unsigned integers: a < b for doubles (not
// NaN) exactly when DoubleOrderKey(a) < DoubleOrderKey(b), with -0.0 just below +0.0. Radix
// sorting and bisection in the order of doubles both rest on it.
#ifndef AUGUR_JUDGES_DOUBLE_ORDER_H_
#define AUGUR_JUDGES_DOUBLE_ORDER_H_

#include <bit>
#include <cstdint>

namespace augur::judges {

// Without a branch (negatives flip every bit, the rest only the sign), so that sweeps and radix
// passes over mixed signs do not mispredict.
inline uint64_t DoubleOrderKey(double v) {
  constexpr uint64_t kSign = uint64_t{1} << 63;
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  const uint64_t negative = static_cast<uint64_t>(static_cast<int64_t>(bits) >> 63);
  return bits ^ (negative | kSign);
}

inline double DoubleFromOrderKey(uint64_t key) {
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return std::bit_cast<double>((key & kSign) ? key & ~kSign : ~key);
}

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_DOUBLE_ORDER_H_
