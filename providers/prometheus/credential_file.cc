#include "providers/prometheus/credential_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace augur::providers {

CredentialFile::CredentialFile(std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)) {}

absl::StatusOr<std::string> CredentialFile::Get() {
  const auto failed = [this](absl::string_view why) {
    return absl::FailedPreconditionError(absl::StrCat(what_, " ", path_, ": ", why));
  };
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) return failed(std::strerror(errno));
  const Signature signature{
      static_cast<uint64_t>(info.st_dev), static_cast<uint64_t>(info.st_ino),
      static_cast<int64_t>(info.st_size),
      static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
  std::lock_guard<std::mutex> lock(mu_);
  if (signature == signature_) return value_;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return failed(std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  std::string value(absl::StripTrailingAsciiWhitespace(content.str()));
  if (value.empty()) return failed("the file is empty");
  if (value.find_first_of("\r\n") != std::string::npos) {
    return failed("the secret spans several lines; the file must hold it on one line");
  }
  value_ = std::move(value);
  signature_ = signature;
  return value_;
}

}  // namespace augur::providers
