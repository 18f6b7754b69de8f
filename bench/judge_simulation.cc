// judge_simulation: how often the judges decide right on realistic synthetic windows, augur's
// defaults beside a Kayenta-equivalent configuration. Deterministic: the same flags print the
// same bytes (on one libm).
//
//   cmake --preset release && cmake --build build/release --target judge_simulation
//   build/release/bin/judge_simulation [--windows 1000] [--seed 1] [--rho 0.8] [--sigma 0.1]
//                                      [--pod-offset 0.03] [--pods 3]
//   build/release/bin/judge_simulation --grid [--windows 200]   # docs/decision-quality.md
//
// Each window is one hour at a 30 s step: 120 points per side. Each side runs 3 pods (--pods).
//   * Latency (a p99-like gauge, seconds): pod p at step t reports
//       0.25 * (1 + o_p) * (1 + shift) * exp(e_t),
//     o_p ~ Uniform(-3%, +3%) fixed for the window (a per-pod difference), and e an AR(1)
//     process moving at every 15 s scrape, e_s = rho * e_(s-1) + sigma * sqrt(1 - rho^2) * z_s,
//     started stationary, z Student-t innovations of 3 degrees of freedom scaled to unit
//     variance (heavy tails); a 30 s step reads its last scrape, so rho between steps is rho^2.
//     Each pod has its own noise. The default query's series is the mean over the side's pods;
//     the per-pod query returns one series per pod (label pod).
//   * Errors: each pod serves 60 requests every 15 s (240 scrapes, 14,400 requests an hour);
//     each fails with probability 0.5% * (1 + o'_p) * ratio, o'_p another pod offset. The window's
//     counts and each step's counts are both served.
// Window kinds (N windows each): A/A (identical versions), latency +10%, latency +20% (shift on
// the canary), errors x2 (ratio 2 on the canary). In the shifted kinds the other metric is A/A.
//
// Each window is judged through RunAnalysis with an in-memory provider (a seam, not a network),
// so the decision rules are exactly the analysis' own:
//   augur defaults   latency: mannWhitney with the defaults (mode augur, confidence 0.98,
//            tolerance 0.25, autocorrelation adjust), direction increase, on the mean series;
//            errors: the rate judge (exact conditional Poisson test, 95%, minTotal 200,
//            dispersion ignore); errorControl holm.
//   instances        the same with the per-pod latency series and instances: pod.
//   independent      (--grid: not shown) autocorrelation ignore, errorControl none: augur
//            before calibration.
//   kayenta  latency: mannWhitney mode kayenta, confidence 0.98, tolerance 0.25, direction
//            increase; errors: Kayenta has no count test, so the same mannWhitney runs on the
//            per-step error ratio; errorControl none.
//   allowedIncrease 1.10   (not a default) the latency judge's mean-ratio gate raised, as
//            examples/templates/http-service.yaml does.
// Every template holds the two metrics with default scoring (pass 95, marginal 75): one HIGH
// scores 50 and the verdict is ABORT. Detection is the verdict ABORT.
//
// Reported per configuration: the false-ABORT rate on A/A windows (and which metric raised it),
// and the detection rate (the shifted metric's HIGH) for each regression, with 95% Wilson score
// intervals (E. B. Wilson, "Probable inference, the law of succession, and statistical
// inference", JASA 22:209-212, 1927).
//
// Randomness: splitmix64 seeds one xoshiro256** stream per window (from the seed, the window's
// kind and its index), so window i is the same whatever --windows is; normals by Box-Muller,
// binomial counts by inversion. No std:: distribution is used: their algorithms are not fixed
// by the standard.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "analysis/analysis.h"
#include "bench/in_memory_provider.h"
#include "config/analysis_template.h"
#include "core/time_parse.h"
#include "providers/metric_provider.h"

namespace augur::simulation {
namespace {

using bench::InMemoryProvider;

constexpr double kPi = 3.14159265358979323846;

// ---- Random numbers.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro256starstar.c).
class Random {
 public:
  explicit Random(uint64_t seed) {
    for (uint64_t& word : s_) word = SplitMix64(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform on (0, 1): 53 random bits, never 0 (Box-Muller takes its logarithm).
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    const double theta = 2.0 * kPi * Uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

  // Student's t with 3 degrees of freedom, divided by sqrt(3) for unit variance.
  double StudentT3UnitVariance() {
    const double z = Normal();
    double chi2 = 0;
    for (int i = 0; i < 3; ++i) {
      const double g = Normal();
      chi2 += g * g;
    }
    return z / std::sqrt(chi2);  // = (z / sqrt(chi2 / 3)) / sqrt(3)
  }

  // Binomial(n, p) by inversion of its distribution function: O(n p) steps, ~1 here.
  int64_t Binomial(int64_t n, double p) {
    const double u = Uniform();
    const double odds = p / (1.0 - p);
    double probability = std::pow(1.0 - p, static_cast<double>(n));
    double cumulative = probability;
    int64_t k = 0;
    while (u > cumulative && k < n) {
      probability *= odds * static_cast<double>(n - k) / static_cast<double>(k + 1);
      ++k;
      cumulative += probability;
    }
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// ---- The synthetic service.

struct Model {
  double rho = 0.8;            // AR(1) autocorrelation between 15 s scrapes
  double sigma = 0.1;          // stationary sd of the log-latency noise, per pod
  double pod_offset = 0.03;    // pod offsets ~ Uniform(-pod_offset, +pod_offset)
  double base_latency = 0.25;  // seconds
  double error_rate = 0.005;
  int64_t requests_per_scrape = 60;
  int pods = 3;
  int points = 120;          // 30 s steps in an hour
  int scrapes_per_step = 2;  // 15 s scrapes
};

struct Side {
  std::vector<std::vector<double>> pod_latency;  // per pod, per step
  std::vector<double> latency;                   // mean over pods, per step
  std::vector<double> error_ratio;               // per step
  std::vector<double> step_errors, step_requests;
  int64_t errors = 0;
  int64_t requests = 0;
};

Side SimulateSide(Random& rng, const Model& model, double latency_shift, double error_ratio) {
  Side side;
  side.latency.assign(model.points, 0.0);
  side.step_errors.assign(model.points, 0.0);
  const double innovation = model.sigma * std::sqrt(1.0 - model.rho * model.rho);
  for (int pod = 0; pod < model.pods; ++pod) {
    const double offset = model.pod_offset * (2.0 * rng.Uniform() - 1.0);
    const double level = model.base_latency * (1.0 + offset) * (1.0 + latency_shift);
    // The noise moves at every 15 s scrape; a 30 s step reads the step's last scrape, as a
    // range query of a gauge does.
    double e = model.sigma * rng.StudentT3UnitVariance();
    std::vector<double> series(model.points);
    for (int t = 0; t < model.points; ++t) {
      for (int s = 0; s < model.scrapes_per_step; ++s) {
        if (t > 0 || s > 0) e = model.rho * e + innovation * rng.StudentT3UnitVariance();
      }
      series[t] = level * std::exp(e);
      side.latency[t] += series[t] / model.pods;
    }
    side.pod_latency.push_back(std::move(series));
    const double error_offset = model.pod_offset * (2.0 * rng.Uniform() - 1.0);
    const double p = model.error_rate * (1.0 + error_offset) * error_ratio;
    for (int t = 0; t < model.points; ++t) {
      for (int s = 0; s < model.scrapes_per_step; ++s) {
        side.step_errors[t] += static_cast<double>(rng.Binomial(model.requests_per_scrape, p));
      }
    }
  }
  const double step_requests =
      static_cast<double>(model.requests_per_scrape * model.scrapes_per_step * model.pods);
  side.error_ratio.resize(model.points);
  side.step_requests.assign(model.points, step_requests);
  for (int t = 0; t < model.points; ++t) {
    side.error_ratio[t] = side.step_errors[t] / step_requests;
    side.errors += static_cast<int64_t>(side.step_errors[t]);
    side.requests += static_cast<int64_t>(step_requests);
  }
  return side;
}

// ---- The analysis, fed from memory.

constexpr absl::Duration kStep = absl::Seconds(30);
const absl::Time kEnd = absl::FromUnixSeconds(1'800'000'000);

QueryResult ToResult(const std::vector<double>& values) {
  QueryResult r;
  r.series.emplace_back();
  const int64_t n = static_cast<int64_t>(values.size());
  for (int64_t i = 0; i < n; ++i) {
    r.series[0].points.push_back(Point{absl::ToUnixMillis(kEnd - kStep * (n - 1 - i)), values[i]});
  }
  return r;
}

QueryResult CountResult(int64_t value) { return ToResult({static_cast<double>(value)}); }

// Every template below uses these queries; {{window}} is the window for the counts and the
// step for their per-step form (the rate judge's dispersion).
constexpr char kLatency[] = "latency{version=\"{{scope}}\"}";
constexpr char kPodLatency[] = "latency_by_pod{version=\"{{scope}}\"}";
constexpr char kErrorRatio[] = "error_ratio{version=\"{{scope}}\"}";
constexpr char kErrors[] = "errors{version=\"{{scope}}\"}[{{window}}]";
constexpr char kRequests[] = "requests{version=\"{{scope}}\"}[{{window}}]";

std::string Render(const std::string& query, const std::string& scope, absl::Duration window) {
  return absl::StrReplaceAll(query,
                             {{"{{scope}}", scope}, {"{{window}}", FormatPromDuration(window)}});
}

void Load(InMemoryProvider& provider, const std::string& scope, const Side& side,
          absl::Duration window) {
  provider.Set(Render(kLatency, scope, window), ToResult(side.latency));
  provider.Set(Render(kErrorRatio, scope, window), ToResult(side.error_ratio));
  QueryResult pods;
  for (size_t p = 0; p < side.pod_latency.size(); ++p) {
    QueryResult one = ToResult(side.pod_latency[p]);
    one.series[0].labels = {{"pod", absl::StrCat(scope, "-", p)}};
    pods.series.push_back(std::move(one.series[0]));
  }
  provider.Set(Render(kPodLatency, scope, window), std::move(pods));
  provider.Set(Render(kErrors, scope, window), CountResult(side.errors));
  provider.Set(Render(kRequests, scope, window), CountResult(side.requests));
  // Per step: the analysis asks from start + step, one point per step.
  std::vector<double> errors(side.step_errors.begin() + 1, side.step_errors.end());
  std::vector<double> requests(side.step_requests.begin() + 1, side.step_requests.end());
  provider.Set(Render(kErrors, scope, kStep), ToResult(errors));
  provider.Set(Render(kRequests, scope, kStep), ToResult(requests));
}

config::Metric ErrorsMetric() {
  config::Metric errors;
  errors.name = "errors";
  config::RateJudge rate;
  rate.events = kErrors;
  rate.total = kRequests;
  rate.direction = config::Direction::kIncrease;
  errors.judge = rate;
  return errors;
}

// augur's defaults: Mann-Whitney on the side's mean latency (one series a side, autocorrelation
// adjusted), the rate judge with its dispersion, Holm across the two.
config::AnalysisTemplate AugurTemplate(double allowed_increase = 1.0) {
  config::AnalysisTemplate t;
  t.name = "augur";
  t.step = kStep;
  config::Metric latency;
  latency.name = "latency";
  latency.query = kLatency;
  config::MannWhitneyJudge mw;
  mw.direction = config::Direction::kIncrease;
  mw.allowed_increase = allowed_increase;
  latency.judge = mw;
  t.metrics = {latency, ErrorsMetric()};
  return t;
}

// The instance-aware comparison: one latency series per pod, pods as clusters.
config::AnalysisTemplate InstancesTemplate() {
  config::AnalysisTemplate t = AugurTemplate();
  t.name = "augur-instances";
  t.metrics[0].query = kPodLatency;
  t.metrics[0].instances = "pod";
  return t;
}

// Before calibration: independent samples, no dispersion, no error control.
config::AnalysisTemplate IndependentTemplate() {
  config::AnalysisTemplate t = AugurTemplate();
  t.name = "augur-independent";
  std::get<config::MannWhitneyJudge>(t.metrics[0].judge).adjust_autocorrelation = false;
  std::get<config::RateJudge>(t.metrics[1].judge).adjust_dispersion = false;
  t.error_control = config::ErrorControl::kNone;
  return t;
}

config::AnalysisTemplate KayentaTemplate() {
  config::AnalysisTemplate t;
  t.name = "kayenta-equivalent";
  t.step = kStep;
  t.error_control = config::ErrorControl::kNone;
  config::MannWhitneyJudge mw;
  mw.direction = config::Direction::kIncrease;
  mw.mode = config::MannWhitneyJudge::Mode::kKayenta;
  mw.adjust_autocorrelation = false;
  mw.confidence = 0.98;
  mw.tolerance = 0.25;
  config::Metric latency;
  latency.name = "latency";
  latency.query = kLatency;
  latency.judge = mw;
  config::Metric errors;
  errors.name = "errors";
  errors.query = kErrorRatio;
  errors.judge = mw;
  t.metrics = {latency, errors};
  return t;
}

// ---- Counting outcomes.

struct Proportion {
  int64_t hits = 0;
  int64_t trials = 0;
};

// "4.2% [3.1, 5.6]": the rate and its 95% Wilson score interval, in per cent.
std::string Format(const Proportion& p) {
  if (p.trials == 0) return "-";
  const double z = 1.959963984540054;
  const double n = static_cast<double>(p.trials);
  const double phat = static_cast<double>(p.hits) / n;
  const double center = (phat + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z / (1 + z * z / n) * std::sqrt(phat * (1 - phat) / n + z * z / (4 * n * n));
  return absl::StrFormat("%.1f%% [%.1f, %.1f]", 100 * phat, 100 * std::max(0.0, center - half),
                         100 * std::min(1.0, center + half));
}

enum Kind { kAa, kLatency10, kLatency20, kErrors2x, kKinds };

struct Tally {
  Proportion abort_aa, promote_aa, latency_high_aa, errors_high_aa;
  Proportion latency10, latency20, errors2x;                 // ABORT
  Proportion latency10_high, latency20_high, errors2x_high;  // the shifted metric's HIGH
  int64_t nodata = 0, errors = 0;                            // NODATA or ERROR classifications
};

judges::Classification Of(const analysis::AnalysisResult& r, const std::string& metric) {
  for (const analysis::MetricResult& m : r.metrics) {
    if (m.metric == metric) return m.judgement.classification;
  }
  return judges::Classification::kError;
}

void Record(Tally& tally, Kind kind, const analysis::AnalysisResult& r) {
  const auto latency = Of(r, "latency");
  const auto errors = Of(r, "errors");
  for (auto c : {latency, errors}) {
    if (c == judges::Classification::kNoData) ++tally.nodata;
    if (c == judges::Classification::kError) ++tally.errors;
  }
  auto add = [](Proportion& p, bool hit) {
    ++p.trials;
    if (hit) ++p.hits;
  };
  const bool latency_high = latency == judges::Classification::kHigh;
  const bool errors_high = errors == judges::Classification::kHigh;
  switch (kind) {
    case kAa:
      add(tally.abort_aa, r.verdict == analysis::Verdict::kAbort);
      add(tally.promote_aa, r.verdict == analysis::Verdict::kPromote);
      add(tally.latency_high_aa, latency_high);
      add(tally.errors_high_aa, errors_high);
      break;
    case kLatency10:
    case kLatency20:
      add(kind == kLatency10 ? tally.latency10 : tally.latency20,
          r.verdict == analysis::Verdict::kAbort);
      add(kind == kLatency10 ? tally.latency10_high : tally.latency20_high, latency_high);
      break;
    case kErrors2x:
      add(tally.errors2x, r.verdict == analysis::Verdict::kAbort);
      add(tally.errors2x_high, errors_high);
      break;
    case kKinds:
      break;
  }
}

uint64_t WindowSeed(uint64_t seed, int kind, int64_t index) {
  uint64_t a = seed;
  uint64_t b = (static_cast<uint64_t>(kind) << 40) ^ static_cast<uint64_t>(index);
  return SplitMix64(a) ^ SplitMix64(b);
}

using Configurations = std::vector<std::pair<std::string, config::AnalysisTemplate>>;

// Every window kind under every configuration: one tally per configuration. Empty on an error
// (printed).
std::vector<Tally> Simulate(int64_t windows, uint64_t seed, const Model& model,
                            const Configurations& configurations) {
  std::vector<Tally> tallies(configurations.size());
  analysis::AnalysisRequest request;
  request.control_scope = "stable";
  request.experiment_scope = "canary";
  request.end = kEnd;
  request.start = kEnd - kStep * (model.points - 1);
  InMemoryProvider provider;
  for (int kind = 0; kind < kKinds; ++kind) {
    const double shift = kind == kLatency10 ? 0.10 : kind == kLatency20 ? 0.20 : 0.0;
    const double ratio = kind == kErrors2x ? 2.0 : 1.0;
    for (int64_t w = 0; w < windows; ++w) {
      Random rng(WindowSeed(seed, kind, w));
      Load(provider, "stable", SimulateSide(rng, model, 0.0, 1.0), request.end - request.start);
      Load(provider, "canary", SimulateSide(rng, model, shift, ratio), request.end - request.start);
      for (size_t c = 0; c < configurations.size(); ++c) {
        auto result = analysis::RunAnalysis(configurations[c].second, request, provider);
        if (!result.ok()) {
          std::cerr << "judge_simulation: " << result.status() << "\n";
          return {};
        }
        Record(tallies[c], static_cast<Kind>(kind), *result);
      }
    }
  }
  return tallies;
}

int Run(int64_t windows, uint64_t seed, const Model& model) {
  const auto started = std::chrono::steady_clock::now();
  const Configurations configurations = {
      {"augur defaults (mannWhitney + rate, Holm)", AugurTemplate()},
      {"augur, instances: pod (per-pod latency series)", InstancesTemplate()},
      {"augur, independent samples, no Holm (before calibration)", IndependentTemplate()},
      {"Kayenta-equivalent (mannWhitney mode kayenta on both)", KayentaTemplate()},
      {"augur, latency allowedIncrease 1.10", AugurTemplate(1.10)},
  };
  const std::vector<Tally> tallies = Simulate(windows, seed, model, configurations);
  if (tallies.empty()) return 1;

  std::cout << absl::StrFormat(
      "%d windows per kind, seed %d; 1 h at 30 s (%d points a side), %d pods a side;\n"
      "latency: AR(1) rho %g per 15 s scrape (%.3g per 30 s step), sigma %g, t(3) innovations, "
      "pod offsets ±%g%%; errors: %.2g%% of %d requests per pod every 15 s\n\n",
      windows, seed, model.points, model.pods, model.rho, model.rho * model.rho, model.sigma,
      100 * model.pod_offset, 100 * model.error_rate, model.requests_per_scrape);
  std::cout << "Rates with 95% Wilson intervals, in per cent.\n\n";
  std::cout << "| configuration | A/A: false ABORT | A/A: PROMOTE | A/A: latency HIGH | "
               "A/A: errors HIGH | latency +10%: ABORT | latency +20%: ABORT | errors x2: "
               "ABORT |\n";
  std::cout << "|---|---|---|---|---|---|---|---|\n";
  for (size_t c = 0; c < configurations.size(); ++c) {
    const Tally& t = tallies[c];
    std::cout << "| " << configurations[c].first << " | " << Format(t.abort_aa) << " | "
              << Format(t.promote_aa) << " | " << Format(t.latency_high_aa) << " | "
              << Format(t.errors_high_aa) << " | " << Format(t.latency10) << " | "
              << Format(t.latency20) << " | " << Format(t.errors2x) << " |\n";
  }
  std::cout << "\n";
  for (size_t c = 0; c < configurations.size(); ++c) {
    const Tally& t = tallies[c];
    std::cout << absl::StrFormat("%s: NODATA %d, ERROR %d of %d classifications\n",
                                 configurations[c].first, t.nodata, t.errors, 2 * kKinds * windows);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << absl::StrFormat("judge_simulation: %d analyses in %.1f s\n",
                               static_cast<int64_t>(configurations.size()) * kKinds * windows,
                               seconds);
  return 0;
}

// The grid of the calibration issue: rho x pod offset x pods, augur's defaults beside the
// Kayenta-equivalent configuration, one row per cell and configuration.
int Grid(int64_t windows, uint64_t seed, Model model) {
  const auto started = std::chrono::steady_clock::now();
  const Configurations configurations = {
      {"augur defaults", AugurTemplate()},
      {"augur, instances: pod", InstancesTemplate()},
      {"Kayenta-equivalent", KayentaTemplate()},
  };
  std::cout << absl::StrFormat(
      "%d windows per kind and cell, seed %d; 1 h at 30 s (%d points a side); latency sigma %g, "
      "t(3) innovations, rho per 15 s scrape; errors %.2g%% of %d requests per pod every 15 s.\n"
      "Rates in per cent with 95%% Wilson intervals. A/A: identical versions; detection: the "
      "verdict ABORT.\n\n",
      windows, seed, model.points, model.sigma, 100 * model.error_rate, model.requests_per_scrape);
  std::cout << "| pods | rho | pod offset | configuration | A/A: false ABORT | A/A: PROMOTE | "
               "latency +10%: ABORT | latency +20%: ABORT | errors x2: ABORT |\n";
  std::cout << "|---|---|---|---|---|---|---|---|---|\n";
  for (const int pods : {3, 10}) {
    for (const double rho : {0.0, 0.6, 0.8, 0.9}) {
      for (const double offset : {0.0, 0.03, 0.05}) {
        model.pods = pods;
        model.rho = rho;
        model.pod_offset = offset;
        const std::vector<Tally> tallies = Simulate(windows, seed, model, configurations);
        if (tallies.empty()) return 1;
        for (size_t c = 0; c < configurations.size(); ++c) {
          const Tally& t = tallies[c];
          std::cout << absl::StrFormat(
              "| %d | %g | %g%% | %s | %s | %s | %s | %s | %s |\n", pods, rho, 100 * offset,
              configurations[c].first, Format(t.abort_aa), Format(t.promote_aa),
              Format(t.latency10), Format(t.latency20), Format(t.errors2x));
        }
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << absl::StrFormat("judge_simulation: grid in %.1f s\n", seconds);
  return 0;
}

}  // namespace
}  // namespace augur::simulation

int main(int argc, char** argv) {
  CLI::App app{
      "judge_simulation: decision quality of augur's judges and a Kayenta-equivalent "
      "configuration on synthetic A/A and A/B windows (deterministic).",
      "judge_simulation"};
  int64_t windows = 1000;
  uint64_t seed = 1;
  augur::simulation::Model model;
  app.add_option("--windows", windows, "windows per kind (A/A, +10%, +20%, errors x2)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--rho", model.rho,
                 "AR(1) autocorrelation of the latency noise between 15 s scrapes, in [0, 1) "
                 "(rho^2 between the 30 s steps judged)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.999));
  app.add_option("--pod-offset", model.pod_offset,
                 "per-pod offsets ~ Uniform(-x, +x), of latency and of the error rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.5));
  app.add_option("--sigma", model.sigma, "stationary sd of the per-pod log-latency noise")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 5.0));
  app.add_option("--pods", model.pods, "pods a side (each its own noise and offset)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  bool grid = false;
  app.add_flag("--grid", grid,
               "sweep rho {0, 0.6, 0.8, 0.9} x pod offset {0, 3%, 5%} x pods {3, 10}, augur's "
               "defaults beside the Kayenta-equivalent (ignores --rho, --pod-offset, --pods)");
  CLI11_PARSE(app, argc, argv);
  if (grid) return augur::simulation::Grid(windows, seed, model);
  return augur::simulation::Run(windows, seed, model);
}
