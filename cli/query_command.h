// `augur query`: runs one PromQL query against a backend (or a saved file) and prints exactly
// what came back, as a Prometheus API answer (json) or CSV.
#ifndef AUGUR_CLI_QUERY_COMMAND_H_
#define AUGUR_CLI_QUERY_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/augur_config.h"
#include "config/diagnostics.h"
#include "core/clock.h"
#include "providers/metric_provider.h"

namespace CLI {
class App;
}

namespace augur::cli {

// The options of `augur query`, as typed (validated by RunQueryCommand).
struct QueryCommandArgs {
  std::string prometheus;            // URL; exactly one of prometheus, file and config
  std::string file;                  // saved query_range JSON or CSV
  std::string config;                // augur configuration file: a named provider from it
  std::string provider;              // which one (default: the configuration's default)
  std::vector<std::string> headers;  // "Name=value"
  std::string bearer_token_file;
  std::string basic_auth_user;
  std::string basic_auth_password_file;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure_skip_verify = false;
  bool gzip = false;
  std::string query;
  std::string start;  // range query: start, end and step
  std::string end;
  std::string step;
  std::string time;  // instant query
  std::string format = "json";
  // Empty: the configured provider's value, or the built-in default (30s, 10s, 64MiB).
  std::string timeout;
  std::string retry_budget;
  std::string max_response_bytes;
};

// Runs the query and writes the result to `out`, warnings and errors to `err` (one line each).
// Returns 0, 64 (kExitUsage) for bad arguments, files and PromQL errors (with the backend's own
// message), or 3 (kExitUnavailable) when the backend could not answer: unreachable, timed out,
// refused the credentials, or sent a broken or oversized answer.
int RunQueryCommand(const QueryCommandArgs& args, std::ostream& out, std::ostream& err,
                    Clock& clock = Clock::Real());

// The exit code for a provider error: 64 for InvalidArgument (the query or its arguments are
// wrong), 3 for everything else (the backend could not answer).
int ExitCodeForProviderError(const absl::Status& status);

// Parses a byte count: "1048576", "512KiB", "64MiB", "1GiB".
absl::StatusOr<int64_t> ParseByteSize(absl::string_view text);

// The provider the arguments name: --prometheus (with headers, credentials and TLS), --file,
// or a provider of --config (taken from `loaded_config` when the caller has read that file
// already). Errors are InvalidArgument (usage).
absl::StatusOr<std::unique_ptr<providers::MetricProvider>> MakeProvider(
    const QueryCommandArgs& args, Clock& clock = Clock::Real(),
    const config::AugurConfig* loaded_config = nullptr);

// A failed load in one line: the first problem, and "(and N more: run augur validate FILE)".
std::string FirstProblem(const config::Diagnostics& diagnostics, const std::string& file);

// Registers the backend options (--prometheus, --config, --provider, headers, credentials, TLS,
// timeouts; --file when `with_file`) on `command`, filling `args`.
void AddProviderOptions(CLI::App& command, QueryCommandArgs& args, bool with_file);

// Registers `query` on `app`; when selected by the parse, `run` is set to execute it.
void AddQueryCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_QUERY_COMMAND_H_
