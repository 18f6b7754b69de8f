#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "judges/judgement.h"
#include "nlohmann/json.hpp"
#include "report/model.h"

namespace augur::report {
namespace {

using Json = nlohmann::json;

// Reads fields out of the document, remembering the first problem with its path.
class Reader {
 public:
  explicit Reader(absl::string_view source) : source_(source) {}

  const absl::Status& status() const { return status_; }

  void Fail(const std::string& path, absl::string_view problem) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(source_, ": ", path, ": ", problem));
    }
  }

  // A string field; `required` ones must be present.
  std::string String(const Json& object, const std::string& path, const char* key,
                     bool required = false) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) Fail(Join(path, key), "missing (a result document has it)");
      return "";
    }
    if (!it->is_string()) {
      Fail(Join(path, key), absl::StrCat("expected a string, got ", it->type_name()));
      return "";
    }
    return it->get<std::string>();
  }

  // A number field; null or absent is NaN.
  double Number(const Json& object, const std::string& path, const char* key,
                bool required = false) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) Fail(Join(path, key), "missing (a result document has it)");
      return kMissing;
    }
    if (!it->is_number()) {
      Fail(Join(path, key), absl::StrCat("expected a number, got ", it->type_name()));
      return kMissing;
    }
    return it->get<double>();
  }

  bool Bool(const Json& object, const std::string& path, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      Fail(Join(path, key), absl::StrCat("expected true or false, got ", it->type_name()));
      return false;
    }
    return it->get<bool>();
  }

  // An object or array field, or nullptr when absent; a wrong type is a problem.
  const Json* Child(const Json& object, const std::string& path, const char* key,
                    Json::value_t type, bool required = false) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) Fail(Join(path, key), "missing (a result document has it)");
      return nullptr;
    }
    if (it->type() != type) {
      Fail(Join(path, key),
           absl::StrCat("expected ", type == Json::value_t::array ? "an array" : "an object",
                        ", got ", it->type_name()));
      return nullptr;
    }
    return &*it;
  }

  // A count (an integer from 0 to 2^53): -1 when absent; a problem when not one.
  int64_t Count(const Json& object, const std::string& path, const char* key,
                bool required = false) {
    const double v = Number(object, path, key, required);
    if (std::isnan(v)) return -1;
    if (!(v >= 0 && v <= 9007199254740992.0) || v != std::floor(v)) {
      Fail(Join(path, key), "expected a count (a whole number from 0)");
      return -1;
    }
    return static_cast<int64_t>(v);
  }

  // One of PROMOTE, HOLD, ABORT.
  std::string Verdict(const Json& object, const std::string& path, const char* key) {
    std::string v = String(object, path, key, /*required=*/true);
    if (status_.ok() && v != "PROMOTE" && v != "HOLD" && v != "ABORT") {
      Fail(Join(path, key), absl::StrCat("'", v, "' is not PROMOTE, HOLD or ABORT"));
    }
    return v;
  }

  std::vector<SidePoint> Series(const Json& points, const std::string& path) {
    std::vector<SidePoint> out;
    if (!points.is_array()) {
      Fail(path, absl::StrCat("expected an array of [time, value], got ", points.type_name()));
      return out;
    }
    out.reserve(points.size());
    for (size_t i = 0; i < points.size(); ++i) {
      const Json& p = points[i];
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() ||
          !(p[1].is_number() || p[1].is_null())) {
        Fail(absl::StrCat(path, "[", i, "]"), "expected [unix seconds, value or null]");
        return {};
      }
      out.push_back({p[0].get<double>(), p[1].is_null() ? kMissing : p[1].get<double>()});
    }
    return out;
  }

  static std::string Join(const std::string& path, absl::string_view key) {
    if (path.empty()) return std::string(key);
    if (!key.empty() && key.front() == '[') return absl::StrCat(path, key);
    return absl::StrCat(path, ".", key);
  }

 private:
  std::string source_;
  absl::Status status_;
};

// The result document at `doc` (its field paths start with `base`).
Model ReadResult(const Json& doc, const std::string& base, Reader& r) {
  Model m;
  const std::string& root = base;
  m.verdict = r.String(doc, root, "verdict", /*required=*/true);
  if (r.status().ok() && m.verdict != "PROMOTE" && m.verdict != "HOLD" && m.verdict != "ABORT") {
    r.Fail(Reader::Join(root, "verdict"),
           absl::StrCat("'", m.verdict, "' is not PROMOTE, HOLD or ABORT"));
  }
  m.score = r.Number(doc, root, "score", /*required=*/true);
  m.reason = r.String(doc, root, "reason");
  m.strategy = r.String(doc, root, "strategy");
  m.template_name = r.String(doc, root, "template");
  m.control = r.String(doc, root, "control");
  m.experiment = r.String(doc, root, "experiment");
  m.provider = r.String(doc, root, "provider");
  m.score_classification = r.String(doc, root, "score_classification");
  m.score_reason = r.String(doc, root, "score_reason");
  if (const Json* w = r.Child(doc, root, "window", Json::value_t::object)) {
    m.window_start = r.String(*w, Reader::Join(root, "window"), "start");
    m.window_end = r.String(*w, Reader::Join(root, "window"), "end");
    m.window_length = r.String(*w, Reader::Join(root, "window"), "length");
    m.step = r.String(*w, Reader::Join(root, "window"), "step");
  }
  if (const Json* t = r.Child(doc, root, "thresholds", Json::value_t::object)) {
    m.pass_threshold = r.Number(*t, Reader::Join(root, "thresholds"), "pass");
    m.marginal_threshold = r.Number(*t, Reader::Join(root, "thresholds"), "marginal");
  }
  if (const Json* groups = r.Child(doc, root, "groups", Json::value_t::array)) {
    for (size_t i = 0; i < groups->size(); ++i) {
      const std::string path = Reader::Join(root, absl::StrCat("groups[", i, "]"));
      const Json& g = (*groups)[i];
      if (!g.is_object()) {
        r.Fail(path, "expected an object");
        break;
      }
      GroupRow row;
      row.name = r.String(g, path, "name");
      row.score = r.Number(g, path, "score");
      row.no_data = r.Bool(g, path, "no_data");
      auto count = [&](const char* key) { return std::max<int64_t>(r.Count(g, path, key), 0); };
      row.pass = count("pass");
      row.fail = count("fail");
      row.nodata = count("nodata");
      row.error = count("error");
      m.groups.push_back(row);
    }
  }
  const Json* metrics = r.Child(doc, root, "metrics", Json::value_t::array, /*required=*/true);
  for (size_t i = 0; metrics != nullptr && i < metrics->size() && r.status().ok(); ++i) {
    const std::string path = Reader::Join(root, absl::StrCat("metrics[", i, "]"));
    const Json& o = (*metrics)[i];
    if (!o.is_object()) {
      r.Fail(path, absl::StrCat("expected an object, got ", o.type_name()));
      break;
    }
    MetricRow row;
    row.name = r.String(o, path, "name", /*required=*/true);
    row.metric = r.String(o, path, "metric");
    row.group = r.String(o, path, "group");
    row.judge = r.String(o, path, "judge");
    row.classification = r.String(o, path, "classification", /*required=*/true);
    if (r.status().ok() && row.classification != "PASS" && row.classification != "HIGH" &&
        row.classification != "LOW" && row.classification != "NODATA" &&
        row.classification != "ERROR") {
      r.Fail(absl::StrCat(path, ".classification"),
             absl::StrCat("'", row.classification, "' is not PASS, HIGH, LOW, NODATA or ERROR"));
    }
    row.critical = r.Bool(o, path, "critical");
    row.critical_metric = r.Bool(o, path, "critical_metric");
    row.dry_run = r.Bool(o, path, "dry_run");
    row.reason = r.String(o, path, "reason");
    row.kpi = r.String(o, path, "kpi");
    row.p_value = r.Number(o, path, "p_value");
    row.p_value_adjusted = r.Number(o, path, "p_value_adjusted");
    row.ci_low = r.Number(o, path, "ci_low");
    row.ci_high = r.Number(o, path, "ci_high");
    row.estimate = r.Number(o, path, "estimate");
    row.effect_size = r.Number(o, path, "effect_size");
    row.relative_change = r.Number(o, path, "relative_change");
    row.relative_ci_low = r.Number(o, path, "relative_ci_low");
    row.relative_ci_high = r.Number(o, path, "relative_ci_high");
    for (const char* side : {"control", "experiment"}) {
      const Json* s = r.Child(o, path, side, Json::value_t::object);
      if (s == nullptr) continue;
      const std::string side_path = absl::StrCat(path, ".", side);
      const bool control = std::string(side) == "control";
      if (s->contains("events")) {
        (control ? row.control_events : row.experiment_events) = r.Number(*s, side_path, "events");
        (control ? row.control_total : row.experiment_total) = r.Number(*s, side_path, "total");
      } else {
        if (control) row.control_median = r.Number(*s, side_path, "median");
      }
    }
    if (const Json* q = r.Child(o, path, "queries", Json::value_t::object)) {
      for (const auto& [side, query] : q->items()) {
        if (!query.is_string()) {
          r.Fail(absl::StrCat(path, ".queries.", side), "expected a string");
          break;
        }
        row.queries.emplace_back(side, query.get<std::string>());
      }
    }
    if (const Json* series = r.Child(o, path, "series", Json::value_t::object)) {
      if (const auto c = series->find("control"); c != series->end()) {
        row.control_series = r.Series(*c, absl::StrCat(path, ".series.control"));
      }
      if (const auto e = series->find("experiment"); e != series->end()) {
        row.experiment_series = r.Series(*e, absl::StrCat(path, ".series.experiment"));
      }
    }
    m.metrics.push_back(std::move(row));
  }
  return m;
}

RunModel ReadRun(const Json& doc, Reader& r) {
  RunModel run;
  run.run_id = r.String(doc, "", "run_id");
  run.template_name = r.String(doc, "", "template");
  run.state = r.String(doc, "", "state");
  run.verdict = r.Verdict(doc, "", "verdict");
  run.reason = r.String(doc, "", "reason");
  run.strategy = r.String(doc, "", "strategy");
  run.control = r.String(doc, "", "control");
  run.experiment = r.String(doc, "", "experiment");
  run.created = r.String(doc, "", "created");
  run.updated = r.String(doc, "", "updated");
  run.intervals_total = std::max<int64_t>(r.Count(doc, "", "intervals_total"), 0);
  run.intervals_done = std::max<int64_t>(r.Count(doc, "", "intervals_done"), 0);
  const Json* intervals = r.Child(doc, "", "intervals", Json::value_t::array, /*required=*/true);
  for (size_t i = 0; intervals != nullptr && i < intervals->size() && r.status().ok(); ++i) {
    const std::string path = absl::StrCat("intervals[", i, "]");
    const Json& o = (*intervals)[i];
    if (!o.is_object()) {
      r.Fail(path, absl::StrCat("expected an object, got ", o.type_name()));
      break;
    }
    IntervalRow row;
    row.index = std::max<int64_t>(r.Count(o, path, "index", /*required=*/true), 0);
    if (const Json* w = r.Child(o, path, "window", Json::value_t::object)) {
      row.window_start = r.String(*w, Reader::Join(path, "window"), "start");
      row.window_end = r.String(*w, Reader::Join(path, "window"), "end");
    }
    row.verdict = r.Verdict(o, path, "verdict");
    row.score = r.Number(o, path, "score");
    row.reason = r.String(o, path, "reason");
    row.error = r.String(o, path, "error");
    if (const Json* result = r.Child(o, path, "result", Json::value_t::object)) {
      row.has_result = true;
      row.result = ReadResult(*result, Reader::Join(path, "result"), r);
    }
    // An interval whose analysis could not run has no score (the service stores 0): none is
    // drawn or shown for it.
    if (!row.has_result || !row.error.empty()) row.score = kMissing;
    run.intervals.push_back(std::move(row));
  }
  return run;
}

int Rank(const MetricRow& m) {
  int rank = 4;
  if (m.failed()) {
    rank = m.critical ? 0 : 1;
  } else if (m.classification == "ERROR") {
    rank = 2;
  } else if (m.classification == "NODATA") {
    rank = 3;
  }
  return m.dry_run ? rank + 10 : rank;
}

}  // namespace

std::vector<const MetricRow*> ReportOrder(const Model& model) {
  std::vector<const MetricRow*> rows;
  for (const MetricRow& m : model.metrics) rows.push_back(&m);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const MetricRow* a, const MetricRow* b) { return Rank(*a) < Rank(*b); });
  return rows;
}

std::vector<std::string> MetricNames(const RunModel& run) {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  for (const IntervalRow& i : run.intervals) {
    for (const MetricRow& m : i.result.metrics) {
      if (seen.insert(m.name).second) names.push_back(m.name);
    }
  }
  return names;
}

std::vector<MetricIndex> IndexMetrics(const RunModel& run) {
  std::vector<MetricIndex> index(run.intervals.size());
  for (size_t k = 0; k < run.intervals.size(); ++k) {
    for (const MetricRow& m : run.intervals[k].result.metrics) index[k][m.name] = &m;
  }
  return index;
}

const MetricRow* Find(const MetricIndex& index, const std::string& name) {
  const auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

std::string Markup(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out +=
            static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c;
    }
  }
  return absl::StrReplaceAll(out,
                             {{"\xEF\xBF\xBE", "\xEF\xBF\xBD"}, {"\xEF\xBF\xBF", "\xEF\xBF\xBD"}});
}

std::string ResultLabel(const MetricRow& m) {
  std::string label = m.classification;
  if (m.critical) absl::StrAppend(&label, " (critical)");
  if (m.dry_run) absl::StrAppend(&label, " (dry run)");
  return label;
}

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "json") return Format::kJson;
  if (lower == "markdown" || lower == "md") return Format::kMarkdown;
  if (lower == "junit") return Format::kJunit;
  if (lower == "html") return Format::kHtml;
  return absl::InvalidArgumentError(
      absl::StrCat("'", name, "' is not a report format (html, markdown, junit or json)"));
}

absl::StatusOr<std::string> Render(absl::string_view result_json, Format format,
                                   absl::string_view source) {
  const Json doc =
      Json::parse(result_json.begin(), result_json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": not JSON (a report reads the result `augur analyze --format json` "
                     "writes, or a run's document)"));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": expected a JSON object (an analysis result), got ", doc.type_name()));
  }
  Reader r(source);
  const auto kind = doc.find("kind");
  if (kind != doc.end() && *kind == "run") {
    const RunModel run = ReadRun(doc, r);
    if (!r.status().ok()) return r.status();
    switch (format) {
      case Format::kJson:
        return std::string(result_json);
      case Format::kMarkdown:
        return RenderRunMarkdown(run);
      case Format::kJunit:
        return RenderRunJunit(run);
      case Format::kHtml:
        return RenderRunHtml(run);
    }
    return absl::InternalError("unknown report format");
  }
  const Model model = ReadResult(doc, "", r);
  if (!r.status().ok()) return r.status();
  switch (format) {
    case Format::kJson:
      return std::string(result_json);
    case Format::kMarkdown:
      return RenderMarkdown(model);
    case Format::kJunit:
      return RenderJunit(model);
    case Format::kHtml:
      return RenderHtml(model);
  }
  return absl::InternalError("unknown report format");
}

}  // namespace augur::report
