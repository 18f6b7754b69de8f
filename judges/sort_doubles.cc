#include "judges/sort_doubles.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "judges/double_order.h"

namespace augur::judges {
namespace {

// Below this size std::sort wins (the histograms cost more than the comparisons).
constexpr size_t kRadixThreshold = size_t{1} << 16;
constexpr int kDigitBits = 11;
constexpr int kPasses = (64 + kDigitBits - 1) / kDigitBits;  // 6
constexpr size_t kBuckets = size_t{1} << kDigitBits;

}  // namespace

void SortDoubles(std::vector<double>& values) {
  // Judges hand each other sorted samples (the classifier to the kernel): one pass to see it.
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixThreshold) {
    std::sort(values.begin(), values.end());
    return;
  }
  const size_t n = values.size();
  std::vector<uint64_t> keys(n);
  std::vector<uint64_t> buffer(n);
  std::array<std::array<uint64_t, kBuckets>, kPasses> counts{};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = DoubleOrderKey(values[i]);
    keys[i] = k;
    for (int p = 0; p < kPasses; ++p) ++counts[p][(k >> (p * kDigitBits)) & (kBuckets - 1)];
  }
  for (int p = 0; p < kPasses; ++p) {
    // A digit every key shares (typical of the high digits of a narrow range) needs no pass.
    const uint64_t shared_digit = (keys[0] >> (p * kDigitBits)) & (kBuckets - 1);
    if (counts[p][shared_digit] == n) continue;
    uint64_t offset = 0;
    for (uint64_t& c : counts[p]) {
      const uint64_t count = c;
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

}  // namespace augur::judges
