#include "service/template_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "config/template_loader.h"

namespace augur::service {
namespace {

// Every error, one line each as `augur validate` prints them, joined for a status message.
std::string Problems(const config::Diagnostics& diagnostics, const std::string& file) {
  return absl::StrJoin(
      absl::StrSplit(diagnostics.Format(file, /*with_warnings=*/false), '\n', absl::SkipEmpty()),
      "; ");
}

}  // namespace

absl::Status TemplateRegistry::Reload() {
  auto next = std::make_shared<TemplateSet>();
  for (const std::string& dir : dirs_) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("template directory ", dir, ": ", ec.message()));
    }
    for (const auto& entry : it) {
      const std::string ext = entry.path().extension().string();
      if ((ext == ".yaml" || ext == ".yml") && !entry.is_directory(ec)) {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& path : files) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        return absl::FailedPreconditionError(absl::StrCat(path.string(), ": cannot read"));
      }
      auto loaded = std::make_shared<LoadedTemplate>();
      loaded->file = path.string();
      loaded->yaml = text.str();
      config::TemplateLoad load = config::LoadTemplate(loaded->yaml);
      if (!load.result) {
        return absl::InvalidArgumentError(Problems(load.diagnostics, loaded->file));
      }
      loaded->spec = *std::move(load.result);
      const std::string name = loaded->spec.name;
      auto [at, inserted] = next->emplace(name, loaded);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(loaded->file, ": template '", name,
                                                       "' is also defined in ", at->second->file));
      }
    }
  }
  absl::MutexLock lock(&mu_);
  set_ = std::move(next);
  return absl::OkStatus();
}

std::shared_ptr<const TemplateSet> TemplateRegistry::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return set_;
}

absl::StatusOr<std::shared_ptr<const LoadedTemplate>> TemplateRegistry::Find(
    const std::string& name) const {
  const std::shared_ptr<const TemplateSet> set = Snapshot();
  auto it = set->find(name);
  if (it != set->end()) return it->second;
  std::vector<std::string> names;
  for (const auto& entry : *set) names.push_back(entry.first);
  return absl::NotFoundError(
      absl::StrCat("template '", name, "' is not loaded",
                   names.empty() ? " (no templates loaded)"
                                 : absl::StrCat("; known: ", absl::StrJoin(names, ", "))));
}

absl::StatusOr<std::shared_ptr<const LoadedTemplate>> ParseInlineTemplate(const std::string& yaml) {
  config::TemplateLoad load = config::LoadTemplate(yaml);
  if (!load.result) return absl::InvalidArgumentError(Problems(load.diagnostics, "template"));
  auto loaded = std::make_shared<LoadedTemplate>();
  loaded->spec = *std::move(load.result);
  loaded->yaml = yaml;
  return loaded;
}

}  // namespace augur::service
