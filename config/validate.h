// Checking any augur YAML file: an AnalysisTemplate or a Config, told apart by its `kind`.
#ifndef AUGUR_CONFIG_VALIDATE_H_
#define AUGUR_CONFIG_VALIDATE_H_

#include <string>

#include "config/diagnostics.h"

namespace augur::config {

struct FileCheck {
  bool ok = false;   // no errors (warnings allowed)
  std::string kind;  // "AnalysisTemplate" or "Config"
  Diagnostics diagnostics;
};

// Loads `path` as a Config when its top-level `kind` is Config, as an AnalysisTemplate
// otherwise (so a template with a wrong kind gets the template's messages).
FileCheck CheckFile(const std::string& path);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_VALIDATE_H_
