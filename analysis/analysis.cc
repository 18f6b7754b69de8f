#include "analysis/analysis.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <list>
#include <set>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/error_control.h"
#include "config/template_render.h"
#include "core/status_macros.h"
#include "judges/dependence.h"
#include "judges/ks_test.h"
#include "judges/mann_whitney_classifier.h"
#include "judges/preprocess.h"
#include "judges/rate_test.h"
#include "judges/sort_doubles.h"
#include "judges/threshold.h"

namespace augur::analysis {
namespace {

using config::AnalysisTemplate;
using config::Metric;
using judges::Classification;
using judges::Judgement;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

judges::Direction ToJudgeDirection(config::Direction d) {
  switch (d) {
    case config::Direction::kIncrease:
      return judges::Direction::kIncrease;
    case config::Direction::kDecrease:
      return judges::Direction::kDecrease;
    case config::Direction::kEither:
      break;
  }
  return judges::Direction::kEither;
}

const char* ExperimentLabel(Strategy strategy) {
  switch (strategy) {
    case Strategy::kCanary:
      return "canary";
    case Strategy::kAb:
      return "B";
    case Strategy::kShadow:
      return "shadow";
  }
  return "experiment";
}

Judgement NoData(std::string reason, bool critical) {
  Judgement j;
  j.classification = Classification::kNoData;
  j.critical = critical;
  j.reason = std::move(reason);
  return j;
}

Judgement Error(std::string reason) {
  Judgement j;
  j.classification = Classification::kError;
  j.reason = std::move(reason);
  return j;
}

std::vector<double> Values(const Series* series) {
  std::vector<double> values;
  if (series == nullptr) return values;
  values.reserve(series->points.size());
  for (const Point& p : series->points) values.push_back(p.value);
  return values;
}

// Why a side has nothing to judge, in words.
std::string EmptyReason(const std::string& side, const Series* series, size_t raw_points) {
  if (series == nullptr) return absl::StrCat("no data: the ", side, " query returned no series");
  if (raw_points == 0) return absl::StrCat("no data: the ", side, " series has no points");
  return absl::StrCat("no data: all ", raw_points, " ", side, " points are NaN");
}

// ---- Pairing several series of one query (Kayenta's MetricSetMixerService, with scope labels
// ignored so that sum by (version) pairs stable with canary).

struct SeriesPair {
  Labels labels;
  const Series* control = nullptr;  // the first instance in the instance-aware comparison
  const Series* experiment = nullptr;
  // The instance-aware comparison (Metric::instances): every series of each side.
  std::vector<const Series*> control_instances, experiment_instances;
};

Labels PairingKey(const Labels& labels, const std::string& scope) {
  Labels key;
  for (const auto& [name, value] : labels) {
    if (name == "__name__" || value == scope) continue;
    key.emplace_back(name, value);
  }
  return key;
}

std::string KeyNames(const Labels& key) {
  std::vector<std::string> names;
  for (const auto& [name, value] : key) names.push_back(name);
  return absl::StrCat("{", absl::StrJoin(names, ", "), "}");
}

absl::StatusOr<std::vector<SeriesPair>> PairSeries(const QueryResult& control,
                                                   const QueryResult& experiment,
                                                   const std::string& control_scope,
                                                   const std::string& experiment_scope,
                                                   const std::string& label) {
  std::vector<SeriesPair> pairs;
  const size_t nc = control.series.size();
  const size_t ne = experiment.series.size();
  if (nc <= 1 && ne <= 1) {
    SeriesPair p;
    if (nc == 1) p.control = &control.series[0];
    if (ne == 1) p.experiment = &experiment.series[0];
    pairs.push_back(p);
    return pairs;
  }
  if (nc == 0 || ne == 0) {
    // One side returned nothing: every series of the other gets an empty partner.
    const QueryResult& present = nc == 0 ? experiment : control;
    const std::string& scope = nc == 0 ? experiment_scope : control_scope;
    for (const Series& s : present.series) {
      SeriesPair p;
      p.labels = PairingKey(s.labels, scope);
      (nc == 0 ? p.experiment : p.control) = &s;
      pairs.push_back(p);
    }
    return pairs;
  }
  std::vector<std::pair<Labels, const Series*>> ck, ek;
  for (const Series& s : control.series) ck.emplace_back(PairingKey(s.labels, control_scope), &s);
  for (const Series& s : experiment.series) {
    ek.emplace_back(PairingKey(s.labels, experiment_scope), &s);
  }
  auto names = [](const std::vector<std::pair<Labels, const Series*>>& keyed) {
    std::set<std::string> all;
    for (const auto& [key, s] : keyed) {
      for (const auto& [name, value] : key) all.insert(name);
    }
    return all;
  };
  if (names(ck) != names(ek)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the control series have labels ", KeyNames(ck.front().first), " but the ", label,
        " series have ", KeyNames(ek.front().first),
        "; several series per query are paired by equal labels, so both sides need the same "
        "label names (aggregate with sum by (...) to choose them)"));
  }
  std::set<Labels> seen;
  for (const auto& [key, s] : ck) {
    if (!seen.insert(key).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("two control series have the same labels ", FormatLabels(key),
                       " once the scope label is set aside; aggregate them with sum by (...)"));
    }
    SeriesPair p;
    p.labels = key;
    p.control = s;
    for (const auto& [ekey, es] : ek) {
      if (ekey == key) p.experiment = es;
    }
    pairs.push_back(p);
  }
  for (const auto& [key, s] : ek) {
    if (seen.count(key) > 0) continue;
    SeriesPair p;
    p.labels = key;
    p.experiment = s;
    pairs.push_back(p);
  }
  return pairs;
}

// The instance-aware comparison's pairing: per side, the series grouped by their labels without
// the scope and the instance label; each group of one side meets the group of the other with the
// same labels, and its series are the instances.
absl::StatusOr<std::vector<SeriesPair>> GroupInstances(const QueryResult& control,
                                                       const QueryResult& experiment,
                                                       const std::string& control_scope,
                                                       const std::string& experiment_scope,
                                                       const std::string& instance_label) {
  std::vector<SeriesPair> pairs;
  std::map<Labels, size_t> index;
  auto add = [&](const Series& s, const std::string& scope, bool is_control) {
    Labels key;
    for (auto& [name, value] : PairingKey(s.labels, scope)) {
      if (name != instance_label) key.emplace_back(name, value);
    }
    auto [it, inserted] = index.emplace(key, pairs.size());
    if (inserted) {
      pairs.emplace_back();
      pairs.back().labels = key;
    }
    SeriesPair& p = pairs[it->second];
    (is_control ? p.control_instances : p.experiment_instances).push_back(&s);
    if (is_control && p.control == nullptr) p.control = &s;
    if (!is_control && p.experiment == nullptr) p.experiment = &s;
  };
  for (const Series& s : control.series) add(s, control_scope, true);
  for (const Series& s : experiment.series) add(s, experiment_scope, false);
  if (pairs.empty()) pairs.emplace_back();
  return pairs;
}

// ---- The judges, per pair.

struct SampleData {
  std::vector<double> control, experiment;  // sorted by the judges that rank
  size_t raw_control = 0, raw_experiment = 0;
  // The same points in time order (series judges that adjust for autocorrelation).
  std::vector<double> control_series, experiment_series;
  // The instance-aware comparison: each instance's points (NaN handling and outliers per
  // instance); control and experiment are their concatenation.
  std::vector<std::vector<double>> control_instances, experiment_instances;
};

SampleData Prepare(const SeriesPair& pair, const Metric& metric) {
  judges::Preprocessing pre;
  pre.nan_replace = metric.nan_replace;
  pre.remove_outliers = metric.outliers.remove;
  pre.outlier_factor = metric.outliers.factor;
  SampleData d;
  if (!metric.instances.empty()) {
    auto side = [&](const std::vector<const Series*>& instances, std::vector<double>& all,
                    std::vector<std::vector<double>>& each, size_t& raw) {
      for (const Series* s : instances) {
        const std::vector<double> v = Values(s);
        raw += v.size();
        each.push_back(judges::Preprocess(v, pre));
        all.insert(all.end(), each.back().begin(), each.back().end());
      }
    };
    side(pair.control_instances, d.control, d.control_instances, d.raw_control);
    side(pair.experiment_instances, d.experiment, d.experiment_instances, d.raw_experiment);
    return d;
  }
  const std::vector<double> c = Values(pair.control);
  const std::vector<double> e = Values(pair.experiment);
  d.raw_control = c.size();
  d.raw_experiment = e.size();
  d.control = judges::Preprocess(c, pre);
  d.experiment = judges::Preprocess(e, pre);
  return d;
}

// Instances that kept points after preprocessing.
size_t NonEmpty(const std::vector<std::vector<double>>& instances) {
  size_t k = 0;
  for (const auto& i : instances) k += i.empty() ? 0 : 1;
  return k;
}

// NODATA when a side has nothing left to judge; nullopt otherwise.
std::optional<Judgement> MissingData(const SampleData& d, const SeriesPair& pair,
                                     const Metric& metric, const char* label) {
  if (!d.experiment.empty() && !d.control.empty()) return std::nullopt;
  if (d.experiment.empty()) {
    return NoData(EmptyReason(label, pair.experiment, d.raw_experiment), metric.critical);
  }
  return NoData(EmptyReason("control", pair.control, d.raw_control), metric.critical);
}

Judgement JudgeMannWhitney(const config::MannWhitneyJudge& c, const SampleData& d,
                           const Metric& metric, const char* label,
                           const judges::Summary& experiment, const judges::Summary& control) {
  judges::MannWhitneyClassifierOptions o;
  o.direction = ToJudgeDirection(c.direction);
  o.confidence = c.confidence;
  o.tolerance = c.tolerance;
  o.effect_size = c.effect_size == config::MannWhitneyJudge::EffectSize::kCles
                      ? judges::MannWhitneyClassifierOptions::EffectSize::kCles
                      : judges::MannWhitneyClassifierOptions::EffectSize::kMeanRatio;
  o.mode = c.mode == config::MannWhitneyJudge::Mode::kKayenta
               ? judges::MannWhitneyClassifierOptions::Mode::kKayenta
               : judges::MannWhitneyClassifierOptions::Mode::kAugur;
  o.allowed_increase = c.allowed_increase;
  o.allowed_decrease = c.allowed_decrease;
  o.critical = metric.critical;
  o.critical_increase = c.critical_increase;
  o.critical_decrease = c.critical_decrease;
  o.experiment_label = label;
  // The summaries' means are of the same values in the same order: the ratio needs no more.
  o.experiment_mean = experiment.mean;
  o.control_mean = control.mean;
  using Dependence = judges::MannWhitneyClassifierOptions::Dependence;
  if (!metric.instances.empty() &&
      (NonEmpty(d.experiment_instances) > 1 || NonEmpty(d.control_instances) > 1)) {
    o.dependence = Dependence::kInstances;
    o.experiment_instances = &d.experiment_instances;
    o.control_instances = &d.control_instances;
  } else if (c.adjust_autocorrelation) {
    // One series a side (or one instance a side: nothing tells instances apart, and the
    // series' own autocorrelation is all that can be estimated).
    o.dependence = Dependence::kSerial;
    o.experiment_series = d.experiment_series;
    o.control_series = d.control_series;
  }
  judges::Judgement j = judges::ClassifyMannWhitney(d.experiment, d.control, o);
  if (!metric.instances.empty() && o.dependence != Dependence::kInstances) {
    absl::StrAppend(&j.reason, "; one instance a side, so judged as one time series a side");
  }
  return j;
}

Judgement JudgeKolmogorovSmirnov(const config::KolmogorovSmirnovJudge& c, const SampleData& d,
                                 const Metric& metric, const char* label) {
  Judgement j;
  const int64_t n = static_cast<int64_t>(d.experiment.size());
  const int64_t m = static_cast<int64_t>(d.control.size());
  const double alpha = 1.0 - c.confidence;
  judges::KsAlternative alternative = judges::KsAlternative::kTwoSided;
  if (c.direction == config::Direction::kIncrease) {
    alternative = judges::KsAlternative::kExperimentLarger;
  } else if (c.direction == config::Direction::kDecrease) {
    alternative = judges::KsAlternative::kExperimentSmaller;
  }
  // Autocorrelated points: the ECDFs move like those of fewer independent points, so the
  // limiting distribution is taken at the effective size N / factor (judges/dependence.h).
  double factor = 1.0;
  if (c.adjust_autocorrelation) {
    const judges::SerialDependence dep = judges::EstimateSerialDependence(
        d.experiment_series, d.control_series, d.experiment, d.control);
    j.autocorrelation = dep.autocorrelation;
    j.variance_factor = factor = dep.variance_factor;
  }
  const double nd = static_cast<double>(n), md = static_cast<double>(m);
  const double effective_n = nd * md / (nd + md) / factor;
  // The lattice paths of the exact test number C(n+m, n): a one-sided test cannot go below
  // 1/C(n+m, n), a two-sided one below 2/C(n+m, n). With dependence: D = 1 at the effective size.
  const double smallest = factor > 1.0
                              ? judges::KsLimitingPValue(1.0, effective_n, alternative)
                              : judges::SmallestMannWhitneyPValue(n, m) *
                                    (c.direction == config::Direction::kEither ? 1.0 : 0.5);
  if (smallest >= alpha) {
    return NoData(
        absl::StrFormat(
            "too few %spoints to reach %g%% confidence: %s has %d, control %d%s",
            factor > 1.0 ? "independent " : "", 100 * c.confidence, label, n, m,
            factor > 1.0 ? absl::StrFormat(" (autocorrelation %.2f)", j.autocorrelation) : ""),
        metric.critical);
  }
  auto ks = judges::KolmogorovSmirnov(d.experiment, d.control, alternative);
  if (!ks.ok())
    return Error(absl::StrCat("Kolmogorov-Smirnov could not run: ", ks.status().message()));
  if (factor > 1.0) ks->p_value = judges::KsLimitingPValue(ks->statistic, effective_n, alternative);
  const double qe = judges::Percentile(d.experiment, 100 * c.quantile);
  const double qc = judges::Percentile(d.control, 100 * c.quantile);
  j.p_value = ks->p_value;
  j.estimate = qe - qc;
  j.effect_size = qc != 0 ? qe / qc : kNaN;
  if (qc != 0 && std::isfinite(qc)) j.relative_estimate = (qe - qc) / std::fabs(qc);
  const bool significant = ks->p_value < alpha;
  const bool higher = qe > qc;
  const bool high_gate = std::isnan(j.effect_size) || j.effect_size >= c.allowed_increase;
  const bool low_gate = std::isnan(j.effect_size) || j.effect_size <= c.allowed_decrease;
  const std::string q = absl::StrFormat("p%g", 100 * c.quantile);
  const std::string evidence = absl::StrCat(
      label, " ", q, " ", judges::FormatValue(qe), " vs control ", judges::FormatValue(qc),
      std::isnan(j.relative_estimate)
          ? ""
          : absl::StrCat(" (", judges::FormatSignedPercent(j.relative_estimate), ")"),
      ", KS D=", absl::StrFormat("%.3g", ks->statistic), ", ", judges::FormatPValue(ks->p_value),
      factor > 1.0
          ? absl::StrFormat(" (autocorrelation %.2f: variance x%.3g)", j.autocorrelation, factor)
          : "");
  const bool watch_high = c.direction != config::Direction::kDecrease;
  const bool watch_low = c.direction != config::Direction::kIncrease;
  if (significant && watch_high && high_gate &&
      (higher || c.direction == config::Direction::kIncrease)) {
    j.classification = Classification::kHigh;
  } else if (significant && watch_low && low_gate &&
             (!higher || c.direction == config::Direction::kDecrease)) {
    j.classification = Classification::kLow;
  } else {
    j.classification = Classification::kPass;
  }
  j.critical = metric.critical && j.classification != Classification::kPass;
  if (j.classification != Classification::kPass) {
    j.reason = evidence;
  } else if (significant) {
    j.reason = absl::StrCat(evidence, ": the distributions differ, but not beyond what is allowed");
  } else {
    j.reason = absl::StrCat(evidence, ": no significant difference in distribution");
  }
  return j;
}

Judgement JudgeThreshold(const config::ThresholdJudge& c, const SampleData& d, const Metric& metric,
                         const char* label) {
  auto aggregate = judges::ParseAggregate(c.aggregate);
  if (!aggregate.ok()) return Error(std::string(aggregate.status().message()));
  std::vector<judges::Criterion> criteria;
  auto add = [&](judges::Criterion::Op op, judges::Criterion::Kind kind, double value,
                 std::string text) {
    judges::Criterion k;
    k.op = op;
    k.kind = kind;
    k.value = value;
    k.text = std::move(text);
    criteria.push_back(k);
  };
  using Op = judges::Criterion::Op;
  using Kind = judges::Criterion::Kind;
  if (c.max)
    add(Op::kLessEqual, Kind::kAbsolute, *c.max, absl::StrCat("max ", judges::FormatValue(*c.max)));
  if (c.min)
    add(Op::kGreaterEqual, Kind::kAbsolute, *c.min,
        absl::StrCat("min ", judges::FormatValue(*c.min)));
  if (c.max_increase_percent) {
    add(Op::kLessEqual, Kind::kRelativePercent, *c.max_increase_percent,
        absl::StrCat("maxIncreasePercent ", judges::FormatValue(*c.max_increase_percent)));
  }
  if (c.max_decrease_percent) {
    add(Op::kGreaterEqual, Kind::kRelativePercent, -*c.max_decrease_percent,
        absl::StrCat("maxDecreasePercent ", judges::FormatValue(*c.max_decrease_percent)));
  }
  bool needs_control = false;
  for (const std::string& text : c.criteria) {
    auto k = judges::ParseCriterion(text);
    if (!k.ok()) return Error(std::string(k.status().message()));
    criteria.push_back(*k);
  }
  for (const auto& k : criteria) needs_control = needs_control || k.needs_control();

  if (d.experiment.empty())
    return NoData(absl::StrCat("no data: no ", label, " points"), metric.critical);
  if (needs_control && d.control.empty()) {
    return NoData("no data: a relative bound needs the control, which has no points",
                  metric.critical);
  }
  const double e = judges::ComputeAggregate(d.experiment, *aggregate);
  const double k = d.control.empty() ? kNaN : judges::ComputeAggregate(d.control, *aggregate);
  Judgement j;
  j.estimate = e;
  if (!std::isnan(k) && k != 0) {
    j.effect_size = e / k;
    j.relative_estimate = (e - k) / std::fabs(k);
  }
  std::vector<std::string> failed;
  std::vector<std::string> held;
  Classification verdict = Classification::kPass;
  for (const judges::Criterion& criterion : criteria) {
    auto outcome = judges::EvaluateCriterion(criterion, e, k);
    if (!outcome.ok()) return NoData(std::string(outcome.status().message()), metric.critical);
    const std::string line =
        absl::StrCat(criterion.text, " (bound ", judges::FormatValue(outcome->bound), ")");
    if (outcome->satisfied) {
      held.push_back(line);
      continue;
    }
    failed.push_back(line);
    if (verdict == Classification::kPass) {
      verdict = outcome->violation == judges::CriterionOutcome::Violation::kBelow
                    ? Classification::kLow
                    : Classification::kHigh;
    }
  }
  j.classification = verdict;
  j.critical = metric.critical && verdict != Classification::kPass;
  const std::string value =
      absl::StrCat(label, " ", aggregate->name, " ", judges::FormatValue(e),
                   std::isnan(k) ? "" : absl::StrCat(" (control ", judges::FormatValue(k), ")"));
  j.reason = failed.empty() ? absl::StrCat(value, " within ", absl::StrJoin(held, ", "))
                            : absl::StrCat(value, " breaks ", absl::StrJoin(failed, ", "));
  return j;
}

// A rate side's count: the single series' last value.
struct Count {
  std::optional<double> value;
  std::string problem;          // why there is no value
  bool several_series = false;  // the query is wrong, not the data missing
};

Count ReadCount(const QueryResult& result, const std::string& what) {
  Count c;
  if (result.series.empty()) {
    c.problem = absl::StrCat("the ", what, " query returned no series");
    return c;
  }
  if (result.series.size() > 1) {
    c.problem = absl::StrCat("the ", what, " query returned ", result.series.size(),
                             " series; a rate needs one per side (aggregate with sum(...))");
    c.several_series = true;
    return c;
  }
  const Series& s = result.series[0];
  if (s.points.empty() || std::isnan(s.points.back().value)) {
    c.problem = absl::StrCat("the ", what, " query has no value at the end of the window");
    return c;
  }
  c.value = s.points.back().value;
  return c;
}

// Per-step counts of a rate metric: its four queries evaluated over the window at every step
// with {{window}} as {{step}} (each point the count of one step), or why there are none.
struct StepCounts {
  const QueryResult* control_events = nullptr;
  const QueryResult* control_total = nullptr;
  const QueryResult* experiment_events = nullptr;
  const QueryResult* experiment_total = nullptr;
  std::string missing;  // why not, when the pointers are null
};

// The design effect of one side from its per-step events and totals (one series each, aligned
// by timestamp), or the reason it could not be estimated.
absl::StatusOr<judges::CountDispersion> SideDispersion(const QueryResult* events,
                                                       const QueryResult* totals) {
  if (events->series.size() != 1 || totals->series.size() != 1) {
    return absl::InvalidArgumentError("the per-step queries do not return one series each");
  }
  std::map<int64_t, double> total_at;
  for (const Point& p : totals->series[0].points) total_at[p.timestamp_ms] = p.value;
  std::vector<double> e, n;
  for (const Point& p : events->series[0].points) {
    const auto it = total_at.find(p.timestamp_ms);
    if (it == total_at.end() || std::isnan(p.value) || std::isnan(it->second)) continue;
    e.push_back(p.value);
    n.push_back(it->second);
  }
  return judges::EstimateCountDispersion(e, n);
}

Judgement JudgeRate(const config::RateJudge& c, const Metric& metric, const char* label,
                    const QueryResult& ce, const QueryResult& ct, const QueryResult& ee,
                    const QueryResult& et, const StepCounts& steps, MetricResult& out) {
  const Count control_events = ReadCount(ce, "control events");
  const Count control_total = ReadCount(ct, "control total");
  const Count experiment_events = ReadCount(ee, absl::StrCat(label, " events"));
  const Count experiment_total = ReadCount(et, absl::StrCat(label, " total"));
  out.control_events = control_events.value;
  out.control_total = control_total.value;
  out.experiment_events = experiment_events.value;
  out.experiment_total = experiment_total.value;
  for (const Count* count : {&experiment_total, &control_total}) {
    if (!count->value) return NoData(absl::StrCat("no traffic: ", count->problem), metric.critical);
  }
  for (const Count* count : {&experiment_events, &control_events}) {
    if (!count->value) {
      if (count->several_series) return Error(count->problem);
      return NoData(absl::StrCat("no data: ", count->problem,
                                 "; if no events is a valid answer, end the query with "
                                 "`or vector(0)`"),
                    metric.critical);
    }
  }
  for (const Count* count :
       {&experiment_events, &control_events, &experiment_total, &control_total}) {
    if (*count->value < 0 || std::isinf(*count->value)) {
      return Error(absl::StrCat("a count is ", judges::FormatValue(*count->value),
                                "; counts must be finite and not negative"));
    }
  }
  // increase() extrapolates, so counts arrive as fractions: round to whole events.
  const int64_t ev_e = std::llround(*experiment_events.value);
  const int64_t to_e = std::llround(*experiment_total.value);
  const int64_t ev_c = std::llround(*control_events.value);
  const int64_t to_c = std::llround(*control_total.value);
  if (to_e < c.min_total || to_c < c.min_total) {
    return NoData(absl::StrCat("too little traffic to judge: ", label, " ", to_e, ", control ",
                               to_c, " in total (minTotal ", c.min_total, ")"),
                  metric.critical);
  }
  if (ev_e > to_e || ev_c > to_c) {
    return Error(absl::StrCat("more events than total: ", label, " ", ev_e, "/", to_e, ", control ",
                              ev_c, "/", to_c,
                              "; check that the events query is a subset of the total"));
  }
  // Bursty events: each side's counts shrink by its design effect (Rao and Scott), so that the
  // exact test for independent events sees as much evidence as the counts really hold.
  std::string dispersion;
  double design_effect = 1.0;
  int64_t tv_e = ev_e, tt_e = to_e, tv_c = ev_c, tt_c = to_c;
  if (c.adjust_dispersion) {
    if (steps.control_events == nullptr) {
      dispersion = absl::StrCat("; dispersion not estimated (", steps.missing, ")");
    } else {
      auto de = SideDispersion(steps.experiment_events, steps.experiment_total);
      auto dc = SideDispersion(steps.control_events, steps.control_total);
      if (!de.ok() || !dc.ok()) {
        return NoData(absl::StrCat("cannot estimate the events' dispersion from per-step counts: ",
                                   (!de.ok() ? de : dc).status().message()),
                      metric.critical);
      }
      auto shrink = [](int64_t v, double d) {
        return static_cast<int64_t>(std::llround(static_cast<double>(v) / d));
      };
      tv_e = shrink(ev_e, de->design_effect);
      tt_e = std::max<int64_t>(1, shrink(to_e, de->design_effect));
      tv_c = shrink(ev_c, dc->design_effect);
      tt_c = std::max<int64_t>(1, shrink(to_c, dc->design_effect));
      design_effect = std::max(de->design_effect, dc->design_effect);
      dispersion = absl::StrFormat("; dispersion %s x%.3g, control x%.3g over %d steps", label,
                                   de->design_effect, dc->design_effect, dc->steps);
    }
  }
  judges::RateTestOptions options;
  options.confidence = c.confidence;
  auto test = judges::PoissonRateTest(tv_e, tt_e, tv_c, tt_c, options);
  if (!test.ok()) return Error(std::string(test.status().message()));
  Judgement j;
  j.variance_factor = design_effect;
  // The central two-sided p-value (twice the smaller one-sided one), the dual of the
  // Clopper-Pearson interval the classification reads: the interval excludes a ratio of 1
  // exactly when this p is below 1 - confidence, so a HIGH always has p < alpha and Holm's
  // adjustment acts on the p-value that decided. (R's poisson.test prints binom.test's
  // minimum-likelihood p-value, which can disagree with its own interval.)
  j.p_value = std::min(1.0, 2.0 * std::min(test->p_greater, test->p_less));
  j.estimate = test->ratio;
  j.ci_low = test->ratio_ci_low;
  j.ci_high = test->ratio_ci_high;
  j.effect_size = test->ratio;
  j.relative_estimate = test->ratio - 1;
  j.relative_ci_low = test->ratio_ci_low - 1;
  j.relative_ci_high = test->ratio_ci_high - 1;
  const bool watch_high = c.direction != config::Direction::kDecrease;
  const bool watch_low = c.direction != config::Direction::kIncrease;
  bool high;
  std::string bound;
  if (c.allowed_absolute_increase) {
    high = test->difference_ci_low > *c.allowed_absolute_increase;
    bound = absl::StrCat("allowed rise ", judges::FormatValue(*c.allowed_absolute_increase));
  } else {
    high = test->ratio_ci_low > c.allowed_increase;
    bound = absl::StrCat("allowed ratio ", judges::FormatValue(c.allowed_increase));
  }
  const bool low = test->ratio_ci_high < c.allowed_decrease;
  if (watch_high && high) {
    j.classification = Classification::kHigh;
    j.critical = c.critical_increase
                     ? (std::isnan(test->ratio) || test->ratio >= *c.critical_increase)
                     : metric.critical;
  } else if (watch_low && low) {
    j.classification = Classification::kLow;
    j.critical = metric.critical;
  } else {
    j.classification = Classification::kPass;
  }
  auto percent = [](double rate) { return absl::StrFormat("%.3g%%", 100 * rate); };
  const std::string counts =
      // The observed rates, from the counts shown (the test may have seen effective counts).
      absl::StrCat(label, " ", percent(static_cast<double>(ev_e) / static_cast<double>(to_e)), " (",
                   ev_e, "/", to_e, ") vs control ",
                   percent(static_cast<double>(ev_c) / static_cast<double>(to_c)), " (", ev_c, "/",
                   to_c, ")");
  if (ev_e == 0 && ev_c == 0) {
    j.reason = absl::StrCat(counts, ": no events on either side");
    return j;
  }
  const std::string ratio =
      absl::StrFormat("ratio %.3g (%g%% CI %.3g..%.3g), %s", test->ratio, 100 * c.confidence,
                      test->ratio_ci_low, test->ratio_ci_high, judges::FormatPValue(j.p_value));
  j.reason = absl::StrCat(counts, ": ", ratio);
  if (j.classification == Classification::kPass) {
    absl::StrAppend(&j.reason,
                    (watch_high && test->ratio > 1) ? absl::StrCat(", within the ", bound) : "");
  }
  absl::StrAppend(&j.reason, dispersion);
  return j;
}

// A/B: what a KPI's interval says, relative to the control.
void JudgeKpi(const Metric& metric, MetricResult& r) {
  Judgement& j = r.judgement;
  if (j.classification != Classification::kPass && j.classification != Classification::kHigh &&
      j.classification != Classification::kLow) {
    return;
  }
  double low = j.relative_ci_low;
  double high = j.relative_ci_high;
  if (std::isnan(low) || std::isnan(high)) {
    low = j.ci_low;
    high = j.ci_high;
  }
  if (std::isnan(low) || std::isnan(high)) {
    j.classification = Classification::kError;
    j.reason = absl::StrCat(j.reason, "; a KPI needs an interval (use mannWhitney or rate)");
    return;
  }
  const bool up = *metric.better == config::Better::kIncrease;
  // Improvements as positive numbers.
  const double better_low = up ? low : -high;
  const double better_high = up ? high : -low;
  const double minimum = metric.minimum_effect.value_or(0.0);
  const double margin = metric.non_inferiority_margin.value_or(0.0);
  j.critical = false;
  if (better_low > minimum) {
    r.kpi_outcome = KpiOutcome::kBetter;
    j.classification = Classification::kPass;
  } else if (better_high < -margin) {
    r.kpi_outcome = KpiOutcome::kWorse;
    j.classification = up ? Classification::kLow : Classification::kHigh;
  } else if (metric.non_inferiority_margin && better_low > -margin) {
    r.kpi_outcome = KpiOutcome::kNonInferior;
    j.classification = Classification::kPass;
  } else {
    r.kpi_outcome = KpiOutcome::kInconclusive;
    j.classification = Classification::kPass;
  }
}

std::string MetricLine(const MetricResult& m) {
  std::string kpi;
  if (m.kpi) kpi = absl::StrCat(" (KPI ", KpiOutcomeName(m.kpi_outcome), ")");
  return absl::StrCat(m.name, " ", judges::ClassificationName(m.judgement.classification), kpi,
                      m.judgement.reason.empty() ? "" : ": ", m.judgement.reason);
}

std::string Lines(const std::vector<const MetricResult*>& metrics, size_t limit = 3) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < metrics.size() && i < limit; ++i) lines.push_back(MetricLine(*metrics[i]));
  if (metrics.size() > limit)
    lines.push_back(absl::StrCat("and ", metrics.size() - limit, " more"));
  return absl::StrJoin(lines, "; ");
}

bool Failed(const MetricResult& m) {
  return m.judgement.classification == Classification::kHigh ||
         m.judgement.classification == Classification::kLow;
}
bool Missing(const MetricResult& m) {
  return m.judgement.classification == Classification::kNoData ||
         m.judgement.classification == Classification::kError;
}

std::vector<ScoredMetric> ToScored(const std::vector<MetricResult>& metrics, bool only_with_data) {
  std::vector<ScoredMetric> scored;
  for (const MetricResult& m : metrics) {
    if (only_with_data && Missing(m)) continue;
    ScoredMetric s;
    s.name = m.name;
    s.group = m.group;
    s.classification = m.judgement.classification;
    s.critical = m.judgement.critical;
    s.must_have_data = m.must_have_data;
    s.excluded = m.dry_run;
    s.reason = m.judgement.reason;
    scored.push_back(s);
  }
  return scored;
}

std::string ScoreText(double score) { return absl::StrFormat("%g", score); }

// How many threads judge: as asked, or up to 4 of the machine's cores; one for small analyses,
// where starting threads costs more than it saves.
size_t JudgeThreads(int requested, size_t tasks) {
  constexpr size_t kMinTasksPerThread = 4;
  size_t threads = requested > 0 ? static_cast<size_t>(requested)
                                 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  return std::max<size_t>(1, std::min(threads, tasks / kMinTasksPerThread));
}

// Runs every task once, on `threads` threads (this one included). Tasks write disjoint results.
void RunTasks(const std::vector<std::function<void()>>& tasks, size_t threads) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < tasks.size(); i = next++) tasks[i]();
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
}

}  // namespace

const char* StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kCanary:
      return "canary";
    case Strategy::kAb:
      return "ab";
    case Strategy::kShadow:
      return "shadow";
  }
  return "canary";
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPromote:
      return "PROMOTE";
    case Verdict::kHold:
      return "HOLD";
    case Verdict::kAbort:
      return "ABORT";
  }
  return "HOLD";
}

const char* KpiOutcomeName(KpiOutcome outcome) {
  switch (outcome) {
    case KpiOutcome::kNone:
      return "";
    case KpiOutcome::kBetter:
      return "better";
    case KpiOutcome::kNonInferior:
      return "non-inferior";
    case KpiOutcome::kInconclusive:
      return "inconclusive";
    case KpiOutcome::kWorse:
      return "worse";
  }
  return "";
}

absl::StatusOr<Strategy> ParseStrategy(absl::string_view text) {
  if (text == "canary") return Strategy::kCanary;
  if (text == "ab") return Strategy::kAb;
  if (text == "shadow") return Strategy::kShadow;
  return absl::InvalidArgumentError(
      absl::StrCat("strategy must be canary, ab or shadow; got '", text, "'"));
}

void Decide(AnalysisResult& result, const std::map<std::string, double>& group_weights) {
  const std::vector<ScoredMetric> all = ToScored(result.metrics, false);
  result.score = ComputeScore(all, group_weights, result.pass_threshold, result.marginal_threshold);
  std::vector<const MetricResult*> failed, critical, missing, kpi_worse, kpi_good, kpi_open,
      kpi_margin_unmet, guardrail_failed;
  size_t active = 0;
  for (const MetricResult& m : result.metrics) {
    if (m.dry_run) continue;
    ++active;
    if (Missing(m)) missing.push_back(&m);
    if (Failed(m)) failed.push_back(&m);
    if (Failed(m) && m.judgement.critical) critical.push_back(&m);
    if (!m.kpi) {
      if (Failed(m)) guardrail_failed.push_back(&m);
      continue;
    }
    switch (m.kpi_outcome) {
      case KpiOutcome::kWorse:
        kpi_worse.push_back(&m);
        break;
      case KpiOutcome::kBetter:
      case KpiOutcome::kNonInferior:
        kpi_good.push_back(&m);
        break;
      case KpiOutcome::kInconclusive:
      case KpiOutcome::kNone:
        kpi_open.push_back(&m);
        if (m.kpi_has_margin) kpi_margin_unmet.push_back(&m);
        break;
    }
  }
  auto set = [&](Verdict v, std::string reason) {
    result.verdict = v;
    result.reason = std::move(reason);
  };
  switch (result.strategy) {
    case Strategy::kShadow:
      if (!failed.empty()) {
        return set(Verdict::kAbort,
                   absl::StrCat("the shadow regresses on mirrored traffic: ", Lines(failed)));
      }
      if (!missing.empty()) {
        return set(Verdict::kHold,
                   absl::StrCat("not enough mirrored data to decide: ", Lines(missing)));
      }
      return set(Verdict::kPromote,
                 absl::StrCat("no regression on mirrored traffic in ", active, " metric results"));
    case Strategy::kAb:
      if (!kpi_worse.empty()) {
        return set(Verdict::kAbort, absl::StrCat("B is significantly worse: ", Lines(kpi_worse)));
      }
      if (!guardrail_failed.empty()) {
        return set(Verdict::kAbort, absl::StrCat("a guardrail fails: ", Lines(guardrail_failed)));
      }
      if (!missing.empty()) {
        return set(Verdict::kHold, absl::StrCat("no decision without data: ", Lines(missing)));
      }
      if (!kpi_margin_unmet.empty()) {
        return set(Verdict::kHold,
                   absl::StrCat("B is not yet shown non-inferior: ", Lines(kpi_margin_unmet)));
      }
      if (kpi_good.empty()) {
        return set(Verdict::kHold,
                   absl::StrCat("no KPI is significantly better yet: ", Lines(kpi_open)));
      }
      return set(Verdict::kPromote,
                 absl::StrCat("B is ",
                              kpi_good.front()->kpi_outcome == KpiOutcome::kBetter ? "better"
                                                                                   : "non-inferior",
                              " and every guardrail passes: ", Lines(kpi_good)));
    case Strategy::kCanary:
      break;
  }
  if (!critical.empty()) {
    return set(Verdict::kAbort, absl::StrCat("critical metric failed: ", Lines(critical)));
  }
  // The score of the metrics that have data: a regression among them aborts even while others
  // still wait for data; missing data alone never aborts here, it holds.
  const Score data_score = ComputeScore(ToScored(result.metrics, true), group_weights,
                                        result.pass_threshold, result.marginal_threshold);
  if (active > missing.size() && data_score.score < result.marginal_threshold) {
    return set(Verdict::kAbort,
               absl::StrCat("score ", ScoreText(data_score.score), " is below marginal ",
                            ScoreText(result.marginal_threshold), ": ", Lines(failed)));
  }
  if (!missing.empty()) {
    return set(Verdict::kHold, absl::StrCat("not enough data to promote: ", Lines(missing)));
  }
  if (result.score.score < result.pass_threshold) {
    return set(Verdict::kHold,
               absl::StrCat("score ", ScoreText(result.score.score), " is marginal (pass ",
                            ScoreText(result.pass_threshold), "): ", Lines(failed)));
  }
  return set(Verdict::kPromote,
             absl::StrCat("score ", ScoreText(result.score.score), " >= pass ",
                          ScoreText(result.pass_threshold), "; ",
                          failed.empty() ? absl::StrCat("all ", active, " metric results pass")
                                         : absl::StrCat("tolerated: ", Lines(failed))));
}

namespace {

// What RunAnalysis and JudgeAnswers both check before any work.
absl::Status CheckRequest(const AnalysisTemplate& t, const AnalysisRequest& request,
                          bool needs_window) {
  if (needs_window && !(request.end > request.start)) {
    return absl::InvalidArgumentError(absl::StrCat("the window must end after it starts: start ",
                                                   absl::FormatTime(request.start), ", end ",
                                                   absl::FormatTime(request.end)));
  }
  if (request.step.value_or(t.step) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("step must be above 0");
  }
  if (request.strategy == Strategy::kAb) {
    bool has_kpi = false;
    for (const Metric& m : t.metrics) {
      if (!m.better || m.dry_run) continue;
      has_kpi = true;
      if (!std::holds_alternative<config::MannWhitneyJudge>(m.judge) &&
          !std::holds_alternative<config::RateJudge>(m.judge)) {
        return absl::InvalidArgumentError(
            absl::StrCat("metric '", m.name,
                         "' is a KPI (better: ...) but its judge has no interval; "
                         "KPIs use mannWhitney or rate"));
      }
    }
    if (!has_kpi) {
      return absl::InvalidArgumentError(absl::StrCat(
          "strategy ab needs a KPI: template '", t.name,
          "' has no metric with 'better: increase|decrease' (guardrails alone cannot show B is "
          "better)"));
    }
  }
  return absl::OkStatus();
}

// Judges fetched answers: answers[first_query[i]...] belong to t.metrics[i] (two for series
// judges, four for rates); `rendered` gives the queries to report (absent for JudgeAnswers).
AnalysisResult JudgeAll(const AnalysisTemplate& t, const AnalysisRequest& request,
                        const config::RenderedTemplate* rendered,
                        const std::vector<absl::StatusOr<QueryResult>>& answers,
                        const std::vector<size_t>& first_query,
                        const std::vector<StepCounts>& step_counts, std::string provider) {
  const absl::Duration step = request.step.value_or(t.step);
  AnalysisResult result;
  result.strategy = request.strategy;
  result.template_name = t.name;
  result.control_scope = request.control_scope;
  result.experiment_scope = request.experiment_scope;
  result.start = request.start;
  result.end = request.end;
  result.step = step;
  result.provider = std::move(provider);
  result.pass_threshold = t.scoring.pass;
  result.marginal_threshold = t.scoring.marginal;
  const char* label = ExperimentLabel(request.strategy);

  // Rates are judged here; the series' judges, the costly ones, become tasks over pairs that
  // stay put (pair_lists is a list, results are all in place before any task runs).
  std::list<std::vector<SeriesPair>> pair_lists;
  std::vector<std::function<void()>> tasks;
  for (size_t i = 0; i < t.metrics.size(); ++i) {
    const Metric& metric = t.metrics[i];
    static const config::RenderedMetric kNotRendered;
    const config::RenderedMetric& rendered_metric =
        rendered != nullptr ? rendered->metrics[i] : kNotRendered;
    const size_t q = first_query[i];
    MetricResult base;
    base.metric = metric.name;
    base.name = metric.name;
    base.group = metric.group.empty() ? metric.name : metric.group;
    base.critical_metric = metric.critical;
    base.dry_run = metric.dry_run;
    base.must_have_data = metric.must_have_data;
    base.kpi = request.strategy == Strategy::kAb && metric.better.has_value();
    base.kpi_has_margin = base.kpi && metric.non_inferiority_margin.has_value();
    if (const auto* rate = std::get_if<config::RateJudge>(&metric.judge)) {
      base.judge = "rate";
      base.queries = {{"control.events", rendered_metric.control_events},
                      {"control.total", rendered_metric.control_total},
                      {"experiment.events", rendered_metric.experiment_events},
                      {"experiment.total", rendered_metric.experiment_total}};
      base.judgement = JudgeRate(*rate, metric, label, *answers[q], *answers[q + 1],
                                 *answers[q + 2], *answers[q + 3], step_counts[i], base);
      if (base.kpi) JudgeKpi(metric, base);
      result.metrics.push_back(std::move(base));
      continue;
    }
    base.queries = {{"control", rendered_metric.control},
                    {"experiment", rendered_metric.experiment}};
    base.judge = std::visit(
        [](const auto& j) -> std::string {
          using J = std::decay_t<decltype(j)>;
          if constexpr (std::is_same_v<J, config::MannWhitneyJudge>) return "mannWhitney";
          if constexpr (std::is_same_v<J, config::ThresholdJudge>) return "threshold";
          if constexpr (std::is_same_v<J, config::KolmogorovSmirnovJudge>)
            return "kolmogorovSmirnov";
          return "rate";
        },
        metric.judge);
    auto pairs = metric.instances.empty()
                     ? PairSeries(*answers[q], *answers[q + 1], request.control_scope,
                                  request.experiment_scope, label)
                     : GroupInstances(*answers[q], *answers[q + 1], request.control_scope,
                                      request.experiment_scope, metric.instances);
    if (!pairs.ok()) {
      base.judgement = Error(std::string(pairs.status().message()));
      result.metrics.push_back(std::move(base));
      continue;
    }
    pair_lists.push_back(*std::move(pairs));
    for (const SeriesPair& pair : pair_lists.back()) {
      MetricResult r = base;
      r.labels = pair.labels;
      if (!pair.labels.empty()) r.name = absl::StrCat(metric.name, FormatLabels(pair.labels));
      const size_t slot = result.metrics.size();
      result.metrics.push_back(std::move(r));
      tasks.push_back([&result, &metric, &pair, label, slot, keep = request.keep_series] {
        MetricResult& out = result.metrics[slot];
        if (keep) {
          if (pair.control != nullptr) out.control_series = pair.control->points;
          if (pair.experiment != nullptr) out.experiment_series = pair.experiment->points;
        }
        SampleData data = Prepare(pair, metric);
        const auto* mw = std::get_if<config::MannWhitneyJudge>(&metric.judge);
        const auto* ks = std::get_if<config::KolmogorovSmirnovJudge>(&metric.judge);
        if ((mw != nullptr && mw->adjust_autocorrelation) ||
            (ks != nullptr && ks->adjust_autocorrelation)) {
          // The autocorrelation is a property of the time order, which sorting destroys.
          data.control_series = data.control;
          data.experiment_series = data.experiment;
        }
        if (!std::holds_alternative<config::ThresholdJudge>(metric.judge)) {
          // Rank judges ignore time order: sort once here, and the summaries and the judge
          // (SortDoubles returns at once on sorted input) do not sort again.
          judges::SortDoubles(data.control);
          judges::SortDoubles(data.experiment);
        }
        out.control = judges::Summarize(data.control);
        out.experiment = judges::Summarize(data.experiment);
        if (const auto* threshold = std::get_if<config::ThresholdJudge>(&metric.judge)) {
          out.judgement = JudgeThreshold(*threshold, data, metric, label);
        } else if (auto missing = MissingData(data, pair, metric, label)) {
          out.judgement = *missing;
        } else if (mw != nullptr) {
          out.judgement = JudgeMannWhitney(*mw, data, metric, label, out.experiment, out.control);
        } else if (ks != nullptr) {
          out.judgement = JudgeKolmogorovSmirnov(*ks, data, metric, label);
        }
        if (out.kpi) JudgeKpi(metric, out);
      });
    }
  }
  RunTasks(tasks, JudgeThreads(request.judge_threads, tasks.size()));
  if (t.error_control == config::ErrorControl::kHolm) ApplyHolm(t, result);
  Decide(result, t.scoring.group_weights);
  return result;
}

}  // namespace

absl::StatusOr<AnalysisResult> RunAnalysis(const AnalysisTemplate& t,
                                           const AnalysisRequest& request,
                                           providers::MetricProvider& provider) {
  AUGUR_RETURN_IF_ERROR(CheckRequest(t, request, /*needs_window=*/true));
  const absl::Duration step = request.step.value_or(t.step);
  config::RenderRequest render;
  render.args = request.args;
  render.control_scope = request.control_scope;
  render.experiment_scope = request.experiment_scope;
  render.window = request.end - request.start;
  AUGUR_ASSIGN_OR_RETURN(config::RenderedTemplate rendered, config::RenderTemplate(t, render));
  // The rate queries again with {{window}} as {{step}}: over the window, each point is one
  // step's count, from which the judge estimates how bursty the events are. Only rates that
  // adjust for dispersion read them.
  const bool wants_steps = std::any_of(t.metrics.begin(), t.metrics.end(), [](const Metric& m) {
    const auto* rate = std::get_if<config::RateJudge>(&m.judge);
    return rate != nullptr && rate->adjust_dispersion;
  });
  config::RenderedTemplate per_step;
  if (wants_steps) {
    render.window = step;
    AUGUR_ASSIGN_OR_RETURN(per_step, config::RenderTemplate(t, render));
  }
  std::vector<std::optional<size_t>> first_step_query(t.metrics.size());
  std::vector<StepCounts> step_counts(t.metrics.size());

  // Every query of every metric, fetched at once. A rate's counts are evaluated at the end of
  // the window (its queries cover the window through {{window}}).
  struct Slot {
    size_t metric;
    std::string side;
  };
  std::vector<providers::RangeQuery> queries;
  std::vector<Slot> slots;
  std::vector<size_t> first_query(t.metrics.size());
  for (size_t i = 0; i < t.metrics.size(); ++i) {
    const config::RenderedMetric& r = rendered.metrics[i];
    first_query[i] = queries.size();
    auto add = [&](const std::string& query, absl::Time start, const char* side) {
      queries.push_back(providers::RangeQuery{query, start, request.end, step});
      slots.push_back(Slot{i, side});
    };
    if (const auto* rate = std::get_if<config::RateJudge>(&t.metrics[i].judge)) {
      add(r.control_events, request.end, "control events");
      add(r.control_total, request.end, "control total");
      add(r.experiment_events, request.end, "experiment events");
      add(r.experiment_total, request.end, "experiment total");
      if (!rate->adjust_dispersion) continue;
      const config::RenderedMetric& s = per_step.metrics[i];
      if (s.control_events == r.control_events || s.control_total == r.control_total ||
          s.experiment_events == r.experiment_events || s.experiment_total == r.experiment_total) {
        step_counts[i].missing = "the queries do not use {{window}}";
        continue;
      }
      if (request.end - request.start < step * judges::kMinDispersionSteps) {
        step_counts[i].missing =
            absl::StrCat("the window holds fewer than ", judges::kMinDispersionSteps, " steps");
        continue;
      }
      first_step_query[i] = queries.size();
      const absl::Time first = request.start + step;
      add(s.control_events, first, "control events per step");
      add(s.control_total, first, "control total per step");
      add(s.experiment_events, first, "experiment events per step");
      add(s.experiment_total, first, "experiment total per step");
    } else {
      add(r.control, request.start, "control");
      add(r.experiment, request.start, "experiment");
    }
  }
  std::vector<absl::StatusOr<QueryResult>> answers = provider.QueryRangeAll(queries);
  for (size_t q = 0; q < answers.size(); ++q) {
    if (answers[q].ok()) continue;
    const absl::Status& s = answers[q].status();
    return absl::Status(s.code(), absl::StrCat("metric '", t.metrics[slots[q].metric].name, "' (",
                                               slots[q].side, " query): ", s.message()));
  }

  for (size_t i = 0; i < t.metrics.size(); ++i) {
    if (!first_step_query[i]) continue;
    const size_t q = *first_step_query[i];
    step_counts[i].control_events = &*answers[q];
    step_counts[i].control_total = &*answers[q + 1];
    step_counts[i].experiment_events = &*answers[q + 2];
    step_counts[i].experiment_total = &*answers[q + 3];
  }
  return JudgeAll(t, request, &rendered, answers, first_query, step_counts, provider.Describe());
}

absl::StatusOr<AnalysisResult> JudgeAnswers(const AnalysisTemplate& t,
                                            const AnalysisRequest& request,
                                            std::vector<MetricAnswers> data) {
  AUGUR_RETURN_IF_ERROR(CheckRequest(t, request, /*needs_window=*/false));
  if (data.size() != t.metrics.size()) {
    return absl::InvalidArgumentError(absl::StrCat("data for ", data.size(), " metrics; template '",
                                                   t.name, "' has ", t.metrics.size()));
  }
  std::vector<absl::StatusOr<QueryResult>> answers;
  std::vector<size_t> first_query(t.metrics.size());
  for (size_t i = 0; i < t.metrics.size(); ++i) {
    first_query[i] = answers.size();
    MetricAnswers& d = data[i];
    if (std::holds_alternative<config::RateJudge>(t.metrics[i].judge)) {
      answers.emplace_back(std::move(d.control_events));
      answers.emplace_back(std::move(d.control_total));
      answers.emplace_back(std::move(d.experiment_events));
      answers.emplace_back(std::move(d.experiment_total));
    } else {
      answers.emplace_back(std::move(d.control));
      answers.emplace_back(std::move(d.experiment));
    }
  }
  std::vector<StepCounts> step_counts(t.metrics.size());
  for (StepCounts& s : step_counts) s.missing = "inline data has no per-step counts";
  return JudgeAll(t, request, nullptr, answers, first_query, step_counts, "inline data");
}

}  // namespace augur::analysis
