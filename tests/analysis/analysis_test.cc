// RunAnalysis over an in-memory MetricProvider (the seam; the real Prometheus runs in
// analysis.integration): fetching, pairing by labels, each judge's wiring, A/B KPIs, errors.
#include "analysis/analysis.h"

#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analysis/result_format.h"
#include "config/template_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::analysis {
namespace {

using judges::Classification;
using ::testing::HasSubstr;

// Answers each query from a table (by exact text); unknown queries return no series.
class TableProvider : public providers::MetricProvider {
 public:
  void Set(const std::string& query, QueryResult result) { table_[query] = std::move(result); }
  void FailWith(absl::Status status) { failure_ = std::move(status); }

  absl::StatusOr<QueryResult> QueryRange(const providers::RangeQuery& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    asked_.push_back(q);
    if (!failure_.ok()) return failure_;
    auto it = table_.find(q.query);
    return it == table_.end() ? QueryResult{} : it->second;
  }
  absl::StatusOr<QueryResult> QueryInstant(const providers::InstantQuery&) override {
    return absl::UnimplementedError("not used");
  }
  std::string Describe() const override { return "table"; }
  std::vector<providers::RangeQuery> asked() {
    std::lock_guard<std::mutex> lock(mu_);
    return asked_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, QueryResult> table_;
  std::vector<providers::RangeQuery> asked_;
  absl::Status failure_;
};

Series MakeSeries(Labels labels, const std::vector<double>& values) {
  Series s;
  s.labels = std::move(labels);
  for (size_t i = 0; i < values.size(); ++i) {
    s.points.push_back(Point{static_cast<int64_t>(i) * 30000, values[i]});
  }
  return s;
}

QueryResult One(const std::vector<double>& values, Labels labels = {}) {
  QueryResult r;
  r.series.push_back(MakeSeries(std::move(labels), values));
  return r;
}

// n values around `level`, deterministic and distinct.
std::vector<double> Around(double level, int n = 60, double spread = 0.02) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(level * (1 + spread * std::sin(1.7 * i + 0.3)));
  return v;
}

config::AnalysisTemplate Template(const std::string& metrics) {
  const std::string yaml = absl::StrCat(
      "apiVersion: augur/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n",
      metrics);
  config::TemplateLoad load = config::LoadTemplate(yaml);
  EXPECT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  return load.result.value_or(config::AnalysisTemplate{});
}

AnalysisRequest Request(Strategy strategy = Strategy::kCanary) {
  AnalysisRequest r;
  r.control_scope = "stable";
  r.experiment_scope = "canary";
  r.end = absl::FromUnixSeconds(1'700'000'000);
  r.start = r.end - absl::Minutes(30);
  r.strategy = strategy;
  return r;
}

constexpr char kLatency[] =
    "    - name: lat\n      query: lat{v=\"{{scope}}\"}\n"
    "      judge: {mannWhitney: {direction: increase}}\n";

TEST(RunAnalysisTest, FetchesBothSidesOverTheWindowAndPromotesEqualData) {
  TableProvider p;
  p.Set("lat{v=\"stable\"}", One(Around(100)));
  p.Set("lat{v=\"canary\"}", One(Around(100.1)));
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kPromote) << r->reason;
  ASSERT_EQ(p.asked().size(), 2u);
  EXPECT_EQ(p.asked()[0].start, Request().start);
  EXPECT_EQ(p.asked()[0].step, absl::Seconds(30));
  EXPECT_EQ(r->metrics[0].control.count, 60);
}

TEST(RunAnalysisTest, ShiftedLatencyIsHighWithItsRelativeChange) {
  TableProvider p;
  p.Set("lat{v=\"stable\"}", One(Around(100)));
  p.Set("lat{v=\"canary\"}", One(Around(120)));
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  const MetricResult& m = r->metrics[0];
  EXPECT_EQ(m.judgement.classification, Classification::kHigh);
  EXPECT_NEAR(m.judgement.relative_estimate, 0.20, 0.01);
  EXPECT_THAT(m.judgement.reason, HasSubstr("canary +20% (98% CI"));
  EXPECT_EQ(r->verdict, Verdict::kAbort);
  EXPECT_THAT(r->reason, HasSubstr("lat HIGH: canary +20%"));
}

TEST(RunAnalysisTest, PairsSeveralSeriesByLabelsIgnoringTheScopeLabel) {
  TableProvider p;
  QueryResult control, canary;
  control.series = {MakeSeries({{"route", "/a"}, {"version", "stable"}}, Around(100)),
                    MakeSeries({{"route", "/b"}, {"version", "stable"}}, Around(50))};
  canary.series = {MakeSeries({{"route", "/b"}, {"version", "canary"}}, Around(75)),
                   MakeSeries({{"route", "/a"}, {"version", "canary"}}, Around(100))};
  p.Set("lat{v=\"stable\"}", control);
  p.Set("lat{v=\"canary\"}", canary);
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->metrics.size(), 2u);
  EXPECT_EQ(r->metrics[0].name, "lat{route=\"/a\"}");
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kPass);
  EXPECT_EQ(r->metrics[1].name, "lat{route=\"/b\"}");
  EXPECT_EQ(r->metrics[1].judgement.classification, Classification::kHigh);
}

TEST(RunAnalysisTest, MismatchedLabelNamesAreAnErrorNamingThem) {
  TableProvider p;
  QueryResult control, canary;
  control.series = {MakeSeries({{"route", "/a"}}, Around(1)),
                    MakeSeries({{"route", "/b"}}, Around(1))};
  canary.series = {MakeSeries({{"pod", "x"}}, Around(1)), MakeSeries({{"pod", "y"}}, Around(1))};
  p.Set("lat{v=\"stable\"}", control);
  p.Set("lat{v=\"canary\"}", canary);
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kError);
  EXPECT_THAT(r->metrics[0].judgement.reason,
              HasSubstr("the control series have labels {route} but the canary series have {pod}"));
  EXPECT_EQ(r->verdict, Verdict::kHold);
}

TEST(RunAnalysisTest, SeriesOnOneSideOnlyIsNoData) {
  TableProvider p;
  p.Set("lat{v=\"stable\"}", One(Around(100)));
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kNoData);
  EXPECT_EQ(r->metrics[0].judgement.reason, "no data: the canary query returned no series");
  EXPECT_EQ(r->verdict, Verdict::kHold);
}

constexpr char kErrors[] =
    "    - name: errors\n      critical: true\n      judge:\n        rate:\n"
    "          events: e{v=\"{{scope}}\"}\n          total: t{v=\"{{scope}}\"}\n";

TEST(RunAnalysisTest, RateCountsAreReadAtTheEndOfTheWindow) {
  TableProvider p;
  p.Set("e{v=\"stable\"}", One({5}));
  p.Set("t{v=\"stable\"}", One({1000}));
  p.Set("e{v=\"canary\"}", One({50}));
  p.Set("t{v=\"canary\"}", One({1000}));
  auto r = RunAnalysis(Template(kErrors), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  for (const providers::RangeQuery& q : p.asked()) {
    EXPECT_EQ(q.start, Request().end);
    EXPECT_EQ(q.end, Request().end);
  }
  const MetricResult& m = r->metrics[0];
  EXPECT_EQ(m.judgement.classification, Classification::kHigh);
  EXPECT_TRUE(m.judgement.critical);
  EXPECT_DOUBLE_EQ(m.judgement.estimate, 10.0);
  EXPECT_EQ(r->verdict, Verdict::kAbort);
}

TEST(RunAnalysisTest, LittleTrafficIsNoDataNeverPass) {
  // Kayenta and Flagger pass 0 errors in 40 requests.
  TableProvider p;
  p.Set("e{v=\"stable\"}", One({0}));
  p.Set("t{v=\"stable\"}", One({5000}));
  p.Set("e{v=\"canary\"}", One({0}));
  p.Set("t{v=\"canary\"}", One({40}));
  auto r = RunAnalysis(Template(kErrors), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kNoData);
  EXPECT_THAT(r->metrics[0].judgement.reason, HasSubstr("too little traffic to judge: canary 40"));
  EXPECT_EQ(r->verdict, Verdict::kHold);
}

TEST(RunAnalysisTest, EmptyEventsQueryIsNoDataWithAdvice) {
  TableProvider p;
  p.Set("t{v=\"stable\"}", One({5000}));
  p.Set("t{v=\"canary\"}", One({5000}));
  auto r = RunAnalysis(Template(kErrors), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kNoData);
  EXPECT_THAT(r->metrics[0].judgement.reason, HasSubstr("or vector(0)"));
}

TEST(RunAnalysisTest, MoreEventsThanTotalIsAnError) {
  TableProvider p;
  p.Set("e{v=\"stable\"}", One({5}));
  p.Set("t{v=\"stable\"}", One({1000}));
  p.Set("e{v=\"canary\"}", One({2000}));
  p.Set("t{v=\"canary\"}", One({1000}));
  auto r = RunAnalysis(Template(kErrors), Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kError);
  EXPECT_NE(r->verdict, Verdict::kPromote);
}

TEST(RunAnalysisTest, KeptnRelativeThreshold) {
  TableProvider p;
  p.Set("cpu{v=\"stable\"}", One(Around(1.0, 10)));
  p.Set("cpu{v=\"canary\"}", One(Around(1.3, 10)));
  auto r = RunAnalysis(Template("    - name: cpu\n      query: cpu{v=\"{{scope}}\"}\n"
                                "      judge: {threshold: {criteria: [\"<=+10%\", \"<5\"]}}\n"),
                       Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kHigh);
  EXPECT_THAT(r->metrics[0].judgement.reason, HasSubstr("breaks <=+10% (bound 1.1"));
}

TEST(RunAnalysisTest, KolmogorovSmirnovCatchesAWiderSpreadThatMannWhitneyMisses) {
  TableProvider p;
  p.Set("w{v=\"stable\"}", One(Around(10, 120, 0.05)));
  p.Set("w{v=\"canary\"}", One(Around(10, 120, 0.25)));
  auto r = RunAnalysis(Template("    - name: wait\n      query: w{v=\"{{scope}}\"}\n"
                                "      judge: {mannWhitney: {direction: increase}}\n"
                                "    - name: wait-spread\n      query: w{v=\"{{scope}}\"}\n"
                                "      judge: {kolmogorovSmirnov: {allowedIncrease: 1.1}}\n"),
                       Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[0].judgement.classification, Classification::kPass);
  EXPECT_EQ(r->metrics[1].judgement.classification, Classification::kHigh);
}

TEST(RunAnalysisTest, DryRunMetricIsReportedButDoesNotDecide) {
  TableProvider p;
  p.Set("lat{v=\"stable\"}", One(Around(100)));
  p.Set("lat{v=\"canary\"}", One(Around(100)));
  p.Set("cpu{v=\"stable\"}", One(Around(1.0, 10)));
  p.Set("cpu{v=\"canary\"}", One(Around(3.0, 10)));
  auto r = RunAnalysis(Template(absl::StrCat(kLatency,
                                             "    - name: cpu\n      dryRun: true\n"
                                             "      query: cpu{v=\"{{scope}}\"}\n"
                                             "      judge: {threshold: {max: 2}}\n")),
                       Request(), p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->metrics[1].judgement.classification, Classification::kHigh);
  EXPECT_EQ(r->verdict, Verdict::kPromote) << r->reason;
}

constexpr char kKpi[] =
    "    - name: conversion\n      better: increase\n      minimumEffect: 0.05\n"
    "      query: conv{v=\"{{scope}}\"}\n      judge: {mannWhitney: {}}\n";

TEST(RunAnalysisTest, AbPromotesASignificantlyBetterKpiAndAbortsAWorseOne) {
  TableProvider p;
  p.Set("conv{v=\"stable\"}", One(Around(100)));
  p.Set("conv{v=\"canary\"}", One(Around(110)));
  auto better = RunAnalysis(Template(kKpi), Request(Strategy::kAb), p);
  ASSERT_TRUE(better.ok()) << better.status();
  EXPECT_EQ(better->metrics[0].kpi_outcome, KpiOutcome::kBetter);
  EXPECT_EQ(better->verdict, Verdict::kPromote) << better->reason;

  p.Set("conv{v=\"canary\"}", One(Around(102)));  // better, but under the 5% minimum effect
  auto small = RunAnalysis(Template(kKpi), Request(Strategy::kAb), p);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->verdict, Verdict::kHold) << small->reason;

  p.Set("conv{v=\"canary\"}", One(Around(90)));
  auto worse = RunAnalysis(Template(kKpi), Request(Strategy::kAb), p);
  ASSERT_TRUE(worse.ok());
  EXPECT_EQ(worse->metrics[0].kpi_outcome, KpiOutcome::kWorse);
  EXPECT_EQ(worse->verdict, Verdict::kAbort);
}

TEST(RunAnalysisTest, AbWithoutKpiIsRefused) {
  TableProvider p;
  auto r = RunAnalysis(Template(kLatency), Request(Strategy::kAb), p);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("strategy ab needs a KPI"));
}

TEST(RunAnalysisTest, BackendFailureStopsTheAnalysisWithTheMetricNamed) {
  TableProvider p;
  p.FailWith(absl::UnavailableError("connection refused"));
  auto r = RunAnalysis(Template(kLatency), Request(), p);
  EXPECT_TRUE(absl::IsUnavailable(r.status()));
  EXPECT_EQ(r.status().message(), "metric 'lat' (control query): connection refused");
}

TEST(RunAnalysisTest, ThreadsDoNotChangeTheResult) {
  TableProvider p;
  std::string metrics;
  for (int i = 0; i < 16; ++i) {
    absl::StrAppend(&metrics, "    - name: m", i, "\n      query: m", i,
                    "{v=\"{{scope}}\"}\n      judge: {mannWhitney: {}}\n");
    p.Set(absl::StrCat("m", i, "{v=\"stable\"}"), One(Around(100 + i)));
    p.Set(absl::StrCat("m", i, "{v=\"canary\"}"), One(Around(100 + i + (i % 3) * 7)));
  }
  const config::AnalysisTemplate t = Template(metrics);
  AnalysisRequest one = Request();
  one.judge_threads = 1;
  AnalysisRequest four = Request();
  four.judge_threads = 4;
  auto a = RunAnalysis(t, one, p);
  auto b = RunAnalysis(t, four, p);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ResultJson(*a), ResultJson(*b));
  EXPECT_EQ(a->metrics.size(), 16u);
}

TEST(RunAnalysisTest, WindowMustEndAfterItStarts) {
  TableProvider p;
  AnalysisRequest request = Request();
  request.start = request.end;
  EXPECT_TRUE(absl::IsInvalidArgument(RunAnalysis(Template(kLatency), request, p).status()));
}

}  // namespace
}  // namespace augur::analysis
