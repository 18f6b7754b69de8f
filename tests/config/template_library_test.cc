// The template library in examples/templates: every file there loads without an error or a
// warning, every query of every metric renders with the arguments' defaults (made-up values for
// required arguments), user-supplied values only ever land inside quoted label matchers, and
// each template has a Mann-Whitney judge and a critical metric.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/analysis_template.h"
#include "config/query_template.h"
#include "config/template_loader.h"
#include "gtest/gtest.h"

namespace augur::config {
namespace {

namespace fs = std::filesystem;

const fs::path& LibraryDir() {
  static const fs::path* const dir = new fs::path(fs::path(AUGUR_EXAMPLES_DIR) / "templates");
  return *dir;
}

// Every *.yaml (and *.yml) file in the library, sorted so failures read the same each run.
std::vector<fs::path> LibraryFiles() {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::directory_iterator it(LibraryDir(), error), end; !error && it != end;
       it.increment(error)) {
    const fs::path& path = it->path();
    if (it->is_regular_file() && (path.extension() == ".yaml" || path.extension() == ".yml")) {
      files.push_back(path);
    }
  }
  EXPECT_FALSE(error) << LibraryDir() << ": " << error.message();
  std::sort(files.begin(), files.end());
  return files;
}

struct LoadedTemplate {
  fs::path path;
  AnalysisTemplate t;
};

// Loads every library file; a file that does not load is a failure here and is left out.
std::vector<LoadedTemplate> LoadLibrary() {
  std::vector<LoadedTemplate> loaded;
  for (const fs::path& path : LibraryFiles()) {
    TemplateLoad load = LoadTemplateFile(path.string());
    EXPECT_TRUE(load.result.has_value()) << path.filename() << " does not load:\n"
                                         << load.diagnostics.Format(path.filename().string());
    if (load.result) loaded.push_back({path, *std::move(load.result)});
  }
  return loaded;
}

struct NamedQuery {
  std::string where;  // "spec.metrics[1] (error-ratio).judge.rate.events"
  std::string text;
};

// Every PromQL text of a template: query, controlQuery, experimentQuery and the rate judges'
// events and total.
std::vector<NamedQuery> QueriesOf(const AnalysisTemplate& t) {
  std::vector<NamedQuery> queries;
  for (size_t i = 0; i < t.metrics.size(); ++i) {
    const Metric& metric = t.metrics[i];
    const std::string at = absl::StrCat("spec.metrics[", i, "] (", metric.name, ")");
    const std::pair<const char*, const std::string*> texts[] = {
        {"query", &metric.query},
        {"controlQuery", &metric.control_query},
        {"experimentQuery", &metric.experiment_query}};
    for (const auto& [key, text] : texts) {
      if (!text->empty()) queries.push_back({absl::StrCat(at, ".", key), *text});
    }
    if (const auto* rate = std::get_if<RateJudge>(&metric.judge)) {
      queries.push_back({absl::StrCat(at, ".judge.rate.events"), rate->events});
      queries.push_back({absl::StrCat(at, ".judge.rate.total"), rate->total});
    }
  }
  return queries;
}

// The values an analysis would use: each argument's default, or for a required one a made-up
// plain name (valid wherever a placeholder may stand).
PlaceholderValues ValuesFor(const AnalysisTemplate& t) {
  PlaceholderValues values;
  values.scope = "canary";
  values.window = "10m";
  values.step = "30s";
  for (const TemplateArg& arg : t.args) {
    std::string made_up = "made_up_" + arg.name;
    std::replace(made_up.begin(), made_up.end(), '-', '_');
    values.args[arg.name] = arg.default_value.value_or(made_up);
  }
  return values;
}

TEST(TemplateLibraryTest, HoldsATemplatePerStack) {
  const std::vector<fs::path> files = LibraryFiles();
  std::vector<std::string> names;
  for (const fs::path& path : files) names.push_back(path.filename().string());
  EXPECT_GE(files.size(), 7u) << "templates in " << LibraryDir() << ": "
                              << absl::StrJoin(names, ", ");
  for (const char* expected :
       {"http-service.yaml", "istio.yaml", "linkerd.yaml", "nginx-ingress.yaml", "traefik.yaml",
        "envoy-contour.yaml", "kubernetes-resources.yaml"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
        << expected << " is missing from " << LibraryDir();
  }
}

TEST(TemplateLibraryTest, EveryTemplateLoadsWithoutErrorsOrWarnings) {
  const std::vector<fs::path> files = LibraryFiles();
  ASSERT_GE(files.size(), 7u);
  std::map<std::string, std::string> file_by_name;  // controllers refer to templates by name
  for (const fs::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    const TemplateLoad load = LoadTemplateFile(path.string());
    EXPECT_TRUE(load.result.has_value());
    EXPECT_TRUE(load.diagnostics.all().empty())
        << load.diagnostics.Format(path.filename().string());
    if (!load.result) continue;
    const auto [it, inserted] = file_by_name.emplace(load.result->name, path.filename().string());
    EXPECT_TRUE(inserted) << "metadata.name '" << load.result->name << "' is also used by "
                          << it->second;
  }
}

TEST(TemplateLibraryTest, EveryQueryRendersCompletely) {
  const std::vector<LoadedTemplate> library = LoadLibrary();
  ASSERT_GE(library.size(), 7u);
  for (const LoadedTemplate& entry : library) {
    SCOPED_TRACE(entry.path.filename().string());
    const PlaceholderValues values = ValuesFor(entry.t);
    const std::vector<NamedQuery> queries = QueriesOf(entry.t);
    EXPECT_FALSE(queries.empty());
    for (const NamedQuery& query : queries) {
      SCOPED_TRACE(query.where);
      const absl::StatusOr<std::string> rendered = RenderQuery(query.text, values);
      ASSERT_TRUE(rendered.ok()) << rendered.status();
      EXPECT_EQ(rendered->find("{{"), std::string::npos) << *rendered;
    }
  }
}

// Every query selects by {{scope}} (without it both sides would read the same series), and
// "put arguments inside quoted label matchers": a scope or argument written into bare PromQL
// code is refused at render time for anything but a plain name, so a library template must not
// depend on that.
TEST(TemplateLibraryTest, EveryQueryUsesTheScopeAndQuotesUserValues) {
  const std::vector<LoadedTemplate> library = LoadLibrary();
  ASSERT_GE(library.size(), 7u);
  for (const LoadedTemplate& entry : library) {
    SCOPED_TRACE(entry.path.filename().string());
    for (const NamedQuery& query : QueriesOf(entry.t)) {
      SCOPED_TRACE(query.where);
      const absl::StatusOr<std::vector<Placeholder>> found = ScanPlaceholders(query.text);
      ASSERT_TRUE(found.ok()) << found.status();
      EXPECT_TRUE(std::any_of(found->begin(), found->end(), [](const Placeholder& p) {
        return p.name == "scope";
      })) << "no {{scope}}: both sides would read the same series";
      for (const Placeholder& placeholder : *found) {
        if (placeholder.name == "window" || placeholder.name == "step") continue;
        EXPECT_TRUE(placeholder.context == PlaceholderContext::kString ||
                    placeholder.context == PlaceholderContext::kRegex)
            << "{{" << placeholder.name << "}} at byte " << placeholder.begin
            << " is not inside a quoted string";
      }
    }
  }
}

TEST(TemplateLibraryTest, EachTemplateHasACriticalMetricAndAMannWhitneyJudge) {
  const std::vector<LoadedTemplate> library = LoadLibrary();
  ASSERT_GE(library.size(), 7u);
  for (const LoadedTemplate& entry : library) {
    const auto& metrics = entry.t.metrics;
    EXPECT_TRUE(std::any_of(metrics.begin(), metrics.end(),
                            [](const Metric& metric) { return metric.critical; }))
        << entry.path.filename() << " has no critical metric";
    EXPECT_TRUE(std::any_of(metrics.begin(), metrics.end(),
                            [](const Metric& metric) {
                              return std::holds_alternative<MannWhitneyJudge>(metric.judge);
                            }))
        << entry.path.filename() << " has no mannWhitney judge";
  }
}

}  // namespace
}  // namespace augur::config
