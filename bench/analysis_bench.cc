// Benchmarks of one analysis without I/O: RunAnalysis end to end (render, fetch through an
// in-memory provider, preprocess, judge, score, decide) for 50 metrics of 600 points per side,
// and one ClassifyMannWhitney on 600 against 600. Target: under 5 ms for the 50 metrics.
//
//   cmake --preset release && cmake --build build/release --target analysis_bench
//   build/release/bin/analysis_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true    (one command line)
//
// Data: each metric's control is a latency-like series, 0.12 * exp(0.2 * N(0, 1)) per point, and
// its experiment the same with a +2% level (the interesting case: the judge has to compute
// everything; identical sides would take a shortcut). Fixed seed. Rate metrics answer with
// counts: 43,200 requests a side, 216 errors in the control and 240 in the experiment.
//
// The provider is a seam, not a network: it answers from a map keyed by the query text, filled
// before timing. It still copies each answer (QueryRange returns by value), as any provider hands
// over the points it parsed; that copy (100 series x 600 points, about 1 MB) is in the figures.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "analysis/analysis.h"
#include "bench/in_memory_provider.h"
#include "benchmark/benchmark.h"
#include "config/analysis_template.h"
#include "config/template_render.h"
#include "judges/mann_whitney_classifier.h"
#include "judges/pairwise_differences.h"
#include "providers/metric_provider.h"

namespace augur::analysis {
namespace {

using bench::InMemoryProvider;

constexpr int kMetrics = 50;
constexpr int kPoints = 600;
constexpr absl::Duration kStep = absl::Seconds(30);
const absl::Time kEnd = absl::FromUnixSeconds(1'800'000'000);
const absl::Time kStart = kEnd - kStep * (kPoints - 1);

QueryResult OneSeries(std::vector<Point> points) {
  QueryResult r;
  r.series.push_back(Series{{}, std::move(points)});
  return r;
}

QueryResult Latency(std::mt19937_64& rng, double level) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<Point> points(kPoints);
  for (int i = 0; i < kPoints; ++i) {
    points[i].timestamp_ms = absl::ToUnixMillis(kStart + kStep * i);
    points[i].value = level * 0.12 * std::exp(0.2 * normal(rng));
  }
  return OneSeries(std::move(points));
}

QueryResult Count(double value) { return OneSeries({Point{absl::ToUnixMillis(kEnd), value}}); }

enum class Mix { kAllMannWhitney, kMixed };

config::AnalysisTemplate MakeTemplate(Mix mix) {
  config::AnalysisTemplate t;
  t.name = "bench";
  t.args.push_back(config::TemplateArg{"service", std::nullopt, ""});
  t.step = kStep;
  for (int i = 0; i < kMetrics; ++i) {
    config::Metric m;
    m.name = absl::StrCat("metric-", i);
    m.group = absl::StrCat("group-", i % 5);
    const std::string selector = "{service=\"{{args.service}}\",version=\"{{scope}}\"}";
    if (mix == Mix::kMixed && i >= 40 && i < 45) {
      config::RateJudge rate;
      rate.events = absl::StrCat("sum(increase(errors_", i, "_total", selector, "[{{window}}]))");
      rate.total = absl::StrCat("sum(increase(requests_", i, "_total", selector, "[{{window}}]))");
      m.judge = rate;
    } else if (mix == Mix::kMixed && i >= 45) {
      m.query = absl::StrCat("latency_", i, selector);
      m.judge = config::KolmogorovSmirnovJudge{};
    } else {
      m.query = absl::StrCat("latency_", i, selector);
      config::MannWhitneyJudge mw;
      mw.direction = config::Direction::kIncrease;
      m.judge = mw;
    }
    t.metrics.push_back(std::move(m));
  }
  return t;
}

AnalysisRequest MakeRequest() {
  AnalysisRequest r;
  r.args = {{"service", "checkout"}};
  r.control_scope = "stable";
  r.experiment_scope = "canary";
  r.start = kStart;
  r.end = kEnd;
  return r;
}

// The template, and a provider holding an answer for every query it renders.
struct Setup {
  config::AnalysisTemplate t;
  InMemoryProvider provider;
};

// The queries RunAnalysis will send for MakeRequest(), rendered the same way.
std::vector<config::RenderedMetric> Render(const config::AnalysisTemplate& t) {
  const AnalysisRequest request = MakeRequest();
  config::RenderRequest render;
  render.args = request.args;
  render.control_scope = request.control_scope;
  render.experiment_scope = request.experiment_scope;
  render.window = request.end - request.start;
  auto rendered = config::RenderTemplate(t, render);
  if (!rendered.ok()) std::abort();
  return rendered->metrics;
}

void Fill(Setup& s) {
  std::mt19937_64 rng(20261122);
  for (const config::RenderedMetric& m : Render(s.t)) {
    if (!m.control_events.empty()) {
      s.provider.Set(m.control_events, Count(216));
      s.provider.Set(m.control_total, Count(43200));
      s.provider.Set(m.experiment_events, Count(240));
      s.provider.Set(m.experiment_total, Count(43200));
      continue;
    }
    s.provider.Set(m.control, Latency(rng, 1.0));
    s.provider.Set(m.experiment, Latency(rng, 1.02));
  }
}

Setup& GetSetup(Mix mix) {
  static Setup* setups = [] {
    auto* s = new Setup[2];
    for (Mix m : {Mix::kAllMannWhitney, Mix::kMixed}) {
      s[static_cast<int>(m)].t = MakeTemplate(m);
      Fill(s[static_cast<int>(m)]);
    }
    return s;
  }();
  return setups[static_cast<int>(mix)];
}

void RunAnalysisBench(benchmark::State& state, Mix mix, int judge_threads = 0) {
  Setup& s = GetSetup(mix);
  AnalysisRequest request = MakeRequest();
  request.judge_threads = judge_threads;
  for (auto _ : state) {
    auto result = RunAnalysis(s.t, request, s.provider);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(result->verdict);
  }
  auto result = RunAnalysis(s.t, request, s.provider);
  state.counters["metrics"] = static_cast<double>(result->metrics.size());
  state.SetLabel(VerdictName(result->verdict));
}

// 50 mannWhitney metrics (augur mode, direction increase, confidence 0.98).
void BM_RunAnalysis50MannWhitney(benchmark::State& state) {
  RunAnalysisBench(state, Mix::kAllMannWhitney);
}
// The same on one thread: the judging's own cost, without the cores.
void BM_RunAnalysis50MannWhitneyOneThread(benchmark::State& state) {
  RunAnalysisBench(state, Mix::kAllMannWhitney, 1);
}
// 40 mannWhitney, 5 rate, 5 kolmogorovSmirnov (asymptotic p-value: 600 x 600 is above the
// exact test's cap).
void BM_RunAnalysis50Mixed(benchmark::State& state) { RunAnalysisBench(state, Mix::kMixed); }

// What the provider costs inside the analysis: the 100 answers copied out of the map.
void BM_Fetch50MannWhitney(benchmark::State& state) {
  Setup& s = GetSetup(Mix::kAllMannWhitney);
  const AnalysisRequest request = MakeRequest();
  std::vector<providers::RangeQuery> queries;
  for (const config::RenderedMetric& m : Render(s.t)) {
    queries.push_back({m.control, request.start, request.end, kStep});
    queries.push_back({m.experiment, request.start, request.end, kStep});
  }
  for (auto _ : state) {
    auto answers = s.provider.QueryRangeAll(queries);
    benchmark::DoNotOptimize(answers.data());
  }
}

// One metric's judgement: 600 against 600 points, the defaults an analysis passes.
void BM_ClassifyMannWhitney600(benchmark::State& state) {
  std::mt19937_64 rng(20261122);
  const QueryResult c = Latency(rng, 1.0);
  const QueryResult e = Latency(rng, 1.02);
  std::vector<double> control, experiment;
  for (const Point& p : c.series[0].points) control.push_back(p.value);
  for (const Point& p : e.series[0].points) experiment.push_back(p.value);
  judges::MannWhitneyClassifierOptions options;
  options.direction = judges::Direction::kIncrease;
  options.mode = state.range(0) == 0 ? judges::MannWhitneyClassifierOptions::Mode::kAugur
                                     : judges::MannWhitneyClassifierOptions::Mode::kKayenta;
  for (auto _ : state) {
    auto j = judges::ClassifyMannWhitney(experiment, control, options);
    benchmark::DoNotOptimize(j.classification);
  }
  state.SetLabel(state.range(0) == 0 ? "mode augur" : "mode kayenta");
}

// The Judge RPC's unit of work (bench/judge_rpc.sh): one metric of 300 against 300 points drawn
// from one distribution, 0.1 * exp(0.1 * N(0, 1)), as judge_load sends them.
void BM_ClassifyMannWhitney300SameDistribution(benchmark::State& state) {
  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal;
  std::vector<double> control(300), experiment(300);
  for (double& v : control) v = 0.1 * std::exp(0.1 * normal(gen));
  for (double& v : experiment) v = 0.1 * std::exp(0.1 * normal(gen));
  judges::MannWhitneyClassifierOptions options;
  options.direction = judges::Direction::kIncrease;
  for (auto _ : state) {
    auto j = judges::ClassifyMannWhitney(experiment, control, options);
    benchmark::DoNotOptimize(j.classification);
  }
}

// The Judge RPC's whole judging step, one thread: JudgeAnswers on 10 Mann-Whitney metrics of
// 300 against 300 points (judge_load's data), scoring and deciding included.
void BM_JudgeAnswers10x300(benchmark::State& state) {
  config::AnalysisTemplate t;
  t.name = "bench-judge";
  std::vector<MetricAnswers> data(10);
  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal;
  for (int i = 0; i < 10; ++i) {
    config::Metric m;
    m.name = absl::StrCat("m", i);
    m.query = "unused";
    config::MannWhitneyJudge mw;
    mw.direction = config::Direction::kIncrease;
    mw.allowed_increase = 1.10;
    m.judge = mw;
    t.metrics.push_back(m);
    for (QueryResult* side : {&data[i].control, &data[i].experiment}) {
      std::vector<Point> points(300);
      for (int k = 0; k < 300; ++k) points[k] = Point{k * 1000, 0.1 * std::exp(0.1 * normal(gen))};
      *side = OneSeries(std::move(points));
    }
  }
  AnalysisRequest request;
  request.judge_threads = 1;
  for (auto _ : state) {
    auto result = JudgeAnswers(t, request, data);
    benchmark::DoNotOptimize(result->verdict);
  }
}

// Where that time goes: one order statistic of the 360,000 pairwise differences (the
// Hodges-Lehmann median; each interval bound is another), with the sweeps it takes.
void BM_PairwiseMedian600(benchmark::State& state) {
  std::mt19937_64 rng(20261122);
  const QueryResult c = Latency(rng, 1.0);
  const QueryResult e = Latency(rng, 1.02);
  std::vector<double> control, experiment;
  for (const Point& p : c.series[0].points) control.push_back(p.value);
  for (const Point& p : e.series[0].points) experiment.push_back(p.value);
  std::sort(control.begin(), control.end());
  std::sort(experiment.begin(), experiment.end());
  const judges::PairwiseDifferences diffs(experiment, control);
  for (auto _ : state) benchmark::DoNotOptimize(diffs.Median());
  state.counters["sweeps_per_median"] =
      static_cast<double>(diffs.sweeps()) / static_cast<double>(state.iterations());
}

// The machine is noisy (±2x): the figure to quote is the min over repetitions.
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
#define AUGUR_MIN ComputeStatistics("min", Min)

BENCHMARK(BM_RunAnalysis50MannWhitney)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_RunAnalysis50MannWhitneyOneThread)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_RunAnalysis50Mixed)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_Fetch50MannWhitney)->Unit(benchmark::kMillisecond)->AUGUR_MIN;
BENCHMARK(BM_ClassifyMannWhitney600)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->AUGUR_MIN;
BENCHMARK(BM_JudgeAnswers10x300)->Unit(benchmark::kMicrosecond)->AUGUR_MIN;
BENCHMARK(BM_ClassifyMannWhitney300SameDistribution)->Unit(benchmark::kMicrosecond)->AUGUR_MIN;
BENCHMARK(BM_PairwiseMedian600)->Unit(benchmark::kMicrosecond)->AUGUR_MIN;

}  // namespace
}  // namespace augur::analysis

BENCHMARK_MAIN();
