// The decision of DESIGN.md §2 over judged metrics: the strategy tables, the fail-safe rule
// (missing, NaN-only, too-small or erroring data never PROMOTEs) checked exhaustively over every
// combination of three metrics, and the reasons naming the deciding metrics.
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::analysis {
namespace {

using judges::Classification;
using ::testing::HasSubstr;

MetricResult Metric(std::string name, Classification c, bool critical = false,
                    std::string reason = "") {
  MetricResult m;
  m.name = m.metric = m.group = std::move(name);
  m.judgement.classification = c;
  m.judgement.critical = critical;
  m.judgement.reason = std::move(reason);
  return m;
}

AnalysisResult Decided(Strategy strategy, std::vector<MetricResult> metrics) {
  AnalysisResult r;
  r.strategy = strategy;
  r.metrics = std::move(metrics);
  Decide(r, {});
  return r;
}

TEST(DecisionTest, CanaryAllPassPromotes) {
  const AnalysisResult r = Decided(
      Strategy::kCanary, {Metric("a", Classification::kPass), Metric("b", Classification::kPass)});
  EXPECT_EQ(r.verdict, Verdict::kPromote);
  EXPECT_EQ(r.reason, "score 100 >= pass 95; all 2 metric results pass");
}

TEST(DecisionTest, CanaryCriticalFailureAborts) {
  std::vector<MetricResult> metrics;
  for (int i = 0; i < 30; ++i)
    metrics.push_back(Metric("ok" + std::to_string(i), Classification::kPass));
  metrics.push_back(
      Metric("error-ratio", Classification::kHigh, true, "canary 5% vs control 0.5%"));
  const AnalysisResult r = Decided(Strategy::kCanary, metrics);
  EXPECT_EQ(r.verdict, Verdict::kAbort);
  EXPECT_EQ(r.reason, "critical metric failed: error-ratio HIGH: canary 5% vs control 0.5%");
  EXPECT_EQ(r.score.score, 0);
}

TEST(DecisionTest, CanaryScoreBelowMarginalAborts) {
  const AnalysisResult r =
      Decided(Strategy::kCanary,
              {Metric("p99", Classification::kHigh, false, "canary +23%"),
               Metric("cpu", Classification::kPass), Metric("mem", Classification::kPass)});
  EXPECT_EQ(r.verdict, Verdict::kAbort);
  EXPECT_THAT(r.reason, HasSubstr("score 66.67 is below marginal 75: p99 HIGH: canary +23%"));
}

TEST(DecisionTest, CanaryMarginalScoreHolds) {
  std::vector<MetricResult> metrics;
  for (int i = 0; i < 9; ++i)
    metrics.push_back(Metric("ok" + std::to_string(i), Classification::kPass));
  metrics.push_back(Metric("p50", Classification::kHigh));
  const AnalysisResult r = Decided(Strategy::kCanary, metrics);
  EXPECT_EQ(r.verdict, Verdict::kHold);
  EXPECT_THAT(r.reason, HasSubstr("score 90 is marginal (pass 95): p50 HIGH"));
}

TEST(DecisionTest, CanaryMissingDataHoldsRatherThanAborts) {
  // Kayenta scores a majority of NODATA as 0, a failure; augur holds: the data may still come.
  const AnalysisResult r =
      Decided(Strategy::kCanary, {Metric("p99", Classification::kNoData, false, "no data"),
                                  Metric("errors", Classification::kNoData, true, "no traffic"),
                                  Metric("cpu", Classification::kPass)});
  EXPECT_EQ(r.verdict, Verdict::kHold);
  EXPECT_EQ(r.score.score, 0);
  EXPECT_THAT(r.reason, HasSubstr("not enough data to promote: p99 NODATA: no data"));
}

TEST(DecisionTest, CanaryRegressionAbortsEvenWhileOtherDataIsMissing) {
  const AnalysisResult r =
      Decided(Strategy::kCanary,
              {Metric("p99", Classification::kHigh), Metric("p50", Classification::kHigh),
               Metric("errors", Classification::kNoData), Metric("cpu", Classification::kPass)});
  EXPECT_EQ(r.verdict, Verdict::kAbort);
}

TEST(DecisionTest, DryRunFailureDoesNotChangeTheVerdict) {
  MetricResult dry = Metric("cpu", Classification::kHigh, true);
  dry.dry_run = true;
  const AnalysisResult r = Decided(Strategy::kCanary, {Metric("p99", Classification::kPass), dry});
  EXPECT_EQ(r.verdict, Verdict::kPromote);
}

TEST(DecisionTest, ShadowAbortsOnAnyRegression) {
  std::vector<MetricResult> metrics;
  for (int i = 0; i < 30; ++i)
    metrics.push_back(Metric("ok" + std::to_string(i), Classification::kPass));
  metrics.push_back(Metric("p99", Classification::kHigh));
  const AnalysisResult r = Decided(Strategy::kShadow, metrics);
  EXPECT_EQ(r.verdict, Verdict::kAbort);
  EXPECT_THAT(r.reason, HasSubstr("the shadow regresses on mirrored traffic: p99 HIGH"));
}

MetricResult Kpi(std::string name, KpiOutcome outcome, bool margin = false) {
  MetricResult m = Metric(std::move(name), outcome == KpiOutcome::kWorse ? Classification::kLow
                                                                         : Classification::kPass);
  m.kpi = true;
  m.kpi_outcome = outcome;
  m.kpi_has_margin = margin;
  return m;
}

TEST(DecisionTest, AbTable) {
  EXPECT_EQ(Decided(Strategy::kAb,
                    {Kpi("conversion", KpiOutcome::kBetter), Metric("p99", Classification::kPass)})
                .verdict,
            Verdict::kPromote);
  EXPECT_EQ(Decided(Strategy::kAb,
                    {Kpi("conversion", KpiOutcome::kBetter), Metric("p99", Classification::kHigh)})
                .verdict,
            Verdict::kAbort);
  EXPECT_EQ(Decided(Strategy::kAb, {Kpi("conversion", KpiOutcome::kWorse)}).verdict,
            Verdict::kAbort);
  EXPECT_EQ(Decided(Strategy::kAb, {Kpi("conversion", KpiOutcome::kInconclusive)}).verdict,
            Verdict::kHold);
  EXPECT_EQ(Decided(Strategy::kAb, {Kpi("conversion", KpiOutcome::kNonInferior, true)}).verdict,
            Verdict::kPromote);
  // A KPI with a margin must be shown non-inferior even when another KPI is better.
  EXPECT_EQ(Decided(Strategy::kAb, {Kpi("conversion", KpiOutcome::kBetter),
                                    Kpi("revenue", KpiOutcome::kInconclusive, true)})
                .verdict,
            Verdict::kHold);
  EXPECT_EQ(Decided(Strategy::kAb, {Kpi("conversion", KpiOutcome::kBetter),
                                    Metric("p99", Classification::kNoData)})
                .verdict,
            Verdict::kHold);
}

// The fail-safe rule, exhaustively: three metrics, each any classification, critical or not,
// dry-run or not, mustHaveData or not, under every strategy (first metric a KPI for ab).
TEST(DecisionTest, NoFaultScenarioEverPromotes) {
  const Classification kAll[] = {Classification::kPass, Classification::kHigh, Classification::kLow,
                                 Classification::kNoData, Classification::kError};
  int promotes = 0;
  int checked = 0;
  for (Strategy strategy : {Strategy::kCanary, Strategy::kAb, Strategy::kShadow}) {
    for (int code = 0; code < 40 * 40 * 40; ++code) {
      std::vector<MetricResult> metrics;
      int rest = code;
      for (int i = 0; i < 3; ++i) {
        const int v = rest % 40;
        rest /= 40;
        MetricResult m = Metric("m" + std::to_string(i), kAll[v % 5], (v / 5) % 2 == 1);
        m.dry_run = (v / 10) % 2 == 1;
        m.must_have_data = (v / 20) % 2 == 1;
        if (strategy == Strategy::kAb && i == 0) {
          m.kpi = true;
          m.kpi_outcome = m.judgement.classification == Classification::kPass  ? KpiOutcome::kBetter
                          : m.judgement.classification == Classification::kLow ? KpiOutcome::kWorse
                                                                               : KpiOutcome::kNone;
        }
        metrics.push_back(m);
      }
      bool fault = false;
      bool active = false;
      for (const MetricResult& m : metrics) {
        if (m.dry_run) continue;
        active = true;
        const Classification c = m.judgement.classification;
        const bool regressed = c == Classification::kHigh || c == Classification::kLow;
        fault = fault || c == Classification::kNoData || c == Classification::kError ||
                (regressed && (m.judgement.critical || strategy != Strategy::kCanary));
      }
      const AnalysisResult r = Decided(strategy, metrics);
      ++checked;
      if (r.verdict == Verdict::kPromote) ++promotes;
      if (fault) {
        ASSERT_NE(r.verdict, Verdict::kPromote)
            << StrategyName(strategy) << " code " << code << ": " << r.reason;
      }
      if (!active && strategy == Strategy::kCanary) {
        // Nothing but dry-run metrics: nothing shows the canary is safe.
        EXPECT_NE(r.verdict, Verdict::kPromote) << r.reason;
      }
      EXPECT_FALSE(r.reason.empty());
    }
  }
  EXPECT_EQ(checked, 3 * 64000);
  EXPECT_GT(promotes, 0);  // the rule is not vacuous
}

}  // namespace
}  // namespace augur::analysis
