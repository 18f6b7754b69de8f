// A threshold judge's arithmetic: the aggregate that turns one side's points into a number, and
// Keptn's SLO criteria ("<600", "<=+10%", ">-5") that bound the experiment's aggregate, absolutely
// or relative to the control's.
//
// The criteria follow Keptn v1's lighthouse-service (keptn/keptn,
// lighthouse-service/event_handler/evaluate_sli_handler.go: parseCriteriaString and
// evaluateComparison, the same in every version read, e.g. commit bfb6edb5; shared/reference/
// controllers.md §3.1 describes release 1.4.5), with augur's control in the place of Keptn's
// aggregated previous evaluations. Where augur departs from Keptn, on purpose:
//   * a relative criterion without a control value is a FailedPrecondition, not a pass;
//   * a percentage of a negative control moves the bound away from it in the direction of the
//     sign ("+10%" of -200 is -180, Keptn computes -220);
//   * text Keptn's Go parser accepts but likely misreads is an error here: two signs ("<=+-5";
//     Keptn's bound is control - 5), a space inside the number ("<1 0"; Keptn reads 10), "NaN" and
//     "Inf", hexadecimal floats ("<0x1p4"). Tabs between the parts are ignored like spaces (Keptn
//     removes only spaces).
//
// Pure: no I/O, no clock, no randomness; deterministic. Thread-safe.
#ifndef AUGUR_JUDGES_THRESHOLD_H_
#define AUGUR_JUDGES_THRESHOLD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace augur::judges {

// How one side's points become the number a criterion bounds.
struct Aggregate {
  enum class Kind { kMean, kMedian, kMin, kMax, kLast, kPercentile };
  Kind kind = Kind::kMean;
  double percentile = 0;  // kPercentile only: in (0, 100)
  std::string name;       // canonical text: "mean", "median", "min", "max", "last", "p95", "p99.9"
};

// Parses "mean", "median", "min", "max", "last" or "pNN" with 0 < NN < 100 written as digits with
// an optional decimal fraction ("p50", "p90", "p95", "p99", "p99.9", "p0.5"). Case and surrounding
// whitespace are ignored; the canonical name is lower case without leading or trailing zeros
// ("P095.50" is "p95.5"). "p50" stays a percentile named "p50" (same value as "median").
// Errors: kInvalidArgument whose message names the text and lists the accepted forms.
absl::StatusOr<Aggregate> ParseAggregate(absl::string_view text);

// The aggregate of one side's points, given in time order (kLast takes the final one). Mean as
// judges::Mean (compensated), percentiles and the median as judges::Percentile (R-7, R's default
// quantile type). NaN for no points. Expects NaN-free points: if any is NaN, every aggregate but
// kLast is NaN, and kLast is the final point whatever it is.
double ComputeAggregate(absl::Span<const double> values_in_time_order, const Aggregate& aggregate);

// One Keptn criterion: an operator and a number, the number absolute or relative to the control.
//   "<600", "<=800", "=0"   kAbsolute: the bound is the number.
//   "<=+10%", ">=-5%"       kRelativePercent: the bound is the control moved by that percentage
//   "<=10%"                   (a '%' without a sign is an increase, as in Keptn).
//   "<+100", ">-5"          kRelativeChange: the bound is control + value.
// So an explicit sign makes a number relative: Keptn has no way to write a negative absolute
// bound, and neither has augur.
struct Criterion {
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };
  enum class Kind { kAbsolute, kRelativePercent, kRelativeChange };
  Op op = Op::kLess;
  Kind kind = Kind::kAbsolute;
  double value = 0;  // signed for the relative kinds: "+10%" is 10, "-5%" is -5, "<=10%" is 10
  std::string text;  // as written, surrounding whitespace trimmed

  bool needs_control() const { return kind != Kind::kAbsolute; }
};

// Parses a criterion. Grammar (whitespace between the parts is ignored, as Keptn removes spaces):
//   operator [sign] number [%]
//   operator: <  <=  =  >=  >      ("==", "=<", "=>", "<>", "!=" are errors, as in Keptn)
//   sign:     +  -
//   number:   digits with an optional '.' fraction and e/E exponent: "10", "10.5", ".5", "5.",
//             "1e3"; finite.
// Errors: kInvalidArgument, message "criterion '<text>': <what is wrong>" (empty text, no
// operator, an unknown operator, no number, a bad or non-finite number, text after the number).
absl::StatusOr<Criterion> ParseCriterion(absl::string_view text);

struct CriterionOutcome {
  bool satisfied = false;
  // The value the experiment was compared against: the criterion's number, or the bound resolved
  // from the control.
  double bound = 0;
  // kAbove: the experiment is too high (an upper bound "<" / "<=" failed, or "=" with the
  // experiment above the bound); kBelow: too low. kNone when satisfied.
  enum class Violation { kNone, kAbove, kBelow };
  Violation violation = Violation::kNone;
};

// Evaluates the experiment's aggregate against the criterion. The control's aggregate is read
// only by the relative kinds:
//   kRelativeChange:  bound = control + value.
//   kRelativePercent: bound = control + |control| * value / 100, computed as Keptn does for a
//     control >= 0, control * (100 + value) / 100, and as control * (100 - value) / 100 below 0.
//     "+10%" thus always allows the experiment to be at most 10% of the control's magnitude
//     higher, whatever the control's sign; a control of 0 gives the bound 0.
// "=" is exact equality, as in Keptn. Infinities compare as IEEE says.
// Errors (kFailedPrecondition, message naming the criterion and the side): the experiment is NaN
// (it has no value); the criterion is relative and the control is NaN; the bound is undefined
// (an infinite control with "-100%", for instance).
absl::StatusOr<CriterionOutcome> EvaluateCriterion(const Criterion& criterion, double experiment,
                                                   double control);

}  // namespace augur::judges

#endif  // AUGUR_JUDGES_THRESHOLD_H_
