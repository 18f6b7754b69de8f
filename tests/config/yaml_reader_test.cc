#include "config/yaml_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace augur::config {
namespace {

// ParseOneDocument builds its tree from parser events instead of calling YAML::Load; the two
// must agree on everything the readers can see. YAML::Dump shows types, values, order, repeated
// keys, shared (aliased) nodes and tags.
void ExpectSameTreeAsYamlLoad(const std::string& text) {
  SCOPED_TRACE(text);
  Diagnostics diagnostics;
  const std::optional<YAML::Node> ours = ParseOneDocument(text, "x", "one only", diagnostics);
  ASSERT_TRUE(ours.has_value()) << diagnostics.Format("t.yaml");
  const YAML::Node theirs = YAML::Load(text);
  EXPECT_EQ(YAML::Dump(*ours), YAML::Dump(theirs));
  EXPECT_EQ(ours->Type(), theirs.Type());
  EXPECT_EQ(ours->Tag(), theirs.Tag());
}

TEST(YamlReaderTest, TreeMatchesYamlLoadOnTrickyDocuments) {
  const std::vector<std::string> documents = {
      "a: 1\nb: [x, 'y', \"z\"]\nc: {d: ~, e: null, f: }\n",
      "- &anchor {k: v, list: [1, 2]}\n- *anchor\n- plain\n- !custom tagged\n",
      "key: &s shared\nother: *s\n? [complex, key]\n: value\n",
      "dup: 1\ndup: 2\n",
      "---\nstarts: explicit\n",
      "literal: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
      "nested:\n  - name: a\n    items:\n      - - deep\n        - er\n  - name: b\n",
      "just a scalar\n",
      "[1, [2, [3, {four: 4}]]]\n",
      "empty_map: {}\nempty_list: []\nquoted_null: 'null'\n",
      "!!map {a: !!str 1, b: !!int 2}\n",
  };
  for (const std::string& text : documents) ExpectSameTreeAsYamlLoad(text);
}

TEST(YamlReaderTest, TreeMatchesYamlLoadOnEveryShippedTemplateAndFuzzSeed) {
  const std::filesystem::path root(AUGUR_SOURCE_DIR);
  int files = 0;
  for (const char* dir : {"examples", "fuzz/seeds/template_loader", "tests/analysis/integration"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      Diagnostics diagnostics;
      // Seeds include broken documents on purpose; compare where both sides accept one.
      const std::optional<YAML::Node> ours =
          ParseOneDocument(text.str(), "x", "one only", diagnostics);
      if (!ours) continue;
      SCOPED_TRACE(entry.path().string());
      EXPECT_EQ(YAML::Dump(*ours), YAML::Dump(YAML::Load(text.str())));
      ++files;
    }
  }
  EXPECT_GE(files, 10);
}

}  // namespace
}  // namespace augur::config
