#include "tests/support/prometheus_server.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"

namespace augur::testing {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

std::string Tail(const std::string& path) {
  auto log = ReadFile(path);
  if (!log.ok()) return "(no log)";
  return log->size() > 2000 ? log->substr(log->size() - 2000) : *log;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    PrometheusServerOptions options) {
  auto dir = MakeTempDir("augur-prometheus-");
  if (!dir.ok()) return dir.status();
  const std::string data = *dir + "/data";
  if (!options.openmetrics.empty()) {
    const std::string input = *dir + "/input.om";
    if (auto s = WriteFile(input, options.openmetrics); !s.ok()) return s;
    auto backfill =
        RunCommand({"promtool", "tsdb", "create-blocks-from", "openmetrics", input, data});
    if (!backfill.ok()) return backfill.status();
    if (backfill->exit_code != 0) {
      return absl::InternalError(absl::StrCat("promtool failed: ", backfill->out, backfill->err));
    }
  }
  const std::string config = *dir + "/prometheus.yml";
  if (auto s = WriteFile(config, absl::StrCat("global:\n  query_log_file: ", *dir, "/query.log\n"));
      !s.ok()) {
    return s;
  }
  std::vector<std::string> base_argv = {"prometheus", "--config.file=" + config,
                                        "--storage.tsdb.path=" + data, "--log.level=info"};
  if (!options.web_config.empty()) {
    const std::string web = *dir + "/web.yml";
    if (auto s = WriteFile(web, absl::StrReplaceAll(options.web_config, {{"{{dir}}", *dir}}));
        !s.ok()) {
      return s;
    }
    base_argv.push_back("--web.config.file=" + web);
  }
  // A port found free can be taken before Prometheus binds it: try a few.
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto port = FreePort();
    if (!port.ok()) return port.status();
    std::vector<std::string> argv = base_argv;
    argv.push_back(absl::StrCat("--web.listen-address=127.0.0.1:", *port));
    const std::string log = absl::StrCat(*dir, "/prometheus-", attempt, ".log");
    auto process = ChildProcess::Start(argv, log);
    if (!process.ok()) return process.status();
    const absl::Time deadline = absl::Now() + kStartTimeout;
    bool ready = false;
    while (absl::Now() < deadline && (*process)->Running()) {
      auto text = ReadFile(log);
      if (text.ok() && absl::StrContains(*text, "Server is ready to receive web requests")) {
        if (options.tls) {
          ready = true;
        } else {
          // Without TLS, also wait on /-/ready (401 when basic auth guards it: it is up).
          auto answer = RawHttpRequest(*port, "GET", "/-/ready");
          ready = answer.ok() && (answer->status == 200 || answer->status == 401);
        }
      }
      if (ready) break;
      absl::SleepFor(absl::Milliseconds(25));
    }
    if (ready) {
      return std::unique_ptr<PrometheusServer>(
          new PrometheusServer(*dir, *port, options.tls, *std::move(process)));
    }
    last_error = Tail(log);
    (*process)->Stop();
    if (!absl::StrContains(last_error, "address already in use")) break;
  }
  RemoveTree(*dir);
  return absl::UnavailableError(absl::StrCat("Prometheus did not become ready:\n", last_error));
}

PrometheusServer::~PrometheusServer() {
  process_->Stop();
  RemoveTree(dir_);
}

std::string PrometheusServer::url() const {
  return absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", port_);
}

absl::StatusOr<std::string> PrometheusServer::QueryLog() const {
  return ReadFile(dir_ + "/query.log");
}

absl::StatusOr<std::unique_ptr<VictoriaMetricsServer>> VictoriaMetricsServer::Start() {
  auto dir = MakeTempDir("augur-victoria-metrics-");
  if (!dir.ok()) return dir.status();
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto port = FreePort();
    if (!port.ok()) return port.status();
    const std::string log = absl::StrCat(*dir, "/victoria-metrics-", attempt, ".log");
    auto process = ChildProcess::Start({"victoria-metrics", "-storageDataPath=" + *dir + "/data",
                                        absl::StrCat("-httpListenAddr=127.0.0.1:", *port),
                                        "-search.disableCache", "-retentionPeriod=100y"},
                                       log);
    if (!process.ok()) return process.status();
    const absl::Time deadline = absl::Now() + kStartTimeout;
    while (absl::Now() < deadline && (*process)->Running()) {
      auto answer = RawHttpRequest(*port, "GET", "/health");
      if (answer.ok() && answer->status == 200) {
        return std::unique_ptr<VictoriaMetricsServer>(
            new VictoriaMetricsServer(*dir, *port, *std::move(process)));
      }
      absl::SleepFor(absl::Milliseconds(25));
    }
    last_error = Tail(log);
    (*process)->Stop();
    if (!absl::StrContains(last_error, "address already in use")) break;
  }
  RemoveTree(*dir);
  return absl::UnavailableError(
      absl::StrCat("VictoriaMetrics did not become ready:\n", last_error));
}

VictoriaMetricsServer::~VictoriaMetricsServer() {
  process_->Stop();
  RemoveTree(dir_);
}

absl::Status VictoriaMetricsServer::Import(const std::string& text) {
  auto answer = RawHttpRequest(port_, "POST", "/api/v1/import/prometheus", text);
  if (!answer.ok()) return answer.status();
  if (answer->status / 100 != 2) {
    return absl::InternalError(absl::StrCat("import: HTTP ", answer->status, ": ", answer->body));
  }
  auto flush = RawHttpRequest(port_, "GET", "/internal/force_flush");
  if (!flush.ok()) return flush.status();
  return absl::OkStatus();
}

std::string VictoriaMetricsServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

}  // namespace augur::testing
