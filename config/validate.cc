#include "config/validate.h"

#include <filesystem>

#include "config/augur_config.h"
#include "config/template_loader.h"
#include "config/yaml_reader.h"
#include "yaml-cpp/yaml.h"

namespace augur::config {
namespace {

bool IsConfig(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    return root.IsMap() && root["kind"].IsScalar() && root["kind"].Scalar() == "Config";
  } catch (const YAML::Exception&) {
    return false;  // the template loader reports the syntax error
  }
}

}  // namespace

FileCheck CheckFile(const std::string& path) {
  FileCheck check;
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    std::string dir = path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    check.diagnostics.Error("", "is a directory; give the files, e.g. " + dir + "/*.yaml");
    return check;
  }
  const std::optional<std::string> read = ReadTextFile(path, check.diagnostics);
  if (!read) {
    check.kind = "AnalysisTemplate";
    return check;
  }
  const std::string& text = *read;
  if (IsConfig(text)) {
    ConfigLoad load = LoadConfig(text);
    check.kind = "Config";
    check.ok = load.result.has_value();
    check.diagnostics = std::move(load.diagnostics);
  } else {
    TemplateLoad load = LoadTemplate(text);
    check.kind = "AnalysisTemplate";
    check.ok = load.result.has_value();
    check.diagnostics = std::move(load.diagnostics);
  }
  return check;
}

}  // namespace augur::config
