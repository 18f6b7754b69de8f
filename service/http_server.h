// HttpServer: the plain-HTTP listener of `augur serve` (--http-listen): /healthz (liveness),
// /readyz (readiness), /metrics, and room for the controller adapters (Argo Rollouts, Flagger),
// which register further routes. Built on civetweb (Debian's libcivetweb1): plain C, libc only,
// and idle until started, so the other commands pay nothing for it at start-up (cpp-httplib's
// shared library initialised OpenSSL in every process). A thread per connection, without
// keep-alive, suits a handful of probes and controller calls a second. augur binds the socket
// itself (Debian builds civetweb without IPv6, and its bind errors carry no reason) and swaps it
// for civetweb's placeholder listener before civetweb's threads start (http_server.cc).
#ifndef AUGUR_SERVICE_HTTP_SERVER_H_
#define AUGUR_SERVICE_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace augur::service {

struct HttpRequest {
  std::string method;                              // GET, POST, ...
  std::string path;                                // without the query string
  std::map<std::string, std::string> query;        // decoded query parameters
  std::map<std::string, std::string> headers;      // names lower-cased
  std::map<std::string, std::string> path_params;  // {name} segments of the route
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  int threads = 4;                            // handler threads
  int64_t max_body_bytes = int64_t{4} << 20;  // larger requests get 413
  int read_timeout_seconds = 10;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes: an exact path, or one with {name} segments ("/canary/{id}") whose values arrive in
  // path_params. A path without a route is 404 and a known path with another method is 405 (with
  // an Allow header); a handler that throws is 500 without the exception's text. Register before
  // Start.
  void Handle(const std::string& method, const std::string& route, HttpHandler handler);

  // Binds "HOST:PORT" (port 0: any free port) and serves on background threads. Returns the
  // bound port. InvalidArgument for a malformed address, Unavailable if it cannot bind (the
  // message names the address and the reason).
  absl::StatusOr<int> Start(const std::string& listen);

  // Stops accepting and waits for handlers in progress. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::service

#endif  // AUGUR_SERVICE_HTTP_SERVER_H_
