#include "service/http_adapters.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  auto start = StringField(body, "start", false);
  auto end = StringField(body, "end", false);
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

// The request's fault (400) or the backend's (503).
int StatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return 400;
    default:
      return 503;
  }
}

}  // namespace

HttpResponse JsonError(int status, const std::string& message) {
  return HttpResponse{status, "application/json", Json{{"error", message}}.dump() + "\n"};
}

std::optional<HttpResponse> CheckBearer(const HttpRequest& request,
                                        const HttpAdapterOptions& options) {
  if (options.bearer_token.empty()) return std::nullopt;
  const auto it = request.headers.find("authorization");
  constexpr char kPrefix[] = "Bearer ";
  if (it != request.headers.end() && it->second.rfind(kPrefix, 0) == 0 &&
      SameToken(it->second.substr(sizeof(kPrefix) - 1), options.bearer_token)) {
    return std::nullopt;
  }
  return JsonError(401, it == request.headers.end()
                            ? "missing Authorization: Bearer <token> (server.http.bearerTokenFile)"
                            : "the bearer token is not the server's");
}

void RegisterWebAdapter(HttpServer& http, AnalysisServiceImpl& service,
                        const HttpAdapterOptions& options, Clock& clock) {
  http.Handle("POST", "/v1/analyze", [&service, options, &clock](const HttpRequest& request) {
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
    auto result = service.AnalyzeRequest("web", *analyze, CallLimits{}, /*keep_series=*/true);
    if (!result.ok()) {
      return JsonError(StatusFor(result.status()), std::string(result.status().message()));
    }
    return HttpResponse{200, "application/json", analysis::ResultJson(*result)};
  });
}

}  // namespace augur::service
