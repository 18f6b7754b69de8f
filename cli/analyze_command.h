// `augur analyze`: one analysis of a window, from a template, against a metrics backend; prints
// the verdict with its evidence and exits with the verdict's code.
#ifndef AUGUR_CLI_ANALYZE_COMMAND_H_
#define AUGUR_CLI_ANALYZE_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/query_command.h"
#include "core/clock.h"

namespace CLI {
class App;
}

namespace augur::cli {

struct AnalyzeCommandArgs {
  std::string template_ref;       // a file, or a template name found in --config's templateDirs
  std::vector<std::string> args;  // "name=value"
  std::string control;
  std::string experiment;
  std::string start;
  std::string end;
  std::string lookback;
  std::string step;  // default: the template's
  std::string strategy = "canary";
  std::string format = "text";
  std::string output;        // file; default standard output
  QueryCommandArgs backend;  // --prometheus, --config, --provider, headers, TLS, ...
};

// Runs the analysis. Exit codes (DESIGN.md §2): 0 PROMOTE, 1 ABORT, 2 HOLD, 3 the analysis
// could not run (the backend unreachable, timing out, refusing credentials), 64 usage or
// template error (the message names the file, field or flag and the problem).
int RunAnalyzeCommand(const AnalyzeCommandArgs& args, std::ostream& out, std::ostream& err,
                      Clock& clock = Clock::Real());

void AddAnalyzeCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_ANALYZE_COMMAND_H_
