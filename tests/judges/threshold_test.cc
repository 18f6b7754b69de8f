// Known answers for the threshold judge's arithmetic.
//   * Keptn: keptn/keptn lighthouse-service/event_handler/evaluate_sli_handler_test.go
//     (TestParseCriteriaString, TestEvaluateComparison; the keptnv2 version of the file), and the
//     criteria examples of shared/reference/controllers.md §3.1 (Keptn 1.4.5); the parser they
//     test is parseCriteriaString in evaluate_sli_handler.go.
//   * R 4.2.2: x <- c(12, 15, 11, 19, 30, 14, 13, 22, 17, 16); mean(x), median(x), and
//     quantile(x, p, type = 7), printed with sprintf("%.17g", ...).
#include "judges/threshold.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Kind = Aggregate::Kind;
using Op = Criterion::Op;
using CKind = Criterion::Kind;
using Violation = CriterionOutcome::Violation;

const std::vector<double> kSeries = {12, 15, 11, 19, 30, 14, 13, 22, 17, 16};

constexpr char kAccepted[] =
    "; accepted: mean, median, min, max, last, or pNN with 0 < NN < 100 (p50, p90, p95, p99, "
    "p99.9)";

TEST(AggregateParseTest, AcceptedForms) {
  const struct {
    const char* text;
    Kind kind;
    double percentile;
    const char* name;
  } kCases[] = {
      {"mean", Kind::kMean, 0, "mean"},
      {"median", Kind::kMedian, 0, "median"},
      {"min", Kind::kMin, 0, "min"},
      {"max", Kind::kMax, 0, "max"},
      {"last", Kind::kLast, 0, "last"},
      {"MEAN", Kind::kMean, 0, "mean"},
      {"p50", Kind::kPercentile, 50, "p50"},
      {"p90", Kind::kPercentile, 90, "p90"},
      {"p95", Kind::kPercentile, 95, "p95"},
      {"p99", Kind::kPercentile, 99, "p99"},
      {"p99.9", Kind::kPercentile, 99.9, "p99.9"},
      {" P95 ", Kind::kPercentile, 95, "p95"},
      {"p095", Kind::kPercentile, 95, "p95"},
      {"p99.90", Kind::kPercentile, 99.9, "p99.9"},
      {"p50.0", Kind::kPercentile, 50, "p50"},
      {"p0.5", Kind::kPercentile, 0.5, "p0.5"},
      {"p00.1", Kind::kPercentile, 0.1, "p0.1"},
      {"p99.999", Kind::kPercentile, 99.999, "p99.999"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    const absl::StatusOr<Aggregate> a = ParseAggregate(c.text);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->kind, c.kind);
    EXPECT_EQ(a->percentile, c.percentile);
    EXPECT_EQ(a->name, c.name);
    // The canonical name parses to itself.
    const absl::StatusOr<Aggregate> again = ParseAggregate(a->name);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->name, a->name);
  }
}

TEST(AggregateParseTest, RejectedFormsListTheAcceptedOnes) {
  constexpr char kRange[] =
      " is out of range: a percentile must be strictly between 0 and 100 (use min or max for the "
      "ends)";
  constexpr char kMalformed[] =
      " is not a percentile: write p, then digits with an optional decimal fraction";
  const struct {
    const char* text;
    std::string message;
  } kCases[] = {
      {"", std::string("aggregate '' is empty") + kAccepted},
      {"  ", std::string("aggregate '' is empty") + kAccepted},
      {"avg", std::string("aggregate 'avg' is unknown") + kAccepted},
      {"p", std::string("aggregate 'p' is unknown") + kAccepted},
      {"percentile", std::string("aggregate 'percentile' is unknown") + kAccepted},
      {"p-5", std::string("aggregate 'p-5' is unknown") + kAccepted},
      {"p.5", std::string("aggregate 'p.5' is unknown") + kAccepted},
      {"p0", std::string("aggregate 'p0'") + kRange + kAccepted},
      {"p0.000", std::string("aggregate 'p0.000'") + kRange + kAccepted},
      {"p100", std::string("aggregate 'p100'") + kRange + kAccepted},
      {"p101", std::string("aggregate 'p101'") + kRange + kAccepted},
      {"p5.", std::string("aggregate 'p5.'") + kMalformed + kAccepted},
      {"p9x", std::string("aggregate 'p9x'") + kMalformed + kAccepted},
      {"p1e1", std::string("aggregate 'p1e1'") + kMalformed + kAccepted},
      {"p 95", std::string("aggregate 'p 95' is unknown") + kAccepted},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    const absl::StatusOr<Aggregate> a = ParseAggregate(c.text);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(a.status().message(), c.message);
  }
}

double Compute(const std::vector<double>& values, const char* aggregate) {
  const absl::StatusOr<Aggregate> a = ParseAggregate(aggregate);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? ComputeAggregate(values, *a) : kNaN;
}

TEST(AggregateComputeTest, MatchesR) {
  EXPECT_EQ(Compute(kSeries, "mean"), 16.899999999999999);  // R: mean(x)
  EXPECT_EQ(Compute(kSeries, "median"), 15.5);              // R: median(x)
  EXPECT_EQ(Compute(kSeries, "p50"), 15.5);
  EXPECT_EQ(Compute(kSeries, "min"), 11);
  EXPECT_EQ(Compute(kSeries, "max"), 30);
  EXPECT_EQ(Compute(kSeries, "last"), 16);  // time order, not sorted order
  // R: quantile(x, c(0.9, 0.95, 0.99, 0.999), type = 7). R interpolates as (1-f) v[l] + f v[l+1],
  // augur as v[l] + f (v[l+1] - v[l]) (Kayenta's form): equal up to a few ulps.
  const struct {
    const char* aggregate;
    double r;
  } kCases[] = {{"p90", 22.799999999999997},
                {"p95", 26.399999999999991},
                {"p99", 29.280000000000001},
                {"p99.9", 29.927999999999997}};
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.aggregate);
    EXPECT_NEAR(Compute(kSeries, c.aggregate), c.r, 1e-13 * c.r);
  }
}

TEST(AggregateComputeTest, NoPointsIsNaN) {
  for (const char* a : {"mean", "median", "min", "max", "last", "p95"}) {
    SCOPED_TRACE(a);
    EXPECT_TRUE(std::isnan(Compute({}, a)));
  }
}

TEST(AggregateComputeTest, NaNPointsGiveNaNButLastIsTheLastPoint) {
  const std::vector<double> v = {1, kNaN, 3};
  for (const char* a : {"mean", "median", "min", "max", "p95"}) {
    SCOPED_TRACE(a);
    EXPECT_TRUE(std::isnan(Compute(v, a)));
  }
  EXPECT_EQ(Compute(v, "last"), 3);
  EXPECT_TRUE(std::isnan(Compute({1, kNaN}, "last")));
}

TEST(AggregateComputeTest, OnePoint) {
  for (const char* a : {"mean", "median", "min", "max", "last", "p0.5", "p99.9"}) {
    SCOPED_TRACE(a);
    EXPECT_EQ(Compute({42}, a), 42);
  }
}

TEST(CriterionParseTest, ValidCriteria) {
  const struct {
    const char* input;
    const char* text;
    Op op;
    CKind kind;
    double value;
  } kCases[] = {
      // controllers.md §3.1 examples.
      {"<600", "<600", Op::kLess, CKind::kAbsolute, 600},
      {"<=800", "<=800", Op::kLessEqual, CKind::kAbsolute, 800},
      {"=0", "=0", Op::kEqual, CKind::kAbsolute, 0},
      {"<=+10%", "<=+10%", Op::kLessEqual, CKind::kRelativePercent, 10},
      {">=-80%", ">=-80%", Op::kGreaterEqual, CKind::kRelativePercent, -80},
      {"<+100", "<+100", Op::kLess, CKind::kRelativeChange, 100},
      {">-5", ">-5", Op::kGreater, CKind::kRelativeChange, -5},
      // Keptn's TestParseCriteriaString table.
      {"<10", "<10", Op::kLess, CKind::kAbsolute, 10},
      {"<=10", "<=10", Op::kLessEqual, CKind::kAbsolute, 10},
      {"=10", "=10", Op::kEqual, CKind::kAbsolute, 10},
      {">=10", ">=10", Op::kGreaterEqual, CKind::kAbsolute, 10},
      {">10", ">10", Op::kGreater, CKind::kAbsolute, 10},
      {">-10%", ">-10%", Op::kGreater, CKind::kRelativePercent, -10},
      {"<=+10.5%", "<=+10.5%", Op::kLessEqual, CKind::kRelativePercent, 10.5},
      {"<=+10", "<=+10", Op::kLessEqual, CKind::kRelativeChange, 10},
      {"  <=+10   %", "<=+10   %", Op::kLessEqual, CKind::kRelativePercent, 10},
      {"  <=10%", "<=10%", Op::kLessEqual, CKind::kRelativePercent, 10},  // '%' alone: increase
      // Whitespace between the parts, number forms.
      {"<=10 %", "<=10 %", Op::kLessEqual, CKind::kRelativePercent, 10},
      {"< 600", "< 600", Op::kLess, CKind::kAbsolute, 600},
      {"<= + 10 %", "<= + 10 %", Op::kLessEqual, CKind::kRelativePercent, 10},
      {"\t>= -0.5\n", ">= -0.5", Op::kGreaterEqual, CKind::kRelativeChange, -0.5},
      {"<=.5", "<=.5", Op::kLessEqual, CKind::kAbsolute, 0.5},
      {"<=5.", "<=5.", Op::kLessEqual, CKind::kAbsolute, 5},
      {"<1e3", "<1e3", Op::kLess, CKind::kAbsolute, 1000},
      {"<=+1.5E1%", "<=+1.5E1%", Op::kLessEqual, CKind::kRelativePercent, 15},
      {"=-0", "=-0", Op::kEqual, CKind::kRelativeChange, 0},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.input);
    const absl::StatusOr<Criterion> parsed = ParseCriterion(c.input);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->text, c.text);
    EXPECT_EQ(parsed->op, c.op);
    EXPECT_EQ(parsed->kind, c.kind);
    EXPECT_EQ(parsed->value, c.value);
    EXPECT_EQ(parsed->needs_control(), c.kind != CKind::kAbsolute);
  }
}

TEST(CriterionParseTest, InvalidCriteriaSayWhatIsWrong) {
  const struct {
    const char* input;
    const char* message;
  } kCases[] = {
      {"",
       "criterion '': empty; write an operator (<, <=, =, >=, >) and a number, such as \"<600\" "
       "or \"<=+10%\""},
      {"   ",
       "criterion '': empty; write an operator (<, <=, =, >=, >) and a number, such as \"<600\" "
       "or \"<=+10%\""},
      {"600", "criterion '600': no operator; start with <, <=, =, >= or >"},
      {"+10%", "criterion '+10%': no operator; start with <, <=, =, >= or >"},
      {"==5", "criterion '==5': unknown operator '=='; Keptn's are <, <=, =, >= and >"},
      {"=<5", "criterion '=<5': unknown operator '=<'; Keptn's are <, <=, =, >= and >"},
      {"=>5", "criterion '=>5': unknown operator '=>'; Keptn's are <, <=, =, >= and >"},
      {"<>5", "criterion '<>5': unknown operator '<>'; Keptn's are <, <=, =, >= and >"},
      {"!=5", "criterion '!=5': unknown operator '!='; Keptn's are <, <=, =, >= and >"},
      {"<", "criterion '<': no number after the operator"},
      {"<=+", "criterion '<=+': no number after the operator"},
      {"<=%", "criterion '<=%': no number after the operator"},
      {"<=abc", "criterion '<=abc': 'abc' is not a number"},
      {"<=inf", "criterion '<=inf': the number must be finite, got 'inf'"},
      {"<=Infinity", "criterion '<=Infinity': the number must be finite, got 'Infinity'"},
      {"<=+NaN%", "criterion '<=+NaN%': the number must be finite, got 'NaN'"},
      {"<=1e400", "criterion '<=1e400': the number '1e400' is out of range"},
      {"<=++5", "criterion '<=++5': more than one sign"},
      {"<=+-5%", "criterion '<=+-5%': more than one sign"},
      {"<=1 0", "criterion '<=1 0': unexpected '0' after '<=1'"},
      {"<=10%%", "criterion '<=10%%': unexpected '%' after '<=10%'"},
      {"<=10ms", "criterion '<=10ms': unexpected 'ms' after '<=10'"},
      {"<=0x10", "criterion '<=0x10': unexpected 'x10' after '<=0'"},
      {"<=1e", "criterion '<=1e': unexpected 'e' after '<=1'"},
      {"<600 <800", "criterion '<600 <800': unexpected '<800' after '<600'"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.input);
    const absl::StatusOr<Criterion> parsed = ParseCriterion(c.input);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), c.message);
  }
}

CriterionOutcome Evaluate(const char* text, double experiment, double control) {
  const absl::StatusOr<Criterion> criterion = ParseCriterion(text);
  EXPECT_TRUE(criterion.ok()) << criterion.status();
  if (!criterion.ok()) return {};
  const absl::StatusOr<CriterionOutcome> outcome =
      EvaluateCriterion(*criterion, experiment, control);
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : CriterionOutcome{};
}

struct EvaluationCase {
  const char* criterion;
  double experiment;
  double control;
  bool satisfied;
  double bound;
  Violation violation;
};

void ExpectOutcomes(absl::Span<const EvaluationCase> cases) {
  for (const EvaluationCase& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << c.criterion << " experiment " << c.experiment << " control " << c.control);
    const CriterionOutcome o = Evaluate(c.criterion, c.experiment, c.control);
    EXPECT_EQ(o.satisfied, c.satisfied);
    EXPECT_EQ(o.bound, c.bound);
    EXPECT_EQ(o.violation, c.violation);
  }
}

TEST(CriterionEvaluateTest, KeptnComparisons) {
  // Keptn's TestEvaluateComparison: the control is the average (or p50) of [10, 10].
  ExpectOutcomes({
      {"<=+10%", 10, 10, true, 11, Violation::kNone},
      {"<=+10%", 11.01, 10, false, 11, Violation::kAbove},
      {"<+0%", 10, 10, false, 10, Violation::kAbove},
      {">+0%", 10, 10, false, 10, Violation::kBelow},
      {"=+1", 11, 10, true, 11, Violation::kNone},
      {"=-1", 9, 10, true, 9, Violation::kNone},
      {">=-10%", 10, 10, true, 9, Violation::kNone},
  });
  // controllers.md §3.1 with B = 200: B*1.10, B*0.20, B+100, B-5.
  ExpectOutcomes({
      {"<=+10%", 220, 200, true, 220, Violation::kNone},
      {"<=+10%", 221, 200, false, 220, Violation::kAbove},
      {">=-80%", 40, 200, true, 40, Violation::kNone},
      {">=-80%", 39, 200, false, 40, Violation::kBelow},
      {"<+100", 300, 200, false, 300, Violation::kAbove},
      {">-5", 195.5, 200, true, 195, Violation::kNone},
      {"<=10%", 220, 200, true, 220, Violation::kNone},  // '%' without sign: an increase
  });
}

TEST(CriterionEvaluateTest, AbsoluteIgnoresTheControl) {
  ExpectOutcomes({
      {"<600", 599.9, kNaN, true, 600, Violation::kNone},
      {"<600", 600, 1, false, 600, Violation::kAbove},
      {"<=600", 600, 1, true, 600, Violation::kNone},
      {">0.99", 0.99, kNaN, false, 0.99, Violation::kBelow},
      {">=0.99", 0.99, kNaN, true, 0.99, Violation::kNone},
      {"=0", 0, kNaN, true, 0, Violation::kNone},
      {"=0", 1e-300, kNaN, false, 0, Violation::kAbove},
      {"=0", -1, kNaN, false, 0, Violation::kBelow},
      {"<600", kInf, kNaN, false, 600, Violation::kAbove},
      {">0", -kInf, kNaN, false, 0, Violation::kBelow},
  });
}

TEST(CriterionEvaluateTest, NegativeAndZeroControls) {
  // A percentage moves the bound by |control| * value / 100 in the direction of its sign (Keptn
  // would give -220 and -190 for the first two).
  ExpectOutcomes({
      {"<=+10%", -180, -200, true, -180, Violation::kNone},
      {"<=+10%", -179, -200, false, -180, Violation::kAbove},
      {">=-5%", -210, -200, true, -210, Violation::kNone},
      {">=-5%", -211, -200, false, -210, Violation::kBelow},
      {"<=+10", -190, -200, true, -190, Violation::kNone},
      {"<=+10%", 0, 0, true, 0, Violation::kNone},
      {"<=+10%", 1e-9, 0, false, 0, Violation::kAbove},
      {"<=+10%", 0, -0.0, true, 0, Violation::kNone},
  });
}

TEST(CriterionEvaluateTest, InfiniteControl) {
  ExpectOutcomes({
      {"<=+10%", 1e300, kInf, true, kInf, Violation::kNone},
      {"<+5", kInf, kInf, false, kInf, Violation::kAbove},
  });
  const absl::StatusOr<Criterion> c = ParseCriterion(">=-100%");
  ASSERT_TRUE(c.ok());
  const absl::StatusOr<CriterionOutcome> o = EvaluateCriterion(*c, 1, kInf);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(o.status().message(),
            "criterion '>=-100%': the bound is undefined for a control of inf");
}

TEST(CriterionEvaluateTest, MissingValuesAreFailedPreconditions) {
  const absl::StatusOr<Criterion> absolute = ParseCriterion("<600");
  const absl::StatusOr<Criterion> relative = ParseCriterion("<=+10%");
  ASSERT_TRUE(absolute.ok() && relative.ok());
  absl::StatusOr<CriterionOutcome> o = EvaluateCriterion(*absolute, kNaN, 1);
  EXPECT_EQ(o.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(o.status().message(), "criterion '<600': the experiment has no value (NaN)");
  o = EvaluateCriterion(*relative, kNaN, 1);
  EXPECT_EQ(o.status().message(), "criterion '<=+10%': the experiment has no value (NaN)");
  o = EvaluateCriterion(*relative, 1, kNaN);
  EXPECT_EQ(o.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(o.status().message(),
            "criterion '<=+10%': relative to the control, but the control has no value (NaN)");
}

}  // namespace
}  // namespace augur::judges
