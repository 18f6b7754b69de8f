#include "config/template_writer.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "core/time_parse.h"

namespace augur::config {
namespace {

// Words YAML 1.1 or 1.2 readers take for booleans or null when plain.
bool IsReservedWord(absl::string_view text) {
  static constexpr std::array<absl::string_view, 11> kWords = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"};
  for (absl::string_view word : kWords) {
    if (absl::EqualsIgnoreCase(text, word)) return true;
  }
  return false;
}

// A plain scalar is written only for identifier-like text that no reader can take for anything
// but a string: a letter or '_' first, then letters, digits, '_', '-', '.', '/'.
bool CanBePlain(absl::string_view text) {
  if (text.empty() || IsReservedWord(text)) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(text[0])) && text[0] != '_') return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != '/') {
      return false;
    }
  }
  return true;
}

// The length of the character at `i` that YAML does not allow unescaped (C0 controls, DEL, C1
// controls, the line and paragraph separators, the byte-order mark), or 0.
size_t NonPrintableAt(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x20 || c == 0x7f) return 1;
  if (c == 0xc2 && i + 1 < text.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) return 2;
  if (c == 0xe2 && i + 2 < text.size() && byte(i + 1) == 0x80 &&
      (byte(i + 2) == 0xa8 || byte(i + 2) == 0xa9)) {
    return 3;
  }
  if (c == 0xef && i + 2 < text.size() && byte(i + 1) == 0xbb && byte(i + 2) == 0xbf) return 3;
  return 0;
}

std::string DoubleQuoted(absl::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const size_t special = NonPrintableAt(text, i);
    const char c = text[i];
    if (special == 0) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
      ++i;
      continue;
    }
    if (special == 1) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
      }
    } else if (special == 2) {  // C1 control U+0080..U+009F
      absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(text[i + 1]));
    } else {
      const unsigned char last = static_cast<unsigned char>(text[i + 2]);
      out += last == 0xa8 ? "\\u2028" : last == 0xa9 ? "\\u2029" : "\\ufeff";
    }
    i += special;
  }
  out += '"';
  return out;
}

std::string Quote(absl::string_view text) {
  if (CanBePlain(text)) return std::string(text);
  for (size_t i = 0; i < text.size(); ++i) {
    if (NonPrintableAt(text, i) != 0) return DoubleQuoted(text);
  }
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// The shortest decimal text that reads back as the same double.
std::string FormatNumber(double value) {
  std::array<char, 64> buffer;
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

const char* DirectionName(Direction direction) {
  switch (direction) {
    case Direction::kIncrease:
      return "increase";
    case Direction::kDecrease:
      return "decrease";
    case Direction::kEither:
      break;
  }
  return "either";
}

// Block-style YAML, two spaces per level.
class Writer {
 public:
  // "key: value" (value already formatted) at `depth`.
  void Field(int depth, absl::string_view key, absl::string_view value) {
    absl::StrAppend(&out_, Indent(depth), key, ": ", value, "\n");
  }
  void String(int depth, absl::string_view key, absl::string_view value) {
    Field(depth, key, Quote(value));
  }
  void Number(int depth, absl::string_view key, double value) {
    Field(depth, key, FormatNumber(value));
  }
  void Bool(int depth, absl::string_view key, bool value) {
    Field(depth, key, value ? "true" : "false");
  }
  // "key:" opening a nested mapping or list.
  void Open(int depth, absl::string_view key) { absl::StrAppend(&out_, Indent(depth), key, ":\n"); }
  // The first field of a list item: "- key: value".
  void Item(int depth, absl::string_view key, absl::string_view value) {
    absl::StrAppend(&out_, Indent(depth), "- ", key, ": ", Quote(value), "\n");
  }
  void Raw(absl::string_view line) { absl::StrAppend(&out_, line, "\n"); }

  std::string Take() { return std::move(out_); }

 private:
  static std::string Indent(int depth) { return std::string(2 * depth, ' '); }
  std::string out_;
};

void WriteMannWhitney(Writer& w, int depth, const MannWhitneyJudge& j) {
  w.Open(depth, "mannWhitney");
  w.Field(depth + 1, "direction", DirectionName(j.direction));
  w.Number(depth + 1, "confidence", j.confidence);
  const bool cles = j.effect_size == MannWhitneyJudge::EffectSize::kCles;
  const double neutral = cles ? 0.5 : 1.0;
  if (j.tolerance != MannWhitneyJudge().tolerance) w.Number(depth + 1, "tolerance", j.tolerance);
  if (cles) w.Field(depth + 1, "effectSize", "cles");
  if (j.mode == MannWhitneyJudge::Mode::kKayenta) w.Field(depth + 1, "mode", "kayenta");
  if (j.mode == MannWhitneyJudge::Mode::kAugur && !j.adjust_autocorrelation) {
    w.Field(depth + 1, "autocorrelation", "ignore");
  }
  if (j.allowed_increase != neutral && j.direction != Direction::kDecrease) {
    w.Number(depth + 1, "allowedIncrease", j.allowed_increase);
  }
  if (j.allowed_decrease != neutral && j.direction != Direction::kIncrease) {
    w.Number(depth + 1, "allowedDecrease", j.allowed_decrease);
  }
  if (j.critical_increase) w.Number(depth + 1, "criticalIncrease", *j.critical_increase);
  if (j.critical_decrease) w.Number(depth + 1, "criticalDecrease", *j.critical_decrease);
}

void WriteRate(Writer& w, int depth, const RateJudge& j) {
  w.Open(depth, "rate");
  w.String(depth + 1, "events", j.events);
  w.String(depth + 1, "total", j.total);
  w.Field(depth + 1, "direction", DirectionName(j.direction));
  w.Number(depth + 1, "confidence", j.confidence);
  w.Field(depth + 1, "minTotal", absl::StrCat(j.min_total));
  if (j.adjust_dispersion) w.Field(depth + 1, "dispersion", "adjust");
  if (j.allowed_increase != 1.0) w.Number(depth + 1, "allowedIncrease", j.allowed_increase);
  if (j.allowed_decrease != 1.0) w.Number(depth + 1, "allowedDecrease", j.allowed_decrease);
  if (j.allowed_absolute_increase) {
    w.Number(depth + 1, "allowedAbsoluteIncrease", *j.allowed_absolute_increase);
  }
  if (j.critical_increase) w.Number(depth + 1, "criticalIncrease", *j.critical_increase);
}

void WriteThreshold(Writer& w, int depth, const ThresholdJudge& j) {
  w.Open(depth, "threshold");
  if (j.aggregate != "mean") w.Field(depth + 1, "aggregate", j.aggregate);
  if (j.min) w.Number(depth + 1, "min", *j.min);
  if (j.max) w.Number(depth + 1, "max", *j.max);
  if (j.max_increase_percent) w.Number(depth + 1, "maxIncreasePercent", *j.max_increase_percent);
  if (j.max_decrease_percent) w.Number(depth + 1, "maxDecreasePercent", *j.max_decrease_percent);
  if (!j.criteria.empty()) {
    w.Open(depth + 1, "criteria");
    for (const std::string& criterion : j.criteria)
      w.Raw(absl::StrCat(std::string(2 * (depth + 2), ' '), "- ", Quote(criterion)));
  }
}

void WriteKolmogorovSmirnov(Writer& w, int depth, const KolmogorovSmirnovJudge& j) {
  const KolmogorovSmirnovJudge defaults;
  w.Open(depth, "kolmogorovSmirnov");
  w.Field(depth + 1, "direction", DirectionName(j.direction));
  w.Number(depth + 1, "confidence", j.confidence);
  if (j.quantile != defaults.quantile) w.Number(depth + 1, "quantile", j.quantile);
  if (!j.adjust_autocorrelation) w.Field(depth + 1, "autocorrelation", "ignore");
  if (j.allowed_increase != 1.0) w.Number(depth + 1, "allowedIncrease", j.allowed_increase);
  if (j.allowed_decrease != 1.0) w.Number(depth + 1, "allowedDecrease", j.allowed_decrease);
}

void WriteMetric(Writer& w, int depth, const Metric& m) {
  w.Item(depth, "name", m.name);
  const int d = depth + 1;
  if (!m.group.empty() && m.group != m.name) w.String(d, "group", m.group);
  if (!m.query.empty()) w.String(d, "query", m.query);
  if (!m.control_query.empty()) w.String(d, "controlQuery", m.control_query);
  if (!m.experiment_query.empty()) w.String(d, "experimentQuery", m.experiment_query);
  if (m.critical) w.Bool(d, "critical", true);
  if (!m.must_have_data) w.Bool(d, "mustHaveData", false);
  if (m.dry_run) w.Bool(d, "dryRun", true);
  if (m.nan_replace) w.Field(d, "nanStrategy", "replace");
  if (m.outliers.remove || m.outliers.factor != Outliers().factor) {
    w.Open(d, "outliers");
    w.Field(d + 1, "strategy", m.outliers.remove ? "remove" : "keep");
    if (m.outliers.factor != Outliers().factor) w.Number(d + 1, "factor", m.outliers.factor);
  }
  if (!m.instances.empty()) w.Field(d, "instances", m.instances);
  if (m.better) w.Field(d, "better", *m.better == Better::kIncrease ? "increase" : "decrease");
  if (m.guardrail) w.Bool(d, "guardrail", true);
  if (m.minimum_effect) w.Number(d, "minimumEffect", *m.minimum_effect);
  if (m.non_inferiority_margin) w.Number(d, "nonInferiorityMargin", *m.non_inferiority_margin);
  w.Open(d, "judge");
  std::visit(
      [&](const auto& judge) {
        using J = std::decay_t<decltype(judge)>;
        if constexpr (std::is_same_v<J, MannWhitneyJudge>) {
          WriteMannWhitney(w, d + 1, judge);
        } else if constexpr (std::is_same_v<J, RateJudge>) {
          WriteRate(w, d + 1, judge);
        } else if constexpr (std::is_same_v<J, ThresholdJudge>) {
          WriteThreshold(w, d + 1, judge);
        } else {
          WriteKolmogorovSmirnov(w, d + 1, judge);
        }
      },
      m.judge);
}

}  // namespace

std::string WriteTemplateYaml(const AnalysisTemplate& t) {
  Writer w;
  w.Raw("apiVersion: augur/v1");
  w.Raw("kind: AnalysisTemplate");
  w.Open(0, "metadata");
  w.String(1, "name", t.name);
  if (!t.description.empty()) w.String(1, "description", t.description);
  w.Open(0, "spec");
  if (!t.args.empty()) {
    w.Open(1, "args");
    for (const TemplateArg& arg : t.args) {
      w.Item(2, "name", arg.name);
      if (arg.default_value) w.String(3, "default", *arg.default_value);
      if (!arg.description.empty()) w.String(3, "description", arg.description);
    }
  }
  if (t.provider.inline_prometheus) {
    const InlinePrometheus& p = *t.provider.inline_prometheus;
    w.Open(1, "provider");
    w.Open(2, "prometheus");
    w.String(3, "address", p.address);
    if (!p.headers.empty()) {
      w.Open(3, "headers");
      for (const auto& [name, value] : p.headers) w.Field(4, Quote(name), Quote(value));
    }
    if (!p.bearer_token_file.empty()) w.String(3, "bearerTokenFile", p.bearer_token_file);
  } else if (!t.provider.name.empty()) {
    w.String(1, "provider", t.provider.name);
  }
  w.Field(1, "step", FormatPromDuration(t.step));
  w.Open(1, "scoring");
  w.Number(2, "pass", t.scoring.pass);
  w.Number(2, "marginal", t.scoring.marginal);
  if (!t.scoring.group_weights.empty()) {
    w.Open(2, "groups");
    for (const auto& [group, weight] : t.scoring.group_weights) {
      w.Field(3, Quote(group), FormatNumber(weight));
    }
  }
  if (t.error_control == ErrorControl::kNone) w.Field(1, "errorControl", "none");
  w.Open(1, "metrics");
  for (const Metric& metric : t.metrics) WriteMetric(w, 2, metric);
  return w.Take();
}

}  // namespace augur::config
