// The HTML report: one self-contained file (inline CSS and SVG, no script, font or network),
// readable without colour (every state is a word; the two sides differ in line style too) and
// printable.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "judges/judgement.h"
#include "report/model.h"

namespace augur::report {
namespace {

constexpr char kStyle[] = R"css(
:root { --ink: #1b1b1b; --muted: #5a5a5a; --line: #d0d0d0; --control: #1f4e79; --experiment: #b8470b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1280px; padding: 16px 24px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 4px; }
.verdict { border: 3px solid var(--ink); border-radius: 6px; padding: 12px 16px; }
.verdict.PROMOTE { border-color: #2e7d32; } .verdict.HOLD { border-color: #9a6700; border-style: dashed; } .verdict.ABORT { border-color: #c62828; border-width: 5px; }
.verdict .word { letter-spacing: 0.04em; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: #f4f4f4; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.result { font-weight: 600; white-space: nowrap; }
.result.HIGH, .result.LOW { color: #b71c1c; } .result.ERROR { color: #6a1b9a; } .result.NODATA { color: #8a5a00; } .result.PASS { color: #1b5e20; font-weight: 400; }
.metric { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 12px 0; break-inside: avoid; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
svg.chart { border: 1px solid var(--line); background: #fff; }
svg.chart text { font: 11px "DejaVu Sans", sans-serif; fill: var(--ink); }
.legend-control { stroke: var(--control); } .legend-experiment { stroke: var(--experiment); }
@media print { body { max-width: none; padding: 0; } .metric { page-break-inside: avoid; } a { color: inherit; text-decoration: none; } }
)css";

// Plot geometry shared by both charts.
constexpr double kWidth = 560, kHeight = 220;
constexpr double kLeft = 64, kRight = 12, kTop = 30, kBottom = 34;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

// A plot coordinate with one decimal (a tenth of a pixel): integer arithmetic, because a report
// of 50 x 2 x 1000 points writes about 400,000 of them (StrFormat took a third of its time).
std::string F(double v) {
  if (!std::isfinite(v) || std::fabs(v) > 1e9) return "0";
  const long long tenths = std::llround(v * 10.0);
  const unsigned long long magnitude =
      static_cast<unsigned long long>(tenths < 0 ? -tenths : tenths);
  return absl::StrCat(tenths < 0 ? "-" : "", magnitude / 10, ".", magnitude % 10);
}

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
  // A range with a positive, finite span to scale into: a single value gets `fixed_pad` either
  // side (a second of time), or 5% of itself (a value); what still has no usable span (values
  // near the limits of doubles) falls back to [0, 1], where points clamp to the plot's edges.
  Range Padded(double fixed_pad = 0) const {
    Range r = *this;
    if (r.empty()) return Range{0, 1};
    if (r.lo == r.hi) {
      const double pad = fixed_pad > 0 ? fixed_pad : (r.lo == 0 ? 1 : std::fabs(r.lo) * 0.05);
      r.lo -= pad;
      r.hi += pad;
    }
    if (!(r.hi - r.lo > 0) || !std::isfinite(r.hi - r.lo)) return Range{0, 1};
    return r;
  }
};

// Plot coordinates, clamped to the plot area (a value outside the range sits on its edge).
double X(const Range& r, double v) {
  return kLeft + std::clamp((v - r.lo) / (r.hi - r.lo), 0.0, 1.0) * kPlotW;
}
double Y(const Range& r, double v) {
  return kTop + kPlotH - std::clamp((v - r.lo) / (r.hi - r.lo), 0.0, 1.0) * kPlotH;
}

std::string ClockTime(double unix_seconds) {
  if (!(std::fabs(unix_seconds) < 1e15)) return "?";
  return absl::FormatTime("%H:%M:%S", absl::FromUnixMillis(std::llround(unix_seconds * 1000.0)),
                          absl::UTCTimeZone());
}

// The frame: axes, the y axis's three labels, and the legend naming both sides.
std::string Frame(const std::string& y_lo, const std::string& y_mid, const std::string& y_hi,
                  const std::string& control_label, const std::string& experiment_label) {
  std::string out;
  absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" y1=\"", F(kTop), "\" x2=\"", F(kLeft),
                  "\" y2=\"", F(kTop + kPlotH), "\" stroke=\"#888\"/>");
  absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" y1=\"", F(kTop + kPlotH), "\" x2=\"",
                  F(kLeft + kPlotW), "\" y2=\"", F(kTop + kPlotH), "\" stroke=\"#888\"/>");
  const double ys[3] = {kTop + kPlotH, kTop + kPlotH / 2, kTop};
  const std::string labels[3] = {y_lo, y_mid, y_hi};
  for (int i = 0; i < 3; ++i) {
    absl::StrAppend(&out, "<text x=\"", F(kLeft - 6), "\" y=\"", F(ys[i] + 4),
                    "\" text-anchor=\"end\">", Markup(labels[i]), "</text>");
    if (i > 0) {
      absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" y1=\"", F(ys[i]), "\" x2=\"",
                      F(kLeft + kPlotW), "\" y2=\"", F(ys[i]), "\" stroke=\"#eee\"/>");
    }
  }
  // Legend: a solid line for the control, a dashed one for the experiment, each named.
  absl::StrAppend(&out, "<line class=\"legend-control\" x1=\"", F(kLeft), "\" y1=\"14\" x2=\"",
                  F(kLeft + 24), "\" y2=\"14\" stroke-width=\"2\"/>", "<text x=\"", F(kLeft + 30),
                  "\" y=\"18\">control: ", Markup(control_label), "</text>");
  const double second = kLeft + kPlotW / 2;
  absl::StrAppend(&out, "<line class=\"legend-experiment\" x1=\"", F(second), "\" y1=\"14\" x2=\"",
                  F(second + 24), "\" y2=\"14\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>",
                  "<text x=\"", F(second + 30),
                  "\" y=\"18\">experiment: ", Markup(experiment_label), "</text>");
  return out;
}

// A path through the points, broken where a value is missing.
std::string SeriesPath(const std::vector<SidePoint>& points, const Range& x, const Range& y) {
  std::string d;
  int run = 0;  // points in the current stretch without a gap
  auto end_run = [&] {
    if (run == 1) absl::StrAppend(&d, "h1");  // a lone point: a pixel, so it shows
    run = 0;
  };
  for (const SidePoint& p : points) {
    if (!std::isfinite(p.value) || !std::isfinite(p.time)) {
      end_run();
      continue;
    }
    absl::StrAppend(&d, run > 0 ? "L" : "M", F(X(x, p.time)), " ", F(Y(y, p.value)));
    ++run;
  }
  end_run();
  return d;
}

std::string TimeSeriesChart(const MetricRow& m, const Model& model) {
  Range x, y;
  for (const auto* side : {&m.control_series, &m.experiment_series}) {
    for (const SidePoint& p : *side) {
      if (!std::isfinite(p.value)) continue;
      x.Add(p.time);
      y.Add(p.value);
    }
  }
  x = x.Padded(/*fixed_pad=*/1.0);  // seconds
  y = y.Padded();
  std::string out = absl::StrCat("<svg class=\"chart timeseries\" role=\"img\" width=\"", F(kWidth),
                                 "\" height=\"", F(kHeight), "\" viewBox=\"0 0 ", F(kWidth), " ",
                                 F(kHeight), "\" xmlns=\"http://www.w3.org/2000/svg\"><title>",
                                 Markup(m.name), ": control and experiment over time</title>");
  absl::StrAppend(&out, Frame(judges::FormatValue(y.lo), judges::FormatValue((y.lo + y.hi) / 2),
                              judges::FormatValue(y.hi), model.control, model.experiment));
  absl::StrAppend(&out, "<text x=\"", F(kLeft), "\" y=\"", F(kHeight - 10), "\">", ClockTime(x.lo),
                  "</text><text x=\"", F(kLeft + kPlotW), "\" y=\"", F(kHeight - 10),
                  "\" text-anchor=\"end\">", ClockTime(x.hi), " UTC</text><text x=\"",
                  F(kLeft + kPlotW / 2), "\" y=\"", F(kHeight - 10),
                  "\" text-anchor=\"middle\" class=\"muted\">time</text>");
  if (const std::string d = SeriesPath(m.control_series, x, y); !d.empty()) {
    absl::StrAppend(&out, "<path class=\"legend-control\" d=\"", d,
                    "\" fill=\"none\" stroke-width=\"1.5\"/>");
  }
  if (const std::string d = SeriesPath(m.experiment_series, x, y); !d.empty()) {
    absl::StrAppend(&out, "<path class=\"legend-experiment\" d=\"", d,
                    "\" fill=\"none\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>");
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

std::vector<double> FiniteSorted(const std::vector<SidePoint>& points) {
  std::vector<double> v;
  v.reserve(points.size());
  for (const SidePoint& p : points) {
    if (std::isfinite(p.value)) v.push_back(p.value);
  }
  std::sort(v.begin(), v.end());
  return v;
}

// The empirical distribution functions of both sides, with the shift's interval (estimate and
// CI added to the control's median) shaded, as the judge saw it.
std::string DistributionChart(const MetricRow& m, const Model& model) {
  const std::vector<double> control = FiniteSorted(m.control_series);
  const std::vector<double> experiment = FiniteSorted(m.experiment_series);
  Range x;
  for (const auto* side : {&control, &experiment}) {
    if (!side->empty()) {
      x.Add(side->front());
      x.Add(side->back());
    }
  }
  x = x.Padded();
  const Range y{0, 1};
  std::string out =
      absl::StrCat("<svg class=\"chart distribution\" role=\"img\" width=\"", F(kWidth),
                   "\" height=\"", F(kHeight), "\" viewBox=\"0 0 ", F(kWidth), " ", F(kHeight),
                   "\" xmlns=\"http://www.w3.org/2000/svg\"><title>", Markup(m.name),
                   ": distribution of both sides (share of points at or below a value)</title>");
  // The Hodges-Lehmann shift is a shift of the distribution; other judges' estimates are not.
  const bool shift =
      m.judge == "mannWhitney" && std::isfinite(m.control_median) && std::isfinite(m.estimate);
  if (shift) {
    const auto clamp = [&](double v) { return std::clamp(v, x.lo, x.hi); };
    // A one-sided interval (the missing bound is infinite) runs to the axis' edge.
    const double lo = std::isnan(m.ci_low) ? x.lo : clamp(m.control_median + m.ci_low);
    const double hi = std::isnan(m.ci_high) ? x.hi : clamp(m.control_median + m.ci_high);
    const double at = clamp(m.control_median + m.estimate);
    const double median = clamp(m.control_median);
    absl::StrAppend(&out, "<rect x=\"", F(X(x, lo)), "\" y=\"", F(kTop), "\" width=\"",
                    F(std::max(1.0, X(x, hi) - X(x, lo))), "\" height=\"", F(kPlotH),
                    "\" fill=\"#999\" fill-opacity=\"0.18\"/>");
    absl::StrAppend(&out, "<line x1=\"", F(X(x, median)), "\" y1=\"", F(kTop), "\" x2=\"",
                    F(X(x, median)), "\" y2=\"", F(kTop + kPlotH),
                    "\" stroke=\"#555\" stroke-dasharray=\"2 2\"/>");
    absl::StrAppend(&out, "<line x1=\"", F(X(x, at)), "\" y1=\"", F(kTop), "\" x2=\"", F(X(x, at)),
                    "\" y2=\"", F(kTop + kPlotH), "\" stroke=\"#333\"/>");
    absl::StrAppend(&out, "<text x=\"", F(kLeft + kPlotW - 4), "\" y=\"", F(kTop + kPlotH - 8),
                    "\" text-anchor=\"end\">shaded: control median + shift ", Markup(ShiftText(m)),
                    "</text>");
  }
  absl::StrAppend(&out, Frame("0", "0.5", "1", model.control, model.experiment));
  absl::StrAppend(&out, "<text x=\"", F(kLeft), "\" y=\"", F(kHeight - 10), "\">",
                  Markup(judges::FormatValue(x.lo)), "</text><text x=\"", F(kLeft + kPlotW),
                  "\" y=\"", F(kHeight - 10), "\" text-anchor=\"end\">",
                  Markup(judges::FormatValue(x.hi)), "</text><text x=\"", F(kLeft + kPlotW / 2),
                  "\" y=\"", F(kHeight - 10),
                  "\" text-anchor=\"middle\" class=\"muted\">value</text>");
  const auto step_path = [&](const std::vector<double>& v) {
    std::string d;
    if (v.empty()) return d;
    const double n = static_cast<double>(v.size());
    absl::StrAppend(&d, "M", F(X(x, v.front())), " ", F(Y(y, 0)));
    for (size_t i = 0; i < v.size(); ++i) {
      // Ties step once, to the share at or below the value.
      if (i + 1 < v.size() && v[i + 1] == v[i]) continue;
      absl::StrAppend(&d, "H", F(X(x, v[i])), "V", F(Y(y, static_cast<double>(i + 1) / n)));
    }
    absl::StrAppend(&d, "H", F(X(x, x.hi)));
    return d;
  };
  if (!control.empty()) {
    absl::StrAppend(&out, "<path class=\"legend-control\" d=\"", step_path(control),
                    "\" fill=\"none\" stroke-width=\"1.5\"/>");
  }
  if (!experiment.empty()) {
    absl::StrAppend(&out, "<path class=\"legend-experiment\" d=\"", step_path(experiment),
                    "\" fill=\"none\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>");
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

bool HasSeries(const MetricRow& m) {
  for (const auto* side : {&m.control_series, &m.experiment_series}) {
    for (const SidePoint& p : *side) {
      if (std::isfinite(p.value)) return true;
    }
  }
  return false;
}

std::string Queries(const MetricRow& m) {
  std::string out;
  for (const auto& [side, query] : m.queries) {
    absl::StrAppend(&out, "<div><span class=\"muted\">", Markup(side), ":</span> <code>",
                    Markup(query), "</code></div>");
  }
  return out;
}

std::string PageStart(const std::string& title) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      Markup(title), "</title>\n<style>", kStyle, "</style>\n</head>\n<body>\n");
}

std::string PageEnd() {
  return "<p class=\"muted\">Generated by augur. Solid line: control; dashed: "
         "experiment.</p>\n</body>\n</html>\n";
}

// The groups, the metrics table (failures first) and each metric's details with its charts.
std::string ResultSections(const Model& model) {
  const std::vector<const MetricRow*> rows = ReportOrder(model);
  std::string out;
  if (!model.groups.empty()) {
    absl::StrAppend(&out,
                    "<h2>Groups</h2>\n<table>\n<thead><tr><th>Group</th><th>Score</th>"
                    "<th>Pass</th><th>Fail</th><th>No data</th><th>Error</th></tr></thead>\n"
                    "<tbody>\n");
    for (const GroupRow& g : model.groups) {
      absl::StrAppend(
          &out, "<tr><td>", Markup(g.name.empty() ? "(none)" : g.name), "</td><td class=\"num\">",
          g.no_data ? "no data" : Markup(NumberText(g.score)), "</td><td class=\"num\">", g.pass,
          "</td><td class=\"num\">", g.fail, "</td><td class=\"num\">", g.nodata,
          "</td><td class=\"num\">", g.error, "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody>\n</table>\n");
  }

  absl::StrAppend(&out,
                  "<h2>Metrics</h2>\n<table class=\"metrics\">\n<thead><tr><th>Result</th>"
                  "<th>Metric</th><th>Judge</th><th>Critical</th><th>p-value</th>"
                  "<th>Shift (CI)</th><th>Estimate</th><th>Effect size</th>"
                  "<th>Query</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    const MetricRow& m = *rows[i];
    absl::StrAppend(
        &out, "<tr><td class=\"result ", Markup(m.classification), "\">", Markup(ResultLabel(m)),
        "</td><td><a href=\"#metric-", i, "\">", Markup(m.name), "</a></td><td>", Markup(m.judge),
        "</td><td>",
        m.critical ? "yes (fails the analysis)" : (m.critical_metric ? "critical metric" : "no"),
        "</td><td class=\"num\">", Markup(PValueCell(m)), "</td><td class=\"num\">",
        Markup(ShiftText(m)), "</td><td class=\"num\">", Markup(NumberText(m.estimate)),
        "</td><td class=\"num\">", Markup(NumberText(m.effect_size)), "</td><td>", Queries(m),
        "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n<h2>Details</h2>\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    const MetricRow& m = *rows[i];
    absl::StrAppend(&out, "<section class=\"metric\" id=\"metric-", i,
                    "\">\n<h3><span class=\"result ", Markup(m.classification), "\">",
                    Markup(ResultLabel(m)), "</span> ", Markup(m.name), " <span class=\"muted\">(",
                    Markup(m.judge),
                    m.group.empty() ? "" : absl::StrCat(", group ", Markup(m.group)),
                    ")</span></h3>\n<p>", Markup(m.reason), "</p>\n");
    if (!std::isnan(m.control_events) || !std::isnan(m.experiment_events)) {
      absl::StrAppend(&out, "<p class=\"muted\">control ", Markup(NumberText(m.control_events)),
                      " of ", Markup(NumberText(m.control_total)), ", experiment ",
                      Markup(NumberText(m.experiment_events)), " of ",
                      Markup(NumberText(m.experiment_total)), "</p>\n");
    }
    if (HasSeries(m)) {
      absl::StrAppend(&out, "<div class=\"charts\">", TimeSeriesChart(m, model),
                      DistributionChart(m, model), "</div>\n");
    }
    absl::StrAppend(&out, Queries(m), "</section>\n");
  }
  return out;
}

const char* VerdictInitial(const std::string& verdict) {
  if (verdict == "PROMOTE") return "P";
  if (verdict == "HOLD") return "H";
  if (verdict == "ABORT") return "A";
  return "?";
}

// The score of every interval (0-100) against the template's pass and marginal thresholds, each
// point labelled with its verdict's initial (P, H, A) so that it reads without colour.
std::string ScoreChart(const RunModel& run) {
  const Range x = Range{1, static_cast<double>(std::max<size_t>(run.intervals.size(), 2))};
  const Range y{0, 100};
  std::string out =
      absl::StrCat("<svg class=\"chart score\" role=\"img\" width=\"", F(kWidth), "\" height=\"",
                   F(kHeight), "\" viewBox=\"0 0 ", F(kWidth), " ", F(kHeight),
                   "\" xmlns=\"http://www.w3.org/2000/svg\"><title>score of each interval</title>");
  for (const double v : {0.0, 50.0, 100.0}) {
    absl::StrAppend(&out, "<text x=\"", F(kLeft - 6), "\" y=\"", F(Y(y, v) + 4),
                    "\" text-anchor=\"end\">", static_cast<int>(v), "</text>");
  }
  absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" y1=\"", F(kTop), "\" x2=\"", F(kLeft),
                  "\" y2=\"", F(kTop + kPlotH), "\" stroke=\"#888\"/><line x1=\"", F(kLeft),
                  "\" y1=\"", F(kTop + kPlotH), "\" x2=\"", F(kLeft + kPlotW), "\" y2=\"",
                  F(kTop + kPlotH), "\" stroke=\"#888\"/>");
  // The thresholds, from the first interval that has them.
  for (const IntervalRow& i : run.intervals) {
    if (!i.has_result || std::isnan(i.result.pass_threshold)) continue;
    for (const auto& [value, name] : {std::pair{i.result.pass_threshold, "pass"},
                                      std::pair{i.result.marginal_threshold, "marginal"}}) {
      if (std::isnan(value)) continue;
      absl::StrAppend(&out, "<line x1=\"", F(kLeft), "\" y1=\"", F(Y(y, value)), "\" x2=\"",
                      F(kLeft + kPlotW), "\" y2=\"", F(Y(y, value)),
                      "\" stroke=\"#777\" stroke-dasharray=\"4 3\"/><text x=\"",
                      F(kLeft + kPlotW - 2), "\" y=\"", F(Y(y, value) - 3),
                      "\" text-anchor=\"end\">", name, " ", Markup(NumberText(value)), "</text>");
    }
    break;
  }
  std::string d;
  for (const IntervalRow& i : run.intervals) {
    if (std::isnan(i.score)) continue;
    const double px = X(x, static_cast<double>(i.index));
    const double py = Y(y, i.score);
    absl::StrAppend(&d, d.empty() ? "M" : "L", F(px), " ", F(py));
    absl::StrAppend(&out, "<circle cx=\"", F(px), "\" cy=\"", F(py),
                    "\" r=\"3\" fill=\"#1b1b1b\"/><text x=\"", F(px), "\" y=\"", F(py - 7),
                    "\" text-anchor=\"middle\">", VerdictInitial(i.verdict), "</text>");
  }
  if (!d.empty()) {
    absl::StrAppend(&out, "<path d=\"", d,
                    "\" fill=\"none\" stroke=\"#1f4e79\" stroke-width=\"1.5\"/>");
  }
  absl::StrAppend(&out, "<text x=\"", F(kLeft), "\" y=\"", F(kHeight - 10),
                  "\">interval 1</text><text x=\"", F(kLeft + kPlotW), "\" y=\"", F(kHeight - 10),
                  "\" text-anchor=\"end\">interval ", std::max<size_t>(run.intervals.size(), 2),
                  "</text><text x=\"", F(kLeft + kPlotW / 2), "\" y=\"", F(kHeight - 10),
                  "\" text-anchor=\"middle\" class=\"muted\">P PROMOTE, H HOLD, A ABORT</text>");
  absl::StrAppend(&out, "</svg>");
  return out;
}

}  // namespace

std::string RenderHtml(const Model& model) {
  std::string out = PageStart(absl::StrCat("augur: ", model.verdict, " ", model.template_name));
  absl::StrAppend(&out, "<header class=\"verdict ", Markup(model.verdict),
                  "\">\n<h1><span class=\"word\">", Markup(model.verdict),
                  "</span> <span class=\"muted\">· score ", Markup(NumberText(model.score)),
                  "</span></h1>\n");
  if (!model.reason.empty()) absl::StrAppend(&out, "<p>", Markup(model.reason), "</p>\n");
  absl::StrAppend(&out, "<p class=\"muted\">", Markup(Scope(model)));
  if (!model.template_name.empty()) {
    absl::StrAppend(&out, "; template <code>", Markup(model.template_name), "</code>");
  }
  if (!model.provider.empty()) {
    absl::StrAppend(&out, "; data from <code>", Markup(model.provider), "</code>");
  }
  absl::StrAppend(&out, "</p>\n");
  if (!std::isnan(model.pass_threshold)) {
    absl::StrAppend(&out, "<p>Score ", Markup(NumberText(model.score)), " of 100",
                    model.score_classification.empty()
                        ? ""
                        : absl::StrCat(" (", Markup(model.score_classification), ")"),
                    ". The template promotes at ", Markup(NumberText(model.pass_threshold)),
                    " or more, holds from ", Markup(NumberText(model.marginal_threshold)),
                    " and aborts below.",
                    model.score_reason.empty()
                        ? ""
                        : absl::StrCat(" Score set to 0: ", Markup(model.score_reason), "."),
                    "</p>\n");
  }
  absl::StrAppend(&out, "</header>\n");

  absl::StrAppend(&out, ResultSections(model), PageEnd());
  return out;
}

std::string RenderRunHtml(const RunModel& run) {
  std::string out = PageStart(absl::StrCat("augur run ", run.run_id, ": ", run.verdict));
  absl::StrAppend(&out, "<header class=\"verdict ", Markup(run.verdict),
                  "\">\n<h1><span class=\"word\">", Markup(run.verdict),
                  "</span> <span class=\"muted\">· run ", Markup(run.run_id), ", ",
                  Markup(run.state), ", ", run.intervals_done, " of ", run.intervals_total,
                  " intervals</span></h1>\n");
  if (!run.reason.empty()) absl::StrAppend(&out, "<p>", Markup(run.reason), "</p>\n");
  absl::StrAppend(&out, "<p class=\"muted\">", Markup(run.strategy), ": control ",
                  Markup(run.control), " vs experiment ", Markup(run.experiment),
                  "; template <code>", Markup(run.template_name), "</code>; started ",
                  Markup(run.created), ", updated ", Markup(run.updated), "</p>\n</header>\n");
  absl::StrAppend(&out, "<h2>Score over time</h2>\n<div class=\"charts\">", ScoreChart(run),
                  "</div>\n");
  absl::StrAppend(&out,
                  "<h2>Intervals</h2>\n<table>\n<thead><tr><th>Interval</th><th>Window"
                  "</th><th>Verdict</th><th>Score</th><th>Why</th></tr></thead>\n<tbody>\n");
  for (const IntervalRow& i : run.intervals) {
    absl::StrAppend(&out, "<tr><td class=\"num\">", i.index, "</td><td class=\"num\">",
                    Markup(i.window_start), " .. ", Markup(i.window_end),
                    "</td><td class=\"result\">", Markup(i.verdict), "</td><td class=\"num\">",
                    Markup(NumberText(i.score)), "</td><td>",
                    Markup(i.error.empty() ? i.reason : i.error), "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody>\n</table>\n");
  // Every metric's result in every interval.
  const std::vector<std::string> names = MetricNames(run);
  const std::vector<MetricIndex> index = IndexMetrics(run);
  if (!names.empty()) {
    absl::StrAppend(&out, "<h2>Metrics by interval</h2>\n<table>\n<thead><tr><th>Metric</th>");
    for (const IntervalRow& i : run.intervals) absl::StrAppend(&out, "<th>", i.index, "</th>");
    absl::StrAppend(&out, "</tr></thead>\n<tbody>\n");
    for (const std::string& name : names) {
      absl::StrAppend(&out, "<tr><td>", Markup(name), "</td>");
      for (const MetricIndex& interval : index) {
        const MetricRow* found = Find(interval, name);
        if (found == nullptr) {
          absl::StrAppend(&out, "<td class=\"muted\">—</td>");
        } else {
          absl::StrAppend(&out, "<td class=\"result ", Markup(found->classification), "\">",
                          Markup(found->classification), found->critical ? "!" : "", "</td>");
        }
      }
      absl::StrAppend(&out, "</tr>\n");
    }
    absl::StrAppend(&out,
                    "</tbody>\n</table>\n<p class=\"muted\">! critical: fails the "
                    "interval on its own.</p>\n");
  }
  // The last interval that ran, in full.
  for (auto i = run.intervals.rbegin(); i != run.intervals.rend(); ++i) {
    if (!i->has_result) continue;
    absl::StrAppend(&out, "<h2>Interval ", i->index, " in full</h2>\n<p>", Markup(i->verdict),
                    " · score ", Markup(NumberText(i->score)), ": ", Markup(i->reason), "</p>\n",
                    ResultSections(i->result));
    break;
  }
  absl::StrAppend(&out, PageEnd());
  return out;
}

}  // namespace augur::report
