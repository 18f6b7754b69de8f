// `augur import`: (helper-owned stub; replaced by the Kayenta import work)
#ifndef AUGUR_CLI_IMPORT_COMMAND_H_
#define AUGUR_CLI_IMPORT_COMMAND_H_

#include <functional>

namespace CLI {
class App;
}

namespace augur::cli {

// Registers `import` on `app`; when selected by the parse, `run` is set to execute it.
void AddImportCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_IMPORT_COMMAND_H_
