// The CLI/server configuration file: a complete valid one, then one mistake at a time with the
// exact line `augur validate` prints (the contract of docs/configuration.md).
#include "config/augur_config.h"

#include "absl/strings/str_split.h"
#include "config/validate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::config {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kValid[] = R"(apiVersion: augur/v1
kind: Config
providers:
  - name: prometheus
    default: true
    prometheus:
      address: http://prometheus:9090
      headers:
        X-Scope-OrgID: team-a
      bearerTokenFile: /var/run/secrets/token
      tls:
        caFile: /etc/augur/ca.pem
        certFile: /etc/augur/client.pem
        keyFile: /etc/augur/client-key.pem
      timeout: 20s
      retryBudget: 0s
      maxResponseBytes: 128MiB
      maxParallel: 16
      gzip: true
  - name: vm
    prometheus:
      address: http://vmselect:8481/select/0/prometheus
      basicAuth:
        user: augur
        passwordFile: /etc/augur/password
templates:
  - /etc/augur/templates
  - ./templates
limits:
  maxWindow: 6h
  maxMetrics: 50
  maxConcurrentAnalyses: 4
  analysisTimeout: 90s
  maxRequestBytes: 8MiB
server:
  grpcListen: 127.0.0.1:7070
  httpListen: 0.0.0.0:7071
  dataDir: /var/lib/augur
  shutdownGracePeriod: 10s
  httpBearerTokenFile: /etc/augur/http-token
  tls:
    certFile: /etc/augur/server.pem
    keyFile: /etc/augur/server-key.pem
    clientCaFile: /etc/augur/clients-ca.pem
)";

std::vector<std::string> Lines(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the edit does not apply: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  const ConfigLoad load = LoadConfig(text);
  EXPECT_FALSE(load.result.has_value());
  return absl::StrSplit(load.diagnostics.Format("augur.yaml"), '\n', absl::SkipEmpty());
}

TEST(AugurConfigTest, ValidConfigLoadsEveryField) {
  const ConfigLoad load = LoadConfig(kValid);
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("augur.yaml");
  const AugurConfig& c = *load.result;
  ASSERT_EQ(c.providers.size(), 2u);
  EXPECT_EQ(c.default_provider, "prometheus");
  const ProviderSettings& p = c.providers[0];
  EXPECT_EQ(p.address, "http://prometheus:9090");
  EXPECT_EQ(p.headers.at("X-Scope-OrgID"), "team-a");
  EXPECT_EQ(p.bearer_token_file, "/var/run/secrets/token");
  EXPECT_EQ(p.ca_file, "/etc/augur/ca.pem");
  EXPECT_EQ(p.key_file, "/etc/augur/client-key.pem");
  EXPECT_EQ(p.timeout, absl::Seconds(20));
  EXPECT_EQ(p.retry_budget, absl::ZeroDuration());
  EXPECT_EQ(p.max_response_bytes, int64_t{128} << 20);
  EXPECT_EQ(p.max_parallel, 16);
  EXPECT_TRUE(p.gzip);
  EXPECT_EQ(c.providers[1].basic_auth_user, "augur");
  EXPECT_EQ(c.providers[1].timeout, absl::Seconds(30));  // default
  EXPECT_EQ(c.template_dirs.size(), 2u);
  EXPECT_EQ(c.limits.max_window, absl::Hours(6));
  EXPECT_EQ(c.limits.max_metrics, 50);
  EXPECT_EQ(c.limits.max_concurrent_analyses, 4);
  EXPECT_EQ(c.limits.analysis_timeout, absl::Seconds(90));
  EXPECT_EQ(c.limits.max_request_bytes, int64_t{8} << 20);
  EXPECT_EQ(c.server.grpc_listen, "127.0.0.1:7070");
  EXPECT_EQ(c.server.data_dir, "/var/lib/augur");
  EXPECT_EQ(c.server.shutdown_grace, absl::Seconds(10));
  EXPECT_EQ(c.server.tls_cert_file, "/etc/augur/server.pem");
  EXPECT_EQ(c.server.tls_key_file, "/etc/augur/server-key.pem");
  EXPECT_EQ(c.server.tls_client_ca_file, "/etc/augur/clients-ca.pem");
  EXPECT_EQ(c.server.http_bearer_token_file, "/etc/augur/http-token");
}

TEST(AugurConfigTest, MinimalConfigTakesTheDocumentedDefaults) {
  const ConfigLoad load = LoadConfig("apiVersion: augur/v1\nkind: Config\n");
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("augur.yaml");
  EXPECT_TRUE(load.result->providers.empty());
  EXPECT_EQ(load.result->limits.max_window, absl::Hours(24));
  EXPECT_EQ(load.result->limits.max_metrics, 200);
  EXPECT_EQ(load.result->limits.max_concurrent_analyses, 16);
  EXPECT_EQ(load.result->server.grpc_listen, "0.0.0.0:7070");
  EXPECT_EQ(load.result->server.http_listen, "0.0.0.0:7071");
  EXPECT_EQ(load.result->limits.analysis_timeout, absl::Minutes(2));
  EXPECT_EQ(load.result->limits.max_request_bytes, int64_t{16} << 20);
  EXPECT_EQ(load.result->server.data_dir, "");
  EXPECT_EQ(load.result->server.shutdown_grace, absl::Seconds(25));
  EXPECT_EQ(load.result->server.tls_cert_file, "");
  EXPECT_EQ(load.result->server.tls_key_file, "");
  EXPECT_EQ(load.result->server.tls_client_ca_file, "");
  EXPECT_EQ(load.result->server.http_bearer_token_file, "");
}

// TLS without mTLS, the smallest and largest request sizes, and a drain with no grace.
TEST(AugurConfigTest, AcceptsTheEdgesOfTheServerSettings) {
  const ConfigLoad load = LoadConfig(R"(apiVersion: augur/v1
kind: Config
limits:
  maxRequestBytes: 1KiB
server:
  shutdownGracePeriod: 0s
  tls: {certFile: /s.pem, keyFile: /s-key.pem}
)");
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("augur.yaml");
  EXPECT_EQ(load.result->limits.max_request_bytes, 1024);
  EXPECT_EQ(load.result->server.shutdown_grace, absl::ZeroDuration());
  EXPECT_EQ(load.result->server.tls_cert_file, "/s.pem");
  EXPECT_EQ(load.result->server.tls_key_file, "/s-key.pem");
  EXPECT_EQ(load.result->server.tls_client_ca_file, "");
  const ConfigLoad largest =
      LoadConfig("apiVersion: augur/v1\nkind: Config\nlimits: {maxRequestBytes: 1GiB}\n");
  ASSERT_TRUE(largest.result.has_value()) << largest.diagnostics.Format("augur.yaml");
  EXPECT_EQ(largest.result->limits.max_request_bytes, int64_t{1} << 30);
}

TEST(AugurConfigTest, TheOnlyProviderIsTheDefault) {
  const ConfigLoad load = LoadConfig(
      "apiVersion: augur/v1\nkind: Config\nproviders:\n  - name: p\n    prometheus: {address: "
      "http://p:9090}\n");
  ASSERT_TRUE(load.result.has_value());
  EXPECT_EQ(load.result->default_provider, "p");
}

struct Mistake {
  const char* name;
  std::string from;
  std::string to;
  std::string line;
};

void PrintTo(const Mistake& mistake, std::ostream* os) { *os << mistake.name; }

class ConfigMistakeTest : public ::testing::TestWithParam<Mistake> {};

TEST_P(ConfigMistakeTest, IsReportedWithItsPath) {
  EXPECT_THAT(Lines(GetParam().from, GetParam().to), Contains(GetParam().line));
}

const std::string kP = "augur.yaml: providers[0].prometheus.";

INSTANTIATE_TEST_SUITE_P(
    Mistakes, ConfigMistakeTest,
    ::testing::Values(
        Mistake{"Kind", "kind: Config", "kind: Configuration",
                "augur.yaml: kind: must be Config, got 'Configuration'"},
        Mistake{"UnknownTopLevel",
                "limits:", "limit:", "augur.yaml: limit: unknown field; did you mean 'limits'?"},
        Mistake{"ProvidersNotAList", "providers:\n  - name: prometheus\n",
                "providers: prometheus\nx:\n  - name: prometheus\n",
                "augur.yaml: providers: must be a list of providers, got 'prometheus'"},
        Mistake{"ProviderWithoutName", "  - name: vm\n", "  - default: false\n",
                "augur.yaml: providers[1].name: is required"},
        Mistake{"ProviderTwice", "name: vm", "name: prometheus",
                "augur.yaml: providers[1].name: provider 'prometheus' is defined twice"},
        Mistake{"TwoDefaults", "  - name: vm\n", "  - name: vm\n    default: true\n",
                "augur.yaml: providers: more than one provider is marked default: prometheus, vm"},
        Mistake{"NoPrometheusBlock",
                "  - name: vm\n    prometheus:", "  - name: vm\n    prometheu:",
                "augur.yaml: providers[1].prometheus: is required: {address: URL, ...}"},
        Mistake{"AddressScheme", "address: http://prometheus:9090", "address: prometheus:9090",
                kP + "address: must start with http:// or https://, got 'prometheus:9090'"},
        Mistake{"AddressCredentials", "address: http://prometheus:9090",
                "address: http://u:hunter2@prometheus:9090",
                kP + "address: must not hold credentials (they would show in logs); use "
                     "basicAuth or bearerTokenFile"},
        Mistake{"HeaderEmpty", "X-Scope-OrgID: team-a", "X-Scope-OrgID: \"\"",
                kP + "headers: must map header names to non-empty plain values"},
        Mistake{"PlainPassword", "passwordFile: /etc/augur/password", "password: hunter2",
                "augur.yaml: providers[1].prometheus.basicAuth.password: passwords do not belong "
                "in configuration; use passwordFile"},
        Mistake{"TokenAndBasicAuth", "      bearerTokenFile: /var/run/secrets/token\n",
                "      bearerTokenFile: /var/run/secrets/token\n      basicAuth: {user: a, "
                "passwordFile: /p}\n",
                kP + "basicAuth: choose basicAuth or bearerTokenFile, not both"},
        Mistake{"CertWithoutKey", "        keyFile: /etc/augur/client-key.pem\n", "",
                kP + "tls.keyFile: is required with certFile"},
        Mistake{"InsecureWithCa", "        caFile: /etc/augur/ca.pem\n",
                "        caFile: /etc/augur/ca.pem\n        insecureSkipVerify: true\n",
                kP + "tls.insecureSkipVerify: contradicts caFile: choose one"},
        Mistake{"TimeoutZero", "timeout: 20s", "timeout: 0s",
                kP + "timeout: must be longer than 0, got '0s'"},
        Mistake{"SizeMalformed", "maxResponseBytes: 128MiB", "maxResponseBytes: 128MB",
                kP + "maxResponseBytes: must be a size such as 1048576, 512KiB, 64MiB or 1GiB, "
                     "got '128MB'"},
        Mistake{"ParallelZero", "maxParallel: 16", "maxParallel: 0",
                kP + "maxParallel: must be in [1, 256], got 0"},
        Mistake{"GzipNotBoolean", "gzip: true", "gzip: on",
                kP + "gzip: must be true or false, got 'on'"},
        Mistake{"TemplateDirEmpty", "  - ./templates\n", "  - \"\"\n",
                "augur.yaml: templates[1]: must be a directory path, got ''"},
        Mistake{"WindowMalformed", "maxWindow: 6h", "maxWindow: six hours",
                "augur.yaml: limits.maxWindow: must be a duration such as 30s, 5m or 1h30m, got "
                "'six hours'"},
        Mistake{"MaxMetricsZero", "maxMetrics: 50", "maxMetrics: 0",
                "augur.yaml: limits.maxMetrics: must be in [1, 100000], got 0"},
        Mistake{"AnalysisTimeoutZero", "analysisTimeout: 90s", "analysisTimeout: 0s",
                "augur.yaml: limits.analysisTimeout: must be longer than 0, got '0s'"},
        Mistake{"RequestBytesBelow1KiB", "maxRequestBytes: 8MiB", "maxRequestBytes: 1023",
                "augur.yaml: limits.maxRequestBytes: must be a size from 1KiB to 1GiB such as "
                "4194304 or 16MiB, got '1023'"},
        Mistake{"RequestBytesAbove1GiB", "maxRequestBytes: 8MiB", "maxRequestBytes: 1025MiB",
                "augur.yaml: limits.maxRequestBytes: must be a size from 1KiB to 1GiB such as "
                "4194304 or 16MiB, got '1025MiB'"},
        Mistake{"RequestBytesMalformed", "maxRequestBytes: 8MiB", "maxRequestBytes: 8MB",
                "augur.yaml: limits.maxRequestBytes: must be a size from 1KiB to 1GiB such as "
                "4194304 or 16MiB, got '8MB'"},
        Mistake{"RequestBytesNotAScalar", "maxRequestBytes: 8MiB", "maxRequestBytes: [8MiB]",
                "augur.yaml: limits.maxRequestBytes: must be a size from 1KiB to 1GiB such as "
                "4194304 or 16MiB, got a list"},
        Mistake{"GraceNegative", "shutdownGracePeriod: 10s", "shutdownGracePeriod: -10s",
                "augur.yaml: server.shutdownGracePeriod: must be a duration such as 30s, 5m or "
                "1h30m, got '-10s'"},
        Mistake{"ServerCertWithoutKey", "    keyFile: /etc/augur/server-key.pem\n", "",
                "augur.yaml: server.tls: certFile and keyFile go together"},
        Mistake{"ServerKeyWithoutCert", "    certFile: /etc/augur/server.pem\n", "",
                "augur.yaml: server.tls: certFile and keyFile go together"},
        Mistake{"ClientCaWithoutServerCert",
                "    certFile: /etc/augur/server.pem\n    keyFile: /etc/augur/server-key.pem\n", "",
                "augur.yaml: server.tls: clientCaFile (mTLS) needs the server's own certFile and "
                "keyFile"},
        Mistake{"ServerTlsUnknownKey", "clientCaFile:", "clientCAFile:",
                "augur.yaml: server.tls.clientCAFile: unknown field; did you mean "
                "'clientCaFile'?"},
        Mistake{"ListenWithoutPort", "httpListen: 0.0.0.0:7071", "httpListen: localhost",
                "augur.yaml: server.httpListen: must be HOST:PORT, got 'localhost'"}),
    [](const ::testing::TestParamInfo<Mistake>& param_info) { return param_info.param.name; });

TEST(AugurConfigTest, SecretsAreNeverEchoed) {
  for (const auto& lines :
       {Lines("address: http://prometheus:9090", "address: http://u:hunter2@prometheus:9090"),
        Lines("passwordFile: /etc/augur/password", "password: hunter2")}) {
    for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr("hunter2")));
  }
}

TEST(CheckFileTest, TellsConfigsFromTemplatesAndRefusesDirectories) {
  const FileCheck library = CheckFile(AUGUR_EXAMPLES_DIR "/templates/istio.yaml");
  EXPECT_TRUE(library.ok) << library.diagnostics.Format("istio.yaml");
  EXPECT_EQ(library.kind, "AnalysisTemplate");
  const FileCheck directory = CheckFile(AUGUR_EXAMPLES_DIR "/templates");
  EXPECT_FALSE(directory.ok);
  EXPECT_THAT(directory.diagnostics.Format("templates"), HasSubstr("templates: is a directory"));
  const FileCheck missing = CheckFile("/nonexistent.yaml");
  EXPECT_FALSE(missing.ok);
  EXPECT_THAT(missing.diagnostics.Format("/nonexistent.yaml"), HasSubstr("cannot read"));
}

TEST(ParseByteSizeTextTest, ReadsBinaryUnits) {
  EXPECT_EQ(ParseByteSizeText("1048576"), 1048576);
  EXPECT_EQ(ParseByteSizeText("512KiB"), 512 * 1024);
  EXPECT_EQ(ParseByteSizeText("64MiB"), int64_t{64} << 20);
  EXPECT_EQ(ParseByteSizeText("1GiB"), int64_t{1} << 30);
  for (const char* bad : {"", "0", "-1", "64MB", "1.5MiB", "MiB", "99999999999GiB"}) {
    EXPECT_FALSE(ParseByteSizeText(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace augur::config
