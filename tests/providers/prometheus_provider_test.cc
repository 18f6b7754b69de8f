// PrometheusProvider's request building, error classes, retries, deadline and cancellation,
// over a scripted transport (the HttpTransport seam) and a fake clock; the deadline and
// cancellation also over libcurl against a loopback server that never answers. The other paths
// against real servers are in prometheus_integration_test.cc.
#include "providers/prometheus/prometheus_provider.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fake_clock.h"
#include "tests/support/loopback_http_server.h"
#include "tests/support/process.h"

namespace augur::providers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMatrix[] =
    R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},)"
    R"("values":[[1795369440,"1.5"],[1795369470,"2.5"]]}]}})";

HttpResponse Answer(int status, std::string body) { return HttpResponse{status, std::move(body)}; }

// Answers from a script, one entry per call (the last entry repeats), and records requests.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::vector<absl::StatusOr<HttpResponse>> script)
      : script_(script.begin(), script.end()) {}

  absl::StatusOr<HttpResponse> Post(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    absl::StatusOr<HttpResponse> next = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return next;
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

PrometheusOptions Options() {
  PrometheusOptions options;
  options.url = "http://prometheus.test:9090";
  options.jitter_seed = 42;
  return options;
}

RangeQuery Range(std::string query = "up") {
  return RangeQuery{std::move(query), absl::FromUnixSeconds(1795369440),
                    absl::FromUnixSeconds(1795369470), absl::Seconds(30)};
}

class PrometheusProviderTest : public ::testing::Test {
 protected:
  // Makes a provider over `script`; the transport stays reachable through transport_.
  std::unique_ptr<PrometheusProvider> Make(std::vector<absl::StatusOr<HttpResponse>> script,
                                           PrometheusOptions options = Options()) {
    auto transport = std::make_unique<ScriptedTransport>(std::move(script));
    transport_ = transport.get();
    auto provider = PrometheusProvider::Create(std::move(options), std::move(transport), clock_);
    EXPECT_TRUE(provider.ok()) << provider.status();
    return provider.ok() ? *std::move(provider) : nullptr;
  }

  testing::FakeClock clock_;
  ScriptedTransport* transport_ = nullptr;
};

TEST_F(PrometheusProviderTest, RangeQueryIsAFormPostToQueryRange) {
  auto provider = Make({Answer(200, kMatrix)});
  auto result = provider->QueryRange(Range(R"(rate(x{a="b c"}[1m]) + 1)"));
  ASSERT_TRUE(result.ok()) << result.status();
  const std::vector<HttpRequest> requests = transport_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& sent = requests[0];
  EXPECT_EQ(sent.url, "http://prometheus.test:9090/api/v1/query_range");
  EXPECT_EQ(sent.form_body,
            "query=rate%28x%7Ba%3D%22b%20c%22%7D%5B1m%5D%29%20%2B%201"
            "&start=1795369440&end=1795369470&step=30");
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].points.size(), 2u);
}

TEST_F(PrometheusProviderTest, InstantQueryPostsToQueryWithMilliseconds) {
  auto provider = Make({Answer(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1795369440.5,"7"]}})")});
  auto result = provider->QueryInstant({"scalar(1)", absl::FromUnixMillis(1795369440500)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(transport_->requests()[0].url, "http://prometheus.test:9090/api/v1/query");
  EXPECT_EQ(transport_->requests()[0].form_body, "query=scalar%281%29&time=1795369440.5");
  EXPECT_EQ(result->type, ResultType::kScalar);
}

TEST_F(PrometheusProviderTest, BasePathIsKeptAndTrailingSlashDropped) {
  PrometheusOptions options = Options();
  options.url = "http://vmselect:8481/select/0/prometheus/";
  auto provider = Make({Answer(200, kMatrix)}, options);
  ASSERT_TRUE(provider->QueryRange(Range()).ok());
  EXPECT_EQ(transport_->requests()[0].url,
            "http://vmselect:8481/select/0/prometheus/api/v1/query_range");
  EXPECT_EQ(provider->Describe(), "http://vmselect:8481/select/0/prometheus");
}

TEST_F(PrometheusProviderTest, SendsTenantHeaderAndBearerToken) {
  auto dir = testing::MakeTempDir("augur-provider-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/token", "tok-1\n").ok());
  PrometheusOptions options = Options();
  options.headers = {{"X-Scope-OrgID", "team-a"}};
  options.bearer_token_file = *dir + "/token";
  auto provider = Make({Answer(200, kMatrix)}, options);
  ASSERT_TRUE(provider->QueryRange(Range()).ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/token", "tok-rotated\n").ok());
  ASSERT_TRUE(provider->QueryRange(Range()).ok());
  const auto requests = transport_->requests();
  EXPECT_THAT(requests[0].headers,
              ElementsAre("X-Scope-OrgID: team-a", "Authorization: Bearer tok-1"));
  EXPECT_THAT(requests[1].headers,
              ElementsAre("X-Scope-OrgID: team-a", "Authorization: Bearer tok-rotated"));
  testing::RemoveTree(*dir);
}

TEST_F(PrometheusProviderTest, SendsBasicAuthFromThePasswordFile) {
  auto dir = testing::MakeTempDir("augur-provider-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/password", "pa ss\n").ok());
  PrometheusOptions options = Options();
  options.basic_auth_user = "augur";
  options.basic_auth_password_file = *dir + "/password";
  auto provider = Make({Answer(200, kMatrix)}, options);
  ASSERT_TRUE(provider->QueryRange(Range()).ok());
  EXPECT_THAT(transport_->requests()[0].headers,
              ElementsAre("Authorization: Basic " + absl::Base64Escape("augur:pa ss")));
  testing::RemoveTree(*dir);
}

TEST_F(PrometheusProviderTest, UnavailableIsRetriedWithGrowingJitteredBackoff) {
  auto provider = Make({absl::UnavailableError("Connection refused"),
                        absl::UnavailableError("Connection refused"), Answer(503, "overloaded"),
                        Answer(200, kMatrix)});
  auto result = provider->QueryRange(Range());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(transport_->requests().size(), 4u);
  const std::vector<absl::Duration> sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  // Each wait is drawn from [b/2, b], b = 250ms, 500ms, 1s.
  absl::Duration backoff = absl::Milliseconds(250);
  for (absl::Duration sleep : sleeps) {
    EXPECT_GE(sleep, backoff / 2);
    EXPECT_LE(sleep, backoff);
    backoff *= 2;
  }
}

TEST_F(PrometheusProviderTest, GivesUpWithinTheBudgetAndSaysHowOften) {
  PrometheusOptions options = Options();
  options.retry_budget = absl::Seconds(5);
  options.max_backoff = absl::Seconds(1);
  auto provider = Make({absl::UnavailableError("Connection refused")}, options);
  const absl::Time start = clock_.Now();
  auto result = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsUnavailable(result.status()));
  EXPECT_LE(clock_.Now() - start, absl::Seconds(5));
  const size_t attempts = transport_->requests().size();
  EXPECT_GE(attempts, 5u);  // 0.25 + 0.5 + 1 + 1 ... at most, each at least half of that
  EXPECT_THAT(result.status().message(),
              HasSubstr(absl::StrCat("gave up after ", attempts, " attempts")));
  EXPECT_THAT(result.status().message(),
              HasSubstr("query_range at http://prometheus.test:9090: Connection refused"));
  for (absl::Duration sleep : clock_.sleeps()) EXPECT_LE(sleep, absl::Seconds(1));
}

TEST_F(PrometheusProviderTest, ZeroBudgetMeansOneAttempt) {
  PrometheusOptions options = Options();
  options.retry_budget = absl::ZeroDuration();
  auto provider = Make({absl::DeadlineExceededError("no answer within 30s")}, options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(provider->QueryRange(Range()).status()));
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(PrometheusProviderTest, TimeoutsAreRetried) {
  auto provider = Make({absl::DeadlineExceededError("timed out"), Answer(200, kMatrix)});
  EXPECT_TRUE(provider->QueryRange(Range()).ok());
  EXPECT_EQ(transport_->requests().size(), 2u);
}

struct NoRetryCase {
  std::string name;
  absl::StatusOr<HttpResponse> answer;
  absl::StatusCode code;
  std::string message;
};

void PrintTo(const NoRetryCase& c, std::ostream* os) { *os << c.name; }

class NoRetryTest : public PrometheusProviderTest,
                    public ::testing::WithParamInterface<NoRetryCase> {};

TEST_P(NoRetryTest, FailsAtOnceWithTheRightClass) {
  auto provider = Make({GetParam().answer, Answer(200, kMatrix)});
  auto result = provider->QueryRange(Range());
  EXPECT_EQ(result.status().code(), GetParam().code) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr(GetParam().message));
  EXPECT_EQ(transport_->requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, NoRetryTest,
    ::testing::Values(
        NoRetryCase{"BadPromQL",
                    Answer(400, R"({"status":"error","errorType":"bad_data",)"
                                R"("error":"1:5: parse error: unclosed left parenthesis"})"),
                    absl::StatusCode::kInvalidArgument,
                    "Prometheus error (bad_data): 1:5: parse error: unclosed left parenthesis"},
        NoRetryCase{"ExecutionError",
                    Answer(422, R"({"status":"error","errorType":"execution",)"
                                R"("error":"many-to-many matching not allowed"})"),
                    absl::StatusCode::kInvalidArgument, "many-to-many matching not allowed"},
        NoRetryCase{"Unauthorized", Answer(401, "Unauthorized\n"),
                    absl::StatusCode::kPermissionDenied, "HTTP 401"},
        NoRetryCase{"Forbidden", Answer(403, ""), absl::StatusCode::kPermissionDenied,
                    "refused the credentials"},
        NoRetryCase{"WrongBasePath", Answer(404, "404 page not found"),
                    absl::StatusCode::kFailedPrecondition, "check the base path"},
        NoRetryCase{"NotJsonOn200", Answer(200, "<html>login</html>"), absl::StatusCode::kDataLoss,
                    "not JSON: '<html>login</html>'"},
        NoRetryCase{"TruncatedJson", Answer(200, std::string(kMatrix).substr(0, 60)),
                    absl::StatusCode::kDataLoss, "malformed Prometheus API response"},
        NoRetryCase{"TooLarge", absl::ResourceExhaustedError("larger than the limit"),
                    absl::StatusCode::kResourceExhausted, "larger than the limit"},
        NoRetryCase{"TlsFailure", absl::FailedPreconditionError("TLS failed: bad certificate"),
                    absl::StatusCode::kFailedPrecondition, "TLS failed"},
        NoRetryCase{"CancelledTransfer", absl::CancelledError("cancelled by the caller"),
                    absl::StatusCode::kCancelled, "cancelled by the caller"}),
    [](const ::testing::TestParamInfo<NoRetryCase>& param_info) { return param_info.param.name; });

TEST_F(PrometheusProviderTest, ProxyErrorPagesAreRetriedAndQuoted) {
  PrometheusOptions options = Options();
  options.retry_budget = absl::ZeroDuration();
  auto provider = Make({Answer(502, "<html><body>Bad Gateway</body></html>")}, options);
  auto result = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsUnavailable(result.status()));
  EXPECT_THAT(result.status().message(), HasSubstr("HTTP 502: '<html><body>Bad Gateway"));
}

TEST_F(PrometheusProviderTest, PrometheusTimeoutErrorIsDeadlineExceededAndRetried) {
  auto provider = Make({Answer(503, R"({"status":"error","errorType":"timeout",)"
                                    R"("error":"query timed out in expression evaluation"})"),
                        Answer(200, kMatrix)});
  EXPECT_TRUE(provider->QueryRange(Range()).ok());
  EXPECT_EQ(transport_->requests().size(), 2u);
}

TEST_F(PrometheusProviderTest, WarningsAreKept) {
  auto provider =
      Make({Answer(200, R"({"status":"success","data":{"resultType":"vector","result":[]},)"
                        R"("warnings":["partial response: store gateway down"]})")});
  auto result = provider->QueryInstant({"up", absl::FromUnixSeconds(1795369440)});
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result->warnings, ElementsAre("partial response: store gateway down"));
}

TEST_F(PrometheusProviderTest, InvalidRangeIsRejectedBeforeAnyRequest) {
  auto provider = Make({Answer(200, kMatrix)});
  RangeQuery backwards = Range();
  std::swap(backwards.start, backwards.end);
  EXPECT_TRUE(absl::IsInvalidArgument(provider->QueryRange(backwards).status()));
  RangeQuery too_many = Range();
  too_many.step = absl::Milliseconds(1);
  EXPECT_THAT(provider->QueryRange(too_many).status().message(), HasSubstr("use a larger step"));
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(PrometheusProviderTest, SecretsNeverAppearInErrors) {
  auto dir = testing::MakeTempDir("augur-provider-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/token", "TOPSECRET-TOKEN").ok());
  PrometheusOptions options = Options();
  options.headers = {{"X-Api-Key", "SECRET-HEADER"}};
  options.bearer_token_file = *dir + "/token";
  options.retry_budget = absl::ZeroDuration();
  for (const absl::StatusOr<HttpResponse>& answer : std::vector<absl::StatusOr<HttpResponse>>{
           absl::UnavailableError("Connection refused"), Answer(401, ""), Answer(500, "boom"),
           Answer(400, R"({"status":"error","errorType":"bad_data","error":"bad"})")}) {
    auto provider = Make({answer}, options);
    const std::string message(provider->QueryRange(Range()).status().message());
    EXPECT_THAT(message, Not(HasSubstr("TOPSECRET")));
    EXPECT_THAT(message, Not(HasSubstr("SECRET-HEADER")));
  }
  testing::RemoveTree(*dir);
}

struct BadOptionsCase {
  std::string name;
  std::function<void(PrometheusOptions&)> change;
  std::string message;
};

void PrintTo(const BadOptionsCase& c, std::ostream* os) { *os << c.name; }

class BadOptionsTest : public ::testing::TestWithParam<BadOptionsCase> {};

TEST_P(BadOptionsTest, IsInvalidArgumentNamingTheOption) {
  PrometheusOptions options = Options();
  GetParam().change(options);
  testing::FakeClock clock;
  auto provider = PrometheusProvider::Create(
      options,
      std::make_unique<ScriptedTransport>(
          std::vector<absl::StatusOr<HttpResponse>>{Answer(200, kMatrix)}),
      clock);
  ASSERT_FALSE(provider.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(provider.status())) << provider.status();
  EXPECT_THAT(provider.status().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(provider.status().message(), Not(HasSubstr("hunter2")));
}

INSTANTIATE_TEST_SUITE_P(
    Options, BadOptionsTest,
    ::testing::Values(
        BadOptionsCase{"NoScheme", [](PrometheusOptions& o) { o.url = "prometheus:9090"; },
                       "must start with http:// or https://"},
        BadOptionsCase{"NoHost", [](PrometheusOptions& o) { o.url = "http:///api"; }, "no host"},
        BadOptionsCase{"CredentialsInUrl",
                       [](PrometheusOptions& o) { o.url = "http://admin:hunter2@prom:9090"; },
                       "'@' (credentials) in the URL is not accepted"},
        BadOptionsCase{"CredentialsWithSlashInPassword",
                       [](PrometheusOptions& o) { o.url = "http://admin:hun/ter2@prom:9090"; },
                       "'@' (credentials) in the URL is not accepted"},
        BadOptionsCase{"QueryStringIsNotEchoed",
                       [](PrometheusOptions& o) { o.url = "http://prom:9090/?api_key=hunter2"; },
                       "must not have a query string"},
        BadOptionsCase{"EmptyHeaderValue",
                       [](PrometheusOptions& o) {
                         o.headers = {{"X-Scope-OrgID", " "}};
                       },
                       "the value of 'X-Scope-OrgID' is empty"},
        BadOptionsCase{"InsecureWithCaFile",
                       [](PrometheusOptions& o) {
                         o.tls.ca_file = "/etc/hostname";
                         o.tls.insecure_skip_verify = true;
                       },
                       "contradict"},
        BadOptionsCase{"QueryString", [](PrometheusOptions& o) { o.url = "http://prom:9090/?x=1"; },
                       "query string"},
        BadOptionsCase{"HeaderName",
                       [](PrometheusOptions& o) {
                         o.headers = {{"Authorization: Bearer hunter2", "x"}};
                       },
                       "header 1 has no valid name"},
        BadOptionsCase{"HeaderInjection",
                       [](PrometheusOptions& o) {
                         o.headers = {{"X-Scope-OrgID", "a\r\nHost: evil"}};
                       },
                       "line break"},
        BadOptionsCase{"TokenFileMissing",
                       [](PrometheusOptions& o) { o.bearer_token_file = "/nonexistent/token"; },
                       "bearer token file: cannot read '/nonexistent/token'"},
        BadOptionsCase{"TokenAndBasicAuth",
                       [](PrometheusOptions& o) {
                         o.bearer_token_file = "/etc/hostname";
                         o.basic_auth_user = "u";
                         o.basic_auth_password_file = "/etc/hostname";
                       },
                       "not both"},
        BadOptionsCase{"UserWithoutPassword", [](PrometheusOptions& o) { o.basic_auth_user = "u"; },
                       "needs both the user and the password file"},
        BadOptionsCase{"CertWithoutKey",
                       [](PrometheusOptions& o) { o.tls.cert_file = "/etc/hostname"; },
                       "needs both the certificate and the key file"},
        BadOptionsCase{"CaFileMissing",
                       [](PrometheusOptions& o) { o.tls.ca_file = "/nonexistent/ca.pem"; },
                       "CA file: cannot read '/nonexistent/ca.pem'"},
        BadOptionsCase{"ZeroTimeout",
                       [](PrometheusOptions& o) { o.timeout = absl::ZeroDuration(); },
                       "timeout: must be positive"},
        BadOptionsCase{"ZeroParallel", [](PrometheusOptions& o) { o.max_parallel = 0; },
                       "max parallel"}),
    [](const ::testing::TestParamInfo<BadOptionsCase>& param_info) {
      return param_info.param.name;
    });

// Holds the first `width` calls until all of them are in flight at once (or a generous
// deadline passes), and records the most calls ever in flight.
class ConcurrencyProbe final : public HttpTransport {
 public:
  explicit ConcurrencyProbe(int width) : width_(width) {}

  absl::StatusOr<HttpResponse> Post(const HttpRequest& request) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++in_flight_;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
    if (arrived_ < width_) {
      ++arrived_;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(10), [this] { return arrived_ >= width_; });
    }
    --in_flight_;
    // Echo the query back as the series' job label, so the order of results can be checked.
    const std::string job = request.form_body.substr(6, request.form_body.find('&') - 6);
    return Answer(200, absl::StrCat(R"({"status":"success","data":{"resultType":"matrix",)",
                                    R"("result":[{"metric":{"job":")", job,
                                    R"("},"values":[[1795369440,"1"]]}]}})"));
  }

  int max_in_flight() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_in_flight_;
  }

 private:
  const int width_;
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

TEST(PrometheusProviderParallelTest, QueryRangeAllRunsBoundedParallelInOrder) {
  PrometheusOptions options = Options();
  options.max_parallel = 4;
  auto probe = std::make_unique<ConcurrencyProbe>(4);
  ConcurrencyProbe* probe_view = probe.get();
  testing::FakeClock clock;
  auto provider = PrometheusProvider::Create(options, std::move(probe), clock);
  ASSERT_TRUE(provider.ok());
  std::vector<RangeQuery> queries;
  for (int i = 0; i < 20; ++i) queries.push_back(Range(absl::StrCat("q", i)));
  const auto results = (*provider)->QueryRangeAll(queries);
  ASSERT_EQ(results.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    EXPECT_EQ(results[i]->series[0].labels[0].second, absl::StrCat("q", i));
  }
  EXPECT_EQ(probe_view->max_in_flight(), 4);
}

TEST_F(PrometheusProviderTest, BatchStopsSendingOnceTheBackendIsFoundDown) {
  PrometheusOptions options = Options();
  options.max_parallel = 1;
  options.retry_budget = absl::Seconds(1);
  auto provider = Make({absl::UnavailableError("Connection refused")}, options);
  std::vector<RangeQuery> queries(50, Range());
  const auto results = provider->QueryRangeAll(queries);
  const size_t sent = transport_->requests().size();
  EXPECT_LE(sent, 5u);  // the first query's attempts only
  for (const auto& result : results) EXPECT_TRUE(absl::IsUnavailable(result.status()));
  EXPECT_THAT(results[49].status().message(), HasSubstr("not sent: an earlier query"));
}

TEST_F(PrometheusProviderTest, BatchGoesOnAfterABadQuery) {
  PrometheusOptions options = Options();
  options.max_parallel = 1;
  auto provider = Make({Answer(400, R"({"status":"error","errorType":"bad_data","error":"bad"})"),
                        Answer(200, kMatrix)},
                       options);
  const auto results = provider->QueryRangeAll(std::vector<RangeQuery>(3, Range()));
  EXPECT_TRUE(absl::IsInvalidArgument(results[0].status()));
  EXPECT_TRUE(results[1].ok());
  EXPECT_TRUE(results[2].ok());
}

TEST_F(PrometheusProviderTest, WithoutADeadlineEachAttemptGetsTheWholeTimeout) {
  auto provider = Make({Answer(200, kMatrix)});
  ASSERT_TRUE(provider->QueryRange(Range()).ok());
  EXPECT_EQ(transport_->requests()[0].timeout, absl::Seconds(30));
  EXPECT_FALSE(transport_->requests()[0].cancelled);
}

TEST_F(PrometheusProviderTest, DeadlineClipsTheTimeoutAndTheRetries) {
  PrometheusOptions options = Options();
  options.deadline = clock_.Now() + absl::Seconds(1);
  options.retry_budget = absl::Seconds(60);  // the deadline, not the budget, ends the retries
  auto provider = Make({absl::UnavailableError("Connection refused")}, options);
  auto result = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
  EXPECT_THAT(result.status().message(),
              HasSubstr("query_range at http://prometheus.test:9090: deadline exceeded before"));
  EXPECT_THAT(result.status().message(), HasSubstr("Connection refused"));
  EXPECT_LE(clock_.Now(), options.deadline);
  // Waits of [125, 250] ms, [250, 500] ms and [500, 1000] ms: at most three fit in a second.
  const std::vector<HttpRequest> requests = transport_->requests();
  EXPECT_GE(requests.size(), 2u);
  EXPECT_LE(requests.size(), 3u);
  EXPECT_EQ(requests[0].timeout, absl::Seconds(1));  // clipped from 30 s to the time left
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_LT(requests[i].timeout, requests[i - 1].timeout);
    EXPECT_GT(requests[i].timeout, absl::ZeroDuration());
  }
}

TEST_F(PrometheusProviderTest, PassedDeadlineSendsNothing) {
  PrometheusOptions options = Options();
  options.deadline = clock_.Now();
  auto provider = Make({Answer(200, kMatrix)}, options);
  auto range = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsDeadlineExceeded(range.status())) << range.status();
  EXPECT_THAT(range.status().message(),
              HasSubstr("query_range at http://prometheus.test:9090: deadline exceeded before the "
                        "request was sent"));
  auto instant = provider->QueryInstant({"up", absl::FromUnixSeconds(1795369440)});
  EXPECT_TRUE(absl::IsDeadlineExceeded(instant.status())) << instant.status();
  EXPECT_THAT(instant.status().message(), HasSubstr("query at"));
  EXPECT_TRUE(transport_->requests().empty());
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(PrometheusProviderTest, CancelBeforeTheFirstAttemptSendsNothing) {
  PrometheusOptions options = Options();
  options.cancelled = [] { return true; };
  auto provider = Make({Answer(200, kMatrix)}, options);
  auto result = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsCancelled(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("cancelled by the caller"));
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(PrometheusProviderTest, CancelDuringBackoffReturnsPromptly) {
  PrometheusOptions options = Options();
  options.initial_backoff = absl::Seconds(2);  // a first wait of 1 to 2 s
  options.max_backoff = absl::Seconds(4);
  const absl::Time start = clock_.Now();
  const absl::Time cancel_at = start + absl::Milliseconds(120);
  options.cancelled = [this, cancel_at] { return clock_.Now() >= cancel_at; };
  auto provider = Make({absl::UnavailableError("Connection refused")}, options);
  auto result = provider->QueryRange(Range());
  EXPECT_TRUE(absl::IsCancelled(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("cancelled by the caller"));
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(transport_->requests()[0].cancelled);  // handed on for the transfer itself
  EXPECT_GE(clock_.Now(), cancel_at);
  EXPECT_LE(clock_.Now() - cancel_at, absl::Milliseconds(50));
  for (absl::Duration sleep : clock_.sleeps()) EXPECT_LE(sleep, absl::Milliseconds(50));
}

TEST_F(PrometheusProviderTest, BatchStopsSendingOnceCancelled) {
  PrometheusOptions options = Options();
  options.max_parallel = 1;
  options.cancelled = [this] { return transport_->requests().size() >= 3; };
  auto provider = Make({Answer(200, kMatrix)}, options);
  const auto results = provider->QueryRangeAll(std::vector<RangeQuery>(10, Range()));
  EXPECT_EQ(transport_->requests().size(), 3u);
  for (size_t i = 0; i < results.size(); ++i) {
    if (i < 3) {
      EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].status();
    } else {
      EXPECT_TRUE(absl::IsCancelled(results[i].status())) << i << ": " << results[i].status();
    }
  }
  EXPECT_THAT(results[9].status().message(), HasSubstr("not sent: an earlier query"));
}

// The same over libcurl, against a loopback server that reads each request and never answers.
class PrometheusProviderCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
      return testing::CannedResponse{testing::CannedResponse::Action::kStall, ""};
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  PrometheusOptions StallingOptions() {
    PrometheusOptions options;
    options.url = server_->url();
    options.timeout = absl::Seconds(30);
    options.retry_budget = absl::Seconds(60);
    return options;
  }

  std::unique_ptr<testing::LoopbackHttpServer> server_;
};

TEST_F(PrometheusProviderCurlTest, DeadlineEndsAStalledRequestLongBeforeTheTimeout) {
  PrometheusOptions options = StallingOptions();
  const absl::Time start = absl::Now();
  options.deadline = start + absl::Milliseconds(300);
  auto provider = PrometheusProvider::Create(options);
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto result = (*provider)->QueryRange(Range());
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("deadline exceeded before"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));  // the timeout is 30 s
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(PrometheusProviderCurlTest, CancelAbortsAStalledTransfer) {
  PrometheusOptions options = StallingOptions();
  std::atomic<bool> cancel{false};
  options.cancelled = [&cancel] { return cancel.load(); };
  auto provider = PrometheusProvider::Create(options);
  ASSERT_TRUE(provider.ok()) << provider.status();
  const absl::Time start = absl::Now();
  std::thread canceller([&cancel] {
    absl::SleepFor(absl::Milliseconds(200));
    cancel.store(true);
  });
  auto result = (*provider)->QueryRange(Range());
  canceller.join();
  EXPECT_TRUE(absl::IsCancelled(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("cancelled by the caller"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));  // the timeout is 30 s
  EXPECT_EQ(server_->requests().size(), 1u);
}

}  // namespace
}  // namespace augur::providers
