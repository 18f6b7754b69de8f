// libFuzzer target: LoadTemplate on arbitrary bytes (scripts/fuzz runs it; seeds are
// examples/templates/*.yaml and fuzz/seeds/template_loader/).
//
// Beyond "no crash, no exception, no sanitizer report, no hang", it checks what the loader
// promises (config/template_loader.h):
//   - a result is present exactly when no diagnostic is an error;
//   - every diagnostic has a message, syntax errors a line and column;
//   - a template it accepts has only valid placeholders and declared arguments in its queries,
//     so every query renders with harmless values, and with hostile values either renders
//     without changing the query's structure or is refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "config/analysis_template.h"
#include "config/diagnostics.h"
#include "config/query_template.h"
#include "config/template_loader.h"
#include "fuzz/fuzz_checks.h"

namespace augur::fuzz {
namespace {

// Values that try to break out of every position a placeholder can stand in.
const char* const kHostile[] = {
    "x\"} or vector(1) #", "x'} or vector(1) #", "`) or vector(1) #", "a\\",    "\\\"",  ".*|(",
    "line\nbreak",         "nul\x01\x7f",        "}}{{scope}}",       "-1.5e3", "a:b_c", "",
};

std::vector<std::string> QueriesOf(const config::Metric& metric) {
  std::vector<std::string> queries = {metric.query, metric.control_query, metric.experiment_query};
  if (const auto* rate = std::get_if<config::RateJudge>(&metric.judge)) {
    queries.push_back(rate->events);
    queries.push_back(rate->total);
  }
  return queries;
}

void CheckTemplate(const config::AnalysisTemplate& t, size_t seed) {
  config::PlaceholderValues values;
  for (const config::TemplateArg& arg : t.args) values.args[arg.name] = "a";
  for (const config::Metric& metric : t.metrics) {
    for (const std::string& query : QueriesOf(metric)) {
      if (query.empty()) continue;
      auto placeholders = config::ScanPlaceholders(query);
      FUZZ_CHECK(placeholders.ok(), "accepted a query with a bad placeholder: %s",
                 std::string(placeholders.status().message()).c_str());
      for (const config::Placeholder& p : *placeholders) {
        if (p.name.rfind("args.", 0) == 0) {
          FUZZ_CHECK(values.args.count(p.name.substr(5)) == 1,
                     "accepted {{%s}} without declaring the argument", p.name.c_str());
        }
      }
      auto harmless = config::RenderQuery(query, HarmlessValues(values));
      FUZZ_CHECK(harmless.ok(), "an accepted query does not render: %s",
                 std::string(harmless.status().message()).c_str());

      config::PlaceholderValues hostile = values;
      constexpr size_t kCount = sizeof(kHostile) / sizeof(kHostile[0]);
      hostile.scope = kHostile[seed % kCount];
      hostile.window = kHostile[(seed + 1) % kCount];
      hostile.step = kHostile[(seed + 2) % kCount];
      size_t i = seed + 3;
      for (auto& [name, value] : hostile.args) value = kHostile[i++ % kCount];
      CheckRenderKeepsShape(query, hostile);

      // Only the declared defaults: a missing argument is an error, never a crash.
      config::PlaceholderValues defaults;
      for (const config::TemplateArg& arg : t.args) {
        if (arg.default_value) defaults.args[arg.name] = *arg.default_value;
      }
      CheckRenderKeepsShape(query, defaults);
    }
  }
}

}  // namespace
}  // namespace augur::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using augur::config::Diagnostic;
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  const augur::config::TemplateLoad load = augur::config::LoadTemplate(yaml);

  bool has_error = false;
  for (const Diagnostic& d : load.diagnostics.all()) {
    FUZZ_CHECK(!d.message.empty(), "a diagnostic without a message at '%s'", d.path.c_str());
    FUZZ_CHECK(d.line >= 0 && d.column >= 0, "negative line or column");
    if (d.line > 0) FUZZ_CHECK(d.column > 0, "a line without a column");
    has_error = has_error || d.severity == Diagnostic::Severity::kError;
  }
  FUZZ_CHECK(has_error == load.diagnostics.has_errors(), "has_errors() disagrees with all()");
  FUZZ_CHECK(load.result.has_value() != has_error,
             "result present: %d, errors: %d (present exactly when there is no error)",
             load.result.has_value(), has_error);
  const std::string text = load.diagnostics.Format("fuzz.yaml");
  FUZZ_CHECK(load.diagnostics.all().empty() == text.empty(), "Format lost or invented lines");

  if (load.result) {
    size_t seed = 0;
    for (size_t i = 0; i < size; ++i) seed = seed * 31 + data[i];
    augur::fuzz::CheckTemplate(*load.result, seed);
  }
  return 0;
}
