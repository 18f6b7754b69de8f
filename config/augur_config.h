// The configuration file of the `augur` CLI and server (`--config augur.yaml`): named metric
// providers, template directories, limits, and the server's listeners. Validated with the same
// precision as templates (docs/configuration.md).
#ifndef AUGUR_CONFIG_AUGUR_CONFIG_H_
#define AUGUR_CONFIG_AUGUR_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "config/diagnostics.h"

namespace augur::config {

// A Prometheus-API backend as configured; cli/ and service/ turn it into PrometheusOptions.
struct ProviderSettings {
  std::string name;
  std::string address;
  std::map<std::string, std::string> headers;
  std::string bearer_token_file;
  std::string basic_auth_user;
  std::string basic_auth_password_file;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure_skip_verify = false;
  absl::Duration timeout = absl::Seconds(30);
  absl::Duration retry_budget = absl::Seconds(10);
  int64_t max_response_bytes = int64_t{64} << 20;
  int max_parallel = 8;
  bool gzip = false;
};

struct Limits {
  absl::Duration max_window = absl::Hours(24);  // longest analysis window a request may ask for
  int max_metrics = 200;                        // metrics per template
  int max_concurrent_analyses = 16;             // server: analyses running at once
  absl::Duration analysis_timeout = absl::Minutes(2);  // server: one analysis, fetch included
  int64_t max_request_bytes = int64_t{16} << 20;       // server: largest gRPC/HTTP request
};

struct ServerSettings {
  std::string grpc_listen = "0.0.0.0:7070";
  std::string http_listen = "0.0.0.0:7071";
  std::string data_dir;  // run store; empty: in memory
  // SIGTERM: how long in-flight calls may finish before the server exits anyway.
  absl::Duration shutdown_grace = absl::Seconds(25);
  // TLS for the gRPC listener: certificate and key together; a client CA turns on mTLS (clients
  // must present a certificate it signed). Empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // A file holding the token every HTTP adapter request must bear (Authorization: Bearer);
  // empty: none. Health, readiness and /metrics never ask for it.
  std::string http_bearer_token_file;
};

struct AugurConfig {
  std::vector<ProviderSettings> providers;
  std::string default_provider;  // the one marked default, else the only one, else empty
  std::vector<std::string> template_dirs;
  Limits limits;
  ServerSettings server;
};

struct ConfigLoad {
  std::optional<AugurConfig> result;  // present exactly when there is no error
  Diagnostics diagnostics;
};

// Parses and validates a configuration: every problem with its path, as for templates.
ConfigLoad LoadConfig(absl::string_view yaml);
ConfigLoad LoadConfigFile(const std::string& path);

// "HOST:PORT" with a port from 0 (any free port) to 65535; HOST is not checked further.
bool IsListenAddress(absl::string_view address);

// "1048576", "512KiB", "64MiB", "1GiB" -> bytes; nothing if malformed or not positive.
std::optional<int64_t> ParseByteSizeText(absl::string_view text);

}  // namespace augur::config

#endif  // AUGUR_CONFIG_AUGUR_CONFIG_H_
