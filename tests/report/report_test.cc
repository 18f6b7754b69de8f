// Reports: golden Markdown and JUnit from a result built by RunAnalysis on fixed data, the
// HTML's structure, and errors that name the field. The browser check and a real XML parser
// run in report_browser_test.py on the same result document (tests/data/report/result.json,
// which this test also keeps in step with the code).
#include "report/report.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analysis/analysis.h"
#include "analysis/result_format.h"
#include "cli/report_command.h"
#include "config/template_loader.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/metric_provider.h"

namespace augur::report {
namespace {

class TableProvider : public providers::MetricProvider {
 public:
  void Set(const std::string& query, QueryResult result) { table_[query] = std::move(result); }
  absl::StatusOr<QueryResult> QueryRange(const providers::RangeQuery& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = table_.find(q.query);
    return it == table_.end() ? QueryResult{} : it->second;
  }
  absl::StatusOr<QueryResult> QueryInstant(const providers::InstantQuery&) override {
    return absl::UnimplementedError("not used");
  }
  std::string Describe() const override { return "prometheus http://prometheus.example:9090"; }

 private:
  std::mutex mu_;
  std::map<std::string, QueryResult> table_;
};

constexpr int64_t kEndSeconds = 1'763'856'000;  // 2025-11-23T00:00:00Z

QueryResult One(const std::vector<double>& values) {
  QueryResult r;
  Series s;
  for (size_t i = 0; i < values.size(); ++i) {
    s.points.push_back(
        Point{(kEndSeconds - 1800 + static_cast<int64_t>(i) * 30) * 1000, values[i]});
  }
  r.series.push_back(std::move(s));
  return r;
}

// n deterministic, distinct values around `level`.
std::vector<double> Around(double level, int n = 60, double spread = 0.05) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(level * (1 + spread * std::sin(1.7 * i + 0.3)));
  return v;
}

constexpr char kTemplate[] = R"yaml(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: checkout-canary}
spec:
  metrics:
    - name: latency-p99
      group: latency
      critical: true
      query: p99{version="{{scope}}", route=~"/api|/cart"} > 0 & on() up
      judge: {mannWhitney: {direction: increase}}
    - name: errors
      group: errors
      judge:
        rate:
          events: errors{version="{{scope}}"}
          total: requests{version="{{scope}}"}
          direction: increase
    - name: cpu
      group: saturation
      query: cpu{version="{{scope}}"}
      judge: {threshold: {max: 2.0}}
    - name: memory
      group: saturation
      query: memory{version="{{scope}}"}
      judge: {mannWhitney: {direction: increase}}
    - name: queue-depth
      group: saturation
      dryRun: true
      query: queue{version="{{scope}}"}
      judge: {mannWhitney: {direction: either}}
)yaml";

// The fixed analysis every golden file comes from: a critical latency regression (HIGH), a rate
// that passes, a threshold that passes, a metric with no experiment data (NODATA) and a dry-run
// metric that is lower (LOW, not scored). One latency point is NaN (a gap in the chart).
std::string ResultDocument() {
  config::TemplateLoad load = config::LoadTemplate(kTemplate);
  EXPECT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  TableProvider p;
  std::vector<double> canary_latency = Around(0.26);
  canary_latency[10] = NAN;
  p.Set("p99{version=\"stable\", route=~\"/api|/cart\"} > 0 & on() up", One(Around(0.20)));
  p.Set("p99{version=\"canary\", route=~\"/api|/cart\"} > 0 & on() up", One(canary_latency));
  p.Set("errors{version=\"stable\"}", One({40}));
  p.Set("requests{version=\"stable\"}", One({100000}));
  p.Set("errors{version=\"canary\"}", One({9}));
  p.Set("requests{version=\"canary\"}", One({20000}));
  p.Set("cpu{version=\"stable\"}", One(Around(1.0)));
  p.Set("cpu{version=\"canary\"}", One(Around(1.1)));
  p.Set("memory{version=\"stable\"}", One(Around(512)));
  p.Set("queue{version=\"stable\"}", One(Around(40)));
  p.Set("queue{version=\"canary\"}", One(Around(25)));
  analysis::AnalysisRequest request;
  request.control_scope = "stable";
  request.experiment_scope = "canary";
  request.end = absl::FromUnixSeconds(kEndSeconds);
  request.start = request.end - absl::Minutes(30);
  request.keep_series = true;
  auto result = analysis::RunAnalysis(*load.result, request, p);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? analysis::ResultJson(*result) : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Compares with a golden file under tests/data/report; AUGUR_UPDATE_GOLDEN=1 rewrites it (then
// read the diff before committing).
void ExpectGolden(const std::string& actual, const std::string& name) {
  const std::string path = absl::StrCat(AUGUR_TEST_DATA_DIR, "/report/", name);
  if (std::getenv("AUGUR_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
  }
  const std::string expected = ReadFile(path);
  ASSERT_FALSE(expected.empty()) << path << " is missing: run with AUGUR_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, expected) << "differs from " << path;
}

TEST(ReportTest, TheResultDocumentCarriesTheSeriesAndMatchesTheCommittedOne) {
  const std::string doc = ResultDocument();
  const nlohmann::json j = nlohmann::json::parse(doc);
  ASSERT_EQ(j["metrics"].size(), 5u);
  EXPECT_EQ(j["verdict"], "ABORT");
  const nlohmann::json& latency = j["metrics"][0];
  EXPECT_EQ(latency["classification"], "HIGH");
  ASSERT_EQ(latency["series"]["control"].size(), 60u);
  EXPECT_EQ(latency["series"]["control"][0][0], kEndSeconds - 1800);
  EXPECT_TRUE(latency["series"]["experiment"][10][1].is_null());  // the NaN point
  EXPECT_FALSE(j["metrics"][1].contains("series"));               // a rate judge has none
  ExpectGolden(doc, "result.json");
}

TEST(ReportTest, SeriesAreCompactAndAResultQuotingThePlaceholderStillRoundTrips) {
  analysis::AnalysisResult r;
  r.end = absl::FromUnixSeconds(kEndSeconds);
  r.start = r.end - absl::Minutes(1);
  for (const char* name : {"plain", "augur-series-placeholder-0c5e1d:0"}) {
    analysis::MetricResult m;
    m.name = name;
    m.control_series = {Point{1000, 1.5}, Point{2000, NAN}};
    m.experiment_series = {Point{1000, 2.5}};
    r.metrics.push_back(m);
    const std::string doc = analysis::ResultJson(r);
    const nlohmann::json j = nlohmann::json::parse(doc);  // throws (fails) if not JSON
    for (const nlohmann::json& metric : j["metrics"]) {
      EXPECT_EQ(metric["series"]["control"][0][1], 1.5) << doc;
      EXPECT_TRUE(metric["series"]["control"][1][1].is_null());
      EXPECT_EQ(metric["series"]["experiment"][0][0], 1.0);
    }
    // Compact when nothing collides: one line per series object.
    if (std::string(name) == "plain") {
      EXPECT_TRUE(absl::StrContains(doc, R"("series": {"control":[[1.0,1.5],[2.0,null]],)")) << doc;
    }
  }
}

TEST(ReportTest, MarkdownMatchesTheGoldenFile) {
  auto md = Render(ResultDocument(), Format::kMarkdown, "result.json");
  ASSERT_TRUE(md.ok()) << md.status();
  ExpectGolden(*md, "expected.md");
}

TEST(ReportTest, JunitMatchesTheGoldenFile) {
  auto xml = Render(ResultDocument(), Format::kJunit, "result.json");
  ASSERT_TRUE(xml.ok()) << xml.status();
  ExpectGolden(*xml, "expected.junit.xml");
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(ReportTest, HtmlIsSelfContainedWithTwoChartsPerSeriesMetricAndEscapesEverything) {
  auto html = Render(ResultDocument(), Format::kHtml, "result.json");
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_TRUE(absl::StartsWith(*html, "<!DOCTYPE html>"));
  EXPECT_EQ(Count(*html, "<script"), 0u);
  EXPECT_EQ(Count(*html, "<link"), 0u);
  EXPECT_EQ(Count(*html, "<img"), 0u);
  // Nothing to fetch: no source, stylesheet, font or link off the page (the provider's
  // address appears as text, and the SVG namespace is a name, not a request).
  EXPECT_EQ(Count(*html, "src="), 0u);
  EXPECT_EQ(Count(*html, "href=\"http"), 0u);
  EXPECT_EQ(Count(*html, "url("), 0u);
  EXPECT_EQ(Count(*html, "@import"), 0u);
  // latency, cpu, memory (control only) and queue-depth have series; the rate has none.
  EXPECT_EQ(Count(*html, "<svg class=\"chart timeseries\""), 4u);
  EXPECT_EQ(Count(*html, "<svg class=\"chart distribution\""), 4u);
  // The query's < and & arrive escaped, never as markup.
  EXPECT_TRUE(absl::StrContains(*html, "&gt; 0 &amp; on() up"));
  EXPECT_FALSE(absl::StrContains(*html, "> 0 & on()"));
  // Failures first: the critical HIGH is the first row; the dry-run LOW is last.
  const size_t high = html->find("HIGH (critical)</td>");
  const size_t pass = html->find(">PASS</td>");
  const size_t dry = html->find("LOW (dry run)</td>");
  ASSERT_NE(high, std::string::npos);
  ASSERT_NE(pass, std::string::npos);
  ASSERT_NE(dry, std::string::npos);
  EXPECT_LT(high, pass);
  EXPECT_LT(pass, dry);
  // Readable without colour: the verdict and every state are words.
  EXPECT_TRUE(absl::StrContains(*html, "<span class=\"word\">ABORT</span>"));
  EXPECT_TRUE(absl::StrContains(*html, "NODATA"));
}

TEST(ReportTest, JsonIsTheDocumentItself) {
  const std::string doc = ResultDocument();
  auto json = Render(doc, Format::kJson, "result.json");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, doc);
}

TEST(ReportTest, BadDocumentsNameTheFieldAndTheFile) {
  auto not_json = Render("{\"verdict\": ", Format::kHtml, "saved.json");
  EXPECT_EQ(not_json.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(not_json.status().message(), "saved.json: not JSON"))
      << not_json.status();
  auto array = Render("[]", Format::kHtml, "saved.json");
  EXPECT_TRUE(absl::StrContains(array.status().message(), "expected a JSON object"));
  auto no_metrics = Render(R"({"verdict": "PROMOTE", "score": 100})", Format::kJunit, "r.json");
  EXPECT_EQ(no_metrics.status().message(), "r.json: metrics: missing (a result document has it)");
  auto bad_verdict =
      Render(R"({"verdict": "MAYBE", "score": 1, "metrics": []})", Format::kMarkdown, "r.json");
  EXPECT_EQ(bad_verdict.status().message(),
            "r.json: verdict: 'MAYBE' is not PROMOTE, HOLD or ABORT");
  auto bad_class = Render(
      R"({"verdict": "HOLD", "score": 1, "metrics": [{"name": "a", "classification": "PASS"},
          {"name": "b", "classification": 3}]})",
      Format::kHtml, "r.json");
  EXPECT_EQ(bad_class.status().message(),
            "r.json: metrics[1].classification: expected a string, got number");
  auto bad_series = Render(
      R"({"verdict": "HOLD", "score": 1, "metrics": [{"name": "a", "classification": "PASS",
          "series": {"control": [[1, 2], [3]]}}]})",
      Format::kHtml, "r.json");
  EXPECT_EQ(bad_series.status().message(),
            "r.json: metrics[0].series.control[1]: expected [unix seconds, value or null]");
  EXPECT_FALSE(ParseFormat("pdf").ok());
  EXPECT_EQ(*ParseFormat("md"), Format::kMarkdown);
}

// Found by review: each of these once crashed, broke the output's format or misreported.
TEST(ReportTest, HostileAndEdgeDocumentsRenderSafely) {
  // Invalid UTF-8 in a scope: the result document still serialises (U+FFFD), never throws.
  analysis::AnalysisResult r;
  r.control_scope =
      "st\xff"
      "able";
  r.end = absl::FromUnixSeconds(kEndSeconds);
  r.start = r.end - absl::Minutes(1);
  const std::string doc = analysis::ResultJson(r);
  EXPECT_FALSE(nlohmann::json::parse(doc, nullptr, false).is_discarded()) << doc;

  // U+FFFE is valid JSON but no XML character; p = 0 is "<1e-300"; a one-sided interval shows
  // its open end; control characters never reach the HTML.
  const std::string edge = R"({"verdict": "ABORT", "score": 0, "metrics": [
      {"name": "a\u0001b", "classification": "HIGH", "reason": "x\ufffe", "p_value": 0,
       "estimate": 2, "ci_low": 1, "ci_high": null, "judge": "mannWhitney",
       "control": {"count": 1, "median": 10},
       "series": {"control": [[1, 5]], "experiment": [[1, 6], [2, null], [3, 7]]}}]})";
  auto junit = Render(edge, Format::kJunit, "edge.json");
  ASSERT_TRUE(junit.ok()) << junit.status();
  EXPECT_FALSE(absl::StrContains(*junit, "\xEF\xBF\xBE"));
  EXPECT_FALSE(absl::StrContains(*junit, "\x01"));
  auto md = Render(edge, Format::kMarkdown, "edge.json");
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_TRUE(absl::StrContains(*md, "| <1e-300 |")) << *md;  // not "1e-300"
  EXPECT_TRUE(absl::StrContains(*md, "+2 (CI +1..+inf)")) << *md;
  auto html = Render(edge, Format::kHtml, "edge.json");
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_FALSE(absl::StrContains(*html, "\x01"));
  EXPECT_TRUE(absl::StrContains(*html, "h1\"")) << "lone points are drawn";

  // A run whose verdicts are not verdicts, or counts that are not counts, is refused.
  auto bad_run = Render(R"({"kind": "run", "verdict": "A|B", "intervals": []})", Format::kMarkdown,
                        "run.json");
  EXPECT_EQ(bad_run.status().message(), "run.json: verdict: 'A|B' is not PROMOTE, HOLD or ABORT");
  auto huge = Render(R"({"verdict": "HOLD", "score": 1, "metrics": [],
                         "groups": [{"name": "g", "pass": 1e300}]})",
                     Format::kHtml, "r.json");
  EXPECT_EQ(huge.status().message(),
            "r.json: groups[0].pass: expected a count (a whole number from 0)");

  // An interval that could not run has no score to plot.
  auto run = Render(R"({"kind": "run", "verdict": "ABORT", "intervals": [
      {"index": 1, "verdict": "PROMOTE", "score": 100, "result": {"verdict": "PROMOTE",
       "score": 100, "metrics": []}},
      {"index": 2, "verdict": "HOLD", "score": 0, "error": "backend down", "result": null}]})",
                    Format::kHtml, "run.json");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Count(*run, "<circle"), 1u);
}

TEST(ReportCommandTest, RendersASavedResultAndRefusesBadInput) {
  const std::string dir = ::testing::TempDir();
  const std::string input = absl::StrCat(dir, "/report-input.json");
  std::ofstream(input) << ResultDocument();
  cli::ReportCommandArgs args;
  args.input = input;
  args.format = "markdown";
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunReportCommand(args, in, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), *Render(ResultDocument(), Format::kMarkdown, "x"));

  args.output = absl::StrCat(dir, "/report-output.html");
  args.format = "html";
  out.str("");
  EXPECT_EQ(cli::RunReportCommand(args, in, out, err), 0) << err.str();
  EXPECT_TRUE(out.str().empty());
  EXPECT_TRUE(absl::StartsWith(ReadFile(args.output), "<!DOCTYPE html>"));

  args.output.clear();
  args.format = "pdf";
  std::ostringstream err2;
  EXPECT_EQ(cli::RunReportCommand(args, in, out, err2), 64);
  EXPECT_TRUE(absl::StrContains(err2.str(), "--format: 'pdf' is not a report format"))
      << err2.str();

  args.format = "junit";
  args.input = absl::StrCat(dir, "/no-such-result.json");
  std::ostringstream err3;
  EXPECT_EQ(cli::RunReportCommand(args, in, out, err3), 64);
  EXPECT_TRUE(absl::StrContains(err3.str(), "no-such-result.json: cannot open")) << err3.str();
  args.input = dir;  // a directory
  std::ostringstream err5;
  EXPECT_EQ(cli::RunReportCommand(args, in, out, err5), 64);
  EXPECT_TRUE(absl::StrContains(err5.str(), ": not a file")) << err5.str();

  args.input = "-";
  std::istringstream stdin_doc("{\"verdict\": \"PROMOTE\"");
  std::ostringstream err4;
  EXPECT_EQ(cli::RunReportCommand(args, stdin_doc, out, err4), 64);
  EXPECT_TRUE(absl::StrContains(err4.str(), "standard input: not JSON")) << err4.str();
}

}  // namespace
}  // namespace augur::report
