#include "core/time_series.h"

#include "absl/strings/str_cat.h"

namespace augur {
namespace {

void AppendQuoted(std::string& out, absl::string_view value) {
  out.push_back('"');
  for (char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

std::string FormatLabels(const Labels& labels) {
  std::string out;
  bool first = true;
  bool named = false;
  for (const auto& [name, value] : labels) {
    if (name == "__name__") {
      out.insert(0, value);
      named = true;
      continue;
    }
    absl::StrAppend(&out, first ? "{" : ", ", name, "=");
    AppendQuoted(out, value);
    first = false;
  }
  if (!first) {
    out.push_back('}');
  } else if (!named) {
    out.append("{}");
  }
  return out;
}

absl::string_view ResultTypeName(ResultType type) {
  switch (type) {
    case ResultType::kMatrix:
      return "matrix";
    case ResultType::kVector:
      return "vector";
    case ResultType::kScalar:
      return "scalar";
  }
  return "unknown";
}

}  // namespace augur
