#include "config/kayenta_import.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "config/query_template.h"
#include "config/template_loader.h"
#include "config/template_writer.h"
#include "nlohmann/json.hpp"

namespace augur::config {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kPromQLPrefix = "PromQL:";
constexpr size_t kMaxNameLength = 63;

std::string Child(const std::string& path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Index(const std::string& path, size_t index) {
  return absl::StrCat(path, "[", index, "]");
}

// A JSON value for a message: compact, on one line, cut at 60 characters; lists and objects by
// their kind only (dumping them would recurse as deep as they nest).
std::string Show(const Json& value) {
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 60) text = absl::StrCat(text.substr(0, 57), "...");
  return text;
}

std::string ShowNumber(double value) { return absl::StrCat(value); }

bool IsTemplateName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name.front())) ||
      !absl::ascii_isalnum(static_cast<unsigned char>(name.back()))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// Kayenta's names are free text ("Errors By Controller"); template names are not. Runs of other
// characters become one '-'; the ends are trimmed to a letter or digit; empty if nothing is left.
std::string ToTemplateName(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  const auto trim = [](std::string& s) {
    while (!s.empty() && !absl::ascii_isalnum(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t start = 0;
    while (start < s.size() && !absl::ascii_isalnum(static_cast<unsigned char>(s[start]))) ++start;
    s.erase(0, start);
  };
  trim(out);
  if (out.size() > kMaxNameLength) {
    out.resize(kMaxNameLength);
    trim(out);
  }
  return out;
}

bool IsIdentifier(absl::string_view text) {
  if (text.empty() || !(absl::ascii_isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_'))
    return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Whether the end of `text` (PromQL so far) lies inside a string literal or a comment.
bool EndsInsideLiteral(absl::string_view text) {
  char quote = 0;
  bool comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (comment) {
      comment = c != '\n';
    } else if (quote != 0) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if (c == '#') {
      comment = true;
    }
  }
  return quote != 0 || comment;
}

// Java's String.split(","): trailing empty strings are dropped.
std::vector<std::string> JavaSplit(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ',');
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

// Finds where nlohmann's parser stopped, without exceptions: the parse_error callback receives
// the exception object instead of having it thrown.
class ParseErrorRecorder : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    message_ = error.what();
    return false;
  }

  // "parse error at line 3, column 5: syntax error while parsing ..." without nlohmann's
  // "[json.exception.parse_error.101] " prefix.
  std::string message() const {
    const size_t end = message_.find("] ");
    return end == std::string::npos ? message_ : message_.substr(end + 2);
  }

 private:
  std::string message_;
};

// The arguments Kayenta's template variables become.
struct ArgUse {
  std::string name;
  std::string description;
};

std::string ArgDescription(absl::string_view variable) {
  if (variable == "location") {
    return "Kayenta's ${location}: the scopes' location, e.g. a region (Kayenta took one per "
           "side; the template uses one for both)";
  }
  if (variable == "project") return "Kayenta's ${project}: the scopes' project";
  if (variable == "resourceType") return "Kayenta's ${resourceType}: the scopes' resource type";
  return absl::StrCat("Kayenta's ${", variable,
                      "}: an extendedScopeParams entry of the canary request");
}

class Importer {
 public:
  explicit Importer(KayentaImport& out) : out_(out) {}

  std::optional<AnalysisTemplate> Run(const Json& root, absl::string_view name_hint) {
    if (!root.is_object()) {
      out_.diagnostics.Error("", absl::StrCat("is not a Kayenta canary config: expected a JSON "
                                              "object, got ",
                                              root.type_name()));
      return std::nullopt;
    }
    if (!root.contains("metrics") || !root["metrics"].is_array()) {
      out_.diagnostics.Error("metrics", "is required: a canary config lists its metrics");
      return std::nullopt;
    }
    AnalysisTemplate t;
    Name(root, name_hint, t);
    if (root.contains("description") && root["description"].is_string()) {
      t.description = root["description"].get<std::string>();
    }
    UnknownFields(root, "",
                  {"name", "id", "description", "configVersion", "createdTimestamp",
                   "createdTimestampIso", "updatedTimestamp", "updatedTimestampIso", "applications",
                   "judge", "metrics", "templates", "classifier"},
                  "a canary config");
    if (root.contains("judge")) JudgeSettings(root["judge"]);
    if (root.contains("templates")) Templates(root["templates"]);
    CollectGroups(root["metrics"]);

    const Json& metrics = root["metrics"];
    for (size_t i = 0; i < metrics.size(); ++i) {
      if (auto metric = MetricAt(metrics[i], Index("metrics", i))) {
        t.metrics.push_back(std::move(*metric));
      }
    }
    for (const ArgUse& arg : args_) t.args.push_back({arg.name, std::nullopt, arg.description});
    if (root.contains("classifier")) Classifier(root["classifier"], t);

    if (t.metrics.empty()) {
      out_.diagnostics.Error("metrics", metrics.empty()
                                            ? "is empty: there is no metric to import"
                                            : "no metric could be imported (see the constructs "
                                              "listed as not imported)");
      return std::nullopt;
    }
    return t;
  }

 private:
  void NotImported(const std::string& path, absl::string_view why) {
    out_.unsupported.push_back(absl::StrCat(path, ": not imported: ", why));
  }
  void Warn(const std::string& path, absl::string_view message) {
    out_.diagnostics.Warning(path, message);
  }

  void UnknownFields(const Json& object, const std::string& path,
                     const std::set<std::string>& known, absl::string_view what) {
    for (const auto& item : object.items()) {
      if (known.count(item.key()) == 0) {
        NotImported(Child(path, item.key()),
                    absl::StrCat("unknown field of ", what, " (Kayenta ignores it too)"));
      }
    }
  }

  void Name(const Json& root, absl::string_view name_hint, AnalysisTemplate& t) {
    if (!name_hint.empty()) {
      if (!IsTemplateName(name_hint)) {
        out_.diagnostics.Error("", absl::StrCat("the template name must be 1-63 letters, digits, "
                                                "'-', '_' or '.', starting and ending with a "
                                                "letter or digit; got '",
                                                name_hint, "'"));
      }
      t.name = std::string(name_hint);
      return;
    }
    std::string name;
    if (root.contains("name") && root["name"].is_string()) name = root["name"].get<std::string>();
    t.name = ToTemplateName(name);
    if (t.name.empty()) {
      t.name = "kayenta-canary-config";
      Warn("name", absl::StrCat("the config has no usable name; the template is called '", t.name,
                                "' (choose one with --name)"));
    } else if (t.name != name) {
      Warn("name", absl::StrCat("'", name,
                                "' is not a valid template name; the template is "
                                "called '",
                                t.name, "'"));
    }
  }

  void JudgeSettings(const Json& judge) {
    if (!judge.is_object()) {
      NotImported("judge", absl::StrCat("must be an object, got ", Show(judge)));
      return;
    }
    UnknownFields(judge, "judge", {"name", "judgeConfigurations"}, "the judge");
    if (judge.contains("name")) {
      const Json& name = judge["name"];
      if (!name.is_string() || name.get<std::string>() != "NetflixACAJudge-v1.0") {
        NotImported("judge.name",
                    absl::StrCat("augur judges every metric with its Mann-Whitney classifier, as "
                                 "NetflixACAJudge-v1.0 does; judge ",
                                 Show(name), " is not reproduced"));
      }
    }
    if (judge.contains("judgeConfigurations")) {
      const Json& settings = judge["judgeConfigurations"];
      if (!settings.is_null() && !(settings.is_object() && settings.empty())) {
        NotImported("judge.judgeConfigurations",
                    "judge settings have no equivalent in an augur template");
      }
    }
  }

  void Templates(const Json& templates) {
    if (templates.is_null()) return;
    if (!templates.is_object()) {
      NotImported("templates",
                  absl::StrCat("must map template names to strings, got ", Show(templates)));
      return;
    }
    for (const auto& [name, text] : templates.items()) {
      if (text.is_string()) {
        templates_[name] = text.get<std::string>();
      } else {
        NotImported(Child("templates", name),
                    absl::StrCat("a template must be a string, got ", Show(text)));
      }
    }
  }

  // Every group any metric lists, imported or not: Kayenta shares the weight left over by
  // classifier.groupWeights among the unweighted ones.
  void CollectGroups(const Json& metrics) {
    for (const Json& metric : metrics) {
      if (!metric.is_object() || !metric.contains("groups") || !metric["groups"].is_array()) {
        continue;
      }
      for (const Json& group : metric["groups"]) {
        if (group.is_string()) kayenta_groups_.insert(group.get<std::string>());
      }
    }
  }

  std::optional<Metric> MetricAt(const Json& m, const std::string& path) {
    if (!m.is_object()) {
      NotImported(path, absl::StrCat("a metric must be an object, got ", Show(m)));
      return std::nullopt;
    }
    UnknownFields(m, path, {"name", "query", "groups", "analysisConfigurations", "scopeName"},
                  "a metric");
    if (!m.contains("name") || !m["name"].is_string() || m["name"].get<std::string>().empty()) {
      NotImported(Child(path, "name"), "a metric needs a name; the metric is left out");
      return std::nullopt;
    }
    const std::string kayenta_name = m["name"].get<std::string>();
    const std::string left_out = absl::StrCat("metric '", kayenta_name, "' is left out");
    std::vector<ArgUse> args;
    auto query = m.contains("query") ? Query(m["query"], Child(path, "query"), left_out, args)
                                     : std::nullopt;
    if (!m.contains("query")) {
      NotImported(Child(path, "query"), absl::StrCat("the metric has no query; ", left_out));
    }
    if (!query) return std::nullopt;
    for (ArgUse& arg : args) {
      const bool known = std::any_of(args_.begin(), args_.end(),
                                     [&](const ArgUse& a) { return a.name == arg.name; });
      if (!known) args_.push_back(std::move(arg));
    }

    Metric metric;
    metric.name = UniqueName(kayenta_name, Child(path, "name"));
    metric.query = std::move(*query);
    Groups(m, path, metric);
    if (m.contains("scopeName")) {
      const Json& scope = m["scopeName"];
      if (!scope.is_string() || scope.get<std::string>() != "default") {
        NotImported(Child(path, "scopeName"),
                    absl::StrCat("augur analyses one pair of scopes per request; Kayenta's scope ",
                                 Show(scope), " becomes that pair"));
      }
    }
    MannWhitneyJudge judge;
    judge.confidence = kKayentaConfidence;
    metric.must_have_data = false;  // Kayenta's default, unlike augur's
    if (m.contains("analysisConfigurations")) {
      AnalysisConfigurations(m["analysisConfigurations"], Child(path, "analysisConfigurations"),
                             metric, judge);
    }
    metric.judge = judge;
    return metric;
  }

  std::string UniqueName(const std::string& kayenta_name, const std::string& path) {
    std::string base = ToTemplateName(kayenta_name);
    if (base.empty()) base = "metric";
    std::string name = base;
    for (int n = 2; !used_names_.insert(name).second; ++n) {
      const std::string suffix = absl::StrCat("-", n);
      name = absl::StrCat(base.substr(0, kMaxNameLength - suffix.size()), suffix);
    }
    if (name != base) {
      Warn(path, absl::StrCat("another metric is already called '", base, "'; this one is called '",
                              name, "'"));
    } else if (name != kayenta_name) {
      Warn(path, absl::StrCat("'", kayenta_name,
                              "' is not a valid template metric name; the "
                              "metric is called '",
                              name, "'"));
    }
    return name;
  }

  void Groups(const Json& m, const std::string& path, Metric& metric) {
    const std::string groups_path = Child(path, "groups");
    if (m.contains("groups") && !m["groups"].is_array() && !m["groups"].is_null()) {
      NotImported(groups_path,
                  absl::StrCat("must be a list of group names, got ", Show(m["groups"])));
    } else if (m.contains("groups") && m["groups"].is_array()) {
      const Json& groups = m["groups"];
      for (size_t k = 0; k < groups.size(); ++k) {
        const std::string group_path = Index(groups_path, k);
        if (!groups[k].is_string() || groups[k].get<std::string>().empty()) {
          NotImported(group_path, absl::StrCat("a group name must be a non-empty string, got ",
                                               Show(groups[k])));
        } else if (metric.group.empty()) {
          metric.group = groups[k].get<std::string>();
          imported_groups_.insert(metric.group);
        } else {
          NotImported(group_path, absl::StrCat("augur scores a metric in one group; '", metric.name,
                                               "' is scored in '", metric.group, "' only, not in '",
                                               groups[k].get<std::string>(), "'"));
        }
      }
    }
    if (metric.group.empty()) {
      metric.group = metric.name;
      NotImported(groups_path,
                  absl::StrCat("the metric is in no group, so Kayenta leaves it out of the "
                               "weighted score; augur scores it in a group of its own, '",
                               metric.name, "'"));
    }
  }

  // --- analysisConfigurations.canary ---

  void AnalysisConfigurations(const Json& configs, const std::string& path, Metric& metric,
                              MannWhitneyJudge& judge) {
    if (configs.is_null()) return;
    if (!configs.is_object()) {
      NotImported(path, absl::StrCat("must be an object, got ", Show(configs)));
      return;
    }
    for (const auto& item : configs.items()) {
      if (item.key() != "canary") {
        NotImported(Child(path, item.key()),
                    "only the canary analysis configuration has an augur equivalent");
      }
    }
    if (!configs.contains("canary") || configs["canary"].is_null()) return;
    const Json& canary = configs["canary"];
    const std::string c = Child(path, "canary");
    if (!canary.is_object()) {
      NotImported(c, absl::StrCat("must be an object, got ", Show(canary)));
      return;
    }
    UnknownFields(
        canary, c,
        {"direction", "nanStrategy", "outliers", "critical", "mustHaveData", "muted", "effectSize"},
        "a canary analysis configuration");
    ReadDirection(canary, c, judge);
    if (canary.contains("nanStrategy")) {
      const Json& nan = canary["nanStrategy"];
      if (nan.is_string() && nan.get<std::string>() == "replace") {
        metric.nan_replace = true;
      } else if (!(nan.is_string() && nan.get<std::string>() == "remove") && !nan.is_null()) {
        Warn(Child(c, "nanStrategy"),
             absl::StrCat("Kayenta reads ", Show(nan), " as remove; imported as remove"));
      }
    }
    if (auto critical = Boolean(canary, c, "critical")) metric.critical = *critical;
    if (auto must = Boolean(canary, c, "mustHaveData")) metric.must_have_data = *must;
    if (auto muted = Boolean(canary, c, "muted")) metric.dry_run = *muted;
    if (metric.dry_run && metric.critical) {
      metric.critical = false;
      NotImported(Child(c, "critical"),
                  "the metric is muted, which Kayenta leaves out of scoring, critical or not; it "
                  "is imported as dryRun");
    }
    if (canary.contains("outliers"))
      OutlierSettings(canary["outliers"], Child(c, "outliers"), metric);
    if (canary.contains("effectSize")) {
      EffectSize(canary["effectSize"], Child(c, "effectSize"), metric, judge);
    }
  }

  void ReadDirection(const Json& canary, const std::string& path, MannWhitneyJudge& judge) {
    if (!canary.contains("direction") || canary["direction"].is_null()) return;
    const Json& direction = canary["direction"];
    const std::string text = direction.is_string() ? direction.get<std::string>() : "";
    if (text == "increase") {
      judge.direction = Direction::kIncrease;
    } else if (text == "decrease") {
      judge.direction = Direction::kDecrease;
    } else if (text != "either") {
      Warn(Child(path, "direction"),
           absl::StrCat("Kayenta reads ", Show(direction), " as either; imported as either"));
    }
  }

  std::optional<bool> Boolean(const Json& object, const std::string& path, const char* key) {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_boolean()) {
      NotImported(Child(path, key), absl::StrCat("must be true or false, got ", Show(object[key])));
      return std::nullopt;
    }
    return object[key].get<bool>();
  }

  std::optional<double> Number(const Json& object, const std::string& path, const char* key) {
    if (!object.contains(key) || object[key].is_null()) return std::nullopt;
    if (!object[key].is_number()) {
      NotImported(Child(path, key), absl::StrCat("must be a number, got ", Show(object[key])));
      return std::nullopt;
    }
    return object[key].get<double>();
  }

  void OutlierSettings(const Json& outliers, const std::string& path, Metric& metric) {
    if (outliers.is_null()) return;
    if (!outliers.is_object()) {
      NotImported(path, absl::StrCat("must be an object, got ", Show(outliers)));
      return;
    }
    UnknownFields(outliers, path, {"strategy", "outlierFactor"}, "outliers");
    if (outliers.contains("strategy") && !outliers["strategy"].is_null()) {
      const Json& strategy = outliers["strategy"];
      if (strategy.is_string() && strategy.get<std::string>() == "remove") {
        metric.outliers.remove = true;
      } else if (!(strategy.is_string() && strategy.get<std::string>() == "keep")) {
        Warn(Child(path, "strategy"),
             absl::StrCat("Kayenta reads ", Show(strategy), " as keep; imported as keep"));
      }
    }
    const auto factor = Number(outliers, path, "outlierFactor");
    if (!factor) return;
    if (!metric.outliers.remove) {
      if (*factor != Outliers().factor) {
        NotImported(Child(path, "outlierFactor"),
                    "has no effect unless outliers.strategy is remove");
      }
    } else if (!(*factor > 0)) {
      NotImported(
          Child(path, "outlierFactor"),
          absl::StrCat("must be above 0, got ", ShowNumber(*factor), "; the factor stays 3"));
    } else {
      metric.outliers.factor = *factor;
    }
  }

  void EffectSize(const Json& effect, const std::string& path, const Metric& metric,
                  MannWhitneyJudge& judge) {
    if (effect.is_null()) return;
    if (!effect.is_object()) {
      NotImported(path, absl::StrCat("must be an object, got ", Show(effect)));
      return;
    }
    static const char* const kBounds[] = {"allowedIncrease", "allowedDecrease", "criticalIncrease",
                                          "criticalDecrease"};
    UnknownFields(
        effect, path,
        {"measure", "allowedIncrease", "allowedDecrease", "criticalIncrease", "criticalDecrease"},
        "an effect size");
    if (effect.contains("measure") && !effect["measure"].is_null()) {
      const Json& measure = effect["measure"];
      if (!measure.is_string() || measure.get<std::string>() != "meanRatio") {
        const bool cles = measure.is_string() && measure.get<std::string>() == "cles";
        NotImported(Child(path, "measure"),
                    cles ? "augur's effect sizes are ratios of the means; Kayenta's CLES "
                           "(common-language effect size) bounds have no equivalent, so the "
                           "judge keeps ratio 1.0 (any significant shift the harmful way counts)"
                         : absl::StrCat("unknown effect-size measure ", Show(measure),
                                        "; the judge keeps ratio 1.0"));
        for (const char* key : kBounds) {
          if (effect.contains(key)) {
            NotImported(Child(path, key),
                        absl::StrCat("a bound of the ", cles ? "CLES" : "unknown", " measure"));
          }
        }
        return;
      }
    }
    const bool increase = judge.direction != Direction::kDecrease;
    const bool decrease = judge.direction != Direction::kIncrease;
    const auto no_effect = [&](const char* key, double value, absl::string_view why) {
      if (value != 1.0) NotImported(Child(path, key), why);  // 1.0 is Kayenta's default anyway
    };
    if (auto value = Number(effect, path, "allowedIncrease")) {
      if (!increase) {
        no_effect("allowedIncrease", *value, "has no effect with direction decrease");
      } else if (*value < 1) {
        NotImported(Child(path, "allowedIncrease"),
                    absl::StrCat("augur's allowedIncrease is a ratio of at least 1; with ",
                                 ShowNumber(*value),
                                 " Kayenta also counted shifts up whose means fell as HIGH; the "
                                 "judge keeps 1.0"));
      } else {
        judge.allowed_increase = *value;
      }
    }
    if (auto value = Number(effect, path, "allowedDecrease")) {
      if (!decrease) {
        no_effect("allowedDecrease", *value, "has no effect with direction increase");
      } else if (!(*value > 0 && *value <= 1)) {
        NotImported(
            Child(path, "allowedDecrease"),
            absl::StrCat("augur's allowedDecrease is a ratio in (0,1]; with ", ShowNumber(*value),
                         " Kayenta also counted shifts down whose means rose as LOW; the "
                         "judge keeps 1.0"));
      } else {
        judge.allowed_decrease = *value;
      }
    }
    // Kayenta escalates a HIGH of a critical metric when its ratio is at or past
    // criticalIncrease; one below allowedIncrease escalates every HIGH, as critical alone does.
    if (auto value = Number(effect, path, "criticalIncrease")) {
      if (!increase) {
        no_effect("criticalIncrease", *value, "has no effect with direction decrease");
      } else if (!metric.critical) {
        no_effect("criticalIncrease", *value, "has no effect on a metric that is not critical");
      } else if (*value > judge.allowed_increase) {
        judge.critical_increase = *value;
      }
    }
    if (auto value = Number(effect, path, "criticalDecrease")) {
      if (!decrease) {
        no_effect("criticalDecrease", *value, "has no effect with direction increase");
      } else if (!metric.critical) {
        no_effect("criticalDecrease", *value, "has no effect on a metric that is not critical");
      } else if (!(*value > 0)) {
        NotImported(Child(path, "criticalDecrease"),
                    absl::StrCat("augur's criticalDecrease is a ratio above 0, got ",
                                 ShowNumber(*value), "; every LOW stays critical"));
      } else if (*value < judge.allowed_decrease) {
        judge.critical_decrease = *value;
      }
    }
  }

  // --- queries ---

  // Checks a string field; an absent or null one is empty. False (reported) for another type.
  bool StringField(const Json& q, const std::string& path, const char* key,
                   absl::string_view left_out, std::string& out) {
    if (!q.contains(key) || q[key].is_null()) return true;
    if (!q[key].is_string()) {
      NotImported(Child(path, key),
                  absl::StrCat("must be a string, got ", Show(q[key]), "; ", left_out));
      return false;
    }
    out = q[key].get<std::string>();
    return true;
  }

  bool ListField(const Json& q, const std::string& path, const char* key,
                 absl::string_view left_out, std::vector<std::string>& out) {
    if (!q.contains(key) || q[key].is_null()) return true;
    const Json& list = q[key];
    const bool ok = list.is_array() && std::all_of(list.begin(), list.end(),
                                                   [](const Json& v) { return v.is_string(); });
    if (!ok) {
      NotImported(
          Child(path, key),
          absl::StrCat("must be a list of strings",
                       list.is_array() ? "" : absl::StrCat(", got ", Show(list)), "; ", left_out));
      return false;
    }
    for (const Json& item : list) out.push_back(item.get<std::string>());
    return true;
  }

  // Kayenta sends its text as it is; augur would read "{{" as a placeholder.
  bool Literal(const std::string& text, const std::string& path, absl::string_view left_out) {
    if (!absl::StrContains(text, "{{")) return true;
    NotImported(path, absl::StrCat("holds '{{', which augur reads as a placeholder; ", left_out));
    return false;
  }

  std::optional<std::string> Query(const Json& q, const std::string& path,
                                   absl::string_view left_out, std::vector<ArgUse>& args) {
    if (!q.is_object()) {
      NotImported(path, absl::StrCat("must be an object, got ", Show(q), "; ", left_out));
      return std::nullopt;
    }
    std::string type;
    if (!q.contains("type") || !q["type"].is_string()) {
      NotImported(Child(path, "type"),
                  absl::StrCat("a query needs a type (prometheus); ", left_out));
      return std::nullopt;
    }
    type = q["type"].get<std::string>();
    if (type != "prometheus") {
      NotImported(Child(path, "type"),
                  absl::StrCat("'", type,
                               "' queries cannot be imported: augur reads Prometheus-compatible "
                               "backends; ",
                               left_out));
      return std::nullopt;
    }
    UnknownFields(q, path,
                  {"type", "serviceType", "metricName", "labelBindings", "groupByFields",
                   "customInlineTemplate", "customFilterTemplate", "customFilter", "resourceType",
                   "scopeLabel", "locationLabel", "functions"},
                  "a prometheus query");
    if (q.contains("customFilter") && !q["customFilter"].is_null()) {
      NotImported(Child(path, "customFilter"),
                  absl::StrCat("is deprecated and Kayenta refuses it (use customInlineTemplate); ",
                               left_out));
      return std::nullopt;
    }
    std::string metric_name, inline_template, filter_template, resource_type, scope_label,
        location_label;
    std::vector<std::string> bindings, group_by, functions;
    if (!StringField(q, path, "metricName", left_out, metric_name) ||
        !StringField(q, path, "customInlineTemplate", left_out, inline_template) ||
        !StringField(q, path, "customFilterTemplate", left_out, filter_template) ||
        !StringField(q, path, "resourceType", left_out, resource_type) ||
        !StringField(q, path, "scopeLabel", left_out, scope_label) ||
        !StringField(q, path, "locationLabel", left_out, location_label) ||
        !ListField(q, path, "labelBindings", left_out, bindings) ||
        !ListField(q, path, "groupByFields", left_out, group_by) ||
        !ListField(q, path, "functions", left_out, functions)) {
      return std::nullopt;
    }

    // The template Kayenta expands: the inline one wins over the named one.
    std::optional<std::string> text;
    std::string text_path;
    if (!inline_template.empty()) {
      text = inline_template;
      text_path = Child(path, "customInlineTemplate");
      if (!filter_template.empty()) {
        NotImported(Child(path, "customFilterTemplate"),
                    "has no effect: Kayenta uses customInlineTemplate when both are given");
      }
    } else if (!filter_template.empty()) {
      auto it = templates_.find(filter_template);
      if (it == templates_.end()) {
        NotImported(
            Child(path, "customFilterTemplate"),
            absl::StrCat("the config's templates have no '", filter_template, "'; ", left_out));
        return std::nullopt;
      }
      text = it->second;
      text_path = Child("templates", filter_template);
    }

    std::string promql;
    bool whole_query = false;
    std::string location_of_query = path;
    if (text) {
      location_of_query = text_path;
      if (!Literal(*text, text_path, left_out)) return std::nullopt;
      auto expanded = Expand(*text, text_path, resource_type, left_out, args);
      if (!expanded) return std::nullopt;
      if (absl::StartsWith(*expanded, kPromQLPrefix)) {
        whole_query = true;
        promql = expanded->substr(kPromQLPrefix.size());
      } else {
        text = std::move(*expanded);
      }
    }
    if (whole_query) {
      const auto ignored = [&](const char* key, bool present) {
        if (present) {
          NotImported(Child(path, key),
                      "has no effect on a PromQL: query (Kayenta sends the expression as it is)");
        }
      };
      ignored("labelBindings", !bindings.empty());
      ignored("groupByFields", !group_by.empty());
      ignored("scopeLabel", !scope_label.empty());
    } else {
      // Kayenta's own query: avg(METRIC{FILTERS}) by (FIELDS).
      if (metric_name.empty()) {
        NotImported(Child(path, "metricName"),
                    absl::StrCat("is required to build the query around the filters; ", left_out));
        return std::nullopt;
      }
      if (!Literal(metric_name, Child(path, "metricName"), left_out)) return std::nullopt;
      for (size_t k = 0; k < bindings.size(); ++k) {
        if (!Literal(bindings[k], Index(Child(path, "labelBindings"), k), left_out)) {
          return std::nullopt;
        }
      }
      for (size_t k = 0; k < group_by.size(); ++k) {
        if (!Literal(group_by[k], Index(Child(path, "groupByFields"), k), left_out)) {
          return std::nullopt;
        }
      }
      std::vector<std::string> filters;
      if (text) {
        filters = JavaSplit(*text);
        filters.insert(filters.end(), bindings.begin(), bindings.end());
        if (!scope_label.empty()) {
          NotImported(Child(path, "scopeLabel"),
                      "has no effect on a query with a template (Kayenta uses it for "
                      "gce_instance resources only)");
        }
      } else if (!ResourceFilters(path, resource_type, scope_label, left_out, bindings, filters,
                                  args)) {
        return std::nullopt;
      }
      promql = absl::StrCat(
          "avg(", metric_name,
          filters.empty() ? "" : absl::StrCat("{", absl::StrJoin(filters, ","), "}"), ")");
      if (!group_by.empty()) absl::StrAppend(&promql, " by (", absl::StrJoin(group_by, ","), ")");
    }
    if (!location_label.empty()) {
      NotImported(Child(path, "locationLabel"), "has no effect in Kayenta's Prometheus queries");
    }
    if (!functions.empty()) {
      NotImported(Child(path, "functions"), "has no effect in Kayenta's Prometheus queries");
    }
    if (absl::StripAsciiWhitespace(promql).empty()) {
      NotImported(location_of_query, absl::StrCat("the query is empty; ", left_out));
      return std::nullopt;
    }
    auto placeholders = ScanPlaceholders(promql);
    if (!placeholders.ok()) {
      NotImported(location_of_query, absl::StrCat("the query does not scan: ",
                                                  placeholders.status().message(), "; ", left_out));
      return std::nullopt;
    }
    for (const Placeholder& placeholder : *placeholders) {
      if (placeholder.context != PlaceholderContext::kCode) continue;
      Warn(location_of_query,
           absl::StrCat("{{", placeholder.name,
                        "}} stands outside a quoted string, where augur substitutes only a plain "
                        "name or number (a scope such as version=\"canary\" is refused); put the "
                        "label in the query instead, e.g. version=\"{{scope}}\""));
      break;
    }
    return promql;
  }

  // Kayenta's query for a resource type when there is no template: the label bindings first,
  // then the scope and zone filters.
  bool ResourceFilters(const std::string& path, const std::string& resource_type,
                       const std::string& scope_label, absl::string_view left_out,
                       const std::vector<std::string>& bindings, std::vector<std::string>& filters,
                       std::vector<ArgUse>& args) {
    if (resource_type.empty()) {
      NotImported(path, absl::StrCat("without customInlineTemplate or customFilterTemplate "
                                     "Kayenta builds the query from the request's resourceType, "
                                     "which a template cannot know; ",
                                     left_out));
      return false;
    }
    filters = bindings;
    if (resource_type == "aws_ec2_instance") {
      filters.push_back("asg_groupName=\"{{scope}}\"");
      filters.push_back("zone=~\"{{args.location}}.{1}\"");
    } else if (resource_type == "gce_instance") {
      const std::string label = scope_label.empty() ? "instance" : scope_label;
      if (!IsIdentifier(label)) {
        NotImported(Child(path, "scopeLabel"),
                    absl::StrCat("'", label, "' is not a label name; ", left_out));
        return false;
      }
      filters.push_back(absl::StrCat(label, "=~\"{{scope}}-.{4}\""));
      filters.push_back("zone=~\".+/zones/{{args.location}}-.{1}\"");
      Warn(path,
           absl::StrCat("gce_instance: the scope label is taken to be '", label,
                        "' (Kayenta's default; its Prometheus account may set another), and the "
                        "zone filter matches every project (Kayenta adds the request's project "
                        "when it has one)"));
    } else {
      NotImported(Child(path, "resourceType"),
                  absl::StrCat("Kayenta has no query for resourceType '", resource_type,
                               "' without a template; ", left_out));
      return false;
    }
    args.push_back({"location", ArgDescription("location")});
    return true;
  }

  // Expands Kayenta's FreeMarker template the way its variables map to placeholders. Only plain
  // ${NAME} variables can be imported; FreeMarker directives and expressions cannot.
  std::optional<std::string> Expand(const std::string& raw, const std::string& path,
                                    const std::string& resource_type, absl::string_view left_out,
                                    std::vector<ArgUse>& args) {
    // Kayenta stores "${" as "$\{" and unescapes it before expanding.
    const std::string text = absl::StrReplaceAll(raw, {{"$\\{", "${"}});
    for (absl::string_view directive : {"<#", "</#", "<@", "</@", "#{"}) {
      if (absl::StrContains(text, directive)) {
        NotImported(path,
                    absl::StrCat("the FreeMarker construct '", directive,
                                 "' cannot be imported (only ${NAME} variables can); ", left_out));
        return std::nullopt;
      }
    }
    std::string out;
    size_t pos = 0;
    while (true) {
      const size_t start = text.find("${", pos);
      if (start == std::string::npos) {
        out.append(text, pos, std::string::npos);
        break;
      }
      out.append(text, pos, start - pos);
      const size_t end = text.find('}', start + 2);
      if (end == std::string::npos) {
        NotImported(path, absl::StrCat("'${' without a closing '}'; ", left_out));
        return std::nullopt;
      }
      const std::string variable = text.substr(start + 2, end - start - 2);
      if (!IsIdentifier(variable)) {
        NotImported(path,
                    absl::StrCat("the FreeMarker expression '${", variable,
                                 "}' cannot be imported (only ${NAME} variables can); ", left_out));
        return std::nullopt;
      }
      // "{${scope}}" (a scope that is a whole label matcher) would read as "{{{"; a space
      // between the braces means the same in PromQL code.
      if (!out.empty() && out.back() == '{' && !EndsInsideLiteral(out)) out += ' ';
      if (variable == "scope") {
        out += "{{scope}}";
      } else if (variable == "resourceType" && !resource_type.empty()) {
        if (!Literal(resource_type, Child(path, "resourceType"), left_out)) return std::nullopt;
        out += resource_type;  // bound from the query itself, as Kayenta does
      } else {
        out += absl::StrCat("{{args.", variable, "}}");
        args.push_back({variable, ArgDescription(variable)});
      }
      pos = end + 1;
    }
    return out;
  }

  // --- classifier ---

  void Classifier(const Json& classifier, AnalysisTemplate& t) {
    if (classifier.is_null()) return;
    if (!classifier.is_object()) {
      NotImported("classifier", absl::StrCat("must be an object, got ", Show(classifier)));
      return;
    }
    UnknownFields(classifier, "classifier", {"groupWeights", "scoreThresholds"}, "the classifier");
    if (classifier.contains("groupWeights")) GroupWeights(classifier["groupWeights"], t);
    if (classifier.contains("scoreThresholds")) {
      ScoreThresholds(classifier["scoreThresholds"], t);
    }
  }

  void GroupWeights(const Json& weights, AnalysisTemplate& t) {
    const std::string path = "classifier.groupWeights";
    if (weights.is_null()) return;
    if (!weights.is_object()) {
      NotImported(path, absl::StrCat("must map group names to weights, got ", Show(weights)));
      return;
    }
    std::map<std::string, double> kayenta;
    double sum = 0;
    for (const auto& [group, weight] : weights.items()) {
      if (!weight.is_number()) {
        NotImported(Child(path, group), absl::StrCat("must be a number, got ", Show(weight)));
        continue;
      }
      kayenta[group] = weight.get<double>();
      sum += kayenta[group];
    }
    for (const auto& [group, weight] : kayenta) {
      if (!(weight > 0)) {
        NotImported(
            Child(path, group),
            absl::StrCat("augur's weights are above 0; Kayenta's weight ", ShowNumber(weight),
                         " gives group '", group, "' no say in the score"));
      } else if (imported_groups_.count(group) == 0) {
        NotImported(Child(path, group),
                    absl::StrCat("no imported metric is in group '", group, "'"));
      } else {
        t.scoring.group_weights[group] = weight;
      }
    }
    if (kayenta.empty()) return;  // Kayenta then weighs every group alike, as augur does
    // Kayenta shares what the listed weights leave of 100 among the groups it does not list.
    std::vector<std::string> unweighted;
    for (const std::string& group : kayenta_groups_) {
      if (kayenta.count(group) == 0) unweighted.push_back(group);
    }
    if (unweighted.empty()) {
      if (sum != 100) {
        NotImported(path, absl::StrCat("the weights sum to ", ShowNumber(sum),
                                       ", not 100; Kayenta adds score x weight / 100 without "
                                       "rescaling, so its scores ran up to ",
                                       ShowNumber(sum), "; the weights are imported as they are"));
      }
      return;
    }
    const double share = (100 - sum) / static_cast<double>(unweighted.size());
    for (const std::string& group : unweighted) {
      if (imported_groups_.count(group) == 0) continue;
      if (share > 0) {
        t.scoring.group_weights[group] = share;
      } else {
        NotImported(path, absl::StrCat("the weights sum to ", ShowNumber(sum),
                                       ", so Kayenta gives unlisted group '", group,
                                       "' no share of the score; augur weighs it 1"));
      }
    }
  }

  void ScoreThresholds(const Json& thresholds, AnalysisTemplate& t) {
    const std::string path = "classifier.scoreThresholds";
    if (thresholds.is_null()) return;
    if (!thresholds.is_object()) {
      NotImported(path, absl::StrCat("must be an object, got ", Show(thresholds)));
      return;
    }
    UnknownFields(thresholds, path, {"pass", "marginal"}, "the score thresholds");
    const auto percent = [&](const char* key) -> std::optional<double> {
      auto value = Number(thresholds, path, key);
      if (value && !(*value >= 0 && *value <= 100)) {
        NotImported(Child(path, key), absl::StrCat("must be in [0,100], got ", ShowNumber(*value)));
        return std::nullopt;
      }
      return value;
    };
    const auto pass = percent("pass");
    const auto marginal = percent("marginal");
    if (pass && marginal && *pass < *marginal) {
      NotImported(path, absl::StrCat("pass (", ShowNumber(*pass), ") is below marginal (",
                                     ShowNumber(*marginal), ")"));
      return;
    }
    if (pass) t.scoring.pass = *pass;
    if (marginal) t.scoring.marginal = *marginal;
    if (pass && !marginal && t.scoring.marginal > *pass) {
      t.scoring.marginal = *pass;
      Warn(path, absl::StrCat("no marginal threshold; marginal is set to pass (", ShowNumber(*pass),
                              ") because augur's default, 75, is above it"));
    } else if (marginal && !pass && t.scoring.pass < *marginal) {
      t.scoring.pass = *marginal;
      Warn(path, absl::StrCat("no pass threshold; pass is set to marginal (", ShowNumber(*marginal),
                              ") because augur's default, 95, is below it"));
    }
  }

  KayentaImport& out_;
  std::map<std::string, std::string> templates_;
  std::set<std::string> kayenta_groups_;   // listed by any metric
  std::set<std::string> imported_groups_;  // of the imported metrics
  std::set<std::string> used_names_;
  std::vector<ArgUse> args_;
};

}  // namespace

KayentaImport ImportKayentaConfig(absl::string_view json, absl::string_view name_hint) {
  KayentaImport out;
  const Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    ParseErrorRecorder recorder;
    Json::sax_parse(json.begin(), json.end(), &recorder, nlohmann::json::input_format_t::json,
                    /*strict=*/true);
    out.diagnostics.Error("", absl::StrCat("not valid JSON: ", recorder.message()));
    return out;
  }
  std::optional<AnalysisTemplate> result = Importer(out).Run(root, name_hint);
  if (!result || out.diagnostics.has_errors()) return out;
  // The template must load as written; anything else is a bug of this importer, reported as one.
  const TemplateLoad check = LoadTemplate(WriteTemplateYaml(*result));
  if (check.diagnostics.has_errors()) {
    for (const Diagnostic& d : check.diagnostics.all()) {
      if (d.severity != Diagnostic::Severity::kError) continue;
      out.diagnostics.Error("", absl::StrCat("the imported template does not validate (an "
                                             "import bug): ",
                                             d.path, d.path.empty() ? "" : ": ", d.message));
    }
    return out;
  }
  out.result = std::move(result);
  return out;
}

}  // namespace augur::config
