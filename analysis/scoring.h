// Kayenta's weighted group scoring (WeightedSumScorer + ThresholdScoreClassifier,
// shared/reference/kayenta.md §2.8): each group scores the share of its metrics that pass, the
// groups are averaged by weight, a critical failure or a majority without data scores 0.
//
// One difference: weights are relative (a group not listed weighs 1, and the sum is normalised
// over the groups present) where Kayenta reads them as percentages and splits what is left among
// unlisted groups. Both agree whenever the weights of the groups present add up to 100, which is
// what `augur import kayenta` writes. Pure.
#ifndef AUGUR_ANALYSIS_SCORING_H_
#define AUGUR_ANALYSIS_SCORING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "judges/judgement.h"

namespace augur::analysis {

struct ScoredMetric {
  std::string name;
  std::string group;
  judges::Classification classification = judges::Classification::kNoData;
  bool critical = false;       // the judgement's critical flag
  bool must_have_data = true;  // NODATA counts as a failure (Kayenta's NodataFailMetric)
  bool excluded = false;       // dry-run (Kayenta's muted): reported, not scored
  std::string reason;          // for the score's reason
};

struct GroupScore {
  std::string name;
  double score = 0;      // 0-100, unrounded
  bool no_data = false;  // nothing in the group could be scored; counts as 100 in the sum
  int pass = 0, fail = 0, no_data_count = 0, errors = 0;
};

struct Score {
  double score = 0;  // 0-100, rounded half-up to 2 decimals
  enum class Summary { kPass, kMarginal, kFail } summary = Summary::kFail;
  std::string reason;              // why the score was forced to 0, or empty
  bool forced_by_no_data = false;  // 0 because of a critical metric's NODATA or >= 50% NODATA
  std::vector<GroupScore> groups;  // sorted by name
};

// `weights` by group; groups not listed weigh 1. `pass` and `marginal` as in the template.
Score ComputeScore(absl::Span<const ScoredMetric> metrics,
                   const std::map<std::string, double>& weights, double pass, double marginal);

// Kayenta's rounding: half-up to 2 decimals (33.333 -> 33.33, 0.125 -> 0.13).
double RoundScore(double score);

const char* SummaryName(Score::Summary summary);  // "pass", "marginal", "fail"

}  // namespace augur::analysis

#endif  // AUGUR_ANALYSIS_SCORING_H_
