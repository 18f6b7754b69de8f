// A minimal writer for one flat JSON object per line, enough for `augur stats` output.
#ifndef AUGUR_CLI_JSON_WRITER_H_
#define AUGUR_CLI_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace augur::cli {

// Formats a double with 17 significant digits, so it reads back as the same double. JSON has no
// infinities or NaN: they are written as the strings "Infinity", "-Infinity" and "NaN" (the
// convention of Kayenta and of JavaScript's names).
std::string JsonNumber(double value);

// Escapes and quotes a string.
std::string JsonString(absl::string_view value);

class JsonObjectWriter {
 public:
  JsonObjectWriter& Add(absl::string_view key, double value);
  JsonObjectWriter& Add(absl::string_view key, int64_t value);
  JsonObjectWriter& Add(absl::string_view key, absl::string_view value);
  JsonObjectWriter& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  JsonObjectWriter& Add(absl::string_view key, bool value);
  JsonObjectWriter& Add(absl::string_view key, const std::vector<std::string>& values);

  // The object, without a trailing newline.
  std::string Finish() const { return "{" + body_ + "}"; }

 private:
  void Key(absl::string_view key);
  std::string body_;
};

}  // namespace augur::cli

#endif  // AUGUR_CLI_JSON_WRITER_H_
