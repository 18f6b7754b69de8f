#include "service/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace augur::service {
namespace {

constexpr char kInternalErrorBody[] = "internal server error\n";

struct ListenAddress {
  std::string host;
  int port = 0;
};

absl::StatusOr<ListenAddress> ParseListen(absl::string_view listen) {
  const auto invalid = [listen](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid listen address \"", listen, "\": ", why,
                                                   " (want HOST:PORT or [IPV6]:PORT)"));
  };
  absl::string_view host;
  absl::string_view port;
  absl::string_view rest = listen;
  if (absl::ConsumePrefix(&rest, "[")) {
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return invalid("no closing ']'");
    host = rest.substr(0, close);
    rest.remove_prefix(close + 1);
    if (!absl::ConsumePrefix(&rest, ":")) return invalid("no :PORT");
    port = rest;
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == absl::string_view::npos) return invalid("no :PORT");
    host = rest.substr(0, colon);
    if (absl::StrContains(host, ':')) return invalid("an IPv6 host goes in brackets");
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return invalid("empty host");
  int port_number = 0;
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(port, &port_number) || port_number > 65535) {
    return invalid("the port must be a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), port_number};
}

// A route split at '/'; a segment "{name}" matches any one non-empty path segment.
struct Route {
  std::string pattern;
  std::vector<std::string> segments;
  std::map<std::string, HttpHandler> handlers;  // by method
};

bool IsParam(absl::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path_segments` match `route`, and how many of the route's segments are literal: a
// literal segment is more specific, so "/runs/latest" wins over "/runs/{id}".
bool Matches(const Route& route, const std::vector<absl::string_view>& path_segments,
             int* literal_segments) {
  if (route.segments.size() != path_segments.size()) return false;
  int literals = 0;
  for (size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& segment = route.segments[i];
    if (IsParam(segment)) {
      if (path_segments[i].empty()) return false;
    } else if (segment != path_segments[i]) {
      return false;
    } else {
      ++literals;
    }
  }
  *literal_segments = literals;
  return true;
}

HttpRequest ToHttpRequest(const httplib::Request& req) {
  HttpRequest request;
  request.method = req.method;
  request.path = req.path;
  // Repeated parameters keep their first value; none of augur's routes takes a list.
  for (const auto& [name, value] : req.params) request.query.emplace(name, value);
  // Repeated headers are joined with ", ", which is what HTTP says they mean (RFC 9110 5.3).
  for (const auto& [name, value] : req.headers) {
    const auto [it, inserted] = request.headers.emplace(absl::AsciiStrToLower(name), value);
    if (!inserted) absl::StrAppend(&it->second, ", ", value);
  }
  request.body = req.body;
  return request;
}

// The errors httplib answers itself, before any handler runs; empty for the others.
absl::string_view HttplibErrorText(int status) {
  switch (status) {
    case 400:
      return "bad request\n";
    case 413:
      return "payload too large\n";
    case 414:
      return "uri too long\n";
    case 416:
      return "range not satisfiable\n";
    default:
      return "";
  }
}

void SetPlain(httplib::Response& res, int status, absl::string_view body) {
  res.status = status;
  res.set_content(std::string(body), "text/plain; charset=utf-8");
}

// Every request comes here, so 404 and 405 are decided against augur's own routes.
void Dispatch(const std::vector<Route>& routes, const httplib::Request& req,
              httplib::Response& res) {
  const std::vector<absl::string_view> path_segments = absl::StrSplit(req.path, '/');
  const Route* best = nullptr;
  int best_literals = -1;
  for (const Route& route : routes) {
    int literals = 0;
    if (Matches(route, path_segments, &literals) && literals > best_literals) {
      best = &route;
      best_literals = literals;
    }
  }
  if (best == nullptr) {
    SetPlain(res, 404, "not found\n");
    return;
  }
  auto handler = best->handlers.find(req.method);
  // httplib answers HEAD through the GET handler and drops the body itself.
  if (handler == best->handlers.end() && req.method == "HEAD") handler = best->handlers.find("GET");
  if (handler == best->handlers.end()) {
    std::set<std::string> allowed;
    for (const auto& [method, unused] : best->handlers) allowed.insert(method);
    if (allowed.count("GET") > 0) allowed.insert("HEAD");
    res.set_header("Allow", absl::StrJoin(allowed, ", "));
    SetPlain(res, 405, "method not allowed\n");
    return;
  }

  HttpRequest request = ToHttpRequest(req);
  for (size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (IsParam(segment)) {
      request.path_params.emplace(segment.substr(1, segment.size() - 2),
                                  std::string(path_segments[i]));
    }
  }
  HttpResponse response;
  try {
    response = handler->second(request);
  } catch (...) {
    // The exception's text may carry internals (paths, queries, addresses) that a caller of the
    // listener has no business seeing.
    SetPlain(res, 500, kInternalErrorBody);
    return;
  }
  res.status = response.status;
  res.set_content(std::move(response.body), response.content_type);
}

// httplib's default sets SO_REUSEPORT, which lets a second server bind a port that is already
// serving and silently split its connections; SO_REUSEADDR alone still allows a quick restart
// while a bound port stays an error.
void ReuseAddressOnly(socket_t sock) {
  const int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(HttpServerOptions server_options) : options(std::move(server_options)) {}

  const HttpServerOptions options;
  // Handle() before Start() only: handler threads read the routes without a lock.
  std::vector<Route> routes;
  httplib::Server server;
  std::mutex mu;  // serializes Start and Stop
  bool started = false;
  bool stopped = false;
  std::atomic<bool> loop_returned{false};
  std::thread thread;
};

HttpServer::HttpServer(HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& method, const std::string& route, HttpHandler handler) {
  for (Route& existing : impl_->routes) {
    if (existing.pattern == route) {
      existing.handlers[method] = std::move(handler);
      return;
    }
  }
  Route& added = impl_->routes.emplace_back();
  added.pattern = route;
  added.segments = absl::StrSplit(route, '/');
  added.handlers[method] = std::move(handler);
}

absl::StatusOr<int> HttpServer::Start(const std::string& listen) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return absl::FailedPreconditionError("HTTP server already started");
  const absl::StatusOr<ListenAddress> address = ParseListen(listen);
  if (!address.ok()) return address.status();

  httplib::Server& server = impl_->server;
  const int threads = std::max(1, impl_->options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(
      static_cast<size_t>(std::max<int64_t>(0, impl_->options.max_body_bytes)));
  server.set_read_timeout(impl_->options.read_timeout_seconds, 0);
  server.set_socket_options(ReuseAddressOnly);
  const auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(impl_->routes, req, res);
  };
  // One catch-all per method httplib knows; [\s\S] because '.' stops at a decoded newline.
  const std::string any = R"([\s\S]*)";
  server.Get(any, dispatch);
  server.Post(any, dispatch);
  server.Put(any, dispatch);
  server.Patch(any, dispatch);
  server.Delete(any, dispatch);
  server.Options(any, dispatch);
  // Dispatch catches what handlers throw; this covers the rest (say, bad_alloc building the
  // request) so httplib does not put what() into a response header, as it does by default.
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { SetPlain(res, 500, kInternalErrorBody); });
  // httplib's own errors (413 and the like) come without a body; give them a short one. This
  // hook sees every status >= 400, so anything a handler wrote is left alone.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        const absl::string_view text = HttplibErrorText(res.status);
        if (!res.body.empty() || text.empty()) return httplib::Server::HandlerResponse::Unhandled;
        SetPlain(res, res.status, text);
        return httplib::Server::HandlerResponse::Handled;
      }));

  errno = 0;
  int port = address->port;
  bool bound = false;
  if (port == 0) {
    port = server.bind_to_any_port(address->host);
    bound = port > 0;
  } else {
    bound = server.bind_to_port(address->host, port);
  }
  if (!bound) {
    const int error = errno;
    std::string message = absl::StrCat("cannot listen on ", listen);
    if (error != 0) absl::StrAppend(&message, ": ", std::strerror(error));
    return absl::UnavailableError(message);
  }

  impl_->started = true;
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->server.listen_after_bind();
    impl->loop_returned = true;
  });
  // httplib's stop() does nothing until the accept loop has marked itself running, so a Stop()
  // right after Start() could leave the loop waiting forever; wait for that mark (it comes at
  // once: the socket is already bound and listening).
  while (!server.is_running() && !impl_->loop_returned) std::this_thread::yield();
  return port;
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  // The accept loop returns, then joins its pool, which finishes the requests in progress.
  impl_->thread.join();
}

}  // namespace augur::service
