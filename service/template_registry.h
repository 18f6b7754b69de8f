// TemplateRegistry: the analysis templates of the server's template directories, by name.
// Reload() reads them all again (SIGHUP) and swaps the set in one step, all or nothing: a bad
// reload keeps the old set and says why. Readers take a snapshot and are never blocked by a
// reload.
#ifndef AUGUR_SERVICE_TEMPLATE_REGISTRY_H_
#define AUGUR_SERVICE_TEMPLATE_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "config/analysis_template.h"

namespace augur::service {

struct LoadedTemplate {
  config::AnalysisTemplate spec;
  std::string file;  // where it came from; empty for inline YAML
  std::string yaml;  // its text, which a run stores so a restart judges with the same template
};

using TemplateSet = std::map<std::string, std::shared_ptr<const LoadedTemplate>>;

class TemplateRegistry {
 public:
  explicit TemplateRegistry(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  // Loads every *.yaml / *.yml file of every directory (not recursive). Errors, each naming the
  // file: a directory that cannot be read, a template that does not validate (its first
  // problem, with the path), two templates with one name. On error the current set stays.
  absl::Status Reload();

  std::shared_ptr<const TemplateSet> Snapshot() const;

  // NotFound naming the template and the known names.
  absl::StatusOr<std::shared_ptr<const LoadedTemplate>> Find(const std::string& name) const;

  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  const std::vector<std::string> dirs_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const TemplateSet> set_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const TemplateSet>();
};

// Parses inline YAML (a request's template). InvalidArgument with every error, each with its
// path ("template: metrics[1].judge: ...").
absl::StatusOr<std::shared_ptr<const LoadedTemplate>> ParseInlineTemplate(const std::string& yaml);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_TEMPLATE_REGISTRY_H_
