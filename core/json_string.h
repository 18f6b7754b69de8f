// JSON string literals for the hand-written JSON writers (the Prometheus API answer writer, the
// server's log lines), which write numbers and structure themselves for speed and exact form.
#ifndef AUGUR_CORE_JSON_STRING_H_
#define AUGUR_CORE_JSON_STRING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace augur {

// What to do with bytes that are not well-formed UTF-8 (RFC 3629).
enum class InvalidUtf8 {
  kPassThrough,  // copy them (the caller vouches for its text, or mirrors what it was given)
  kReplace,      // write U+FFFD as \ufffd for each bad byte, so the output always parses
};

// Appends `text` quoted and escaped: ", \, \n, \r and \t by name, other control characters as
// \u00XX; everything else, valid UTF-8 included, byte for byte.
void AppendJsonString(std::string& out, absl::string_view text,
                      InvalidUtf8 invalid = InvalidUtf8::kPassThrough);

}  // namespace augur

#endif  // AUGUR_CORE_JSON_STRING_H_
