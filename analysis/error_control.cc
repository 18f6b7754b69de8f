#include "analysis/error_control.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "judges/judgement.h"

namespace augur::analysis {

std::vector<double> HolmAdjust(absl::Span<const double> p_values) {
  std::vector<double> adjusted(p_values.size(), std::nan(""));
  std::vector<size_t> order;
  for (size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) order.push_back(i);
  }
  // Ties keep the input order, as R's order() does; the adjusted values do not depend on it.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  const double k = static_cast<double>(order.size());
  double running = 0.0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const double scaled = std::min(1.0, (k - static_cast<double>(rank)) * p_values[order[rank]]);
    running = std::max(running, scaled);
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

namespace {

// The confidence a family member is tested at; nullopt when the metric is not in the family.
std::optional<double> FamilyConfidence(const config::Metric& metric) {
  if (const auto* mw = std::get_if<config::MannWhitneyJudge>(&metric.judge)) {
    if (mw->mode == config::MannWhitneyJudge::Mode::kKayenta) return std::nullopt;
    return mw->confidence;
  }
  if (const auto* rate = std::get_if<config::RateJudge>(&metric.judge)) return rate->confidence;
  if (const auto* ks = std::get_if<config::KolmogorovSmirnovJudge>(&metric.judge)) {
    return ks->confidence;
  }
  return std::nullopt;  // thresholds have no test
}

}  // namespace

void ApplyHolm(const config::AnalysisTemplate& t, AnalysisResult& result) {
  std::map<std::string, const config::Metric*> by_name;
  for (const config::Metric& m : t.metrics) by_name[m.name] = &m;
  std::vector<double> p(result.metrics.size(), std::nan(""));
  std::vector<double> confidence(result.metrics.size(), std::nan(""));
  for (size_t i = 0; i < result.metrics.size(); ++i) {
    const MetricResult& r = result.metrics[i];
    const auto it = by_name.find(r.metric);
    if (it == by_name.end() || r.dry_run || r.kpi) continue;
    const std::optional<double> c = FamilyConfidence(*it->second);
    const judges::Classification k = r.judgement.classification;
    if (!c || std::isnan(r.judgement.p_value) ||
        (k != judges::Classification::kPass && k != judges::Classification::kHigh &&
         k != judges::Classification::kLow)) {
      continue;
    }
    p[i] = r.judgement.p_value;
    confidence[i] = *c;
  }
  const std::vector<double> adjusted = HolmAdjust(p);
  const size_t family = static_cast<size_t>(
      std::count_if(p.begin(), p.end(), [](double v) { return !std::isnan(v); }));
  for (size_t i = 0; i < result.metrics.size(); ++i) {
    if (std::isnan(adjusted[i])) continue;
    judges::Judgement& j = result.metrics[i].judgement;
    j.p_value_adjusted = adjusted[i];
    if (j.classification == judges::Classification::kPass) continue;
    if (adjusted[i] < 1.0 - confidence[i]) continue;
    j.classification = judges::Classification::kPass;
    j.critical = false;
    absl::StrAppend(
        &j.reason,
        absl::StrFormat(": significant alone, not among the analysis' %d test%s "
                        "(Holm-adjusted p=%.2g, needs < %g)",
                        family, family == 1 ? "" : "s", adjusted[i], 1.0 - confidence[i]));
  }
}

}  // namespace augur::analysis
