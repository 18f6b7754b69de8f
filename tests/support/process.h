// Processes, ports and scratch directories for tests that run real servers.
#ifndef AUGUR_TESTS_SUPPORT_PROCESS_H_
#define AUGUR_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace augur::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out;
  std::string err;
  absl::Duration elapsed;
};

// Runs `argv` to completion (argv[0] searched in PATH) with `input` on its stdin and captures
// its output. Errors only when it cannot be started.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::string_view input = "");

// A child process, stopped (SIGTERM, then SIGKILL after 5 s) when destroyed, and killed by the
// kernel if the test binary dies first (PR_SET_PDEATHSIG): a crashed test leaves no server.
class ChildProcess {
 public:
  // Starts `argv` with stdout and stderr appended to `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool Running();
  void Stop();
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
absl::StatusOr<int> FreePort();

// A new empty directory under the test temp dir; RemoveTree deletes it with its contents.
absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix);
void RemoveTree(const std::string& path);

absl::Status WriteFile(const std::string& path, absl::string_view content);
absl::StatusOr<std::string> ReadFile(const std::string& path);

// A plain HTTP/1.0 request to 127.0.0.1:port, for readiness checks and loading data into
// servers under test (not for the code under test, which has its own client).
struct RawHttpResponse {
  int status = 0;
  std::string body;
};
absl::StatusOr<RawHttpResponse> RawHttpRequest(int port, absl::string_view method,
                                               absl::string_view path, absl::string_view body = "");

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SUPPORT_PROCESS_H_
