// Turning a validated template into the PromQL an analysis runs: arguments resolved (given
// values, then defaults), every query rendered once per side with query_template's escaping.
#ifndef AUGUR_CONFIG_TEMPLATE_RENDER_H_
#define AUGUR_CONFIG_TEMPLATE_RENDER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/analysis_template.h"

namespace augur::config {

struct RenderRequest {
  std::map<std::string, std::string> args;  // by name, as the caller gave them
  std::string control_scope;                // e.g. "stable"
  std::string experiment_scope;             // e.g. "canary"
  absl::Duration window;                    // the analysis window, for {{window}}
};

// The queries of one metric for each side. For a rate judge, `control`/`experiment` are
// empty and the events/total pairs are set.
struct RenderedMetric {
  std::string name;
  std::string control;
  std::string experiment;
  std::string control_events, control_total;
  std::string experiment_events, experiment_total;
};

struct RenderedTemplate {
  std::map<std::string, std::string> args;  // resolved: given values and defaults
  std::vector<RenderedMetric> metrics;      // in template order
};

// Errors (InvalidArgument) name what to fix: a required argument without a value ("argument
// 'service' is required by template 'checkout'"), an argument the template does not declare
// (with "did you mean"), an empty scope, a window that is not positive, or a value that cannot
// stand where its placeholder is (see query_template.h), with the metric's name.
absl::StatusOr<RenderedTemplate> RenderTemplate(const AnalysisTemplate& t,
                                                const RenderRequest& request);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_TEMPLATE_RENDER_H_
