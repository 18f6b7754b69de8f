// `augur report RESULT.json`: renders a saved analysis result (the JSON `augur analyze --format
// json` writes) as HTML, Markdown, JUnit XML or JSON, exactly as `augur analyze` would have.
#ifndef AUGUR_CLI_REPORT_COMMAND_H_
#define AUGUR_CLI_REPORT_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace augur::cli {

struct ReportCommandArgs {
  std::string input;  // a file, or - for standard input; empty with `run`
  // Instead of a file: a run of `augur serve`, fetched with GetRun.
  std::string run;     // its id (or runs/ID)
  std::string server;  // HOST:PORT of the gRPC listener
  std::string tls_ca;  // PEM CA bundle: TLS to the server (else plaintext)
  std::string format = "html";
  std::string output;  // file; default standard output
};

// Exit 0 once written; 64 when the input cannot be read or is not a result (the message names
// the file and field), or the output cannot be written. The verdict is not an exit code here:
// `augur analyze` gave it when the analysis ran.
int RunReportCommand(const ReportCommandArgs& args, std::istream& in, std::ostream& out,
                     std::ostream& err);

// Writes `text` to `output` (a file, or standard output when empty or "-"). False with a message
// on `err` when the file cannot be written.
bool WriteOutput(const std::string& output, const std::string& text, std::ostream& out,
                 std::ostream& err, const char* command);

void AddReportCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_REPORT_COMMAND_H_
