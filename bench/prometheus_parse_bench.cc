// Parsing throughput of Prometheus API answers: a synthetic query_range answer of 1000 series
// × 1000 points (labels and values shaped like real latency series), and, when
// AUGUR_BENCH_BODY names a file, a body saved from a real server (bench/compare_prometheus.sh
// does that). Reports bytes/s and points/s.
//
//   cmake --preset release && cmake --build --preset release
//   build/release/bin/prometheus_parse_bench
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "providers/prometheus_response.h"

namespace augur::providers {
namespace {

std::string SyntheticBody(int series, int points) {
  std::mt19937_64 rng(20261122);
  std::lognormal_distribution<double> latency(-3.0, 0.5);
  std::string body = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (int s = 0; s < series; ++s) {
    if (s > 0) body.push_back(',');
    absl::StrAppendFormat(&body,
                          R"({"metric":{"__name__":"http_request_duration_seconds",)"
                          R"("instance":"10.1.%d.%d:8080","job":"checkout","pod":)"
                          R"("checkout-canary-7d9f8-%05d","version":"canary"},"values":[)",
                          s / 250, s % 250, s);
    for (int p = 0; p < points; ++p) {
      if (p > 0) body.push_back(',');
      absl::StrAppendFormat(&body, R"([%d,"%s"])", 1795369440 + 15 * p,
                            FormatSampleValue(latency(rng)));
    }
    body.append("]}");
  }
  body.append("]}}");
  return body;
}

void Parse(benchmark::State& state, const std::string& body) {
  int64_t points = 0;
  for (auto _ : state) {
    auto result = ParsePrometheusResponse(body);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    points = 0;
    for (const Series& series : result->series) points += series.points.size();
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(state.iterations() * points);
  state.counters["body_MB"] = static_cast<double>(body.size()) / 1e6;
}

void BM_ParseSynthetic1000x1000(benchmark::State& state) {
  static const std::string* body = new std::string(SyntheticBody(1000, 1000));
  Parse(state, *body);
}
BENCHMARK(BM_ParseSynthetic1000x1000)->Unit(benchmark::kMillisecond);

void BM_ParseSavedBody(benchmark::State& state) {
  static const std::string* body = [] {
    const char* path = std::getenv("AUGUR_BENCH_BODY");
    if (path == nullptr) return new std::string;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return new std::string(content.str());
  }();
  if (body->empty()) {
    state.SkipWithError("set AUGUR_BENCH_BODY to a saved query_range answer");
    return;
  }
  Parse(state, *body);
}
BENCHMARK(BM_ParseSavedBody)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace augur::providers

BENCHMARK_MAIN();
