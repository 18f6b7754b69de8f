#include "providers/prometheus/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace augur::providers {
namespace {

// Thread-safe: a second caller waits until the first has finished (a function-local static).
void InitCurlOnce() {
  static const bool initialized = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)initialized;
}

struct Sink {
  std::string* body;
  int64_t limit;
  bool exceeded = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (static_cast<int64_t>(sink->body->size() + bytes) > sink->limit) {
    sink->exceeded = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, bytes);
  return bytes;
}

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// How often a transfer that waits on the network checks request.cancelled.
constexpr int kCancelPollMs = 50;

absl::Status StatusFromCurl(CURLcode code, const char* detail, absl::Duration timeout,
                            const CurlTransportOptions& options) {
  const std::string message = absl::StrCat(*detail != '\0' ? detail : curl_easy_strerror(code));
  // With TLS 1.3 the server rejects a client certificate after the handshake, so the alert
  // arrives as a read error; it is a configuration problem all the same, not worth retrying.
  if ((code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) &&
      absl::StrContains(message, "SSL routines") && absl::StrContains(message, "alert")) {
    return absl::FailedPreconditionError(absl::StrCat("TLS failed: ", message));
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(absl::StrCat(
          "no complete answer within ", absl::FormatDuration(timeout), " (", message, ")"));
    case CURLE_FILESIZE_EXCEEDED:
      return absl::ResourceExhaustedError(absl::StrCat("the response is larger than the limit of ",
                                                       options.max_response_bytes, " bytes"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(absl::StrCat("cannot use the URL: ", message));
    case CURLE_SSL_CONNECT_ERROR:  // handshake refused: https to a plain port, client cert
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return absl::FailedPreconditionError(absl::StrCat("TLS failed: ", message));
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

CurlInitInBackground::CurlInitInBackground() : thread_(InitCurlOnce) {}

CurlInitInBackground::~CurlInitInBackground() { thread_.join(); }

// The transfer runs on a multi handle of its own rather than through curl_easy_perform, so
// that the wait for the network can be cut into short polls with a cancel check between them.
// The multi handle holds the connection cache, so it stays paired with its easy handle.
struct CurlTransport::Handle {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

void CurlTransport::HandleDeleter::operator()(Handle* handle) const {
  // The easy handle is detached after every transfer; the multi handle, which holds the open
  // connections, goes first.
  if (handle->multi != nullptr) curl_multi_cleanup(handle->multi);
  if (handle->easy != nullptr) curl_easy_cleanup(handle->easy);
  delete handle;
}

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  InitCurlOnce();
}

CurlTransport::~CurlTransport() = default;

CurlTransport::HandlePtr CurlTransport::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      HandlePtr handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  HandlePtr handle(new Handle);
  handle->easy = curl_easy_init();
  handle->multi = curl_multi_init();
  if (handle->easy == nullptr || handle->multi == nullptr) return nullptr;
  return handle;
}

void CurlTransport::Release(HandlePtr handle) {
  // Post detaches the easy handle itself; detaching again is a no-op that keeps the pool safe.
  // Reset drops the options, which point into the finished call's stack frame, and keeps the
  // open connections and caches for the next call.
  curl_multi_remove_handle(handle->multi, handle->easy);
  curl_easy_reset(handle->easy);
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(handle));
}

absl::StatusOr<HttpResponse> CurlTransport::Post(const HttpRequest& request) {
  HandlePtr handle = Acquire();
  if (handle == nullptr) return absl::ResourceExhaustedError("libcurl could not make a handle");
  CURL* const curl = handle->easy;
  CURLM* const multi = handle->multi;
  struct Returner {
    CurlTransport* transport;
    HandlePtr handle;
    ~Returner() { transport->Release(std::move(handle)); }
  } returner{this, std::move(handle)};

  HttpResponse response;
  Sink sink{&response.body, options_.max_response_bytes};
  char error[CURL_ERROR_SIZE] = {0};
  // "Expect:" turns off 100-continue, which costs a round trip on large forms.
  curl_slist* list = nullptr;
  for (size_t i = 0; i <= request.headers.size(); ++i) {
    const char* line = i < request.headers.size() ? request.headers[i].c_str() : "Expect:";
    curl_slist* next = curl_slist_append(list, line);
    if (next == nullptr) {
      curl_slist_free_all(list);
      return absl::ResourceExhaustedError("out of memory for request headers");
    }
    list = next;
  }
  const std::unique_ptr<curl_slist, HeaderListDeleter> headers(list);

  const absl::Duration timeout = std::min(options_.timeout, request.timeout);
  const long timeout_ms =
      static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout)));
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.form_body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.form_body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: threads are safe
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));
  if (options_.gzip) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // never resend credentials elsewhere
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "augur");
  const TlsOptions& tls = options_.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  CURLMcode multi_code = curl_multi_add_handle(multi, curl);
  const int poll_ms = request.cancelled ? kCancelPollMs : 1000;
  bool cancelled = false;
  while (multi_code == CURLM_OK) {
    int running = 0;
    multi_code = curl_multi_perform(multi, &running);
    if (multi_code != CURLM_OK || running == 0) break;
    if (request.cancelled && request.cancelled()) {
      cancelled = true;
      break;
    }
    multi_code = curl_multi_poll(multi, nullptr, 0, poll_ms, nullptr);
  }
  std::optional<CURLcode> done;
  int queued = 0;
  while (const CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == curl) done = message->data.result;
  }
  // Detached here, while the buffers and header list it points into are still alive; for an
  // unfinished transfer this drops the connection.
  curl_multi_remove_handle(multi, curl);
  if (cancelled) return absl::CancelledError("cancelled by the caller");
  if (multi_code != CURLM_OK) {
    return absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(multi_code)));
  }
  if (!done.has_value()) return absl::InternalError("libcurl: the transfer did not finish");
  const CURLcode code = *done;
  if (sink.exceeded) {
    return absl::ResourceExhaustedError(absl::StrCat("the response is larger than the limit of ",
                                                     options_.max_response_bytes, " bytes"));
  }
  if (code != CURLE_OK) return StatusFromCurl(code, error, timeout, options_);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace augur::providers
