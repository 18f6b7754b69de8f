// Oracles shared by the fuzzers: properties that must hold for every input, beyond "no crash".
// A broken property prints what broke and aborts, which libFuzzer reports as a crash and saves
// as an artifact.
#ifndef AUGUR_FUZZ_FUZZ_CHECKS_H_
#define AUGUR_FUZZ_FUZZ_CHECKS_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "config/query_template.h"

#define FUZZ_CHECK(condition, ...)                                                              \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      std::fprintf(stderr, __VA_ARGS__);                                                        \
      std::fprintf(stderr, "\n");                                                               \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

namespace augur::fuzz {

// The lexical shape of a PromQL text, as Prometheus' lexer sees it: one character per region
// entered ("..." '...' `...` and # comments) and '.' when it ends, then the region the text ends
// in. A value filled into a query must never change it, whatever the value holds: rendering
// the same query with the fuzzer's values and with a harmless "a" everywhere must give the same
// shape (placeholders in code only take names and numbers, which hold no quote, ` or #).
inline std::string PromQLShape(absl::string_view query) {
  std::string shape;
  char state = 'c';  // c(ode), ", ', `, #
  for (size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    switch (state) {
      case 'c':
        if (c == '"' || c == '\'' || c == '`' || c == '#') {
          state = c;
          shape.push_back(c);
        }
        break;
      case '"':
      case '\'':
        if (c == '\\') {
          ++i;  // an escape: the next character cannot end the string
        } else if (c == state) {
          state = 'c';
          shape.push_back('.');
        }
        break;
      case '`':
        if (c == '`') {
          state = 'c';
          shape.push_back('.');
        }
        break;
      case '#':
        if (c == '\n') {
          state = 'c';
          shape.push_back('.');
        }
        break;
    }
  }
  shape.push_back(state);
  return shape;
}

// Every value in every position: the harmless one.
inline config::PlaceholderValues HarmlessValues(const config::PlaceholderValues& like) {
  config::PlaceholderValues values;
  values.scope = values.window = values.step = "a";
  for (const auto& [name, value] : like.args) values.args[name] = "a";
  return values;
}

// Renders `query` with `values`; when that succeeds, the result must have the shape of the
// harmless rendering, and the harmless rendering must succeed whenever this one does.
inline void CheckRenderKeepsShape(absl::string_view query,
                                  const config::PlaceholderValues& values) {
  auto rendered = config::RenderQuery(query, values);
  auto harmless = config::RenderQuery(query, HarmlessValues(values));
  if (!rendered.ok()) return;
  FUZZ_CHECK(harmless.ok(), "renders with the values but not with harmless ones: %s",
             std::string(harmless.status().message()).c_str());
  const std::string got = PromQLShape(*rendered);
  const std::string want = PromQLShape(*harmless);
  FUZZ_CHECK(got == want,
             "a value changed the query's structure\n  query:    %s\n  rendered: %s\n"
             "  shape %s, expected %s",
             std::string(query).c_str(), rendered->c_str(), got.c_str(), want.c_str());
}

// EscapePromQLString must give a "..." body that holds no bare quote or control character and
// reads back, with PromQL's escapes, as the value itself.
inline void CheckEscapeRoundTrips(absl::string_view value) {
  const std::string escaped = config::EscapePromQLString(value);
  std::string back;
  for (size_t i = 0; i < escaped.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(escaped[i]);
    FUZZ_CHECK(c != '"' && c >= 0x20 && c != 0x7f, "bare byte 0x%02x in escaped string", c);
    if (c != '\\') {
      back.push_back(static_cast<char>(c));
      continue;
    }
    FUZZ_CHECK(i + 1 < escaped.size(), "escaped string ends in a lone backslash");
    const char e = escaped[++i];
    switch (e) {
      case '\\':
        back.push_back('\\');
        break;
      case '"':
        back.push_back('"');
        break;
      case 'n':
        back.push_back('\n');
        break;
      case 'r':
        back.push_back('\r');
        break;
      case 't':
        back.push_back('\t');
        break;
      case 'x': {
        FUZZ_CHECK(i + 2 < escaped.size(), "short \\x escape");
        const std::string hex(escaped.substr(i + 1, 2));
        char* end = nullptr;
        const long byte = std::strtol(hex.c_str(), &end, 16);
        FUZZ_CHECK(end == hex.c_str() + 2, "bad \\x escape %s", hex.c_str());
        back.push_back(static_cast<char>(byte));
        i += 2;
        break;
      }
      default:
        FUZZ_CHECK(false, "escape \\%c is not one PromQL accepts in \"...\"", e);
    }
  }
  FUZZ_CHECK(back == value, "escaped string does not read back as the value");
}

// QuoteRegex must backslash every RE2 metacharacter and nothing else, so the pattern matches
// the value only.
inline void CheckQuoteRegex(absl::string_view value) {
  constexpr absl::string_view kMeta = "\\.+*?()|[]{}^$";
  const std::string quoted = config::QuoteRegex(value);
  size_t k = 0;
  for (size_t i = 0; i < quoted.size(); ++i, ++k) {
    FUZZ_CHECK(k < value.size(), "quoted regex is longer than its value allows");
    if (quoted[i] == '\\') {
      FUZZ_CHECK(i + 1 < quoted.size() && kMeta.find(quoted[i + 1]) != absl::string_view::npos,
                 "backslash before a character that is not a metacharacter");
      ++i;
    } else {
      FUZZ_CHECK(kMeta.find(quoted[i]) == absl::string_view::npos,
                 "unquoted regex metacharacter '%c'", quoted[i]);
    }
    FUZZ_CHECK(quoted[i] == value[k], "quoted regex differs from the value at byte %zu", k);
  }
  FUZZ_CHECK(k == value.size(), "quoted regex is shorter than the value");
}

}  // namespace augur::fuzz

#endif  // AUGUR_FUZZ_FUZZ_CHECKS_H_
