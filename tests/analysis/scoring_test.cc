// Kayenta's ScorerSuite (tests/data/kayenta/judge-test-vectors.json, copied from
// spinnaker/kayenta a69573be): every case's summary score, plus the rounding and thresholds of
// shared/reference/kayenta.md §2.8.
#include "analysis/scoring.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/kayenta_vectors.h"

namespace augur::analysis {
namespace {

using judges::Classification;
using nlohmann::json;

Classification Parse(const std::string& label) {
  static const std::map<std::string, Classification> kLabels = {
      {"Pass", Classification::kPass},
      {"High", Classification::kHigh},
      {"Low", Classification::kLow},
      {"Nodata", Classification::kNoData},
      {"NodataFailMetric", Classification::kNoData},
      {"Error", Classification::kError}};
  return kLabels.at(label);
}

TEST(KayentaScorerTest, EveryScorerSuiteCase) {
  const json& vectors = augur::testing::KayentaVectors();
  ASSERT_FALSE(vectors.empty()) << "missing tests/data/kayenta/judge-test-vectors.json";
  const json& cases = vectors["scorer_suite"];
  ASSERT_EQ(cases.size(), 13u);
  for (const json& c : cases) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::vector<ScoredMetric> metrics;
    for (const json& m : c["metrics"]) {
      ScoredMetric s;
      s.name = m["name"];
      s.group = m["groups"][0];
      const std::string label = m["classification"];
      s.classification = Parse(label);
      s.critical = m["critical"].get<bool>();
      // Kayenta's Nodata is left out of its group's share; NodataFailMetric counts as a failure.
      s.must_have_data = label == "NodataFailMetric";
      metrics.push_back(s);
    }
    std::map<std::string, double> weights;
    for (const auto& [group, weight] : c["groupWeights"].items()) weights[group] = weight;
    const Score score = ComputeScore(metrics, weights, 95, 75);
    EXPECT_DOUBLE_EQ(score.score, c["expected_summaryScore"].get<double>());
  }
}

TEST(ScoringTest, RoundsHalfUpToTwoDecimals) {
  EXPECT_DOUBLE_EQ(RoundScore(100.0 / 3), 33.33);
  EXPECT_DOUBLE_EQ(RoundScore(200.0 / 3), 66.67);
  EXPECT_DOUBLE_EQ(RoundScore(0.125), 0.13);
  EXPECT_DOUBLE_EQ(RoundScore(87.5), 87.5);
}

TEST(ScoringTest, SummaryFollowsPassAndMarginal) {
  std::vector<ScoredMetric> metrics(4);
  for (size_t i = 0; i < metrics.size(); ++i) {
    metrics[i].name = "m" + std::to_string(i);
    metrics[i].group = "g";
    metrics[i].classification = Classification::kPass;
  }
  EXPECT_EQ(ComputeScore(metrics, {}, 95, 75).summary, Score::Summary::kPass);
  metrics[0].classification = Classification::kHigh;  // 75: marginal, inclusive
  EXPECT_EQ(ComputeScore(metrics, {}, 95, 75).summary, Score::Summary::kMarginal);
  metrics[1].classification = Classification::kLow;  // 50
  EXPECT_EQ(ComputeScore(metrics, {}, 95, 75).summary, Score::Summary::kFail);
}

TEST(ScoringTest, DryRunMetricsAreNotScored) {
  std::vector<ScoredMetric> metrics(2);
  metrics[0] = {"ok", "g", Classification::kPass, false, true, false, ""};
  metrics[1] = {"dry", "g", Classification::kHigh, true, true, /*excluded=*/true, ""};
  const Score score = ComputeScore(metrics, {}, 95, 75);
  EXPECT_DOUBLE_EQ(score.score, 100);
  EXPECT_TRUE(score.reason.empty());
}

TEST(ScoringTest, ErrorsAreLeftOutOfTheShare) {
  std::vector<ScoredMetric> metrics(2);
  metrics[0] = {"ok", "g", Classification::kPass, false, true, false, ""};
  metrics[1] = {"broken", "g", Classification::kError, false, true, false, ""};
  EXPECT_DOUBLE_EQ(ComputeScore(metrics, {}, 95, 75).score, 100);
}

TEST(ScoringTest, RelativeWeightsNormaliseOverGroupsPresent) {
  std::vector<ScoredMetric> metrics(2);
  metrics[0] = {"lat", "latency", Classification::kPass, false, true, false, ""};
  metrics[1] = {"err", "errors", Classification::kHigh, false, true, false, ""};
  // latency weighs 3, errors (not listed) 1: 3*100/4.
  EXPECT_DOUBLE_EQ(ComputeScore(metrics, {{"latency", 3}}, 95, 75).score, 75);
}

TEST(ScoringTest, CriticalNoDataIsForcedByNoData) {
  std::vector<ScoredMetric> metrics(2);
  metrics[0] = {"ok", "g", Classification::kPass, false, true, false, ""};
  metrics[1] = {"errors", "g", Classification::kNoData, true, true, false, "no traffic"};
  const Score score = ComputeScore(metrics, {}, 95, 75);
  EXPECT_EQ(score.score, 0);
  EXPECT_TRUE(score.forced_by_no_data);
  EXPECT_EQ(score.reason, "critical metric errors NODATA: no traffic");
}

}  // namespace
}  // namespace augur::analysis
