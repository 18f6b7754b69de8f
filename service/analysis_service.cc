#include "service/analysis_service.h"

#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "config/template_loader.h"
#include "core/status_macros.h"
#include "core/time_parse.h"
#include "service/convert.h"

namespace augur::service {
namespace {

// The call's deadline and cancellation, for the provider and the slot wait.
CallLimits LimitsOf(grpc::ServerContext* context) {
  CallLimits limits;
  const std::chrono::system_clock::time_point deadline = context->deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    limits.deadline = absl::FromChrono(deadline);
  }
  limits.cancelled = [context] { return context->IsCancelled(); };
  return limits;
}

absl::Status CheckScopes(const std::string& control, const std::string& experiment) {
  if (control.empty()) return absl::InvalidArgumentError("control: required (e.g. \"stable\")");
  if (experiment.empty()) {
    return absl::InvalidArgumentError("experiment: required (e.g. \"canary\")");
  }
  if (control == experiment) {
    return absl::InvalidArgumentError(absl::StrCat("control and experiment are both '", control,
                                                   "'; an analysis compares two scopes"));
  }
  return absl::OkStatus();
}

absl::Status CheckStrategy(v1::Strategy strategy) {
  if (!v1::Strategy_IsValid(strategy)) {
    return absl::InvalidArgumentError(absl::StrCat("strategy: unknown value ", strategy));
  }
  return absl::OkStatus();
}

// A request's inline template may not bring its own backend: the server would fetch from any
// address a caller names and read any credential file it names.
absl::Status CheckInlineProvider(const LoadedTemplate& t) {
  if (t.file.empty() && t.spec.provider.inline_prometheus) {
    return absl::InvalidArgumentError(
        "template.yaml: provider.prometheus: a template sent in a request cannot bring its own "
        "backend; name a provider the server is configured with");
  }
  return absl::OkStatus();
}

QueryResult CountResult(const v1::RateCounts& counts, bool events) {
  QueryResult out;
  if (events ? counts.has_events() : counts.has_total()) {
    Series& s = out.series.emplace_back();
    s.points.push_back(Point{0, events ? counts.events() : counts.total()});
  }
  return out;
}

}  // namespace

AnalysisServiceImpl::AnalysisServiceImpl(TemplateRegistry& templates, Analyzer& analyzer,
                                         RunManager& runs, ServiceMetrics& metrics, JsonLog& log,
                                         config::Limits limits, Clock& clock)
    : templates_(templates),
      analyzer_(analyzer),
      runs_(runs),
      metrics_(metrics),
      log_(log),
      limits_(limits),
      clock_(clock) {}

absl::StatusOr<std::shared_ptr<const LoadedTemplate>> AnalysisServiceImpl::Resolve(
    const v1::TemplateRef& ref) {
  std::shared_ptr<const LoadedTemplate> t;
  switch (ref.source_case()) {
    case v1::TemplateRef::kName: {
      auto found = templates_.Find(ref.name());
      if (!found.ok()) {
        return absl::NotFoundError(absl::StrCat("template.name: ", found.status().message()));
      }
      t = *std::move(found);
      break;
    }
    case v1::TemplateRef::kYaml: {
      auto parsed = ParseInlineTemplate(ref.yaml());
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("template.yaml: ", parsed.status().message()));
      }
      t = *std::move(parsed);
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "template: required: a name (from the server's templates) or yaml");
  }
  if (static_cast<int64_t>(t->spec.metrics.size()) > limits_.max_metrics) {
    return absl::InvalidArgumentError(absl::StrCat("template: ", t->spec.metrics.size(),
                                                   " metrics; the server allows ",
                                                   limits_.max_metrics, " (limits.maxMetrics)"));
  }
  return t;
}

grpc::Status AnalysisServiceImpl::Finish(const char* method, absl::Time start,
                                         const absl::Status& status) {
  const grpc::Status out = ToGrpcStatus(status);
  metrics_.CountRpc(method, GrpcCodeName(out.error_code()),
                    absl::ToDoubleSeconds(clock_.Now() - start));
  if (!status.ok() && !absl::IsInvalidArgument(status) && !absl::IsNotFound(status) &&
      !absl::IsCancelled(status)) {
    log_.Warn("call failed", {{"method", method},
                              {"code", GrpcCodeName(out.error_code())},
                              {"error", std::string(status.message())}});
  }
  return out;
}

absl::StatusOr<analysis::AnalysisResult> AnalysisServiceImpl::AnalyzeRequest(
    const char* kind, const v1::AnalyzeRequest& request, const CallLimits& limits,
    bool keep_series) {
  AUGUR_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedTemplate> t, Resolve(request.template_()));
  AUGUR_RETURN_IF_ERROR(CheckInlineProvider(*t));
  AUGUR_RETURN_IF_ERROR(CheckScopes(request.control(), request.experiment()));
  AUGUR_RETURN_IF_ERROR(CheckStrategy(request.strategy()));
  analysis::AnalysisRequest a;
  a.keep_series = keep_series;
  a.args.insert(request.args().begin(), request.args().end());
  a.control_scope = request.control();
  a.experiment_scope = request.experiment();
  a.strategy = FromProto(request.strategy());
  switch (request.window_spec_case()) {
    case v1::AnalyzeRequest::kWindow: {
      AUGUR_ASSIGN_OR_RETURN(a.start, TimeField(request.window().start(), "window.start"));
      AUGUR_ASSIGN_OR_RETURN(a.end, TimeField(request.window().end(), "window.end"));
      if (!request.window().has_start() || !request.window().has_end()) {
        return absl::InvalidArgumentError("window: start and end are both required");
      }
      if (!(a.end > a.start)) {
        return absl::InvalidArgumentError(absl::StrCat("window: end (", FormatRfc3339(a.end),
                                                       ") must be after start (",
                                                       FormatRfc3339(a.start), ")"));
      }
      break;
    }
    case v1::AnalyzeRequest::kLookback: {
      AUGUR_ASSIGN_OR_RETURN(absl::Duration lookback,
                             DurationField(request.lookback(), "lookback"));
      if (lookback <= absl::ZeroDuration()) {
        return absl::InvalidArgumentError("lookback: must be positive");
      }
      a.end = clock_.Now();
      a.start = a.end - lookback;
      break;
    }
    default:
      return absl::InvalidArgumentError("window or lookback: required (e.g. lookback 30m)");
  }
  if (a.end - a.start > limits_.max_window) {
    return absl::InvalidArgumentError(absl::StrCat(
        "window: ", FormatPromDuration(a.end - a.start), " is longer than the server allows (",
        FormatPromDuration(limits_.max_window), ", limits.maxWindow)"));
  }
  if (request.has_step()) {
    AUGUR_ASSIGN_OR_RETURN(absl::Duration step, DurationField(request.step(), "step"));
    if (step <= absl::ZeroDuration()) return absl::InvalidArgumentError("step: must be positive");
    a.step = step;
  }
  AUGUR_ASSIGN_OR_RETURN(analysis::AnalysisResult result,
                         analyzer_.Analyze(kind, *t, a, request.provider(), limits));
  log_.Info("analysis", {{"template", result.template_name},
                         {"strategy", analysis::StrategyName(result.strategy)},
                         {"control", result.control_scope},
                         {"experiment", result.experiment_scope},
                         {"verdict", analysis::VerdictName(result.verdict)},
                         {"score", result.score.score}});
  return result;
}

grpc::Status AnalysisServiceImpl::Analyze(grpc::ServerContext* context,
                                          const v1::AnalyzeRequest* request,
                                          v1::AnalysisResult* response) {
  const absl::Time start = clock_.Now();
  absl::StatusOr<analysis::AnalysisResult> result =
      AnalyzeRequest("analyze", *request, LimitsOf(context), /*keep_series=*/false);
  if (result.ok()) ToProto(*result, response);
  return Finish("Analyze", start, result.status());
}

grpc::Status AnalysisServiceImpl::Judge(grpc::ServerContext* /*context*/,
                                        const v1::JudgeRequest* request,
                                        v1::AnalysisResult* response) {
  const absl::Time start = clock_.Now();
  const absl::Status status = [&]() -> absl::Status {
    AUGUR_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedTemplate> t, Resolve(request->template_()));
    AUGUR_RETURN_IF_ERROR(CheckStrategy(request->strategy()));
    const std::vector<config::Metric>& metrics = t->spec.metrics;
    std::vector<analysis::MetricAnswers> data(metrics.size());
    std::vector<bool> given(metrics.size(), false);
    for (int i = 0; i < request->metrics_size(); ++i) {
      const v1::MetricData& m = request->metrics(i);
      const std::string field = absl::StrCat("metrics[", i, "]");
      size_t index = 0;
      while (index < metrics.size() && metrics[index].name != m.metric()) ++index;
      if (index == metrics.size()) {
        std::vector<std::string> names;
        for (const config::Metric& known : metrics) names.push_back(known.name);
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".metric: '", m.metric(), "' is not a metric of template '",
                         t->spec.name, "' (its metrics: ", absl::StrJoin(names, ", "), ")"));
      }
      if (given[index]) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".metric: '", m.metric(), "' is given twice"));
      }
      given[index] = true;
      analysis::MetricAnswers& d = data[index];
      if (std::holds_alternative<config::RateJudge>(metrics[index].judge)) {
        if (m.control_size() > 0 || m.experiment_size() > 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(field, ": '", m.metric(),
                           "' has a rate judge; give control_counts and "
                           "experiment_counts, not series"));
        }
        d.control_events = CountResult(m.control_counts(), true);
        d.control_total = CountResult(m.control_counts(), false);
        d.experiment_events = CountResult(m.experiment_counts(), true);
        d.experiment_total = CountResult(m.experiment_counts(), false);
        continue;
      }
      if (m.has_control_counts() || m.has_experiment_counts()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": '", m.metric(),
                         "' is judged on series; give control and experiment "
                         "series, not counts"));
      }
      AUGUR_ASSIGN_OR_RETURN(d.control, SeriesFromProto(m.control(), field + ".control"));
      AUGUR_ASSIGN_OR_RETURN(d.experiment, SeriesFromProto(m.experiment(), field + ".experiment"));
    }
    analysis::AnalysisRequest a;
    a.strategy = FromProto(request->strategy());
    a.control_scope = request->control();
    a.experiment_scope = request->experiment();
    // Concurrent calls keep the cores busy; threads per call would only add switches.
    a.judge_threads = 1;
    AUGUR_ASSIGN_OR_RETURN(analysis::AnalysisResult result,
                           analyzer_.Judge(*t, a, std::move(data)));
    ToProto(result, response);
    return absl::OkStatus();
  }();
  return Finish("Judge", start, status);
}

absl::StatusOr<v1::Run> AnalysisServiceImpl::StartRunRequest(const v1::StartRunRequest& request) {
  AUGUR_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedTemplate> t, Resolve(request.template_()));
  AUGUR_RETURN_IF_ERROR(CheckInlineProvider(*t));
  // The longest window a run judges, once the schedule's defaults are applied (a sliding window
  // without a lookback takes the interval): its lookback when sliding, else its lifetime.
  v1::StartRunRequest normalized = request;
  AUGUR_RETURN_IF_ERROR(NormalizeSchedule(normalized, clock_.Now()));
  const v1::Schedule& s = normalized.schedule();
  const bool sliding = s.window_mode() == v1::WINDOW_MODE_SLIDING;
  const absl::Duration longest = FromProto(sliding ? s.lookback() : s.lifetime());
  if (longest > limits_.max_window) {
    return absl::InvalidArgumentError(absl::StrCat(
        sliding ? "schedule.lookback: " : "schedule.lifetime: ", FormatPromDuration(longest),
        " windows are longer than the server allows (", FormatPromDuration(limits_.max_window),
        ", limits.maxWindow)"));
  }
  return runs_.StartRun(request, std::move(t));
}

absl::StatusOr<v1::Run> AnalysisServiceImpl::GetRunByName(const std::string& name) {
  return runs_.GetRun(name);
}

absl::Duration AnalysisServiceImpl::max_window() const { return limits_.max_window; }

std::vector<std::string> AnalysisServiceImpl::TemplateNames() const {
  std::vector<std::string> names;
  // The snapshot must outlive the loop (a reload may swap the set meanwhile).
  const std::shared_ptr<const TemplateSet> set = templates_.Snapshot();
  for (const auto& [name, t] : *set) names.push_back(name);
  return names;
}

grpc::Status AnalysisServiceImpl::StartRun(grpc::ServerContext* /*context*/,
                                           const v1::StartRunRequest* request, v1::Run* response) {
  const absl::Time start = clock_.Now();
  absl::StatusOr<v1::Run> run = StartRunRequest(*request);
  if (run.ok()) *response = *std::move(run);
  return Finish("StartRun", start, run.status());
}

grpc::Status AnalysisServiceImpl::GetRun(grpc::ServerContext* /*context*/,
                                         const v1::GetRunRequest* request, v1::Run* response) {
  const absl::Time start = clock_.Now();
  absl::Status status;
  auto run = runs_.GetRun(request->name());
  if (run.ok()) {
    *response = *std::move(run);
  } else {
    status = run.status();
  }
  return Finish("GetRun", start, status);
}

grpc::Status AnalysisServiceImpl::ListRuns(grpc::ServerContext* /*context*/,
                                           const v1::ListRunsRequest* request,
                                           v1::ListRunsResponse* response) {
  const absl::Time start = clock_.Now();
  const absl::Status status = [&]() -> absl::Status {
    if (request->page_size() < 0) {
      return absl::InvalidArgumentError("page_size: must not be negative");
    }
    if (!v1::RunState_IsValid(request->state())) {
      return absl::InvalidArgumentError(absl::StrCat("state: unknown value ", request->state()));
    }
    RunFilter filter;
    filter.page_size = request->page_size() == 0 ? 50 : std::min(request->page_size(), 1000);
    filter.page_token = request->page_token();
    filter.state = request->state();
    filter.template_name = request->template_name();
    AUGUR_ASSIGN_OR_RETURN(RunPage page, runs_.ListRuns(filter));
    for (v1::Run& run : page.runs) *response->add_runs() = std::move(run);
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  }();
  return Finish("ListRuns", start, status);
}

grpc::Status AnalysisServiceImpl::CancelRun(grpc::ServerContext* /*context*/,
                                            const v1::CancelRunRequest* request,
                                            v1::Run* response) {
  const absl::Time start = clock_.Now();
  absl::Status status;
  auto run = runs_.CancelRun(request->name());
  if (run.ok()) {
    *response = *std::move(run);
  } else {
    status = run.status();
  }
  return Finish("CancelRun", start, status);
}

grpc::Status AnalysisServiceImpl::WatchRun(grpc::ServerContext* context,
                                           const v1::WatchRunRequest* request,
                                           grpc::ServerWriter<v1::RunEvent>* writer) {
  const absl::Time start = clock_.Now();
  const absl::Status status = runs_.WatchRun(
      request->name(), [writer](const v1::RunEvent& event) { return writer->Write(event); },
      [context] { return context->IsCancelled(); });
  return Finish("WatchRun", start, status);
}

grpc::Status AnalysisServiceImpl::ListTemplates(grpc::ServerContext* /*context*/,
                                                const v1::ListTemplatesRequest* /*request*/,
                                                v1::ListTemplatesResponse* response) {
  const absl::Time start = clock_.Now();
  const std::shared_ptr<const TemplateSet> set = templates_.Snapshot();
  for (const auto& [name, t] : *set) ToProto(t->spec, t->file, response->add_templates());
  return Finish("ListTemplates", start, absl::OkStatus());
}

grpc::Status AnalysisServiceImpl::ValidateTemplate(grpc::ServerContext* /*context*/,
                                                   const v1::ValidateTemplateRequest* request,
                                                   v1::ValidateTemplateResponse* response) {
  const absl::Time start = clock_.Now();
  config::TemplateLoad load = config::LoadTemplate(request->yaml());
  for (const config::Diagnostic& d : load.diagnostics.all()) {
    ToProto(d, response->add_diagnostics());
  }
  response->set_valid(load.result.has_value());
  if (load.result) {
    ToProto(*load.result, request->file_name(), response->mutable_template_());
  }
  return Finish("ValidateTemplate", start, absl::OkStatus());
}

}  // namespace augur::service
