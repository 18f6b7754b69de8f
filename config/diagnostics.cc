#include "config/diagnostics.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace augur::config {
namespace {

// Optimal string alignment distance (Damerau-Levenshtein without repeated edits).
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Keeps a diagnostic on one line whatever the values it quotes: control characters are shown
// escaped (\n, \t, \xHH).
std::string OneLine(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

void Diagnostics::Error(absl::string_view path, absl::string_view message) {
  all_.push_back({Diagnostic::Severity::kError, OneLine(path), OneLine(message)});
  ++errors_;
}

void Diagnostics::Warning(absl::string_view path, absl::string_view message) {
  all_.push_back({Diagnostic::Severity::kWarning, OneLine(path), OneLine(message)});
}

void Diagnostics::SyntaxError(int line, int column, absl::string_view message) {
  Diagnostic d;
  d.message = OneLine(message);
  d.line = line;
  d.column = column;
  all_.push_back(std::move(d));
  ++errors_;
}

std::string Diagnostics::Format(absl::string_view file, bool with_warnings) const {
  std::string out;
  for (const Diagnostic& d : all_) {
    if (!with_warnings && d.severity == Diagnostic::Severity::kWarning) continue;
    if (d.line > 0) {
      absl::StrAppend(&out, file, ":", d.line, ":", d.column, ": ", d.message, "\n");
      continue;
    }
    absl::StrAppend(&out, file, ": ", d.path, d.path.empty() ? "" : ": ",
                    d.severity == Diagnostic::Severity::kWarning ? "warning: " : "", d.message,
                    "\n");
  }
  return out;
}

std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 0;
  const std::string lower = absl::AsciiStrToLower(word);
  for (const std::string& candidate : candidates) {
    if (absl::AsciiStrToLower(candidate) == lower) return candidate;
    const size_t distance = EditDistance(word, candidate);
    const size_t limit = candidate.size() <= 4 ? 1 : 2;
    if (distance <= limit && (best.empty() || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMeanSuffix(absl::string_view word, const std::vector<std::string>& candidates) {
  const std::string suggestion = DidYouMean(word, candidates);
  return suggestion.empty() ? "" : absl::StrCat(" (did you mean '", suggestion, "'?)");
}

}  // namespace augur::config
