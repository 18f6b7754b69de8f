// HttpTransport: the seam between PrometheusProvider and the network, so the retry and error
// logic can be tested with a scripted transport. CurlTransport is the real one.
#ifndef AUGUR_PROVIDERS_PROMETHEUS_HTTP_TRANSPORT_H_
#define AUGUR_PROVIDERS_PROMETHEUS_HTTP_TRANSPORT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace augur::providers {

struct HttpRequest {
  std::string url;
  std::string form_body;             // sent as application/x-www-form-urlencoded
  std::vector<std::string> headers;  // "Name: value"; values may be secrets, never log them
  // This request's time limit, connect to last byte. A transport applies the shorter of this
  // and its own timeout, so a caller can clip a request to its deadline.
  absl::Duration timeout = absl::InfiniteDuration();
  // When set, polled on the calling thread while the request runs; once it returns true the
  // transfer is abandoned (the connection is dropped) and Post returns Cancelled.
  std::function<bool()> cancelled;
};

struct HttpResponse {
  int status = 0;
  std::string body;  // decoded (gzip is undone)
};

// Any HTTP status is a response, not an error. Errors:
//   Unavailable         no connection, connection reset, empty or cut-off reply;
//   DeadlineExceeded    the timeout passed (the transport's or the request's, the shorter);
//   Cancelled           request.cancelled returned true before the answer was complete;
//   ResourceExhausted   the body exceeded the size limit;
//   FailedPrecondition  TLS failed: bad certificate files, verification failed;
//   InvalidArgument     the URL cannot be used.
// Thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual absl::StatusOr<HttpResponse> Post(const HttpRequest& request) = 0;
};

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_HTTP_TRANSPORT_H_
