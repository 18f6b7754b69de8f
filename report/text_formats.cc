// Markdown and JUnit XML, and the wording every report shares.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "judges/judgement.h"
#include "report/model.h"

namespace augur::report {
namespace {

std::string Signed(double v) {
  if (std::isnan(v)) return "";
  return absl::StrCat(v > 0 ? "+" : "", judges::FormatValue(v));
}

// Markdown text: pipes escaped (for tables), line breaks as spaces, and <, > and & as entities,
// so that no name or reason turns into markup where a renderer passes HTML through.
std::string Cell(const std::string& text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"},
                                    {"\r\n", " "},
                                    {"\n", " "},
                                    {"\r", " "},
                                    {"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"}});
}

// Inline code, outside tables: a fence one backtick longer than the longest run inside.
std::string Code(const std::string& text) {
  if (text.empty()) return "";
  size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const std::string pad = longest > 0 ? " " : "";
  const std::string flat = absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
  return absl::StrCat(fence, pad, flat, pad, fence);
}

}  // namespace

std::string NumberText(double v) { return std::isnan(v) ? "" : judges::FormatValue(v); }

std::string PValueText(double p) {
  if (std::isnan(p)) return "";
  const std::string text = judges::FormatPValue(p);  // "p=0.041", "p<1e-300"
  return text.rfind("p=", 0) == 0 ? text.substr(2) : text.substr(1);
}

std::string PValueCell(const MetricRow& m) {
  std::string text = PValueText(m.p_value);
  if (!std::isnan(m.p_value_adjusted) && m.p_value_adjusted != m.p_value) {
    absl::StrAppend(&text, " (Holm ", PValueText(m.p_value_adjusted), ")");
  }
  return text;
}

std::string ShiftText(const MetricRow& m) {
  if (std::isnan(m.estimate)) return "";
  const bool interval = !std::isnan(m.ci_low) || !std::isnan(m.ci_high);
  // A one-sided interval has one bound (the result writes the infinite one as null).
  auto bound = [](double v, const std::string& text, bool low) {
    return std::isnan(v) ? std::string(low ? "-inf" : "+inf") : text;
  };
  if (!std::isnan(m.relative_change)) {
    std::string out = judges::FormatSignedPercent(m.relative_change);
    if (interval) {
      absl::StrAppend(
          &out, " (CI ",
          bound(m.relative_ci_low, judges::FormatSignedPercent(m.relative_ci_low), true), "..",
          bound(m.relative_ci_high, judges::FormatSignedPercent(m.relative_ci_high), false), ")");
    }
    return out;
  }
  std::string out = Signed(m.estimate);
  if (interval) {
    absl::StrAppend(&out, " (CI ", bound(m.ci_low, Signed(m.ci_low), true), "..",
                    bound(m.ci_high, Signed(m.ci_high), false), ")");
  }
  return out;
}

std::string Headline(const Model& model) {
  std::string out = absl::StrCat(model.verdict, " · score ", NumberText(model.score));
  if (!std::isnan(model.pass_threshold)) {
    absl::StrAppend(&out, " (pass ", NumberText(model.pass_threshold), ", marginal ",
                    NumberText(model.marginal_threshold), ")");
  }
  return out;
}

std::string Scope(const Model& model) {
  std::string out = absl::StrCat(model.strategy.empty() ? "analysis" : model.strategy, ": control ",
                                 model.control, " vs experiment ", model.experiment);
  if (!model.window_start.empty()) {
    absl::StrAppend(&out, ", ", model.window_start, " .. ", model.window_end);
    if (!model.window_length.empty()) {
      absl::StrAppend(&out, " (", model.window_length);
      if (!model.step.empty()) absl::StrAppend(&out, ", step ", model.step);
      absl::StrAppend(&out, ")");
    }
  }
  return out;
}

std::string RenderMarkdown(const Model& model) {
  std::string out =
      absl::StrCat("## augur: **", model.verdict, "** · score ", NumberText(model.score));
  if (!std::isnan(model.pass_threshold)) {
    absl::StrAppend(&out, " (pass ", NumberText(model.pass_threshold), ", marginal ",
                    NumberText(model.marginal_threshold), ")");
  }
  absl::StrAppend(&out, "\n\n");
  if (!model.reason.empty()) absl::StrAppend(&out, "> ", Cell(model.reason), "\n\n");
  absl::StrAppend(&out, Cell(Scope(model)));
  if (!model.template_name.empty()) {
    absl::StrAppend(&out, "; template ", Code(model.template_name));
  }
  if (!model.provider.empty()) absl::StrAppend(&out, "; data from ", Code(model.provider));
  absl::StrAppend(&out, "\n\n");

  int failed = 0, nodata = 0, errors = 0, passed = 0;
  for (const MetricRow& m : model.metrics) {
    if (m.dry_run) continue;
    if (m.failed()) {
      ++failed;
    } else if (m.classification == "NODATA") {
      ++nodata;
    } else if (m.classification == "ERROR") {
      ++errors;
    } else {
      ++passed;
    }
  }
  absl::StrAppend(&out, absl::StrFormat("%d failed, %d no data, %d errors, %d passed\n\n", failed,
                                        nodata, errors, passed));
  absl::StrAppend(&out,
                  "| Result | Metric | Judge | p-value | Shift (CI) | Effect | Why |\n"
                  "|---|---|---|---|---|---|---|\n");
  for (const MetricRow* m : ReportOrder(model)) {
    const std::string result = m->failed() || m->classification == "ERROR"
                                   ? absl::StrCat("**", ResultLabel(*m), "**")
                                   : ResultLabel(*m);
    absl::StrAppend(&out, "| ", result, " | ", Cell(m->name), " | ", Cell(m->judge), " | ",
                    PValueCell(*m), " | ", ShiftText(*m), " | ", NumberText(m->effect_size), " | ",
                    Cell(m->reason), " |\n");
  }
  if (!model.groups.empty()) {
    absl::StrAppend(&out,
                    "\n| Group | Score | Pass | Fail | No data | Error |\n"
                    "|---|---|---|---|---|---|\n");
    for (const GroupRow& g : model.groups) {
      absl::StrAppend(&out, "| ", Cell(g.name.empty() ? "(none)" : g.name), " | ",
                      g.no_data ? "no data" : NumberText(g.score), " | ", g.pass, " | ", g.fail,
                      " | ", g.nodata, " | ", g.error, " |\n");
    }
  }
  return out;
}

namespace {

struct JunitCounts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
};

// One <testsuite> of one analysis: a test case per metric result. HIGH and LOW are failures (the
// message says whether critical), ERROR an error, NODATA skipped, PASS passes. A dry-run metric
// never fails the suite: its HIGH or LOW is skipped with the result in the message.
std::string JunitSuite(const Model& model, const std::string& suite, JunitCounts& total) {
  JunitCounts counts;
  std::string cases;
  for (const MetricRow& m : model.metrics) {
    ++counts.tests;
    const std::string classname =
        absl::StrCat("augur.", model.template_name.empty() ? "analysis" : model.template_name,
                     m.group.empty() ? "" : absl::StrCat(".", m.group));
    absl::StrAppend(&cases, "    <testcase classname=\"", Markup(classname), "\" name=\"",
                    Markup(m.name), "\" time=\"0\">\n");
    std::string detail =
        absl::StrCat("judge: ", m.judge, "\nresult: ", ResultLabel(m), "\nreason: ", m.reason);
    if (const std::string p = PValueText(m.p_value); !p.empty()) {
      absl::StrAppend(&detail, "\np-value: ", p);
    }
    if (const std::string shift = ShiftText(m); !shift.empty()) {
      absl::StrAppend(&detail, "\nshift: ", shift);
    }
    for (const auto& [side, query] : m.queries) {
      absl::StrAppend(&detail, "\nquery (", side, "): ", query);
    }
    const std::string message = absl::StrCat(ResultLabel(m), ": ", m.reason);
    if (m.failed() && !m.dry_run) {
      ++counts.failures;
      absl::StrAppend(&cases, "      <failure type=\"", m.classification, "\" message=\"",
                      Markup(message), "\">", Markup(detail), "</failure>\n");
    } else if (m.classification == "ERROR" && !m.dry_run) {
      ++counts.errors;
      absl::StrAppend(&cases, "      <error type=\"ERROR\" message=\"", Markup(message), "\">",
                      Markup(detail), "</error>\n");
    } else if (m.classification != "PASS") {
      ++counts.skipped;
      absl::StrAppend(&cases, "      <skipped message=\"", Markup(message), "\"/>\n");
    }
    absl::StrAppend(&cases, "      <system-out>", Markup(detail), "</system-out>\n");
    absl::StrAppend(&cases, "    </testcase>\n");
  }
  total.tests += counts.tests;
  total.failures += counts.failures;
  total.errors += counts.errors;
  total.skipped += counts.skipped;
  std::string out = absl::StrCat("  <testsuite name=\"", Markup(suite), "\" tests=\"", counts.tests,
                                 "\" failures=\"", counts.failures, "\" errors=\"", counts.errors,
                                 "\" skipped=\"", counts.skipped, "\"");
  if (!model.window_end.empty()) {
    // JUnit's timestamp has no zone: the window's end in UTC, without the Z.
    std::string stamp = model.window_end;
    if (!stamp.empty() && stamp.back() == 'Z') stamp.pop_back();
    absl::StrAppend(&out, " timestamp=\"", Markup(stamp), "\"");
  }
  absl::StrAppend(&out, ">\n    <properties>\n");
  const std::vector<std::pair<std::string, std::string>> properties = {
      {"verdict", model.verdict},
      {"score", NumberText(model.score)},
      {"reason", model.reason},
      {"strategy", model.strategy},
      {"control", model.control},
      {"experiment", model.experiment},
      {"window.start", model.window_start},
      {"window.end", model.window_end},
  };
  for (const auto& [name, value] : properties) {
    absl::StrAppend(&out, "      <property name=\"", name, "\" value=\"", Markup(value), "\"/>\n");
  }
  absl::StrAppend(&out, "    </properties>\n", cases, "    <system-out>", Markup(Headline(model)),
                  "\n", Markup(model.reason), "</system-out>\n  </testsuite>\n");
  return out;
}

std::string JunitDocument(const std::string& suites, const JunitCounts& c) {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"augur\" tests=\"", c.tests,
      "\" failures=\"", c.failures, "\" errors=\"", c.errors, "\" skipped=\"", c.skipped, "\">\n",
      suites, "</testsuites>\n");
}

std::string RunSuiteName(const RunModel& run, const IntervalRow& i) {
  return absl::StrCat("augur.", run.template_name.empty() ? "run" : run.template_name, ".interval-",
                      i.index);
}

}  // namespace

std::string RenderJunit(const Model& model) {
  JunitCounts counts;
  const std::string suite = JunitSuite(
      model, absl::StrCat("augur.", model.template_name.empty() ? "analysis" : model.template_name),
      counts);
  return JunitDocument(suite, counts);
}

// One suite per interval that ran; an interval whose analysis could not run is a suite with one
// errored test case saying why.
std::string RenderRunJunit(const RunModel& run) {
  JunitCounts counts;
  std::string suites;
  for (const IntervalRow& i : run.intervals) {
    if (i.has_result) {
      absl::StrAppend(&suites, JunitSuite(i.result, RunSuiteName(run, i), counts));
      continue;
    }
    ++counts.tests;
    ++counts.errors;
    absl::StrAppend(&suites, "  <testsuite name=\"", Markup(RunSuiteName(run, i)),
                    "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n",
                    "    <testcase classname=\"augur.run\" name=\"interval ", i.index,
                    "\" time=\"0\">\n      <error type=\"ERROR\" message=\"",
                    Markup(i.error.empty() ? i.reason : i.error), "\"/>\n    </testcase>\n",
                    "  </testsuite>\n");
  }
  return JunitDocument(suites, counts);
}

std::string RenderRunMarkdown(const RunModel& run) {
  std::string out = absl::StrCat("## augur run ", Code(run.run_id), ": **", Cell(run.verdict),
                                 "** (", Cell(run.state), ", ", run.intervals_done, " of ",
                                 run.intervals_total, " intervals)\n\n");
  if (!run.reason.empty()) absl::StrAppend(&out, "> ", Cell(run.reason), "\n\n");
  absl::StrAppend(&out,
                  Cell(absl::StrCat(run.strategy, ": control ", run.control, " vs experiment ",
                                    run.experiment)),
                  "; template ", Code(run.template_name), "\n\n");
  absl::StrAppend(&out,
                  "| Interval | Window end | Verdict | Score | Why |\n|---|---|---|---|---|\n");
  for (const IntervalRow& i : run.intervals) {
    absl::StrAppend(&out, "| ", i.index, " | ", Cell(i.window_end), " | ", Cell(i.verdict), " | ",
                    NumberText(i.score), " | ", Cell(i.error.empty() ? i.reason : i.error), " |\n");
  }
  // Metrics across intervals: one row per metric, its result in every interval.
  const std::vector<std::string> names = MetricNames(run);
  const std::vector<MetricIndex> index = IndexMetrics(run);
  if (!names.empty()) {
    absl::StrAppend(&out, "\n| Metric |");
    for (const IntervalRow& i : run.intervals) absl::StrAppend(&out, " ", i.index, " |");
    absl::StrAppend(&out, "\n|---|");
    for (size_t k = 0; k < run.intervals.size(); ++k) absl::StrAppend(&out, "---|");
    absl::StrAppend(&out, "\n");
    for (const std::string& name : names) {
      absl::StrAppend(&out, "| ", Cell(name), " |");
      for (const MetricIndex& interval : index) {
        std::string cell = "—";
        if (const MetricRow* m = Find(interval, name)) {
          cell = m->failed() ? absl::StrCat("**", m->classification, "**") : m->classification;
        }
        absl::StrAppend(&out, " ", cell, " |");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

}  // namespace augur::report
