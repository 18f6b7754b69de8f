// libFuzzer target: ScanPlaceholders and RenderQuery (config/query_template.h) on an arbitrary
// query and arbitrary values (scripts/fuzz runs it; seeds are the queries of
// examples/templates/*.yaml and fuzz/seeds/query_template/).
//
// Input: fields separated by NUL bytes:
//   QUERY \0 SCOPE \0 WINDOW \0 STEP \0 ARG...
// where each ARG is NAME=VALUE, or a VALUE without '=' that every argument the query uses and
// no NAME=VALUE gives takes. Missing fields are empty; without a fill-in VALUE, arguments
// nobody gives stay missing (RenderQuery must refuse them).
//
// Checks, beyond "no crash, no sanitizer report, no hang":
//   - placeholders are in order, inside the query, start with "{{", end with "}}" and have a
//     known name; a string context has its quote;
//   - a rendering that succeeds has the lexical structure of the rendering with harmless values
//     (no value can open or close a string, raw string or comment);
//   - EscapePromQLString reads back as the value; QuoteRegex escapes exactly the metacharacters.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "config/query_template.h"
#include "fuzz/fuzz_checks.h"

namespace augur::fuzz {
namespace {

bool KnownName(const std::string& name) {
  return name == "scope" || name == "window" || name == "step" ||
         (name.size() > 5 && name.rfind("args.", 0) == 0);
}

void CheckPlaceholders(absl::string_view query,
                       const std::vector<config::Placeholder>& placeholders) {
  size_t previous_end = 0;
  for (const config::Placeholder& p : placeholders) {
    FUZZ_CHECK(previous_end <= p.begin && p.begin + 4 <= p.end && p.end <= query.size(),
               "placeholder at [%zu,%zu) out of order or outside a query of %zu bytes", p.begin,
               p.end, query.size());
    FUZZ_CHECK(query.substr(p.begin, 2) == "{{" && query.substr(p.end - 2, 2) == "}}",
               "placeholder at [%zu,%zu) is not {{...}}", p.begin, p.end);
    FUZZ_CHECK(KnownName(p.name), "accepted placeholder name '%s'", p.name.c_str());
    const bool quoted = p.context == config::PlaceholderContext::kString ||
                        p.context == config::PlaceholderContext::kRegex;
    FUZZ_CHECK(quoted == (p.quote == '"' || p.quote == '\''), "context and quote disagree");
    previous_end = p.end;
  }
}

}  // namespace
}  // namespace augur::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace config = augur::config;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> fields;
  for (size_t start = 0;;) {
    const size_t nul = input.find('\0', start);
    fields.push_back(input.substr(start, nul == absl::string_view::npos ? nul : nul - start));
    if (nul == absl::string_view::npos) break;
    start = nul + 1;
  }
  fields.resize(std::max<size_t>(fields.size(), 4));
  const absl::string_view query = fields[0];

  config::PlaceholderValues values;
  values.scope = std::string(fields[1]);
  values.window = std::string(fields[2]);
  values.step = std::string(fields[3]);
  const std::string* fill = nullptr;
  std::string fill_value;
  for (size_t i = 4; i < fields.size(); ++i) {
    const size_t eq = fields[i].find('=');
    if (eq == absl::string_view::npos) {
      fill_value = std::string(fields[i]);
      fill = &fill_value;
    } else {
      values.args[std::string(fields[i].substr(0, eq))] = std::string(fields[i].substr(eq + 1));
    }
  }

  auto placeholders = config::ScanPlaceholders(query);
  if (placeholders.ok()) {
    augur::fuzz::CheckPlaceholders(query, *placeholders);
    if (fill != nullptr) {
      for (const config::Placeholder& p : *placeholders) {
        if (p.name.rfind("args.", 0) == 0) values.args.emplace(p.name.substr(5), *fill);
      }
    }
  }
  // RenderQuery scans again: it must fail exactly when scanning does, and otherwise keep the
  // query's structure.
  auto rendered = config::RenderQuery(query, values);
  if (!placeholders.ok()) {
    FUZZ_CHECK(!rendered.ok(), "rendered a query ScanPlaceholders refuses");
  }
  augur::fuzz::CheckRenderKeepsShape(query, values);

  for (size_t i = 1; i < fields.size(); ++i) {
    augur::fuzz::CheckEscapeRoundTrips(fields[i]);
    augur::fuzz::CheckQuoteRegex(fields[i]);
  }
  return 0;
}
