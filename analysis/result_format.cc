#include "analysis/result_format.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/time_parse.h"
#include "nlohmann/json.hpp"

namespace augur::analysis {
namespace {

using Json = nlohmann::ordered_json;
using judges::Classification;

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json SummaryJson(const judges::Summary& s) {
  Json j;
  j["count"] = s.count;
  j["mean"] = Number(s.mean);
  j["median"] = Number(s.median);
  j["p95"] = Number(s.p95);
  j["min"] = Number(s.min);
  j["max"] = Number(s.max);
  j["std"] = Number(s.std);
  return j;
}

// [[unix seconds, value], ...], value null where the backend gave NaN.
Json SeriesJson(const std::vector<Point>& points) {
  Json out = Json::array();
  for (const Point& p : points) {
    out.push_back(Json::array({static_cast<double>(p.timestamp_ms) / 1000.0, Number(p.value)}));
  }
  return out;
}

constexpr char kSeriesToken[] = "augur-series-placeholder-0c5e1d:";

// The whole document pretty-printed, series included (the fallback of ResultJson).
std::string PrettyWithSeries(Json j, const std::vector<std::string>& series) {
  size_t next = 0;
  for (Json& m : j["metrics"]) {
    if (m.contains("series") && next < series.size()) m["series"] = Json::parse(series[next++]);
  }
  return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

// Failures first (critical before others), then errors, missing data, passes; dry-run last.
int Rank(const MetricResult& m) {
  int rank = 0;
  switch (m.judgement.classification) {
    case Classification::kHigh:
    case Classification::kLow:
      rank = m.judgement.critical ? 0 : 1;
      break;
    case Classification::kError:
      rank = 2;
      break;
    case Classification::kNoData:
      rank = 3;
      break;
    case Classification::kPass:
      rank = 4;
      break;
  }
  return m.dry_run ? rank + 10 : rank;
}

}  // namespace

std::string ResultJson(const AnalysisResult& r) {
  std::vector<std::string> series;  // each metric's series object, compact, in order
  Json j;
  j["verdict"] = VerdictName(r.verdict);
  j["score"] = r.score.score;
  j["reason"] = r.reason;
  j["strategy"] = StrategyName(r.strategy);
  j["template"] = r.template_name;
  j["control"] = r.control_scope;
  j["experiment"] = r.experiment_scope;
  Json window;
  window["start"] = FormatRfc3339(r.start);
  window["end"] = FormatRfc3339(r.end);
  window["length"] = FormatPromDuration(r.end - r.start);
  window["step"] = FormatPromDuration(r.step);
  j["window"] = window;
  j["provider"] = r.provider;
  j["thresholds"] = Json{{"pass", r.pass_threshold}, {"marginal", r.marginal_threshold}};
  j["score_classification"] = SummaryName(r.score.summary);
  j["score_reason"] = r.score.reason;
  Json groups = Json::array();
  for (const GroupScore& g : r.score.groups) {
    groups.push_back(Json{{"name", g.name},
                          {"score", g.score},
                          {"no_data", g.no_data},
                          {"pass", g.pass},
                          {"fail", g.fail},
                          {"nodata", g.no_data_count},
                          {"error", g.errors}});
  }
  j["groups"] = groups;
  Json metrics = Json::array();
  for (const MetricResult& m : r.metrics) {
    Json o;
    o["name"] = m.name;
    o["metric"] = m.metric;
    o["group"] = m.group;
    o["judge"] = m.judge;
    Json labels = Json::object();
    for (const auto& [name, value] : m.labels) labels[name] = value;
    o["labels"] = labels;
    o["classification"] = judges::ClassificationName(m.judgement.classification);
    o["critical"] = m.judgement.critical;
    o["critical_metric"] = m.critical_metric;
    o["dry_run"] = m.dry_run;
    o["reason"] = m.judgement.reason;
    o["p_value"] = Number(m.judgement.p_value);
    o["ci_low"] = Number(m.judgement.ci_low);
    o["ci_high"] = Number(m.judgement.ci_high);
    o["estimate"] = Number(m.judgement.estimate);
    o["effect_size"] = Number(m.judgement.effect_size);
    o["relative_change"] = Number(m.judgement.relative_estimate);
    o["relative_ci_low"] = Number(m.judgement.relative_ci_low);
    o["relative_ci_high"] = Number(m.judgement.relative_ci_high);
    o["p_value_adjusted"] = Number(m.judgement.p_value_adjusted);
    o["autocorrelation"] = Number(m.judgement.autocorrelation);
    o["variance_factor"] = Number(m.judgement.variance_factor);
    o["degrees_of_freedom"] =
        m.judgement.degrees_of_freedom > 0 ? Number(m.judgement.degrees_of_freedom) : Json(nullptr);
    if (m.judgement.instances_experiment > 0) {
      o["instances"] = Json{{"control", m.judgement.instances_control},
                            {"experiment", m.judgement.instances_experiment}};
    }
    o["kpi"] = m.kpi ? Json(KpiOutcomeName(m.kpi_outcome)) : Json(nullptr);
    if (m.judge == "rate") {
      auto count = [](const std::optional<double>& v) { return v ? Number(*v) : Json(nullptr); };
      o["control"] = Json{{"events", count(m.control_events)}, {"total", count(m.control_total)}};
      o["experiment"] =
          Json{{"events", count(m.experiment_events)}, {"total", count(m.experiment_total)}};
    } else {
      o["control"] = SummaryJson(m.control);
      o["experiment"] = SummaryJson(m.experiment);
    }
    Json queries = Json::object();
    for (const auto& [side, query] : m.queries) queries[side] = query;
    o["queries"] = queries;
    if (!m.control_series.empty() || !m.experiment_series.empty()) {
      // A placeholder here; the series go in compact after pretty-printing (below).
      o["series"] = absl::StrCat(kSeriesToken, series.size());
      series.push_back(Json{{"control", SeriesJson(m.control_series)},
                            {"experiment", SeriesJson(m.experiment_series)}}
                           .dump(-1, ' ', false, Json::error_handler_t::replace));
    }
    metrics.push_back(o);
  }
  j["metrics"] = metrics;
  // Invalid UTF-8 (a scope or argument given as raw bytes) becomes U+FFFD instead of throwing.
  std::string pretty = j.dump(2, ' ', false, Json::error_handler_t::replace);
  if (series.empty()) return pretty + "\n";
  // Each series object on one line: pretty-printed, a point took four lines (about 80 bytes),
  // which made a 50 x 2 x 1000-point result 8 MB; compact, about 25 bytes a point. Should a
  // string of the result itself contain the token, the series stay pretty-printed instead.
  std::string out;
  out.reserve(pretty.size() + series.size() * 32);
  size_t from = 0;
  size_t next = 0;
  for (size_t at = pretty.find(kSeriesToken); at != std::string::npos;
       at = pretty.find(kSeriesToken, at + 1)) {
    // The placeholder is a JSON string: "<token><index>".
    const size_t open = at - 1;
    const size_t close = pretty.find('"', at);
    if (next >= series.size() || open < from || pretty[open] != '"' ||
        pretty.substr(at, close - at) != absl::StrCat(kSeriesToken, next)) {
      return PrettyWithSeries(j, series) + "\n";
    }
    out.append(pretty, from, open - from);
    out.append(series[next++]);
    from = close + 1;
  }
  if (next != series.size()) return PrettyWithSeries(j, series) + "\n";
  out.append(pretty, from, std::string::npos);
  return out + "\n";
}

std::string ResultText(const AnalysisResult& r) {
  std::string out = absl::StrFormat(
      "%s  score %g (pass %g, marginal %g)\n%s: %s vs %s, %s .. %s (%s, step %s), template %s\n"
      "reason: %s\n\n",
      VerdictName(r.verdict), r.score.score, r.pass_threshold, r.marginal_threshold,
      StrategyName(r.strategy), r.control_scope, r.experiment_scope, FormatRfc3339(r.start),
      FormatRfc3339(r.end), FormatPromDuration(r.end - r.start), FormatPromDuration(r.step),
      r.template_name, r.reason);
  std::vector<const MetricResult*> rows;
  for (const MetricResult& m : r.metrics) rows.push_back(&m);
  std::stable_sort(rows.begin(), rows.end(), [](const MetricResult* a, const MetricResult* b) {
    return Rank(*a) < Rank(*b);
  });
  size_t name_width = 6;
  size_t judge_width = 5;
  std::vector<std::string> names, results;
  for (const MetricResult* m : rows) {
    std::string name = m->name;
    if (m->dry_run) absl::StrAppend(&name, " (dry-run)");
    if (m->kpi) absl::StrAppend(&name, " (KPI)");
    names.push_back(name);
    std::string result(judges::ClassificationName(m->judgement.classification));
    if (m->judgement.critical) absl::StrAppend(&result, "!");
    results.push_back(result);
    name_width = std::max(name_width, name.size());
    judge_width = std::max(judge_width, m->judge.size());
  }
  absl::StrAppend(&out, absl::StrFormat("%-*s  %-*s  %-7s  %s\n", name_width, "METRIC", judge_width,
                                        "JUDGE", "RESULT", "DETAIL"));
  for (size_t i = 0; i < rows.size(); ++i) {
    absl::StrAppend(&out,
                    absl::StrFormat("%-*s  %-*s  %-7s  %s\n", name_width, names[i], judge_width,
                                    rows[i]->judge, results[i], rows[i]->judgement.reason));
  }
  absl::StrAppend(&out, "\n! = critical: fails the analysis on its own\n");
  return out;
}

}  // namespace augur::analysis
