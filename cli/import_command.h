// `augur import kayenta CONFIG.json [--name NAME] [--output FILE]`: writes an analysis template
// equivalent to a Kayenta canary config, naming every construct it could not carry over.
#ifndef AUGUR_CLI_IMPORT_COMMAND_H_
#define AUGUR_CLI_IMPORT_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace augur::cli {

struct ImportKayentaArgs {
  std::string config;  // the canary config (JSON); "-" reads standard input
  std::string name;    // the template's name; empty: after the config's name
  std::string output;  // where the template goes; empty or "-": `out`
};

// Imports the config. Writes the template (YAML) to `output` or `out`; writes to `err` one line
// per construct not imported ("CONFIG.json: metrics[2].query.type: not imported: ...") and the
// warnings. Returns 0 (kExitPromote) when the template was written, unsupported constructs
// notwithstanding; 64 (kExitUsage) when the config cannot be read, is not valid JSON or not a
// canary config, has no metric that can be imported, --name is invalid, or the output file cannot
// be written.
int RunImportKayentaCommand(const ImportKayentaArgs& args, std::ostream& out, std::ostream& err);

// Registers `import` (with its subcommand `kayenta`) on `app`; when selected by the parse, `run`
// is set to execute it.
void AddImportCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_IMPORT_COMMAND_H_
