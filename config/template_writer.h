// Writing an analysis template as YAML in the format of docs/templates.md, for commands that
// produce templates (`augur import kayenta`).
#ifndef AUGUR_CONFIG_TEMPLATE_WRITER_H_
#define AUGUR_CONFIG_TEMPLATE_WRITER_H_

#include <string>

#include "config/analysis_template.h"

namespace augur::config {

// Returns `t` as one YAML document (apiVersion augur/v1, kind AnalysisTemplate). Deterministic:
// the same template always gives the same text.
//
// Round trip: for every template that LoadTemplate returned (so one that is valid),
// LoadTemplate(WriteTemplateYaml(t)) gives back an equal template, numbers to the bit. What is
// written: metadata.name and description, spec.args, the provider, spec.step, scoring.pass and
// .marginal, the group weights, and per metric every field that differs from its documented
// default plus its judge (direction and confidence always). Left out, because the loader would
// refuse them: an empty description, a metric's group when it is empty or equal to the metric's
// name (both mean "its own group"), and a Mann-Whitney allowedIncrease (allowedDecrease) under
// `direction: decrease` (`increase`), where it has no effect.
//
// Strings are quoted whenever a plain YAML scalar could change their meaning (PromQL with `{`,
// `"`, `#`, `: `; words YAML reads as booleans, null or numbers): single-quoted when printable,
// double-quoted with escapes when they hold line breaks or control characters.
std::string WriteTemplateYaml(const AnalysisTemplate& t);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_TEMPLATE_WRITER_H_
