// HttpServer over real loopback sockets, with the raw HTTP/1.1 client of http_get.h: it sees the
// response byte for byte (a leaked exception text would show up in a header, too).
#include "service/http_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/http_get.h"

namespace augur::service {
namespace {

using ::augur::testing::HttpExchange;
using ::augur::testing::RawHttpResponse;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Request(absl::string_view method, absl::string_view target,
                    absl::string_view extra_headers = "", absl::string_view body = "") {
  std::string request = absl::StrCat(
      method, " ", target, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", extra_headers);
  if (!body.empty() || method == "POST") {
    absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&request, "\r\n", body);
  return request;
}

HttpResponse Text(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

TEST(HttpServerTest, GetRouteAnswersWithBodyStatusAndContentType) {
  HttpServer server;
  server.Handle("GET", "/healthz", [](const HttpRequest&) { return Text("ok\n"); });
  server.Handle("GET", "/status", [](const HttpRequest&) {
    HttpResponse response;
    response.status = 202;
    response.content_type = "application/json";
    response.body = R"({"ready":true})";
    return response;
  });
  server.Handle("GET", "/readyz", [](const HttpRequest&) {
    HttpResponse response;
    response.status = 503;
    return response;
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_GT(*port, 0);

  absl::StatusOr<RawHttpResponse> health = HttpExchange(*port, Request("GET", "/healthz"));
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  EXPECT_EQ(health->headers["content-type"], "text/plain; charset=utf-8");

  absl::StatusOr<RawHttpResponse> status = HttpExchange(*port, Request("GET", "/status"));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->status, 202);
  EXPECT_EQ(status->body, R"({"ready":true})");
  EXPECT_EQ(status->headers["content-type"], "application/json");

  // An error status from a handler goes out as the handler wrote it, empty body included.
  absl::StatusOr<RawHttpResponse> ready = HttpExchange(*port, Request("GET", "/readyz"));
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->body, "");
}

TEST(HttpServerTest, PathParamsArriveByName) {
  HttpServer server;
  server.Handle("GET", "/canary/{namespace}/runs/{id}", [](const HttpRequest& request) {
    return Text(absl::StrCat(request.path_params.at("namespace"), "|", request.path_params.at("id"),
                             "|", request.path));
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> response =
      HttpExchange(*port, Request("GET", "/canary/prod/runs/r-17"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "prod|r-17|/canary/prod/runs/r-17");

  // A parameter is one whole, non-empty segment.
  for (const char* target : {"/canary/prod/runs/", "/canary/prod/runs/r-17/x", "/canary//runs/1"}) {
    absl::StatusOr<RawHttpResponse> miss = HttpExchange(*port, Request("GET", target));
    ASSERT_TRUE(miss.ok()) << miss.status();
    EXPECT_EQ(miss->status, 404) << target;
  }
}

TEST(HttpServerTest, LiteralSegmentWinsOverParameter) {
  HttpServer server;
  server.Handle("GET", "/runs/{id}", [](const HttpRequest&) { return Text("by id"); });
  server.Handle("GET", "/runs/latest", [](const HttpRequest&) { return Text("latest"); });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> latest = HttpExchange(*port, Request("GET", "/runs/latest"));
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->body, "latest");
  absl::StatusOr<RawHttpResponse> by_id = HttpExchange(*port, Request("GET", "/runs/r-1"));
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->body, "by id");
}

TEST(HttpServerTest, UnknownPathIs404) {
  HttpServer server;
  server.Handle("GET", "/healthz", [](const HttpRequest&) { return Text("ok\n"); });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  for (const char* target : {"/nope", "/healthz/", "/", "/healthz/extra"}) {
    absl::StatusOr<RawHttpResponse> response = HttpExchange(*port, Request("GET", target));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 404) << target;
  }
}

TEST(HttpServerTest, WrongMethodIs405WithAllowHeader) {
  HttpServer server;
  bool called = false;
  server.Handle("GET", "/metrics", [&called](const HttpRequest&) {
    called = true;
    return Text("");
  });
  server.Handle("POST", "/metrics", [&called](const HttpRequest&) {
    called = true;
    return Text("");
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> response = HttpExchange(*port, Request("DELETE", "/metrics"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->headers["allow"], "GET, HEAD, POST");
  server.Stop();
  EXPECT_FALSE(called);
}

TEST(HttpServerTest, BodyOverLimitIs413AndNeverReachesTheHandler) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  HttpServer server(options);
  int calls = 0;
  server.Handle("POST", "/echo", [&calls](const HttpRequest& request) {
    ++calls;
    return Text(absl::StrCat(request.body.size()));
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> small =
      HttpExchange(*port, Request("POST", "/echo", "", std::string(1024, 'x')));
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->status, 200);
  EXPECT_EQ(small->body, "1024");

  absl::StatusOr<RawHttpResponse> big =
      HttpExchange(*port, Request("POST", "/echo", "", std::string(4096, 'x')));
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->body, "payload too large\n");
  server.Stop();
  EXPECT_EQ(calls, 1);
}

TEST(HttpServerTest, ThrowingHandlerIs500WithoutTheExceptionText) {
  HttpServer server;
  server.Handle("GET", "/boom", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret-db-password-in-message");
  });
  server.Handle("GET", "/boom-int", [](const HttpRequest&) -> HttpResponse { throw 42; });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  for (const char* target : {"/boom", "/boom-int"}) {
    absl::StatusOr<RawHttpResponse> response = HttpExchange(*port, Request("GET", target));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 500) << target;
    EXPECT_THAT(response->raw, Not(HasSubstr("secret")));
    EXPECT_THAT(response->raw, Not(HasSubstr("EXCEPTION_WHAT")));
    EXPECT_EQ(response->body, "internal server error\n");
  }
  // The server goes on serving.
  absl::StatusOr<RawHttpResponse> again = HttpExchange(*port, Request("GET", "/boom"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, 500);
}

TEST(HttpServerTest, QueryParametersAreDecodedAndKeptOutOfThePath) {
  HttpServer server;
  HttpRequest seen;
  server.Handle("GET", "/search", [&seen](const HttpRequest& request) {
    seen = request;
    return Text("");
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> response =
      HttpExchange(*port, Request("GET", "/search?q=rate%28x%5B5m%5D%29&name=a+b&empty="));
  ASSERT_TRUE(response.ok()) << response.status();
  server.Stop();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/search");
  EXPECT_EQ(seen.query, (std::map<std::string, std::string>{
                            {"q", "rate(x[5m])"}, {"name", "a b"}, {"empty", ""}}));
}

TEST(HttpServerTest, HeaderNamesAreLowerCasedAndBodyArrives) {
  HttpServer server;
  HttpRequest seen;
  server.Handle("PUT", "/thing", [&seen](const HttpRequest& request) {
    seen = request;
    return Text("");
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> response = HttpExchange(
      *port, Request("PUT", "/thing", "X-Request-ID: Abc-1\r\nAUTHORIZATION: Bearer T\r\n", "hi"));
  ASSERT_TRUE(response.ok()) << response.status();
  server.Stop();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, "hi");
  EXPECT_EQ(seen.headers["x-request-id"], "Abc-1");  // values keep their case
  EXPECT_EQ(seen.headers["authorization"], "Bearer T");
  for (const auto& [name, value] : seen.headers) {
    EXPECT_EQ(name, absl::AsciiStrToLower(name)) << name;
  }
}

TEST(HttpServerTest, StopIsIdempotentAndClosesTheListener) {
  HttpServer server;
  server.Handle("GET", "/healthz", [](const HttpRequest&) { return Text("ok\n"); });
  server.Stop();  // before Start: nothing to stop
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();
  absl::StatusOr<RawHttpResponse> before = HttpExchange(*port, Request("GET", "/healthz"));
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->status, 200);

  server.Stop();
  server.Stop();
  EXPECT_FALSE(HttpExchange(*port, Request("GET", "/healthz")).ok());
}

TEST(HttpServerTest, StopRightAfterStartReturns) {
  // civetweb's accept thread may not have begun to poll yet; Stop must not wait out its poll.
  for (int i = 0; i < 20; ++i) {
    HttpServer server;
    ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
    server.Stop();
  }
}

TEST(HttpServerTest, StopLetsTheRequestInProgressFinish) {
  HttpServer server;
  absl::Notification entered;
  absl::Notification release;
  server.Handle("GET", "/slow", [&](const HttpRequest&) {
    entered.Notify();
    release.WaitForNotification();
    return Text("done");
  });
  const absl::StatusOr<int> port = server.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  absl::StatusOr<RawHttpResponse> response;
  std::thread client([&] { response = HttpExchange(*port, Request("GET", "/slow")); });
  entered.WaitForNotification();
  std::thread stopper([&] { server.Stop(); });
  release.Notify();
  stopper.join();
  client.join();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done");
}

TEST(HttpServerTest, SecondServerOnTheSamePortIsUnavailable) {
  HttpServer first;
  const absl::StatusOr<int> port = first.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  HttpServer second;
  const std::string listen = absl::StrCat("127.0.0.1:", *port);
  const absl::StatusOr<int> again = second.Start(listen);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(again.status().message(), HasSubstr(listen));
  EXPECT_THAT(again.status().message(), HasSubstr(std::strerror(EADDRINUSE)));
}

TEST(HttpServerTest, AddressNotOnThisHostIsUnavailable) {
  HttpServer server;
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
  const absl::StatusOr<int> port = server.Start("192.0.2.1:0");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(port.status().message(), HasSubstr("192.0.2.1:0"));
}

TEST(HttpServerTest, MalformedListenIsInvalidArgumentNamingIt) {
  for (const char* listen :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:+80", ":8080", "[::1", "[::1]8080", "[]:80", "::1:8080", "localhost:123456"}) {
    HttpServer server;
    const absl::StatusOr<int> port = server.Start(listen);
    ASSERT_FALSE(port.ok()) << listen;
    EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument) << listen;
    EXPECT_THAT(port.status().message(), HasSubstr(absl::StrCat("\"", listen, "\"")));
  }
}

TEST(HttpServerTest, ListensOnIpv6Loopback) {
  {
    // Only the environment can make this test meaningless: check that ::1 exists at all.
    const int fd = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    const bool has_ipv6 =
        fd >= 0 && bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    if (fd >= 0) close(fd);
    if (!has_ipv6) GTEST_SKIP() << "no IPv6 loopback here";
  }
  HttpServer server;
  server.Handle("GET", "/healthz", [](const HttpRequest&) { return Text("ok6"); });
  const absl::StatusOr<int> port = server.Start("[::1]:0");
  ASSERT_TRUE(port.ok()) << port.status();
  absl::StatusOr<RawHttpResponse> response = HttpExchange(*port, Request("GET", "/healthz"), true);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "ok6");
}

}  // namespace
}  // namespace augur::service
