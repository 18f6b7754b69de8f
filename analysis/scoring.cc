#include "analysis/scoring.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace augur::analysis {

using judges::Classification;

double RoundScore(double score) {
  // BigDecimal HALF_UP on the double's decimal value; scores are sums of a few shares, so a
  // tiny relative nudge stops 0.125 (stored as 0.12499999...) from rounding down.
  return std::floor(score * 100.0 * (1.0 + 1e-12) + 0.5) / 100.0;
}

const char* SummaryName(Score::Summary summary) {
  switch (summary) {
    case Score::Summary::kPass:
      return "pass";
    case Score::Summary::kMarginal:
      return "marginal";
    case Score::Summary::kFail:
      break;
  }
  return "fail";
}

Score ComputeScore(absl::Span<const ScoredMetric> metrics,
                   const std::map<std::string, double>& weights, double pass, double marginal) {
  Score out;
  std::map<std::string, GroupScore> groups;
  int counted = 0;
  int no_data = 0;
  const ScoredMetric* critical_failure = nullptr;
  for (const ScoredMetric& m : metrics) {
    if (m.excluded) continue;
    ++counted;
    GroupScore& g = groups[m.group];
    g.name = m.group;
    switch (m.classification) {
      case Classification::kPass:
        ++g.pass;
        break;
      case Classification::kHigh:
      case Classification::kLow:
        ++g.fail;
        break;
      case Classification::kNoData:
        ++no_data;
        // Kayenta: mustHaveData and not critical is NodataFailMetric, a failure; otherwise
        // Nodata, left out of the group's share.
        if (m.must_have_data && !m.critical) {
          ++g.fail;
        } else {
          ++g.no_data_count;
        }
        break;
      case Classification::kError:
        ++g.errors;
        break;
    }
    if (m.critical && m.classification != Classification::kPass &&
        m.classification != Classification::kError && critical_failure == nullptr) {
      critical_failure = &m;
    }
  }
  double weighted = 0;
  double total_weight = 0;
  for (auto& [name, g] : groups) {
    const int denominator = g.pass + g.fail;
    g.no_data = denominator == 0;
    g.score = g.no_data ? 0.0 : 100.0 * g.pass / denominator;
    auto it = weights.find(name);
    const double w = it == weights.end() ? 1.0 : it->second;
    weighted += w * (g.no_data ? 100.0 : g.score);
    total_weight += w;
    out.groups.push_back(g);
  }
  if (critical_failure != nullptr) {
    out.score = 0;
    out.forced_by_no_data = critical_failure->classification == Classification::kNoData;
    out.reason =
        absl::StrCat("critical metric ", critical_failure->name, " ",
                     judges::ClassificationName(critical_failure->classification),
                     critical_failure->reason.empty() ? "" : ": ", critical_failure->reason);
  } else if (counted > 0 && 2 * no_data >= counted) {
    out.score = 0;
    out.forced_by_no_data = true;
    out.reason = absl::StrCat(no_data, " of ", counted, " metrics have no data (50% or more)");
  } else {
    out.score = total_weight > 0 ? RoundScore(weighted / total_weight) : 0.0;
  }
  out.summary = out.score >= pass       ? Score::Summary::kPass
                : out.score >= marginal ? Score::Summary::kMarginal
                                        : Score::Summary::kFail;
  return out;
}

}  // namespace augur::analysis
