// The part of a result document the reports show, read and checked once (report.cc), so that
// each renderer works on plain fields. Absent numbers are NaN.
#ifndef AUGUR_REPORT_MODEL_H_
#define AUGUR_REPORT_MODEL_H_

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace augur::report {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

struct SidePoint {
  double time;   // Unix seconds
  double value;  // NaN where the backend gave NaN
};

struct MetricRow {
  std::string name, metric, group, judge, classification, reason, kpi;
  bool critical = false, critical_metric = false, dry_run = false;
  double p_value = kMissing, p_value_adjusted = kMissing, ci_low = kMissing, ci_high = kMissing,
         estimate = kMissing;
  double effect_size = kMissing, relative_change = kMissing, relative_ci_low = kMissing;
  double relative_ci_high = kMissing;
  double control_median = kMissing;  // where the distribution chart centres the shift
  // Rate judges: events and totals per side.
  double control_events = kMissing, control_total = kMissing;
  double experiment_events = kMissing, experiment_total = kMissing;
  std::vector<std::pair<std::string, std::string>> queries;  // side, PromQL
  std::vector<SidePoint> control_series, experiment_series;

  bool failed() const { return classification == "HIGH" || classification == "LOW"; }
};

struct GroupRow {
  std::string name;
  double score = kMissing;
  bool no_data = false;
  int64_t pass = 0, fail = 0, nodata = 0, error = 0;
};

struct Model {
  std::string verdict, reason, strategy, template_name, control, experiment, provider;
  std::string window_start, window_end, window_length, step;
  std::string score_classification, score_reason;
  double score = kMissing, pass_threshold = kMissing, marginal_threshold = kMissing;
  std::vector<GroupRow> groups;
  std::vector<MetricRow> metrics;  // as the document lists them (template order)
};

// One interval of a service run.
struct IntervalRow {
  int64_t index = 0;
  std::string window_start, window_end, verdict, reason, error;
  double score = kMissing;
  bool has_result = false;
  Model result;  // the interval's analysis, when it ran (no series: the service keeps none)
};

// A run of `augur serve` (service/run_json.h): every interval, for score over time.
struct RunModel {
  std::string run_id, template_name, state, verdict, reason, strategy, control, experiment;
  std::string created, updated;
  int64_t intervals_total = 0, intervals_done = 0;
  std::vector<IntervalRow> intervals;
};

// Failures first (critical before others), then errors, missing data, passes; dry-run last:
// the order every report lists metrics in (as `augur analyze`'s text table).
std::vector<const MetricRow*> ReportOrder(const Model& model);

// Every metric's name across a run's intervals, in first-seen order, and for each interval its
// results by name (the last one of a name), so that the metrics-by-interval tables are linear.
std::vector<std::string> MetricNames(const RunModel& run);
using MetricIndex = std::unordered_map<std::string, const MetricRow*>;
std::vector<MetricIndex> IndexMetrics(const RunModel& run);
// The interval's result for `name`, or nullptr.
const MetricRow* Find(const MetricIndex& index, const std::string& name);

// Text for HTML and XML, as element text or attribute value: the five entities, and what
// neither allows (control characters, U+FFFE and U+FFFF, as when a reason quotes a backend's
// bytes) replaced, so no name or reason can break the markup.
std::string Markup(const std::string& text);

// "HIGH (critical)", "PASS", "NODATA (dry run)".
std::string ResultLabel(const MetricRow& m);

// The shift and its interval: "+23% (CI +15%..+31%)" relative to the control's median when the
// document has it, else in the metric's units; "" without an estimate.
std::string ShiftText(const MetricRow& m);
// "3e-06", "0.041", "<1e-300"; "" when missing.
std::string PValueText(double p);
// The p-value cell: "0.004", or "0.004 (Holm 0.012)" when the analysis adjusted it.
std::string PValueCell(const MetricRow& m);
// 4 significant digits; "" when missing.
std::string NumberText(double v);
// "ABORT · score 40 (pass 95, marginal 75)".
std::string Headline(const Model& model);
// "canary: control stable vs experiment canary, 2026-...Z .. 2026-...Z (10m, step 15s)".
std::string Scope(const Model& model);

std::string RenderMarkdown(const Model& model);
std::string RenderJunit(const Model& model);
std::string RenderHtml(const Model& model);

std::string RenderRunMarkdown(const RunModel& run);
std::string RenderRunJunit(const RunModel& run);
std::string RenderRunHtml(const RunModel& run);

}  // namespace augur::report

#endif  // AUGUR_REPORT_MODEL_H_
