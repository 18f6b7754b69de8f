// Reports people read, rendered from an analysis result in its JSON form (the document
// `augur analyze --format json` writes, analysis/result_format.h): self-contained HTML with SVG
// charts, Markdown for pull requests and chat, JUnit XML for CI test views. Rendering reads only
// the JSON, so `augur report SAVED.json` gives exactly what `augur analyze --format ...` gave.
#ifndef AUGUR_REPORT_REPORT_H_
#define AUGUR_REPORT_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace augur::report {

enum class Format { kJson, kMarkdown, kJunit, kHtml };

// "json", "markdown" (or "md"), "junit", "html". InvalidArgument names the choices.
absl::StatusOr<Format> ParseFormat(absl::string_view name);

// Renders one result document. `source` names it in errors ("result.json"): InvalidArgument for
// text that is not JSON or a document without what a report needs, naming the field
// ("result.json: metrics[2].classification: expected a string"). kJson returns the document
// unchanged.
absl::StatusOr<std::string> Render(absl::string_view result_json, Format format,
                                   absl::string_view source);

}  // namespace augur::report

#endif  // AUGUR_REPORT_REPORT_H_
