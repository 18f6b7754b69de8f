#include "tools/scenarios.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace augur::scenarios {
namespace {

// The model's constants (see the header for what they mean together).
constexpr double kRequestsPerSecond = 20.0;
constexpr double kLoadSigma = 0.15;              // stationary sd of log(load)
constexpr double kLoadCorrelationSeconds = 600;  // AR(1) correlation time
constexpr double kMedianLatencySeconds = 0.120;
constexpr double kLatencySigma = 0.35;
constexpr double kLatencyPerLoad = 0.10;  // median +10% per +100% load
constexpr double kPodLatencyOffset = 0.02;
constexpr double kErrorProbability = 0.005;
constexpr double kIdleCores = 0.05;
constexpr double kCoresAtNominalLoad = 0.35;  // on top of idle, at kRequestsPerSecond
constexpr double kCpuNoise = 0.05;
constexpr double kCacheHitRatio = 0.93;
constexpr double kCacheHitRatioSd = 0.01;
constexpr double kQueueWaitSeconds = 0.05;  // app_queue_wait_seconds: median
constexpr double kQueueWaitSpread = 0.1;    // relative sd; 0.3 in the spread regression

constexpr int64_t kMaxPointsPerSeries = 100000;
constexpr int kMaxPodsPerVersion = 100;
constexpr int64_t kMaxEndUnixSeconds = int64_t{253402300799};  // 9999-12-31T23:59:59Z

// Fine around the median (120 ms) and the tails (p99 ~270 ms, ~480 ms with the wide spread) so
// that histogram_quantile resolves a 20% change.
constexpr std::array<double, 26> kBucketBounds = {
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.3,
    0.35,  0.4,  0.45,  0.5,  0.6,   0.7, 0.8,   1,    1.25,  1.5, 2,     2.5,  5};
constexpr std::array<absl::string_view, 27> kBucketLabels = {
    "0.005", "0.01",  "0.025", "0.05", "0.075", "0.1", "0.125", "0.15", "0.175",
    "0.2",   "0.225", "0.25",  "0.3",  "0.35",  "0.4", "0.45",  "0.5",  "0.6",
    "0.7",   "0.8",   "1",     "1.25", "1.5",   "2",   "2.5",   "5",    "+Inf"};
constexpr int kBuckets = static_cast<int>(kBucketLabels.size());

// What the canary does differently; the stable version is always the plain model.
enum class Change {
  kNone,
  kLatency,
  kSpread,
  kErrors,
  kNoTraffic,
  kNanGauge,
  kMissingGauge,
  kCpu,
};

struct Scenario {
  absl::string_view name;
  absl::string_view expected;
  absl::string_view description;
  Change change;
};

constexpr Scenario kScenarios[] = {
    {"healthy", "PROMOTE", "Nothing differs: the canary serves like the stable version.",
     Change::kNone},
    {"latency-regression", "ABORT (p99 latency)",
     "Every canary request is 20% slower: the whole latency distribution scales by 1.2.",
     Change::kLatency},
    {"spread-regression", "ABORT (p99 latency, with a tail or distribution judge)",
     "Canary latency keeps its median but spreads out (log-normal sigma 0.35 -> 0.6): p99 rises "
     "about 80% while p50 stays, so Mann-Whitney on p50 misses it. The queue-wait gauge keeps "
     "its median too but varies three times as much from scrape to scrape.",
     Change::kSpread},
    {"error-spike", "ABORT (error ratio)",
     "5% of canary requests fail with HTTP 500 instead of 0.5%.", Change::kErrors},
    {"no-canary-traffic", "HOLD (no canary data)",
     "Canary pods run and export every series but receive no requests: their request counters "
     "and histograms stay flat and CPU idles at about 0.05 cores.",
     Change::kNoTraffic},
    {"all-nan", "HOLD (app_cache_hit_ratio is NaN)",
     "app_cache_hit_ratio is NaN on both versions; everything else is healthy. HOLD for a "
     "template that requires that metric.",
     Change::kNanGauge},
    {"missing-one-side", "HOLD (canary lacks app_cache_hit_ratio)",
     "The canary pods do not export app_cache_hit_ratio at all; everything else is healthy.",
     Change::kMissingGauge},
    {"cpu-regression", "PROMOTE (the CPU metric is dryRun)",
     "The canary uses twice the CPU; everything else is healthy. With the CPU metric marked "
     "dryRun the verdict is unaffected (without it: not PROMOTE).",
     Change::kCpu},
};

enum class Gauge { kValue, kNan, kAbsent };

// One version's parameters in one scenario.
struct VersionModel {
  double latency_factor = 1.0;
  double latency_sigma = kLatencySigma;
  double error_probability = kErrorProbability;
  bool serves_traffic = true;
  double cpu_factor = 1.0;
  Gauge gauge = Gauge::kValue;
  double queue_wait_spread = kQueueWaitSpread;
};

VersionModel ModelFor(Change change, bool canary) {
  VersionModel model;
  if (change == Change::kNanGauge) model.gauge = Gauge::kNan;  // both versions
  if (!canary) return model;
  switch (change) {
    case Change::kNone:
    case Change::kNanGauge:
      break;
    case Change::kLatency:
      model.latency_factor = 1.2;
      break;
    case Change::kSpread:
      model.latency_sigma = 0.6;
      model.queue_wait_spread = 3 * kQueueWaitSpread;
      break;
    case Change::kErrors:
      model.error_probability = 0.05;
      break;
    case Change::kNoTraffic:
      model.serves_traffic = false;
      break;
    case Change::kMissingGauge:
      model.gauge = Gauge::kAbsent;
      break;
    case Change::kCpu:
      model.cpu_factor = 2.0;
      break;
  }
  return model;
}

// SplitMix64's finaliser: spreads every input bit over the output, to derive independent seeds.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a: std::hash differs between standard libraries.
uint64_t HashName(absl::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The seed of one random stream: per scenario for the shared load (`stream` 0), per pod
// otherwise, so a scenario's data does not depend on which others are generated.
uint64_t StreamSeed(uint64_t seed, absl::string_view scenario, uint64_t stream) {
  return Mix(Mix(Mix(seed) ^ HashName(scenario)) ^ stream);
}

// Random variates from std::mt19937_64's bits (a sequence the standard fixes) through
// transforms written here, since the standard <random> distributions differ between libraries.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller, keeping the second variate for the next call.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
    const double u2 = Uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

  // Exact by inversion for small means; normal approximation (continuity-corrected) above 30,
  // where its error is far below the simulation's noise.
  int64_t Poisson(double mean) {
    if (!(mean > 0)) return 0;
    if (mean >= 30) {
      const double x = std::floor(mean + std::sqrt(mean) * Normal() + 0.5);
      return x < 0 ? 0 : static_cast<int64_t>(x);
    }
    const double u = Uniform();
    double p = std::exp(-mean);
    double cdf = p;
    int64_t k = 0;
    while (u >= cdf && k < 1000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cdf += p;
    }
    return k;
  }

  // Exact by inversion when n·min(p, 1-p) < 30; normal approximation otherwise.
  int64_t Binomial(int64_t n, double p) {
    if (n <= 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - Binomial(n, 1 - p);
    const double mean = static_cast<double>(n) * p;
    if (mean >= 30) {
      const double x = std::floor(mean + std::sqrt(mean * (1 - p)) * Normal() + 0.5);
      return static_cast<int64_t>(std::clamp(x, 0.0, static_cast<double>(n)));
    }
    const double u = Uniform();
    const double odds = p / (1 - p);
    double prob = std::exp(static_cast<double>(n) * std::log1p(-p));
    double cdf = prob;
    int64_t k = 0;
    while (u >= cdf && k < n) {
      prob *= odds * static_cast<double>(n - k) / static_cast<double>(k + 1);
      ++k;
      cdf += prob;
    }
    return k;
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// The sample times, as written after each sample, and the time between them.
struct Timeline {
  std::vector<std::string> text;
  double interval_seconds = 0;
  size_t points() const { return text.size(); }
};

Timeline MakeTimeline(int64_t end_ms, int64_t interval_ms, int64_t points) {
  Timeline timeline;
  timeline.interval_seconds = static_cast<double>(interval_ms) / 1000.0;
  timeline.text.reserve(static_cast<size_t>(points));
  for (int64_t k = 0; k < points; ++k) {
    const int64_t ms = end_ms - (points - 1 - k) * interval_ms;
    std::string text = absl::StrCat(ms / 1000);
    if (const int64_t millis = ms % 1000; millis != 0) {
      const char digits[] = {'.', static_cast<char>('0' + millis / 100),
                             static_cast<char>('0' + millis / 10 % 10),
                             static_cast<char>('0' + millis % 10)};
      size_t length = 4;
      while (digits[length - 1] == '0') --length;
      text.append(digits, length);
    }
    timeline.text.push_back(std::move(text));
  }
  return timeline;
}

// log(load) follows an AR(1) process sampled at the scrape times, started in its stationary
// distribution; load is its exponential, scaled to mean 1.
std::vector<double> SimulateLoad(Random& random, const Timeline& timeline) {
  const double phi = std::exp(-timeline.interval_seconds / kLoadCorrelationSeconds);
  const double innovation = kLoadSigma * std::sqrt(1 - phi * phi);
  std::vector<double> load(timeline.points());
  double x = kLoadSigma * random.Normal();
  for (double& value : load) {
    value = std::exp(x - kLoadSigma * kLoadSigma / 2);
    x = phi * x + innovation * random.Normal();
  }
  return load;
}

// One pod's series, cumulative over time (counters) at every sample.
struct PodSeries {
  std::string labels;  // `namespace="..",service="..",version="..",pod=".."`
  std::vector<int64_t> ok;
  std::vector<int64_t> errors;
  std::vector<int64_t> buckets;  // points x kBuckets, not yet cumulative in le
  std::vector<int64_t> sum_micros;
  std::vector<int64_t> cpu_micros;
  std::vector<int64_t> cache_ratio_e4;  // the gauge x 10^4
  std::vector<int64_t> queue_wait_micros;
  Gauge gauge = Gauge::kValue;
};

PodSeries SimulatePod(const VersionModel& model, const std::vector<double>& load,
                      const Timeline& timeline, Random& random) {
  const size_t points = timeline.points();
  PodSeries pod;
  pod.gauge = model.gauge;
  pod.ok.assign(points, 0);
  pod.errors.assign(points, 0);
  pod.buckets.assign(points * kBuckets, 0);
  pod.sum_micros.assign(points, 0);
  pod.cpu_micros.assign(points, 0);
  pod.cache_ratio_e4.assign(points, 0);
  pod.queue_wait_micros.assign(points, 0);
  const double offset = 1 + kPodLatencyOffset * (2 * random.Uniform() - 1);
  const double nominal_requests = kRequestsPerSecond * timeline.interval_seconds;
  for (size_t k = 0; k < points; ++k) {
    int64_t* counts = &pod.buckets[k * kBuckets];
    if (k > 0) {
      // Requests in (t[k-1], t[k]], added to the totals at t[k-1].
      pod.ok[k] = pod.ok[k - 1];
      pod.errors[k] = pod.errors[k - 1];
      pod.sum_micros[k] = pod.sum_micros[k - 1];
      pod.cpu_micros[k] = pod.cpu_micros[k - 1];
      std::copy_n(counts - kBuckets, kBuckets, counts);
      const int64_t requests =
          model.serves_traffic ? random.Poisson(nominal_requests * load[k]) : 0;
      const int64_t errors = random.Binomial(requests, model.error_probability);
      pod.ok[k] += requests - errors;
      pod.errors[k] += errors;
      const double median = kMedianLatencySeconds * offset * model.latency_factor *
                            (1 + kLatencyPerLoad * (load[k] - 1));
      double sum = 0;
      for (int64_t r = 0; r < requests; ++r) {
        const double latency = median * std::exp(model.latency_sigma * random.Normal());
        const auto bucket = std::lower_bound(kBucketBounds.begin(), kBucketBounds.end(), latency) -
                            kBucketBounds.begin();
        ++counts[bucket];
        sum += latency;
      }
      pod.sum_micros[k] += std::llround(sum * 1e6);
      const double cores =
          (kIdleCores + kCoresAtNominalLoad * static_cast<double>(requests) / nominal_requests) *
          std::max(0.0, 1 + kCpuNoise * random.Normal()) * model.cpu_factor;
      pod.cpu_micros[k] += std::llround(cores * timeline.interval_seconds * 1e6);
    }
    const double ratio = kCacheHitRatio + kCacheHitRatioSd * random.Normal();
    pod.cache_ratio_e4[k] = std::llround(std::clamp(ratio, 0.0, 1.0) * 1e4);
    const double wait = kQueueWaitSeconds * (1 + model.queue_wait_spread * random.Normal());
    pod.queue_wait_micros[k] = std::llround(std::max(wait, 0.0) * 1e6);
  }
  return pod;
}

// `value / 10^decimals` with exactly `decimals` digits after the point.
void AppendFixed(std::string& out, int64_t value, int decimals) {
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  absl::StrAppend(&out, value / scale, ".");
  char digits[20];
  int64_t fraction = value % scale;
  for (int i = decimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  out.append(digits, static_cast<size_t>(decimals));
}

// A label value escaped as OpenMetrics requires.
std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

absl::Status ValidateOptions(const ScenarioOptions& options) {
  if (options.end_unix_seconds <= 0 || options.end_unix_seconds > kMaxEndUnixSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("end must be a Unix time in seconds after 1970 and before 10000, got ",
                     options.end_unix_seconds));
  }
  const int64_t interval_ms = absl::ToInt64Milliseconds(options.scrape_interval);
  if (interval_ms < 1 || options.scrape_interval != absl::Milliseconds(interval_ms)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the scrape interval must be a positive whole number of milliseconds, got ",
                     absl::FormatDuration(options.scrape_interval)));
  }
  if (options.duration < options.scrape_interval) {
    return absl::InvalidArgumentError(
        absl::StrCat("the duration (", absl::FormatDuration(options.duration),
                     ") must be at least one scrape interval (",
                     absl::FormatDuration(options.scrape_interval), ")"));
  }
  if (absl::ToInt64Milliseconds(options.duration) / interval_ms + 1 > kMaxPointsPerSeries) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration / scrape interval gives more than ", kMaxPointsPerSeries,
                     " points per series; use a longer interval or a shorter duration"));
  }
  if (options.end_unix_seconds * 1000 <
      absl::ToInt64Milliseconds(options.duration) / interval_ms * interval_ms) {
    return absl::InvalidArgumentError("the history would start before 1970");
  }
  if (options.pods_per_version < 1 || options.pods_per_version > kMaxPodsPerVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pods per version must be 1 to ", kMaxPodsPerVersion, ", got ", options.pods_per_version));
  }
  if (options.kubernetes_namespace.empty()) {
    return absl::InvalidArgumentError("the namespace must not be empty");
  }
  return absl::OkStatus();
}

// The selected scenarios in catalogue order, or an error naming the unknown one.
absl::StatusOr<std::vector<const Scenario*>> Select(const std::vector<std::string>& names) {
  std::vector<const Scenario*> selected;
  for (const std::string& name : names) {
    const auto* found = std::find_if(std::begin(kScenarios), std::end(kScenarios),
                                     [&](const Scenario& s) { return s.name == name; });
    if (found == std::end(kScenarios)) {
      std::vector<absl::string_view> valid;
      for (const Scenario& s : kScenarios) valid.push_back(s.name);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown scenario '", name, "'; valid: ", absl::StrJoin(valid, ", ")));
    }
  }
  for (const Scenario& s : kScenarios) {
    if (names.empty() || std::find(names.begin(), names.end(), s.name) != names.end()) {
      selected.push_back(&s);
    }
  }
  return selected;
}

}  // namespace

std::vector<ScenarioInfo> Scenarios() {
  std::vector<ScenarioInfo> out;
  for (const Scenario& s : kScenarios) {
    out.push_back({std::string(s.name), std::string(s.description), std::string(s.expected)});
  }
  return out;
}

absl::StatusOr<std::string> GenerateOpenMetrics(const ScenarioOptions& options) {
  if (absl::Status status = ValidateOptions(options); !status.ok()) return status;
  absl::StatusOr<std::vector<const Scenario*>> selected = Select(options.scenarios);
  if (!selected.ok()) return selected.status();

  const int64_t interval_ms = absl::ToInt64Milliseconds(options.scrape_interval);
  const int64_t points = absl::ToInt64Milliseconds(options.duration) / interval_ms + 1;
  const Timeline timeline = MakeTimeline(options.end_unix_seconds * 1000, interval_ms, points);
  const std::string namespace_label =
      absl::StrCat("namespace=\"", EscapeLabelValue(options.kubernetes_namespace), "\"");

  std::vector<PodSeries> pods;
  for (const Scenario* scenario : *selected) {
    Random load_random(StreamSeed(options.seed, scenario->name, 0));
    const std::vector<double> load = SimulateLoad(load_random, timeline);
    for (const bool canary : {false, true}) {
      const VersionModel model = ModelFor(scenario->change, canary);
      const absl::string_view version = canary ? "canary" : "stable";
      for (int i = 0; i < options.pods_per_version; ++i) {
        const uint64_t stream = (canary ? uint64_t{1} << 32 : 0) + static_cast<uint64_t>(i) + 1;
        Random random(StreamSeed(options.seed, scenario->name, stream));
        PodSeries pod = SimulatePod(model, load, timeline, random);
        pod.labels = absl::StrCat(namespace_label, ",service=\"", scenario->name, "\",version=\"",
                                  version, "\",pod=\"", scenario->name, "-", version, "-", i, "\"");
        pods.push_back(std::move(pod));
      }
    }
  }

  std::string out;
  // About 150 bytes a line, 33 lines per pod and scrape.
  out.reserve(pods.size() * timeline.points() * 33 * 150 + 4096);
  const auto& ts = timeline.text;

  out += "# TYPE http_requests counter\n# HELP http_requests HTTP requests served, by status.\n";
  for (const PodSeries& pod : pods) {
    for (const bool error : {false, true}) {
      const std::vector<int64_t>& values = error ? pod.errors : pod.ok;
      for (size_t k = 0; k < ts.size(); ++k) {
        absl::StrAppend(&out, "http_requests_total{", pod.labels, ",code=\"", error ? "500" : "200",
                        "\"} ", values[k], " ", ts[k], "\n");
      }
    }
  }

  out +=
      "# TYPE http_request_duration_seconds histogram\n"
      "# HELP http_request_duration_seconds HTTP request latency.\n";
  for (const PodSeries& pod : pods) {
    for (size_t k = 0; k < ts.size(); ++k) {
      const int64_t* counts = &pod.buckets[k * kBuckets];
      int64_t cumulative = 0;
      for (int b = 0; b < kBuckets; ++b) {
        cumulative += counts[b];
        absl::StrAppend(&out, "http_request_duration_seconds_bucket{", pod.labels, ",le=\"",
                        kBucketLabels[static_cast<size_t>(b)], "\"} ", cumulative, " ", ts[k],
                        "\n");
      }
      absl::StrAppend(&out, "http_request_duration_seconds_count{", pod.labels, "} ", cumulative,
                      " ", ts[k], "\n");
      absl::StrAppend(&out, "http_request_duration_seconds_sum{", pod.labels, "} ");
      AppendFixed(out, pod.sum_micros[k], 6);
      absl::StrAppend(&out, " ", ts[k], "\n");
    }
  }

  out +=
      "# TYPE container_cpu_usage_seconds counter\n"
      "# HELP container_cpu_usage_seconds Cumulative CPU time consumed.\n";
  for (const PodSeries& pod : pods) {
    for (size_t k = 0; k < ts.size(); ++k) {
      absl::StrAppend(&out, "container_cpu_usage_seconds_total{", pod.labels,
                      ",container=\"app\"} ");
      AppendFixed(out, pod.cpu_micros[k], 6);
      absl::StrAppend(&out, " ", ts[k], "\n");
    }
  }

  out +=
      "# TYPE app_cache_hit_ratio gauge\n"
      "# HELP app_cache_hit_ratio Fraction of cache lookups that hit.\n";
  for (const PodSeries& pod : pods) {
    if (pod.gauge == Gauge::kAbsent) continue;
    for (size_t k = 0; k < ts.size(); ++k) {
      absl::StrAppend(&out, "app_cache_hit_ratio{", pod.labels, "} ");
      if (pod.gauge == Gauge::kNan) {
        out += "NaN";
      } else {
        AppendFixed(out, pod.cache_ratio_e4[k], 4);
      }
      absl::StrAppend(&out, " ", ts[k], "\n");
    }
  }

  out +=
      "# TYPE app_queue_wait_seconds gauge\n"
      "# HELP app_queue_wait_seconds Time the last request waited for a worker.\n";
  for (const PodSeries& pod : pods) {
    for (size_t k = 0; k < ts.size(); ++k) {
      absl::StrAppend(&out, "app_queue_wait_seconds{", pod.labels, "} ");
      AppendFixed(out, pod.queue_wait_micros[k], 6);
      absl::StrAppend(&out, " ", ts[k], "\n");
    }
  }

  out += "# EOF\n";
  return out;
}

}  // namespace augur::scenarios
