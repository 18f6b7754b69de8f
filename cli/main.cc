// augur: the one binary. Subcommands are a table; each registers its own options.
#include <functional>
#include <iostream>

#include "CLI/CLI.hpp"
#include "cli/analyze_command.h"
#include "cli/import_command.h"
#include "cli/query_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"
#include "cli/stats_command.h"
#include "cli/validate_command.h"
#include "core/exit_codes.h"

namespace {

struct CommandEntry {
  void (*add)(CLI::App& app, std::function<int()>& run);
};

constexpr CommandEntry kCommands[] = {
    {&augur::cli::AddAnalyzeCommand},  {&augur::cli::AddImportCommand},
    {&augur::cli::AddQueryCommand},    {&augur::cli::AddReportCommand},
    {&augur::cli::AddServeCommand},    {&augur::cli::AddStatsCommand},
    {&augur::cli::AddValidateCommand},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"augur: an automated canary analysis engine (a metrics judge).", "augur"};
  app.set_version_flag("--version", AUGUR_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  for (const CommandEntry& command : kCommands) command.add(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "augur: " << e.what() << " (run with --help for usage)\n";
    return augur::kExitUsage;
  }
  if (!run) {
    std::cerr << "augur: no command given (run with --help for usage)\n";
    return augur::kExitUsage;
  }
  return run();
}
