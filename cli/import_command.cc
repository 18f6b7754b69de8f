#include "cli/import_command.h"

#include "CLI/CLI.hpp"

namespace augur::cli {

void AddImportCommand(CLI::App& app, std::function<int()>& run) {
  (void)app;
  (void)run;
}

}  // namespace augur::cli
