#include "service/http_adapters.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "analysis/result_format.h"
#include "core/time_parse.h"
#include "nlohmann/json.hpp"
#include "service/convert.h"

namespace augur::service {
namespace {

using Json = nlohmann::json;

constexpr const char* kAnalyzeFields[] = {"template", "args",    "control",  "experiment",
                                          "start",    "end",     "lookback", "step",
                                          "strategy", "provider"};

// Constant-time comparison, so that a wrong token's timing tells nothing about the right one.
bool SameToken(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

absl::StatusOr<std::string> StringField(const Json& body, const char* name, bool required) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return absl::InvalidArgumentError(absl::StrCat(name, ": required"));
    return std::string();
  }
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected a string, got ", it->type_name()));
  }
  return it->get<std::string>();
}

// The body as an AnalyzeRequest; errors name the field.
absl::StatusOr<v1::AnalyzeRequest> ToAnalyzeRequest(const Json& body, absl::Time now) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body: expected a JSON object, got ", body.type_name()));
  }
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* field : kAnalyzeFields) known = known || key == field;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown field '", key, "' (fields: ", absl::StrJoin(kAnalyzeFields, ", "), ")"));
    }
  }
  v1::AnalyzeRequest r;
  auto template_name = StringField(body, "template", true);
  if (!template_name.ok()) return template_name.status();
  r.mutable_template_()->set_name(*template_name);
  if (const auto args = body.find("args"); args != body.end() && !args->is_null()) {
    if (!args->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("args: expected an object of strings, got ", args->type_name()));
    }
    for (const auto& [name, value] : args->items()) {
      if (!value.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("args.", name, ": expected a string, got ", value.type_name()));
      }
      (*r.mutable_args())[name] = value.get<std::string>();
    }
  }
  for (const char* side : {"control", "experiment"}) {
    auto scope = StringField(body, side, true);
    if (!scope.ok()) return scope.status();
    side == std::string("control") ? r.set_control(*scope) : r.set_experiment(*scope);
  }
  // Times may also be JSON numbers: Unix seconds, as `augur analyze` takes them.
  auto time_text = [&](const char* name) -> absl::StatusOr<std::string> {
    const auto it = body.find(name);
    if (it != body.end() && it->is_number()) {
      const double v = it->get<double>();
      if (!(std::fabs(v) < 1e11)) {
        return absl::InvalidArgumentError(absl::StrCat(name, ": not a time in Unix seconds"));
      }
      return FormatRfc3339(absl::FromUnixMillis(std::llround(v * 1000.0)));
    }
    return StringField(body, name, false);
  };
  auto start = time_text("start");
  auto end = time_text("end");
  auto lookback = StringField(body, "lookback", false);
  for (const auto* field : {&start, &end, &lookback}) {
    if (!field->ok()) return field->status();
  }
  if (!lookback->empty()) {
    if (!start->empty() || !end->empty()) {
      return absl::InvalidArgumentError("lookback: give start and end, or lookback, not both");
    }
    auto d = ParseDuration(*lookback);
    if (!d.ok())
      return absl::InvalidArgumentError(absl::StrCat("lookback: ", d.status().message()));
    ToProto(*d, r.mutable_lookback());
  } else if (!start->empty() || !end->empty()) {
    if (start->empty() || end->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(start->empty() ? "start" : "end", ": required with ",
                       start->empty() ? "end" : "start", " (or give lookback)"));
    }
    auto s = ParseTime(*start, now);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("start: ", s.status().message()));
    auto e = ParseTime(*end, now);
    if (!e.ok()) return absl::InvalidArgumentError(absl::StrCat("end: ", e.status().message()));
    ToProto(*s, r.mutable_window()->mutable_start());
    ToProto(*e, r.mutable_window()->mutable_end());
  }
  auto step = StringField(body, "step", false);
  if (!step.ok()) return step.status();
  if (!step->empty()) {
    auto d = ParseDuration(*step, /*allow_bare_seconds=*/true);
    if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("step: ", d.status().message()));
    ToProto(*d, r.mutable_step());
  }
  auto strategy = StringField(body, "strategy", false);
  if (!strategy.ok()) return strategy.status();
  if (!strategy->empty()) {
    auto parsed = analysis::ParseStrategy(*strategy);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("strategy: ", parsed.status().message()));
    }
    r.set_strategy(ToProto(*parsed));
  }
  auto provider = StringField(body, "provider", false);
  if (!provider.ok()) return provider.status();
  r.set_provider(*provider);
  return r;
}

// Kayenta's names for a classification and for a run's state.
const char* KayentaClassification(v1::Classification c) {
  switch (c) {
    case v1::CLASSIFICATION_PASS:
      return "Pass";
    case v1::CLASSIFICATION_HIGH:
      return "High";
    case v1::CLASSIFICATION_LOW:
      return "Low";
    case v1::CLASSIFICATION_NODATA:
      return "Nodata";
    default:
      return "Error";
  }
}

const char* KayentaStatus(v1::RunState state) {
  switch (state) {
    case v1::RUN_STATE_RUNNING:
      return "running";
    case v1::RUN_STATE_SUCCEEDED:
      return "succeeded";
    case v1::RUN_STATE_CANCELLED:
      return "canceled";
    default:
      return "terminal";
  }
}

// One side of Kayenta's scope pair: {scope, location, step, start, end, extendedScopeParams}.
struct KayentaScope {
  std::string scope;
  absl::Time start, end;
  double step_seconds = 0;
  std::map<std::string, std::string> params;
};

absl::StatusOr<KayentaScope> ReadKayentaScope(const Json& pair, const std::string& path,
                                              const char* side) {
  const std::string field = absl::StrCat(path, ".", side);
  const auto it = pair.find(side);
  if (it == pair.end() || !it->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required, an object"));
  }
  KayentaScope out;
  auto scope = StringField(*it, "scope", true);
  if (!scope.ok())
    return absl::InvalidArgumentError(absl::StrCat(field, ".", scope.status().message()));
  out.scope = *scope;
  for (const char* name : {"start", "end"}) {
    auto text = StringField(*it, name, true);
    if (!text.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".", text.status().message(),
          " (augur needs the window: Argo sends it unless the scope's times are empty)"));
    }
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, *text, &t, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".", name, ": '", *text, "' is not an RFC 3339 time"));
    }
    (std::string(name) == "start" ? out.start : out.end) = t;
  }
  if (const auto step = it->find("step"); step != it->end() && !step->is_null()) {
    if (!step->is_number() || !(step->get<double>() >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".step: expected seconds"));
    }
    out.step_seconds = step->get<double>();
  }
  if (const auto params = it->find("extendedScopeParams");
      params != it->end() && !params->is_null()) {
    if (!params->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".extendedScopeParams: expected an object of strings"));
    }
    for (const auto& [name, value] : params->items()) {
      if (!value.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".extendedScopeParams.", name, ": expected a string"));
      }
      out.params[name] = value.get<std::string>();
    }
  }
  return out;
}

// Kayenta's CanaryExecutionRequest as a run of one interval over the scopes' window.
absl::StatusOr<v1::StartRunRequest> ToKayentaRun(const Json& body, const std::string& config_id) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body: expected a JSON object, got ", body.type_name()));
  }
  // Kayenta requires thresholds; Argo's field is `threshold` in its own spec, `thresholds` in
  // the request it sends. Either is taken here.
  const auto thresholds =
      body.contains("thresholds") ? body.find("thresholds") : body.find("threshold");
  if (thresholds == body.end() || !thresholds->is_object()) {
    return absl::InvalidArgumentError(
        "thresholds: required ({\"pass\": N, \"marginal\": M}; Kayenta refuses a request "
        "without them)");
  }
  const auto scopes = body.find("scopes");
  if (scopes == body.end() || !scopes->is_object() || scopes->size() != 1) {
    return absl::InvalidArgumentError(
        "scopes: expected exactly one scope pair {\"NAME\": {\"controlScope\": {...}, "
        "\"experimentScope\": {...}}} (an augur template judges one pair)");
  }
  const std::string path = absl::StrCat("scopes.", scopes->begin().key());
  const Json& pair = scopes->begin().value();
  if (!pair.is_object())
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected an object"));
  auto control = ReadKayentaScope(pair, path, "controlScope");
  if (!control.ok()) return control.status();
  auto experiment = ReadKayentaScope(pair, path, "experimentScope");
  if (!experiment.ok()) return experiment.status();
  if (control->start != experiment->start || control->end != experiment->end) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": controlScope and experimentScope must cover the same window (augur judges both "
        "sides over one; an offset control is not supported)"));
  }
  if (!(control->end > control->start)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".controlScope.end: must be after start"));
  }
  v1::StartRunRequest r;
  r.mutable_template_()->set_name(config_id);
  r.set_control(control->scope);
  r.set_experiment(experiment->scope);
  // Template arguments travel in extendedScopeParams (the same on both sides, or on one).
  for (const KayentaScope* side : {&*control, &*experiment}) {
    for (const auto& [name, value] : side->params) {
      const auto [it, inserted] = r.mutable_args()->insert({name, value});
      if (!inserted && it->second != value) {
        return absl::InvalidArgumentError(absl::StrCat(path, ".extendedScopeParams.", name,
                                                       ": the two scopes give different values"));
      }
    }
  }
  const double step = std::max(control->step_seconds, experiment->step_seconds);
  if (step > 0) ToProto(absl::Seconds(step), r.mutable_step());
  v1::Schedule* schedule = r.mutable_schedule();
  ToProto(control->start, schedule->mutable_start_time());
  ToProto(control->end - control->start, schedule->mutable_interval());
  ToProto(control->end - control->start, schedule->mutable_lifetime());
  schedule->set_window_mode(v1::WINDOW_MODE_GROWING);
  return r;
}

// GET /canary/{id}: Kayenta's CanaryExecutionStatusResponse, the fields Argo and people read.
Json KayentaStatusResponse(const v1::Run& run) {
  Json j;
  j["canaryExecutionId"] = run.run_id();
  j["canaryConfigId"] = run.template_name();
  j["complete"] = run.state() != v1::RUN_STATE_RUNNING;
  j["status"] = KayentaStatus(run.state());
  j["startTimeIso"] = FormatRfc3339(FromProto(run.create_time()));
  if (run.state() != v1::RUN_STATE_RUNNING) {
    j["endTimeIso"] = FormatRfc3339(FromProto(run.update_time()));
  }
  const v1::IntervalResult* last =
      run.intervals_size() > 0 ? &run.intervals(run.intervals_size() - 1) : nullptr;
  // Argo reads only the score. It must never pass what augur did not PROMOTE: a run can end
  // ABORT with a high last score (a HOLD at the end, or metrics that errored and dropped out of
  // the score), so an ABORT reports 0, and a run without a verdict reports no score at all.
  const bool promote = run.verdict() == v1::VERDICT_PROMOTE;
  const bool abort = run.verdict() == v1::VERDICT_ABORT;
  if (run.state() == v1::RUN_STATE_SUCCEEDED && (promote || abort) && last != nullptr &&
      last->has_result()) {
    const v1::AnalysisResult& r = last->result();
    Json results = Json::array();
    for (const v1::MetricResult& m : r.metrics()) {
      auto stats = [](const v1::Summary& summary) {
        Json s{{"count", summary.count()}};
        if (summary.has_mean()) s["mean"] = summary.mean();
        if (summary.has_median()) s["median"] = summary.median();
        if (summary.has_min()) s["min"] = summary.min();
        if (summary.has_max()) s["max"] = summary.max();
        return Json{{"stats", s}};
      };
      Json metric{{"name", m.name()},
                  {"id", m.name()},
                  {"classification", KayentaClassification(m.classification())},
                  {"classificationReason", m.reason()},
                  {"groups", Json::array({m.group()})},
                  {"critical", m.critical_metric()},
                  {"muted", m.dry_run()},
                  {"controlMetadata", stats(m.control())},
                  {"experimentMetadata", stats(m.experiment())}};
      if (m.has_effect_size()) metric["resultMetadata"] = Json{{"ratio", m.effect_size()}};
      results.push_back(metric);
    }
    Json groups = Json::array();
    for (const v1::GroupScore& g : r.groups()) {
      groups.push_back(Json{{"name", g.name()},
                            {"score", g.score()},
                            {"classification", ""},
                            {"classificationReason", ""}});
    }
    const double score = promote ? r.score() : 0.0;
    const std::string classification = promote ? "Pass" : "Fail";
    const absl::Duration length =
        FromProto(last->window().end()) - FromProto(last->window().start());
    j["result"] =
        Json{{"judgeResult", Json{{"judgeName", "augur"},
                                  {"results", results},
                                  {"groupScores", groups},
                                  {"score", Json{{"score", score},
                                                 {"classification", classification},
                                                 {"classificationReason", run.reason()}}}}},
             {"canaryDuration", absl::StrCat("PT", absl::ToInt64Seconds(length), "S")}};
  } else if (run.state() != v1::RUN_STATE_RUNNING) {
    // No result: Argo, which reads only the score, counts the measurement as an error.
    j["exception"] =
        Json{{"message", last != nullptr && !last->error().empty() ? last->error() : run.reason()}};
  }
  return j;
}

// The request's fault (400) or the backend's (503).
int StatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return 400;
    // FailedPrecondition is the backend's (TLS, credentials, 401/403 from Prometheus): 503.
    default:
      return 503;
  }
}

}  // namespace

void HandleAdapterRoute(HttpServer& http, const std::string& method, const std::string& route,
                        const HttpHandler& handler) {
  http.Handle(method, route, handler);
  http.Handle(method, "/token/{token}" + route, handler);
}

HttpResponse JsonError(int status, const std::string& message) {
  return HttpResponse{
      status, "application/json",
      Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"};
}

std::optional<HttpResponse> CheckBearer(const HttpRequest& request,
                                        const HttpAdapterOptions& options) {
  if (options.bearer_token.empty()) return std::nullopt;
  if (const auto path = request.path_params.find("token"); path != request.path_params.end()) {
    if (SameToken(path->second, options.bearer_token)) return std::nullopt;
    return JsonError(401, "the token in the path is not the server's");
  }
  const auto it = request.headers.find("authorization");
  // RFC 9110: the scheme is case-insensitive.
  constexpr size_t kScheme = 7;  // "Bearer "
  if (it != request.headers.end() && it->second.size() > kScheme &&
      absl::EqualsIgnoreCase(it->second.substr(0, kScheme), "bearer ") &&
      SameToken(it->second.substr(kScheme), options.bearer_token)) {
    return std::nullopt;
  }
  return JsonError(401, it == request.headers.end()
                            ? "missing Authorization: Bearer <token>, or /token/<token>/ before "
                              "the path (server.httpBearerTokenFile)"
                            : "the bearer token is not the server's");
}

void RegisterKayentaAdapter(HttpServer& http, AnalysisServiceImpl& service,
                            const HttpAdapterOptions& options) {
  // GET /canaryConfig: every loaded template, its name as the config id. The account-name and
  // application parameters (Argo sends the storage account as configurationAccountName) are
  // accepted and ignored: augur has one store and one set of templates.
  HandleAdapterRoute(http, "GET", "/canaryConfig", [&service, options](const HttpRequest& request) {
    if (auto denied = CheckBearer(request, options)) return *denied;
    Json configs = Json::array();
    for (const std::string& name : service.TemplateNames()) {
      configs.push_back(Json{{"id", name}, {"name", name}, {"applications", Json::array()}});
    }
    return HttpResponse{200, "application/json",
                        configs.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"};
  });
  // POST /canary/{configId}: starts a run of one interval over the scopes' window.
  HandleAdapterRoute(http, "POST", "/canary/{id}", [&service, options](const HttpRequest& request) {
    if (auto denied = CheckBearer(request, options)) return *denied;
    const Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return JsonError(400, "request body: not JSON");
    auto run_request = ToKayentaRun(body, request.path_params.at("id"));
    if (!run_request.ok()) return JsonError(400, std::string(run_request.status().message()));
    auto run = service.StartRunRequest(*run_request);
    if (!run.ok()) {
      return JsonError(absl::IsNotFound(run.status()) ? 404 : StatusFor(run.status()),
                       std::string(run.status().message()));
    }
    return HttpResponse{200, "application/json",
                        Json{{"canaryExecutionId", run->run_id()}}.dump(
                            -1, ' ', false, Json::error_handler_t::replace) +
                            "\n"};
  });
  // GET /canary/{id}: the execution's status, and its result once complete.
  HandleAdapterRoute(http, "GET", "/canary/{id}", [&service, options](const HttpRequest& request) {
    if (auto denied = CheckBearer(request, options)) return *denied;
    auto run = service.GetRunByName(request.path_params.at("id"));
    if (!run.ok()) {
      return JsonError(absl::IsNotFound(run.status()) ? 404 : StatusFor(run.status()),
                       std::string(run.status().message()));
    }
    return HttpResponse{
        200, "application/json",
        KayentaStatusResponse(*run).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"};
  });
}

namespace {

// What each Flagger hook answers for a verdict: accepted (200) or refused (409 for ABORT, 412
// for "not yet"). Never 204 (Flagger counts 203-299 as failures) nor 5xx (retried, and the reason
// lost) for a verdict.
struct FlaggerAnswer {
  int status;
  std::string body;
};

FlaggerAnswer FlaggerVerdict(const std::string& hook, const analysis::AnalysisResult& result) {
  const std::string verdict = analysis::VerdictName(result.verdict);
  const std::string line = absl::StrCat(verdict, ": ", result.reason, "\n");
  const bool promote = result.verdict == analysis::Verdict::kPromote;
  const bool abort = result.verdict == analysis::Verdict::kAbort;
  if (hook == "rollout") return {abort ? 409 : 200, line};
  if (hook == "rollback")
    return {abort ? 200 : 412, abort ? line : absl::StrCat("no rollback: ", line)};
  // confirm-promotion, confirm-traffic-increase: only a PROMOTE goes ahead; HOLD waits.
  return {promote ? 200 : (abort ? 409 : 412), line};
}

}  // namespace

void RegisterFlaggerAdapter(HttpServer& http, AnalysisServiceImpl& service,
                            const HttpAdapterOptions& options, Clock& clock) {
  struct Revision {
    absl::Time first_seen;
    absl::Time last_seen;
  };
  // First sight of each canary revision, keyed by namespace/name/checksum: without a lookback,
  // the window is everything since then.
  struct State {
    absl::Mutex mu;
    std::map<std::string, Revision> revisions ABSL_GUARDED_BY(mu);
  };
  auto state = std::make_shared<State>();
  http.Handle(
      "POST", "/flagger/{hook}",
      [&service, options, &clock, state](const HttpRequest& request) -> HttpResponse {
        if (auto denied = CheckBearer(request, options)) return *denied;
        const std::string& hook = request.path_params.at("hook");
        static const std::vector<std::string> kHooks = {
            "confirm-rollout",   "pre-rollout", "rollout",      "confirm-traffic-increase",
            "confirm-promotion", "rollback",    "post-rollout", "event"};
        if (std::find(kHooks.begin(), kHooks.end(), hook) == kHooks.end()) {
          return HttpResponse{404, "text/plain; charset=utf-8",
                              absl::StrCat("unknown Flagger hook '", hook,
                                           "' (hooks: ", absl::StrJoin(kHooks, ", "), ")\n")};
        }
        auto bad = [](const std::string& message) {
          return HttpResponse{400, "text/plain; charset=utf-8", message + "\n"};
        };
        const Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded() || !body.is_object()) {
          return bad(
              "request body: not a JSON object (Flagger sends name, namespace, phase, "
              "checksum, metadata)");
        }
        auto name = StringField(body, "name", true);
        auto ns = StringField(body, "namespace", true);
        auto checksum = StringField(body, "checksum", false);
        for (const auto* field : {&name, &ns, &checksum}) {
          if (!field->ok()) return bad(std::string(field->status().message()));
        }
        // Kubernetes names are at most 253 characters, namespaces 63; Flagger's checksum is
        // short. Longer ones are no canary (and would grow the revision map).
        if (name->size() > 253 || ns->size() > 63 || checksum->size() > 128) {
          return bad("name, namespace or checksum: longer than Kubernetes allows");
        }
        // Notifications only: nothing to judge.
        if (hook == "post-rollout" || hook == "event" || hook == "confirm-rollout") {
          return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
        }
        std::map<std::string, std::string> metadata;
        if (const auto m = body.find("metadata"); m != body.end() && !m->is_null()) {
          if (!m->is_object()) return bad("metadata: expected an object of strings");
          for (const auto& [key, value] : m->items()) {
            if (!value.is_string()) {
              return bad(
                  absl::StrCat("metadata.", key, ": expected a string, got ", value.type_name()));
            }
            metadata[key] = value.get<std::string>();
          }
        }
        Json analyze = Json::object();
        Json args = Json::object();
        for (const auto& [key, value] : metadata) {
          if (key.rfind("arg.", 0) == 0) {
            args[key.substr(4)] = value;
          } else if (key == "template" || key == "control" || key == "experiment" ||
                     key == "lookback" || key == "strategy" || key == "step" || key == "provider") {
            analyze[key] = value;
          } else {
            return bad(absl::StrCat("metadata.", key,
                                    ": unknown (metadata: template, control, experiment, lookback, "
                                    "step, strategy, provider, arg.NAME)"));
          }
        }
        analyze["args"] = args;
        const absl::Time now = clock.Now();
        // Only a request that names a loaded template gets a revision recorded or an analysis.
        {
          const auto t = analyze.find("template");
          const std::vector<std::string> names = service.TemplateNames();
          if (t == analyze.end() || !t->is_string()) return bad("metadata.template: required");
          if (std::find(names.begin(), names.end(), t->get<std::string>()) == names.end()) {
            return bad(
                absl::StrCat("metadata.template: '", t->get<std::string>(), "' is not loaded"));
          }
        }
        if (hook == "pre-rollout") {
          // Before any traffic: the metadata must make a request augur can run (a minute's
          // window stands in for the ones to come).
          Json check = analyze;
          if (!check.contains("lookback")) check["lookback"] = "1m";
          auto checked = ToAnalyzeRequest(check, now);
          if (!checked.ok()) return bad(absl::StrCat("metadata.", checked.status().message()));
          return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
        }
        if (!analyze.contains("lookback")) {
          // The revision's whole canary so far.
          const std::string key = absl::StrCat(*ns, "/", *name, "/", *checksum);
          absl::Time first_seen;
          {
            absl::MutexLock lock(&state->mu);
            // Forget revisions not heard of for a day.
            for (auto it = state->revisions.begin(); it != state->revisions.end();) {
              it = now - it->second.last_seen > absl::Hours(24) ? state->revisions.erase(it)
                                                                : std::next(it);
            }
            // At most kMaxRevisions canaries remembered: the one heard of longest ago goes first.
            constexpr size_t kMaxRevisions = 10000;
            if (state->revisions.size() >= kMaxRevisions && state->revisions.count(key) == 0) {
              auto oldest = state->revisions.begin();
              for (auto it = state->revisions.begin(); it != state->revisions.end(); ++it) {
                if (it->second.last_seen < oldest->second.last_seen) oldest = it;
              }
              state->revisions.erase(oldest);
            }
            Revision& r = state->revisions.try_emplace(key, Revision{now, now}).first->second;
            r.last_seen = now;
            first_seen = r.first_seen;
          }
          // At least the last minute, at most limits.maxWindow (a canary held for days must not
          // turn every later call into a refused window, and so into failed checks).
          const absl::Time start =
              std::max(std::min(first_seen, now - absl::Minutes(1)), now - service.max_window());
          analyze["start"] = FormatRfc3339(start);
          analyze["end"] = FormatRfc3339(now);
        }
        auto analyze_request = ToAnalyzeRequest(analyze, now);
        if (!analyze_request.ok()) {
          return bad(absl::StrCat("metadata.", analyze_request.status().message()));
        }
        auto result = service.AnalyzeRequest(
            "flagger", *analyze_request, CallLimits{clock.Now() + options.call_timeout, {}}, false);
        if (!result.ok()) {
          const int status = StatusFor(result.status());
          return HttpResponse{
              status, "text/plain; charset=utf-8",
              absl::StrCat(status == 400 ? "metadata: " : "the analysis could not run: ",
                           result.status().message(), "\n")};
        }
        const FlaggerAnswer answer = FlaggerVerdict(hook, *result);
        return HttpResponse{answer.status, "text/plain; charset=utf-8", answer.body};
      });
}

void RegisterWebAdapter(HttpServer& http, AnalysisServiceImpl& service,
                        const HttpAdapterOptions& options, Clock& clock) {
  HandleAdapterRoute(
      http, "POST", "/v1/analyze", [&service, options, &clock](const HttpRequest& request) {
        if (auto denied = CheckBearer(request, options)) return *denied;
        const Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded()) {
          return JsonError(400, request.body.empty()
                                    ? "request body: empty (a JSON object with template, control, "
                                      "experiment and a window)"
                                    : "request body: not JSON");
        }
        auto analyze = ToAnalyzeRequest(body, clock.Now());
        if (!analyze.ok()) return JsonError(400, std::string(analyze.status().message()));
        // Without the series: Argo stores what its jsonPath selects, and a whole result with series
        // can pass the size of a Kubernetes object.
        auto result = service.AnalyzeRequest("web", *analyze,
                                             CallLimits{clock.Now() + options.call_timeout, {}},
                                             /*keep_series=*/false);
        if (!result.ok()) {
          return JsonError(StatusFor(result.status()), std::string(result.status().message()));
        }
        return HttpResponse{200, "application/json", analysis::ResultJson(*result)};
      });
}

}  // namespace augur::service
