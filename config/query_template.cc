#include "config/query_template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace augur::config {
namespace {

constexpr absl::string_view kKnown = "known: scope, window, step, args.NAME";

bool IsArgNameStart(char c) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsArgNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

absl::Status CheckName(absl::string_view name, size_t offset) {
  if (name == "scope" || name == "window" || name == "step") return absl::OkStatus();
  absl::string_view arg = name;
  if (absl::ConsumePrefix(&arg, "args.") && !arg.empty() && IsArgNameStart(arg[0])) {
    bool ok = true;
    for (char c : arg) ok = ok && IsArgNameChar(c);
    if (ok) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown placeholder '{{", name, "}}' at byte ", offset, " (", kKnown, ")"));
}

// A value written where PromQL expects code: a plain name or a decimal number cannot change
// the query's structure; nothing else is let through.
bool IsSafeCode(absl::string_view value) {
  if (value.empty()) return false;
  bool name = true;
  for (char c : value) {
    name = name && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':');
  }
  if (name) return true;
  size_t i = 0;
  if (value[i] == '-' || value[i] == '+') ++i;
  const size_t digits_begin = i;
  while (i < value.size() && absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) ++i;
  size_t digits = i - digits_begin;
  if (i < value.size() && value[i] == '.') {
    const size_t fraction_begin = ++i;
    while (i < value.size() && absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) ++i;
    digits += i - fraction_begin;
  }
  if (digits == 0) return false;
  if (i < value.size() && (value[i] == 'e' || value[i] == 'E')) {
    ++i;
    if (i < value.size() && (value[i] == '-' || value[i] == '+')) ++i;
    const size_t exponent_begin = i;
    while (i < value.size() && absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) ++i;
    if (i == exponent_begin) return false;
  }
  return i == value.size();
}

std::string EscapeFor(absl::string_view value, char quote) {
  std::string out;
  out.reserve(value.size() + 2);
  for (unsigned char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out.push_back('\\');
          out.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

}  // namespace

std::string EscapePromQLString(absl::string_view value) {
  // PromQL accepts \" in "..." and \' in '...', not the other way round: this form is for
  // "...", the renderer escapes for whichever quote encloses the placeholder.
  return EscapeFor(value, '"');
}

std::string QuoteRegex(absl::string_view value) {
  std::string out;
  out.reserve(value.size() * 2);
  for (char c : value) {
    if (absl::string_view("\\.+*?()|[]{}^$").find(c) != absl::string_view::npos) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<std::vector<Placeholder>> ScanPlaceholders(absl::string_view query) {
  std::vector<Placeholder> found;
  PlaceholderContext state = PlaceholderContext::kCode;
  char quote = 0;
  bool regex = false;
  // The last two non-blank characters of code, to tell =~ "..." from = "...".
  char before_last = 0, last = 0;
  size_t i = 0;
  while (i < query.size()) {
    if (query.substr(i, 2) == "{{") {
      const size_t close = query.find("}}", i + 2);
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("'{{' at byte ", i, " has no closing '}}'"));
      }
      const absl::string_view name = absl::StripAsciiWhitespace(query.substr(i + 2, close - i - 2));
      if (absl::Status s = CheckName(name, i); !s.ok()) return s;
      Placeholder placeholder;
      placeholder.name = std::string(name);
      placeholder.begin = i;
      placeholder.end = close + 2;
      placeholder.context =
          state == PlaceholderContext::kString && regex ? PlaceholderContext::kRegex : state;
      if (state == PlaceholderContext::kString) placeholder.quote = quote;
      found.push_back(std::move(placeholder));
      i = close + 2;
      if (state == PlaceholderContext::kCode) before_last = last = 'x';
      continue;
    }
    const char c = query[i];
    switch (state) {
      case PlaceholderContext::kCode:
        if (c == '"' || c == '\'') {
          state = PlaceholderContext::kString;
          quote = c;
          regex = last == '~' && (before_last == '=' || before_last == '!');
        } else if (c == '`') {
          state = PlaceholderContext::kRawString;
          regex = false;
        } else if (c == '#') {
          state = PlaceholderContext::kComment;
        } else if (!absl::ascii_isspace(static_cast<unsigned char>(c))) {
          before_last = last;
          last = c;
        }
        break;
      case PlaceholderContext::kString:
      case PlaceholderContext::kRegex:
        if (c == '\\') {
          ++i;  // the escaped character cannot end the string
        } else if (c == quote) {
          state = PlaceholderContext::kCode;
          before_last = last = '"';
        }
        break;
      case PlaceholderContext::kRawString:
        if (c == '`') {
          state = PlaceholderContext::kCode;
          before_last = last = '`';
        }
        break;
      case PlaceholderContext::kComment:
        if (c == '\n') state = PlaceholderContext::kCode;
        break;
    }
    ++i;
  }
  return found;
}

absl::StatusOr<std::string> RenderQuery(absl::string_view query, const PlaceholderValues& values) {
  auto placeholders = ScanPlaceholders(query);
  if (!placeholders.ok()) return placeholders.status();
  std::string out;
  out.reserve(query.size() + 64);
  size_t copied = 0;
  for (const Placeholder& placeholder : *placeholders) {
    out.append(query.data() + copied, placeholder.begin - copied);
    copied = placeholder.end;
    std::string value;
    if (placeholder.name == "scope") {
      value = values.scope;
    } else if (placeholder.name == "window") {
      value = values.window;
    } else if (placeholder.name == "step") {
      value = values.step;
    } else {
      const std::string arg = placeholder.name.substr(5);
      const auto it = values.args.find(arg);
      if (it == values.args.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "{{", placeholder.name, "}} has no value: pass the argument or give it a default"));
      }
      value = it->second;
    }
    const char quote = placeholder.quote != 0 ? placeholder.quote : '"';
    switch (placeholder.context) {
      case PlaceholderContext::kString:
      case PlaceholderContext::kComment:
        out.append(EscapeFor(value, quote));
        break;
      case PlaceholderContext::kRegex:
        out.append(EscapeFor(QuoteRegex(value), quote));
        break;
      case PlaceholderContext::kRawString:
        if (value.find('`') != std::string::npos) {
          return absl::InvalidArgumentError(
              absl::StrCat("{{", placeholder.name,
                           "}} stands in a `raw string` and its value contains '`', which would "
                           "end it; use a \"quoted string\" in the query"));
        }
        out.append(value);
        break;
      case PlaceholderContext::kCode:
        if (!IsSafeCode(value)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "{{", placeholder.name,
              "}} stands outside a string literal, where only a plain name ([A-Za-z0-9_:]) or a "
              "number is safe; got a value with other characters (put the placeholder inside "
              "quotes)"));
        }
        out.append(value);
        break;
    }
  }
  out.append(query.data() + copied, query.size() - copied);
  return out;
}

}  // namespace augur::config
