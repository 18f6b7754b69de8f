// `augur validate FILE...`: checks analysis templates and configuration files and reports
// every problem at once.
#ifndef AUGUR_CLI_VALIDATE_COMMAND_H_
#define AUGUR_CLI_VALIDATE_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace augur::cli {

// Loads each file. Writes "FILE: ok" to `out` for each valid one (warnings, if any, to `err`),
// and every problem of the others to `err`, one line each ("t.yaml: spec.step: ..."). Returns 0
// when all are valid, 64 (kExitUsage) otherwise.
int RunValidateCommand(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

// Registers `validate` on `app`; when selected by the parse, `run` is set to execute it.
void AddValidateCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_VALIDATE_COMMAND_H_
