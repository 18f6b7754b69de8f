// `augur stats`: statistical tests on samples read from files, for checking the kernel by hand
// and for auditing augur against R.
#ifndef AUGUR_CLI_STATS_COMMAND_H_
#define AUGUR_CLI_STATS_COMMAND_H_

#include <functional>
#include <istream>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace augur::cli {

// The options of `augur stats mann-whitney`, as typed (validated by RunMannWhitneyCommand).
struct MannWhitneyCommandArgs {
  std::string canary_path;
  std::string baseline_path;
  std::string confidence = "0.95";
  std::string alternative = "two-sided";
  std::string exact = "auto";
  std::string correct = "true";
  std::string interval = "exact";
};

// Validates the arguments, reads both samples ("-" reads `in`), runs the test and writes one JSON
// object and a newline to `out`. Returns the process exit code: 0, or 64 (kExitUsage) with one
// line on `err` for bad arguments or input.
int RunMannWhitneyCommand(const MannWhitneyCommandArgs& args, std::istream& in, std::ostream& out,
                          std::ostream& err);

// Registers `stats` and its subcommands on `app`; when one of them is selected by the parse,
// `run` is set to the function that executes it.
void AddStatsCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_STATS_COMMAND_H_
