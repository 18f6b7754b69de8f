// CurlTransport: HttpTransport over libcurl, with connection reuse and TLS.
#ifndef AUGUR_PROVIDERS_PROMETHEUS_CURL_TRANSPORT_H_
#define AUGUR_PROVIDERS_PROMETHEUS_CURL_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "providers/prometheus/http_transport.h"

namespace augur::providers {

struct TlsOptions {
  std::string ca_file;    // PEM bundle to verify the server with, instead of the system's
  std::string cert_file;  // client certificate (PEM) for mTLS; needs key_file
  std::string key_file;   // its private key (PEM)
  bool insecure_skip_verify = false;  // accept any server certificate and name
};

struct CurlTransportOptions {
  absl::Duration timeout = absl::Seconds(30);  // whole request, connect to last byte
  int64_t max_response_bytes = int64_t{64} << 20;
  // Ask for gzip answers. Saves bandwidth on slow links, but Prometheus spends about 7x longer
  // answering a large query compressed (bench/compare_prometheus.sh), so it is off by default.
  bool gzip = false;
  TlsOptions tls;
};

// Runs libcurl's global initialisation (about 0.6 ms, nearly all of it OpenSSL reading its
// configuration) on a thread of its own, so that a command can overlap it with its other start-up
// work, such as loading a template. A CurlTransport made meanwhile waits for it to finish. The
// destructor joins the thread.
class CurlInitInBackground {
 public:
  CurlInitInBackground();
  ~CurlInitInBackground();
  CurlInitInBackground(const CurlInitInBackground&) = delete;
  CurlInitInBackground& operator=(const CurlInitInBackground&) = delete;

 private:
  std::thread thread_;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Each call borrows an idle libcurl handle (or makes one) and returns it afterwards, so
  // connections stay open across calls; concurrent calls use separate handles. The timeout is
  // the shorter of options.timeout and request.timeout. request.cancelled, when set, is polled
  // about every 50 ms while the transfer waits on the network.
  absl::StatusOr<HttpResponse> Post(const HttpRequest& request) override;

 private:
  struct Handle;  // a libcurl easy handle and the multi handle that runs it
  struct HandleDeleter {
    void operator()(Handle* handle) const;
  };
  using HandlePtr = std::unique_ptr<Handle, HandleDeleter>;

  HandlePtr Acquire();  // null if libcurl cannot make one
  void Release(HandlePtr handle);

  const CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<HandlePtr> idle_;  // guarded by mu_
};

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_CURL_TRANSPORT_H_
