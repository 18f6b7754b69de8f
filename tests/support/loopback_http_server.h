// LoopbackHttpServer: a small HTTP/1.1 server on 127.0.0.1 that answers as a test tells it to,
// including the ways real backends and proxies fail: stalling, cutting a body short, closing
// the connection. It records what clients sent (headers included) so tests can check them.
#ifndef AUGUR_TESTS_SUPPORT_LOOPBACK_HTTP_SERVER_H_
#define AUGUR_TESTS_SUPPORT_LOOPBACK_HTTP_SERVER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace augur::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct CannedResponse {
  enum class Action {
    kRespond,  // send `raw` (a whole HTTP response, or any bytes), then keep the connection
    kClose,    // send `raw` (may be empty), then close the connection
    kStall,    // read the request, never answer, hold the connection until Stop()
  };
  Action action = Action::kRespond;
  std::string raw;
};

// An HTTP response with the given status and body, Content-Length set.
CannedResponse HttpAnswer(int status, const std::string& body,
                          const std::string& content_type = "application/json");

class LoopbackHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  // Listens on 127.0.0.1 at a kernel-chosen port; each request is answered by `handler`, which
  // may be called from several threads.
  static absl::StatusOr<std::unique_ptr<LoopbackHttpServer>> Start(Handler handler);
  ~LoopbackHttpServer();  // Stop()

  int port() const { return port_; }
  std::string url() const;
  std::vector<RecordedRequest> requests();
  int connections_accepted();
  void Stop();

 private:
  LoopbackHttpServer(int listen_fd, int port, Handler handler);
  void AcceptLoop();
  void Serve(int fd);

  const int listen_fd_;
  const int port_;
  const Handler handler_;
  std::mutex mu_;
  std::condition_variable stopped_cv_;
  bool stopping_ = false;                  // guarded by mu_
  std::vector<int> connections_;           // guarded by mu_
  std::vector<RecordedRequest> requests_;  // guarded by mu_
  int connections_accepted_ = 0;           // guarded by mu_
  std::vector<std::thread> threads_;       // guarded by mu_
  std::thread acceptor_;
};

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SUPPORT_LOOPBACK_HTTP_SERVER_H_
