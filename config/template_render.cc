#include "config/template_render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/diagnostics.h"
#include "config/query_template.h"
#include "core/time_parse.h"

namespace augur::config {
namespace {

absl::StatusOr<std::string> RenderOne(const std::string& query, const PlaceholderValues& values,
                                      const std::string& metric, const char* what) {
  auto rendered = RenderQuery(query, values);
  if (!rendered.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric '", metric, "' (", what, "): ", rendered.status().message()));
  }
  return rendered;
}

}  // namespace

absl::StatusOr<RenderedTemplate> RenderTemplate(const AnalysisTemplate& t,
                                                const RenderRequest& request) {
  RenderedTemplate out;
  std::vector<std::string> declared;
  for (const TemplateArg& arg : t.args) declared.push_back(arg.name);
  for (const auto& [name, value] : request.args) {
    if (std::find(declared.begin(), declared.end(), name) != declared.end()) continue;
    const std::string suggestion = DidYouMean(name, declared);
    return absl::InvalidArgumentError(absl::StrCat(
        "template '", t.name, "' has no argument '", name, "'",
        suggestion.empty() ? absl::StrCat(" (it takes: ", absl::StrJoin(declared, ", "), ")")
                           : absl::StrCat("; did you mean '", suggestion, "'?")));
  }
  std::vector<std::string> missing;
  for (const TemplateArg& arg : t.args) {
    const auto given = request.args.find(arg.name);
    if (given != request.args.end()) {
      out.args[arg.name] = given->second;
    } else if (arg.default_value) {
      out.args[arg.name] = *arg.default_value;
    } else {
      missing.push_back(arg.name);
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(missing.size() == 1 ? "argument '" : "arguments '",
                     absl::StrJoin(missing, "', '"), missing.size() == 1 ? "' is" : "' are",
                     " required by template '", t.name, "' and has no default"));
  }
  if (request.control_scope.empty() || request.experiment_scope.empty()) {
    return absl::InvalidArgumentError("both the control and the experiment scope are required");
  }
  if (request.window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the analysis window must be longer than 0");
  }
  PlaceholderValues control;
  control.scope = request.control_scope;
  control.window = FormatPromDuration(request.window);
  control.step = FormatPromDuration(t.step);
  control.args = out.args;
  PlaceholderValues experiment = control;
  experiment.scope = request.experiment_scope;

  for (const Metric& metric : t.metrics) {
    RenderedMetric r;
    r.name = metric.name;
    if (const auto* rate = std::get_if<RateJudge>(&metric.judge)) {
      auto ce = RenderOne(rate->events, control, metric.name, "control events");
      if (!ce.ok()) return ce.status();
      auto ct = RenderOne(rate->total, control, metric.name, "control total");
      if (!ct.ok()) return ct.status();
      auto ee = RenderOne(rate->events, experiment, metric.name, "experiment events");
      if (!ee.ok()) return ee.status();
      auto et = RenderOne(rate->total, experiment, metric.name, "experiment total");
      if (!et.ok()) return et.status();
      r.control_events = *ce;
      r.control_total = *ct;
      r.experiment_events = *ee;
      r.experiment_total = *et;
    } else {
      const std::string& control_query = metric.query.empty() ? metric.control_query : metric.query;
      const std::string& experiment_query =
          metric.query.empty() ? metric.experiment_query : metric.query;
      auto c = RenderOne(control_query, control, metric.name, "control");
      if (!c.ok()) return c.status();
      auto e = RenderOne(experiment_query, experiment, metric.name, "experiment");
      if (!e.ok()) return e.status();
      r.control = *c;
      r.experiment = *e;
    }
    out.metrics.push_back(std::move(r));
  }
  return out;
}

}  // namespace augur::config
