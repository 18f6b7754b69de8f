#include "cli/validate_command.h"

#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "config/validate.h"
#include "core/exit_codes.h"

namespace augur::cli {

int RunValidateCommand(const std::vector<std::string>& files, std::ostream& out,
                       std::ostream& err) {
  bool all_ok = true;
  for (const std::string& file : files) {
    const config::FileCheck check = config::CheckFile(file);
    err << check.diagnostics.Format(file);
    if (check.ok) {
      out << file << ": ok\n";
    } else {
      all_ok = false;
    }
  }
  out.flush();
  return all_ok ? kExitPromote : kExitUsage;
}

void AddValidateCommand(CLI::App& app, std::function<int()>& run) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "validate", "Check templates and configuration files, listing every problem");
  command->add_option("files", *files, "Analysis templates or augur configuration files (YAML)")
      ->required();
  command->footer(
      "Prints 'FILE: ok' for each valid template and exits 0; otherwise lists every problem,\n"
      "one per line as 'FILE: path.to.field: problem', and exits 64. Warnings (an argument no\n"
      "query uses) do not fail validation. A file whose kind is Config is checked as augur's\n"
      "configuration, any other as a template: docs/templates.md, docs/configuration.md.");
  command->callback([files, &run] {
    run = [files] { return RunValidateCommand(*files, std::cout, std::cerr); };
  });
}

}  // namespace augur::cli
