// augur-scenarios: writes the canary scenarios of tools/scenarios.h as OpenMetrics text, for
// `promtool tsdb create-blocks-from openmetrics`. Errors go to stderr with exit code 64.
//
//   augur-scenarios [--end now|TIME] [--duration 1h] [--scrape-interval 15s] [--pods 3]
//                   [--seed 1] [--scenario NAME]... [--namespace demo] [--output FILE]
//   augur-scenarios --list
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/exit_codes.h"
#include "core/time_parse.h"
#include "tools/scenarios.h"

namespace {

constexpr char kProgram[] = "augur-scenarios";

int Fail(const std::string& message) {
  std::cerr << kProgram << ": " << message << "\n";
  return augur::kExitUsage;
}

// `text` as the time of the last sample, in whole Unix seconds. "now" (and the relative forms
// ParseTime takes, "now-1h") count from the current time rounded down to the scrape interval, so
// runs a few seconds apart share their sample times.
absl::StatusOr<int64_t> ParseEnd(const std::string& text, absl::Duration scrape_interval) {
  const int64_t interval_ms = absl::ToInt64Milliseconds(scrape_interval);
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  const absl::Time now = absl::FromUnixMillis(now_ms / interval_ms * interval_ms);
  absl::StatusOr<absl::Time> end = augur::ParseTime(text, now);
  if (!end.ok()) return end.status();
  const int64_t seconds = absl::ToUnixSeconds(*end);
  if (absl::FromUnixSeconds(seconds) != *end) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a whole second"));
  }
  return seconds;
}

void PrintCatalogue(std::ostream& out) {
  for (const augur::scenarios::ScenarioInfo& info : augur::scenarios::Scenarios()) {
    out << absl::StrFormat("%-20s %s\n%20s %s\n", info.name, info.expected, "", info.description);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "augur-scenarios: realistic canary metrics (a stable and a canary version per scenario) as "
      "OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.",
      kProgram};
  std::string end_text = "now";
  std::string duration_text = "1h";
  std::string interval_text = "15s";
  std::string output_path;
  bool list = false;
  augur::scenarios::ScenarioOptions options;
  app.add_option("--end", end_text,
                 "time of the last sample: now (rounded down to the scrape interval), Unix "
                 "seconds, RFC 3339 or now-DURATION")
      ->capture_default_str();
  app.add_option("--duration", duration_text, "history before --end, e.g. 1h, 90m")
      ->capture_default_str();
  app.add_option("--scrape-interval", interval_text, "time between samples, e.g. 15s")
      ->capture_default_str();
  app.add_option("--pods", options.pods_per_version, "pods per version (1 to 100)")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "random seed; the same options give the same bytes")
      ->capture_default_str();
  app.add_option("--scenario", options.scenarios,
                 "a scenario to write (repeatable; default: all; see --list)");
  app.add_option("--namespace", options.kubernetes_namespace, "the namespace label's value")
      ->capture_default_str();
  app.add_option("--output", output_path, "write to FILE instead of stdout");
  app.add_flag("--list", list, "print the scenarios with their expected verdicts and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return Fail(absl::StrCat(e.what(), " (run with --help for usage)"));
  }

  if (list) {
    PrintCatalogue(std::cout);
    std::cout.flush();
    return std::cout ? 0 : Fail("cannot write to stdout");
  }

  absl::StatusOr<absl::Duration> duration = augur::ParseDuration(duration_text);
  if (!duration.ok()) return Fail(absl::StrCat("--duration: ", duration.status().message()));
  absl::StatusOr<absl::Duration> interval = augur::ParseDuration(interval_text);
  if (!interval.ok()) return Fail(absl::StrCat("--scrape-interval: ", interval.status().message()));
  if (*interval < absl::Milliseconds(1)) return Fail("--scrape-interval must be at least 1ms");
  absl::StatusOr<int64_t> end = ParseEnd(end_text, *interval);
  if (!end.ok()) return Fail(absl::StrCat("--end: ", end.status().message()));
  options.duration = *duration;
  options.scrape_interval = *interval;
  options.end_unix_seconds = *end;

  absl::StatusOr<std::string> text = augur::scenarios::GenerateOpenMetrics(options);
  if (!text.ok()) return Fail(std::string(text.status().message()));

  if (output_path.empty()) {
    std::cout.write(text->data(), static_cast<std::streamsize>(text->size()));
    std::cout.flush();
    if (!std::cout) return Fail("cannot write to stdout");
    return 0;
  }
  std::ofstream file(output_path, std::ios::binary | std::ios::trunc);
  file.write(text->data(), static_cast<std::streamsize>(text->size()));
  file.close();
  if (!file) return Fail(absl::StrCat("cannot write ", output_path));
  return 0;
}
