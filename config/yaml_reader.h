// Typed, path-aware access to YAML mappings that records every problem in Diagnostics instead of
// stopping at the first: unknown keys (with "did you mean"), repeated keys, wrong types, values
// out of range. yaml-cpp's exceptions stop here.
#ifndef AUGUR_CONFIG_YAML_READER_H_
#define AUGUR_CONFIG_YAML_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "config/diagnostics.h"
#include "yaml-cpp/yaml.h"

namespace augur::config {

// The whole content of `path`, or nothing after recording "cannot read: <reason>".
std::optional<std::string> ReadTextFile(const std::string& path, Diagnostics& diagnostics);

// Parses `text` as exactly one YAML document. Records a syntax error (with line and column), "is
// empty: expected <what>", or "holds N YAML documents" and returns nothing otherwise. Never
// loops: yaml-cpp 0.7's LoadAll does, forever, on a document that starts with a stray token
// such as "," (jbeder/yaml-cpp#1040), so documents are counted with a bounded event pass.
// `several` ends the message for more than one document ("put one template in each file").
std::optional<YAML::Node> ParseOneDocument(const std::string& text, absl::string_view what,
                                           absl::string_view several, Diagnostics& diagnostics);

// "a mapping", "a list", "a value", "nothing": for messages.
std::string KindName(const YAML::Node& node);

// Joins a path and a key: Child("spec", "step") is "spec.step", Child("", "spec") is "spec".
std::string ChildPath(const std::string& path, const std::string& key);
std::string IndexPath(const std::string& path, size_t index);  // "spec.metrics[2]"

class YamlMap {
 public:
  // Records an error unless `node` is a mapping whose keys are plain, distinct and in `known`.
  YamlMap(const YAML::Node& node, std::string path, std::vector<std::string> known,
          Diagnostics& diagnostics);

  bool is_map() const { return is_map_; }
  const std::string& path() const { return path_; }
  std::string PathOf(const std::string& key) const { return ChildPath(path_, key); }
  bool Has(const std::string& key) const;
  YAML::Node Get(const std::string& key) const;

  // Each returns nothing when the key is absent (and `required` is false) or the value is wrong;
  // the error is recorded.
  std::optional<std::string> String(const std::string& key, bool required = false);
  std::optional<double> Number(const std::string& key, bool required = false);
  std::optional<int64_t> Integer(const std::string& key, bool required = false);
  std::optional<bool> Bool(const std::string& key);
  // One of `allowed`; otherwise "must be one of a, b, c; got 'x'" plus a suggestion.
  std::optional<std::string> Enum(const std::string& key, const std::vector<std::string>& allowed,
                                  bool required = false);
  // A Prometheus-style duration ("30s"); `positive` rejects 0.
  std::optional<absl::Duration> Duration(const std::string& key, bool positive = true);

  void Error(const std::string& key, const std::string& message) {
    diagnostics_.Error(PathOf(key), message);
  }

 private:
  // The scalar text of `key`, or nothing (recording "must be X, got a list" and the like).
  std::optional<std::string> Scalar(const std::string& key, const char* expected, bool required);

  YAML::Node node_;
  std::string path_;
  Diagnostics& diagnostics_;
  bool is_map_ = false;
};

}  // namespace augur::config

#endif  // AUGUR_CONFIG_YAML_READER_H_
