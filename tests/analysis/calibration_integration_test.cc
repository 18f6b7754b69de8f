// Calibrated judging end to end: the augur binary against Debian's real Prometheus, backfilled
// once per test binary (promtool) with an hour of autocorrelated data written by this file, and
// the templates of tests/analysis/integration/calibration/.
//
// The data, one hour ending now (rounded down to 15 s), a sample every 15 s, for four services
// (service="aa", "regressed", "errors", "bursty"), each with version="stable" and
// version="canary" and three pods a version (pod="stable-0" ... "canary-2"):
//   calib_latency_seconds   gauge: 0.25 s x (1 + the pod's offset, -1%, 0 or +1%)
//                           x (1 + shift) x exp(e_t), e_t an AR(1) with lag-1 correlation 0.9
//                           per sample and stationary sd 0.1, independent across pods. The
//                           shift is 0 except on the regressed canary (+30%).
//   calib_requests_total    counter: 60 requests a pod every 15 s.
//   calib_errors_total      counter: Binomial(60, 0.5%) errors a pod every 15 s (1.5% on the
//                           errors canary); on the bursty service, both versions, a burst of 5
//                           to 15 errors in 3% of the 15 s intervals instead (the same 0.5%).
// At the templates' 30 s step the latency's points keep a correlation of 0.81 from one to the
// next, which a test for independent samples reads as about nine times more evidence than there
// is. The generator is a hand-written xoshiro256** seeded by splitmix64 with Box-Muller normals,
// so the data are the same at the same distance from their end on every run (only a libm whose
// log, exp or cos differ in the last bit from glibc's could change a printed value).
//
// What is checked: the A/A service (aa) promotes with the calibrated defaults, with the
// autocorrelation estimated and the variance inflated; ignoring the autocorrelation on the same
// window gives a smaller p-value (always so when the factor is above 1: the same statistic
// against a narrower null); a 30% regression aborts either way; per-pod series with
// `instances: pod` are compared as 3 against 3 clusters (the regression aborts, the A/A pods
// never do); error counts carry their estimated dispersion, a tripled error rate is HIGH and
// bursty errors show a larger dispersion than binomial ones; `errorControl: none` leaves
// p_value_adjusted null. Each case prints the numbers behind its verdict.
//
// The window is the last 30 minutes, so it ends a few seconds after the last sample, how many
// depending on the clock. Setting AUGUR_CALIBRATION_END_OFFSET=S makes every analysis end S
// seconds after the last sample instead (--start and --end): with it, every assertion below was
// checked to hold for windows ending 0 to 120 s after the last sample, in steps of 5 s (of 1 s
// up to 30 s).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/process.h"
#include "tests/support/prometheus_server.h"

namespace augur {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using Json = nlohmann::json;

// ---- The data.

constexpr uint64_t kSeed = 20240611;
constexpr int64_t kIntervalSeconds = 15;
constexpr int64_t kSamples = 241;  // one hour, both ends included
constexpr int kPodsPerVersion = 3;
constexpr double kLatencySeconds = 0.25;
constexpr double kPodOffsets[kPodsPerVersion] = {-0.01, 0.0, 0.01};
constexpr double kRho = 0.9;  // per 15 s sample
constexpr double kLatencySd = 0.1;
constexpr int kRequestsPerInterval = 60;
constexpr double kErrorProbability = 0.005;
constexpr double kBurstProbability = 0.03;  // per pod and 15 s interval
constexpr int kBurstMin = 5, kBurstMax = 15;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), seeded from splitmix64 as its authors recommend.
class Random {
 public:
  explicit Random(uint64_t seed) {
    for (uint64_t& s : state_) s = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // In (0, 1): the top 53 bits, offset by half a unit.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal, Box-Muller (one of the pair).
  double Normal() {
    const double u = Uniform(), v = Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
  }
  // Uniform on [low, high].
  int Between(int low, int high) {
    return low + static_cast<int>(Next() % static_cast<uint64_t>(high - low + 1));
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// A stream per series: the seed and the series' name through FNV-1a.
Random StreamFor(absl::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return Random(kSeed ^ h);
}

struct ServiceModel {
  const char* name;
  double canary_shift;             // relative latency change of the canary
  double canary_error_multiplier;  // of the error probability
  bool bursty;                     // errors in bursts, both versions
};

constexpr ServiceModel kServices[] = {
    {"aa", 0.0, 1.0, false},
    {"regressed", 0.3, 1.0, false},
    {"errors", 0.0, 3.0, false},
    {"bursty", 0.0, 1.0, true},
};

struct PodData {
  std::string labels;
  std::vector<double> latency;
  std::vector<int64_t> requests, errors;  // cumulative
};

PodData SimulatePod(const ServiceModel& service, bool canary, int pod) {
  PodData d;
  const std::string version = canary ? "canary" : "stable";
  d.labels = absl::StrCat("service=\"", service.name, "\",version=\"", version, "\",pod=\"",
                          version, "-", pod, "\"");
  Random latency_random = StreamFor(absl::StrCat(d.labels, "/latency"));
  Random error_random = StreamFor(absl::StrCat(d.labels, "/errors"));
  const double level =
      kLatencySeconds * (1.0 + kPodOffsets[pod]) * (1.0 + (canary ? service.canary_shift : 0.0));
  const double innovation_sd = kLatencySd * std::sqrt(1.0 - kRho * kRho);
  const double error_probability =
      kErrorProbability * (canary ? service.canary_error_multiplier : 1.0);
  double e = kLatencySd * latency_random.Normal();  // stationary from the first sample
  int64_t requests = 0, errors = 0;
  for (int64_t k = 0; k < kSamples; ++k) {
    if (k > 0) {
      e = kRho * e + innovation_sd * latency_random.Normal();
      requests += kRequestsPerInterval;
      if (service.bursty) {
        if (error_random.Uniform() < kBurstProbability) {
          errors += error_random.Between(kBurstMin, kBurstMax);
        }
      } else {
        for (int r = 0; r < kRequestsPerInterval; ++r) {
          errors += error_random.Uniform() < error_probability ? 1 : 0;
        }
      }
    }
    d.latency.push_back(level * std::exp(e));
    d.requests.push_back(requests);
    d.errors.push_back(errors);
  }
  return d;
}

// OpenMetrics text for promtool: the samples end at `end_unix_seconds`.
std::string GenerateOpenMetrics(int64_t end_unix_seconds) {
  std::vector<PodData> pods;
  for (const ServiceModel& service : kServices) {
    for (const bool canary : {false, true}) {
      for (int i = 0; i < kPodsPerVersion; ++i) pods.push_back(SimulatePod(service, canary, i));
    }
  }
  auto timestamp = [end_unix_seconds](int64_t k) {
    return end_unix_seconds - (kSamples - 1 - k) * kIntervalSeconds;
  };
  std::string out;
  out += "# TYPE calib_latency_seconds gauge\n";
  out += "# HELP calib_latency_seconds Latency of the last request.\n";
  for (const PodData& pod : pods) {
    for (int64_t k = 0; k < kSamples; ++k) {
      absl::StrAppend(&out, "calib_latency_seconds{", pod.labels, "} ",
                      absl::StrFormat("%.6f", pod.latency[k]), " ", timestamp(k), "\n");
    }
  }
  out += "# TYPE calib_requests counter\n# HELP calib_requests Requests served.\n";
  for (const PodData& pod : pods) {
    for (int64_t k = 0; k < kSamples; ++k) {
      absl::StrAppend(&out, "calib_requests_total{", pod.labels, "} ", pod.requests[k], " ",
                      timestamp(k), "\n");
    }
  }
  out += "# TYPE calib_errors counter\n# HELP calib_errors Requests failed.\n";
  for (const PodData& pod : pods) {
    for (int64_t k = 0; k < kSamples; ++k) {
      absl::StrAppend(&out, "calib_errors_total{", pod.labels, "} ", pod.errors[k], " ",
                      timestamp(k), "\n");
    }
  }
  out += "# EOF\n";
  return out;
}

// ---- The server and the binary.

testing::PrometheusServer* prometheus = nullptr;
int64_t last_sample_unix_seconds = 0;

class PrometheusEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    last_sample_unix_seconds = absl::ToUnixSeconds(absl::Now()) / 15 * 15;
    testing::PrometheusServerOptions options;
    options.openmetrics = GenerateOpenMetrics(last_sample_unix_seconds);
    auto server = testing::PrometheusServer::Start(std::move(options));
    if (!server.ok()) {
      std::cerr << "cannot start Prometheus: " << server.status() << "\n";
      std::exit(1);
    }
    prometheus = server->release();
  }
  void TearDown() override { delete prometheus; }
};

std::string Template(absl::string_view file) {
  return absl::StrCat(AUGUR_SOURCE_DIR "/tests/analysis/integration/calibration/", file);
}

// A fixed window of 30 minutes, as --start and --end (Unix seconds).
struct Window {
  int64_t start = 0;
  int64_t end = 0;
};

// AUGUR_CALIBRATION_END_OFFSET, if set: every window ends that many seconds after the last
// sample.
std::optional<int64_t> EndOffset() {
  const char* text = std::getenv("AUGUR_CALIBRATION_END_OFFSET");
  int64_t seconds = 0;
  if (text == nullptr || !absl::SimpleAtoi(text, &seconds)) return std::nullopt;
  return seconds;
}

// The last 30 minutes, fixed now, for analyses that must see the same points.
Window LastHalfHour() {
  const std::optional<int64_t> offset = EndOffset();
  const int64_t end =
      offset ? last_sample_unix_seconds + *offset : absl::ToUnixSeconds(absl::Now());
  return Window{end - 30 * 60, end};
}

struct Invocation {
  int exit_code = -1;
  std::string out;
  std::string err;
  Json json;

  std::string verdict() const { return json.is_object() ? json.value("verdict", "") : ""; }
  std::string reason() const { return json.is_object() ? json.value("reason", "") : ""; }
  Json metric(const std::string& name) const {
    if (json.is_object() && json.contains("metrics")) {
      for (const Json& m : json["metrics"]) {
        if (m.value("name", "") == name) return m;
      }
    }
    return Json::object();
  }
  std::string classification(const std::string& name) const {
    return metric(name).value("classification", "(no such metric)");
  }
  // A number of the metric's result; NaN when it is null or absent.
  double number(const std::string& name, const std::string& field) const {
    const Json m = metric(name);
    return m.contains(field) && m[field].is_number() ? m[field].get<double>() : std::nan("");
  }
  std::string dump() const {
    return absl::StrCat("exit ", exit_code, "\nstdout:\n", out, "\nstderr:\n", err);
  }
};

// `augur analyze` of `service`'s stable against its canary over the last 30 minutes (--lookback
// 30m), or over `window`.
Invocation Analyze(const std::string& template_file, const std::string& service,
                   std::optional<Window> window = std::nullopt) {
  std::vector<std::string> args = {AUGUR_BINARY,   "analyze",
                                   "--template",   Template(template_file),
                                   "--arg",        absl::StrCat("service=", service),
                                   "--control",    "stable",
                                   "--experiment", "canary",
                                   "--prometheus", prometheus->url(),
                                   "--format",     "json"};
  if (!window && EndOffset()) window = LastHalfHour();
  if (window) {
    args.insert(args.end(),
                {"--start", absl::StrCat(window->start), "--end", absl::StrCat(window->end)});
  } else {
    args.insert(args.end(), {"--lookback", "30m"});
  }
  auto result = testing::RunCommand(args);
  EXPECT_TRUE(result.ok()) << result.status();
  Invocation run;
  if (!result.ok()) return run;
  run.exit_code = result->exit_code;
  run.out = result->out;
  run.err = result->err;
  run.json = Json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  return run;
}

// The numbers that tell how the dependence was handled, for the log.
void Report(const std::string& what, const Invocation& run, const std::string& metric) {
  std::cout << "  " << what << " " << metric << ": " << run.classification(metric)
            << ", p=" << run.number(metric, "p_value")
            << ", Holm p=" << run.number(metric, "p_value_adjusted")
            << ", autocorrelation=" << run.number(metric, "autocorrelation") << ", variance x"
            << run.number(metric, "variance_factor")
            << ", df=" << run.number(metric, "degrees_of_freedom") << "\n";
}

// ---- A/A with autocorrelated latency.

TEST(CalibrationIntegrationTest, AutocorrelatedAaPromotesWithTheDefaults) {
  const Invocation run = Analyze("calibrated.yaml", "aa");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  Report("aa calibrated", run, "latency");
  Report("aa calibrated", run, "error-ratio");
  EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  EXPECT_EQ(run.verdict(), "PROMOTE");
  EXPECT_EQ(run.classification("latency"), "PASS");
  EXPECT_EQ(run.classification("error-ratio"), "PASS");
  const Json latency = run.metric("latency");
  ASSERT_TRUE(latency.contains("autocorrelation")) << latency.dump();
  EXPECT_TRUE(latency["autocorrelation"].is_number()) << latency.dump();
  EXPECT_GT(run.number("latency", "autocorrelation"), 0.5) << latency.dump();
  EXPECT_GT(run.number("latency", "variance_factor"), 3.0) << latency.dump();
  EXPECT_TRUE(latency["degrees_of_freedom"].is_null()) << latency.dump();
  EXPECT_FALSE(latency.contains("instances")) << latency.dump();
  EXPECT_THAT(latency.value("reason", ""), HasSubstr("autocorrelation"));
  // Holm over the two tests: the adjusted p-value is there, and never below the raw one.
  ASSERT_TRUE(latency["p_value_adjusted"].is_number()) << latency.dump();
  EXPECT_GE(run.number("latency", "p_value_adjusted"), run.number("latency", "p_value"));
  EXPECT_TRUE(run.metric("error-ratio")["p_value_adjusted"].is_number());
}

TEST(CalibrationIntegrationTest, IgnoringTheAutocorrelationShrinksTheAaPValue) {
  const Window window = LastHalfHour();
  const Invocation adjusted = Analyze("calibrated.yaml", "aa", window);
  const Invocation ignored = Analyze("independent.yaml", "aa", window);
  ASSERT_FALSE(adjusted.json.is_discarded()) << adjusted.dump();
  ASSERT_FALSE(ignored.json.is_discarded()) << ignored.dump();
  Report("aa adjust", adjusted, "latency");
  Report("aa ignore", ignored, "latency");
  Report("aa kayenta", ignored, "latency-kayenta");
  const double p_adjusted = adjusted.number("latency", "p_value");
  const double p_ignored = ignored.number("latency", "p_value");
  ASSERT_FALSE(std::isnan(p_adjusted)) << adjusted.dump();
  ASSERT_FALSE(std::isnan(p_ignored)) << ignored.dump();
  // The same points and the same statistic, against a null 3+ times narrower.
  EXPECT_LT(p_ignored, p_adjusted);
  EXPECT_GT(adjusted.number("latency", "variance_factor"), 3.0);
  // Ignored: nothing estimated, the independent-samples variance.
  const Json latency = ignored.metric("latency");
  EXPECT_TRUE(latency["autocorrelation"].is_null()) << latency.dump();
  EXPECT_EQ(ignored.number("latency", "variance_factor"), 1.0);
  EXPECT_THAT(latency.value("reason", ""), Not(HasSubstr("autocorrelation")));
  // The same data, summarised alike.
  EXPECT_EQ(adjusted.metric("latency")["control"], latency["control"]);
  EXPECT_EQ(adjusted.metric("latency")["experiment"], latency["experiment"]);
  // Kayenta's mode: independent samples too, and outside Holm's family.
  const Json kayenta = ignored.metric("latency-kayenta");
  EXPECT_TRUE(kayenta["autocorrelation"].is_null()) << kayenta.dump();
  EXPECT_EQ(ignored.number("latency-kayenta", "variance_factor"), 1.0);
  EXPECT_TRUE(kayenta["p_value_adjusted"].is_null()) << kayenta.dump();
  EXPECT_LT(ignored.number("latency-kayenta", "p_value"), p_adjusted);
}

// ---- A 30% regression.

TEST(CalibrationIntegrationTest, RegressionAbortsWithAndWithoutTheAdjustment) {
  const Window window = LastHalfHour();
  const Invocation adjusted = Analyze("calibrated.yaml", "regressed", window);
  const Invocation ignored = Analyze("independent.yaml", "regressed", window);
  for (const Invocation* run : {&adjusted, &ignored}) {
    SCOPED_TRACE(run == &adjusted ? "adjusted" : "ignored");
    ASSERT_FALSE(run->json.is_discarded()) << run->dump();
    EXPECT_EQ(run->exit_code, kExitAbort) << run->dump();
    EXPECT_EQ(run->verdict(), "ABORT");
    EXPECT_EQ(run->classification("latency"), "HIGH") << run->dump();
    EXPECT_EQ(run->metric("latency")["critical"], true);
    EXPECT_THAT(run->reason(), HasSubstr("latency"));
    EXPECT_EQ(run->classification("error-ratio"), "PASS") << run->dump();
    // About +30%.
    EXPECT_GT(run->number("latency", "relative_change"), 0.2) << run->dump();
    EXPECT_LT(run->number("latency", "relative_change"), 0.4) << run->dump();
  }
  Report("regressed adjust", adjusted, "latency");
  Report("regressed ignore", ignored, "latency");
  std::cout << "  regressed adjust reason: " << adjusted.metric("latency").value("reason", "")
            << "\n  regressed ignore reason: " << ignored.metric("latency").value("reason", "")
            << "\n";
  // The same shift estimate; the adjustment widens its interval and raises its p-value.
  EXPECT_EQ(adjusted.number("latency", "estimate"), ignored.number("latency", "estimate"));
  EXPECT_LT(adjusted.number("latency", "ci_low"), ignored.number("latency", "ci_low"));
  EXPECT_GT(adjusted.number("latency", "ci_high"), ignored.number("latency", "ci_high"));
  EXPECT_LT(ignored.number("latency", "p_value"), adjusted.number("latency", "p_value"));
  EXPECT_GT(adjusted.number("latency", "variance_factor"), 3.0);
}

// ---- Pods as clusters.

TEST(CalibrationIntegrationTest, PerPodRegressionIsJudgedOverThreeAgainstThreePods) {
  const Invocation run = Analyze("instances.yaml", "regressed");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  // One result: the pods of a side are grouped by the labels left once pod and version are set
  // aside, not paired.
  ASSERT_EQ(run.json["metrics"].size(), 1u) << run.dump();
  const std::string name = "latency{service=\"regressed\"}";
  Report("regressed instances", run, name);
  const Json latency = run.metric(name);
  std::cout << "  regressed instances reason: " << latency.value("reason", "") << "\n";
  EXPECT_EQ(latency["labels"], (Json{{"service", "regressed"}})) << latency.dump();
  ASSERT_TRUE(latency.contains("instances")) << latency.dump();
  EXPECT_EQ(latency["instances"], (Json{{"control", 3}, {"experiment", 3}}));
  EXPECT_TRUE(latency["degrees_of_freedom"].is_number()) << latency.dump();
  EXPECT_TRUE(latency["autocorrelation"].is_null()) << latency.dump();
  EXPECT_EQ(latency["control"]["count"], 3 * 61) << latency.dump();
  EXPECT_EQ(latency["experiment"]["count"], 3 * 61) << latency.dump();
  EXPECT_THAT(latency.value("reason", ""), HasSubstr("3 canary and 3 control instances"));
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(latency.value("classification", ""), "HIGH") << latency.dump();
}

// Three pods against three cannot always show a difference at 98%: the smallest p-value the
// clustered test can reach depends on the between-pod variance it estimates and on its
// Satterthwaite degrees of freedom (at most 4 here). The A/A pods never abort; they promote or,
// when nothing could have been shown, hold for lack of independent evidence.
TEST(CalibrationIntegrationTest, PerPodAaNeverAborts) {
  const Invocation run = Analyze("instances.yaml", "aa");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  ASSERT_EQ(run.json["metrics"].size(), 1u) << run.dump();
  const std::string name = "latency{service=\"aa\"}";
  Report("aa instances", run, name);
  const Json latency = run.metric(name);
  std::cout << "  aa instances reason: " << latency.value("reason", "") << "\n";
  EXPECT_EQ(latency["instances"], (Json{{"control", 3}, {"experiment", 3}})) << latency.dump();
  EXPECT_NE(run.verdict(), "ABORT") << run.dump();
  EXPECT_NE(run.exit_code, kExitAbort);
  const std::string classification = latency.value("classification", "");
  if (classification == "PASS") {
    EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  } else {
    EXPECT_EQ(classification, "NODATA") << latency.dump();
    EXPECT_EQ(run.exit_code, kExitHold) << run.dump();
    EXPECT_THAT(latency.value("reason", ""), HasSubstr("too few independent points"));
  }
}

// ---- Error counts and their dispersion.

TEST(CalibrationIntegrationTest, AaErrorRatePassesWithItsDispersionEstimated) {
  const Invocation run = Analyze("calibrated.yaml", "aa");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  const Json errors = run.metric("error-ratio");
  std::cout << "  aa error-ratio reason: " << errors.value("reason", "") << "\n";
  EXPECT_EQ(errors.value("classification", ""), "PASS") << errors.dump();
  EXPECT_EQ(errors["judge"], "rate");
  EXPECT_THAT(errors.value("reason", ""),
              MatchesRegex(".*; dispersion canary x[0-9.]+, control x[0-9.]+ over [0-9]+ steps"));
  EXPECT_GE(run.number("error-ratio", "variance_factor"), 1.0);
  // 3 pods at 60 requests every 15 s: 21600 in 30 minutes, less the end of the window that
  // comes after the last sample.
  EXPECT_LE(errors["control"]["total"].get<double>(), 21600) << errors.dump();
  EXPECT_GT(errors["control"]["total"].get<double>(), 20000) << errors.dump();
}

TEST(CalibrationIntegrationTest, TripledErrorRateIsHigh) {
  const Invocation run = Analyze("calibrated.yaml", "errors");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  const Json errors = run.metric("error-ratio");
  std::cout << "  errors error-ratio reason: " << errors.value("reason", "") << "\n";
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(errors.value("classification", ""), "HIGH") << errors.dump();
  EXPECT_THAT(errors.value("reason", ""), HasSubstr("dispersion canary x"));
  EXPECT_THAT(run.reason(), HasSubstr("error-ratio"));
  // Its latency is A/A (and, at some windows, too autocorrelated to show anything at 98%).
  EXPECT_NE(run.classification("latency"), "HIGH") << run.dump();
}

TEST(CalibrationIntegrationTest, BurstyErrorsShowAHigherDispersion) {
  const Window window = LastHalfHour();
  const Invocation bursty = Analyze("calibrated.yaml", "bursty", window);
  const Invocation steady = Analyze("calibrated.yaml", "aa", window);
  const Invocation ignored = Analyze("independent.yaml", "bursty", window);
  ASSERT_FALSE(bursty.json.is_discarded()) << bursty.dump();
  ASSERT_FALSE(steady.json.is_discarded()) << steady.dump();
  ASSERT_FALSE(ignored.json.is_discarded()) << ignored.dump();
  std::cout << "  bursty error-ratio reason: " << bursty.metric("error-ratio").value("reason", "")
            << "\n  bursty error-ratio ignored: "
            << ignored.metric("error-ratio").value("reason", "") << "\n";
  Report("bursty adjust", bursty, "error-ratio");
  Report("bursty ignore", ignored, "error-ratio");
  EXPECT_GT(bursty.number("error-ratio", "variance_factor"),
            2 * steady.number("error-ratio", "variance_factor"))
      << bursty.dump() << steady.dump();
  EXPECT_EQ(bursty.classification("error-ratio"), "PASS") << bursty.dump();
  // Ignored: Poisson counts, no dispersion; the same counts, a smaller p-value.
  EXPECT_EQ(ignored.number("error-ratio", "variance_factor"), 1.0);
  EXPECT_THAT(ignored.metric("error-ratio").value("reason", ""), Not(HasSubstr("dispersion")));
  EXPECT_LT(ignored.number("error-ratio", "p_value"), bursty.number("error-ratio", "p_value"));
}

// ---- Error control.

TEST(CalibrationIntegrationTest, WithoutErrorControlNoPValueIsAdjusted) {
  const Window window = LastHalfHour();
  for (const char* service : {"aa", "regressed"}) {
    SCOPED_TRACE(service);
    const Invocation holm = Analyze("calibrated.yaml", service, window);
    const Invocation none = Analyze("no-error-control.yaml", service, window);
    ASSERT_FALSE(holm.json.is_discarded()) << holm.dump();
    ASSERT_FALSE(none.json.is_discarded()) << none.dump();
    for (const char* metric : {"latency", "error-ratio"}) {
      SCOPED_TRACE(metric);
      EXPECT_TRUE(none.metric(metric)["p_value_adjusted"].is_null()) << none.dump();
      EXPECT_TRUE(holm.metric(metric)["p_value_adjusted"].is_number()) << holm.dump();
      // The same tests; only the family's adjustment differs.
      EXPECT_EQ(none.number(metric, "p_value"), holm.number(metric, "p_value"));
      EXPECT_GE(holm.number(metric, "p_value_adjusted"), holm.number(metric, "p_value"));
      EXPECT_EQ(none.classification(metric), holm.classification(metric));
    }
    EXPECT_EQ(none.verdict(), holm.verdict());
  }
  // Holm with two tests: the smaller p-value doubles (capped at 1).
  const Invocation regressed = Analyze("calibrated.yaml", "regressed", window);
  const double p = regressed.number("latency", "p_value");
  EXPECT_DOUBLE_EQ(regressed.number("latency", "p_value_adjusted"), std::min(1.0, 2 * p));
}

}  // namespace
}  // namespace augur

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new augur::PrometheusEnvironment);
  return RUN_ALL_TESTS();
}
