#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cli/query_command.h"
#include "config/augur_config.h"
#include "core/exit_codes.h"
#include "core/time_parse.h"
#include "service/server.h"

namespace augur::cli {
namespace {

constexpr absl::string_view kCommandName = "augur serve";

}  // namespace

int RunServeCommand(const ServeCommandArgs& args, std::ostream& err) {
  // Debian's Abseil is built with the Mutex deadlock detector on: it tracks the lock order of
  // every acquisition, about 3% of a loaded server's time (GraphCycles in a profile). The
  // in-process service tests keep it; the server does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const auto fail = [&](absl::string_view message, int code) {
    err << kCommandName << ": " << message << "\n";
    return code;
  };
  config::AugurConfig cfg;
  if (!args.config.empty()) {
    const config::ConfigLoad load = config::LoadConfigFile(args.config);
    if (!load.result) return fail(FirstProblem(load.diagnostics, args.config), kExitUsage);
    cfg = *load.result;
  }
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string*>{"--grpc-listen", &args.grpc_listen},
        std::pair<const char*, const std::string*>{"--http-listen", &args.http_listen}}) {
    if (value->empty()) continue;
    if (absl::Status s = service::CheckListenAddress(*value, flag); !s.ok()) {
      return fail(s.message(), kExitUsage);
    }
  }
  if (!args.grpc_listen.empty()) cfg.server.grpc_listen = args.grpc_listen;
  if (!args.http_listen.empty()) cfg.server.http_listen = args.http_listen;
  if (!args.templates.empty()) cfg.template_dirs = args.templates;
  if (!args.data_dir.empty()) cfg.server.data_dir = args.data_dir;
  if (!args.tls_cert.empty()) cfg.server.tls_cert_file = args.tls_cert;
  if (!args.tls_key.empty()) cfg.server.tls_key_file = args.tls_key;
  if (!args.tls_client_ca.empty()) cfg.server.tls_client_ca_file = args.tls_client_ca;
  if (!args.http_token_file.empty()) cfg.server.http_bearer_token_file = args.http_token_file;
  if (cfg.server.tls_cert_file.empty() != cfg.server.tls_key_file.empty()) {
    return fail("--tls-cert and --tls-key go together", kExitUsage);
  }
  if (!cfg.server.tls_client_ca_file.empty() && cfg.server.tls_cert_file.empty()) {
    return fail("--tls-client-ca (mTLS) needs --tls-cert and --tls-key", kExitUsage);
  }
  if (!args.shutdown_grace.empty()) {
    auto grace = ParseDuration(args.shutdown_grace, /*allow_bare_seconds=*/true);
    if (!grace.ok() || *grace < absl::ZeroDuration()) {
      return fail(absl::StrCat("--shutdown-grace: not a duration: '", args.shutdown_grace, "'"),
                  kExitUsage);
    }
    cfg.server.shutdown_grace = *grace;
  }

  // Signals are taken by sigwait below, never by a handler: block them before any thread starts
  // so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  service::ServerOptions options;
  options.config = cfg;
  options.prometheus_url = args.prometheus;
  auto server = service::Server::Start(std::move(options));
  if (!server.ok()) {
    const absl::Status& s = server.status();
    const bool usage = absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s);
    return fail(absl::StrCat("cannot start: ", s.message()), usage ? kExitUsage : kExitUnavailable);
  }
  if (args.check) {
    (*server)->Shutdown(absl::ZeroDuration());
    err << kCommandName << ": configuration, templates and store are fine\n";
    return kExitPromote;
  }
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      (void)(*server)->ReloadTemplates();  // logged either way
      continue;
    }
    (*server)->Shutdown(cfg.server.shutdown_grace);
    return 0;
  }
}

void AddServeCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ServeCommandArgs>();
  CLI::App* command = app.add_subcommand("serve",
                                         "Serve the gRPC API (augur.v1), and over HTTP health, "
                                         "/metrics and the Argo Rollouts and Flagger adapters");
  command->footer(
      "Flags override --config. SIGTERM or SIGINT: stop accepting calls, report NOT_SERVING,\n"
      "let calls in flight finish within the grace period, keep runs stored, exit 0.\n"
      "SIGHUP: reload the templates (a bad reload keeps the old ones and logs why).\n"
      "Logs: one JSON object per line on stderr. See docs/service.md.\n"
      "Example:\n"
      "  augur serve --templates examples/templates --prometheus http://127.0.0.1:9090 \\\n"
      "    --data-dir /var/lib/augur");
  command->add_option("--config,-c", args->config,
                      "augur.yaml: providers, templates, limits, server");
  command->add_option("--grpc-listen", args->grpc_listen,
                      "gRPC address HOST:PORT (default 0.0.0.0:7070; port 0: any free port)");
  command->add_option("--http-listen", args->http_listen,
                      "HTTP address for /healthz, /readyz, /metrics (default 0.0.0.0:7071)");
  command->add_option("--templates", args->templates, "Template directory (repeatable)");
  command->add_option("--prometheus", args->prometheus,
                      "Default metrics backend URL, for templates that name no provider");
  command->add_option("--data-dir", args->data_dir,
                      "Where runs are stored (SQLite); without it runs live in memory");
  command->add_option("--tls-cert", args->tls_cert, "PEM certificate chain for gRPC TLS");
  command->add_option("--tls-key", args->tls_key, "PEM private key for gRPC TLS");
  command->add_option("--tls-client-ca", args->tls_client_ca,
                      "PEM CA bundle: require client certificates it signed (mTLS)");
  command->add_option("--http-token-file", args->http_token_file,
                      "A file with the bearer token the HTTP adapters and /metrics require");
  command->add_option("--shutdown-grace", args->shutdown_grace,
                      "How long calls in flight may finish after SIGTERM (default 25s)");
  command->add_flag("--check", args->check,
                    "Load the configuration, templates and store, bind, then exit 0");
  command->callback([args, &run] { run = [args] { return RunServeCommand(*args, std::cerr); }; });
}

}  // namespace augur::cli
