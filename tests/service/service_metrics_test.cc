#include "service/service_metrics.h"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace augur::service {
namespace {

using ::testing::Contains;
using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Pair;

// The samples of a text exposition, by series as written (label names sorted, then a
// histogram's "le", the way prometheus-cpp writes them): {"augur_active_runs", 3}, ...
std::map<std::string, double> Samples(const std::string& exposition) {
  std::map<std::string, double> samples;
  for (const absl::string_view line : absl::StrSplit(exposition, '\n', absl::SkipEmpty())) {
    if (line.front() == '#') continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(space + 1), &value)) << line;
    EXPECT_TRUE(samples.emplace(std::string(line.substr(0, space)), value).second)
        << "repeated series: " << line;
  }
  return samples;
}

TEST(ServiceMetricsTest, AnalysesAreCountedByKindStrategyAndVerdict) {
  ServiceMetrics metrics("test");
  metrics.CountAnalysis("judge", "canary", "PROMOTE");
  metrics.CountAnalysis("judge", "canary", "PROMOTE");
  metrics.CountAnalysis("run_interval", "ab", "ABORT");
  metrics.CountAnalysis("analyze", "shadow", "none");

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples,
              Contains(Pair(
                  R"(augur_analyses_total{kind="judge",strategy="canary",verdict="PROMOTE"})", 2)));
  EXPECT_THAT(
      samples,
      Contains(
          Pair(R"(augur_analyses_total{kind="run_interval",strategy="ab",verdict="ABORT"})", 1)));
  EXPECT_THAT(samples,
              Contains(Pair(
                  R"(augur_analyses_total{kind="analyze",strategy="shadow",verdict="none"})", 1)));
  EXPECT_EQ(samples.count(R"(augur_analyses_total{kind="judge",strategy="canary",verdict="HOLD"})"),
            0u);
}

TEST(ServiceMetricsTest, ClassificationsAreCountedByJudgeAndClassification) {
  ServiceMetrics metrics("test");
  metrics.CountClassification("mannWhitney", "PASS");
  metrics.CountClassification("mannWhitney", "HIGH");
  metrics.CountClassification("mannWhitney", "PASS");
  metrics.CountClassification("threshold", "NODATA");

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(
      samples,
      Contains(Pair(
          R"(augur_metric_classifications_total{classification="PASS",judge="mannWhitney"})", 2)));
  EXPECT_THAT(
      samples,
      Contains(Pair(
          R"(augur_metric_classifications_total{classification="HIGH",judge="mannWhitney"})", 1)));
  EXPECT_THAT(
      samples,
      Contains(Pair(
          R"(augur_metric_classifications_total{classification="NODATA",judge="threshold"})", 1)));
}

TEST(ServiceMetricsTest, JudgeHistogramRunsFrom100MicrosecondsTo30Seconds) {
  ServiceMetrics metrics("test");
  metrics.ObserveJudgeSeconds(0.0003);
  metrics.ObserveJudgeSeconds(0.002);
  metrics.ObserveJudgeSeconds(45);  // past the last bucket: +Inf only

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples, Contains(Pair("augur_judge_duration_seconds_count", 3)));
  EXPECT_THAT(samples,
              Contains(Pair("augur_judge_duration_seconds_sum", DoubleNear(45.0023, 1e-9))));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="0.0001"})", 0)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="0.00025"})", 0)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="0.0005"})", 1)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="0.0025"})", 2)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="30"})", 2)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_judge_duration_seconds_bucket{le="+Inf"})", 3)));
}

TEST(ServiceMetricsTest, FetchHistogramRunsFrom1MillisecondTo60Seconds) {
  ServiceMetrics metrics("test");
  metrics.ObserveFetchSeconds(0.0005);
  metrics.ObserveFetchSeconds(45);

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples, Contains(Pair("augur_fetch_duration_seconds_count", 2)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_fetch_duration_seconds_bucket{le="0.001"})", 1)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_fetch_duration_seconds_bucket{le="30"})", 1)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_fetch_duration_seconds_bucket{le="60"})", 2)));
  EXPECT_EQ(samples.count(R"(augur_fetch_duration_seconds_bucket{le="0.0005"})"), 0u);
}

TEST(ServiceMetricsTest, ProviderErrorsAreCountedByKindFromZero) {
  ServiceMetrics metrics("test");
  // Alerts on rate(...) need the series before the first error.
  std::map<std::string, double> samples = Samples(metrics.Serialize());
  for (const char* kind :
       {"unavailable", "deadline_exceeded", "invalid_query", "permission_denied", "other"}) {
    EXPECT_THAT(
        samples,
        Contains(Pair(absl::StrCat(R"(augur_provider_errors_total{kind=")", kind, R"("})"), 0)));
  }
  metrics.CountProviderError("deadline_exceeded");
  metrics.CountProviderError("deadline_exceeded");
  metrics.CountProviderError("other");
  samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_provider_errors_total{kind="deadline_exceeded"})", 2)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_provider_errors_total{kind="other"})", 1)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_provider_errors_total{kind="unavailable"})", 0)));
}

TEST(ServiceMetricsTest, RpcsAreCountedByMethodAndCodeAndTimedByMethod) {
  ServiceMetrics metrics("test");
  metrics.CountRpc("Analyze", "OK", 0.003);
  metrics.CountRpc("Analyze", "INVALID_ARGUMENT", 0.0002);
  metrics.CountRpc("Analyze", "OK", 2);
  metrics.CountRpc("GetRun", "NOT_FOUND", 0.001);

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_grpc_requests_total{code="OK",method="Analyze"})", 2)));
  EXPECT_THAT(
      samples,
      Contains(Pair(R"(augur_grpc_requests_total{code="INVALID_ARGUMENT",method="Analyze"})", 1)));
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_grpc_requests_total{code="NOT_FOUND",method="GetRun"})", 1)));
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_grpc_request_duration_seconds_count{method="Analyze"})", 3)));
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_grpc_request_duration_seconds_count{method="GetRun"})", 1)));
  EXPECT_THAT(
      samples,
      Contains(
          Pair(R"(augur_grpc_request_duration_seconds_bucket{method="Analyze",le="0.00025"})", 1)));
  EXPECT_THAT(
      samples,
      Contains(
          Pair(R"(augur_grpc_request_duration_seconds_bucket{method="Analyze",le="0.005"})", 2)));
  EXPECT_THAT(samples,
              Contains(Pair(
                  R"(augur_grpc_request_duration_seconds_bucket{method="Analyze",le="2.5"})", 3)));
}

TEST(ServiceMetricsTest, GaugesHoldTheLastValue) {
  ServiceMetrics metrics("test");
  metrics.SetActiveRuns(5);
  metrics.SetActiveRuns(3);
  metrics.SetTemplatesLoaded(12);

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples, Contains(Pair("augur_active_runs", 3)));
  EXPECT_THAT(samples, Contains(Pair("augur_templates_loaded", 12)));
}

TEST(ServiceMetricsTest, TemplateReloadsAreCountedByResult) {
  ServiceMetrics metrics("test");
  metrics.CountTemplateReload(true);
  metrics.CountTemplateReload(true);
  metrics.CountTemplateReload(false);

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples, Contains(Pair(R"(augur_template_reloads_total{result="ok"})", 2)));
  EXPECT_THAT(samples, Contains(Pair(R"(augur_template_reloads_total{result="error"})", 1)));
}

TEST(ServiceMetricsTest, BuildInfoCarriesTheVersion) {
  ServiceMetrics metrics("1.4.0-rc.1");
  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(samples, Contains(Pair(R"(augur_build_info{version="1.4.0-rc.1"})", 1)));
}

TEST(ServiceMetricsTest, EveryFamilyHasItsType) {
  ServiceMetrics metrics("test");
  metrics.CountAnalysis("judge", "canary", "HOLD");
  metrics.CountClassification("mannWhitney", "LOW");
  metrics.CountRpc("Analyze", "OK", 0.01);
  const std::string exposition = metrics.Serialize();
  for (const char* type_line :
       {"# TYPE augur_analyses_total counter", "# TYPE augur_metric_classifications_total counter",
        "# TYPE augur_judge_duration_seconds histogram",
        "# TYPE augur_fetch_duration_seconds histogram",
        "# TYPE augur_provider_errors_total counter", "# TYPE augur_grpc_requests_total counter",
        "# TYPE augur_grpc_request_duration_seconds histogram", "# TYPE augur_active_runs gauge",
        "# TYPE augur_templates_loaded gauge", "# TYPE augur_template_reloads_total counter",
        "# TYPE augur_build_info gauge"}) {
    EXPECT_THAT(exposition, HasSubstr(absl::StrCat(type_line, "\n")));
  }
}

TEST(ServiceMetricsTest, MetricsAddedToTheRegistryAreSerialized) {
  ServiceMetrics metrics("test");
  prometheus::BuildCounter()
      .Name("augur_extra_total")
      .Help("Registered by another component.")
      .Register(metrics.registry())
      .Add({})
      .Increment(7);
  EXPECT_THAT(Samples(metrics.Serialize()), Contains(Pair("augur_extra_total", 7)));
}

TEST(ServiceMetricsTest, ConcurrentCallsAddUp) {
  ServiceMetrics metrics("test");
  constexpr int kThreads = 8;
  constexpr int kCalls = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      // Every thread shares some label combinations and has one of its own, so first sightings
      // race with lookups and with each other.
      const std::string own = absl::StrCat("judge", t);
      for (int i = 0; i < kCalls; ++i) {
        metrics.CountAnalysis("judge", "canary", "PROMOTE");
        metrics.CountClassification(own, "PASS");
        metrics.CountRpc("Analyze", "OK", 0.001);
        metrics.ObserveJudgeSeconds(0.001);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  const std::map<std::string, double> samples = Samples(metrics.Serialize());
  EXPECT_THAT(
      samples,
      Contains(Pair(R"(augur_analyses_total{kind="judge",strategy="canary",verdict="PROMOTE"})",
                    kThreads * kCalls)));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(
        samples,
        Contains(Pair(
            absl::StrCat(R"(augur_metric_classifications_total{classification="PASS",judge="judge)",
                         t, R"("})"),
            kCalls)));
  }
  EXPECT_THAT(samples, Contains(Pair(R"(augur_grpc_requests_total{code="OK",method="Analyze"})",
                                     kThreads * kCalls)));
  EXPECT_THAT(samples,
              Contains(Pair(R"(augur_grpc_request_duration_seconds_count{method="Analyze"})",
                            kThreads * kCalls)));
  EXPECT_THAT(samples, Contains(Pair("augur_judge_duration_seconds_count", kThreads * kCalls)));
}

}  // namespace
}  // namespace augur::service
