#include "tests/support/loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace augur::testing {

CannedResponse HttpAnswer(int status, const std::string& body, const std::string& content_type) {
  CannedResponse response;
  response.raw = absl::StrCat("HTTP/1.1 ", status, " Test\r\nContent-Type: ", content_type,
                              "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  return response;
}

absl::StatusOr<std::unique_ptr<LoopbackHttpServer>> LoopbackHttpServer::Start(Handler handler) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 64) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const absl::Status status = absl::InternalError(std::strerror(errno));
    close(fd);
    return status;
  }
  return std::unique_ptr<LoopbackHttpServer>(
      new LoopbackHttpServer(fd, ntohs(address.sin_port), std::move(handler)));
}

LoopbackHttpServer::LoopbackHttpServer(int listen_fd, int port, Handler handler)
    : listen_fd_(listen_fd), port_(port), handler_(std::move(handler)) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  Stop();
  close(listen_fd_);
}

std::string LoopbackHttpServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

std::vector<RecordedRequest> LoopbackHttpServer::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int LoopbackHttpServer::connections_accepted() {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_accepted_;
}

void LoopbackHttpServer::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);
  }
  stopped_cv_.notify_all();
  shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

void LoopbackHttpServer::AcceptLoop() {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::lock_guard<std::mutex> lock(mu_);
    if (fd < 0) {
      if (stopping_ || (errno != EINTR && errno != ECONNABORTED)) return;
      continue;
    }
    if (stopping_) {
      close(fd);
      return;
    }
    connections_.push_back(fd);
    ++connections_accepted_;
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LoopbackHttpServer::Serve(int fd) {
  std::string buffer;
  char chunk[65536];
  bool open = true;
  while (open) {
    // Read one request: headers, then Content-Length bytes of body.
    size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
    }
    if (!open) break;
    RecordedRequest request;
    std::vector<std::string> lines = absl::StrSplit(buffer.substr(0, header_end), "\r\n");
    std::vector<std::string> request_line = absl::StrSplit(lines[0], ' ');
    request.method = request_line[0];
    if (request_line.size() > 1) request.path = request_line[1];
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      std::string name = absl::AsciiStrToLower(lines[i].substr(0, colon));
      std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
      if (name == "content-length") (void)absl::SimpleAtoi(value, &content_length);
      request.headers[name] = value;
    }
    buffer.erase(0, header_end + 4);
    while (buffer.size() < content_length) {
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
    }
    if (!open) break;
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    const CannedResponse response = handler_(request);
    if (response.action == CannedResponse::Action::kStall) {
      std::unique_lock<std::mutex> lock(mu_);
      stopped_cv_.wait(lock, [this] { return stopping_; });
      break;
    }
    size_t sent = 0;
    while (sent < response.raw.size()) {
      const ssize_t n =
          send(fd, response.raw.data() + sent, response.raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    if (response.action == CannedResponse::Action::kClose) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(std::remove(connections_.begin(), connections_.end(), fd), connections_.end());
  close(fd);
}

}  // namespace augur::testing
