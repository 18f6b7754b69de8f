// Real metrics backends for tests: Debian's Prometheus over a TSDB backfilled with promtool, and
// Debian's VictoriaMetrics loaded through its import API. Each listens on 127.0.0.1 at a free
// port and is stopped, its files removed, when destroyed.
#ifndef AUGUR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_
#define AUGUR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/process.h"

namespace augur::testing {

struct PrometheusServerOptions {
  // OpenMetrics text (ending "# EOF\n") backfilled with `promtool tsdb create-blocks-from
  // openmetrics` before the server starts. Timestamps should be within the last hours.
  std::string openmetrics;
  // Optional --web.config.file content (TLS, client certificates, basic auth users). Paths in
  // it may use {{dir}}, replaced by the server's directory.
  std::string web_config;
  bool tls = false;  // the web config enables TLS: url() is https and readiness is read off the log
};

class PrometheusServer {
 public:
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(PrometheusServerOptions options);
  ~PrometheusServer();

  std::string url() const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // Every query the server evaluated, one JSON object per line (its query_log_file).
  absl::StatusOr<std::string> QueryLog() const;

 private:
  PrometheusServer(std::string dir, int port, bool tls, std::unique_ptr<ChildProcess> process)
      : dir_(std::move(dir)), port_(port), tls_(tls), process_(std::move(process)) {}

  std::string dir_;
  int port_;
  bool tls_;
  std::unique_ptr<ChildProcess> process_;
};

class VictoriaMetricsServer {
 public:
  static absl::StatusOr<std::unique_ptr<VictoriaMetricsServer>> Start();
  ~VictoriaMetricsServer();

  // Loads Prometheus text exposition lines with millisecond timestamps through
  // /api/v1/import/prometheus, then flushes so queries see them.
  absl::Status Import(const std::string& text);
  std::string url() const;

 private:
  VictoriaMetricsServer(std::string dir, int port, std::unique_ptr<ChildProcess> process)
      : dir_(std::move(dir)), port_(port), process_(std::move(process)) {}

  std::string dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_
