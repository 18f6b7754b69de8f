#include "cli/query_command.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "config/augur_config.h"
#include "config/diagnostics.h"
#include "core/exit_codes.h"
#include "core/status_macros.h"
#include "core/time_parse.h"
#include "providers/file_provider.h"
#include "providers/prometheus/options_from_settings.h"
#include "providers/prometheus/prometheus_provider.h"
#include "providers/prometheus_response.h"
#include "providers/series_csv.h"

namespace augur::cli {
namespace {

constexpr absl::string_view kCommandName = "augur query";

absl::Status WithFlag(absl::string_view flag, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", status.message()));
}

absl::StatusOr<absl::Duration> ParsePositiveDuration(absl::string_view flag, absl::string_view text,
                                                     bool allow_zero = false) {
  auto duration = ParseDuration(text, /*allow_bare_seconds=*/true);
  if (!duration.ok()) return WithFlag(flag, duration.status());
  if (*duration < absl::ZeroDuration() || (!allow_zero && *duration == absl::ZeroDuration())) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": must be positive, got '", text, "'"));
  }
  return *duration;
}

// The provider named by --provider, or the configuration's default; from `loaded` when the
// caller has read args.config already.
absl::StatusOr<providers::PrometheusOptions> OptionsFromConfig(const QueryCommandArgs& args,
                                                               const config::AugurConfig* loaded) {
  std::optional<config::AugurConfig> read;
  if (loaded == nullptr) {
    config::ConfigLoad load = config::LoadConfigFile(args.config);
    if (!load.result) {
      return absl::InvalidArgumentError(FirstProblem(load.diagnostics, args.config));
    }
    read = std::move(load.result);
    loaded = &*read;
  }
  std::vector<std::string> names;
  for (const config::ProviderSettings& p : loaded->providers) names.push_back(p.name);
  const std::string wanted = args.provider.empty() ? loaded->default_provider : args.provider;
  if (wanted.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        args.config, " has no default provider; choose one with --provider (",
        names.empty() ? "it defines none" : absl::StrCat("known: ", absl::StrJoin(names, ", ")),
        ")"));
  }
  for (const config::ProviderSettings& p : loaded->providers) {
    if (p.name == wanted) return providers::OptionsFromSettings(p);
  }
  const std::string suggestion = config::DidYouMean(wanted, names);
  return absl::InvalidArgumentError(
      absl::StrCat("--provider: ", args.config, " has no provider '", wanted, "'",
                   suggestion.empty() ? absl::StrCat(" (known: ", absl::StrJoin(names, ", "), ")")
                                      : absl::StrCat("; did you mean '", suggestion, "'?")));
}

// Whether any header, credential or TLS flag was given: they configure --prometheus only.
bool HasConnectionFlags(const QueryCommandArgs& args) {
  return !args.headers.empty() || !args.bearer_token_file.empty() ||
         !args.basic_auth_user.empty() || !args.basic_auth_password_file.empty() ||
         !args.ca_file.empty() || !args.cert_file.empty() || !args.key_file.empty() ||
         args.insecure_skip_verify || args.gzip;
}

}  // namespace

absl::StatusOr<std::unique_ptr<providers::MetricProvider>> MakeProvider(
    const QueryCommandArgs& args, Clock& clock, const config::AugurConfig* loaded_config) {
  const int sources = static_cast<int>(!args.prometheus.empty()) +
                      static_cast<int>(!args.file.empty()) + static_cast<int>(!args.config.empty());
  if (sources != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --prometheus URL, --file PATH and --config FILE");
  }
  if (!args.provider.empty() && args.config.empty()) {
    return absl::InvalidArgumentError("--provider names a provider of --config FILE");
  }
  if (!args.file.empty()) {
    if (HasConnectionFlags(args) || !args.timeout.empty() || !args.retry_budget.empty() ||
        !args.max_response_bytes.empty()) {
      return absl::InvalidArgumentError(
          "--file reads a saved answer; network, credential and TLS options need --prometheus");
    }
    AUGUR_ASSIGN_OR_RETURN(auto provider, providers::FileProvider::Open(args.file));
    return std::unique_ptr<providers::MetricProvider>(std::move(provider));
  }
  providers::PrometheusOptions options;
  if (!args.config.empty()) {
    if (HasConnectionFlags(args)) {
      return absl::InvalidArgumentError(
          "with --config the provider's headers, credentials and TLS come from the configuration "
          "file; set them there");
    }
    AUGUR_ASSIGN_OR_RETURN(options, OptionsFromConfig(args, loaded_config));
  } else {
    options.url = args.prometheus;
  }
  for (size_t i = 0; i < args.headers.size(); ++i) {
    // NAME=VALUE, or curl's "NAME: VALUE": whichever separator comes first. Never echoed: a
    // header may carry a secret.
    const std::string& header = args.headers[i];
    const size_t split = header.find_first_of("=:");
    if (split == std::string::npos || split == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--header ", i + 1, ": expected NAME=VALUE or 'NAME: VALUE'"));
    }
    options.headers.emplace_back(
        header.substr(0, split),
        std::string(absl::StripLeadingAsciiWhitespace(header.substr(split + 1))));
  }
  if (args.config.empty()) {
    options.bearer_token_file = args.bearer_token_file;
    options.basic_auth_user = args.basic_auth_user;
    options.basic_auth_password_file = args.basic_auth_password_file;
    options.tls.ca_file = args.ca_file;
    options.tls.cert_file = args.cert_file;
    options.tls.key_file = args.key_file;
    options.tls.insecure_skip_verify = args.insecure_skip_verify;
    options.gzip = args.gzip;
  }
  // Given flags override the configuration; absent ones keep its values or the defaults.
  if (!args.timeout.empty()) {
    AUGUR_ASSIGN_OR_RETURN(options.timeout, ParsePositiveDuration("--timeout", args.timeout));
  }
  if (!args.retry_budget.empty()) {
    AUGUR_ASSIGN_OR_RETURN(options.retry_budget,
                           ParsePositiveDuration("--retry-budget", args.retry_budget, true));
  }
  if (!args.max_response_bytes.empty()) {
    auto bytes = ParseByteSize(args.max_response_bytes);
    if (!bytes.ok()) return WithFlag("--max-response-bytes", bytes.status());
    options.max_response_bytes = *bytes;
  }
  auto provider = providers::PrometheusProvider::Create(std::move(options), clock);
  if (!provider.ok()) {
    // Every failure here is a bad option (a credentials file that reads but is empty comes back
    // as FailedPrecondition): a usage error either way.
    return absl::InvalidArgumentError(provider.status().message());
  }
  return std::unique_ptr<providers::MetricProvider>(*std::move(provider));
}

namespace {

absl::StatusOr<QueryResult> RunQuery(const QueryCommandArgs& args,
                                     providers::MetricProvider& provider, absl::Time now) {
  const bool range = !args.start.empty() || !args.end.empty() || !args.step.empty();
  if (range == !args.time.empty()) {
    return absl::InvalidArgumentError(
        "give either --start, --end and --step (a range query) or --time (an instant query)");
  }
  if (!range) {
    auto time = ParseTime(args.time, now);
    if (!time.ok()) return WithFlag("--time", time.status());
    return provider.QueryInstant({args.query, *time});
  }
  if (args.start.empty() || args.end.empty() || args.step.empty()) {
    return absl::InvalidArgumentError("a range query needs all of --start, --end and --step");
  }
  providers::RangeQuery query;
  query.query = args.query;
  auto start = ParseTime(args.start, now);
  if (!start.ok()) return WithFlag("--start", start.status());
  auto end = ParseTime(args.end, now);
  if (!end.ok()) return WithFlag("--end", end.status());
  AUGUR_ASSIGN_OR_RETURN(query.step, ParsePositiveDuration("--step", args.step));
  query.start = *start;
  query.end = *end;
  return provider.QueryRange(query);
}

}  // namespace

std::string FirstProblem(const config::Diagnostics& diagnostics, const std::string& file) {
  const std::string problems = diagnostics.Format(file);
  const auto count = std::count(problems.begin(), problems.end(), '\n');
  return absl::StrCat(
      problems.substr(0, problems.find('\n')),
      count > 1 ? absl::StrCat(" (and ", count - 1, " more: run augur validate ", file, ")") : "");
}

int ExitCodeForProviderError(const absl::Status& status) {
  return absl::IsInvalidArgument(status) ? kExitUsage : kExitUnavailable;
}

absl::StatusOr<int64_t> ParseByteSize(absl::string_view text) {
  const std::optional<int64_t> bytes = config::ParseByteSizeText(text);
  if (!bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a positive size in bytes (e.g. 1048576, 512KiB, 64MiB, 1GiB)"));
  }
  return *bytes;
}

int RunQueryCommand(const QueryCommandArgs& args, std::ostream& out, std::ostream& err,
                    Clock& clock) {
  const auto fail = [&](const absl::Status& status, int code) {
    err << kCommandName << ": " << status.message() << "\n";
    return code;
  };
  if (args.format != "json" && args.format != "csv") {
    return fail(absl::InvalidArgumentError(
                    absl::StrCat("--format must be json or csv, got '", args.format, "'")),
                kExitUsage);
  }
  if (args.query.empty()) return fail(absl::InvalidArgumentError("--query is empty"), kExitUsage);
  auto provider = MakeProvider(args, clock);
  if (!provider.ok()) return fail(provider.status(), ExitCodeForProviderError(provider.status()));
  auto result = RunQuery(args, **provider, clock.Now());
  if (!result.ok()) return fail(result.status(), ExitCodeForProviderError(result.status()));
  for (const std::string& warning : result->warnings) {
    err << kCommandName << ": warning from " << (*provider)->Describe() << ": " << warning << "\n";
  }
  if (result->series.empty()) err << kCommandName << ": the query returned no series\n";
  if (args.format == "json") {
    out << providers::PrometheusResponseJson(*result) << "\n";
  } else {
    out << providers::SeriesCsv(*result);
  }
  out.flush();
  return kExitPromote;
}

void AddProviderOptions(CLI::App& command, QueryCommandArgs& args, bool with_file) {
  CLI::App* cmd = &command;
  QueryCommandArgs* a = &args;
  cmd->add_option("--prometheus", a->prometheus,
                  "Prometheus API root: http(s)://host:port plus any base path, e.g.\n"
                  "http://vmselect:8481/select/0/prometheus");
  if (with_file) {
    cmd->add_option("--file", a->file,
                    "Read a saved answer instead: a query_range JSON body (curl, or this\n"
                    "command's json output) or CSV (*.csv). It answers every query with its\n"
                    "series cut to the window, so --query only labels the request.");
  }
  cmd->add_option("--config", a->config,
                  "augur configuration file: use one of its providers (docs/configuration.md)");
  cmd->add_option("--provider", a->provider,
                  "The provider of --config to use (default: its default provider)");
  cmd->add_option("--header,-H", a->headers,
                  "NAME=VALUE sent with every request, e.g. X-Scope-OrgID=team-a for a\n"
                  "Mimir/Cortex/Thanos tenant (repeatable; values are never printed)");
  cmd->add_option("--bearer-token-file", a->bearer_token_file,
                  "File holding a bearer token (re-read when it changes)");
  cmd->add_option("--basic-auth-user", a->basic_auth_user, "Basic auth user name");
  cmd->add_option("--basic-auth-password-file", a->basic_auth_password_file,
                  "File holding the basic auth password");
  cmd->add_option("--ca-file", a->ca_file, "PEM CA bundle to verify the server with");
  cmd->add_option("--cert-file", a->cert_file, "PEM client certificate (mTLS)");
  cmd->add_option("--key-file", a->key_file, "PEM key of the client certificate");
  cmd->add_flag("--insecure-skip-verify", a->insecure_skip_verify,
                "Accept any server certificate (testing only)");
  cmd->add_flag("--gzip", a->gzip,
                "Ask for gzip-compressed answers (for slow links; the backend spends\n"
                "several times longer answering)");
  cmd->add_option("--timeout", a->timeout,
                  "Per-request timeout (default 30s, or the configured provider's). With\n"
                  "retries a query may take up to --timeout + --retry-budget before exit 3");
  cmd->add_option("--retry-budget", a->retry_budget,
                  "How long to keep retrying an unreachable or failing backend (default 10s;\n"
                  "0: no retry)");
  cmd->add_option("--max-response-bytes", a->max_response_bytes,
                  "Largest answer accepted, decoded (default 64MiB), e.g. 1GiB");
}

void AddQueryCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<QueryCommandArgs>();
  CLI::App* command =
      app.add_subcommand("query", "Run one PromQL query and print the series the backend returned");
  command->footer(
      "Exit 0 on an answer (even an empty one), 64 for bad arguments, a bad --file or a PromQL\n"
      "error (in the backend's own words), 3 when the backend cannot answer after retries.\n"
      "Times: RFC 3339, Unix seconds, now, now-30m, -1h. See docs/cli.md and docs/providers.md.");
  AddProviderOptions(*command, *args, /*with_file=*/true);
  command->add_option("--query,-q", args->query, "The PromQL expression")->required();
  command->add_option("--start", args->start,
                      "Range start: RFC 3339, Unix seconds, now, now-30m or -1h");
  command->add_option("--end", args->end, "Range end, in the same forms");
  command->add_option("--step", args->step, "Range resolution: 30s, 1m, or seconds");
  command->add_option("--time", args->time,
                      "Instant query time (instead of a range), in the same forms as --start");
  command->add_option("--format", args->format, "json (a Prometheus API answer) or csv")
      ->capture_default_str();
  command->callback(
      [args, &run] { run = [args] { return RunQueryCommand(*args, std::cout, std::cerr); }; });
}

}  // namespace augur::cli
