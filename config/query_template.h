// Query templates: PromQL with {{placeholders}} that are filled in safely.
//
// Placeholders: {{scope}}, {{window}}, {{step}} and {{args.NAME}} (spaces inside the braces are
// allowed). A value never changes the shape of the query; where it lands decides how it is
// written:
//   inside a "..." or '...' string          escaped for a PromQL string literal (\\, quotes,
//                                            line breaks and control characters);
//   inside a string after =~ or !~          first quoted for the regex (RE2: \.+*?()|[]{}^$),
//                                            then escaped as above, so it matches itself only;
//   inside a `...` raw string               taken as is; a value holding ` is refused;
//   inside a # comment                      escaped as in a string, so it cannot end the line;
//   anywhere else                           only a plain name ([A-Za-z0-9_:]+) or a decimal
//                                            number is accepted, anything else is refused.
#ifndef AUGUR_CONFIG_QUERY_TEMPLATE_H_
#define AUGUR_CONFIG_QUERY_TEMPLATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace augur::config {

// Where in the PromQL text a placeholder stands.
enum class PlaceholderContext { kCode, kString, kRegex, kRawString, kComment };

struct Placeholder {
  std::string name;  // "scope", "window", "step" or "args.NAME"
  size_t begin = 0;  // byte offsets of "{{" and one past "}}" in the query
  size_t end = 0;
  PlaceholderContext context = PlaceholderContext::kCode;
  char quote = 0;  // for kString and kRegex: the quote character of the enclosing literal
};

// Finds every placeholder. Errors (InvalidArgument, with the byte offset): "{{" without "}}",
// an empty or unknown placeholder name ("{{args}}", "{{scope }}x" is fine, "{{env.X}}" is not).
absl::StatusOr<std::vector<Placeholder>> ScanPlaceholders(absl::string_view query);

struct PlaceholderValues {
  std::string scope;
  std::string window;                       // already in PromQL duration form, e.g. "10m"
  std::string step;                         // e.g. "30s"
  std::map<std::string, std::string> args;  // by NAME, without the "args." prefix
};

// Fills in every placeholder as described above. Errors (InvalidArgument) name the
// placeholder: an argument without a value, or a value its position cannot hold safely.
absl::StatusOr<std::string> RenderQuery(absl::string_view query, const PlaceholderValues& values);

// The escaping itself, exposed for tests and for callers that build PromQL.
std::string EscapePromQLString(absl::string_view value);  // for "..." and '...'
std::string QuoteRegex(absl::string_view value);          // RE2 metacharacters

}  // namespace augur::config

#endif  // AUGUR_CONFIG_QUERY_TEMPLATE_H_
