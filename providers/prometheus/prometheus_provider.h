// PrometheusProvider: MetricProvider over the Prometheus HTTP API, for Prometheus and every
// backend that speaks it (VictoriaMetrics, Thanos, Mimir, Cortex).
#ifndef AUGUR_PROVIDERS_PROMETHEUS_PROMETHEUS_PROVIDER_H_
#define AUGUR_PROVIDERS_PROMETHEUS_PROMETHEUS_PROVIDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "providers/metric_provider.h"
#include "providers/prometheus/credential_file.h"
#include "providers/prometheus/curl_transport.h"
#include "providers/prometheus/http_transport.h"

namespace augur::providers {

struct PrometheusOptions {
  // The API root: http(s)://host:port plus any base path, e.g.
  // http://vmselect:8481/select/0/prometheus. Credentials do not belong in the URL.
  std::string url;
  // Extra headers sent with every request, e.g. {"X-Scope-OrgID", "team-a"} for a Mimir,
  // Cortex or Thanos tenant. Values are treated as secrets: never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string bearer_token_file;         // "Authorization: Bearer <token>", re-read on change
  std::string basic_auth_user;           // basic auth, with the password from a file
  std::string basic_auth_password_file;  // re-read on change
  TlsOptions tls;

  absl::Duration timeout = absl::Seconds(30);  // per request
  // No request runs past the deadline (read on the provider's Clock): each attempt's timeout is
  // clipped to the time left, retries stop when the next wait would pass it, and once it has
  // passed, queries fail with DeadlineExceeded without being sent. For a caller whose own
  // client set a deadline (an RPC).
  absl::Time deadline = absl::InfiniteFuture();
  // When set, polled before each attempt, every 50 ms or so of a backoff wait, and while a
  // request waits on the network; once it returns true the query stops (a request under way is
  // abandoned) and fails with Cancelled. Called from the querying threads, so it must be
  // thread-safe (e.g. read an atomic flag) and quick.
  std::function<bool()> cancelled;
  // Unavailable and DeadlineExceeded answers are retried with exponential backoff (doubling
  // from initial_backoff up to max_backoff, each wait drawn uniformly from [b/2, b]) while the
  // time since the first attempt stays within retry_budget. A query therefore gives up after at
  // most retry_budget + timeout, or at the deadline if that comes first. Zero budget: one
  // attempt.
  absl::Duration retry_budget = absl::Seconds(10);
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(4);
  int64_t max_response_bytes = int64_t{64} << 20;  // decoded body; larger fails cleanly
  bool gzip = false;         // ask for compressed answers (for slow links; costs the backend CPU)
  int max_parallel = 8;      // concurrent requests in QueryRangeAll
  uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
};

// Errors are MetricProvider's, and besides:
//   Cancelled           options.cancelled returned true ("cancelled by the caller");
//   DeadlineExceeded    also when options.deadline passed, or the next retry would pass it
//                       ("deadline exceeded before ..."); the message names the endpoint.
class PrometheusProvider final : public MetricProvider {
 public:
  // Checks the options (URL form, header names and values, readable credential files, TLS
  // files, positive limits) and returns InvalidArgument naming the option otherwise.
  static absl::StatusOr<std::unique_ptr<PrometheusProvider>> Create(PrometheusOptions options,
                                                                    Clock& clock = Clock::Real());
  // The same over another transport: the seam tests use to script network failures.
  static absl::StatusOr<std::unique_ptr<PrometheusProvider>> Create(
      PrometheusOptions options, std::unique_ptr<HttpTransport> transport, Clock& clock);

  // POST /api/v1/query_range (a form body, so long PromQL fits) and /api/v1/query.
  absl::StatusOr<QueryResult> QueryRange(const RangeQuery& query) override;
  absl::StatusOr<QueryResult> QueryInstant(const InstantQuery& query) override;
  // Runs up to max_parallel queries at a time over reused connections. Once a query has
  // failed with Unavailable or DeadlineExceeded after its retries, or was cancelled, the queries
  // not yet sent fail with the same code without being sent ("not sent: ..."), so a batch
  // against a dead backend ends in about retry_budget + timeout, and a cancelled one at once.
  std::vector<absl::StatusOr<QueryResult>> QueryRangeAll(
      absl::Span<const RangeQuery> queries) override;
  // The URL.
  std::string Describe() const override { return base_url_; }

 private:
  PrometheusProvider(PrometheusOptions options, std::unique_ptr<HttpTransport> transport,
                     Clock& clock);

  // One API call with retries; `what` names it in errors ("query_range").
  absl::StatusOr<QueryResult> Call(absl::string_view endpoint, std::string form_body);
  absl::StatusOr<QueryResult> Attempt(const HttpRequest& request);
  absl::Status Annotate(const absl::Status& status, absl::string_view endpoint, int attempts) const;
  absl::Duration Jitter(absl::Duration backoff);
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }
  // Sleeps `wait` on the clock, in short slices when a cancel callback is set; false if the
  // caller cancelled meanwhile.
  bool Wait(absl::Duration wait);

  const PrometheusOptions options_;
  const std::string base_url_;  // without a trailing slash
  std::unique_ptr<HttpTransport> transport_;
  Clock& clock_;
  std::unique_ptr<CredentialFile> bearer_token_;
  std::unique_ptr<CredentialFile> basic_auth_password_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // guarded by rng_mu_
};

// Percent-encodes `text` for a form body (RFC 3986 unreserved characters stay as they are).
std::string FormEncode(absl::string_view text);

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_PROMETHEUS_PROVIDER_H_
