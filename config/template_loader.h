// Reading and validating analysis templates (docs/templates.md).
#ifndef AUGUR_CONFIG_TEMPLATE_LOADER_H_
#define AUGUR_CONFIG_TEMPLATE_LOADER_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "config/analysis_template.h"
#include "config/diagnostics.h"

namespace augur::config {

struct TemplateLoad {
  std::optional<AnalysisTemplate> result;  // present exactly when there is no error
  Diagnostics diagnostics;                 // every error and warning, in document order
};

// Parses and validates one template. Never throws; every problem becomes a diagnostic with the
// path of the field at fault (YAML syntax errors with line and column), so one run reports
// them all: unknown fields (with "did you mean"), wrong types and ranges, missing required
// fields, duplicate metric or argument names, queries with unknown placeholders or undeclared
// arguments, judges without queries, inconsistent A/B settings, pass below marginal. Warnings
// (an argument never used) do not prevent a result.
TemplateLoad LoadTemplate(absl::string_view yaml);

// The same for a file; an unreadable file is one error.
TemplateLoad LoadTemplateFile(const std::string& path);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_TEMPLATE_LOADER_H_
