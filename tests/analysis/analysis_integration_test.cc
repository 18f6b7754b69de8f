// `augur analyze` end to end: the augur binary against Debian's real Prometheus, backfilled once
// per test binary (promtool) with an hour of every augur-scenarios scenario (tools/scenarios.h),
// ending now. Each case runs the binary as a pipeline would and checks its exit code, its verdict
// and the classifications of the metrics that decide it, for the demo template
// (examples/demo/http-canary.yaml) and the variants in tests/analysis/integration/.
//
// The window is the last 30 minutes, as a user gives it, so it ends a few seconds after the last
// sample, how many depending on the clock. The data does not: the generator gives the same values
// at the same distances from its end on every run (tools/scenarios.h). The verdicts and
// classifications asserted below were checked to hold for every window ending 0 to 300 s after
// the last sample, in steps of 5 s.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/loopback_http_server.h"
#include "tests/support/process.h"
#include "tests/support/prometheus_server.h"
#include "tools/scenarios.h"

namespace augur {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

testing::PrometheusServer* prometheus = nullptr;

// One Prometheus for the whole binary: generating the data takes about 0.3 s, promtool a few
// seconds, and every case only reads.
class PrometheusEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    scenarios::ScenarioOptions options;
    options.end_unix_seconds = absl::ToUnixSeconds(absl::Now()) / 15 * 15;
    options.duration = absl::Hours(1);
    auto openmetrics = scenarios::GenerateOpenMetrics(options);
    if (!openmetrics.ok()) {
      std::cerr << "cannot generate the scenarios: " << openmetrics.status() << "\n";
      std::exit(1);
    }
    testing::PrometheusServerOptions server_options;
    server_options.openmetrics = *std::move(openmetrics);
    auto server = testing::PrometheusServer::Start(std::move(server_options));
    if (!server.ok()) {
      std::cerr << "cannot start Prometheus: " << server.status() << "\n";
      std::exit(1);
    }
    prometheus = server->release();
  }
  void TearDown() override { delete prometheus; }
};

constexpr char kDemoTemplate[] = AUGUR_SOURCE_DIR "/examples/demo/http-canary.yaml";

// A template of tests/analysis/integration/.
std::string TestTemplate(absl::string_view file) {
  return absl::StrCat(AUGUR_SOURCE_DIR "/tests/analysis/integration/", file);
}

// What one run of the binary said; `json` is its standard output parsed (discarded when that is
// not JSON).
struct Invocation {
  int exit_code = -1;
  std::string out;
  std::string err;
  absl::Duration elapsed;
  Json json;

  std::string verdict() const { return json.is_object() ? json.value("verdict", "") : ""; }
  std::string reason() const { return json.is_object() ? json.value("reason", "") : ""; }
  // The result of the metric called `name`, or an empty object.
  Json metric(const std::string& name) const {
    if (json.contains("metrics")) {
      for (const Json& m : json["metrics"]) {
        if (m.value("name", "") == name) return m;
      }
    }
    return Json::object();
  }
  std::string classification(const std::string& name) const {
    return metric(name).value("classification", "(no such metric)");
  }
  // Everything, for failure messages.
  std::string dump() const {
    return absl::StrCat("exit ", exit_code, "\nstdout:\n", out, "\nstderr:\n", err);
  }
};

Invocation Augur(std::vector<std::string> args) {
  args.insert(args.begin(), AUGUR_BINARY);
  auto result = testing::RunCommand(args);
  EXPECT_TRUE(result.ok()) << result.status();
  Invocation run;
  if (!result.ok()) return run;
  run.exit_code = result->exit_code;
  run.out = result->out;
  run.err = result->err;
  run.elapsed = result->elapsed;
  run.json = Json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  return run;
}

// `augur analyze` of one scenario's stable against its canary over the last 30 minutes.
Invocation Analyze(const std::string& template_path, const std::string& scenario,
                   std::vector<std::string> extra = {}, const std::string& url = "") {
  std::vector<std::string> args = {"analyze", "--template", template_path, "--arg",
                                   absl::StrCat("service=", scenario)};
  args.insert(args.end(), {"--control", "stable", "--experiment", "canary", "--lookback", "30m"});
  args.insert(args.end(), {"--prometheus", url.empty() ? prometheus->url() : url});
  if (std::find(extra.begin(), extra.end(), "--format") == extra.end()) {
    args.insert(args.end(), {"--format", "json"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return Augur(std::move(args));
}

// The exit code each verdict must come with (cli/analyze_command.h).
int ExitCodeOf(const std::string& verdict) {
  if (verdict == "PROMOTE") return kExitPromote;
  if (verdict == "ABORT") return kExitAbort;
  if (verdict == "HOLD") return kExitHold;
  return -1;
}

TEST(AnalyzeIntegrationTest, HealthyPromotesWithEveryMetricPassing) {
  const Invocation run = Analyze(kDemoTemplate, "healthy");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  EXPECT_EQ(run.verdict(), "PROMOTE");
  EXPECT_EQ(run.err, "");
  ASSERT_EQ(run.json["metrics"].size(), 7u);
  for (const Json& m : run.json["metrics"]) {
    EXPECT_EQ(m["classification"], "PASS") << m.dump();
  }
  EXPECT_EQ(run.json["template"], "http-canary");
  EXPECT_EQ(run.json["strategy"], "canary");
  EXPECT_EQ(run.json["window"]["length"], "30m");
}

TEST(AnalyzeIntegrationTest, LatencyRegressionAbortsOnTheP99) {
  const Invocation run = Analyze(kDemoTemplate, "latency-regression");
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(run.verdict(), "ABORT");
  EXPECT_EQ(run.classification("p99-latency"), "HIGH");
  // The p50 moves by 20% too, but its series (a quantile of 1-minute rates every 30 s) is so
  // autocorrelated (about 0.9) that half an hour holds few independent points: significant
  // alone, not after Holm across the template's tests. The p99's shift decides.
  const Json p50 = run.metric("p50-latency");
  EXPECT_LT(p50.value("p_value", 1.0), 0.02) << p50.dump();
  EXPECT_GT(p50.value("variance_factor", 0.0), 1.0) << p50.dump();
  EXPECT_TRUE(p50.contains("p_value_adjusted") && p50["p_value_adjusted"].is_number())
      << p50.dump();
  EXPECT_THAT(run.reason(), HasSubstr("p99-latency"));
  // Only latency changed.
  EXPECT_EQ(run.classification("error-ratio"), "PASS");
  EXPECT_EQ(run.classification("cpu"), "PASS");
}

TEST(AnalyzeIntegrationTest, SpreadRegressionNeverPromotes) {
  const Invocation run = Analyze(kDemoTemplate, "spread-regression");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  EXPECT_NE(run.verdict(), "PROMOTE") << run.dump();
  EXPECT_NE(run.exit_code, kExitPromote);
  EXPECT_EQ(run.exit_code, ExitCodeOf(run.verdict()));
  // The tail grows while the median stays.
  EXPECT_EQ(run.classification("p99-latency"), "HIGH");
  EXPECT_EQ(run.classification("p50-latency"), "PASS");
}

// The queue wait keeps its median and triples its spread: Mann-Whitney sees nothing, and only
// the Kolmogorov-Smirnov judge stops the canary.
TEST(AnalyzeIntegrationTest, SpreadOnlyRegressionIsCaughtByTheDistributionJudge) {
  const Invocation run = Analyze(TestTemplate("spread-only.yaml"), "spread-regression");
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(run.verdict(), "ABORT");
  EXPECT_EQ(run.classification("queue-wait"), "PASS");
  EXPECT_EQ(run.classification("queue-wait-spread"), "HIGH");
  EXPECT_EQ(run.metric("queue-wait-spread")["critical"], true);
  EXPECT_THAT(run.reason(), HasSubstr("queue-wait-spread"));
}

TEST(AnalyzeIntegrationTest, SpreadOnlyTemplatePromotesTheHealthyScenario) {
  const Invocation run = Analyze(TestTemplate("spread-only.yaml"), "healthy");
  EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  EXPECT_EQ(run.classification("queue-wait-spread"), "PASS");
}

TEST(AnalyzeIntegrationTest, ErrorSpikeAbortsOnTheCriticalErrorRatio) {
  const Invocation run = Analyze(kDemoTemplate, "error-spike");
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(run.verdict(), "ABORT");
  const Json error_ratio = run.metric("error-ratio");
  EXPECT_EQ(error_ratio.value("classification", ""), "HIGH") << error_ratio.dump();
  EXPECT_EQ(error_ratio["critical"], true);
  EXPECT_EQ(error_ratio["judge"], "rate");
  EXPECT_THAT(run.reason(), HasSubstr("error-ratio"));
}

TEST(AnalyzeIntegrationTest, NoCanaryTrafficHoldsForLackOfData) {
  const Invocation run = Analyze(kDemoTemplate, "no-canary-traffic");
  EXPECT_EQ(run.exit_code, kExitHold) << run.dump();
  EXPECT_EQ(run.verdict(), "HOLD");
  EXPECT_EQ(run.classification("p99-latency"), "NODATA");
  EXPECT_EQ(run.classification("error-ratio"), "NODATA");
  EXPECT_THAT(run.metric("error-ratio").value("reason", ""), HasSubstr("too little traffic"));
  EXPECT_THAT(run.reason(), HasSubstr("not enough data"));
}

TEST(AnalyzeIntegrationTest, AllNanGaugeHolds) {
  const Invocation run = Analyze(kDemoTemplate, "all-nan");
  EXPECT_EQ(run.exit_code, kExitHold) << run.dump();
  EXPECT_EQ(run.verdict(), "HOLD");
  EXPECT_EQ(run.classification("cache-hit-ratio"), "NODATA");
  EXPECT_THAT(run.metric("cache-hit-ratio").value("reason", ""), HasSubstr("NaN"));
  EXPECT_THAT(run.reason(), HasSubstr("cache-hit-ratio"));
}

TEST(AnalyzeIntegrationTest, SeriesMissingOnOneSideHolds) {
  const Invocation run = Analyze(kDemoTemplate, "missing-one-side");
  EXPECT_EQ(run.exit_code, kExitHold) << run.dump();
  EXPECT_EQ(run.verdict(), "HOLD");
  EXPECT_EQ(run.classification("cache-hit-ratio"), "NODATA");
  EXPECT_THAT(run.metric("cache-hit-ratio").value("reason", ""), HasSubstr("returned no series"));
}

TEST(AnalyzeIntegrationTest, CpuRegressionDoesNotPromote) {
  const Invocation run = Analyze(kDemoTemplate, "cpu-regression");
  ASSERT_FALSE(run.json.is_discarded()) << run.dump();
  EXPECT_NE(run.verdict(), "PROMOTE") << run.dump();
  EXPECT_EQ(run.exit_code, ExitCodeOf(run.verdict()));
  EXPECT_EQ(run.classification("cpu"), "HIGH");
  EXPECT_EQ(run.metric("cpu")["dry_run"], false);
}

// A dry-run metric failing: reported, verdict unaffected.
TEST(AnalyzeIntegrationTest, FailingDryRunMetricLeavesTheVerdictUnaffected) {
  const Invocation run = Analyze(TestTemplate("cpu-dry-run.yaml"), "cpu-regression");
  EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  EXPECT_EQ(run.verdict(), "PROMOTE");
  const Json cpu = run.metric("cpu");
  EXPECT_EQ(cpu.value("classification", ""), "HIGH") << cpu.dump();
  EXPECT_EQ(cpu["dry_run"], true);
}

// Every fault in the catalogue stops the canary; the healthy scenario goes through.
TEST(AnalyzeIntegrationTest, NoFaultScenarioEverYieldsPromote) {
  int faults = 0;
  bool saw_healthy = false;
  for (const scenarios::ScenarioInfo& scenario : scenarios::Scenarios()) {
    const Invocation run = Analyze(kDemoTemplate, scenario.name);
    ASSERT_FALSE(run.json.is_discarded()) << scenario.name << ": " << run.dump();
    EXPECT_EQ(run.exit_code, ExitCodeOf(run.verdict())) << scenario.name;
    if (scenario.name == "healthy") {
      saw_healthy = true;
      EXPECT_EQ(run.verdict(), "PROMOTE") << run.dump();
    }
    if (absl::StartsWith(scenario.expected, "PROMOTE")) continue;
    ++faults;
    EXPECT_NE(run.verdict(), "PROMOTE")
        << scenario.name << " (expected " << scenario.expected << ")\n"
        << run.dump();
  }
  EXPECT_TRUE(saw_healthy);
  EXPECT_GE(faults, 6);  // the property is not vacuous
}

TEST(AnalyzeIntegrationTest, ShadowAbortsOnAnErrorSpike) {
  const Invocation run = Analyze(kDemoTemplate, "error-spike", {"--strategy", "shadow"});
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(run.verdict(), "ABORT");
  EXPECT_EQ(run.json["strategy"], "shadow");
  EXPECT_EQ(run.classification("error-ratio"), "HIGH");
  EXPECT_THAT(run.reason(), HasSubstr("shadow"));
}

TEST(AnalyzeIntegrationTest, AbWithoutAKpiIsAUsageError) {
  const Invocation run = Analyze(kDemoTemplate, "healthy", {"--strategy", "ab"});
  EXPECT_EQ(run.exit_code, kExitUsage) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("needs a KPI"));
  EXPECT_THAT(run.err, HasSubstr("http-canary"));
}

// tests/analysis/integration/ab.yaml: the median latency is the KPI (lower is better, by at least
// 5%) and the error ratio a guardrail.
TEST(AnalyzeIntegrationTest, AbHoldsWhenNoKpiIsBetter) {
  const Invocation run = Analyze(TestTemplate("ab.yaml"), "healthy", {"--strategy", "ab"});
  EXPECT_EQ(run.exit_code, kExitHold) << run.dump();
  EXPECT_EQ(run.verdict(), "HOLD");
  EXPECT_EQ(run.json["strategy"], "ab");
  EXPECT_EQ(run.metric("p50-latency")["kpi"], "inconclusive");
  EXPECT_EQ(run.classification("error-ratio"), "PASS");
  EXPECT_THAT(run.reason(), HasSubstr("no KPI is significantly better"));
}

TEST(AnalyzeIntegrationTest, AbAbortsWhenTheKpiIsWorse) {
  const Invocation run =
      Analyze(TestTemplate("ab.yaml"), "latency-regression", {"--strategy", "ab"});
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  EXPECT_EQ(run.verdict(), "ABORT");
  EXPECT_EQ(run.metric("p50-latency")["kpi"], "worse");
  EXPECT_THAT(run.reason(), HasSubstr("p50-latency"));
}

TEST(AnalyzeIntegrationTest, TextPutsTheVerdictFirstAndFailuresBeforePasses) {
  const Invocation json = Analyze(kDemoTemplate, "cpu-regression");
  ASSERT_FALSE(json.json.is_discarded()) << json.dump();
  const Invocation text = Analyze(kDemoTemplate, "cpu-regression", {"--format", "text"});
  EXPECT_EQ(text.exit_code, json.exit_code) << text.dump();
  const std::vector<std::string> lines = absl::StrSplit(text.out, '\n');
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], StartsWith(json.verdict() + " ")) << text.out;
  // cpu (HIGH) is the fourth metric of the template, p99-latency (PASS) the first.
  int cpu_row = -1, p99_row = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StartsWith(lines[i], "cpu ")) cpu_row = static_cast<int>(i);
    if (absl::StartsWith(lines[i], "p99-latency ")) p99_row = static_cast<int>(i);
  }
  ASSERT_GE(cpu_row, 0) << text.out;
  ASSERT_GE(p99_row, 0) << text.out;
  EXPECT_LT(cpu_row, p99_row) << text.out;
  EXPECT_THAT(lines[cpu_row], HasSubstr("HIGH"));
  EXPECT_THAT(lines[p99_row], HasSubstr("PASS"));
}

TEST(AnalyzeIntegrationTest, OutputFileGetsTheResultAndStderrTheVerdict) {
  auto dir = testing::MakeTempDir("augur-analyze-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string file = *dir + "/result.json";
  const Invocation run = Analyze(kDemoTemplate, "healthy", {"--output", file});
  EXPECT_EQ(run.exit_code, kExitPromote) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, StartsWith("PROMOTE: "));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  auto written = testing::ReadFile(file);
  ASSERT_TRUE(written.ok()) << written.status();
  const Json result = Json::parse(*written, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(result.is_discarded()) << *written;
  EXPECT_EQ(result["verdict"], "PROMOTE");
  EXPECT_THAT(run.err, HasSubstr(result["reason"].get<std::string>()));
  testing::RemoveTree(*dir);
}

TEST(AnalyzeIntegrationTest, ReportsRenderTheSameFromASavedResultAsFromTheAnalysis) {
  // The JSON result carries what Prometheus returned; `augur report` renders the saved file
  // exactly as `augur analyze --format` renders the analysis.
  auto dir = testing::MakeTempDir("augur-report-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string file = *dir + "/result.json";
  const Invocation run = Analyze(kDemoTemplate, "latency-regression", {"--output", file});
  EXPECT_EQ(run.exit_code, kExitAbort) << run.dump();
  auto written = testing::ReadFile(file);
  ASSERT_TRUE(written.ok()) << written.status();
  const Json result = Json::parse(*written, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(result.is_discarded()) << *written;
  for (const Json& m : result["metrics"]) {
    if (m["judge"] == "rate") {
      EXPECT_FALSE(m.contains("series")) << m["name"];
      continue;
    }
    ASSERT_TRUE(m.contains("series")) << m["name"];
    // 30 minutes at the demo's 15 s step, both ends included.
    EXPECT_EQ(m["series"]["control"].size(), 121u) << m["name"];
    EXPECT_EQ(m["series"]["experiment"].size(), 121u) << m["name"];
  }
  for (const char* format : {"html", "markdown", "junit"}) {
    SCOPED_TRACE(format);
    const Invocation direct = Analyze(kDemoTemplate, "latency-regression", {"--format", format});
    EXPECT_EQ(direct.exit_code, kExitAbort) << direct.dump();
    const Invocation saved = Augur({"report", file, "--format", format});
    EXPECT_EQ(saved.exit_code, 0) << saved.dump();
    // The window is "the last 30 minutes", so two analyses see different windows: compare
    // what does not move with the clock.
    EXPECT_THAT(saved.out, HasSubstr("ABORT"));
    EXPECT_THAT(direct.out, HasSubstr("ABORT"));
    EXPECT_THAT(saved.out, HasSubstr("p99-latency"));
    EXPECT_EQ(std::count(saved.out.begin(), saved.out.end(), '\n') > 5, true) << saved.out;
  }
  const Invocation html = Augur({"report", file, "--format", "html"});
  // Every metric but the rate has a time-series and a distribution chart.
  size_t charts = 0;
  for (size_t at = html.out.find("<svg class=\"chart "); at != std::string::npos;
       at = html.out.find("<svg class=\"chart ", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 2 * (result["metrics"].size() - 1));
  const Invocation again = Augur({"report", file, "--format", "html"});
  EXPECT_EQ(again.out, html.out);  // deterministic
  testing::RemoveTree(*dir);
}

TEST(AnalyzeIntegrationTest, UndeclaredArgumentIsAUsageError) {
  const Invocation run = Analyze(kDemoTemplate, "healthy", {"--arg", "colour=blue"});
  EXPECT_EQ(run.exit_code, kExitUsage) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("'colour'"));
}

TEST(AnalyzeIntegrationTest, MissingRequiredArgumentIsAUsageError) {
  const Invocation run =
      Augur({"analyze", "--template", kDemoTemplate, "--control", "stable", "--experiment",
             "canary", "--lookback", "30m", "--prometheus", prometheus->url(), "--format", "json"});
  EXPECT_EQ(run.exit_code, kExitUsage) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("'service'"));
  EXPECT_THAT(run.err, HasSubstr("required"));
}

TEST(AnalyzeIntegrationTest, UnreachableBackendIsExit3) {
  auto port = testing::FreePort();
  ASSERT_TRUE(port.ok()) << port.status();
  const Invocation run =
      Analyze(kDemoTemplate, "healthy", {"--retry-budget", "1s", "--timeout", "5s"},
              absl::StrCat("http://127.0.0.1:", *port));
  EXPECT_EQ(run.exit_code, kExitUnavailable) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("the analysis could not run"));
}

// Prometheus going down during an analysis, played by a proxy in front of the real server that
// forwards the first three requests and then fails every later one, as `failure` says.
void ExpectNoVerdictWhenTheBackendDiesMidAnalysis(const testing::CannedResponse& failure) {
  std::atomic<int> seen{0};
  std::atomic<int> answered{0};  // forwarded, and answered 200 by Prometheus
  const int prometheus_port = prometheus->port();
  auto proxy = testing::LoopbackHttpServer::Start(
      [&seen, &answered, &failure, prometheus_port](const testing::RecordedRequest& request) {
        if (seen++ >= 3) return failure;
        // RawHttpRequest sends no Content-Type, without which Prometheus ignores a POSTed form;
        // the query API takes the same parameters in a GET's URL.
        const std::string target =
            request.body.empty() ? request.path : absl::StrCat(request.path, "?", request.body);
        auto answer = testing::RawHttpRequest(prometheus_port, "GET", target);
        if (!answer.ok()) return testing::HttpAnswer(502, std::string(answer.status().message()));
        if (answer->status == 200) ++answered;
        return testing::HttpAnswer(answer->status, answer->body);
      });
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  const Invocation run = Analyze(kDemoTemplate, "healthy",
                                 {"--retry-budget", "1s", "--timeout", "5s"}, (*proxy)->url());
  EXPECT_EQ(run.exit_code, kExitUnavailable) << run.dump();
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.out, Not(HasSubstr("PROMOTE")));
  EXPECT_THAT(run.err, HasSubstr("the analysis could not run"));
  EXPECT_LT(run.elapsed, absl::Seconds(30));
  // It did fail mid-analysis: three answers came through before the backend went away.
  EXPECT_EQ(answered.load(), 3);
  EXPECT_GT((*proxy)->requests().size(), 3u);
}

TEST(AnalyzeIntegrationTest, BackendAnswering503MidAnalysisIsExit3WithoutAVerdict) {
  ExpectNoVerdictWhenTheBackendDiesMidAnalysis(testing::HttpAnswer(
      503, R"({"status":"error","errorType":"unavailable","error":"shutting down"})"));
}

TEST(AnalyzeIntegrationTest, BackendClosingConnectionsMidAnalysisIsExit3WithoutAVerdict) {
  testing::CannedResponse close;
  close.action = testing::CannedResponse::Action::kClose;
  ExpectNoVerdictWhenTheBackendDiesMidAnalysis(close);
}

}  // namespace
}  // namespace augur

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new augur::PrometheusEnvironment);
  return RUN_ALL_TESTS();
}
