// Diagnostics: every problem found in a template or configuration file, collected so that one
// run reports them all, each with the path of the offending field.
#ifndef AUGUR_CONFIG_DIAGNOSTICS_H_
#define AUGUR_CONFIG_DIAGNOSTICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace augur::config {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string path;  // "spec.metrics[2].judge.mannWhitney.confidence"; empty for the file
  std::string message;
  int line = 0;  // 1-based, for YAML syntax errors; 0 when the path says where
  int column = 0;
};

class Diagnostics {
 public:
  void Error(absl::string_view path, absl::string_view message);
  void Warning(absl::string_view path, absl::string_view message);
  void SyntaxError(int line, int column, absl::string_view message);

  bool has_errors() const { return errors_ > 0; }
  const std::vector<Diagnostic>& all() const { return all_; }

  // One line per diagnostic, in the order found (control characters in quoted values are
  // escaped, so a value cannot break a line):
  //   t.yaml: spec.metrics[2].judge.mannWhitney.confidence: must be in (0,1), got 1.5
  //   t.yaml: spec.args[1]: warning: argument 'region' is declared but never used
  //   t.yaml:7:3: YAML syntax: end of map not found
  // Without warnings when `with_warnings` is false.
  std::string Format(absl::string_view file, bool with_warnings = true) const;

 private:
  std::vector<Diagnostic> all_;
  int errors_ = 0;
};

// The closest of `candidates` to `word` when it is a likely misspelling (edit distance at most
// 1 for short words, 2 otherwise, or a difference in case only); empty if none.
std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" for DidYouMean's suggestion, or "" when there is none.
std::string DidYouMeanSuffix(absl::string_view word, const std::vector<std::string>& candidates);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_DIAGNOSTICS_H_
