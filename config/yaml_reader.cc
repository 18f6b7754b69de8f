#include "config/yaml_reader.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/time_parse.h"
#include "yaml-cpp/eventhandler.h"

namespace augur::config {

namespace {

// Builds the first document's tree from the parser's events, as YAML::Load would, and notes
// where every document starts: one parse both counts the documents (several are refused, and
// yaml-cpp's own LoadAll loop never ends on some malformed input) and yields the tree. Building
// it with Node's public API, rather than parsing a second time with YAML::Load, halves the cost
// of loading a template. Marks are not kept; diagnostics name paths, not lines.
class FirstDocumentBuilder final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    Add(YAML::Node(YAML::NodeType::Null), anchor);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (Building()) Add(anchors_.at(anchor), YAML::NullAnchor);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!Building()) return;
    YAML::Node node(value);
    node.SetTag(tag);
    Add(node, anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Open(YAML::NodeType::Sequence, tag, anchor, style);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(YAML::NodeType::Map, tag, anchor, style);
  }
  void OnMapEnd() override { Close(); }

  std::vector<YAML::Mark> starts;
  YAML::Node root;  // the first document; undefined when there is none

 private:
  struct Collection {
    YAML::Node node;
    std::optional<YAML::Node> key;  // a mapping's key waiting for its value
  };

  bool Building() const { return starts.size() == 1; }

  void Open(YAML::NodeType::value type, const std::string& tag, YAML::anchor_t anchor,
            YAML::EmitterStyle::value style) {
    if (!Building()) return;
    YAML::Node node(type);
    node.SetTag(tag);
    node.SetStyle(style);
    // Nodes are handles: the collection added to its parent now fills in place later.
    Add(node, anchor);
    open_.push_back(Collection{node, std::nullopt});
  }

  void Close() {
    if (Building()) open_.pop_back();
  }

  void Add(const YAML::Node& node, YAML::anchor_t anchor) {
    if (!Building()) return;
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
    if (open_.empty()) {
      root = node;
      return;
    }
    Collection& parent = open_.back();
    if (parent.node.IsSequence()) {
      parent.node.push_back(node);
    } else if (!parent.key) {
      parent.key = node;
    } else {
      // force_insert keeps a repeated key, which the readers then report.
      parent.node.force_insert(*parent.key, node);
      parent.key.reset();
    }
  }

  std::vector<Collection> open_;
  std::map<YAML::anchor_t, YAML::Node> anchors_;
};

}  // namespace

std::optional<std::string> ReadTextFile(const std::string& path, Diagnostics& diagnostics) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.Error("", absl::StrCat("cannot read: ", std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<YAML::Node> ParseOneDocument(const std::string& text, absl::string_view what,
                                           absl::string_view several, Diagnostics& diagnostics) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    FirstDocumentBuilder builder;
    // Three are enough to tell one document from several; never more, so no loop.
    int documents = 0;
    while (documents < 3 && parser.HandleNextDocument(builder)) {
      ++documents;
      const auto& starts = builder.starts;
      if (starts.size() >= 2 && starts[starts.size() - 1].pos == starts[starts.size() - 2].pos) {
        const YAML::Mark& at = starts.back();
        diagnostics.SyntaxError(at.line + 1, at.column + 1,
                                "YAML syntax: unexpected text where a document should start");
        return std::nullopt;
      }
    }
    if (documents > 1) {
      diagnostics.Error("", absl::StrCat("holds ", documents == 3 ? "3 or more" : "2",
                                         " YAML documents; ", several));
      return std::nullopt;
    }
    const YAML::Node root = builder.root;
    if (documents == 0 || !root.IsDefined() || root.IsNull()) {
      diagnostics.Error("", absl::StrCat("is empty: expected ", what));
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& e) {
    diagnostics.SyntaxError(e.mark.line + 1, e.mark.column + 1,
                            absl::StrCat("YAML syntax: ", e.msg));
    return std::nullopt;
  }
}

std::string KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return absl::StrCat("'", node.Scalar(), "'");
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

std::string ChildPath(const std::string& path, const std::string& key) {
  return path.empty() ? key : absl::StrCat(path, ".", key);
}

std::string IndexPath(const std::string& path, size_t index) {
  return absl::StrCat(path, "[", index, "]");
}

YamlMap::YamlMap(const YAML::Node& node, std::string path, std::vector<std::string> known,
                 Diagnostics& diagnostics)
    : node_(node), path_(std::move(path)), diagnostics_(diagnostics) {
  if (!node.IsMap()) {
    diagnostics_.Error(path_, absl::StrCat("must be a mapping, got ", KindName(node)));
    return;
  }
  is_map_ = true;
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      diagnostics_.Error(path_, "keys must be plain names");
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (!seen.insert(key).second) {
      diagnostics_.Error(PathOf(key), "appears twice");
      continue;
    }
    if (key == "<<") {
      diagnostics_.Error(PathOf(key),
                         "YAML merge keys (<<) are not supported; anchor and alias "
                         "the whole mapping, or repeat its fields");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string suggestion = DidYouMean(key, known);
      diagnostics_.Error(
          PathOf(key), suggestion.empty()
                           ? absl::StrCat("unknown field (known: ", absl::StrJoin(known, ", "), ")")
                           : absl::StrCat("unknown field; did you mean '", suggestion, "'?"));
    }
  }
}

bool YamlMap::Has(const std::string& key) const {
  if (!is_map_) return false;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node YamlMap::Get(const std::string& key) const {
  if (!is_map_) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::string> YamlMap::Scalar(const std::string& key, const char* expected,
                                           bool required) {
  if (!Has(key)) {
    if (required && is_map_) diagnostics_.Error(PathOf(key), "is required");
    return std::nullopt;
  }
  const YAML::Node value = Get(key);
  if (!value.IsScalar()) {
    diagnostics_.Error(PathOf(key), absl::StrCat("must be ", expected, ", got ", KindName(value)));
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<std::string> YamlMap::String(const std::string& key, bool required) {
  auto text = Scalar(key, "a string", required);
  if (text && text->empty() && required) {
    diagnostics_.Error(PathOf(key), "must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<double> YamlMap::Number(const std::string& key, bool required) {
  auto text = Scalar(key, "a number", required);
  if (!text) return std::nullopt;
  double value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value) || text->empty()) {
    diagnostics_.Error(PathOf(key), absl::StrCat("must be a number, got '", *text, "'"));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> YamlMap::Integer(const std::string& key, bool required) {
  auto text = Scalar(key, "a whole number", required);
  if (!text) return std::nullopt;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || ptr != text->data() + text->size() || text->empty()) {
    diagnostics_.Error(PathOf(key), absl::StrCat("must be a whole number, got '", *text, "'"));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlMap::Bool(const std::string& key) {
  auto text = Scalar(key, "true or false", false);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  diagnostics_.Error(PathOf(key), absl::StrCat("must be true or false, got '", *text, "'"));
  return std::nullopt;
}

std::optional<std::string> YamlMap::Enum(const std::string& key,
                                         const std::vector<std::string>& allowed, bool required) {
  auto text = Scalar(key, absl::StrCat("one of ", absl::StrJoin(allowed, ", ")).c_str(), required);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return text;
  diagnostics_.Error(PathOf(key),
                     absl::StrCat("must be one of ", absl::StrJoin(allowed, ", "), "; got '", *text,
                                  "'", DidYouMeanSuffix(*text, allowed)));
  return std::nullopt;
}

std::optional<absl::Duration> YamlMap::Duration(const std::string& key, bool positive) {
  auto text = Scalar(key, "a duration", false);
  if (!text) return std::nullopt;
  auto duration = ParseDuration(*text);
  if (!duration.ok()) {
    diagnostics_.Error(
        PathOf(key),
        absl::StrCat("must be a duration such as 30s, 5m or 1h30m, got '", *text, "'"));
    return std::nullopt;
  }
  if (positive && *duration <= absl::ZeroDuration()) {
    diagnostics_.Error(PathOf(key), absl::StrCat("must be longer than 0, got '", *text, "'"));
    return std::nullopt;
  }
  return *duration;
}

}  // namespace augur::config
