// The template loader: a valid template, then one mistake at a time, each asserting the exact
// line `augur validate` prints for it (file, field path, problem, bad value). The expected lines
// are this project's contract (docs/templates.md), written here by hand.
#include "config/template_loader.h"

#include <regex>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "config/template_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::config {
namespace {

using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValid[] = R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata:
  name: checkout
spec:
  args:
    - name: service
    - name: namespace
      default: default
  step: 30s
  scoring:
    pass: 95
    marginal: 75
    groups:
      latency: 2
  metrics:
    - name: p99-latency
      group: latency
      query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{args.namespace}}",service="{{args.service}}",version="{{scope}}"}[1m])))
      judge:
        mannWhitney:
          direction: increase
          confidence: 0.98
          allowedIncrease: 1.1
    - name: error-ratio
      critical: true
      judge:
        rate:
          events: sum(increase(http_requests_total{service="{{args.service}}",version="{{scope}}",code=~"5.."}[{{window}}]))
          total: sum(increase(http_requests_total{service="{{args.service}}",version="{{scope}}"}[{{window}}]))
          minTotal: 200
    - name: cpu
      query: sum(rate(container_cpu_usage_seconds_total{pod=~"{{args.service}}-{{scope}}-.*"}[1m]))
      judge:
        threshold:
          max: 2.0
)";

constexpr char kCpuQuery[] =
    R"(      query: sum(rate(container_cpu_usage_seconds_total{pod=~"{{args.service}}-{{scope}}-.*"}[1m]))
)";

// The diagnostics of kValid with `from` replaced by `to` (which must occur), as printed.
std::vector<std::string> Lines(const std::string& from, const std::string& to,
                               bool* has_result = nullptr) {
  std::string text = kValid;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the edit does not apply: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  const TemplateLoad load = LoadTemplate(text);
  if (has_result != nullptr) *has_result = load.result.has_value();
  std::vector<std::string> lines =
      absl::StrSplit(load.diagnostics.Format("t.yaml"), '\n', absl::SkipEmpty());
  return lines;
}

TEST(TemplateLoaderTest, ValidTemplateLoadsWithEveryField) {
  const TemplateLoad load = LoadTemplate(kValid);
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  EXPECT_TRUE(load.diagnostics.all().empty()) << load.diagnostics.Format("t.yaml");
  const AnalysisTemplate& t = *load.result;
  EXPECT_EQ(t.name, "checkout");
  ASSERT_EQ(t.args.size(), 2u);
  EXPECT_FALSE(t.args[0].default_value.has_value());
  EXPECT_EQ(t.args[1].default_value, "default");
  EXPECT_EQ(t.step, absl::Seconds(30));
  EXPECT_EQ(t.scoring.pass, 95);
  EXPECT_EQ(t.scoring.group_weights.at("latency"), 2);
  ASSERT_EQ(t.metrics.size(), 3u);
  const auto& mw = std::get<MannWhitneyJudge>(t.metrics[0].judge);
  EXPECT_EQ(mw.direction, Direction::kIncrease);
  EXPECT_EQ(mw.confidence, 0.98);
  EXPECT_EQ(mw.allowed_increase, 1.1);
  EXPECT_EQ(t.metrics[0].group, "latency");
  EXPECT_EQ(t.metrics[1].group, "error-ratio");  // defaults to the name
  EXPECT_TRUE(t.metrics[1].critical);
  const auto& rate = std::get<RateJudge>(t.metrics[1].judge);
  EXPECT_EQ(rate.min_total, 200);
  EXPECT_EQ(rate.direction, Direction::kIncrease);  // the rate judge's default
  const auto& threshold = std::get<ThresholdJudge>(t.metrics[2].judge);
  EXPECT_EQ(threshold.max, 2.0);
  EXPECT_FALSE(threshold.min.has_value());
  EXPECT_TRUE(t.metrics[2].must_have_data);  // default: no data never passes
}

TEST(TemplateLoaderTest, DefaultsAreTheDocumentedOnes) {
  const TemplateLoad load = LoadTemplate(R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: minimal}
spec:
  metrics:
    - name: latency
      query: up
      judge: {mannWhitney: {}}
)");
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const AnalysisTemplate& t = *load.result;
  EXPECT_EQ(t.step, absl::Seconds(30));
  EXPECT_EQ(t.scoring.pass, 95);
  EXPECT_EQ(t.scoring.marginal, 75);
  const Metric& m = t.metrics[0];
  EXPECT_FALSE(m.critical);
  EXPECT_TRUE(m.must_have_data);
  EXPECT_FALSE(m.dry_run);
  EXPECT_FALSE(m.nan_replace);
  EXPECT_FALSE(m.outliers.remove);
  EXPECT_EQ(m.outliers.factor, 3.0);
  const auto& mw = std::get<MannWhitneyJudge>(m.judge);
  EXPECT_EQ(mw.direction, Direction::kEither);
  EXPECT_EQ(mw.confidence, 0.98);
  EXPECT_EQ(mw.allowed_increase, 1.0);
  EXPECT_EQ(mw.allowed_decrease, 1.0);
}

struct Mistake {
  const char* name;
  std::string from;
  std::string to;
  std::string line;  // the exact line expected among the output
};

void PrintTo(const Mistake& mistake, std::ostream* os) { *os << mistake.name; }

class TemplateMistakeTest : public ::testing::TestWithParam<Mistake> {};

TEST_P(TemplateMistakeTest, IsReportedWithItsPathAndValue) {
  bool has_result = true;
  const std::vector<std::string> lines = Lines(GetParam().from, GetParam().to, &has_result);
  EXPECT_THAT(lines, Contains(GetParam().line));
  EXPECT_FALSE(has_result);
}

const std::string kMw = "spec.metrics[0].judge.mannWhitney.";

INSTANTIATE_TEST_SUITE_P(
    Mistakes, TemplateMistakeTest,
    ::testing::Values(
        Mistake{"ApiVersion", "augur/v1", "augur/v2",
                "t.yaml: apiVersion: must be augur/v1, got 'augur/v2'"},
        Mistake{"KindTypo", "kind: AnalysisTemplate", "kind: AnalysisTemplat",
                "t.yaml: kind: must be AnalysisTemplate, got 'AnalysisTemplat'"},
        Mistake{"NoMetadata", "metadata:\n  name: checkout\n", "",
                "t.yaml: metadata: is required (metadata.name names the template)"},
        Mistake{"BadName", "name: checkout", "name: Check Out",
                "t.yaml: metadata.name: must be 1-63 letters, digits, '-', '_' or '.', starting "
                "and ending with a letter or digit; got 'Check Out'"},
        Mistake{"UnknownTopLevel", "spec:\n", "specs: {}\nspec:\n",
                "t.yaml: specs: unknown field; did you mean 'spec'?"},
        Mistake{"UnknownMetadataKey", "  name: checkout\n", "  name: checkout\n  nmae: x\n",
                "t.yaml: metadata.nmae: unknown field; did you mean 'name'?"},
        Mistake{"UnknownFarFromAnything", "  name: checkout\n", "  name: checkout\n  owner: sre\n",
                "t.yaml: metadata.owner: unknown field (known: name, description, labels)"},
        Mistake{"StepZero", "step: 30s", "step: 0s",
                "t.yaml: spec.step: must be longer than 0, got '0s'"},
        Mistake{"StepWithoutUnit", "step: 30s", "step: 30",
                "t.yaml: spec.step: must be a duration such as 30s, 5m or 1h30m, got '30'"},
        Mistake{"StepList", "step: 30s", "step: [30s]",
                "t.yaml: spec.step: must be a duration, got a list"},
        Mistake{"RepeatedKey", "  step: 30s\n", "  step: 30s\n  step: 1m\n",
                "t.yaml: spec.step: appears twice"},
        Mistake{"PassAbove100", "pass: 95", "pass: 101",
                "t.yaml: spec.scoring.pass: must be in [0,100], got 101"},
        Mistake{"PassBelowMarginal", "pass: 95", "pass: 70",
                "t.yaml: spec.scoring.pass: pass (70) must not be below marginal (75)"},
        Mistake{"MarginalNotANumber", "marginal: 75", "marginal: high",
                "t.yaml: spec.scoring.marginal: must be a number, got 'high'"},
        Mistake{"GroupWeightZero", "latency: 2", "latency: 0",
                "t.yaml: spec.scoring.groups.latency: weight must be above 0, got 0"},
        Mistake{"GroupWithoutMetric", "latency: 2", "latncy: 2",
                "t.yaml: spec.scoring.groups.latncy: no metric is in group 'latncy' (did you "
                "mean 'latency'?)"},
        Mistake{"ArgsNotAList", "  args:\n    - name: service\n", "  args: service\n  x:\n",
                "t.yaml: spec.args: must be a list of {name, default}, got 'service'"},
        Mistake{"ArgTwice", "    - name: service\n", "    - name: service\n    - name: service\n",
                "t.yaml: spec.args[1].name: argument 'service' is declared twice"},
        Mistake{"ArgBadName", "    - name: namespace\n", "    - name: 1namespace\n",
                "t.yaml: spec.args[1].name: must be a letter or '_' followed by letters, digits, "
                "'_' or '-'; got '1namespace'"},
        Mistake{"ArgFieldTypo", "      default: default", "      defualt: default",
                "t.yaml: spec.args[1].defualt: unknown field; did you mean 'default'?"},
        Mistake{"UndeclaredArg", "{{args.namespace}}", "{{args.namespce}}",
                "t.yaml: spec.metrics[0].query: uses {{args.namespce}} but spec.args does not "
                "declare 'namespce' (did you mean 'namespace'?)"},
        Mistake{"UnknownPlaceholder", kCpuQuery, "      query: x{a=\"{{version}}\"}\n",
                "t.yaml: spec.metrics[2].query: unknown placeholder '{{version}}' at byte 5 "
                "(known: scope, window, step, args.NAME)"},
        Mistake{"UnclosedPlaceholder", kCpuQuery, "      query: x{a=\"{{scope\"}\n",
                "t.yaml: spec.metrics[2].query: '{{' at byte 5 has no closing '}}'"},
        Mistake{"PlaceholderInRateEvents", "code=~\"5..\"}[{{window}}]",
                "code=~\"5..\"}[{{windw}}]",
                "t.yaml: spec.metrics[1].judge.rate.events: unknown placeholder '{{windw}}' at "
                "byte 93 (known: scope, window, step, args.NAME)"},
        Mistake{"NoMetrics", "  metrics:\n", "  metric:\n",
                "t.yaml: spec.metrics: is required: a template judges at least one metric"},
        Mistake{"EmptyMetrics", "  metrics:\n", "  metrics: []\n  x:\n",
                "t.yaml: spec.metrics: must be a non-empty list of metrics, got a list"},
        Mistake{"MetricWithoutName", "    - name: cpu\n      query:", "    - query:",
                "t.yaml: spec.metrics[2].name: is required"},
        Mistake{"DuplicateMetric", "name: cpu", "name: error-ratio",
                "t.yaml: spec.metrics[2].name: metric 'error-ratio' is already defined at "
                "spec.metrics[1]"},
        Mistake{"MetricFieldTypo", "      critical: true", "      critcal: true",
                "t.yaml: spec.metrics[1].critcal: unknown field; did you mean 'critical'?"},
        Mistake{"CriticalNotBoolean", "critical: true", "critical: yes",
                "t.yaml: spec.metrics[1].critical: must be true or false, got 'yes'"},
        Mistake{"NoJudge", "      judge:\n        threshold:\n          max: 2.0\n", "",
                "t.yaml: spec.metrics[2].judge: is required: one of mannWhitney, rate, threshold, "
                "kolmogorovSmirnov"},
        Mistake{"TwoJudges", "          max: 2.0\n",
                "          max: 2.0\n        mannWhitney: {}\n",
                "t.yaml: spec.metrics[2].judge: must hold exactly one of mannWhitney, rate, "
                "threshold, kolmogorovSmirnov"},
        Mistake{"JudgeTypo", "        threshold:", "        treshold:",
                "t.yaml: spec.metrics[2].judge.treshold: unknown field; did you mean "
                "'threshold'?"},
        Mistake{"ConfidenceAboveOne", "confidence: 0.98", "confidence: 1.5",
                "t.yaml: " + kMw + "confidence: must be in (0,1), got 1.5"},
        Mistake{"ConfidenceZero", "confidence: 0.98", "confidence: 0",
                "t.yaml: " + kMw + "confidence: must be in (0,1), got 0"},
        Mistake{
            "DirectionUnknown", "direction: increase", "direction: up",
            "t.yaml: " + kMw + "direction: must be one of increase, decrease, either; got 'up'"},
        Mistake{"DirectionMisspelt", "direction: increase", "direction: increse",
                "t.yaml: " + kMw +
                    "direction: must be one of increase, decrease, either; got 'increse' (did "
                    "you mean 'increase'?)"},
        Mistake{
            "AllowedIncreaseBelowOne", "allowedIncrease: 1.1", "allowedIncrease: 0.9",
            "t.yaml: " + kMw +
                "allowedIncrease: is a ratio of experiment to control means and must be at least "
                "1, got 0.9"},
        Mistake{"CriticalBelowAllowed", "allowedIncrease: 1.1\n",
                "allowedIncrease: 1.1\n          criticalIncrease: 1.05\n",
                "t.yaml: " + kMw +
                    "criticalIncrease: must be at least allowedIncrease (1.1), got 1.05"},
        Mistake{"DecreaseBoundWithIncreaseDirection", "allowedIncrease: 1.1\n",
                "allowedIncrease: 1.1\n          allowedDecrease: 0.9\n",
                "t.yaml: " + kMw + "allowedDecrease: has no effect with direction: increase"},
        Mistake{"JudgeWithoutQuery",
                "      query: histogram_quantile(0.99, sum by (le) "
                "(rate(http_request_duration_seconds_bucket{namespace=\"{{args.namespace}}\","
                "service=\"{{args.service}}\",version=\"{{scope}}\"}[1m])))\n",
                "", "t.yaml: spec.metrics[0].query: is required: the judge has nothing to measure"},
        Mistake{"QueryAndPerSideQuery", "      group: latency\n",
                "      group: latency\n      controlQuery: x\n",
                "t.yaml: spec.metrics[0].query: give either query (both sides) or controlQuery "
                "and experimentQuery"},
        Mistake{"ControlQueryAlone", kCpuQuery, "      controlQuery: up\n",
                "t.yaml: spec.metrics[2].experimentQuery: is required with controlQuery"},
        Mistake{"RateWithoutTotal",
                "          total: sum(increase(http_requests_total{service=\"{{args.service}}\","
                "version=\"{{scope}}\"}[{{window}}]))\n",
                "", "t.yaml: spec.metrics[1].judge.rate.total: is required"},
        Mistake{"RateWithQuery", "      critical: true\n",
                "      critical: true\n      query: up\n",
                "t.yaml: spec.metrics[1].query: a rate judge takes its own events and total "
                "queries"},
        Mistake{"MinTotalZero", "minTotal: 200", "minTotal: 0",
                "t.yaml: spec.metrics[1].judge.rate.minTotal: must be at least 1, got 0"},
        Mistake{"MinTotalFraction", "minTotal: 200", "minTotal: 2.5",
                "t.yaml: spec.metrics[1].judge.rate.minTotal: must be a whole number, got '2.5'"},
        Mistake{"ThresholdWithoutBound", "          max: 2.0", "          aggregate: p95",
                "t.yaml: spec.metrics[2].judge.threshold: needs at least one bound: min, max, "
                "maxIncreasePercent, maxDecreasePercent or criteria"},
        Mistake{"ThresholdMinAboveMax", "          max: 2.0\n",
                "          max: 2.0\n          min: 3\n",
                "t.yaml: spec.metrics[2].judge.threshold.min: must not be above max (2), got 3"},
        Mistake{"AggregateUnknown", "          max: 2.0\n",
                "          max: 2.0\n          aggregate: average\n",
                "t.yaml: spec.metrics[2].judge.threshold.aggregate: aggregate 'average' is "
                "unknown; accepted: mean, median, min, max, last, or pNN with 0 < NN < 100 (p50, "
                "p90, p95, p99, p99.9)"},
        Mistake{"NanStrategyUnknown", kCpuQuery,
                std::string(kCpuQuery) + "      nanStrategy: zero\n",
                "t.yaml: spec.metrics[2].nanStrategy: must be one of remove, replace; got 'zero'"},
        Mistake{"OutlierFactorZero", kCpuQuery,
                std::string(kCpuQuery) + "      outliers: {strategy: remove, factor: 0}\n",
                "t.yaml: spec.metrics[2].outliers.factor: must be above 0, got 0"},
        Mistake{"OutliersWithoutStrategy", kCpuQuery,
                std::string(kCpuQuery) + "      outliers: {factor: 2}\n",
                "t.yaml: spec.metrics[2].outliers.strategy: is required"},
        Mistake{"CriticalDryRun", "      critical: true\n",
                "      critical: true\n      dryRun: true\n",
                "t.yaml: spec.metrics[1].dryRun: a dry-run metric never affects the verdict, so "
                "it cannot be critical"},
        Mistake{"GuardrailWithBetter", kCpuQuery,
                std::string(kCpuQuery) + "      guardrail: true\n      better: increase\n",
                "t.yaml: spec.metrics[2].better: a guardrail is judged by its judge's direction; "
                "'better' is for KPIs"},
        Mistake{"MinimumEffectWithoutBetter", kCpuQuery,
                std::string(kCpuQuery) + "      minimumEffect: 0.01\n",
                "t.yaml: spec.metrics[2].minimumEffect: applies to KPIs only: set 'better' too"},
        Mistake{"EffectAndMargin", kCpuQuery,
                std::string(kCpuQuery) + "      better: increase\n      minimumEffect: 0.01\n"
                                         "      nonInferiorityMargin: 0.02\n",
                "t.yaml: spec.metrics[2].nonInferiorityMargin: choose minimumEffect (ship if "
                "better by at least this) or nonInferiorityMargin (ship if not worse by more than "
                "this), not both"},
        Mistake{"ProviderAddressWithoutScheme", "  step: 30s\n",
                "  step: 30s\n  provider: {prometheus: {address: prometheus:9090}}\n",
                "t.yaml: spec.provider.prometheus.address: must start with http:// or https://, "
                "got 'prometheus:9090'"},
        Mistake{"ProviderWithoutAddress", "  step: 30s\n",
                "  step: 30s\n  provider: {prometheus: {}}\n",
                "t.yaml: spec.provider.prometheus.address: is required"},
        Mistake{"MultipleDocuments", "          max: 2.0\n", "          max: 2.0\n---\nkind: x\n",
                "t.yaml: holds 2 YAML documents; put one template in each file"},
        Mistake{"MergeKey", "          confidence: 0.98\n", "          <<: {confidence: 0.98}\n",
                "t.yaml: " + kMw +
                    "<<: YAML merge keys (<<) are not supported; anchor and alias the whole "
                    "mapping, or repeat its fields"},
        Mistake{"SpecNotAMapping", "spec:\n  args:", "spec: 7\nx:\n  args:",
                "t.yaml: spec: must be a mapping, got '7'"}),
    [](const ::testing::TestParamInfo<Mistake>& param_info) { return param_info.param.name; });

TEST(TemplateLoaderTest, EveryMistakeIsReportedInOneRun) {
  std::string text = kValid;
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"pass: 95", "pass: 70"},
                                                        {"confidence: 0.98", "confidence: 1.5"},
                                                        {"minTotal: 200", "minTotal: 0"},
                                                        {"name: cpu", "name: error-ratio"}}) {
    text.replace(text.find(from), from.size(), to);
  }
  const TemplateLoad load = LoadTemplate(text);
  EXPECT_FALSE(load.result.has_value());
  EXPECT_EQ(load.diagnostics.all().size(), 4u) << load.diagnostics.Format("t.yaml");
}

TEST(TemplateLoaderTest, YamlSyntaxErrorsGiveLineAndColumn) {
  const std::vector<std::string> lines = Lines("    pass: 95", "    pass: [95");
  ASSERT_FALSE(lines.empty());
  // The unclosed flow sequence opens on line 12; yaml-cpp reports where it gave up, at or after.
  EXPECT_THAT(lines[0], ContainsRegex("^t\\.yaml:1[2-9]:[0-9]+: YAML syntax: "));
}

TEST(TemplateLoaderTest, EmptyAndNonMappingDocuments) {
  EXPECT_EQ(LoadTemplate("").diagnostics.Format("t.yaml"),
            "t.yaml: is empty: expected an AnalysisTemplate\n");
  EXPECT_EQ(LoadTemplate("just text").diagnostics.Format("t.yaml"),
            "t.yaml: must be a mapping, got 'just text'\n");
}

TEST(TemplateLoaderTest, UnusedArgumentIsAWarningNotAnError) {
  bool has_result = false;
  const std::vector<std::string> lines = Lines(
      "      default: default\n", "      default: default\n    - name: region\n", &has_result);
  EXPECT_TRUE(has_result);
  EXPECT_THAT(lines, Contains("t.yaml: spec.args[2]: warning: argument 'region' is declared but no "
                              "query uses it"));
}

TEST(TemplateLoaderTest, AnchorsAndAliasesWork) {
  const TemplateLoad load = LoadTemplate(R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: anchors}
spec:
  metrics:
    - name: a
      query: up
      judge: &judge {mannWhitney: {direction: increase, confidence: 0.9}}
    - name: b
      query: up
      judge: *judge
)");
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  EXPECT_EQ(std::get<MannWhitneyJudge>(load.result->metrics[1].judge).confidence, 0.9);
}

TEST(TemplateLoaderTest, StrayTokenIsASyntaxErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040; found by
  // fuzz/template_loader_fuzzer.cc, reproducer in fuzz/regressions/).
  EXPECT_EQ(LoadTemplate(",").diagnostics.Format("t.yaml"),
            "t.yaml:1:1: YAML syntax: unexpected text where a document should start\n");
  EXPECT_EQ(LoadTemplate("\"a\", \"b\"").diagnostics.Format("t.yaml"),
            "t.yaml:1:4: YAML syntax: unexpected text where a document should start\n");
  EXPECT_EQ(LoadTemplate("kind: x\n...\n,").diagnostics.Format("t.yaml"),
            "t.yaml:3:1: YAML syntax: unexpected text where a document should start\n");
}

TEST(TemplateLoaderTest, ValuesWithLineBreaksStayOnOneLine) {
  const std::vector<std::string> lines = Lines("name: checkout", "name: \"a\\nb\"");
  EXPECT_THAT(lines, Contains("t.yaml: metadata.name: must be 1-63 letters, digits, '-', '_' or "
                              "'.', starting and ending with a letter or digit; got 'a\\nb'"));
}

TEST(TemplateLoaderTest, UnreadableFileIsOneError) {
  const TemplateLoad load = LoadTemplateFile("/nonexistent/t.yaml");
  EXPECT_FALSE(load.result.has_value());
  EXPECT_THAT(load.diagnostics.Format("/nonexistent/t.yaml"),
              HasSubstr("/nonexistent/t.yaml: cannot read: No such file or directory"));
}

// ============================== calibrated judging ==============================

// A template with one metric of each judge that has a calibration setting, `extra` inserted in
// spec (errorControl) and `mw`, `ks`, `rate` inside each judge's mapping; `instances` among the
// Mann-Whitney metric's fields.
std::string Calibrated(const std::string& extra, const std::string& instances,
                       const std::string& mw, const std::string& ks, const std::string& rate) {
  return R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: calibrated}
spec:
)" + extra +
         R"(  metrics:
    - name: latency
      query: lat{version="{{scope}}"}
)" + instances +
         R"(      judge:
        mannWhitney:
          direction: increase
)" + mw + R"(    - name: spread
      query: lat{version="{{scope}}"}
      judge:
        kolmogorovSmirnov:
          direction: increase
)" + ks + R"(    - name: errors
      judge:
        rate:
          events: e{version="{{scope}}"}
          total: t{version="{{scope}}"}
)" + rate;
}

// Dispersion is opt-in (config/analysis_template.h says why); the rest adjusts by default.
TEST(TemplateLoaderTest, CalibrationDefaultsAreHolmAndAdjust) {
  const TemplateLoad load = LoadTemplate(Calibrated("", "", "", "", ""));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const AnalysisTemplate& t = *load.result;
  EXPECT_EQ(t.error_control, ErrorControl::kHolm);
  EXPECT_EQ(t.metrics[0].instances, "");
  EXPECT_TRUE(std::get<MannWhitneyJudge>(t.metrics[0].judge).adjust_autocorrelation);
  EXPECT_EQ(std::get<MannWhitneyJudge>(t.metrics[0].judge).mode, MannWhitneyJudge::Mode::kAugur);
  EXPECT_TRUE(std::get<KolmogorovSmirnovJudge>(t.metrics[1].judge).adjust_autocorrelation);
  EXPECT_FALSE(std::get<RateJudge>(t.metrics[2].judge).adjust_dispersion);
}

TEST(TemplateLoaderTest, CalibrationSettingsLoad) {
  const TemplateLoad load = LoadTemplate(Calibrated(
      "  errorControl: none\n", "      instances: pod\n", "          autocorrelation: ignore\n",
      "          autocorrelation: ignore\n", "          dispersion: ignore\n"));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  EXPECT_TRUE(load.diagnostics.all().empty()) << load.diagnostics.Format("t.yaml");
  const AnalysisTemplate& t = *load.result;
  EXPECT_EQ(t.error_control, ErrorControl::kNone);
  EXPECT_EQ(t.metrics[0].instances, "pod");
  EXPECT_FALSE(std::get<MannWhitneyJudge>(t.metrics[0].judge).adjust_autocorrelation);
  EXPECT_FALSE(std::get<KolmogorovSmirnovJudge>(t.metrics[1].judge).adjust_autocorrelation);
  EXPECT_FALSE(std::get<RateJudge>(t.metrics[2].judge).adjust_dispersion);
}

TEST(TemplateLoaderTest, CalibrationDefaultsCanBeSpelledOut) {
  const TemplateLoad load = LoadTemplate(
      Calibrated("  errorControl: holm\n", "      instances: _kubernetes_pod_name\n",
                 "          autocorrelation: adjust\n", "          autocorrelation: adjust\n",
                 "          dispersion: adjust\n"));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const AnalysisTemplate& t = *load.result;
  EXPECT_EQ(t.error_control, ErrorControl::kHolm);
  EXPECT_EQ(t.metrics[0].instances, "_kubernetes_pod_name");
  EXPECT_TRUE(std::get<MannWhitneyJudge>(t.metrics[0].judge).adjust_autocorrelation);
  EXPECT_TRUE(std::get<KolmogorovSmirnovJudge>(t.metrics[1].judge).adjust_autocorrelation);
  EXPECT_TRUE(std::get<RateJudge>(t.metrics[2].judge).adjust_dispersion);
}

TEST(TemplateLoaderTest, ModeKayentaIgnoresAutocorrelation) {
  for (const char* autocorrelation : {"", "          autocorrelation: ignore\n"}) {
    const TemplateLoad load = LoadTemplate(
        Calibrated("", "", std::string("          mode: kayenta\n") + autocorrelation, "", ""));
    ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
    const auto& mw = std::get<MannWhitneyJudge>(load.result->metrics[0].judge);
    EXPECT_EQ(mw.mode, MannWhitneyJudge::Mode::kKayenta);
    EXPECT_FALSE(mw.adjust_autocorrelation) << autocorrelation;
  }
}

// The diagnostics of Calibrated(...), as printed.
std::vector<std::string> CalibratedLines(const std::string& extra, const std::string& instances,
                                         const std::string& mw, const std::string& ks,
                                         const std::string& rate, bool* has_result) {
  const TemplateLoad load = LoadTemplate(Calibrated(extra, instances, mw, ks, rate));
  *has_result = load.result.has_value();
  return absl::StrSplit(load.diagnostics.Format("t.yaml"), '\n', absl::SkipEmpty());
}

struct CalibrationMistake {
  const char* name;
  std::string extra, instances, mw, ks, rate;
  std::string line;  // the exact line expected among the output
};

void PrintTo(const CalibrationMistake& mistake, std::ostream* os) { *os << mistake.name; }

class CalibrationMistakeTest : public ::testing::TestWithParam<CalibrationMistake> {};

TEST_P(CalibrationMistakeTest, IsReportedWithItsPathAndValue) {
  const CalibrationMistake& m = GetParam();
  bool has_result = true;
  EXPECT_THAT(CalibratedLines(m.extra, m.instances, m.mw, m.ks, m.rate, &has_result),
              Contains(m.line));
  EXPECT_FALSE(has_result);
}

const std::string kLatencyMw = "t.yaml: spec.metrics[0].judge.mannWhitney.";

INSTANTIATE_TEST_SUITE_P(
    Mistakes, CalibrationMistakeTest,
    ::testing::Values(
        CalibrationMistake{"ErrorControlUnknown", "  errorControl: bonferroni\n", "", "", "", "",
                           "t.yaml: spec.errorControl: must be one of holm, none; got "
                           "'bonferroni'"},
        CalibrationMistake{"ErrorControlMisspelt", "  errorControl: hlom\n", "", "", "", "",
                           "t.yaml: spec.errorControl: must be one of holm, none; got 'hlom' "
                           "(did you mean 'holm'?)"},
        CalibrationMistake{"ErrorControlFalse", "  errorControl: false\n", "", "", "", "",
                           "t.yaml: spec.errorControl: must be one of holm, none; got 'false'"},
        CalibrationMistake{"ErrorControlList", "  errorControl: [holm]\n", "", "", "", "",
                           "t.yaml: spec.errorControl: must be one of holm, none, got a list"},
        CalibrationMistake{"ErrorControlTypo", "  errorControll: none\n", "", "", "", "",
                           "t.yaml: spec.errorControll: unknown field; did you mean "
                           "'errorControl'?"},
        CalibrationMistake{
            "MannWhitneyAutocorrelationUnknown", "", "", "          autocorrelation: yes\n", "", "",
            kLatencyMw + "autocorrelation: must be one of adjust, ignore; got 'yes'"},
        CalibrationMistake{"MannWhitneyAutocorrelationMisspelt", "", "",
                           "          autocorrelation: ignor\n", "", "",
                           kLatencyMw +
                               "autocorrelation: must be one of adjust, ignore; got 'ignor' (did "
                               "you mean 'ignore'?)"},
        CalibrationMistake{"MannWhitneyAdjustWithModeKayenta", "", "",
                           "          mode: kayenta\n          autocorrelation: adjust\n", "", "",
                           kLatencyMw + "autocorrelation: mode kayenta reproduces Kayenta's "
                                        "independent-samples test; adjust needs mode augur"},
        CalibrationMistake{"MannWhitneyAdjustBeforeModeKayenta", "", "",
                           "          autocorrelation: adjust\n          mode: kayenta\n", "", "",
                           kLatencyMw + "autocorrelation: mode kayenta reproduces Kayenta's "
                                        "independent-samples test; adjust needs mode augur"},
        CalibrationMistake{"MannWhitneyAutocorrelationTypo", "", "",
                           "          autocorelation: ignore\n", "", "",
                           kLatencyMw + "autocorelation: unknown field; did you mean "
                                        "'autocorrelation'?"},
        CalibrationMistake{"KolmogorovSmirnovAutocorrelationUnknown", "", "", "",
                           "          autocorrelation: off\n", "",
                           "t.yaml: spec.metrics[1].judge.kolmogorovSmirnov.autocorrelation: must "
                           "be one of adjust, ignore; got 'off'"},
        CalibrationMistake{"RateDispersionUnknown", "", "", "", "",
                           "          dispersion: poisson\n",
                           "t.yaml: spec.metrics[2].judge.rate.dispersion: must be one of adjust, "
                           "ignore; got 'poisson'"},
        CalibrationMistake{"RateAutocorrelation", "", "", "", "",
                           "          autocorrelation: ignore\n",
                           "t.yaml: spec.metrics[2].judge.rate.autocorrelation: unknown field "
                           "(known: events, total, direction, confidence, minTotal, dispersion, "
                           "allowedIncrease, allowedDecrease, allowedAbsoluteIncrease, "
                           "criticalIncrease)"},
        CalibrationMistake{"InstancesNotALabelName", "", "      instances: pod-name\n", "", "", "",
                           "t.yaml: spec.metrics[0].instances: must be a Prometheus label name, "
                           "e.g. pod; got 'pod-name'"},
        CalibrationMistake{"InstancesStartingWithADigit", "", "      instances: 1pod\n", "", "", "",
                           "t.yaml: spec.metrics[0].instances: must be a Prometheus label name, "
                           "e.g. pod; got '1pod'"},
        CalibrationMistake{"InstancesEmpty", "", "      instances: ''\n", "", "", "",
                           "t.yaml: spec.metrics[0].instances: must be a Prometheus label name, "
                           "e.g. pod; got ''"},
        CalibrationMistake{"InstancesWithModeKayenta", "", "      instances: pod\n",
                           "          mode: kayenta\n", "", "",
                           "t.yaml: spec.metrics[0].instances: mannWhitney mode kayenta treats "
                           "points as independent samples; the instance-aware comparison needs "
                           "mode augur"}),
    [](const ::testing::TestParamInfo<CalibrationMistake>& param_info) {
      return param_info.param.name;
    });

TEST(TemplateLoaderTest, InstancesOnlyWithMannWhitney) {
  // kValid's rate (metrics[1]) and threshold (metrics[2]) judges.
  EXPECT_THAT(Lines("      critical: true\n", "      critical: true\n      instances: pod\n"),
              Contains("t.yaml: spec.metrics[1].instances: the instance-aware comparison is made "
                       "by the mannWhitney judge only"));
  EXPECT_THAT(Lines(kCpuQuery, std::string(kCpuQuery) + "      instances: pod\n"),
              Contains("t.yaml: spec.metrics[2].instances: the instance-aware comparison is made "
                       "by the mannWhitney judge only"));
  // And the kolmogorovSmirnov judge.
  const TemplateLoad load = LoadTemplate(absl::StrReplaceAll(
      Calibrated("", "", "", "", ""),
      {{"    - name: spread\n", "    - name: spread\n      instances: pod\n"}}));
  EXPECT_FALSE(load.result.has_value());
  EXPECT_THAT(std::string(load.diagnostics.Format("t.yaml")),
              HasSubstr("t.yaml: spec.metrics[1].instances: the instance-aware comparison is "
                        "made by the mannWhitney judge only\n"));
}

TEST(TemplateLoaderTest, WriterRoundTripsTheCalibrationSettings) {
  const TemplateLoad load = LoadTemplate(Calibrated(
      "  errorControl: none\n", "      instances: pod\n", "          autocorrelation: ignore\n",
      "          autocorrelation: ignore\n", "          dispersion: adjust\n"));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const std::string yaml = WriteTemplateYaml(*load.result);
  EXPECT_THAT(yaml, HasSubstr("\n  errorControl: none\n"));
  EXPECT_THAT(yaml, HasSubstr("\n      instances: pod\n"));
  EXPECT_THAT(yaml, HasSubstr("\n          dispersion: adjust\n"));
  const TemplateLoad again = LoadTemplate(yaml);
  ASSERT_TRUE(again.result.has_value()) << again.diagnostics.Format("written.yaml") << yaml;
  const AnalysisTemplate& t = *again.result;
  EXPECT_EQ(t.error_control, ErrorControl::kNone);
  EXPECT_EQ(t.metrics[0].instances, "pod");
  EXPECT_FALSE(std::get<MannWhitneyJudge>(t.metrics[0].judge).adjust_autocorrelation);
  EXPECT_FALSE(std::get<KolmogorovSmirnovJudge>(t.metrics[1].judge).adjust_autocorrelation);
  EXPECT_TRUE(std::get<RateJudge>(t.metrics[2].judge).adjust_dispersion);
  EXPECT_EQ(WriteTemplateYaml(t), yaml);  // a fixed point
}

TEST(TemplateLoaderTest, WriterLeavesTheCalibrationDefaultsOut) {
  const TemplateLoad load = LoadTemplate(
      Calibrated("  errorControl: holm\n", "", "          autocorrelation: adjust\n",
                 "          autocorrelation: adjust\n", "          dispersion: ignore\n"));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const std::string yaml = WriteTemplateYaml(*load.result);
  EXPECT_THAT(yaml, Not(HasSubstr("errorControl")));
  EXPECT_THAT(yaml, Not(HasSubstr("instances")));
  EXPECT_THAT(yaml, Not(HasSubstr("autocorrelation")));
  EXPECT_THAT(yaml, Not(HasSubstr("dispersion")));
  const TemplateLoad again = LoadTemplate(yaml);
  ASSERT_TRUE(again.result.has_value()) << again.diagnostics.Format("written.yaml") << yaml;
  EXPECT_EQ(again.result->error_control, ErrorControl::kHolm);
  EXPECT_TRUE(std::get<MannWhitneyJudge>(again.result->metrics[0].judge).adjust_autocorrelation);
  EXPECT_TRUE(
      std::get<KolmogorovSmirnovJudge>(again.result->metrics[1].judge).adjust_autocorrelation);
  EXPECT_FALSE(std::get<RateJudge>(again.result->metrics[2].judge).adjust_dispersion);
}

TEST(TemplateLoaderTest, WriterRoundTripsModeKayentaWithoutAutocorrelation) {
  // Mode kayenta always ignores the autocorrelation: the writer must not write `ignore` (nor
  // `adjust`, which the loader refuses), and the template loads back the same.
  const TemplateLoad load = LoadTemplate(Calibrated("", "", "          mode: kayenta\n", "", ""));
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  const std::string yaml = WriteTemplateYaml(*load.result);
  const TemplateLoad again = LoadTemplate(yaml);
  ASSERT_TRUE(again.result.has_value()) << again.diagnostics.Format("written.yaml") << yaml;
  const auto& mw = std::get<MannWhitneyJudge>(again.result->metrics[0].judge);
  EXPECT_EQ(mw.mode, MannWhitneyJudge::Mode::kKayenta);
  EXPECT_FALSE(mw.adjust_autocorrelation);
  EXPECT_THAT(yaml, HasSubstr("          mode: kayenta\n"));
  EXPECT_THAT(yaml, Not(HasSubstr("autocorrelation")));
}

}  // namespace
}  // namespace augur::config
