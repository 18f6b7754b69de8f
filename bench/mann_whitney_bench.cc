// Benchmarks of the Mann-Whitney kernel at n = m = 1e3, 2e4 and 1e6: the p-value alone, the
// estimate alone, the interval alone, and the whole result (what `augur stats mann-whitney`
// computes). Data: experiment ~ N(0.05, 1), control ~ N(0, 1), continuous, fixed seed.
//
//   cmake --preset release && cmake --build --preset release
//   build/release/bin/mann_whitney_bench
#include <algorithm>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "judges/mann_whitney.h"
#include "judges/mann_whitney_distribution.h"
#include "judges/pairwise_differences.h"
#include "judges/shifted_rank_statistic.h"
#include "judges/sort_doubles.h"

namespace augur::judges {
namespace {

struct Data {
  std::vector<double> x, y;
};

const Data& Sample(int64_t n) {
  static std::vector<std::pair<int64_t, Data>>* cache = new std::vector<std::pair<int64_t, Data>>;
  for (const auto& [size, data] : *cache) {
    if (size == n) return data;
  }
  std::mt19937_64 rng(20261122);
  std::normal_distribution<double> normal(0.0, 1.0);
  Data d;
  d.x.resize(static_cast<size_t>(n));
  d.y.resize(static_cast<size_t>(n));
  for (double& v : d.x) v = normal(rng) + 0.05;
  for (double& v : d.y) v = normal(rng);
  cache->emplace_back(n, std::move(d));
  return cache->back().second;
}

// The whole result, default options (normal approximation, exact interval).
void BM_MannWhitneyWhole(benchmark::State& state) {
  const Data& d = Sample(state.range(0));
  for (auto _ : state) {
    auto r = MannWhitney(d.x, d.y);
    benchmark::DoNotOptimize(r);
  }
}

// The same with R's root-search interval (bit-identical to R).
void BM_MannWhitneyWholeRCompatible(benchmark::State& state) {
  const Data& d = Sample(state.range(0));
  MannWhitneyOptions options;
  options.interval = IntervalMethod::kRCompatible;
  for (auto _ : state) {
    auto r = MannWhitney(d.x, d.y, options);
    benchmark::DoNotOptimize(r);
  }
}

// Parts, each including the sort of both samples it needs.
void BM_PValue(benchmark::State& state) {
  const Data& d = Sample(state.range(0));
  for (auto _ : state) {
    std::vector<double> x = d.x, y = d.y;
    SortDoubles(x);
    SortDoubles(y);
    benchmark::DoNotOptimize(ShiftedRankStatistic(x, y).At(0.0));
  }
}

void BM_Estimate(benchmark::State& state) {
  const Data& d = Sample(state.range(0));
  for (auto _ : state) {
    std::vector<double> x = d.x, y = d.y;
    SortDoubles(x);
    SortDoubles(y);
    benchmark::DoNotOptimize(PairwiseDifferences(x, y).Median());
  }
}

void BM_IntervalBound(benchmark::State& state) {
  const Data& d = Sample(state.range(0));
  std::vector<double> x = d.x, y = d.y;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const PairwiseDifferences diffs(x, y);
  // The rank of a 95% lower bound for n = m (normal approximation).
  const double nm = static_cast<double>(diffs.size());
  const double sigma = std::sqrt(nm * (2.0 * static_cast<double>(x.size()) + 1.0) / 12.0);
  const int64_t k = static_cast<int64_t>(nm / 2.0 - 1.96 * sigma);
  for (auto _ : state) benchmark::DoNotOptimize(diffs.Select(k));
  state.counters["sweeps_per_select"] =
      static_cast<double>(diffs.sweeps()) / static_cast<double>(state.iterations());
}

// The exact null distribution, built for `exact: always` (and for n, m < 50 under auto).
void BM_ExactDistribution(benchmark::State& state) {
  for (auto _ : state) {
    auto d = MannWhitneyDistribution::Create(state.range(0), state.range(0));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_ExactDistribution)->Arg(49)->Arg(200)->Arg(400)->Unit(benchmark::kMillisecond);

#define AUGUR_SIZES Arg(1000)->Arg(20000)->Arg(1000000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_MannWhitneyWhole)->AUGUR_SIZES;
BENCHMARK(BM_MannWhitneyWholeRCompatible)->AUGUR_SIZES;
BENCHMARK(BM_PValue)->AUGUR_SIZES;
BENCHMARK(BM_Estimate)->AUGUR_SIZES;
BENCHMARK(BM_IntervalBound)->AUGUR_SIZES;

}  // namespace
}  // namespace augur::judges

BENCHMARK_MAIN();
