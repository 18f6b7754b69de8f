// PrometheusProvider against Debian's real Prometheus (backfilled with promtool), plus the
// failure modes a real server will not produce on demand, played by LoopbackHttpServer.
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "config/query_template.h"
#include "core/time_parse.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/file_provider.h"
#include "providers/prometheus/prometheus_provider.h"
#include "providers/prometheus_response.h"
#include "tests/providers/integration_environment.h"
#include "tests/support/loopback_http_server.h"
#include "tests/support/process.h"

namespace augur::providers {
namespace {

using testing::CannedResponse;
using testing::Data;
using ::testing::HasSubstr;
using testing::HttpAnswer;
using testing::LoopbackHttpServer;
using ::testing::Not;
using testing::Prometheus;
using testing::TestData;

std::unique_ptr<PrometheusProvider> Provider(PrometheusOptions options) {
  auto provider = PrometheusProvider::Create(std::move(options));
  EXPECT_TRUE(provider.ok()) << provider.status();
  return provider.ok() ? *std::move(provider) : nullptr;
}

std::unique_ptr<PrometheusProvider> Provider(const std::string& url) {
  PrometheusOptions options;
  options.url = url;
  return Provider(std::move(options));
}

RangeQuery Window(std::string query) {
  return RangeQuery{std::move(query), Data().start, Data().end(),
                    absl::Seconds(TestData::kStepSeconds)};
}

std::string LabelValue(const Series& series, absl::string_view name) {
  for (const auto& [label, value] : series.labels) {
    if (label == name) return value;
  }
  return "";
}

// Checks a series holds exactly the canary or baseline points of the test data.
void ExpectLatencySeries(const Series& series, bool canary) {
  EXPECT_EQ(LabelValue(series, "version"), canary ? "canary" : "baseline");
  EXPECT_EQ(LabelValue(series, "__name__"), "augur_test_latency");
  ASSERT_EQ(series.points.size(), static_cast<size_t>(TestData::kPoints));
  for (int i = 0; i < TestData::kPoints; ++i) {
    EXPECT_EQ(series.points[i].timestamp_ms,
              absl::ToUnixMillis(Data().start) + int64_t{1000} * TestData::kStepSeconds * i);
    EXPECT_EQ(series.points[i].value, TestData::Latency(canary, i)) << "point " << i;
  }
}

TEST(PrometheusIntegrationTest, RangeQueryReturnsExactValuesAndTimestamps) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryRange(Window(R"(augur_test_latency{version="canary"})"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kMatrix);
  ASSERT_EQ(result->series.size(), 1u);
  ExpectLatencySeries(result->series[0], /*canary=*/true);
  EXPECT_TRUE(result->warnings.empty());
}

TEST(PrometheusIntegrationTest, SeveralSeriesKeepTheirLabels) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryRange(Window("augur_test_latency"));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 2u);
  // Prometheus sorts series by labels: baseline before canary.
  ExpectLatencySeries(result->series[0], /*canary=*/false);
  ExpectLatencySeries(result->series[1], /*canary=*/true);
}

TEST(PrometheusIntegrationTest, NanAndInfinitiesComeThrough) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryInstant({"augur_test_special", Data().start});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kVector);
  ASSERT_EQ(result->series.size(), 3u);
  int seen = 0;
  for (const Series& series : result->series) {
    ASSERT_EQ(series.points.size(), 1u);
    const double value = series.points[0].value;
    const std::string kind = LabelValue(series, "kind");
    if (kind == "nan") {
      EXPECT_TRUE(std::isnan(value));
      ++seen;
    } else if (kind == "pinf") {
      EXPECT_EQ(value, INFINITY);
      ++seen;
    } else if (kind == "ninf") {
      EXPECT_EQ(value, -INFINITY);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 3);
}

TEST(PrometheusIntegrationTest, ScalarResult) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryInstant({"scalar(vector(2.5))", Data().start});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kScalar);
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].points[0].value, 2.5);
  EXPECT_EQ(result->series[0].points[0].timestamp_ms, absl::ToUnixMillis(Data().start));
}

TEST(PrometheusIntegrationTest, EmptyResultIsNotAnError) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryRange(Window("augur_test_no_such_metric"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->series.empty());
}

TEST(PrometheusIntegrationTest, LabelValuesWithQuotesAndBackslashesMatch) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryInstant({R"(augur_test_escape{path="a\"b\\c"})", Data().start});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(LabelValue(result->series[0], "path"), R"(a"b\c)");
  EXPECT_EQ(result->series[0].points[0].value, 7);
}

TEST(PrometheusIntegrationTest, BadPromQLShowsPrometheusOwnMessage) {
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryRange(Window("sum(augur_test_latency"));
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  EXPECT_THAT(result.status().message(),
              HasSubstr("Prometheus error (bad_data): 1:23: parse error: unclosed left "
                        "parenthesis"));
}

TEST(PrometheusIntegrationTest, LongQueryIsPostedWhole) {
  // ~24 KB of PromQL: far past what a GET URL can carry through most proxies.
  std::string query = R"(augur_test_latency{version="canary"})";
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&query, " + 0 * augur_test_latency");
  query = absl::StrCat("sum(", query, ")");
  ASSERT_GT(query.size(), 20000u);
  auto provider = Provider(Prometheus().url());
  auto result = provider->QueryInstant({query, Data().start});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].points[0].value, TestData::Latency(true, 0));
  // The server's query log shows the text it evaluated, byte for byte (JSON-escaped).
  auto log = Prometheus().QueryLog();
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(*log, HasSubstr(absl::StrReplaceAll(query, {{"\"", "\\\""}})));
}

TEST(PrometheusIntegrationTest, ResponseLargerThanTheLimitFailsCleanly) {
  PrometheusOptions options;
  options.url = Prometheus().url();
  options.max_response_bytes = 1000;
  auto provider = Provider(options);
  auto result = provider->QueryRange(Window("augur_test_latency"));
  EXPECT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("larger than the limit of 1000 bytes"));
}

TEST(PrometheusIntegrationTest, ParallelQueriesMatchSerialOnes) {
  auto provider = Provider(Prometheus().url());
  std::vector<RangeQuery> queries;
  for (int i = 0; i < 24; ++i) {
    queries.push_back(Window(i % 2 == 0 ? R"(augur_test_latency{version="canary"})"
                                        : absl::StrCat("augur_test_latency * ", i)));
  }
  const auto parallel = provider->QueryRangeAll(queries);
  ASSERT_EQ(parallel.size(), queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    auto serial = provider->QueryRange(queries[i]);
    ASSERT_TRUE(serial.ok() && parallel[i].ok());
    EXPECT_EQ(PrometheusResponseJson(*parallel[i]), PrometheusResponseJson(*serial)) << i;
  }
}

TEST(PrometheusIntegrationTest, ConnectionRefusedIsUnavailableAfterRetries) {
  auto port = testing::FreePort();  // nothing listens there
  ASSERT_TRUE(port.ok());
  PrometheusOptions options;
  options.url = absl::StrCat("http://127.0.0.1:", *port);
  options.retry_budget = absl::Seconds(1);
  options.initial_backoff = absl::Milliseconds(50);
  auto result = Provider(options)->QueryRange(Window("up"));
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("gave up after"));
}

TEST(PrometheusIntegrationTest, HttpsToAPlainPortIsATlsFailureNotRetried) {
  PrometheusOptions options;
  options.url = absl::StrReplaceAll(Prometheus().url(), {{"http://", "https://"}});
  auto result = Provider(options)->QueryInstant({"vector(1)", Data().start});
  EXPECT_TRUE(absl::IsFailedPrecondition(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), Not(HasSubstr("gave up after")));
}

TEST(PrometheusIntegrationTest, StallingServerTimesOut) {
  auto server = LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
    return CannedResponse{CannedResponse::Action::kStall, ""};
  });
  ASSERT_TRUE(server.ok());
  PrometheusOptions options;
  options.url = (*server)->url();
  options.timeout = absl::Milliseconds(300);
  options.retry_budget = absl::ZeroDuration();
  auto result = Provider(options)->QueryRange(Window("up"));
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
}

TEST(PrometheusIntegrationTest, TruncatedJsonIsDataLoss) {
  const std::string whole =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}})";
  auto server = LoopbackHttpServer::Start([&](const testing::RecordedRequest&) {
    return HttpAnswer(200, whole.substr(0, whole.size() / 2));
  });
  ASSERT_TRUE(server.ok());
  auto result = Provider((*server)->url())->QueryInstant({"up", Data().start});
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("malformed Prometheus API response"));
}

TEST(PrometheusIntegrationTest, BodyCutShortByTheConnectionIsUnavailable) {
  auto server = LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
    CannedResponse response = HttpAnswer(200, std::string(1000, ' '));
    response.raw.resize(response.raw.size() - 500);  // promise 1000 bytes, send 500, hang up
    response.action = CannedResponse::Action::kClose;
    return response;
  });
  ASSERT_TRUE(server.ok());
  PrometheusOptions options;
  options.url = (*server)->url();
  options.retry_budget = absl::ZeroDuration();
  auto result = Provider(options)->QueryInstant({"up", Data().start});
  EXPECT_TRUE(absl::IsUnavailable(result.status())) << result.status();
}

TEST(PrometheusIntegrationTest, OversizeBodyWithoutLengthStopsAtTheLimit) {
  auto server = LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
    // No Content-Length: the client only learns the size while reading.
    return CannedResponse{
        CannedResponse::Action::kClose,
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(1 << 20, 'x')};
  });
  ASSERT_TRUE(server.ok());
  PrometheusOptions options;
  options.url = (*server)->url();
  options.max_response_bytes = 64 << 10;
  auto result = Provider(options)->QueryInstant({"up", Data().start});
  EXPECT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
}

TEST(PrometheusIntegrationTest, ConnectionsAreReused) {
  auto server = LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
    return HttpAnswer(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  });
  ASSERT_TRUE(server.ok());
  auto provider = Provider((*server)->url());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(provider->QueryInstant({"up", Data().start}).ok());
  EXPECT_EQ((*server)->requests().size(), 5u);
  EXPECT_EQ((*server)->connections_accepted(), 1);
}

TEST(PrometheusIntegrationTest, AuthAndTenantHeadersAreSentAndTokenRotationIsSeen) {
  auto server = LoopbackHttpServer::Start([](const testing::RecordedRequest&) {
    return HttpAnswer(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})");
  });
  ASSERT_TRUE(server.ok());
  auto dir = testing::MakeTempDir("augur-token-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/token", "token-before\n").ok());
  PrometheusOptions options;
  options.url = (*server)->url() + "/prometheus";
  options.headers = {{"X-Scope-OrgID", "tenant-42"}};
  options.bearer_token_file = *dir + "/token";
  auto provider = Provider(options);
  ASSERT_TRUE(provider->QueryInstant({"up", Data().start}).ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/token", "token-after-rotation\n").ok());
  ASSERT_TRUE(provider->QueryInstant({"up", Data().start}).ok());
  const auto requests = (*server)->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/prometheus/api/v1/query");
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(requests[0].headers.at("x-scope-orgid"), "tenant-42");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer token-before");
  EXPECT_EQ(requests[1].headers.at("authorization"), "Bearer token-after-rotation");
  testing::RemoveTree(*dir);
}

// Rendered templates against the real PromQL parser: a hostile argument must leave the query's
// shape alone (it selects nothing), where unescaped it would have returned vector(1).
TEST(PrometheusIntegrationTest, RenderedArgumentsCannotChangeTheQuery) {
  auto provider = Provider(Prometheus().url());
  const auto run = [&](absl::string_view query, const std::string& value) {
    config::PlaceholderValues values;
    values.args = {{"v", value}};
    auto rendered = config::RenderQuery(query, values);
    EXPECT_TRUE(rendered.ok()) << rendered.status();
    auto result = provider->QueryInstant({*rendered, Data().start});
    EXPECT_TRUE(result.ok()) << *rendered << ": " << result.status();
    return result.ok() ? result->series.size() : size_t{999};
  };
  constexpr absl::string_view kEquals = R"(augur_test_latency{version="{{args.v}}"})";
  constexpr absl::string_view kRegex = R"(augur_test_latency{version=~'{{args.v}}'})";
  EXPECT_EQ(run(kEquals, "canary"), 1u);
  EXPECT_EQ(run(kRegex, "canary"), 1u);
  for (const std::string hostile : {R"(canary"} or vector(1) #)", R"(canary\"} or vector(1) #)",
                                    "canary\"}\nor vector(1)", "x'} or vector(1) #", R"(\)", "}"}) {
    EXPECT_EQ(run(kEquals, hostile), 0u) << hostile;
    EXPECT_EQ(run(kRegex, hostile), 0u) << hostile;
  }
  // Regex metacharacters match only themselves.
  EXPECT_EQ(run(kRegex, ".*"), 0u);
  EXPECT_EQ(run(kRegex, "canary|baseline"), 0u);
  // The escape label value with a quote and a backslash is matched exactly.
  EXPECT_EQ(run(R"(augur_test_escape{path="{{args.v}}"})", R"(a"b\\c)"), 0u);
  EXPECT_EQ(run(R"(augur_test_escape{path="{{args.v}}"})", R"(a"b\c)"), 1u);
  EXPECT_EQ(run(R"(augur_test_escape{path=~"{{args.v}}"})", R"(a"b\c)"), 1u);
}

// A second Prometheus that demands TLS, a client certificate and basic auth, with
// certificates made by openssl for the test.
class PrometheusTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = testing::MakeTempDir("augur-tls-");
    ASSERT_TRUE(dir.ok());
    dir_ = new std::string(*dir);
    const std::string d = *dir_;
    ASSERT_TRUE(testing::WriteFile(d + "/server.ext", "subjectAltName=IP:127.0.0.1\n").ok());
    ASSERT_TRUE(testing::WriteFile(d + "/client.ext", "extendedKeyUsage=clientAuth\n").ok());
    const std::vector<std::vector<std::string>> commands = {
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.crt", "-days", "2", "-subj",
         "/CN=augur test CA"},
        {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", d + "/server.key", "-out", d + "/server.csr", "-subj", "/CN=127.0.0.1"},
        {"openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.crt", "-CAkey",
         d + "/ca.key", "-CAcreateserial", "-out", d + "/server.crt", "-days", "2", "-extfile",
         d + "/server.ext"},
        {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", d + "/client.key", "-out", d + "/client.csr", "-subj", "/CN=augur"},
        {"openssl", "x509", "-req", "-in", d + "/client.csr", "-CA", d + "/ca.crt", "-CAkey",
         d + "/ca.key", "-CAcreateserial", "-out", d + "/client.crt", "-days", "2", "-extfile",
         d + "/client.ext"},
    };
    for (const auto& command : commands) {
      auto run = testing::RunCommand(command);
      ASSERT_TRUE(run.ok() && run->exit_code == 0) << command[1] << ": " << run->err;
    }
    // bcrypt at the lowest cost keeps each request fast.
    auto hash = testing::RunCommand({"htpasswd", "-nbBC", "4", "augur", "correct horse"});
    ASSERT_TRUE(hash.ok() && hash->exit_code == 0);
    const std::string bcrypt(absl::StripAsciiWhitespace(hash->out.substr(hash->out.find(':') + 1)));
    ASSERT_TRUE(testing::WriteFile(d + "/password", "correct horse\n").ok());
    ASSERT_TRUE(testing::WriteFile(d + "/wrong-password", "battery staple\n").ok());
    testing::PrometheusServerOptions options;
    options.tls = true;
    options.web_config = absl::StrCat(
        "tls_server_config:\n  cert_file: ", d, "/server.crt\n  key_file: ", d,
        "/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ", d,
        "/ca.crt\nbasic_auth_users:\n  augur: '", bcrypt, "'\n");
    auto server = testing::PrometheusServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    if (dir_ != nullptr) testing::RemoveTree(*dir_);
    delete dir_;
  }

  static PrometheusOptions Secure() {
    PrometheusOptions options;
    options.url = server_->url();
    options.tls.ca_file = *dir_ + "/ca.crt";
    options.tls.cert_file = *dir_ + "/client.crt";
    options.tls.key_file = *dir_ + "/client.key";
    options.basic_auth_user = "augur";
    options.basic_auth_password_file = *dir_ + "/password";
    options.retry_budget = absl::ZeroDuration();
    return options;
  }

  static std::string* dir_;
  static testing::PrometheusServer* server_;
};

std::string* PrometheusTlsTest::dir_ = nullptr;
testing::PrometheusServer* PrometheusTlsTest::server_ = nullptr;

TEST_F(PrometheusTlsTest, MutualTlsWithBasicAuthWorks) {
  auto result = Provider(Secure())->QueryInstant({"vector(1)", absl::Now()});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].points[0].value, 1);
}

TEST_F(PrometheusTlsTest, UnknownServerCertificateIsFailedPrecondition) {
  PrometheusOptions options = Secure();
  options.tls.ca_file.clear();  // the system store does not know the test CA
  auto result = Provider(options)->QueryInstant({"vector(1)", absl::Now()});
  EXPECT_TRUE(absl::IsFailedPrecondition(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("TLS failed"));
}

TEST_F(PrometheusTlsTest, InsecureSkipVerifyAcceptsTheServer) {
  PrometheusOptions options = Secure();
  options.tls.ca_file.clear();
  options.tls.insecure_skip_verify = true;
  EXPECT_TRUE(Provider(options)->QueryInstant({"vector(1)", absl::Now()}).ok());
}

TEST_F(PrometheusTlsTest, MissingClientCertificateFailsAsTlsOrConnectionError) {
  // With TLS 1.3 the server refuses the missing certificate after the handshake: the client
  // reads either its alert (FailedPrecondition, "TLS failed") or, when the reset wins the race,
  // a broken connection (Unavailable). Either way the query fails as "backend cannot answer".
  PrometheusOptions options = Secure();
  options.tls.cert_file.clear();
  options.tls.key_file.clear();
  auto result = Provider(options)->QueryInstant({"vector(1)", absl::Now()});
  EXPECT_TRUE(absl::IsFailedPrecondition(result.status()) || absl::IsUnavailable(result.status()))
      << result.status();
}

TEST_F(PrometheusTlsTest, WrongPasswordIsPermissionDeniedAndNotEchoed) {
  PrometheusOptions options = Secure();
  options.basic_auth_password_file = *dir_ + "/wrong-password";
  auto result = Provider(options)->QueryInstant({"vector(1)", absl::Now()});
  EXPECT_TRUE(absl::IsPermissionDenied(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), Not(HasSubstr("battery")));
}

// `augur query`, the binary, against the same server.
class AugurQueryTest : public ::testing::Test {
 protected:
  static testing::CommandResult Augur(std::vector<std::string> args) {
    args.insert(args.begin(), AUGUR_BINARY);
    auto result = testing::RunCommand(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : testing::CommandResult{};
  }
  static std::string Start() { return FormatUnixSeconds(Data().start); }
  static std::string End() { return FormatUnixSeconds(Data().end()); }
};

TEST_F(AugurQueryTest, PrintsThePrometheusAnswer) {
  const auto run = Augur({"query", "--prometheus", Prometheus().url(), "--query",
                          R"(augur_test_latency{version="canary"})", "--start", Start(), "--end",
                          End(), "--step", "15s"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  auto parsed = ParsePrometheusResponse(run.out);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->series.size(), 1u);
  ExpectLatencySeries(parsed->series[0], /*canary=*/true);
}

TEST_F(AugurQueryTest, CsvSavedAndReadBackGivesTheSameSeries) {
  const auto json = Augur({"query", "--prometheus", Prometheus().url(), "-q", "augur_test_latency",
                           "--start", Start(), "--end", End(), "--step", "15"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto csv = Augur({"query", "--prometheus", Prometheus().url(), "-q", "augur_test_latency",
                          "--start", Start(), "--end", End(), "--step", "15", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  auto dir = testing::MakeTempDir("augur-query-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/saved.csv", csv.out).ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/saved.json", json.out).ok());
  for (const std::string file : {"/saved.csv", "/saved.json"}) {
    const auto replay = Augur({"query", "--file", *dir + file, "-q", "anything", "--start", Start(),
                               "--end", End(), "--step", "15s"});
    EXPECT_EQ(replay.exit_code, 0) << replay.err;
    EXPECT_EQ(replay.out, json.out) << file;
  }
  testing::RemoveTree(*dir);
}

TEST_F(AugurQueryTest, NamedProviderFromTheConfigurationFile) {
  auto dir = testing::MakeTempDir("augur-query-");
  ASSERT_TRUE(dir.ok());
  const std::string config = *dir + "/augur.yaml";
  ASSERT_TRUE(testing::WriteFile(
                  config, absl::StrCat("apiVersion: augur/v1\nkind: Config\nproviders:\n"
                                       "  - name: local\n    default: true\n    prometheus:\n"
                                       "      address: ",
                                       Prometheus().url(),
                                       "\n      headers: {X-Scope-OrgID: team-a}\n"
                                       "  - name: other\n    prometheus: {address: "
                                       "http://127.0.0.1:1}\n"))
                  .ok());
  const std::vector<std::string> query = {
      "-q", R"(augur_test_latency{version="canary"})", "--start", Start(), "--end", End(), "--step",
      "15s"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "query");
    args.insert(args.end(), query.begin(), query.end());
    return Augur(args);
  };
  const auto direct = with({"--prometheus", Prometheus().url()});
  const auto by_default = with({"--config", config});
  const auto by_name = with({"--config", config, "--provider", "local"});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  EXPECT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_EQ(by_default.out, direct.out);
  EXPECT_EQ(by_name.out, direct.out);
  const auto misspelt = with({"--config", config, "--provider", "locl"});
  EXPECT_EQ(misspelt.exit_code, 64);
  EXPECT_THAT(misspelt.err, HasSubstr("has no provider 'locl'; did you mean 'local'?"));
  const auto mixed = with({"--config", config, "--header", "X-Scope-OrgID=b"});
  EXPECT_EQ(mixed.exit_code, 64);
  EXPECT_THAT(mixed.err, HasSubstr("set them there"));
  ASSERT_TRUE(testing::WriteFile(config, "apiVersion: augur/v1\nkind: Config\nlimit: {}\n").ok());
  const auto broken = with({"--config", config});
  EXPECT_EQ(broken.exit_code, 64);
  EXPECT_THAT(broken.err, HasSubstr("limit: unknown field; did you mean 'limits'?"));
  testing::RemoveTree(*dir);
}

TEST_F(AugurQueryTest, BadPromQLExits64WithPrometheusMessage) {
  const auto run =
      Augur({"query", "--prometheus", Prometheus().url(), "-q", "rate(x[5m]", "--time", "now"});
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_THAT(run.err, HasSubstr("parse error: unclosed left parenthesis"));
}

TEST_F(AugurQueryTest, UnreachableBackendExits3) {
  auto port = testing::FreePort();
  ASSERT_TRUE(port.ok());
  const auto run = Augur({"query", "--prometheus", absl::StrCat("http://127.0.0.1:", *port), "-q",
                          "up", "--time", "now", "--retry-budget", "1s"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr("Couldn't connect"));
}

TEST_F(AugurQueryTest, BadArgumentsExit64) {
  const std::vector<std::vector<std::string>> cases = {
      {"query", "-q", "up", "--time", "now"},                       // no backend
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up"},  // neither range nor time
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--time", "yesterday"},
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--start", "now-1h", "--end",
       "now", "--step", "-5s"},
      {"query", "--prometheus", "ftp://127.0.0.1:1", "-q", "up", "--time", "now"},
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--time", "now", "--header",
       "X-Scope-OrgID"},
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--time", "now", "--format",
       "xml"},
      {"query", "--file", "/nonexistent.csv", "-q", "up", "--time", "now"},
  };
  for (const auto& args : cases) {
    const auto run = Augur(args);
    EXPECT_EQ(run.exit_code, 64) << args.back() << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

TEST_F(AugurQueryTest, MistypedHeadersAndUrlsNeverEchoSecrets) {
  const std::vector<std::vector<std::string>> cases = {
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--time", "now", "--header",
       "BearerSECRET123"},
      {"query", "--prometheus", "http://127.0.0.1:1", "-q", "up", "--time", "now", "--header",
       "Bad Name SECRET123=x"},
      {"query", "--prometheus", "http://admin:SECRET/123@127.0.0.1:1", "-q", "up", "--time", "now"},
      {"query", "--prometheus", "http://127.0.0.1:1/?key=SECRET123", "-q", "up", "--time", "now"},
  };
  for (const auto& args : cases) {
    const auto run = Augur(args);
    EXPECT_EQ(run.exit_code, 64) << run.err;
    EXPECT_THAT(run.err, Not(HasSubstr("SECRET"))) << run.err;
  }
}

TEST_F(AugurQueryTest, BrokenSavedFileExits64) {
  auto dir = testing::MakeTempDir("augur-query-");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(testing::WriteFile(*dir + "/cut.json", R"({"status":"success","data":{)").ok());
  const auto run = Augur({"query", "--file", *dir + "/cut.json", "-q", "x", "--time", "now"});
  EXPECT_EQ(run.exit_code, 64) << run.err;
  EXPECT_THAT(run.err, HasSubstr(*dir + "/cut.json: malformed Prometheus API response"));
  testing::RemoveTree(*dir);
}

}  // namespace
}  // namespace augur::providers
