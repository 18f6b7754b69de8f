#include "cli/number_reader.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace augur::cli {
namespace {

std::string Quoted(absl::string_view token) {
  constexpr size_t kMax = 40;
  if (token.size() <= kMax) return absl::StrCat("'", token, "'");
  return absl::StrCat("'", token.substr(0, kMax), "...'");
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

absl::StatusOr<std::vector<double>> ReadNumbers(std::istream& in, absl::string_view source) {
  std::vector<double> values;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    size_t pos = 0;
    while (pos < line.size()) {
      while (pos < line.size() && IsSpace(line[pos])) ++pos;
      if (pos == line.size()) break;
      size_t end = pos;
      while (end < line.size() && !IsSpace(line[end])) ++end;
      const absl::string_view token(line.data() + pos, end - pos);
      pos = end;

      // from_chars takes no leading '+'; accept one as people write it.
      absl::string_view digits = token;
      if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
      double value = 0.0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc::result_out_of_range) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", line_number, ": ", Quoted(token), " is out of the range of a double"));
      }
      if (ec != std::errc() || ptr != digits.data() + digits.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", line_number, ": ", Quoted(token), " is not a number"));
      }
      if (std::isnan(value)) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", line_number, ": ", Quoted(token),
                         " is NaN; the test takes numbers only (remove missing values first)"));
      }
      values.push_back(value);
    }
  }
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(source, ": read error after line ", line_number));
  }
  return values;
}

absl::StatusOr<std::vector<double>> ReadNumbersFromFile(absl::string_view path,
                                                        std::istream& stdin) {
  if (path == "-") return ReadNumbers(stdin, "<stdin>");
  std::ifstream file{std::string(path)};
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  return ReadNumbers(file, path);
}

}  // namespace augur::cli
