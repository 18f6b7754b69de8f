#include "cli/report_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <system_error>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "core/exit_codes.h"
#include "report/report.h"
#include "service/run_json.h"

namespace augur::cli {

bool WriteOutput(const std::string& output, const std::string& text, std::ostream& out,
                 std::ostream& err, const char* command) {
  if (output.empty() || output == "-") {
    out << text;
    out.flush();
    if (!out) {
      err << command << ": cannot write to standard output\n";
      return false;
    }
    return true;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    err << command << ": --output: cannot write " << output << "\n";
    return false;
  }
  return true;
}

int RunReportCommand(const ReportCommandArgs& args, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  constexpr char kCommand[] = "augur report";
  const auto fail = [&](const std::string& message) {
    err << kCommand << ": " << message << "\n";
    return kExitUsage;
  };
  auto format = report::ParseFormat(args.format);
  if (!format.ok()) return fail(absl::StrCat("--format: ", format.status().message()));
  std::string text;
  std::string source = args.input;
  if (!args.run.empty() || !args.server.empty()) {
    if (!args.input.empty()) return fail("give a result file or --run with --server, not both");
    if (args.run.empty() || args.server.empty()) return fail("--run and --server go together");
    auto fetched = service::FetchRunJson(args.server, args.run, args.tls_ca, absl::Seconds(30));
    if (!fetched.ok()) {
      err << kCommand << ": " << fetched.status().message() << "\n";
      return absl::IsInvalidArgument(fetched.status()) || absl::IsNotFound(fetched.status())
                 ? kExitUsage
                 : kExitUnavailable;
    }
    text = *std::move(fetched);
    source = absl::StrCat("run ", args.run);
  } else if (args.input.empty()) {
    return fail("give a result file (or - for standard input), or --run ID --server HOST:PORT");
  } else if (args.input == "-") {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    source = "standard input";
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(args.input, ec)) {
      return fail(absl::StrCat(args.input, std::filesystem::exists(args.input, ec)
                                               ? ": not a file"
                                               : ": cannot open (no such file)"));
    }
    std::ifstream file(args.input, std::ios::binary);
    if (!file) return fail(absl::StrCat(args.input, ": cannot open"));
    // A read error surfaces as an exception from the stream buffer, not as the stream's state.
    try {
      text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    } catch (const std::exception& e) {
      return fail(absl::StrCat(args.input, ": cannot read (", e.what(), ")"));
    }
  }
  auto rendered = report::Render(text, *format, source);
  if (!rendered.ok()) return fail(std::string(rendered.status().message()));
  return WriteOutput(args.output, *rendered, out, err, kCommand) ? kExitPromote : kExitUsage;
}

void AddReportCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ReportCommandArgs>();
  CLI::App* command = app.add_subcommand("report",
                                         "Render a saved analysis result (augur analyze --format "
                                         "json), or a run of augur serve, as a report");
  command->footer(
      "Formats: html (one self-contained file: verdict, scores, the metrics failures first, and\n"
      "per metric a time-series chart and a distribution chart with the shift's interval),\n"
      "markdown (pull requests, chat), junit (one test case per metric: HIGH/LOW fail, ERROR is\n"
      "an error, NODATA is skipped), json (the input, checked).\n"
      "A run (--run ID --server HOST:PORT, or its saved --format json) reports every interval:\n"
      "score over time, each metric's result per interval, the last interval in full.\n"
      "Exit 0 written, 64 unreadable input or output (or no such run), 3 the server could not\n"
      "be reached. See docs/cli.md.\n"
      "Example:\n"
      "  augur analyze ... --format json --output result.json\n"
      "  augur report result.json --format html --output report.html");
  command->add_option("result", args->input,
                      "The result JSON file (or a run's), or - for standard input");
  command->add_option("--run", args->run,
                      "Instead of a file: a run of augur serve (its id), every interval");
  command->add_option("--server", args->server, "augur serve's gRPC address HOST:PORT (--run)");
  command->add_option("--tls-ca", args->tls_ca, "PEM CA bundle: TLS to --server (else plaintext)");
  command->add_option("--format,-f", args->format, "html, markdown, junit or json")
      ->capture_default_str();
  command->add_option("--output,-o", args->output, "Write the report to this file");
  command->callback([args, &run] {
    run = [args] { return RunReportCommand(*args, std::cin, std::cout, std::cerr); };
  });
}

}  // namespace augur::cli
