#include "providers/prometheus/prometheus_provider.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"
#include "core/time_parse.h"
#include "providers/prometheus_response.h"

namespace augur::providers {
namespace {

absl::Status BadOption(absl::string_view option, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(option, ": ", why));
}

// Seconds as the API takes them, e.g. "30" or "0.5".
std::string Seconds(absl::Duration duration) {
  return FormatUnixSeconds(absl::UnixEpoch() + duration);
}

bool IsHeaderNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

absl::Status CheckReadable(absl::string_view option, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  if (::access(path.c_str(), R_OK) != 0) {
    return BadOption(option, absl::StrCat("cannot read '", path, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckUrl(absl::string_view url) {
  // Credentials and query strings are refused before any of the URL is echoed: both carry
  // secrets ("user:pa/ss@host", "?api_key=..."), and URLs end up in logs.
  if (url.find('@') != absl::string_view::npos) {
    return BadOption("Prometheus URL",
                     "'@' (credentials) in the URL is not accepted, because URLs show in logs; "
                     "use basic auth with a password file or a bearer token file");
  }
  if (url.find_first_of("?#") != absl::string_view::npos) {
    return BadOption("Prometheus URL", "must not have a query string or fragment");
  }
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://") && !absl::ConsumePrefix(&rest, "https://")) {
    return BadOption("Prometheus URL",
                     absl::StrCat("'", url, "' must start with http:// or https://"));
  }
  if (rest.substr(0, rest.find('/')).empty()) {
    return BadOption("Prometheus URL", absl::StrCat("'", url, "' has no host"));
  }
  if (rest.find_first_of(" \t\r\n") != absl::string_view::npos) {
    return BadOption("Prometheus URL", absl::StrCat("'", url, "' contains whitespace"));
  }
  std::string base(url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

absl::Status CheckOptions(const PrometheusOptions& options) {
  for (size_t i = 0; i < options.headers.size(); ++i) {
    const auto& [name, value] = options.headers[i];
    // The name is echoed only once it is known to be a plain token: a mistyped header may hold
    // a secret ("Authorization: Bearer ..." split in the wrong place).
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsHeaderNameChar)) {
      return BadOption("header", absl::StrCat("header ", i + 1,
                                              " has no valid name (letters, digits and "
                                              "!#$%&'*+-.^_`|~ only)"));
    }
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
      return BadOption("header", absl::StrCat("the value of '", name, "' contains a line break"));
    }
    if (absl::StripAsciiWhitespace(value).empty()) {
      return BadOption("header", absl::StrCat("the value of '", name, "' is empty"));
    }
    if (absl::EqualsIgnoreCase(name, "Authorization") &&
        (!options.bearer_token_file.empty() || !options.basic_auth_user.empty())) {
      return BadOption("header",
                       "an Authorization header conflicts with the bearer token or basic auth");
    }
  }
  if (!options.bearer_token_file.empty() && !options.basic_auth_user.empty()) {
    return BadOption("bearer token file", "choose a bearer token or basic auth, not both");
  }
  if (options.basic_auth_user.empty() != options.basic_auth_password_file.empty()) {
    return BadOption("basic auth", "needs both the user and the password file");
  }
  if (options.basic_auth_user.find(':') != std::string::npos) {
    return BadOption("basic auth user", "must not contain ':'");
  }
  if (options.tls.insecure_skip_verify && !options.tls.ca_file.empty()) {
    return BadOption("TLS", "a CA file and insecure-skip-verify contradict each other");
  }
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    return BadOption("TLS client certificate", "needs both the certificate and the key file");
  }
  AUGUR_RETURN_IF_ERROR(CheckReadable("bearer token file", options.bearer_token_file));
  AUGUR_RETURN_IF_ERROR(
      CheckReadable("basic auth password file", options.basic_auth_password_file));
  AUGUR_RETURN_IF_ERROR(CheckReadable("CA file", options.tls.ca_file));
  AUGUR_RETURN_IF_ERROR(CheckReadable("client certificate file", options.tls.cert_file));
  AUGUR_RETURN_IF_ERROR(CheckReadable("client key file", options.tls.key_file));
  if (options.timeout <= absl::ZeroDuration()) return BadOption("timeout", "must be positive");
  if (options.retry_budget < absl::ZeroDuration()) {
    return BadOption("retry budget", "must not be negative");
  }
  if (options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff) {
    return BadOption("backoff", "needs 0 < initial backoff <= max backoff");
  }
  if (options.max_response_bytes <= 0) {
    return BadOption("max response bytes", "must be positive");
  }
  if (options.max_parallel < 1 || options.max_parallel > 256) {
    return BadOption("max parallel",
                     absl::StrCat("must be in [1, 256], got ", options.max_parallel));
  }
  return absl::OkStatus();
}

bool Retryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

// The longest a backoff wait sleeps before checking whether the caller cancelled.
constexpr absl::Duration kCancelPollInterval = absl::Milliseconds(50);

absl::Status CancelledByCaller() { return absl::CancelledError("cancelled by the caller"); }

// The first bytes of a body that is not an API answer, printable and on one line.
std::string Snippet(absl::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    out.push_back(absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : ' ');
  }
  if (body.size() > 200) out.append("...");
  return std::string(absl::StripAsciiWhitespace(out));
}

absl::StatusOr<QueryResult> InterpretResponse(const HttpResponse& response) {
  const int code = response.status;
  if (code == 401 || code == 403) {
    return absl::PermissionDeniedError(
        absl::StrCat("HTTP ", code,
                     ": the backend refused the credentials (check the bearer token, basic "
                     "auth or tenant header)"));
  }
  const absl::string_view body = absl::StripLeadingAsciiWhitespace(response.body);
  const bool json = !body.empty() && body.front() == '{';
  if (json && ((code >= 200 && code < 300) || code == 400 || code == 422 || code >= 500)) {
    auto result = ParsePrometheusResponse(response.body, code);
    // A 5xx whose body is cut off is the backend failing, not a malformed answer.
    if (result.ok() || code < 500 || !absl::IsDataLoss(result.status())) return result;
  }
  if (code >= 200 && code < 300) {
    return absl::DataLossError(absl::StrCat("malformed Prometheus API response: HTTP ", code,
                                            " with a body that is not JSON: '",
                                            Snippet(response.body), "'"));
  }
  if (code == 404) {
    return absl::FailedPreconditionError(
        "HTTP 404: no Prometheus API at this URL (check the base path, e.g. "
        "/select/0/prometheus for a VictoriaMetrics cluster or /prometheus for Mimir)");
  }
  const std::string detail =
      response.body.empty() ? "" : absl::StrCat(": '", Snippet(response.body), "'");
  if (code == 429 || code >= 500) {
    return absl::UnavailableError(absl::StrCat("HTTP ", code, detail));
  }
  if (code == 400 || code == 422) {  // a proxy or backend that words its rejection in text
    return absl::InvalidArgumentError(absl::StrCat("HTTP ", code, detail));
  }
  return absl::FailedPreconditionError(absl::StrCat("unexpected HTTP ", code, detail));
}

}  // namespace

std::string FormEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<PrometheusProvider>> PrometheusProvider::Create(
    PrometheusOptions options, Clock& clock) {
  AUGUR_RETURN_IF_ERROR(CheckOptions(options));
  CurlTransportOptions transport;
  transport.timeout = options.timeout;
  transport.max_response_bytes = options.max_response_bytes;
  transport.gzip = options.gzip;
  transport.tls = options.tls;
  return Create(std::move(options), std::make_unique<CurlTransport>(std::move(transport)), clock);
}

absl::StatusOr<std::unique_ptr<PrometheusProvider>> PrometheusProvider::Create(
    PrometheusOptions options, std::unique_ptr<HttpTransport> transport, Clock& clock) {
  AUGUR_RETURN_IF_ERROR(CheckOptions(options));
  AUGUR_ASSIGN_OR_RETURN(std::string base_url, CheckUrl(options.url));
  options.url = std::move(base_url);
  auto provider = std::unique_ptr<PrometheusProvider>(
      new PrometheusProvider(std::move(options), std::move(transport), clock));
  // Read the secrets now, so a wrong path fails at start-up rather than at the first query.
  if (provider->bearer_token_) AUGUR_RETURN_IF_ERROR(provider->bearer_token_->Get().status());
  if (provider->basic_auth_password_) {
    AUGUR_RETURN_IF_ERROR(provider->basic_auth_password_->Get().status());
  }
  return provider;
}

PrometheusProvider::PrometheusProvider(PrometheusOptions options,
                                       std::unique_ptr<HttpTransport> transport, Clock& clock)
    : options_(std::move(options)),
      base_url_(options_.url),
      transport_(std::move(transport)),
      clock_(clock),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {
  if (!options_.bearer_token_file.empty()) {
    bearer_token_ =
        std::make_unique<CredentialFile>(options_.bearer_token_file, "bearer token file");
  }
  if (!options_.basic_auth_password_file.empty()) {
    basic_auth_password_ = std::make_unique<CredentialFile>(options_.basic_auth_password_file,
                                                            "basic auth password file");
  }
}

absl::StatusOr<QueryResult> PrometheusProvider::QueryRange(const RangeQuery& query) {
  AUGUR_RETURN_IF_ERROR(ValidateRangeQuery(query));
  return Call(
      "query_range",
      absl::StrCat("query=", FormEncode(query.query), "&start=", FormatUnixSeconds(query.start),
                   "&end=", FormatUnixSeconds(query.end), "&step=", Seconds(query.step)));
}

absl::StatusOr<QueryResult> PrometheusProvider::QueryInstant(const InstantQuery& query) {
  if (query.query.empty()) return absl::InvalidArgumentError("the query is empty");
  return Call("query", absl::StrCat("query=", FormEncode(query.query),
                                    "&time=", FormatUnixSeconds(query.time)));
}

std::vector<absl::StatusOr<QueryResult>> PrometheusProvider::QueryRangeAll(
    absl::Span<const RangeQuery> queries) {
  std::vector<absl::StatusOr<QueryResult>> results(queries.size(), absl::UnknownError("not run"));
  // Once one query has spent its retries on an unreachable or timing-out backend, the rest are
  // not sent: a batch fails in about retry_budget + timeout, not that times the batch size.
  // Likewise once the caller has cancelled or its deadline has passed.
  std::atomic<bool> backend_failed{false};
  std::mutex failure_mu;
  absl::Status failure;  // guarded by failure_mu
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < queries.size(); i = next++) {
      if (backend_failed.load()) {
        std::lock_guard<std::mutex> lock(failure_mu);
        results[i] = absl::Status(
            failure.code(), absl::StrCat("not sent: an earlier query of the same batch failed: ",
                                         failure.message()));
        continue;
      }
      results[i] = QueryRange(queries[i]);
      if (!results[i].ok() &&
          (Retryable(results[i].status()) || absl::IsCancelled(results[i].status()))) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (!backend_failed.exchange(true)) failure = results[i].status();
      }
    }
  };
  const size_t workers = std::min<size_t>(options_.max_parallel, queries.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  return results;
}

absl::Duration PrometheusProvider::Jitter(absl::Duration backoff) {
  std::lock_guard<std::mutex> lock(rng_mu_);
  std::uniform_real_distribution<double> fraction(0.5, 1.0);
  return backoff * fraction(rng_);
}

bool PrometheusProvider::Wait(absl::Duration wait) {
  if (!options_.cancelled) {
    clock_.SleepFor(wait);
    return true;
  }
  const absl::Time until = clock_.Now() + wait;
  for (;;) {
    if (Cancelled()) return false;
    const absl::Duration left = until - clock_.Now();
    if (left <= absl::ZeroDuration()) return true;
    clock_.SleepFor(std::min(left, kCancelPollInterval));
  }
}

absl::StatusOr<QueryResult> PrometheusProvider::Attempt(const HttpRequest& request) {
  AUGUR_ASSIGN_OR_RETURN(const HttpResponse response, transport_->Post(request));
  return InterpretResponse(response);
}

absl::Status PrometheusProvider::Annotate(const absl::Status& status, absl::string_view endpoint,
                                          int attempts) const {
  std::string message = absl::StrCat(endpoint, " at ", base_url_, ": ", status.message());
  if (attempts > 1) absl::StrAppend(&message, " (gave up after ", attempts, " attempts)");
  return absl::Status(status.code(), message);
}

absl::StatusOr<QueryResult> PrometheusProvider::Call(absl::string_view endpoint,
                                                     std::string form_body) {
  HttpRequest request;
  request.url = absl::StrCat(base_url_, "/api/v1/", endpoint);
  request.form_body = std::move(form_body);
  for (const auto& [name, value] : options_.headers) {
    request.headers.push_back(absl::StrCat(name, ": ", value));
  }
  request.cancelled = options_.cancelled;
  const absl::Time start = clock_.Now();
  absl::Duration backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    if (Cancelled()) return Annotate(CancelledByCaller(), endpoint, attempt - 1);
    const absl::Duration left = options_.deadline - clock_.Now();
    if (left <= absl::ZeroDuration()) {
      return Annotate(absl::DeadlineExceededError("deadline exceeded before the request was sent"),
                      endpoint, attempt - 1);
    }
    // Credentials are fetched per attempt, so a token rotated between retries is picked up.
    HttpRequest sent = request;
    sent.timeout = std::min(options_.timeout, left);
    if (bearer_token_) {
      auto token = bearer_token_->Get();
      if (!token.ok()) return Annotate(token.status(), endpoint, attempt);
      sent.headers.push_back(absl::StrCat("Authorization: Bearer ", *token));
    } else if (basic_auth_password_) {
      auto password = basic_auth_password_->Get();
      if (!password.ok()) return Annotate(password.status(), endpoint, attempt);
      sent.headers.push_back(
          absl::StrCat("Authorization: Basic ",
                       absl::Base64Escape(absl::StrCat(options_.basic_auth_user, ":", *password))));
    }
    absl::StatusOr<QueryResult> result = Attempt(sent);
    if (result.ok()) return result;
    // A transport may report an abandoned transfer as a failure of its own kind.
    if (Cancelled()) return Annotate(CancelledByCaller(), endpoint, attempt);
    if (!Retryable(result.status())) return Annotate(result.status(), endpoint, attempt);
    const absl::Duration wait = Jitter(backoff);
    const absl::Time now = clock_.Now();
    if (now - start + wait > options_.retry_budget) {
      return Annotate(result.status(), endpoint, attempt);
    }
    if (now + wait >= options_.deadline) {
      return Annotate(absl::DeadlineExceededError(absl::StrCat(
                          "deadline exceeded before the next attempt; the last one failed: ",
                          result.status().message())),
                      endpoint, attempt);
    }
    if (!Wait(wait)) return Annotate(CancelledByCaller(), endpoint, attempt);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace augur::providers
