// An analysis result as people and programs read it: JSON (the contract of `augur analyze
// --format json`, the HTTP adapters and the reports) and a plain-text table, failures first.
#ifndef AUGUR_ANALYSIS_RESULT_FORMAT_H_
#define AUGUR_ANALYSIS_RESULT_FORMAT_H_

#include <string>

#include "analysis/analysis.h"

namespace augur::analysis {

// One JSON object (pretty-printed, ending in a newline). Numbers that do not exist (a
// threshold's p-value, a ratio over a zero mean) are null. Field reference: docs/cli.md.
std::string ResultJson(const AnalysisResult& result);

// The headline verdict and reason, then one row per metric result: failures first, then
// missing data, then passes, dry-run metrics last.
std::string ResultText(const AnalysisResult& result);

}  // namespace augur::analysis

#endif  // AUGUR_ANALYSIS_RESULT_FORMAT_H_
