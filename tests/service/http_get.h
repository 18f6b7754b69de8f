// A few lines of raw HTTP/1.1 over a loopback socket, for the tests of augur's HTTP listener. Not
// a general client: one request per connection, which the server closes after its response. It
// sees the response byte for byte (a leaked exception text would show up in a header, too).
#ifndef AUGUR_TESTS_SERVICE_HTTP_GET_H_
#define AUGUR_TESTS_SERVICE_HTTP_GET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace augur::testing {

struct RawHttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string raw;
};

// Connects to 127.0.0.1:`port` (or ::1), sends `request` as is and reads until the server
// closes the connection (requests say "Connection: close"). DeadlineExceeded if the server sends
// nothing for 10 s.
inline absl::StatusOr<RawHttpResponse> HttpExchange(int port, const std::string& request,
                                                    bool ipv6 = false) {
  const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  // A server that never answers fails the test instead of hanging it.
  timeval timeout{};
  timeout.tv_sec = 10;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int connected = -1;
  if (ipv6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    address.sin6_port = htons(static_cast<uint16_t>(port));
    connected = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    connected = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  }
  if (connected != 0) {
    const absl::Status status = absl::UnavailableError(std::strerror(errno));
    close(fd);
    return status;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) before it has read everything
    sent += static_cast<size_t>(n);
  }
  RawHttpResponse response;
  char buffer[4096];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) {
      const absl::Status status = absl::DeadlineExceededError(std::strerror(errno));
      close(fd);
      return status;
    }
    if (n == 0) break;
    response.raw.append(buffer, static_cast<size_t>(n));
  }
  close(fd);

  const size_t head_end = response.raw.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return absl::DataLossError(absl::StrCat("no complete response head: ", response.raw));
  }
  const std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(response.raw).substr(0, head_end), "\r\n");
  const std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &response.status)) {
    return absl::DataLossError(absl::StrCat("bad status line: ", lines[0]));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == absl::string_view::npos) continue;
    response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  response.body = response.raw.substr(head_end + 4);
  return response;
}

// GET `target` ("/metrics", "/search?q=x") from 127.0.0.1:`port`.
inline absl::StatusOr<RawHttpResponse> HttpGet(int port, absl::string_view target) {
  return HttpExchange(
      port,
      absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
}

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SERVICE_HTTP_GET_H_
