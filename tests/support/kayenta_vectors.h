// Kayenta's judge test vectors (tests/data/kayenta/judge-test-vectors.json, see the README there),
// parsed once per test binary. Needs AUGUR_TEST_DATA_DIR from the test target.
#ifndef AUGUR_TESTS_SUPPORT_KAYENTA_VECTORS_H_
#define AUGUR_TESTS_SUPPORT_KAYENTA_VECTORS_H_

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace augur::testing {

// The whole file, or an empty object when it cannot be read (callers assert it is not empty).
inline const nlohmann::json& KayentaVectors() {
  static const nlohmann::json* vectors = [] {
    std::ifstream in(AUGUR_TEST_DATA_DIR "/kayenta/judge-test-vectors.json");
    return new nlohmann::json(in ? nlohmann::json::parse(in) : nlohmann::json::object());
  }();
  return *vectors;
}

// The case of `suite` named `name`; a test failure and an empty object when there is none.
inline const nlohmann::json& KayentaCase(const std::string& suite, const std::string& name) {
  const nlohmann::json& vectors = KayentaVectors();
  if (vectors.contains(suite)) {
    for (const nlohmann::json& c : vectors[suite]) {
      if (c["name"] == name) return c;
    }
  }
  ADD_FAILURE() << "no Kayenta case named " << name << " in " << suite;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  return kEmpty;
}

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SUPPORT_KAYENTA_VECTORS_H_
