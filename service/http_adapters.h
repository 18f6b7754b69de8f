// The HTTP adapters that let rollout controllers call augur unchanged, on the HTTP listener of
// `augur serve` (http_server.h): Argo Rollouts' `web` metric provider for now (POST /v1/analyze).
// They share the gRPC service's checks and analysis (AnalysisServiceImpl::AnalyzeRequest).
#ifndef AUGUR_SERVICE_HTTP_ADAPTERS_H_
#define AUGUR_SERVICE_HTTP_ADAPTERS_H_

#include <string>

#include "absl/time/time.h"
#include "core/clock.h"
#include "service/analysis_service.h"
#include "service/http_server.h"

namespace augur::service {

struct HttpAdapterOptions {
  // When not empty, every adapter route (and /metrics, server.cc) wants `Authorization: Bearer
  // <token>`, or the token as the path's first two segments, /token/<token>/..., for the
  // controllers that cannot send headers (Argo's kayenta provider, Flagger's webhooks); 401
  // otherwise. /healthz and /readyz never do.
  std::string bearer_token;
  // How long an adapter call may take (controllers give up after 10 to 60 s anyway): a call
  // holds one of the HTTP listener's threads, which the probes share.
  absl::Duration call_timeout = absl::Seconds(30);
};

// Registers `route` and, for the path-token form, /token/{token}`route`.
void HandleAdapterRoute(HttpServer& http, const std::string& method, const std::string& route,
                        const HttpHandler& handler);

// POST /v1/analyze, Argo Rollouts' web provider: a JSON body with the CLI's names,
//   {"template": "NAME", "args": {"k": "v"}, "control": "SCOPE", "experiment": "SCOPE",
//    "start": T, "end": T | "lookback": "30m", "step": "30s", "strategy": "canary",
//    "provider": "NAME"}
// (times as `augur analyze` takes them: RFC 3339, Unix seconds, now-30m), answers 200 with the
// JSON of `augur analyze --format json`. A bad request is 400 with {"error": "..."} naming the
// field (unknown fields included); a backend that cannot answer is 503; no token, 401.
void RegisterWebAdapter(HttpServer& http, AnalysisServiceImpl& service,
                        const HttpAdapterOptions& options, Clock& clock);

// Argo Rollouts' `kayenta` provider, the Kayenta subset it uses: GET /canaryConfig (the loaded
// templates, name = id), POST /canary/{configId} (Kayenta's execution request, one scope pair,
// template arguments in extendedScopeParams, `thresholds` or `threshold`) starting a run of one
// interval over the scopes' window, and GET /canary/{id} ({complete, status, result.judgeResult
// .score.score, ...}). Executions are runs: stored, resumed after a restart.
void RegisterKayentaAdapter(HttpServer& http, AnalysisServiceImpl& service,
                            const HttpAdapterOptions& options);

// Flagger's webhooks: POST /flagger/{hook} with Flagger's body {name, namespace, phase, checksum,
// metadata}; metadata names `template`, `control`, `experiment`, and optionally `lookback`,
// `step`, `strategy`, `provider` and `arg.NAME` for each template argument. Without a lookback
// the window is everything since Flagger first called about this revision (namespace/name/
// checksum). Answers: `rollout` 200 unless ABORT (409 with the reason); `confirm-promotion` and
// `confirm-traffic-increase` 200 only on PROMOTE (HOLD 412: Flagger waits; ABORT 409);
// `rollback` 200 only on ABORT (else 412); `pre-rollout` checks the metadata (400) without
// judging; `confirm-rollout`, `post-rollout` and `event` are 200. A backend that cannot answer is
// 503 (no verdict); bad metadata 400. Never 204 for a verdict.
void RegisterFlaggerAdapter(HttpServer& http, AnalysisServiceImpl& service,
                            const HttpAdapterOptions& options, Clock& clock);

// The check behind every adapter route: nullopt when the request may pass, else the 401.
std::optional<HttpResponse> CheckBearer(const HttpRequest& request,
                                        const HttpAdapterOptions& options);

// {"error": message} with `status`.
HttpResponse JsonError(int status, const std::string& message);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_HTTP_ADAPTERS_H_
