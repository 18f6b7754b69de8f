// Fetch and parse against a live Prometheus: one large query (1000 series × 1000 points), and
// an analysis-sized batch of 100 queries (10 series each over the last hour of the data at a 15 s
// step, 241 points: what one canary analysis asks for) run one after another and with
// QueryRangeAll's bounded parallelism. bench/compare_prometheus.sh starts the server,
// loads the data and sets:
//   AUGUR_BENCH_PROMETHEUS  the server's URL
//   AUGUR_BENCH_START, AUGUR_BENCH_END  the data's window (Unix seconds)
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "providers/prometheus/prometheus_provider.h"

namespace augur::providers {
namespace {

struct Setup {
  std::unique_ptr<PrometheusProvider> serial;
  std::unique_ptr<PrometheusProvider> parallel;
  absl::Time start, end;
  std::string error;
};

const Setup& GetSetup() {
  static const Setup* setup = [] {
    auto* s = new Setup;
    const char* url = std::getenv("AUGUR_BENCH_PROMETHEUS");
    const char* start = std::getenv("AUGUR_BENCH_START");
    const char* end = std::getenv("AUGUR_BENCH_END");
    int64_t start_s = 0, end_s = 0;
    if (url == nullptr || start == nullptr || end == nullptr ||
        !absl::SimpleAtoi(start, &start_s) || !absl::SimpleAtoi(end, &end_s)) {
      s->error = "run through bench/compare_prometheus.sh (AUGUR_BENCH_* not set)";
      return s;
    }
    s->start = absl::FromUnixSeconds(start_s);
    s->end = absl::FromUnixSeconds(end_s);
    for (int parallel : {1, 8}) {
      PrometheusOptions options;
      options.url = url;
      options.max_parallel = parallel;
      auto provider = PrometheusProvider::Create(options);
      if (!provider.ok()) {
        s->error = std::string(provider.status().message());
        return s;
      }
      (parallel == 1 ? s->serial : s->parallel) = *std::move(provider);
    }
    return s;
  }();
  return *setup;
}

std::vector<RangeQuery> Batch() {
  const Setup& s = GetSetup();
  std::vector<RangeQuery> queries;
  for (int shard = 0; shard < 100; ++shard) {
    queries.push_back(RangeQuery{absl::StrFormat("bench_latency{shard=\"s%02d\"}", shard),
                                 s.end - absl::Hours(1), s.end, absl::Seconds(15)});
  }
  return queries;
}

void CheckAll(benchmark::State& state, const std::vector<absl::StatusOr<QueryResult>>& results) {
  for (const auto& result : results) {
    if (!result.ok() || result->series.size() != 10) {
      state.SkipWithError(result.ok() ? "a query did not return 10 series"
                                      : std::string(result.status().message()).c_str());
      return;
    }
  }
}

void BM_FetchAndParse1000x1000(benchmark::State& state) {
  const Setup& s = GetSetup();
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  for (auto _ : state) {
    auto result = s.serial->QueryRange({"bench_latency", s.start, s.end, absl::Seconds(15)});
    if (!result.ok() || result->series.size() != 1000) {
      return state.SkipWithError("the large query failed");
    }
  }
}
BENCHMARK(BM_FetchAndParse1000x1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Batch100Serial(benchmark::State& state) {
  const Setup& s = GetSetup();
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const std::vector<RangeQuery> queries = Batch();
  for (auto _ : state) CheckAll(state, s.serial->QueryRangeAll(queries));
}
BENCHMARK(BM_Batch100Serial)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Batch100Parallel8(benchmark::State& state) {
  const Setup& s = GetSetup();
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const std::vector<RangeQuery> queries = Batch();
  for (auto _ : state) CheckAll(state, s.parallel->QueryRangeAll(queries));
}
BENCHMARK(BM_Batch100Parallel8)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace augur::providers

BENCHMARK_MAIN();
