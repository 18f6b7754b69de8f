// CredentialFile: a secret kept in a file (a bearer token, a password), re-read whenever the
// file changes, so tokens that Kubernetes rotates in place keep working without a restart.
#ifndef AUGUR_PROVIDERS_PROMETHEUS_CREDENTIAL_FILE_H_
#define AUGUR_PROVIDERS_PROMETHEUS_CREDENTIAL_FILE_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace augur::providers {

class CredentialFile {
 public:
  // `what` names the secret in errors ("bearer token file"); the content never appears in them.
  CredentialFile(std::string path, std::string what);

  // The file's content without trailing whitespace (a final newline is usual). The file is
  // read again when its inode, size or modification time differ from the last read (checked
  // with one stat per call; Kubernetes swaps a symlink, which changes the inode). Errors are
  // FailedPrecondition naming the path: unreadable, empty, or holding a line break inside.
  // Thread-safe.
  absl::StatusOr<std::string> Get();

  const std::string& path() const { return path_; }

 private:
  struct Signature {
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const Signature&) const = default;
  };

  const std::string path_;
  const std::string what_;
  std::mutex mu_;
  Signature signature_;  // guarded by mu_
  std::string value_;    // guarded by mu_
};

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_CREDENTIAL_FILE_H_
