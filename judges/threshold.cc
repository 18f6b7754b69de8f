#include "judges/threshold.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "judges/descriptive.h"

namespace augur::judges {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr absl::string_view kAcceptedAggregates =
    "accepted: mean, median, min, max, last, or pNN with 0 < NN < 100 (p50, p90, p95, p99, p99.9)";

absl::Status AggregateError(absl::string_view text, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("aggregate '", text, "' ", what, "; ", kAcceptedAggregates));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t SkipDigits(absl::string_view s, size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

}  // namespace

absl::StatusOr<Aggregate> ParseAggregate(absl::string_view text) {
  const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (name.empty()) return AggregateError(trimmed, "is empty");
  static constexpr struct {
    absl::string_view name;
    Aggregate::Kind kind;
  } kNamed[] = {{"mean", Aggregate::Kind::kMean},
                {"median", Aggregate::Kind::kMedian},
                {"min", Aggregate::Kind::kMin},
                {"max", Aggregate::Kind::kMax},
                {"last", Aggregate::Kind::kLast}};
  for (const auto& named : kNamed) {
    if (name == named.name) {
      Aggregate aggregate;
      aggregate.kind = named.kind;
      aggregate.name = std::string(named.name);
      return aggregate;
    }
  }
  if (name.size() < 2 || name[0] != 'p' || !IsDigit(name[1])) {
    return AggregateError(trimmed, "is unknown");
  }
  // pNN: digits, optionally '.' and more digits.
  const absl::string_view number = absl::string_view(name).substr(1);
  const size_t int_end = SkipDigits(number, 0);
  size_t end = int_end;
  absl::string_view fraction;
  if (end < number.size() && number[end] == '.') {
    const size_t fraction_end = SkipDigits(number, end + 1);
    fraction = number.substr(end + 1, fraction_end - end - 1);
    end = fraction.empty() ? end : fraction_end;
  }
  if (end != number.size()) {
    return AggregateError(trimmed,
                          "is not a percentile: write p, then digits with an optional decimal "
                          "fraction");
  }
  absl::string_view integer = number.substr(0, int_end);
  while (integer.size() > 1 && integer[0] == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  const std::string canonical =
      fraction.empty() ? absl::StrCat(integer) : absl::StrCat(integer, ".", fraction);
  double percentile = 0;
  if (!absl::SimpleAtod(canonical, &percentile) || !(percentile > 0.0 && percentile < 100.0)) {
    return AggregateError(trimmed,
                          "is out of range: a percentile must be strictly between 0 and 100 (use "
                          "min or max for the ends)");
  }
  Aggregate aggregate;
  aggregate.kind = Aggregate::Kind::kPercentile;
  aggregate.percentile = percentile;
  aggregate.name = absl::StrCat("p", canonical);
  return aggregate;
}

double ComputeAggregate(absl::Span<const double> values_in_time_order, const Aggregate& aggregate) {
  const absl::Span<const double> values = values_in_time_order;
  if (values.empty()) return kNaN;
  if (aggregate.kind == Aggregate::Kind::kLast) return values.back();
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    return kNaN;
  }
  switch (aggregate.kind) {
    case Aggregate::Kind::kMean:
      return Mean(values);
    case Aggregate::Kind::kMedian:
      return Percentile(values, 50.0);
    case Aggregate::Kind::kMin:
      return *std::min_element(values.begin(), values.end());
    case Aggregate::Kind::kMax:
      return *std::max_element(values.begin(), values.end());
    case Aggregate::Kind::kPercentile:
      return Percentile(values, aggregate.percentile);
    case Aggregate::Kind::kLast:
      break;
  }
  return values.back();
}

absl::StatusOr<Criterion> ParseCriterion(absl::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  auto error = [t](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("criterion '", t, "': ", what));
  };
  if (t.empty()) {
    return error(
        "empty; write an operator (<, <=, =, >=, >) and a number, such as \"<600\" or "
        "\"<=+10%\"");
  }
  auto skip_space = [t](size_t i) {
    while (i < t.size() && absl::ascii_isspace(static_cast<unsigned char>(t[i]))) ++i;
    return i;
  };

  Criterion criterion;
  criterion.text = std::string(t);
  size_t i = 0;
  while (i < t.size() && (t[i] == '<' || t[i] == '>' || t[i] == '=' || t[i] == '!')) ++i;
  const absl::string_view op = t.substr(0, i);
  if (op.empty()) return error("no operator; start with <, <=, =, >= or >");
  if (op == "<") {
    criterion.op = Criterion::Op::kLess;
  } else if (op == "<=") {
    criterion.op = Criterion::Op::kLessEqual;
  } else if (op == "=") {
    criterion.op = Criterion::Op::kEqual;
  } else if (op == ">=") {
    criterion.op = Criterion::Op::kGreaterEqual;
  } else if (op == ">") {
    criterion.op = Criterion::Op::kGreater;
  } else {
    return error(absl::StrCat("unknown operator '", op, "'; Keptn's are <, <=, =, >= and >"));
  }

  i = skip_space(i);
  char sign = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    sign = t[i];
    i = skip_space(i + 1);
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) return error("more than one sign");
  }

  // number: digits [. digits] or . digits, then an optional exponent.
  const size_t number_start = i;
  const size_t int_end = SkipDigits(t, i);
  size_t number_end = int_end;
  bool has_digits = int_end > i;
  if (number_end < t.size() && t[number_end] == '.') {
    const size_t fraction_end = SkipDigits(t, number_end + 1);
    has_digits = has_digits || fraction_end > number_end + 1;
    number_end = fraction_end;
  }
  if (!has_digits) {
    size_t word_end = i;
    while (word_end < t.size() && t[word_end] != '%' &&
           !absl::ascii_isspace(static_cast<unsigned char>(t[word_end]))) {
      ++word_end;
    }
    const absl::string_view word = t.substr(i, word_end - i);
    if (word.empty()) return error("no number after the operator");
    const std::string lower = absl::AsciiStrToLower(word);
    if (absl::StartsWith(lower, "inf") || absl::StartsWith(lower, "nan")) {
      return error(absl::StrCat("the number must be finite, got '", word, "'"));
    }
    return error(absl::StrCat("'", word, "' is not a number"));
  }
  if (number_end < t.size() && (t[number_end] == 'e' || t[number_end] == 'E')) {
    size_t exponent = number_end + 1;
    if (exponent < t.size() && (t[exponent] == '+' || t[exponent] == '-')) ++exponent;
    const size_t exponent_end = SkipDigits(t, exponent);
    if (exponent_end > exponent) number_end = exponent_end;
  }
  const absl::string_view number = t.substr(number_start, number_end - number_start);
  double magnitude = 0;
  if (!absl::SimpleAtod(number, &magnitude) || !std::isfinite(magnitude)) {
    return error(absl::StrCat("the number '", number, "' is out of range"));
  }

  i = skip_space(number_end);
  const bool percent = i < t.size() && t[i] == '%';
  if (percent) i = skip_space(i + 1);
  if (i != t.size()) {
    return error(absl::StrCat("unexpected '", t.substr(i), "' after '",
                              absl::StripTrailingAsciiWhitespace(t.substr(0, i)), "'"));
  }

  criterion.value = sign == '-' ? -magnitude : magnitude;
  if (percent) {
    criterion.kind = Criterion::Kind::kRelativePercent;
  } else if (sign != 0) {
    criterion.kind = Criterion::Kind::kRelativeChange;
  } else {
    criterion.kind = Criterion::Kind::kAbsolute;
  }
  return criterion;
}

absl::StatusOr<CriterionOutcome> EvaluateCriterion(const Criterion& criterion, double experiment,
                                                   double control) {
  const auto precondition = [&criterion](absl::string_view what) {
    return absl::FailedPreconditionError(absl::StrCat("criterion '", criterion.text, "': ", what));
  };
  if (std::isnan(experiment)) return precondition("the experiment has no value (NaN)");
  if (criterion.needs_control() && std::isnan(control)) {
    return precondition("relative to the control, but the control has no value (NaN)");
  }
  CriterionOutcome outcome;
  switch (criterion.kind) {
    case Criterion::Kind::kAbsolute:
      outcome.bound = criterion.value;
      break;
    case Criterion::Kind::kRelativeChange:
      outcome.bound = control + criterion.value;
      break;
    case Criterion::Kind::kRelativePercent:
      // Keptn's arithmetic for a control >= 0; its mirror below 0, so that the bound moves by
      // |control| * value / 100 in the direction of the sign.
      outcome.bound = control >= 0.0 ? control * (100.0 + criterion.value) / 100.0
                                     : control * (100.0 - criterion.value) / 100.0;
      break;
  }
  if (std::isnan(outcome.bound)) {
    return precondition(absl::StrCat("the bound is undefined for a control of ", control));
  }
  const double bound = outcome.bound;
  bool too_high = false;
  bool too_low = false;
  switch (criterion.op) {
    case Criterion::Op::kLess:
      too_high = !(experiment < bound);
      break;
    case Criterion::Op::kLessEqual:
      too_high = !(experiment <= bound);
      break;
    case Criterion::Op::kGreater:
      too_low = !(experiment > bound);
      break;
    case Criterion::Op::kGreaterEqual:
      too_low = !(experiment >= bound);
      break;
    case Criterion::Op::kEqual:
      too_high = experiment > bound;
      too_low = experiment < bound;
      break;
  }
  outcome.satisfied = !too_high && !too_low;
  outcome.violation = too_high  ? CriterionOutcome::Violation::kAbove
                      : too_low ? CriterionOutcome::Violation::kBelow
                                : CriterionOutcome::Violation::kNone;
  return outcome;
}

}  // namespace augur::judges
