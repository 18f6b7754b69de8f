#include "config/template_loader.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/query_template.h"
#include "config/yaml_reader.h"
#include "judges/threshold.h"

namespace augur::config {
namespace {

const std::vector<std::string> kDirections = {"increase", "decrease", "either"};
constexpr absl::string_view kJudgeList = "mannWhitney, rate, threshold, kolmogorovSmirnov";

bool IsName(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name.front())) ||
      !absl::ascii_isalnum(static_cast<unsigned char>(name.back()))) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsArgName(absl::string_view name) {
  if (name.empty() ||
      !(absl::ascii_isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Direction ToDirection(const std::string& text) {
  if (text == "increase") return Direction::kIncrease;
  if (text == "decrease") return Direction::kDecrease;
  return Direction::kEither;
}

std::string FormatNumber(double value) { return absl::StrCat(value); }

class Loader {
 public:
  explicit Loader(Diagnostics& diagnostics) : d_(diagnostics) {}

  std::optional<AnalysisTemplate> Load(const YAML::Node& root) {
    AnalysisTemplate t;
    YamlMap top(root, "", {"apiVersion", "kind", "metadata", "spec"}, d_);
    if (!top.is_map()) return std::nullopt;
    if (auto version = top.String("apiVersion", true); version && *version != "augur/v1") {
      top.Error("apiVersion", absl::StrCat("must be augur/v1, got '", *version, "'"));
    }
    if (auto kind = top.String("kind", true); kind && *kind != "AnalysisTemplate") {
      top.Error("kind", absl::StrCat("must be AnalysisTemplate, got '", *kind, "'"));
    }
    if (!top.Has("metadata")) {
      top.Error("metadata", "is required (metadata.name names the template)");
    } else {
      YamlMap metadata(top.Get("metadata"), "metadata", {"name", "description", "labels"}, d_);
      if (auto name = metadata.String("name", true)) {
        if (!IsName(*name)) {
          metadata.Error("name", absl::StrCat("must be 1-63 letters, digits, '-', '_' or '.', "
                                              "starting and ending with a letter or digit; got '",
                                              *name, "'"));
        }
        t.name = *name;
      }
      if (auto description = metadata.String("description")) t.description = *description;
    }
    if (!top.Has("spec")) {
      top.Error("spec", "is required");
      return std::nullopt;
    }
    Spec(YamlMap(top.Get("spec"), "spec",
                 {"args", "provider", "step", "scoring", "errorControl", "metrics"}, d_),
         t);
    if (d_.has_errors()) return std::nullopt;
    return t;
  }

 private:
  void Spec(YamlMap spec, AnalysisTemplate& t) {
    if (!spec.is_map()) return;
    Args(spec, t);
    Provider(spec, t);
    if (auto step = spec.Duration("step")) t.step = *step;
    if (auto control = spec.Enum("errorControl", {"holm", "none"})) {
      t.error_control = *control == "none" ? ErrorControl::kNone : ErrorControl::kHolm;
    }
    Scoring(spec, t);
    Metrics(spec, t);
    CheckScoringGroups(spec, t);
    CheckArgsUsed(t);
  }

  void Args(YamlMap& spec, AnalysisTemplate& t) {
    if (!spec.Has("args")) return;
    const YAML::Node list = spec.Get("args");
    const std::string path = spec.PathOf("args");
    if (!list.IsSequence()) {
      d_.Error(path, absl::StrCat("must be a list of {name, default}, got ", KindName(list)));
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
      YamlMap arg(list[i], IndexPath(path, i), {"name", "default", "description"}, d_);
      if (!arg.is_map()) continue;
      TemplateArg a;
      if (auto name = arg.String("name", true)) {
        if (!IsArgName(*name)) {
          arg.Error("name", absl::StrCat("must be a letter or '_' followed by letters, digits, "
                                         "'_' or '-'; got '",
                                         *name, "'"));
        } else if (!names.insert(*name).second) {
          arg.Error("name", absl::StrCat("argument '", *name, "' is declared twice"));
        }
        a.name = *name;
      }
      if (arg.Has("default")) a.default_value = arg.String("default");
      if (auto description = arg.String("description")) a.description = *description;
      arg_paths_[a.name] = IndexPath(path, i);
      t.args.push_back(std::move(a));
    }
  }

  void Provider(YamlMap& spec, AnalysisTemplate& t) {
    if (!spec.Has("provider")) return;
    const YAML::Node node = spec.Get("provider");
    const std::string path = spec.PathOf("provider");
    if (node.IsScalar()) {
      if (!IsName(node.Scalar())) {
        d_.Error(path, absl::StrCat("must name a configured provider, got '", node.Scalar(), "'"));
      }
      t.provider.name = node.Scalar();
      return;
    }
    YamlMap provider(node, path, {"prometheus"}, d_);
    if (!provider.is_map()) return;
    if (!provider.Has("prometheus")) {
      d_.Error(path, "must name a configured provider or give {prometheus: {address: URL}}");
      return;
    }
    YamlMap prometheus(provider.Get("prometheus"), provider.PathOf("prometheus"),
                       {"address", "headers", "bearerTokenFile"}, d_);
    InlinePrometheus p;
    if (auto address = prometheus.String("address", true)) {
      if (!absl::StartsWith(*address, "http://") && !absl::StartsWith(*address, "https://")) {
        prometheus.Error("address",
                         absl::StrCat("must start with http:// or https://, got '", *address, "'"));
      } else if (address->find('@') != std::string::npos) {
        prometheus.Error("address", "must not hold credentials; use bearerTokenFile");
      }
      p.address = *address;
    }
    if (prometheus.Has("headers")) {
      const YAML::Node headers = prometheus.Get("headers");
      if (!headers.IsMap()) {
        prometheus.Error(
            "headers",
            absl::StrCat("must be a mapping of header names to values, got ", KindName(headers)));
      } else {
        for (auto it = headers.begin(); it != headers.end(); ++it) {
          if (!it->first.IsScalar() || !it->second.IsScalar()) {
            prometheus.Error("headers", "must map header names to plain values");
            continue;
          }
          p.headers[it->first.Scalar()] = it->second.Scalar();
        }
      }
    }
    if (auto token = prometheus.String("bearerTokenFile")) p.bearer_token_file = *token;
    t.provider.inline_prometheus = std::move(p);
  }

  void Scoring(YamlMap& spec, AnalysisTemplate& t) {
    if (!spec.Has("scoring")) return;
    YamlMap scoring(spec.Get("scoring"), spec.PathOf("scoring"), {"pass", "marginal", "groups"},
                    d_);
    if (!scoring.is_map()) return;
    const auto percent = [&](const std::string& key, double& out) {
      auto value = scoring.Number(key);
      if (!value) return false;
      if (*value < 0 || *value > 100) {
        scoring.Error(key, absl::StrCat("must be in [0,100], got ", scoring.Get(key).Scalar()));
        return false;
      }
      out = *value;
      return true;
    };
    const bool has_pass = percent("pass", t.scoring.pass);
    const bool has_marginal = percent("marginal", t.scoring.marginal);
    if ((has_pass || has_marginal) && t.scoring.pass < t.scoring.marginal) {
      scoring.Error(
          has_pass ? "pass" : "marginal",
          absl::StrCat("pass (", FormatNumber(t.scoring.pass), ") must not be below marginal (",
                       FormatNumber(t.scoring.marginal), ")"));
    }
    if (scoring.Has("groups")) {
      const YAML::Node groups = scoring.Get("groups");
      const std::string path = scoring.PathOf("groups");
      if (!groups.IsMap()) {
        d_.Error(path, absl::StrCat("must map group names to weights, got ", KindName(groups)));
        return;
      }
      std::vector<std::string> names;
      for (auto it = groups.begin(); it != groups.end(); ++it) {
        if (it->first.IsScalar()) names.push_back(it->first.Scalar());
      }
      YamlMap weights(groups, path, names, d_);
      for (const std::string& name : names) {
        auto weight = weights.Number(name);
        if (!weight) continue;
        if (*weight <= 0) {
          weights.Error(name, absl::StrCat("weight must be above 0, got ", groups[name].Scalar()));
          continue;
        }
        t.scoring.group_weights[name] = *weight;
      }
    }
  }

  void Metrics(YamlMap& spec, AnalysisTemplate& t) {
    const std::string path = spec.PathOf("metrics");
    if (!spec.Has("metrics")) {
      d_.Error(path, "is required: a template judges at least one metric");
      return;
    }
    const YAML::Node list = spec.Get("metrics");
    if (!list.IsSequence() || list.size() == 0) {
      d_.Error(path, absl::StrCat("must be a non-empty list of metrics, got ", KindName(list)));
      return;
    }
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < list.size(); ++i) {
      Metric metric;
      if (!MetricAt(
              YamlMap(list[i], IndexPath(path, i),
                      {"name", "group", "query", "controlQuery", "experimentQuery", "judge",
                       "critical", "mustHaveData", "dryRun", "nanStrategy", "outliers", "instances",
                       "better", "guardrail", "minimumEffect", "nonInferiorityMargin"},
                      d_),
              metric, t)) {
        continue;
      }
      if (!metric.name.empty()) {
        auto [it, inserted] = names.emplace(metric.name, i);
        if (!inserted) {
          d_.Error(ChildPath(IndexPath(path, i), "name"),
                   absl::StrCat("metric '", metric.name, "' is already defined at ",
                                IndexPath(path, it->second)));
        }
      }
      t.metrics.push_back(std::move(metric));
    }
  }

  bool MetricAt(YamlMap m, Metric& metric, const AnalysisTemplate& t) {
    if (!m.is_map()) return false;
    if (auto name = m.String("name", true)) {
      if (!IsName(*name)) {
        m.Error("name", absl::StrCat("must be 1-63 letters, digits, '-', '_' or '.', starting and "
                                     "ending with a letter or digit; got '",
                                     *name, "'"));
      }
      metric.name = *name;
    }
    metric.group = metric.name;
    if (auto group = m.String("group")) metric.group = *group;
    if (auto query = m.String("query")) metric.query = *query;
    if (auto query = m.String("controlQuery")) metric.control_query = *query;
    if (auto query = m.String("experimentQuery")) metric.experiment_query = *query;
    if (auto critical = m.Bool("critical")) metric.critical = *critical;
    if (auto must = m.Bool("mustHaveData")) metric.must_have_data = *must;
    if (auto dry = m.Bool("dryRun")) metric.dry_run = *dry;
    if (auto nan = m.Enum("nanStrategy", {"remove", "replace"}))
      metric.nan_replace = *nan == "replace";
    Outliers(m, metric);
    if (auto label = m.String("instances")) {
      if (!IsArgName(*label) || label->find('-') != std::string::npos) {
        m.Error("instances",
                absl::StrCat("must be a Prometheus label name, e.g. pod; got '", *label, "'"));
      }
      metric.instances = *label;
    }
    if (metric.critical && metric.dry_run) {
      m.Error("dryRun", "a dry-run metric never affects the verdict, so it cannot be critical");
    }
    ABSettings(m, metric);
    Judge(m, metric);
    if (!metric.instances.empty()) {
      const auto* mw = std::get_if<MannWhitneyJudge>(&metric.judge);
      if (mw == nullptr) {
        m.Error("instances", "the instance-aware comparison is made by the mannWhitney judge only");
      } else if (mw->mode == MannWhitneyJudge::Mode::kKayenta) {
        m.Error("instances",
                "mannWhitney mode kayenta treats points as independent samples; the "
                "instance-aware comparison needs mode augur");
      }
    }
    CheckQueries(m, metric, t);
    return true;
  }

  void Outliers(YamlMap& m, Metric& metric) {
    if (!m.Has("outliers")) return;
    YamlMap outliers(m.Get("outliers"), m.PathOf("outliers"), {"strategy", "factor"}, d_);
    if (auto strategy = outliers.Enum("strategy", {"keep", "remove"}, true)) {
      metric.outliers.remove = *strategy == "remove";
    }
    if (auto factor = outliers.Number("factor")) {
      if (*factor <= 0) {
        outliers.Error("factor",
                       absl::StrCat("must be above 0, got ", outliers.Get("factor").Scalar()));
      } else {
        metric.outliers.factor = *factor;
      }
    }
  }

  void ABSettings(YamlMap& m, Metric& metric) {
    if (auto better = m.Enum("better", {"increase", "decrease"})) {
      metric.better = *better == "increase" ? Better::kIncrease : Better::kDecrease;
    }
    if (auto guardrail = m.Bool("guardrail")) metric.guardrail = *guardrail;
    if (metric.guardrail && metric.better) {
      m.Error("better", "a guardrail is judged by its judge's direction; 'better' is for KPIs");
    }
    for (const char* key : {"minimumEffect", "nonInferiorityMargin"}) {
      auto value = m.Number(key);
      if (!value) continue;
      if (*value < 0) {
        m.Error(key, absl::StrCat("must not be negative, got ", m.Get(key).Scalar()));
      }
      if (!metric.better) m.Error(key, "applies to KPIs only: set 'better' too");
      (std::string(key) == "minimumEffect" ? metric.minimum_effect
                                           : metric.non_inferiority_margin) = *value;
    }
    if (metric.minimum_effect && metric.non_inferiority_margin) {
      m.Error("nonInferiorityMargin",
              "choose minimumEffect (ship if better by at least this) or nonInferiorityMargin "
              "(ship if not worse by more than this), not both");
    }
  }

  void Judge(YamlMap& m, Metric& metric) {
    if (!m.Has("judge")) {
      m.Error("judge", absl::StrCat("is required: one of ", kJudgeList));
      return;
    }
    YamlMap judge(m.Get("judge"), m.PathOf("judge"),
                  {"mannWhitney", "rate", "threshold", "kolmogorovSmirnov"}, d_);
    if (!judge.is_map()) return;
    int count = 0;
    for (const char* key : {"mannWhitney", "rate", "threshold", "kolmogorovSmirnov"}) {
      count += judge.Has(key) ? 1 : 0;
    }
    if (count != 1) {
      d_.Error(
          judge.path(),
          absl::StrCat(count == 0 ? "needs one of " : "must hold exactly one of ", kJudgeList));
      return;
    }
    if (judge.Has("mannWhitney")) {
      metric.judge = MannWhitney(
          YamlMap(judge.Get("mannWhitney"), judge.PathOf("mannWhitney"),
                  {"direction", "confidence", "tolerance", "effectSize", "mode", "autocorrelation",
                   "allowedIncrease", "allowedDecrease", "criticalIncrease", "criticalDecrease"},
                  d_));
    } else if (judge.Has("rate")) {
      metric.judge = Rate(YamlMap(
          judge.Get("rate"), judge.PathOf("rate"),
          {"events", "total", "direction", "confidence", "minTotal", "dispersion",
           "allowedIncrease", "allowedDecrease", "allowedAbsoluteIncrease", "criticalIncrease"},
          d_));
    } else if (judge.Has("threshold")) {
      metric.judge = Threshold(YamlMap(
          judge.Get("threshold"), judge.PathOf("threshold"),
          {"aggregate", "min", "max", "maxIncreasePercent", "maxDecreasePercent", "criteria"}, d_));
    } else {
      metric.judge = KolmogorovSmirnov(
          YamlMap(judge.Get("kolmogorovSmirnov"), judge.PathOf("kolmogorovSmirnov"),
                  {"direction", "confidence", "quantile", "autocorrelation", "allowedIncrease",
                   "allowedDecrease"},
                  d_));
    }
  }

  std::optional<double> Confidence(YamlMap& j) {
    auto confidence = j.Number("confidence");
    if (confidence && !(*confidence > 0 && *confidence < 1)) {
      j.Error("confidence", absl::StrCat("must be in (0,1), got ", j.Get("confidence").Scalar()));
      return std::nullopt;
    }
    return confidence;
  }

  // allowedIncrease (a ratio, at least 1) and criticalIncrease (at least allowedIncrease), as
  // the mannWhitney and rate judges share them.
  void IncreaseRatios(YamlMap& j, absl::string_view ratio_of, double& allowed,
                      std::optional<double>& critical) {
    if (auto value = j.Number("allowedIncrease")) {
      if (*value < 1) {
        j.Error("allowedIncrease",
                absl::StrCat("is a ratio of ", ratio_of, " and must be at least 1, got ",
                             j.Get("allowedIncrease").Scalar()));
      }
      allowed = *value;
    }
    if (auto value = j.Number("criticalIncrease")) {
      if (*value < allowed) {
        j.Error("criticalIncrease",
                absl::StrCat("must be at least allowedIncrease (", FormatNumber(allowed), "), got ",
                             j.Get("criticalIncrease").Scalar()));
      }
      critical = *value;
    }
  }

  MannWhitneyJudge MannWhitney(YamlMap j) {
    using EffectSize = MannWhitneyJudge::EffectSize;
    MannWhitneyJudge judge;
    if (!j.is_map()) return judge;
    if (auto direction = j.Enum("direction", kDirections))
      judge.direction = ToDirection(*direction);
    if (auto confidence = Confidence(j)) judge.confidence = *confidence;
    if (auto tolerance = j.Number("tolerance")) {
      if (!(*tolerance >= 0 && *tolerance < 1)) {
        j.Error("tolerance", absl::StrCat("must be in [0,1), got ", j.Get("tolerance").Scalar()));
      }
      judge.tolerance = *tolerance;
    }
    if (auto measure = j.Enum("effectSize", {"meanRatio", "cles"})) {
      judge.effect_size = *measure == "cles" ? EffectSize::kCles : EffectSize::kMeanRatio;
    }
    if (auto mode = j.Enum("mode", {"augur", "kayenta"})) {
      judge.mode =
          *mode == "kayenta" ? MannWhitneyJudge::Mode::kKayenta : MannWhitneyJudge::Mode::kAugur;
    }
    if (auto autocorrelation = j.Enum("autocorrelation", {"adjust", "ignore"})) {
      judge.adjust_autocorrelation = *autocorrelation == "adjust";
      if (judge.adjust_autocorrelation && judge.mode == MannWhitneyJudge::Mode::kKayenta) {
        j.Error("autocorrelation",
                "mode kayenta reproduces Kayenta's independent-samples test; adjust needs mode "
                "augur");
      }
    }
    if (judge.mode == MannWhitneyJudge::Mode::kKayenta) judge.adjust_autocorrelation = false;
    if (judge.effect_size == EffectSize::kCles) {
      // P(experiment > control): 0.5 is no effect, 1 all experiment values above.
      judge.allowed_increase = judge.allowed_decrease = 0.5;
      auto in_range = [&](const char* key, double low, double high) -> std::optional<double> {
        auto value = j.Number(key);
        if (value && !(*value >= low && *value <= high)) {
          j.Error(key, absl::StrCat("is a probability P(experiment > control) with effectSize: "
                                    "cles and must be in [",
                                    FormatNumber(low), ",", FormatNumber(high), "], got ",
                                    j.Get(key).Scalar()));
        }
        return value;
      };
      if (auto v = in_range("allowedIncrease", 0.5, 1)) judge.allowed_increase = *v;
      if (auto v = in_range("allowedDecrease", 0, 0.5)) judge.allowed_decrease = *v;
      if (auto v = in_range("criticalIncrease", judge.allowed_increase, 1)) {
        judge.critical_increase = *v;
      }
      if (auto v = in_range("criticalDecrease", 0, judge.allowed_decrease)) {
        judge.critical_decrease = *v;
      }
    } else {
      IncreaseRatios(j, "experiment to control means", judge.allowed_increase,
                     judge.critical_increase);
      DecreaseRatios(j, "experiment to control means", judge.allowed_decrease,
                     &judge.critical_decrease);
    }
    if (judge.direction == Direction::kIncrease && j.Has("allowedDecrease")) {
      j.Error("allowedDecrease", "has no effect with direction: increase");
    }
    if (judge.direction == Direction::kDecrease && j.Has("allowedIncrease")) {
      j.Error("allowedIncrease", "has no effect with direction: decrease");
    }
    return judge;
  }

  // allowedDecrease (a ratio in (0,1]) and criticalDecrease (in (0, allowedDecrease]).
  void DecreaseRatios(YamlMap& j, absl::string_view ratio_of, double& allowed,
                      std::optional<double>* critical) {
    if (auto value = j.Number("allowedDecrease")) {
      if (!(*value > 0 && *value <= 1)) {
        j.Error("allowedDecrease",
                absl::StrCat("is a ratio of ", ratio_of, " and must be in (0,1], got ",
                             j.Get("allowedDecrease").Scalar()));
      }
      allowed = *value;
    }
    if (critical == nullptr) return;
    if (auto value = j.Number("criticalDecrease")) {
      if (!(*value > 0) || *value > allowed) {
        j.Error("criticalDecrease",
                absl::StrCat("must be in (0, allowedDecrease = ", FormatNumber(allowed), "], got ",
                             j.Get("criticalDecrease").Scalar()));
      }
      *critical = *value;
    }
  }

  RateJudge Rate(YamlMap j) {
    RateJudge judge;
    if (!j.is_map()) return judge;
    if (auto events = j.String("events", true)) judge.events = *events;
    if (auto total = j.String("total", true)) judge.total = *total;
    if (auto direction = j.Enum("direction", kDirections))
      judge.direction = ToDirection(*direction);
    if (auto confidence = Confidence(j)) judge.confidence = *confidence;
    if (auto min_total = j.Integer("minTotal")) {
      if (*min_total < 1) {
        j.Error("minTotal", absl::StrCat("must be at least 1, got ", j.Get("minTotal").Scalar()));
      }
      judge.min_total = *min_total;
    }
    if (auto dispersion = j.Enum("dispersion", {"adjust", "ignore"})) {
      judge.adjust_dispersion = *dispersion == "adjust";
    }
    IncreaseRatios(j, "experiment to control rates", judge.allowed_increase,
                   judge.critical_increase);
    DecreaseRatios(j, "experiment to control rates", judge.allowed_decrease, nullptr);
    if (auto value = j.Number("allowedAbsoluteIncrease")) {
      if (!(*value >= 0 && *value < 1)) {
        j.Error("allowedAbsoluteIncrease",
                absl::StrCat("is a rise of the rate (0.001 = 0.1 percentage points) and must be "
                             "in [0,1), got ",
                             j.Get("allowedAbsoluteIncrease").Scalar()));
      }
      if (j.Has("allowedIncrease")) {
        j.Error("allowedAbsoluteIncrease",
                "choose allowedIncrease (a ratio) or allowedAbsoluteIncrease (a difference), "
                "not both");
      }
      judge.allowed_absolute_increase = *value;
    }
    if (judge.direction == Direction::kIncrease && j.Has("allowedDecrease")) {
      j.Error("allowedDecrease", "has no effect with direction: increase");
    }
    if (judge.direction == Direction::kDecrease &&
        (j.Has("allowedIncrease") || j.Has("allowedAbsoluteIncrease"))) {
      j.Error(j.Has("allowedIncrease") ? "allowedIncrease" : "allowedAbsoluteIncrease",
              "has no effect with direction: decrease");
    }
    return judge;
  }

  KolmogorovSmirnovJudge KolmogorovSmirnov(YamlMap j) {
    KolmogorovSmirnovJudge judge;
    if (!j.is_map()) return judge;
    if (auto direction = j.Enum("direction", kDirections))
      judge.direction = ToDirection(*direction);
    if (auto confidence = Confidence(j)) judge.confidence = *confidence;
    if (auto quantile = j.Number("quantile")) {
      if (!(*quantile > 0 && *quantile < 1)) {
        j.Error("quantile", absl::StrCat("must be in (0,1), e.g. 0.99 for the p99; got ",
                                         j.Get("quantile").Scalar()));
      }
      judge.quantile = *quantile;
    }
    if (auto autocorrelation = j.Enum("autocorrelation", {"adjust", "ignore"})) {
      judge.adjust_autocorrelation = *autocorrelation == "adjust";
    }
    std::optional<double> unused;
    IncreaseRatios(j, "experiment to control quantiles", judge.allowed_increase, unused);
    DecreaseRatios(j, "experiment to control quantiles", judge.allowed_decrease, nullptr);
    if (judge.direction == Direction::kIncrease && j.Has("allowedDecrease")) {
      j.Error("allowedDecrease", "has no effect with direction: increase");
    }
    if (judge.direction == Direction::kDecrease && j.Has("allowedIncrease")) {
      j.Error("allowedIncrease", "has no effect with direction: decrease");
    }
    return judge;
  }

  ThresholdJudge Threshold(YamlMap j) {
    ThresholdJudge judge;
    if (!j.is_map()) return judge;
    if (auto aggregate = j.String("aggregate")) {
      auto parsed = judges::ParseAggregate(*aggregate);
      if (!parsed.ok()) {
        j.Error("aggregate", std::string(parsed.status().message()));
      } else {
        judge.aggregate = parsed->name;
      }
    }
    judge.min = j.Number("min");
    judge.max = j.Number("max");
    for (const char* key : {"maxIncreasePercent", "maxDecreasePercent"}) {
      auto value = j.Number(key);
      if (!value) continue;
      if (*value < 0) j.Error(key, absl::StrCat("must not be negative, got ", j.Get(key).Scalar()));
      (std::string(key) == "maxIncreasePercent" ? judge.max_increase_percent
                                                : judge.max_decrease_percent) = *value;
    }
    if (judge.min && judge.max && *judge.min > *judge.max) {
      j.Error("min", absl::StrCat("must not be above max (", FormatNumber(*judge.max), "), got ",
                                  j.Get("min").Scalar()));
    }
    if (j.Has("criteria")) {
      const YAML::Node list = j.Get("criteria");
      const std::string path = j.PathOf("criteria");
      if (!list.IsSequence() || list.size() == 0) {
        d_.Error(path, absl::StrCat("must be a non-empty list of Keptn criteria such as "
                                    "[\"<=+10%\", \"<600\"], got ",
                                    KindName(list)));
      } else {
        for (size_t i = 0; i < list.size(); ++i) {
          if (!list[i].IsScalar()) {
            d_.Error(
                IndexPath(path, i),
                absl::StrCat("must be a criterion such as \"<=+10%\", got ", KindName(list[i])));
            continue;
          }
          const std::string text = list[i].Scalar();
          auto criterion = judges::ParseCriterion(text);
          if (!criterion.ok()) {
            d_.Error(IndexPath(path, i), std::string(criterion.status().message()));
            continue;
          }
          judge.criteria.push_back(criterion->text);
        }
      }
    }
    if (!j.Has("min") && !j.Has("max") && !j.Has("maxIncreasePercent") &&
        !j.Has("maxDecreasePercent") && !j.Has("criteria")) {
      d_.Error(j.path(),
               "needs at least one bound: min, max, maxIncreasePercent, maxDecreasePercent or "
               "criteria");
    }
    return judge;
  }

  // Which queries a metric has, and their placeholders.
  void CheckQueries(YamlMap& m, const Metric& metric, const AnalysisTemplate& t) {
    const bool rate = std::holds_alternative<RateJudge>(metric.judge);
    const bool has_query = m.Has("query");
    const bool has_control = m.Has("controlQuery");
    const bool has_experiment = m.Has("experimentQuery");
    if (rate) {
      for (const char* key : {"query", "controlQuery", "experimentQuery"}) {
        if (m.Has(key)) m.Error(key, "a rate judge takes its own events and total queries");
      }
      const std::string judge_path = ChildPath(m.PathOf("judge"), "rate");
      const auto& judge = std::get<RateJudge>(metric.judge);
      if (!judge.events.empty()) Placeholders(ChildPath(judge_path, "events"), judge.events, t);
      if (!judge.total.empty()) Placeholders(ChildPath(judge_path, "total"), judge.total, t);
      return;
    }
    if (has_query && (has_control || has_experiment)) {
      m.Error("query", "give either query (both sides) or controlQuery and experimentQuery");
    } else if (!has_query && has_control != has_experiment) {
      m.Error(has_control ? "experimentQuery" : "controlQuery",
              "is required with " + std::string(has_control ? "controlQuery" : "experimentQuery"));
    } else if (!has_query && !has_control && m.Has("judge")) {
      m.Error("query", "is required: the judge has nothing to measure");
    }
    for (const char* key : {"query", "controlQuery", "experimentQuery"}) {
      if (!m.Has(key)) continue;
      const std::string text = key == std::string("query")          ? metric.query
                               : key == std::string("controlQuery") ? metric.control_query
                                                                    : metric.experiment_query;
      if (text.empty()) {
        m.Error(key, "must not be empty");
        continue;
      }
      Placeholders(m.PathOf(key), text, t);
    }
  }

  void Placeholders(const std::string& path, const std::string& query, const AnalysisTemplate& t) {
    auto found = ScanPlaceholders(query);
    if (!found.ok()) {
      d_.Error(path, std::string(found.status().message()));
      return;
    }
    for (const Placeholder& placeholder : *found) {
      if (!absl::StartsWith(placeholder.name, "args.")) continue;
      const std::string arg = placeholder.name.substr(5);
      used_args_.insert(arg);
      bool declared = false;
      std::vector<std::string> names;
      for (const TemplateArg& a : t.args) {
        declared = declared || a.name == arg;
        names.push_back(a.name);
      }
      if (!declared) {
        d_.Error(path, absl::StrCat("uses {{args.", arg, "}} but spec.args does not declare '", arg,
                                    "'", DidYouMeanSuffix(arg, names)));
      }
    }
  }

  void CheckScoringGroups(YamlMap& spec, const AnalysisTemplate& t) {
    std::vector<std::string> groups;
    for (const Metric& metric : t.metrics) groups.push_back(metric.group);
    for (const auto& [group, weight] : t.scoring.group_weights) {
      if (std::find(groups.begin(), groups.end(), group) != groups.end()) continue;
      d_.Error(
          ChildPath(ChildPath(spec.PathOf("scoring"), "groups"), group),
          absl::StrCat("no metric is in group '", group, "'", DidYouMeanSuffix(group, groups)));
    }
  }

  void CheckArgsUsed(const AnalysisTemplate& t) {
    std::set<std::string> warned;
    for (const TemplateArg& arg : t.args) {
      if (!arg.name.empty() && used_args_.count(arg.name) == 0 && warned.insert(arg.name).second) {
        d_.Warning(arg_paths_[arg.name],
                   absl::StrCat("argument '", arg.name, "' is declared but no query uses it"));
      }
    }
  }

  Diagnostics& d_;
  std::set<std::string> used_args_;
  std::map<std::string, std::string> arg_paths_;
};

}  // namespace

TemplateLoad LoadTemplate(absl::string_view yaml) {
  TemplateLoad load;
  const std::optional<YAML::Node> root = ParseOneDocument(
      std::string(yaml), "an AnalysisTemplate", "put one template in each file", load.diagnostics);
  if (!root) return load;
  try {
    load.result = Loader(load.diagnostics).Load(*root);
  } catch (const YAML::Exception& e) {  // yaml-cpp throws on some malformed node access
    load.diagnostics.SyntaxError(e.mark.line + 1, e.mark.column + 1, absl::StrCat("YAML: ", e.msg));
    load.result.reset();
  }
  if (load.diagnostics.has_errors()) load.result.reset();
  return load;
}

TemplateLoad LoadTemplateFile(const std::string& path) {
  TemplateLoad load;
  const std::optional<std::string> text = ReadTextFile(path, load.diagnostics);
  if (!text) return load;
  return LoadTemplate(*text);
}

}  // namespace augur::config
