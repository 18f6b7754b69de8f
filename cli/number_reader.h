// Reads a sample of numbers from a text stream: numbers separated by spaces, tabs or newlines.
#ifndef AUGUR_CLI_NUMBER_READER_H_
#define AUGUR_CLI_NUMBER_READER_H_

#include <istream>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace augur::cli {

// Accepts decimal and scientific notation with an optional sign, and inf/-inf/infinity in any
// case. Fails (kInvalidArgument) on the first token that is not a number, or that is NaN, with
// "SOURCE:LINE: ..." naming the token. `source` names the input in messages (a path, or
// "<stdin>"). An input with no numbers yields an empty vector, not an error.
absl::StatusOr<std::vector<double>> ReadNumbers(std::istream& in, absl::string_view source);

// Opens `path` ("-" means `stdin`) and reads it with ReadNumbers. kNotFound if it cannot be opened.
absl::StatusOr<std::vector<double>> ReadNumbersFromFile(absl::string_view path,
                                                        std::istream& stdin);

}  // namespace augur::cli

#endif  // AUGUR_CLI_NUMBER_READER_H_
