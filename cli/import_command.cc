#include "cli/import_command.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "config/kayenta_import.h"
#include "config/template_writer.h"
#include "core/exit_codes.h"

namespace augur::cli {
namespace {

constexpr char kCommandName[] = "augur import kayenta";

// Text for a YAML comment line: control characters (a line break would end the comment) shown
// as '?'.
std::string OneLine(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

bool ReadInput(const std::string& path, std::string& text, std::string& error) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return false;
  }
  text = buffer.str();
  return true;
}

}  // namespace

int RunImportKayentaCommand(const ImportKayentaArgs& args, std::ostream& out, std::ostream& err) {
  std::string json;
  std::string error;
  if (!ReadInput(args.config, json, error)) {
    err << kCommandName << ": " << args.config << ": cannot read: " << error << "\n";
    return kExitUsage;
  }
  const config::KayentaImport imported = config::ImportKayentaConfig(json, args.name);
  for (const std::string& item : imported.unsupported) {
    err << args.config << ": " << OneLine(item) << "\n";
  }
  err << imported.diagnostics.Format(args.config);
  if (!imported.result) return kExitUsage;

  std::string yaml = absl::StrCat("# Imported by `augur import kayenta` from ",
                                  OneLine(args.config), " (a Kayenta canary config).\n");
  if (!imported.unsupported.empty()) {
    absl::StrAppend(&yaml, "# Not imported (docs/cli.md explains each):\n");
    for (const std::string& item : imported.unsupported) {
      absl::StrAppend(&yaml, "#   ", OneLine(item), "\n");
    }
  }
  absl::StrAppend(&yaml, config::WriteTemplateYaml(*imported.result));

  if (args.output.empty() || args.output == "-") {
    out << yaml;
    out.flush();
    return kExitPromote;
  }
  std::ofstream file(args.output, std::ios::binary | std::ios::trunc);
  if (file) file << yaml;
  if (file) file.close();
  if (!file) {
    err << kCommandName << ": " << args.output << ": cannot write: " << std::strerror(errno)
        << "\n";
    return kExitUsage;
  }
  err << kCommandName << ": wrote " << args.output << " (" << imported.result->metrics.size()
      << " metrics; " << imported.unsupported.size() << " constructs not imported)\n";
  return kExitPromote;
}

void AddImportCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ImportKayentaArgs>();
  CLI::App* import =
      app.add_subcommand("import", "Write an analysis template from another tool's config");
  import->require_subcommand(1);
  CLI::App* kayenta = import->add_subcommand(
      "kayenta", "Write an analysis template equivalent to a Kayenta canary config (JSON)");
  kayenta->add_option("config", args->config, "The canary config (JSON); - reads standard input")
      ->required();
  kayenta->add_option("--name", args->name,
                      "The template's name (default: the config's name, made a valid name)");
  kayenta->add_option("--output,-o", args->output,
                      "Write the template to FILE instead of standard output");
  kayenta->footer(
      "Maps metrics, groups and weights, direction, critical, mustHaveData, nanStrategy,\n"
      "outliers, meanRatio effect sizes, Prometheus queries (PromQL: templates, ${scope},\n"
      "${location}) and score thresholds. Every construct that has no equivalent is listed on\n"
      "stderr as 'CONFIG.json: <json path>: not imported: <why>' and in the template's header.\n"
      "Exit 0 when the template was written (also with constructs not imported), 64 when the\n"
      "config cannot be read, is not a canary config or has no metric that can be imported.\n"
      "Details: docs/cli.md.");
  kayenta->callback([args, &run] {
    run = [args] { return RunImportKayentaCommand(*args, std::cout, std::cerr); };
  });
}

}  // namespace augur::cli
