// TLS and mTLS on the gRPC listener (server.tls): a real Server on 127.0.0.1 and real clients,
// with certificates made by openssl for the test (a CA, a server certificate for 127.0.0.1 and
// localhost, a client certificate; a second CA with its own client certificate), and the errors
// Start gives for missing or unusable certificate files.
#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "augur/v1/analysis.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/server.h"
#include "tests/service/fake_providers.h"
#include "tests/support/process.h"

namespace augur::service {
namespace {

using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  // One directory of PEM files for the whole suite.
  static void SetUpTestSuite() {
    auto dir = augur::testing::MakeTempDir("augur-grpc-tls-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = new std::string(*dir);
    const std::string d = *dir;
    ASSERT_TRUE(augur::testing::WriteFile(d + "/server.ext",
                                          "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                          "extendedKeyUsage=serverAuth\n")
                    .ok());
    ASSERT_TRUE(augur::testing::WriteFile(d + "/client.ext", "extendedKeyUsage=clientAuth\n").ok());
    ASSERT_TRUE(augur::testing::WriteFile(d + "/garbage.pem", "this is not a PEM file\n").ok());
    std::vector<std::vector<std::string>> commands;
    const auto make_ca = [&](const std::string& name) {
      commands.push_back({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                          d + "/" + name + ".key", "-out", d + "/" + name + ".crt", "-days", "2",
                          "-subj", "/CN=augur test " + name});
    };
    const auto make_leaf = [&](const std::string& name, const std::string& ca,
                               const std::string& ext, const std::string& cn) {
      commands.push_back({"openssl", "req", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                          d + "/" + name + ".key", "-out", d + "/" + name + ".csr", "-subj",
                          "/CN=" + cn});
      commands.push_back({"openssl", "x509", "-req", "-in", d + "/" + name + ".csr", "-CA",
                          d + "/" + ca + ".crt", "-CAkey", d + "/" + ca + ".key", "-CAcreateserial",
                          "-out", d + "/" + name + ".crt", "-days", "2", "-extfile",
                          d + "/" + ext});
    };
    make_ca("ca");
    make_ca("other-ca");
    make_leaf("server", "ca", "server.ext", "127.0.0.1");
    make_leaf("client", "ca", "client.ext", "augur-client");
    make_leaf("other-client", "other-ca", "client.ext", "augur-client");
    for (const auto& command : commands) {
      auto run = augur::testing::RunCommand(command);
      ASSERT_TRUE(run.ok()) << run.status();
      ASSERT_EQ(run->exit_code, 0) << absl::StrJoin(command, " ") << ": " << run->err;
    }
    certificates_made_ = true;
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) augur::testing::RemoveTree(*dir_);
    delete dir_;
    dir_ = nullptr;
    certificates_made_ = false;
  }

  void SetUp() override {
    ASSERT_TRUE(certificates_made_) << "the test certificates were not made";
  }

  static std::string Path(const std::string& file) { return *dir_ + "/" + file; }

  static std::string Pem(const std::string& file) {
    auto text = augur::testing::ReadFile(Path(file));
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  }

  // A server whose gRPC listener uses these files (paths as given; empty: not set).
  absl::StatusOr<std::unique_ptr<Server>> StartServer(const std::string& cert_file,
                                                      const std::string& key_file,
                                                      const std::string& client_ca_file = "") {
    ServerOptions options;
    options.config.template_dirs = {AUGUR_SERVICE_TEMPLATES};
    options.config.server.grpc_listen = "127.0.0.1:0";
    options.config.server.http_listen = "127.0.0.1:0";
    options.config.server.tls_cert_file = cert_file;
    options.config.server.tls_key_file = key_file;
    options.config.server.tls_client_ca_file = client_ca_file;
    options.log = &log_;
    options.providers = std::make_unique<fakes::FakeProviderFactory>(&fetches_);
    return Server::Start(std::move(options));
  }

  absl::StatusOr<std::unique_ptr<Server>> StartTls() {
    return StartServer(Path("server.crt"), Path("server.key"));
  }
  absl::StatusOr<std::unique_ptr<Server>> StartMutualTls() {
    return StartServer(Path("server.crt"), Path("server.key"), Path("ca.crt"));
  }

  // TLS trusting `ca`, presenting `client`'s certificate when one is named.
  static std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& ca,
                                                       const std::string& client = "") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Pem(ca + ".crt");
    if (!client.empty()) {
      ssl.pem_cert_chain = Pem(client + ".crt");
      ssl.pem_private_key = Pem(client + ".key");
    }
    return grpc::SslCredentials(ssl);
  }

  // ListTemplates on 127.0.0.1:port with a 5 s deadline. The client checks the server's
  // certificate against `server_name` when given, else against the IP SAN. (Overriding the name
  // rather than dialling "localhost" keeps gRPC's c-ares resolver, which LeakSanitizer reports
  // leaking 10 bytes, out of the test.)
  static grpc::Status ListTemplates(int port,
                                    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                                    const std::string& server_name = "") {
    grpc::ChannelArguments args;
    if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), credentials, args);
    auto stub = v1::AnalysisService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::ListTemplatesResponse list;
    grpc::Status status = stub->ListTemplates(&context, {}, &list);
    if (status.ok() && (list.templates_size() != 1 || list.templates(0).name() != "svc-latency")) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "unexpected answer: " + list.DebugString());
    }
    return status;
  }

  static std::string* dir_;
  static bool certificates_made_;
  std::atomic<int> fetches_{0};
  std::ostringstream log_;
};

std::string* TlsTest::dir_ = nullptr;
bool TlsTest::certificates_made_ = false;

// gRPC codes print as numbers; say which code and why.
std::string Describe(const grpc::Status& status) {
  return absl::StrCat("code ", status.error_code(), ": ", status.error_message());
}

TEST_F(TlsTest, TlsServesClientsThatTrustItsCa) {
  auto server = StartTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status by_ip = ListTemplates((*server)->grpc_port(), Tls("ca"));
  EXPECT_TRUE(by_ip.ok()) << Describe(by_ip);
  const grpc::Status by_name = ListTemplates((*server)->grpc_port(), Tls("ca"), "localhost");
  EXPECT_TRUE(by_name.ok()) << Describe(by_name);
  // The client checks the name: a certificate from the right CA for another host is refused.
  const grpc::Status wrong_name =
      ListTemplates((*server)->grpc_port(), Tls("ca"), "augur.example.com");
  EXPECT_EQ(wrong_name.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(wrong_name);
  EXPECT_THAT(log_.str(), HasSubstr(absl::StrCat("(port ", (*server)->grpc_port(), ", TLS)")));
}

TEST_F(TlsTest, TlsRefusesPlaintextClients) {
  auto server = StartTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status plaintext =
      ListTemplates((*server)->grpc_port(), grpc::InsecureChannelCredentials());
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(plaintext);
  // The listener is still there for clients that speak TLS.
  const grpc::Status tls = ListTemplates((*server)->grpc_port(), Tls("ca"));
  EXPECT_TRUE(tls.ok()) << Describe(tls);
}

TEST_F(TlsTest, TlsClientTrustingAnotherCaIsRefused) {
  auto server = StartTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status status = ListTemplates((*server)->grpc_port(), Tls("other-ca"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
}

TEST_F(TlsTest, MutualTlsAcceptsAClientCertificateFromItsCa) {
  auto server = StartMutualTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status status = ListTemplates((*server)->grpc_port(), Tls("ca", "client"));
  EXPECT_TRUE(status.ok()) << Describe(status);
  EXPECT_THAT(log_.str(), HasSubstr(absl::StrCat("(port ", (*server)->grpc_port(), ", mTLS)")));
}

TEST_F(TlsTest, MutualTlsRefusesAClientWithoutACertificate) {
  auto server = StartMutualTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status status = ListTemplates((*server)->grpc_port(), Tls("ca"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
  const grpc::Status plaintext =
      ListTemplates((*server)->grpc_port(), grpc::InsecureChannelCredentials());
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(plaintext);
}

TEST_F(TlsTest, MutualTlsRefusesACertificateFromAnotherCa) {
  auto server = StartMutualTls();
  ASSERT_TRUE(server.ok()) << server.status();
  const grpc::Status status = ListTemplates((*server)->grpc_port(), Tls("ca", "other-client"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
  // The same server still takes the client its CA signed.
  const grpc::Status good = ListTemplates((*server)->grpc_port(), Tls("ca", "client"));
  EXPECT_TRUE(good.ok()) << Describe(good);
}

TEST_F(TlsTest, TlsMissingFileIsFailedPreconditionNamingIt) {
  struct Case {
    std::string field;
    std::string cert;
    std::string key;
    std::string client_ca;
  };
  const std::string nowhere = Path("does-not-exist.pem");
  const std::vector<Case> cases = {
      {"server.tls.certFile", nowhere, Path("server.key"), ""},
      {"server.tls.keyFile", Path("server.crt"), nowhere, ""},
      {"server.tls.clientCaFile", Path("server.crt"), Path("server.key"), nowhere},
  };
  for (const Case& c : cases) {
    auto server = StartServer(c.cert, c.key, c.client_ca);
    EXPECT_TRUE(absl::IsFailedPrecondition(server.status())) << c.field << ": " << server.status();
    EXPECT_THAT(server.status().message(), HasSubstr(c.field));
    EXPECT_THAT(server.status().message(), HasSubstr(absl::StrCat("'", nowhere, "'")));
  }
}

// gRPC reads the PEM files only when the listener is added, so Start (not the first handshake)
// is where unusable files fail. The error does not name server.tls today: gRPC only reports
// that the port could not be added, which Start words as a listen failure.
TEST_F(TlsTest, TlsUnusablePemFailsStart) {
  struct Case {
    const char* what;
    std::string cert;
    std::string key;
    std::string client_ca;
  };
  const std::vector<Case> cases = {
      {"garbage certificate", Path("garbage.pem"), Path("server.key"), ""},
      {"garbage key", Path("server.crt"), Path("garbage.pem"), ""},
      {"key of another certificate", Path("server.crt"), Path("client.key"), ""},
      {"garbage client CA", Path("server.crt"), Path("server.key"), Path("garbage.pem")},
  };
  for (const Case& c : cases) {
    auto server = StartServer(c.cert, c.key, c.client_ca);
    EXPECT_FALSE(server.ok()) << c.what << ": started, listening on port "
                              << (server.ok() ? (*server)->grpc_port() : 0);
  }
  // The good files start a server: what failed above was the files.
  auto good = StartServer(Path("server.crt"), Path("server.key"), Path("ca.crt"));
  EXPECT_TRUE(good.ok()) << good.status();
}

}  // namespace
}  // namespace augur::service
