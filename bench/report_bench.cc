// Rendering reports from a result document (report/report.h): 50 metrics x 2 sides x 1000
// points, every metric a Mann-Whitney judgement with an interval, series included. Target for
// the HTML: under 200 ms and under 5 MB. The time covers what `augur report` does after reading
// the file: parsing the JSON document and rendering.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analysis/analysis.h"
#include "analysis/result_format.h"
#include "benchmark/benchmark.h"
#include "report/report.h"

namespace augur {
namespace {

std::string Document() {
  analysis::AnalysisResult r;
  r.verdict = analysis::Verdict::kAbort;
  r.reason = "critical metric failed: m0 HIGH";
  r.template_name = "bench-report";
  r.control_scope = "stable";
  r.experiment_scope = "canary";
  r.end = absl::FromUnixSeconds(1'763'856'000);
  r.start = r.end - absl::Seconds(1000 * 15);
  r.step = absl::Seconds(15);
  r.provider = "prometheus http://127.0.0.1:9090";
  for (int i = 0; i < 50; ++i) {
    analysis::MetricResult m;
    m.name = absl::StrCat("m", i, "{route=\"/api/v1/items\"}");
    m.metric = absl::StrCat("m", i);
    m.group = absl::StrCat("g", i % 5);
    m.judge = "mannWhitney";
    m.judgement.classification =
        i % 7 == 0 ? judges::Classification::kHigh : judges::Classification::kPass;
    m.judgement.reason = "canary +4.1% (98% CI +2.0%..+6.3%), p=0.0002, mean ratio 1.04";
    m.judgement.p_value = 0.0002;
    m.judgement.estimate = 0.004;
    m.judgement.ci_low = 0.002;
    m.judgement.ci_high = 0.0063;
    m.judgement.effect_size = 1.04;
    m.judgement.relative_estimate = 0.041;
    m.judgement.relative_ci_low = 0.02;
    m.judgement.relative_ci_high = 0.063;
    m.control.count = m.experiment.count = 1000;
    m.control.median = 0.1;
    m.experiment.median = 0.104;
    for (int k = 0; k < 1000; ++k) {
      const int64_t t = absl::ToUnixMillis(r.start) + int64_t{k} * 15000;
      m.control_series.push_back(Point{t, 0.1 * std::exp(0.1 * std::sin(1.3 * k + i))});
      m.experiment_series.push_back(Point{t, 0.104 * std::exp(0.1 * std::sin(1.7 * k + i))});
    }
    m.queries = {
        {"control", absl::StrCat("histogram_quantile(0.99, m", i, "{version=\"stable\"})")},
        {"experiment", absl::StrCat("histogram_quantile(0.99, m", i, "{version=\"canary\"})")}};
    r.metrics.push_back(std::move(m));
  }
  return analysis::ResultJson(r);
}

void Render(benchmark::State& state, report::Format format) {
  const std::string doc = Document();
  size_t bytes = 0;
  for (auto _ : state) {
    auto out = report::Render(doc, format, "bench");
    if (!out.ok()) {
      state.SkipWithError(std::string(out.status().message()).c_str());
      return;
    }
    bytes = out->size();
    benchmark::DoNotOptimize(out->data());
  }
  state.counters["output_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["input_MB"] = static_cast<double>(doc.size()) / 1e6;
}

void BM_ReportHtml50x2x1000(benchmark::State& state) { Render(state, report::Format::kHtml); }
void BM_ReportMarkdown50x2x1000(benchmark::State& state) {
  Render(state, report::Format::kMarkdown);
}
void BM_ReportJunit50x2x1000(benchmark::State& state) { Render(state, report::Format::kJunit); }

// The machine is noisy (±2x): the figure to quote is the min over repetitions.
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
#define AUGUR_MIN ComputeStatistics("min", Min)

BENCHMARK(BM_ReportHtml50x2x1000)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_ReportMarkdown50x2x1000)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_ReportJunit50x2x1000)->Unit(benchmark::kMillisecond)->AUGUR_MIN;

}  // namespace
}  // namespace augur

BENCHMARK_MAIN();
