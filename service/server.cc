#include "service/server.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "service/analysis_service.h"
#include "service/http_adapters.h"
#include "service/http_server.h"
#include "service/json_log.h"
#include "service/run_manager.h"
#include "service/run_store.h"
#include "service/service_metrics.h"
#include "service/template_registry.h"

namespace augur::service {
namespace {

constexpr char kServiceName[] = "augur.v1.AnalysisService";

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("server.", what, ": cannot read '", path, "'"));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const config::ServerSettings& s) {
  if (s.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  auto cert = ReadFile(s.tls_cert_file, "tls.certFile");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(s.tls_key_file, "tls.keyFile");
  if (!key.ok()) return key.status();
  pair.cert_chain = *std::move(cert);
  pair.private_key = *std::move(key);
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!s.tls_client_ca_file.empty()) {
    auto ca = ReadFile(s.tls_client_ca_file, "tls.clientCaFile");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::Status CheckListenAddress(const std::string& listen, absl::string_view flag) {
  if (!config::IsListenAddress(listen)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": must be HOST:PORT (e.g. 0.0.0.0:7070), got '", listen, "'"));
  }
  return absl::OkStatus();
}

struct Server::Impl {
  ServerOptions options;
  Clock* clock = nullptr;
  std::unique_ptr<JsonLog> log;
  std::unique_ptr<ServiceMetrics> metrics;
  std::unique_ptr<TemplateRegistry> templates;
  std::unique_ptr<RunStore> store;
  std::unique_ptr<ProviderFactory> providers;
  std::unique_ptr<Analyzer> analyzer;
  std::unique_ptr<RunManager> runs;
  std::unique_ptr<AnalysisServiceImpl> service;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<HttpServer> http;
  int grpc_port = 0;
  int http_port = 0;
  std::atomic<bool> ready{false};
  absl::Mutex shutdown_mu;
  bool shut_down = false;
  int lock_fd = -1;  // flock on dataDir/augur.lock, held for the server's life

  ~Impl() {
    if (lock_fd >= 0) close(lock_fd);
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

int Server::grpc_port() const { return impl_->grpc_port; }
int Server::http_port() const { return impl_->http_port; }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  s.options = std::move(options);
  const config::AugurConfig& cfg = s.options.config;
  s.clock = s.options.clock != nullptr ? s.options.clock : &Clock::Real();
  s.log = std::make_unique<JsonLog>(s.options.log != nullptr ? *s.options.log : std::cerr,
                                    LogLevel::kInfo, *s.clock);
  if (absl::Status st = CheckListenAddress(cfg.server.grpc_listen, "server.grpcListen"); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckListenAddress(cfg.server.http_listen, "server.httpListen"); !st.ok()) {
    return st;
  }
  if (cfg.template_dirs.empty()) {
    s.log->Warn("no template directories: requests must send their templates inline",
                {{"hint", "set --templates DIR or templates: in the configuration"}});
  }
  s.metrics = std::make_unique<ServiceMetrics>(AUGUR_VERSION);
  s.templates = std::make_unique<TemplateRegistry>(cfg.template_dirs);
  if (absl::Status st = s.templates->Reload(); !st.ok()) return st;
  s.metrics->SetTemplatesLoaded(static_cast<int64_t>(s.templates->Snapshot()->size()));

  if (cfg.server.data_dir.empty()) {
    s.store = NewMemoryRunStore();
    s.log->Warn("no data directory: runs live in memory and are lost when the server stops",
                {{"hint", "set --data-dir or server.dataDir"}});
  } else {
    auto store = OpenSqliteRunStore(cfg.server.data_dir);
    if (!store.ok()) return store.status();
    s.store = *std::move(store);
    // One server per data directory: a second would resume the same runs and race the first
    // for every interval. The lock goes with the process, even on kill -9.
    const std::string lock_path = cfg.server.data_dir + "/augur.lock";
    s.lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s.lock_fd < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("server.dataDir: cannot open ", lock_path, ": ", strerror(errno)));
    }
    if (flock(s.lock_fd, LOCK_EX | LOCK_NB) != 0) {
      return absl::UnavailableError(absl::StrCat("server.dataDir: ", cfg.server.data_dir,
                                                 " is in use by another augur serve (", lock_path,
                                                 " is locked)"));
    }
  }
  s.providers = s.options.providers != nullptr
                    ? std::move(s.options.providers)
                    : std::make_unique<PrometheusProviderFactory>(
                          cfg.providers, cfg.default_provider, s.options.prometheus_url, *s.clock);
  AnalyzerOptions analyzer_options;
  analyzer_options.max_concurrent = cfg.limits.max_concurrent_analyses;
  analyzer_options.timeout = cfg.limits.analysis_timeout;
  s.analyzer = std::make_unique<Analyzer>(analyzer_options, *s.providers, *s.metrics, *s.clock);
  s.runs = std::make_unique<RunManager>(*s.store, *s.analyzer, *s.metrics, *s.log, *s.clock);
  if (absl::Status st = s.runs->Start(); !st.ok()) return st;
  s.service = std::make_unique<AnalysisServiceImpl>(*s.templates, *s.analyzer, *s.runs, *s.metrics,
                                                    *s.log, cfg.limits, *s.clock);

  auto credentials = Credentials(cfg.server);
  if (!credentials.ok()) return credentials.status();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would bind and silently
  // take half its connections. Binding must fail instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(cfg.server.grpc_listen, *credentials, &s.grpc_port);
  builder.RegisterService(s.service.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(cfg.limits.max_request_bytes));
  s.grpc_server = builder.BuildAndStart();
  if (s.grpc_server == nullptr || s.grpc_port == 0) {
    return absl::UnavailableError(absl::StrCat("server.grpcListen: cannot listen on ",
                                               cfg.server.grpc_listen,
                                               " (address in use, or not an address here)"));
  }

  HttpServerOptions http_options;
  http_options.max_body_bytes = cfg.limits.max_request_bytes;
  // One thread per connection: probes must find one free while adapter calls (each up to its
  // 30 s deadline) wait for analysis slots.
  http_options.threads = std::max(16, cfg.limits.max_concurrent_analyses * 2 + 4);
  s.http = std::make_unique<HttpServer>(http_options);
  s.http->Handle("GET", "/healthz", [](const HttpRequest&) {
    return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
  });
  Impl* raw = &s;
  s.http->Handle("GET", "/readyz", [raw](const HttpRequest&) {
    return raw->ready ? HttpResponse{200, "text/plain; charset=utf-8", "ready\n"}
                      : HttpResponse{503, "text/plain; charset=utf-8", "not ready: draining\n"};
  });
  HttpAdapterOptions adapters;
  if (!cfg.server.http_bearer_token_file.empty()) {
    auto token = ReadFile(cfg.server.http_bearer_token_file, "httpBearerTokenFile");
    if (!token.ok()) {
      s.grpc_server->Shutdown();
      s.runs->Shutdown();
      return token.status();
    }
    // A token file usually ends in a newline; the token itself has no whitespace.
    adapters.bearer_token = std::string(absl::StripAsciiWhitespace(*token));
    if (adapters.bearer_token.empty()) {
      s.grpc_server->Shutdown();
      s.runs->Shutdown();
      return absl::InvalidArgumentError(absl::StrCat(
          "server.httpBearerTokenFile: ", cfg.server.http_bearer_token_file, " is empty"));
    }
  }
  // /metrics is no health endpoint: with a token, the scrape must bear it too.
  s.http->Handle("GET", "/metrics", [raw, adapters](const HttpRequest& request) {
    if (auto denied = CheckBearer(request, adapters)) return *denied;
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", raw->metrics->Serialize()};
  });
  RegisterWebAdapter(*s.http, *s.service, adapters, *s.clock);
  RegisterKayentaAdapter(*s.http, *s.service, adapters);
  RegisterFlaggerAdapter(*s.http, *s.service, adapters, *s.clock);
  auto http_port = s.http->Start(cfg.server.http_listen);
  if (!http_port.ok()) {
    s.grpc_server->Shutdown();
    s.runs->Shutdown();
    return absl::Status(http_port.status().code(),
                        absl::StrCat("server.httpListen: ", http_port.status().message()));
  }
  s.http_port = *http_port;

  s.grpc_server->GetHealthCheckService()->SetServingStatus(true);
  s.grpc_server->GetHealthCheckService()->SetServingStatus(kServiceName, true);
  s.ready = true;
  s.log->Info("serving",
              {{"grpc", absl::StrCat(cfg.server.grpc_listen, " (port ", s.grpc_port,
                                     cfg.server.tls_cert_file.empty()        ? ", plaintext"
                                     : cfg.server.tls_client_ca_file.empty() ? ", TLS"
                                                                             : ", mTLS",
                                     ")")},
               {"http", absl::StrCat(cfg.server.http_listen, " (port ", s.http_port, ")")},
               {"templates", static_cast<int64_t>(s.templates->Snapshot()->size())},
               {"store", s.store->Describe()},
               {"active_runs", s.runs->active_runs()}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

absl::Status Server::ReloadTemplates() {
  Impl& s = *impl_;
  absl::Status status = s.templates->Reload();
  s.metrics->CountTemplateReload(status.ok());
  const int64_t loaded = static_cast<int64_t>(s.templates->Snapshot()->size());
  s.metrics->SetTemplatesLoaded(loaded);
  if (status.ok()) {
    s.log->Info("templates reloaded", {{"templates", loaded}});
  } else {
    s.log->Error("template reload failed; keeping the templates loaded before",
                 {{"templates", loaded}, {"error", std::string(status.message())}});
  }
  return status;
}

void Server::Shutdown(absl::Duration grace) {
  Impl& s = *impl_;
  {
    absl::MutexLock lock(&s.shutdown_mu);
    if (s.shut_down) return;
    s.shut_down = true;
  }
  s.ready = false;
  s.grpc_server->GetHealthCheckService()->SetServingStatus(false);
  s.log->Info("draining", {{"grace_seconds", absl::ToDoubleSeconds(grace)}});
  const absl::Time deadline = s.clock->Now() + grace;
  // Watchers end at once (they reconnect after the restart); intervals being judged and calls
  // in flight get the grace period.
  std::thread runs([&] { s.runs->Shutdown(deadline); });
  s.grpc_server->Shutdown(absl::ToChronoTime(deadline));
  runs.join();
  s.http->Stop();
  s.log->Info("stopped", {{"active_runs", s.runs->active_runs()}});
}

}  // namespace augur::service
