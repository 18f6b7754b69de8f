#include "judges/sort_doubles.h"

#include <algorithm>
#include <array>
#include <bit>
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

// Counting-sort pass on the top bits of (key - min key), about one bucket per value, then an
// insertion sort of the nearly sorted result: each value moves only within its bucket. Data of
// metric windows (smooth in the order of doubles, which is close to logarithmic in value) leave
// a value or two per bucket, so this is about two linear passes: 2.8 us for 300 latency-like
// values against 3.6 for the radix sort. Returns false, having changed nothing, when some bucket
// holds more than kMaxBucket values (clustered data), where insertion would go quadratic.
bool BucketSort(std::vector<double>& values) {
  constexpr uint32_t kMaxBucket = 32;
  const size_t n = values.size();
  std::vector<uint64_t> keys(n);
  uint64_t lo = ~uint64_t{0};
  uint64_t hi = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = DoubleOrderKey(values[i]);
    keys[i] = k;
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  const int range_bits = std::bit_width(hi - lo);
  const int bucket_bits = std::bit_width(n);  // n <= 2^bucket_bits < 2n buckets
  const int shift = std::max(range_bits - bucket_bits, 0);
  const size_t buckets = static_cast<size_t>((hi - lo) >> shift) + 1;
  std::vector<uint32_t> starts(buckets + 1, 0);
  for (const uint64_t k : keys) ++starts[((k - lo) >> shift) + 1];
  uint32_t biggest = 0;
  for (size_t b = 1; b <= buckets; ++b) {
    biggest = std::max(biggest, starts[b]);
    starts[b] += starts[b - 1];
  }
  if (biggest > kMaxBucket) return false;
  std::vector<uint64_t> sorted(n);
  for (const uint64_t k : keys) sorted[starts[(k - lo) >> shift]++] = k;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t k = sorted[i];
    size_t j = i;
    while (j > 0 && sorted[j - 1] > k) {
      sorted[j] = sorted[j - 1];
      --j;
    }
    sorted[j] = k;
  }
  for (size_t i = 0; i < n; ++i) values[i] = DoubleFromOrderKey(sorted[i]);
  return true;
}

}  // namespace

void SortDoubles(std::vector<double>& values) {
  // Judges hand each other sorted samples (the classifier to the kernel): one pass to see it.
  if (std::is_sorted(values.begin(), values.end())) return;
  if (values.size() < kRadixThreshold) {
    std::sort(values.begin(), values.end());
  } else if (values.size() <= kSmallDigitLimit) {
    if (!BucketSort(values)) RadixSort<8>(values);
  } else {
    RadixSort<11>(values);
  }
}

}  // namespace augur::judges
