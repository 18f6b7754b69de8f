#include "service/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace augur::service {
namespace {

constexpr char kInternalErrorBody[] = "internal server error\n";
constexpr char kPlainText[] = "text/plain; charset=utf-8";

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

// The listening socket, bound here rather than by civetweb: Debian builds civetweb without IPv6,
// and civetweb reports a failed bind only as "Failed to setup server ports". SO_REUSEADDR (a
// quick restart) but not SO_REUSEPORT, so a port another server holds is an error rather than a
// silent split of its connections. An IPv6 socket takes IPv4 too, so "[::]:PORT" is dual-stack.
absl::StatusOr<int> ListenOn(const ListenAddress& address, absl::string_view listen_spec) {
  const auto unavailable = [listen_spec](absl::string_view why) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen_spec, ": ", why));
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const int resolved =
      getaddrinfo(address.host.c_str(), absl::StrCat(address.port).c_str(), &hints, &addresses);
  if (resolved != 0) return unavailable(gai_strerror(resolved));
  int error = 0;
  int fd = -1;
  for (const addrinfo* candidate = addresses; candidate != nullptr && fd < 0;
       candidate = candidate->ai_next) {
    fd =
        socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int yes = 1;
    const int no = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (candidate->ai_family == AF_INET6) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
    }
    if (bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      error = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(addresses);
  if (fd < 0) return unavailable(error != 0 ? std::strerror(error) : "no address to bind");
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

// The descriptor of the socket civetweb listens on at 127.0.0.1:`port`, or -1. civetweb's API has
// no way to hand it a socket or to name its own, so this looks for the one listening socket of the
// process bound to that (ephemeral, hence unique) address.
int FindLoopbackListener(int port) {
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(fds)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(fds)) continue;
    sockaddr_in bound{};
    socklen_t length = sizeof(bound);
    int listening = 0;
    socklen_t listening_length = sizeof(listening);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0 ||
        bound.sin_family != AF_INET || ntohs(bound.sin_port) != port ||
        bound.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &listening_length) != 0 ||
        listening == 0) {
      continue;
    }
    found = fd;
    break;
  }
  closedir(fds);
  return found;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes of a query component, and '+' as a space; a malformed escape stays as it is.
std::string DecodeQueryComponent(absl::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      decoded.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

// Repeated parameters keep their first value; none of augur's routes takes a list.
std::map<std::string, std::string> ParseQuery(absl::string_view query) {
  std::map<std::string, std::string> parameters;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    parameters.emplace(DecodeQueryComponent(name_value.first),
                       DecodeQueryComponent(name_value.second));
  }
  return parameters;
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

// Writes a whole response in one piece. Every connection closes after its response (keep-alive
// is off, see Start), and says so.
void Send(mg_connection* conn, int status, absl::string_view content_type, absl::string_view body,
          absl::string_view extra_headers = "", bool head = false) {
  const char* reason = mg_get_response_code_text(conn, status);
  std::string response =
      absl::StrCat("HTTP/1.1 ", status, " ", reason != nullptr ? reason : "", "\r\n");
  if (!content_type.empty()) absl::StrAppend(&response, "Content-Type: ", content_type, "\r\n");
  absl::StrAppend(&response, "Content-Length: ", body.size(), "\r\n", extra_headers,
                  "Connection: close\r\n\r\n");
  if (!head) absl::StrAppend(&response, body);
  mg_write(conn, response.data(), response.size());
}

void SendPlain(mg_connection* conn, int status, absl::string_view body) {
  Send(conn, status, kPlainText, body);
}

// Reads the request body, at most `max_bytes` of it: false with a status (413, 400) if that
// cannot be done. A declared length over the limit is refused before reading any of it.
bool ReadBody(mg_connection* conn, int64_t max_bytes, std::string* body, int* error_status) {
  const long long declared = mg_get_request_info(conn)->content_length;
  if (declared > max_bytes) {
    *error_status = 413;
    return false;
  }
  if (declared >= 0) body->reserve(static_cast<size_t>(declared));
  // civetweb's mg_read does not answer "Expect: 100-continue" itself (only its own file and CGI
  // handlers do), and a client would wait for it before sending the body (curl: 1 s).
  const char* expect = mg_get_header(conn, "Expect");
  if (declared != 0 && expect != nullptr && absl::EqualsIgnoreCase(expect, "100-continue")) {
    constexpr absl::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    mg_write(conn, kContinue.data(), kContinue.size());
  }
  char buffer[8192];
  while (true) {
    const int n = mg_read(conn, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0) {
      *error_status = 400;
      return false;
    }
    body->append(buffer, static_cast<size_t>(n));
    if (static_cast<int64_t>(body->size()) > max_bytes) {  // chunked: no length to check first
      *error_status = 413;
      return false;
    }
  }
  if (declared >= 0 && static_cast<long long>(body->size()) != declared) {
    *error_status = 400;
    return false;
  }
  return true;
}

absl::string_view ErrorText(int status) {
  switch (status) {
    case 400:
      return "bad request\n";
    case 413:
      return "payload too large\n";
    default:
      return "";
  }
}

// Serves one request; returns its status (civetweb's access log wants it).
int Dispatch(const std::vector<Route>& routes, int64_t max_body_bytes, mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string method = info->request_method != nullptr ? info->request_method : "";
  // local_uri_raw: %-decoded like httplib's path, but not normalised ("//" is kept, so an
  // empty segment still matches no parameter).
  const std::string path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
  const std::vector<absl::string_view> path_segments = absl::StrSplit(path, '/');
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
    SendPlain(conn, 404, "not found\n");
    return 404;
  }
  const bool head = method == "HEAD";
  auto handler = best->handlers.find(method);
  // HEAD is GET without the body, as HTTP says (RFC 9110 9.3.2).
  if (handler == best->handlers.end() && head) handler = best->handlers.find("GET");
  if (handler == best->handlers.end()) {
    std::set<std::string> allowed;
    for (const auto& [name, unused] : best->handlers) allowed.insert(name);
    if (allowed.count("GET") > 0) allowed.insert("HEAD");
    Send(conn, 405, kPlainText, "method not allowed\n",
         absl::StrCat("Allow: ", absl::StrJoin(allowed, ", "), "\r\n"));
    return 405;
  }

  HttpRequest request;
  int error_status = 0;
  if (!ReadBody(conn, max_body_bytes, &request.body, &error_status)) {
    SendPlain(conn, error_status, ErrorText(error_status));
    return error_status;
  }
  request.method = method;
  request.path = path;
  if (info->query_string != nullptr) request.query = ParseQuery(info->query_string);
  // Repeated headers are joined with ", ", which is what HTTP says they mean (RFC 9110 5.3).
  for (int i = 0; i < info->num_headers; ++i) {
    const auto [it, inserted] = request.headers.emplace(
        absl::AsciiStrToLower(info->http_headers[i].name), info->http_headers[i].value);
    if (!inserted) absl::StrAppend(&it->second, ", ", info->http_headers[i].value);
  }
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
    SendPlain(conn, 500, kInternalErrorBody);
    return 500;
  }
  Send(conn, response.status, response.content_type, response.body, "", head);
  return response.status;
}

std::once_flag civetweb_initialized;

}  // namespace

struct HttpServer::Impl {
  explicit Impl(HttpServerOptions server_options) : options(std::move(server_options)) {}

  // civetweb's callbacks; the context's user data is this Impl.
  static Impl& Of(const mg_context* context) {
    return *static_cast<Impl*>(mg_get_user_data(context));
  }

  // Every request comes here, so 404 and 405 are decided against augur's own routes and civetweb
  // serves no files. Counts the requests in progress for Stop.
  static int BeginRequest(mg_connection* conn) {
    Impl& impl = Of(mg_get_context(conn));
    {
      absl::MutexLock lock(&impl.requests_mu);
      if (impl.draining) {
        SendPlain(conn, 503, "shutting down\n");
        return 503;
      }
      ++impl.requests_in_progress;
    }
    int status = 500;
    try {
      status = Dispatch(impl.routes, impl.options.max_body_bytes, conn);
    } catch (...) {
      // Dispatch catches what handlers throw; this covers the rest (say, bad_alloc building the
      // request), which must not unwind into civetweb's C.
      SendPlain(conn, 500, kInternalErrorBody);
    }
    absl::MutexLock lock(&impl.requests_mu);
    --impl.requests_in_progress;
    return status;
  }

  // The errors civetweb answers itself (a malformed request, headers over max_request_size): a
  // short text instead of its HTML-ish page.
  static int HttpError(mg_connection* conn, int status, const char* /*message*/) {
    const char* reason = mg_get_response_code_text(conn, status);
    SendPlain(conn, status,
              absl::StrCat(absl::AsciiStrToLower(reason != nullptr ? reason : ""), "\n"));
    return 0;
  }

  // Runs inside mg_start2 after civetweb has bound its placeholder listener and before any of its
  // threads runs: makes that descriptor refer to our socket, so civetweb accepts from it.
  static void InitContext(const mg_context* context) {
    Impl& impl = Of(context);
    mg_server_port port{};
    if (mg_get_server_ports(context, 1, &port) != 1) return;
    const int placeholder = FindLoopbackListener(port.port);
    if (placeholder >= 0 && dup3(impl.listen_fd, placeholder, O_CLOEXEC) == placeholder) {
      impl.adopted = true;
    }
  }

  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(requests_mu) { return requests_in_progress == 0; }

  const HttpServerOptions options;
  // Handle() before Start() only: handler threads read the routes without a lock.
  std::vector<Route> routes;
  mg_callbacks callbacks{};
  std::mutex mu;  // serializes Start and Stop
  bool started = false;
  bool stopped = false;
  mg_context* context = nullptr;
  int listen_fd = -1;    // our socket; civetweb holds a second descriptor of it
  bool adopted = false;  // civetweb listens on listen_fd

  absl::Mutex requests_mu;
  bool draining ABSL_GUARDED_BY(requests_mu) = false;
  int requests_in_progress ABSL_GUARDED_BY(requests_mu) = 0;
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
  const absl::StatusOr<int> fd = ListenOn(*address, listen);
  if (!fd.ok()) return fd.status();
  impl_->listen_fd = *fd;

  // Once per process, and only here: `augur analyze` never initialises civetweb. Without the TLS
  // feature bit civetweb loads no OpenSSL.
  std::call_once(civetweb_initialized, [] { mg_init_library(0); });
  const std::string threads = absl::StrCat(std::max(1, impl_->options.threads));
  const std::string timeout_ms =
      absl::StrCat(int64_t{std::max(1, impl_->options.read_timeout_seconds)} * 1000);
  // clang-format off
  const char* options[] = {
      // A placeholder that InitContext swaps for listen_fd; civetweb binds IPv4 only.
      "listening_ports", "127.0.0.1:0",
      "num_threads", threads.c_str(),
      "request_timeout_ms", timeout_ms.c_str(),
      // civetweb gives a connection a thread for as long as it is open: an idle keep-alive
      // connection would hold one of the few handler threads.
      "enable_keep_alive", "no",
      nullptr,
  };
  // clang-format on
  impl_->callbacks.begin_request = &Impl::BeginRequest;
  impl_->callbacks.http_error = &Impl::HttpError;
  impl_->callbacks.init_context = &Impl::InitContext;
  mg_init_data init{};
  init.callbacks = &impl_->callbacks;
  init.user_data = impl_.get();
  init.configuration_options = options;
  char error_text[256] = "";
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  impl_->adopted = false;
  impl_->context = mg_start2(&init, &error);
  if (impl_->context == nullptr || !impl_->adopted) {
    if (impl_->context != nullptr) mg_stop(impl_->context);
    impl_->context = nullptr;
    close(impl_->listen_fd);
    impl_->listen_fd = -1;
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, ": civetweb did not start: ",
                     error_text[0] != '\0' ? error_text : "its listening socket was not found"));
  }
  impl_->started = true;
  return BoundPort(impl_->listen_fd);
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  {
    // civetweb drops whatever a handler writes once mg_stop has begun, so the requests in
    // progress finish first; new ones get a 503 meanwhile.
    absl::MutexLock requests_lock(&impl_->requests_mu);
    impl_->draining = true;
    impl_->requests_mu.Await(absl::Condition(impl_.get(), &Impl::Idle));
  }
  // civetweb's accept thread polls in 2 s steps; a shut-down socket wakes it at once.
  shutdown(impl_->listen_fd, SHUT_RDWR);
  mg_stop(impl_->context);
  impl_->context = nullptr;
  close(impl_->listen_fd);
  impl_->listen_fd = -1;
}

}  // namespace augur::service
