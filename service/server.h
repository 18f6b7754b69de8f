// Server: `augur serve` put together: the template registry, the run store, the analyzer and
// run manager, the gRPC API (augur.v1.AnalysisService, grpc.health.v1.Health, reflection; TLS
// or mTLS when configured) and the HTTP listener (/healthz, /readyz, /metrics).
//
// Lifecycle: Start() loads the templates, opens the store, resumes stored runs and binds both
// listeners; health turns SERVING. Shutdown(grace) turns health NOT_SERVING and /readyz 503,
// stops accepting calls, lets calls in flight and intervals being judged finish until the grace
// period ends (then cancels them), and leaves runs stored to resume after a restart.
#ifndef AUGUR_SERVICE_SERVER_H_
#define AUGUR_SERVICE_SERVER_H_

#include <atomic>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "config/augur_config.h"
#include "core/clock.h"
#include "service/analyzer.h"

namespace augur::service {

struct ServerOptions {
  config::AugurConfig config;   // listeners, data dir, TLS, limits, providers, template dirs
  std::string prometheus_url;   // the default backend (--prometheus); may be empty
  std::ostream* log = nullptr;  // JSON log lines; default std::cerr
  Clock* clock = nullptr;       // default Clock::Real()
  // Where analyses get their data; default: Prometheus backends from `config` and
  // `prometheus_url`. Tests pass one that answers from memory.
  std::unique_ptr<ProviderFactory> providers;
};

// "HOST:PORT" (port 0: any free port): InvalidArgument naming `flag` otherwise.
absl::Status CheckListenAddress(const std::string& listen, absl::string_view flag);

class Server {
 public:
  // Errors name what failed: a template directory or file (InvalidArgument/FailedPrecondition),
  // the store (its path), a TLS file, a listener that cannot bind (Unavailable).
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Shutdown(0) if not done

  int grpc_port() const;
  int http_port() const;

  // SIGHUP: reads the template directories again; on error the old set stays (and is logged).
  absl::Status ReloadTemplates();

  // SIGTERM. Idempotent; returns once everything has stopped.
  void Shutdown(absl::Duration grace);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::service

#endif  // AUGUR_SERVICE_SERVER_H_
