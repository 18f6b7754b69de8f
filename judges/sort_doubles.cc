#include "judges/sort_doubles.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "judges/double_order.h"

namespace augur::judges {
namespace {

// Below this size std::sort wins (the histograms cost more than the comparisons).
constexpr size_t kRadixThreshold = 64;
// Up to this size 8-bit digits (256 buckets, 8 passes); above, 11-bit ones (2048 buckets, 6
// passes), whose larger histograms pay off only on large inputs.
constexpr size_t kSmallDigitLimit = size_t{1} << 16;

// LSD radix sort on the order keys of doubles. std::sort mispredicts about every other
// comparison on fresh data (about 20 us for 600 values); the passes here have no data-dependent
// branch, and a digit that every key shares (the sign and exponent of a narrow range) costs no
// pass.
template <int kDigitBits>
void RadixSort(std::vector<double>& values) {
  constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;
  constexpr size_t kBuckets = size_t{1} << kDigitBits;
  const size_t n = values.size();
  std::vector<uint64_t> keys(n);
  std::vector<uint64_t> buffer(n);
  std::array<std::array<uint32_t, kBuckets>, kPasses> counts{};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = DoubleOrderKey(values[i]);
    keys[i] = k;
    for (int p = 0; p < kPasses; ++p) ++counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  for (int p = 0; p < kPasses; ++p) {
    const uint64_t shared_digit = (keys[0] >> (p * kDigitBits)) & (kBuckets - 1);
    if (counts[p][shared_digit] == n) continue;
    uint32_t offset = 0;
    for (uint32_t& c : counts[p]) {
      const uint32_t count = c;
      c = offset;
      offset += count;
    }
    for (size_t i = 0; i < n; ++i) {
      const uint64_t k = keys[i];
      buffer[counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)]++] = k;
    }
    keys.swap(buffer);
  }
  for (size_t i = 0; i < n; ++i) values[i] = DoubleFromOrderKey(keys[i]);
}

}  // namespace

void SortDoubles(std::vector<double>& values) {
  // Judges hand each other sorted samples (the classifier to the kernel): one pass to see it.
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixThreshold) {
    std::sort(values.begin(), values.end());
  } else if (values.size() <= kSmallDigitLimit) {
    RadixSort<8>(values);
  } else {
    RadixSort<11>(values);
  }
}

}  // namespace augur::judges
