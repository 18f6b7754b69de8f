// Importing a Kayenta canary config (the JSON `CanaryConfig` of spinnaker/kayenta) as an analysis
// template, for `augur import kayenta`. The mapping and its limits are in docs/cli.md.
#ifndef AUGUR_CONFIG_KAYENTA_IMPORT_H_
#define AUGUR_CONFIG_KAYENTA_IMPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "config/analysis_template.h"
#include "config/diagnostics.h"

namespace augur::config {

struct KayentaImport {
  // The template, present when at least one metric was imported and there is no error. It
  // always passes LoadTemplate(WriteTemplateYaml(*result)) without errors.
  std::optional<AnalysisTemplate> result;
  // Every construct of the config that the template does not carry, each as
  // "<json path>: not imported: <why>", e.g.
  //   "metrics[2].query.type: not imported: 'datadog' queries cannot be imported (only
  //    prometheus); metric 'cpu' is left out".
  // Paths name the config's JSON: `metrics[2].analysisConfigurations.canary.effectSize.measure`.
  // Order: top-level fields, judge, templates, each metric in turn, classifier (keys within an
  // object alphabetically).
  std::vector<std::string> unsupported;
  // Errors (the JSON cannot be read, is not a canary config, no metric could be imported, a bad
  // name_hint) and warnings (a name changed to be a valid template name, a Kayenta setting read
  // the way Kayenta reads it, a variable augur substitutes more strictly than Kayenta).
  Diagnostics diagnostics;
};

// Maps one canary config:
//   metrics[i].name                          -> the metric's name (made a valid template name)
//   metrics[i].groups[0]                     -> group (further groups are unsupported)
//   metrics[i].query (type prometheus)       -> query: the PromQL Kayenta would send, with
//       ${scope} -> {{scope}}, ${location} -> {{args.location}}, ${project} and any
//       extendedScopeParams ${NAME} -> {{args.NAME}} (each declared as a required argument)
//   analysisConfigurations.canary            -> critical, mustHaveData, nanStrategy, outliers,
//       muted (-> dryRun), and a mannWhitney judge with the direction, the meanRatio effect
//       sizes and Kayenta's fixed confidence, 0.98
//   classifier.groupWeights                  -> scoring.groups (Kayenta's share for unweighted
//                                               groups made explicit)
//   classifier.scoreThresholds               -> scoring.pass, scoring.marginal
// The template is named `name_hint` when it is not empty (an invalid one is an error), otherwise
// after the config's `name`. Never throws.
KayentaImport ImportKayentaConfig(absl::string_view json, absl::string_view name_hint);

// Kayenta's NetflixACAJudge runs Mann-Whitney at this confidence, fixed in the judge.
inline constexpr double kKayentaConfidence = 0.98;

}  // namespace augur::config

#endif  // AUGUR_CONFIG_KAYENTA_IMPORT_H_
