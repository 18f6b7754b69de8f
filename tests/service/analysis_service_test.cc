// augur.v1.AnalysisService in-process: a real gRPC server on 127.0.0.1 and a real client, every
// RPC and its error paths, health, the HTTP listener, draining and resuming runs.
// The metrics backend is the seam: FakeProviderFactory answers from memory (fake_providers.h);
// tests/service/serve_integration_test.py runs the binary against a real Prometheus.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "augur/v1/analysis.grpc.pb.h"
#include "core/time_parse.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "report/report.h"
#include "service/convert.h"
#include "service/run_json.h"
#include "service/server.h"
#include "tests/service/fake_providers.h"
#include "tests/service/http_get.h"

namespace augur::service {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string TempDir(const std::string& name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "augur-service-", name, "-", getpid(),
                                       "-", absl::ToUnixNanos(absl::Now()));
  std::filesystem::create_directories(dir);
  return dir;
}

struct Harness {
  explicit Harness(const std::string& data_dir = "",
                   std::vector<std::string> template_dirs = {AUGUR_SERVICE_TEMPLATES},
                   int max_concurrent = 4) {
    ServerOptions options;
    options.config.template_dirs = std::move(template_dirs);
    options.config.server.grpc_listen = "127.0.0.1:0";
    options.config.server.http_listen = "127.0.0.1:0";
    options.config.server.data_dir = data_dir;
    options.config.limits.max_concurrent_analyses = max_concurrent;
    options.log = &log;
    options.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches);
    auto started = Server::Start(std::move(options));
    EXPECT_TRUE(started.ok()) << started.status();
    server = *std::move(started);
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->grpc_port()),
                                  grpc::InsecureChannelCredentials());
    stub = v1::AnalysisService::NewStub(channel);
  }

  std::optional<augur::testing::RawHttpResponse> Get(const std::string& path) {
    absl::StatusOr<augur::testing::RawHttpResponse> response =
        augur::testing::HttpGet(server->http_port(), path);
    if (!response.ok()) {
      ADD_FAILURE() << "GET " << path << ": " << response.status();
      return std::nullopt;
    }
    return *std::move(response);
  }

  std::atomic<int> fetches{0};
  std::ostringstream log;
  std::unique_ptr<Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AnalysisService::Stub> stub;
};

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(20)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

v1::AnalyzeRequest AnalyzeFor(const std::string& service) {
  v1::AnalyzeRequest r;
  r.mutable_template_()->set_name("svc-latency");
  (*r.mutable_args())["service"] = service;
  r.set_control("stable");
  r.set_experiment("canary");
  ToProto(absl::Minutes(30), r.mutable_lookback());
  return r;
}

grpc::Status CallAnalyze(Harness& h, const v1::AnalyzeRequest& request, v1::AnalysisResult* out,
                         absl::Duration timeout = absl::Seconds(20)) {
  auto context = Context(timeout);
  return h.stub->Analyze(context.get(), request, out);
}

const v1::MetricResult* FindMetric(const v1::AnalysisResult& r, const std::string& name) {
  for (const v1::MetricResult& m : r.metrics()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

TEST(AnalysisServiceTest, ListsAndValidatesTemplates) {
  Harness h;
  auto context = Context();
  v1::ListTemplatesResponse list;
  ASSERT_TRUE(h.stub->ListTemplates(context.get(), {}, &list).ok());
  ASSERT_EQ(list.templates_size(), 1);
  EXPECT_EQ(list.templates(0).name(), "svc-latency");
  EXPECT_THAT(list.templates(0).metrics(), ::testing::ElementsAre("latency", "errors"));
  EXPECT_THAT(list.templates(0).args(), ::testing::ElementsAre("service"));
  EXPECT_THAT(list.templates(0).file(), HasSubstr("svc-latency.yaml"));

  v1::ValidateTemplateRequest bad;
  bad.set_yaml(
      "apiVersion: augur/v1\nkind: AnalysisTemplate\nmetadata: {name: x}\nspec:\n  metrics:\n"
      "    - name: m\n      query: up\n      judge: {mannWhitney: {confidence: 1.5}}\n");
  v1::ValidateTemplateResponse answer;
  context = Context();
  ASSERT_TRUE(h.stub->ValidateTemplate(context.get(), bad, &answer).ok());
  EXPECT_FALSE(answer.valid());
  ASSERT_GE(answer.diagnostics_size(), 1);
  EXPECT_THAT(answer.diagnostics(0).path(), HasSubstr("confidence"));
  EXPECT_EQ(answer.diagnostics(0).severity(), "error");

  std::ifstream in(std::string(AUGUR_SERVICE_TEMPLATES) + "/svc-latency.yaml");
  std::stringstream text;
  text << in.rdbuf();
  v1::ValidateTemplateRequest good;
  good.set_yaml(text.str());
  context = Context();
  ASSERT_TRUE(h.stub->ValidateTemplate(context.get(), good, &answer).ok());
  EXPECT_TRUE(answer.valid());
  EXPECT_EQ(answer.template_().name(), "svc-latency");
}

TEST(AnalysisServiceTest, AnalyzePromotesAHealthyCanaryAndAbortsASlowOne) {
  Harness h;
  v1::AnalysisResult result;
  ASSERT_TRUE(CallAnalyze(h, AnalyzeFor("healthy"), &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_PROMOTE) << result.reason();
  EXPECT_EQ(result.template_(), "svc-latency");
  EXPECT_EQ(result.control(), "stable");
  ASSERT_EQ(result.metrics_size(), 2);
  const v1::MetricResult* latency = FindMetric(result, "latency");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->classification(), v1::CLASSIFICATION_PASS);
  EXPECT_EQ(latency->queries().at("experiment"), "latency{service=\"healthy\",version=\"canary\"}");
  EXPECT_EQ(latency->control().count(), 240);
  EXPECT_TRUE(latency->has_p_value());
  const v1::MetricResult* errors = FindMetric(result, "errors");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->control_counts().total(), 10000);
  EXPECT_EQ(FromProto(result.window().end()) - FromProto(result.window().start()),
            absl::Minutes(30));

  ASSERT_TRUE(CallAnalyze(h, AnalyzeFor("slow"), &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_ABORT);
  EXPECT_THAT(result.reason(), HasSubstr("latency"));
  EXPECT_EQ(FindMetric(result, "latency")->classification(), v1::CLASSIFICATION_HIGH);
  EXPECT_TRUE(FindMetric(result, "latency")->critical());

  ASSERT_TRUE(CallAnalyze(h, AnalyzeFor("erring"), &result).ok());
  EXPECT_EQ(FindMetric(result, "errors")->classification(), v1::CLASSIFICATION_HIGH);

  // /metrics counts what happened.
  auto metrics = h.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(
      metrics->body,
      HasSubstr("augur_analyses_total{kind=\"analyze\",strategy=\"canary\",verdict=\"ABORT\"} 2"));
  EXPECT_THAT(metrics->body,
              HasSubstr("augur_grpc_requests_total{code=\"OK\",method=\"Analyze\"} 3"));
  EXPECT_THAT(h.log.str(), HasSubstr("\"msg\":\"analysis\""));
}

TEST(AnalysisServiceTest, AnalyzeTakesAnInlineTemplateButNotItsOwnBackend) {
  Harness h;
  std::ifstream in(std::string(AUGUR_SERVICE_TEMPLATES) + "/svc-latency.yaml");
  std::stringstream text;
  text << in.rdbuf();
  v1::AnalyzeRequest request = AnalyzeFor("healthy");
  request.mutable_template_()->set_yaml(text.str());
  v1::AnalysisResult result;
  ASSERT_TRUE(CallAnalyze(h, request, &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_PROMOTE);

  std::string yaml = text.str();
  yaml.replace(yaml.find("  step: 15s"), 11,
               "  step: 15s\n  provider:\n    prometheus: {address: http://10.0.0.1:9090}");
  request.mutable_template_()->set_yaml(yaml);
  const grpc::Status status = CallAnalyze(h, request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("template.yaml: provider.prometheus"));
  EXPECT_EQ(h.fetches, 6);  // the first call only: two series and four rate counts
}

TEST(AnalysisServiceTest, AnalyzeErrorsMapToCodesAndNameTheField) {
  Harness h;
  struct Case {
    std::string name;
    std::function<void(v1::AnalyzeRequest&)> edit;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"unknown template", [](auto& r) { r.mutable_template_()->set_name("nope"); },
       grpc::StatusCode::NOT_FOUND,
       "template.name: template 'nope' is not loaded; known: svc-latency"},
      {"no template", [](auto& r) { r.clear_template_(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "template: required"},
      {"broken yaml", [](auto& r) { r.mutable_template_()->set_yaml("spec: [unclosed"); },
       grpc::StatusCode::INVALID_ARGUMENT, "template.yaml: "},
      {"no control", [](auto& r) { r.clear_control(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "control: required"},
      {"same scopes", [](auto& r) { r.set_experiment("stable"); },
       grpc::StatusCode::INVALID_ARGUMENT, "both 'stable'"},
      {"no window", [](auto& r) { r.clear_lookback(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "window or lookback: required"},
      {"window too long", [](auto& r) { ToProto(absl::Hours(25), r.mutable_lookback()); },
       grpc::StatusCode::INVALID_ARGUMENT, "limits.maxWindow"},
      {"backwards window",
       [](auto& r) {
         ToProto(absl::FromUnixSeconds(2000), r.mutable_window()->mutable_start());
         ToProto(absl::FromUnixSeconds(1000), r.mutable_window()->mutable_end());
       },
       grpc::StatusCode::INVALID_ARGUMENT, "window: end"},
      {"bad strategy", [](auto& r) { r.set_strategy(static_cast<v1::Strategy>(42)); },
       grpc::StatusCode::INVALID_ARGUMENT, "strategy: unknown value 42"},
      {"missing argument", [](auto& r) { r.mutable_args()->clear(); },
       grpc::StatusCode::INVALID_ARGUMENT, "service"},
      {"ab without KPI", [](auto& r) { r.set_strategy(v1::STRATEGY_AB); },
       grpc::StatusCode::INVALID_ARGUMENT, "strategy ab needs a KPI"},
      {"unknown provider", [](auto& r) { r.set_provider("elsewhere"); },
       grpc::StatusCode::INVALID_ARGUMENT, "provider: no provider 'elsewhere'"},
      {"backend down", [](auto& r) { (*r.mutable_args())["service"] = "down"; },
       grpc::StatusCode::UNAVAILABLE, "connection refused"},
  };
  for (const Case& c : cases) {
    v1::AnalyzeRequest request = AnalyzeFor("healthy");
    c.edit(request);
    v1::AnalysisResult result;
    const grpc::Status status = CallAnalyze(h, request, &result);
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(AnalysisServiceTest, ClientDeadlineAndCancellationStopTheWork) {
  // Two slots: if the abandoned calls kept theirs, the last call could not run.
  Harness h("", {AUGUR_SERVICE_TEMPLATES}, /*max_concurrent=*/2);
  v1::AnalysisResult result;
  const absl::Time start = absl::Now();
  grpc::Status status = CallAnalyze(h, AnalyzeFor("hang"), &result, absl::Milliseconds(500));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));

  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::thread> calls;
  std::vector<grpc::Status> statuses(2);
  for (int i = 0; i < 2; ++i) contexts.push_back(Context(absl::Seconds(120)));
  for (int i = 0; i < 2; ++i) {
    calls.emplace_back([&, i] {
      v1::AnalysisResult r;
      statuses[i] = h.stub->Analyze(contexts[i].get(), AnalyzeFor("hang"), &r);
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  for (auto& context : contexts) context->TryCancel();
  for (auto& call : calls) call.join();
  for (const grpc::Status& s : statuses) EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  // The server saw the cancellations: both slots are free again within moments.
  status = CallAnalyze(h, AnalyzeFor("healthy"), &result, absl::Seconds(15));
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.verdict(), v1::VERDICT_PROMOTE);
}

v1::JudgeRequest JudgeFor(double experiment_scale) {
  v1::JudgeRequest r;
  r.mutable_template_()->set_name("svc-latency");
  v1::MetricData* latency = r.add_metrics();
  latency->set_metric("latency");
  v1::Series* control = latency->add_control();
  v1::Series* experiment = latency->add_experiment();
  for (int i = 0; i < 300; ++i) {
    const double noise = 1 + 0.05 * std::sin(i * 0.7) + 0.03 * std::cos(i * 1.3);
    control->add_values(0.1 * noise);
    experiment->add_values(0.1 * experiment_scale * (1 + 0.05 * std::sin(i * 0.9 + 1)));
  }
  v1::MetricData* errors = r.add_metrics();
  errors->set_metric("errors");
  errors->mutable_control_counts()->set_events(10);
  errors->mutable_control_counts()->set_total(10000);
  errors->mutable_experiment_counts()->set_events(12);
  errors->mutable_experiment_counts()->set_total(10000);
  return r;
}

TEST(AnalysisServiceTest, JudgeTakesInlineData) {
  Harness h;
  v1::AnalysisResult result;
  auto context = Context();
  ASSERT_TRUE(h.stub->Judge(context.get(), JudgeFor(1.0), &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_PROMOTE) << result.reason();
  EXPECT_EQ(result.provider(), "inline data");
  EXPECT_EQ(FindMetric(result, "latency")->experiment().count(), 300);
  EXPECT_EQ(FindMetric(result, "errors")->experiment_counts().events(), 12);

  context = Context();
  ASSERT_TRUE(h.stub->Judge(context.get(), JudgeFor(1.3), &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_ABORT);

  // A metric left out is missing data: never PROMOTE.
  v1::JudgeRequest partial = JudgeFor(1.0);
  partial.mutable_metrics()->RemoveLast();
  context = Context();
  ASSERT_TRUE(h.stub->Judge(context.get(), partial, &result).ok());
  EXPECT_EQ(result.verdict(), v1::VERDICT_HOLD);
  EXPECT_EQ(FindMetric(result, "errors")->classification(), v1::CLASSIFICATION_NODATA);
  EXPECT_EQ(h.fetches, 0);
}

TEST(AnalysisServiceTest, JudgeRejectsDataThatDoesNotFitTheTemplate) {
  Harness h;
  struct Case {
    std::function<void(v1::JudgeRequest&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.mutable_metrics(0)->set_metric("latncy"); },
       "metrics[0].metric: 'latncy' is not a metric of template 'svc-latency' (its metrics: "
       "latency, errors)"},
      {[](auto& r) { r.mutable_metrics(1)->set_metric("latency"); },
       "metrics[1].metric: 'latency' is given twice"},
      {[](auto& r) { r.mutable_metrics(1)->add_control()->add_values(1); },
       "metrics[1]: 'errors' has a rate judge"},
      {[](auto& r) { r.mutable_metrics(0)->mutable_control_counts()->set_total(1); },
       "metrics[0]: 'latency' is judged on series"},
      {[](auto& r) { r.mutable_metrics(0)->mutable_control(0)->add_timestamps(); },
       "metrics[0].control[0].timestamps: 1 timestamps for 300 values"},
  };
  for (const Case& c : cases) {
    v1::JudgeRequest request = JudgeFor(1.0);
    c.edit(request);
    v1::AnalysisResult result;
    auto context = Context();
    const grpc::Status status = h.stub->Judge(context.get(), request, &result);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
}

v1::StartRunRequest RunFor(const std::string& service, absl::Time start, absl::Duration interval,
                           absl::Duration lifetime) {
  v1::StartRunRequest r;
  r.mutable_template_()->set_name("svc-latency");
  (*r.mutable_args())["service"] = service;
  r.set_control("stable");
  r.set_experiment("canary");
  ToProto(start, r.mutable_schedule()->mutable_start_time());
  ToProto(interval, r.mutable_schedule()->mutable_interval());
  ToProto(lifetime, r.mutable_schedule()->mutable_lifetime());
  return r;
}

// Watches a run to its end: the intervals, then the final run.
std::pair<std::vector<v1::IntervalResult>, v1::Run> Watch(Harness& h, const std::string& name,
                                                          grpc::Status* status = nullptr) {
  auto context = Context(absl::Seconds(60));
  v1::WatchRunRequest request;
  request.set_name(name);
  auto reader = h.stub->WatchRun(context.get(), request);
  std::vector<v1::IntervalResult> intervals;
  v1::Run final_run;
  v1::RunEvent event;
  while (reader->Read(&event)) {
    if (event.has_interval()) intervals.push_back(event.interval());
    if (event.has_run()) final_run = event.run();
  }
  const grpc::Status s = reader->Finish();
  if (status != nullptr) *status = s;
  EXPECT_TRUE(status != nullptr || s.ok()) << s.error_message();
  return {intervals, final_run};
}

TEST(AnalysisServiceTest, RunsJudgeEveryIntervalAndEndWithAVerdict) {
  Harness h(TempDir("runs"));
  const absl::Time start = absl::Now() - absl::Minutes(10);
  v1::Run run;
  auto context = Context();
  ASSERT_TRUE(h.stub
                  ->StartRun(context.get(),
                             RunFor("healthy", start, absl::Minutes(1), absl::Minutes(5)), &run)
                  .ok());
  EXPECT_EQ(run.state(), v1::RUN_STATE_RUNNING);
  EXPECT_EQ(run.verdict(), v1::VERDICT_HOLD);
  EXPECT_EQ(run.intervals_total(), 5);
  EXPECT_EQ(run.name(), "runs/" + run.run_id());

  auto [intervals, final_run] = Watch(h, run.name());
  ASSERT_EQ(intervals.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(intervals[static_cast<size_t>(i)].index(), i + 1);
    EXPECT_EQ(intervals[static_cast<size_t>(i)].verdict(), v1::VERDICT_PROMOTE);
    // Growing windows from the start.
    EXPECT_EQ(FromProto(intervals[static_cast<size_t>(i)].window().start()), start);
    EXPECT_EQ(FromProto(intervals[static_cast<size_t>(i)].window().end()),
              start + (i + 1) * absl::Minutes(1));
  }
  EXPECT_EQ(final_run.state(), v1::RUN_STATE_SUCCEEDED);
  EXPECT_EQ(final_run.verdict(), v1::VERDICT_PROMOTE);
  EXPECT_THAT(final_run.reason(), HasSubstr("interval 5 of 5 PROMOTE"));

  v1::GetRunRequest get;
  get.set_name(run.run_id());
  v1::Run got;
  context = Context();
  ASSERT_TRUE(h.stub->GetRun(context.get(), get, &got).ok());
  EXPECT_EQ(got.intervals_size(), 5);
  EXPECT_EQ(got.intervals_done(), 5);

  // A slow canary aborts at its first interval; a sliding window judges the last lookback.
  v1::StartRunRequest slow = RunFor("slow", start, absl::Minutes(1), absl::Minutes(5));
  slow.mutable_schedule()->set_window_mode(v1::WINDOW_MODE_SLIDING);
  ToProto(absl::Minutes(2), slow.mutable_schedule()->mutable_lookback());
  context = Context();
  ASSERT_TRUE(h.stub->StartRun(context.get(), slow, &run).ok());
  std::tie(intervals, final_run) = Watch(h, run.name());
  ASSERT_EQ(intervals.size(), 1u);
  EXPECT_EQ(FromProto(intervals[0].window().start()), start - absl::Minutes(1));
  EXPECT_EQ(final_run.verdict(), v1::VERDICT_ABORT);
  EXPECT_THAT(final_run.reason(), HasSubstr("interval 1 of 5 ABORT"));

  // Promote early after two passing intervals.
  v1::StartRunRequest early = RunFor("healthy", start, absl::Minutes(1), absl::Minutes(5));
  early.mutable_stop()->set_promote_after_passing_intervals(2);
  context = Context();
  ASSERT_TRUE(h.stub->StartRun(context.get(), early, &run).ok());
  std::tie(intervals, final_run) = Watch(h, run.name());
  EXPECT_EQ(intervals.size(), 2u);
  EXPECT_EQ(final_run.verdict(), v1::VERDICT_PROMOTE);

  // A backend that stays down: every interval HOLDs with its error; the run fails, ABORT.
  context = Context();
  ASSERT_TRUE(
      h.stub
          ->StartRun(context.get(), RunFor("down", start, absl::Minutes(1), absl::Minutes(2)), &run)
          .ok());
  std::tie(intervals, final_run) = Watch(h, run.name());
  ASSERT_EQ(intervals.size(), 2u);
  EXPECT_EQ(intervals[0].verdict(), v1::VERDICT_HOLD);
  EXPECT_THAT(intervals[0].error(), HasSubstr("connection refused"));
  EXPECT_EQ(final_run.state(), v1::RUN_STATE_FAILED);
  EXPECT_EQ(final_run.verdict(), v1::VERDICT_ABORT);

  // ListRuns: newest first, paged, filtered.
  v1::ListRunsRequest list;
  list.set_page_size(3);
  v1::ListRunsResponse page;
  context = Context();
  ASSERT_TRUE(h.stub->ListRuns(context.get(), list, &page).ok());
  ASSERT_EQ(page.runs_size(), 3);
  EXPECT_EQ(page.runs(0).run_id(), run.run_id());
  EXPECT_EQ(page.runs(0).intervals_size(), 0);
  EXPECT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  context = Context();
  ASSERT_TRUE(h.stub->ListRuns(context.get(), list, &page).ok());
  EXPECT_EQ(page.runs_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());
  v1::ListRunsRequest failed;
  failed.set_state(v1::RUN_STATE_FAILED);
  context = Context();
  ASSERT_TRUE(h.stub->ListRuns(context.get(), failed, &page).ok());
  ASSERT_EQ(page.runs_size(), 1);
  EXPECT_EQ(page.runs(0).run_id(), run.run_id());
  EXPECT_THAT(h.log.str(), HasSubstr(absl::StrCat("\"run_id\":\"", run.run_id(), "\"")));
}

TEST(AnalysisServiceTest, ARunsReportCoversEveryInterval) {
  Harness h;
  const absl::Time start = absl::Now() - absl::Minutes(10);
  v1::Run run;
  auto context = Context();
  ASSERT_TRUE(h.stub
                  ->StartRun(context.get(),
                             RunFor("healthy", start, absl::Minutes(1), absl::Minutes(3)), &run)
                  .ok());
  auto [intervals, final_run] = Watch(h, run.name());
  ASSERT_EQ(intervals.size(), 3u);
  const std::string target = absl::StrCat("127.0.0.1:", h.server->grpc_port());

  auto doc = FetchRunJson(target, run.run_id(), "", absl::Seconds(10));
  ASSERT_TRUE(doc.ok()) << doc.status();
  const nlohmann::json j = nlohmann::json::parse(*doc);
  EXPECT_EQ(j["kind"], "run");
  EXPECT_EQ(j["verdict"], "PROMOTE");
  EXPECT_EQ(j["state"], "SUCCEEDED");
  ASSERT_EQ(j["intervals"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const nlohmann::json& interval = j["intervals"][static_cast<size_t>(i)];
    EXPECT_EQ(interval["index"], i + 1);
    EXPECT_EQ(interval["verdict"], "PROMOTE");
    EXPECT_EQ(interval["result"]["verdict"], "PROMOTE");
    EXPECT_FALSE(interval["result"]["metrics"].empty());
  }

  auto html = report::Render(*doc, report::Format::kHtml, "run");
  ASSERT_TRUE(html.ok()) << html.status();
  // Left for a look: TEST_TMPDIR (or /tmp)/augur-run-report.html.
  std::ofstream(absl::StrCat(::testing::TempDir(), "augur-run-report.html")) << *html;
  EXPECT_THAT(*html, HasSubstr("<svg class=\"chart score\""));
  EXPECT_THAT(*html, HasSubstr("Interval 3 in full"));
  size_t points = 0;
  for (size_t at = html->find("<circle"); at != std::string::npos;
       at = html->find("<circle", at + 1)) {
    ++points;
  }
  EXPECT_EQ(points, 3u);  // one score per interval
  auto junit = report::Render(*doc, report::Format::kJunit, "run");
  ASSERT_TRUE(junit.ok()) << junit.status();
  EXPECT_THAT(*junit, HasSubstr(".interval-3\""));
  EXPECT_THAT(*junit, HasSubstr("failures=\"0\""));
  auto markdown = report::Render(*doc, report::Format::kMarkdown, "run");
  ASSERT_TRUE(markdown.ok()) << markdown.status();
  EXPECT_THAT(*markdown, HasSubstr(absl::StrCat("augur run `", run.run_id(), "`: **PROMOTE**")));

  auto missing = FetchRunJson(target, "no-such-run", "", absl::Seconds(10));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr(target));
}

augur::testing::RawHttpResponse Post(Harness& h, const std::string& path, const std::string& body,
                                     const std::string& extra_headers = "") {
  const std::string request =
      absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                   "Content-Type: application/json\r\n", extra_headers,
                   "Content-Length: ", body.size(), "\r\n\r\n", body);
  auto response = augur::testing::HttpExchange(h.server->http_port(), request);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? *response : augur::testing::RawHttpResponse{};
}

TEST(AnalysisServiceTest, ArgoWebProviderAnalyzesOverHttp) {
  Harness h;
  // The body Argo Rollouts' web provider sends (jsonBody), in the CLI's names.
  const auto good = Post(h, "/v1/analyze",
                         R"({"template": "svc-latency", "args": {"service": "healthy"},
                             "control": "stable", "experiment": "canary", "lookback": "30m"})");
  ASSERT_EQ(good.status, 200) << good.raw;
  EXPECT_EQ(good.headers.at("content-type"), "application/json");
  const nlohmann::json result = nlohmann::json::parse(good.body);
  EXPECT_EQ(result["verdict"], "PROMOTE");  // Argo's jsonPath: {$.verdict}
  EXPECT_EQ(result["window"]["length"], "30m");
  EXPECT_EQ(result["metrics"][0]["name"], "latency");
  // analyze's JSON without the series: Argo keeps what its jsonPath selects, and series can pass
  // a Kubernetes object's size.
  EXPECT_FALSE(result["metrics"][0].contains("series"));
  // Unix seconds as JSON numbers, as the CLI takes them.
  const int64_t now_s = absl::ToUnixSeconds(absl::Now());
  const auto numeric =
      Post(h, "/v1/analyze",
           absl::StrCat(R"({"template": "svc-latency", "args": {"service": "healthy"},
                                             "control": "stable", "experiment": "canary", "start": )",
                        now_s - 1800, R"(, "end": )", now_s, "}"));
  EXPECT_EQ(numeric.status, 200) << numeric.raw;

  const auto slow = Post(h, "/v1/analyze",
                         R"({"template": "svc-latency", "args": {"service": "slow"},
                             "control": "stable", "experiment": "canary",
                             "start": "now-30m", "end": "now", "strategy": "canary"})");
  ASSERT_EQ(slow.status, 200) << slow.raw;
  EXPECT_EQ(nlohmann::json::parse(slow.body)["verdict"], "ABORT");

  // Bad requests: 400 with the field named.
  struct Case {
    std::string body, error;
  };
  const std::vector<Case> cases = {
      {"", "request body: empty (a JSON object with template, control, experiment and a window)"},
      {"{\"template\": ", "request body: not JSON"},
      {"[1]", "request body: expected a JSON object, got array"},
      {R"({"control": "a", "experiment": "b", "lookback": "5m"})", "template: required"},
      {R"({"template": "svc-latency", "control": "a", "experiment": "b", "lookbak": "5m"})",
       "unknown field 'lookbak' (fields: template, args, control, experiment, start, end, "
       "lookback, step, strategy, provider)"},
      {R"({"template": "svc-latency", "args": {"service": 3}, "control": "a",
           "experiment": "b", "lookback": "5m"})",
       "args.service: expected a string, got number"},
      {R"({"template": "svc-latency", "args": {"service": "x"}, "control": "a",
           "experiment": "b", "lookback": "soon"})",
       "lookback: "},
      {R"({"template": "svc-latency", "args": {"service": "x"}, "control": "a",
           "experiment": "b", "start": "now-5m"})",
       "end: required with start (or give lookback)"},
      {R"({"template": "svc-latency", "args": {"service": "x"}, "control": "a",
           "experiment": "b", "lookback": "5m", "start": "now-5m", "end": "now"})",
       "lookback: give start and end, or lookback, not both"},
      {R"({"template": "no-such", "control": "a", "experiment": "b", "lookback": "5m"})",
       "template 'no-such'"},
      {R"({"template": "svc-latency", "args": {"service": "x"}, "control": "a",
           "experiment": "b", "lookback": "5m", "strategy": "yolo"})",
       "strategy: "},
  };
  for (const Case& c : cases) {
    const auto bad = Post(h, "/v1/analyze", c.body);
    EXPECT_EQ(bad.status, 400) << c.body << "\n" << bad.raw;
    const nlohmann::json error = nlohmann::json::parse(bad.body, nullptr, false);
    ASSERT_TRUE(error.is_object()) << bad.raw;
    EXPECT_THAT(error["error"].get<std::string>(), HasSubstr(c.error)) << c.body;
  }

  // A backend that cannot answer: 503, never a verdict.
  const auto down = Post(h, "/v1/analyze",
                         R"({"template": "svc-latency", "args": {"service": "down"},
                             "control": "stable", "experiment": "canary", "lookback": "30m"})");
  EXPECT_EQ(down.status, 503) << down.raw;
  EXPECT_THAT(nlohmann::json::parse(down.body)["error"].get<std::string>(),
              HasSubstr("connection refused"));
  // Only POST.
  EXPECT_EQ(h.Get("/v1/analyze")->status, 405);
}

// Argo Rollouts' kayenta provider, request by request (metricproviders/kayenta/kayenta.go):
// look the config up by name, start a judgement, poll until complete, read the score.
int KayentaScore(Harness& h, const std::string& service, const std::string& status = "succeeded") {
  // 1. GET /canaryConfig, with the storage account in configurationAccountName (Argo's quirk).
  const auto configs =
      h.Get("/canaryConfig?application=checkout&configurationAccountName=my-storage-account");
  EXPECT_EQ(configs->status, 200) << configs->raw;
  std::string config_id;
  for (const nlohmann::json& c : nlohmann::json::parse(configs->body)) {
    if (c["name"] == "svc-latency") config_id = c["id"];
  }
  EXPECT_EQ(config_id, "svc-latency");
  // 2. POST /canary/{configId} with the four query parameters and Kayenta's request body.
  const std::string end = FormatRfc3339(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
  const std::string start =
      FormatRfc3339(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now() - absl::Minutes(30))));
  const std::string scope = absl::StrCat(
      R"({"scope": "%s", "location": "eu-west-1", "step": 15, "start": ")", start, R"(", "end": ")",
      end, R"(", "extendedScopeParams": {"service": ")", service, R"("}})");
  const std::string body = absl::StrCat(
      R"({"scopes": {"default": {"controlScope": )", absl::StrReplaceAll(scope, {{"%s", "stable"}}),
      R"(, "experimentScope": )", absl::StrReplaceAll(scope, {{"%s", "canary"}}),
      R"(}}, "thresholds": {"pass": 90, "marginal": 75}})");
  const auto started = Post(h,
                            absl::StrCat("/canary/", config_id,
                                         "?application=checkout&metricsAccountName=prom"
                                         "&configurationAccountName=cfg&storageAccountName=store"),
                            body);
  EXPECT_EQ(started.status, 200) << started.raw;
  const std::string id = nlohmann::json::parse(started.body)["canaryExecutionId"];
  EXPECT_FALSE(id.empty());
  // 3. GET /canary/{id} (no query parameters) until complete.
  nlohmann::json execution;
  for (int i = 0; i < 200; ++i) {
    const auto polled = h.Get(absl::StrCat("/canary/", id));
    EXPECT_EQ(polled->status, 200) << polled->raw;
    execution = nlohmann::json::parse(polled->body);
    EXPECT_TRUE(execution["complete"].is_boolean());  // Argo: missing is an error
    if (execution["complete"] == true) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(execution["complete"], true);
  EXPECT_EQ(execution["status"], status) << execution.dump();
  if (status != "succeeded") {
    EXPECT_FALSE(execution.contains("result")) << execution.dump();
    return -1;
  }
  // 4. result.judgeResult.score.score, truncated to int.
  return static_cast<int>(execution["result"]["judgeResult"]["score"]["score"].get<double>());
}

TEST(AnalysisServiceTest, ArgoKayentaProviderRunsAJudgementToTheEnd) {
  Harness h;
  EXPECT_GE(KayentaScore(h, "healthy"), 90);  // Argo: Successful (score >= pass)
  EXPECT_LT(KayentaScore(h, "slow"), 75);     // Argo: Failed
  // A run that ends ABORT although its last score was 100 (an ERROR metric dropped out of the
  // score, the interval HOLD, the run's end ABORT): Argo must see a failing score, not 100.
  EXPECT_EQ(KayentaScore(h, "broken"), 0);
  // A backend that stays down ends terminal without a result: Argo records an error, not a
  // failed canary and never a pass.
  EXPECT_EQ(KayentaScore(h, "down", "terminal"), -1);

  // Requests Kayenta would refuse, or augur cannot judge: 400 naming the problem; unknown ids 404.
  const auto no_thresholds = Post(h, "/canary/svc-latency", R"({"scopes": {}})");
  EXPECT_EQ(no_thresholds.status, 400) << no_thresholds.raw;
  EXPECT_THAT(no_thresholds.body, HasSubstr("thresholds: required"));
  const auto two_scopes =
      Post(h, "/canary/svc-latency", R"({"scopes": {"a": {}, "b": {}}, "threshold": {"pass": 1}})");
  EXPECT_EQ(two_scopes.status, 400);
  EXPECT_THAT(two_scopes.body, HasSubstr("exactly one scope pair"));
  const auto no_times = Post(h, "/canary/svc-latency",
                             R"({"scopes": {"default": {"controlScope": {"scope": "stable"},
                                 "experimentScope": {"scope": "canary"}}},
                                 "thresholds": {"pass": 90, "marginal": 75}})");
  EXPECT_EQ(no_times.status, 400);
  EXPECT_THAT(no_times.body, HasSubstr("scopes.default.controlScope.start: required"));
  const auto unknown_config = Post(h, "/canary/no-such-config",
                                   R"({"scopes": {"default": {
      "controlScope": {"scope": "stable", "start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:30:00Z"},
      "experimentScope": {"scope": "canary", "start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:30:00Z"}}},
      "thresholds": {"pass": 90, "marginal": 75}})");
  EXPECT_EQ(unknown_config.status, 404) << unknown_config.raw;
  EXPECT_EQ(h.Get("/canary/r-nosuchrun")->status, 404);
}

// Flagger's webhook body (pkg/controller/webhook.go): name, namespace, phase, checksum, metadata.
std::string FlaggerBody(const std::string& service, const std::string& extra_metadata = "",
                        const std::string& checksum = "6c9f8d7b5") {
  return absl::StrCat(R"({"name": "podinfo", "namespace": "test", "phase": "Progressing", )",
                      R"("checksum": ")", checksum,
                      R"(", "metadata": {"template": "svc-latency", )",
                      R"("control": "stable", "experiment": "canary", "arg.service": ")", service,
                      R"(")", extra_metadata, "}}");
}

TEST(AnalysisServiceTest, FlaggerWebhooksGateEachStepOnTheVerdict) {
  Harness h;
  const std::string lookback = R"(, "lookback": "30m")";
  struct Case {
    std::string hook, service;
    int status;
    std::string body_start;
  };
  const std::vector<Case> cases = {
      // rollout: a failed check only on ABORT.
      {"rollout", "healthy", 200, "PROMOTE: "},
      {"rollout", "quiet", 200, "HOLD: "},
      {"rollout", "slow", 409, "ABORT: "},
      // confirm-*: only PROMOTE goes ahead; HOLD waits (412), ABORT refuses (409).
      {"confirm-traffic-increase", "healthy", 200, "PROMOTE: "},
      {"confirm-traffic-increase", "quiet", 412, "HOLD: "},
      {"confirm-promotion", "healthy", 200, "PROMOTE: "},
      {"confirm-promotion", "quiet", 412, "HOLD: "},
      {"confirm-promotion", "slow", 409, "ABORT: "},
      // rollback: 200 only on ABORT.
      {"rollback", "slow", 200, "ABORT: "},
      {"rollback", "healthy", 412, "no rollback: PROMOTE: "},
      {"rollback", "quiet", 412, "no rollback: HOLD: "},
      // A backend that cannot answer: no verdict, 503 (rollout counts a failed check, nothing
      // goes ahead, nothing rolls back).
      {"rollout", "down", 503, "the analysis could not run: "},
      {"rollback", "down", 503, "the analysis could not run: "},
      // Notifications and the gate before a rollout starts.
      {"confirm-rollout", "slow", 200, "ok"},
      {"pre-rollout", "slow", 200, "ok"},
      {"post-rollout", "slow", 200, "ok"},
      {"event", "slow", 200, "ok"},
  };
  for (const Case& c : cases) {
    const auto response = Post(h, "/flagger/" + c.hook, FlaggerBody(c.service, lookback));
    EXPECT_EQ(response.status, c.status) << c.hook << " " << c.service << "\n" << response.raw;
    EXPECT_THAT(response.body, StartsWith(c.body_start)) << c.hook << " " << c.service;
  }
  // Without a lookback, the window is the revision's time so far (at least a minute).
  const auto first = Post(h, "/flagger/rollout", FlaggerBody("healthy"));
  EXPECT_EQ(first.status, 200) << first.raw;
  // Bad requests name the problem.
  const auto unknown = Post(h, "/flagger/promote", FlaggerBody("healthy", lookback));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("unknown Flagger hook 'promote'"));
  const auto no_template = Post(h, "/flagger/rollout",
                                R"({"name": "p", "namespace": "n", "phase": "Progressing",
                                    "checksum": "1", "metadata": {"control": "a", "experiment": "b"}})");
  EXPECT_EQ(no_template.status, 400);
  EXPECT_THAT(no_template.body, HasSubstr("metadata.template: required"));
  const auto typo = Post(h, "/flagger/rollout", FlaggerBody("healthy", R"(, "lookbak": "5m")"));
  EXPECT_EQ(typo.status, 400);
  EXPECT_THAT(typo.body, HasSubstr("metadata.lookbak: unknown"));
  const auto missing_arg = Post(h, "/flagger/pre-rollout",
                                R"({"name": "p", "namespace": "n", "checksum": "1",
                                    "metadata": {"template": "no-such", "control": "a",
                                                 "experiment": "b", "lookback": "5m"}})");
  EXPECT_EQ(missing_arg.status, 400);
  EXPECT_THAT(missing_arg.body, HasSubstr("metadata.template: 'no-such' is not loaded"));
  EXPECT_EQ(Post(h, "/flagger/rollout", "not json").status, 400);
  // Names longer than Kubernetes allows are refused before anything is remembered.
  const auto long_name = Post(h, "/flagger/rollout",
                              absl::StrCat(R"({"name": ")", std::string(300, 'x'),
                                           R"(", "namespace": "n", "checksum": "1",
                                               "metadata": {"template": "svc-latency"}})"));
  EXPECT_EQ(long_name.status, 400);
  EXPECT_THAT(long_name.body, HasSubstr("longer than Kubernetes allows"));
}

TEST(AnalysisServiceTest, TheHttpAdaptersCanRequireABearerToken) {
  const std::string dir = TempDir("token");
  const std::string token_file = dir + "/token";
  std::ofstream(token_file) << "s3cret-token\n";
  ServerOptions options;
  options.config.template_dirs = {AUGUR_SERVICE_TEMPLATES};
  options.config.server.grpc_listen = "127.0.0.1:0";
  options.config.server.http_listen = "127.0.0.1:0";
  options.config.server.http_bearer_token_file = token_file;
  std::ostringstream log;
  std::atomic<int> fetches{0};
  options.log = &log;
  options.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches);
  auto server = Server::Start(std::move(options));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string body = R"({"template": "svc-latency", "args": {"service": "healthy"},
                               "control": "stable", "experiment": "canary", "lookback": "30m"})";
  auto post = [&](const std::string& headers) {
    const std::string request =
        absl::StrCat("POST /v1/analyze HTTP/1.1\r\nHost: x\r\nConnection: close\r\n", headers,
                     "Content-Length: ", body.size(), "\r\n\r\n", body);
    auto response = augur::testing::HttpExchange((*server)->http_port(), request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(post(""), 401);
  EXPECT_EQ(post("Authorization: Bearer wrong\r\n"), 401);
  EXPECT_EQ(post("Authorization: Basic czNjcmV0LXRva2Vu\r\n"), 401);
  EXPECT_EQ(fetches.load(), 0);  // refused before any work
  EXPECT_EQ(post("Authorization: Bearer s3cret-token\r\n"), 200);
  EXPECT_GT(fetches.load(), 0);
  EXPECT_EQ(post("Authorization: bearer s3cret-token\r\n"), 200);  // the scheme's case is free
  // Controllers that send no headers (Argo's kayenta provider, Flagger) put it in the path.
  auto get_status = [&](const std::string& path) {
    auto response = augur::testing::HttpGet((*server)->http_port(), path);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(get_status("/token/s3cret-token/canaryConfig"), 200);
  EXPECT_EQ(get_status("/token/wrong/canaryConfig"), 401);
  EXPECT_EQ(get_status("/canaryConfig"), 401);
  // Health and readiness stay open to probes; the metrics want the token (a scrape sends it).
  for (const char* path : {"/healthz", "/readyz"}) {
    auto health = augur::testing::HttpGet((*server)->http_port(), path);
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(health->status, 200) << path;
  }
  auto get = [&](const std::string& path, const std::string& headers) {
    auto response = augur::testing::HttpExchange(
        (*server)->http_port(),
        absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n", headers,
                     "\r\n"));
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->status : 0;
  };
  EXPECT_EQ(get("/metrics", ""), 401);
  EXPECT_EQ(get("/metrics", "Authorization: Bearer s3cret-token\r\n"), 200);
  EXPECT_EQ(get("/canaryConfig", ""), 401);
  EXPECT_EQ(get("/canaryConfig", "Authorization: Bearer s3cret-token\r\n"), 200);
  EXPECT_THAT(log.str(), Not(HasSubstr("s3cret-token")));

  // An empty token file is refused at start-up, naming the field.
  const std::string empty_file = dir + "/empty";
  std::ofstream(empty_file) << "\n";
  ServerOptions bad;
  bad.config.server.grpc_listen = "127.0.0.1:0";
  bad.config.server.http_listen = "127.0.0.1:0";
  bad.config.server.http_bearer_token_file = empty_file;
  bad.log = &log;
  bad.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches);
  auto refused = Server::Start(std::move(bad));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("server.httpBearerTokenFile"));
}

TEST(AnalysisServiceTest, RunWindowsAreCheckedAgainstMaxWindowAfterTheirDefaults) {
  // A sliding window without a lookback takes the interval, and an explicit zero lookback with
  // no mode is a growing window over the lifetime: both are measured as judged (the default
  // limits.maxWindow is 24h).
  Harness h;
  const absl::Time start = absl::Now();
  v1::StartRunRequest sliding = RunFor("healthy", start, absl::Hours(48), absl::Hours(96));
  sliding.mutable_schedule()->set_window_mode(v1::WINDOW_MODE_SLIDING);
  v1::StartRunRequest zero_lookback = RunFor("healthy", start, absl::Hours(1), absl::Hours(72));
  ToProto(absl::ZeroDuration(), zero_lookback.mutable_schedule()->mutable_lookback());
  for (const auto& [request, field] : {std::pair{sliding, "schedule.lookback: 48h"},
                                       std::pair{zero_lookback, "schedule.lifetime: 72h"}}) {
    v1::Run run;
    auto context = Context();
    const grpc::Status status = h.stub->StartRun(context.get(), request, &run);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(status.error_message(), HasSubstr(field));
  }
}

TEST(AnalysisServiceTest, RunsAreCancelledIdempotentAndValidated) {
  Harness h;
  v1::StartRunRequest request = RunFor("healthy", absl::Now(), absl::Hours(1), absl::Hours(4));
  request.set_run_id("checkout-42");
  v1::Run run;
  auto context = Context();
  ASSERT_TRUE(h.stub->StartRun(context.get(), request, &run).ok());
  EXPECT_EQ(run.run_id(), "checkout-42");
  // The same request again: the same run. A different one under that id: ALREADY_EXISTS.
  v1::Run again;
  context = Context();
  ASSERT_TRUE(h.stub->StartRun(context.get(), request, &again).ok());
  EXPECT_EQ(again.create_time().seconds(), run.create_time().seconds());
  (*request.mutable_args())["service"] = "other";
  context = Context();
  EXPECT_EQ(h.stub->StartRun(context.get(), request, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::CancelRunRequest cancel;
  cancel.set_name("runs/checkout-42");
  context = Context();
  ASSERT_TRUE(h.stub->CancelRun(context.get(), cancel, &run).ok());
  EXPECT_EQ(run.state(), v1::RUN_STATE_CANCELLED);
  EXPECT_EQ(run.verdict(), v1::VERDICT_HOLD);
  context = Context();
  grpc::Status status = h.stub->CancelRun(context.get(), cancel, &run);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("already ended: CANCELLED"));
  auto [intervals, final_run] = Watch(h, "runs/checkout-42");
  EXPECT_TRUE(intervals.empty());
  EXPECT_EQ(final_run.state(), v1::RUN_STATE_CANCELLED);

  v1::GetRunRequest get;
  get.set_name("runs/nope");
  context = Context();
  EXPECT_EQ(h.stub->GetRun(context.get(), get, &run).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name("runs/Bad Name");
  context = Context();
  EXPECT_EQ(h.stub->GetRun(context.get(), get, &run).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  struct Case {
    std::function<void(v1::StartRunRequest&)> edit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_schedule(); }, "schedule.interval: required"},
      {[](auto& r) { ToProto(absl::Minutes(1), r.mutable_schedule()->mutable_lifetime()); },
       "schedule.lifetime: 1m is shorter than one interval"},
      {[](auto& r) { r.mutable_schedule()->mutable_warmup()->set_seconds(-5); },
       "schedule.warmup: must not be negative"},
      {[](auto& r) { r.mutable_stop()->set_promote_after_passing_intervals(9); },
       "stop.promote_after_passing_intervals: 9 is more than the run's 4 intervals"},
      {[](auto& r) { r.mutable_args()->clear(); }, "service"},
      {[](auto& r) { r.set_run_id("UPPER"); }, "run_id: 'UPPER' must be"},
      {[](auto& r) { r.set_experiment("stable"); }, "both 'stable'"},
      // Checked when the run starts, not at every interval.
      {[](auto& r) { r.set_provider("elsewhere"); }, "provider: no provider 'elsewhere'"},
      {[](auto& r) { r.mutable_step(); }, "step: must be positive"},
      {[](auto& r) { ToProto(absl::Hours(48), r.mutable_schedule()->mutable_lifetime()); },
       "schedule.lifetime: 48h windows are longer than the server allows (24h, limits.maxWindow)"},
      {[](auto& r) {
         r.mutable_schedule()->set_window_mode(v1::WINDOW_MODE_SLIDING);
         ToProto(absl::Hours(30), r.mutable_schedule()->mutable_lookback());
       },
       "schedule.lookback: 30h windows are longer than the server allows (24h"},
  };
  for (const Case& c : cases) {
    v1::StartRunRequest bad = RunFor("healthy", absl::Now(), absl::Hours(1), absl::Hours(4));
    c.edit(bad);
    context = Context();
    status = h.stub->StartRun(context.get(), bad, &run);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
}

TEST(AnalysisServiceTest, ARestartedServerResumesARunFromItsLastStoredInterval) {
  const std::string dir = TempDir("resume");
  std::string run_id;
  {
    Harness h(dir);
    v1::Run run;
    auto context = Context();
    // Intervals of 2 s from now: the first lands before the restart, the rest after it.
    ASSERT_TRUE(h.stub
                    ->StartRun(context.get(),
                               RunFor("healthy", absl::Now(), absl::Seconds(2), absl::Seconds(8)),
                               &run)
                    .ok());
    run_id = run.run_id();
    v1::GetRunRequest get;
    get.set_name(run_id);
    for (int i = 0; i < 400 && run.intervals_size() == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
      context = Context();
      ASSERT_TRUE(h.stub->GetRun(context.get(), get, &run).ok());
    }
    ASSERT_GE(run.intervals_size(), 1);
    ASSERT_LT(run.intervals_size(), 4);
    h.server->Shutdown(absl::Seconds(5));
  }
  Harness h(dir);
  EXPECT_THAT(h.log.str(), HasSubstr("\"msg\":\"run resumed\""));
  auto [intervals, final_run] = Watch(h, "runs/" + run_id);
  ASSERT_EQ(intervals.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(intervals[static_cast<size_t>(i)].index(), i + 1);
  EXPECT_EQ(final_run.state(), v1::RUN_STATE_SUCCEEDED);
  EXPECT_EQ(final_run.verdict(), v1::VERDICT_PROMOTE);
}

TEST(AnalysisServiceTest, ASecondServerCannotTakeTheDataDirectoryOrThePort) {
  const std::string dir = TempDir("lock");
  Harness first(dir);
  ServerOptions options;
  options.config.template_dirs = {AUGUR_SERVICE_TEMPLATES};
  options.config.server.grpc_listen = "127.0.0.1:0";
  options.config.server.http_listen = "127.0.0.1:0";
  options.config.server.data_dir = dir;
  std::ostringstream log;
  options.log = &log;
  std::atomic<int> fetches{0};
  options.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches);
  auto second = Server::Start(std::move(options));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("is in use by another augur serve"));

  // gRPC's SO_REUSEPORT is off: a busy port fails the start instead of sharing connections.
  ServerOptions same_port;
  same_port.config.template_dirs = {AUGUR_SERVICE_TEMPLATES};
  same_port.config.server.grpc_listen = absl::StrCat("127.0.0.1:", first.server->grpc_port());
  same_port.config.server.http_listen = "127.0.0.1:0";
  same_port.log = &log;
  same_port.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches);
  auto third = Server::Start(std::move(same_port));
  ASSERT_FALSE(third.ok());
  EXPECT_THAT(std::string(third.status().message()), HasSubstr("server.grpcListen"));

  // Once the first server is gone, the directory is free again.
  first.server->Shutdown(absl::Seconds(5));
  first.server.reset();
  Harness again(dir);
  EXPECT_GT(again.server->grpc_port(), 0);
}

TEST(AnalysisServiceTest, HealthAndHttpEndpoints) {
  Harness h;
  auto health = grpc::health::v1::Health::NewStub(h.channel);
  for (const char* service : {"", "augur.v1.AnalysisService"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    auto context = Context();
    ASSERT_TRUE(health->Check(context.get(), request, &response).ok());
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }

  auto healthz = h.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  auto readyz = h.Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200);
  auto metrics = h.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("augur_build_info{version=\""));
  EXPECT_THAT(metrics->body, HasSubstr("augur_templates_loaded 1"));
}

TEST(AnalysisServiceTest, ShutdownLetsTheCallInFlightFinishAndReportsNotReady) {
  Harness h;
  grpc::Status status;
  v1::AnalysisResult result;
  std::thread call([&] { status = CallAnalyze(h, AnalyzeFor("slow-fetch"), &result); });
  // Drain only once the call is fetching (its control query takes 1.5 s).
  for (int i = 0; i < 1000 && h.fetches == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_GT(h.fetches, 0);  // not ASSERT: the call thread must still be joined
  std::thread drain([&] { h.server->Shutdown(absl::Seconds(20)); });
  absl::SleepFor(absl::Milliseconds(300));
  auto readyz = h.Get("/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503);
  call.join();
  drain.join();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(result.verdict(), v1::VERDICT_PROMOTE);
  // New calls are refused once the server has stopped.
  status = CallAnalyze(h, AnalyzeFor("healthy"), &result, absl::Seconds(2));
  EXPECT_FALSE(status.ok());
}

TEST(AnalysisServiceTest, TemplateReloadSwapsAllOrNothing) {
  const std::string dir = TempDir("templates");
  std::filesystem::copy_file(std::string(AUGUR_SERVICE_TEMPLATES) + "/svc-latency.yaml",
                             dir + "/svc-latency.yaml");
  Harness h("", {dir});
  std::ifstream in(dir + "/svc-latency.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string second = text.str();
  second.replace(second.find("name: svc-latency"), 17, "name: svc-second");
  std::ofstream(dir + "/second.yaml") << second;
  ASSERT_TRUE(h.server->ReloadTemplates().ok());
  auto context = Context();
  v1::ListTemplatesResponse list;
  ASSERT_TRUE(h.stub->ListTemplates(context.get(), {}, &list).ok());
  EXPECT_EQ(list.templates_size(), 2);

  std::ofstream(dir + "/broken.yaml") << "apiVersion: augur/v1\nkind: AnalysisTemplate\n";
  const absl::Status reload = h.server->ReloadTemplates();
  EXPECT_FALSE(reload.ok());
  EXPECT_THAT(std::string(reload.message()), HasSubstr("broken.yaml"));
  context = Context();
  ASSERT_TRUE(h.stub->ListTemplates(context.get(), {}, &list).ok());
  EXPECT_EQ(list.templates_size(), 2);  // the old set stays
  EXPECT_THAT(h.log.str(), HasSubstr("template reload failed"));
  auto metrics = h.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("augur_template_reloads_total{result=\"error\"} 1"));
}

}  // namespace
}  // namespace augur::service
