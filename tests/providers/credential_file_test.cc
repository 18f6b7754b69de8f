#include "providers/prometheus/credential_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace augur::providers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CredentialFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::MakeTempDir("augur-credential-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(CredentialFileTest, StripsTheTrailingNewline) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(testing::WriteFile(path, "s3cret-token\n").ok());
  CredentialFile file(path, "bearer token file");
  auto value = file.Get();
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, "s3cret-token");
}

TEST_F(CredentialFileTest, RereadsAFileRewrittenInPlace) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(testing::WriteFile(path, "first").ok());
  CredentialFile file(path, "bearer token file");
  ASSERT_EQ(*file.Get(), "first");
  ASSERT_TRUE(testing::WriteFile(path, "second-token").ok());  // the size changes
  EXPECT_EQ(*file.Get(), "second-token");
}

TEST_F(CredentialFileTest, RereadsWhenASymlinkIsSwappedAsKubernetesDoes) {
  // Kubernetes projects a token as ..data -> ..TIMESTAMP/ and swaps the link atomically.
  ASSERT_EQ(mkdir((dir_ + "/v1").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir_ + "/v2").c_str(), 0755), 0);
  ASSERT_TRUE(testing::WriteFile(dir_ + "/v1/token", "token-one").ok());
  ASSERT_TRUE(testing::WriteFile(dir_ + "/v2/token", "token-two").ok());  // same size
  ASSERT_EQ(symlink("v1", (dir_ + "/..data").c_str()), 0);
  ASSERT_EQ(symlink("..data/token", (dir_ + "/token").c_str()), 0);
  CredentialFile file(dir_ + "/token", "bearer token file");
  ASSERT_EQ(*file.Get(), "token-one");
  ASSERT_EQ(symlink("v2", (dir_ + "/..data_tmp").c_str()), 0);
  ASSERT_EQ(std::rename((dir_ + "/..data_tmp").c_str(), (dir_ + "/..data").c_str()), 0);
  EXPECT_EQ(*file.Get(), "token-two");
}

TEST_F(CredentialFileTest, MissingFileIsFailedPreconditionNamingThePath) {
  CredentialFile file(dir_ + "/absent", "bearer token file");
  auto value = file.Get();
  EXPECT_TRUE(absl::IsFailedPrecondition(value.status()));
  EXPECT_THAT(value.status().message(), HasSubstr("bearer token file " + dir_ + "/absent"));
}

TEST_F(CredentialFileTest, EmptyFileIsAnErrorThatDoesNotEchoContent) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(testing::WriteFile(path, "  \n").ok());
  CredentialFile file(path, "bearer token file");
  auto value = file.Get();
  EXPECT_TRUE(absl::IsFailedPrecondition(value.status()));
  EXPECT_THAT(value.status().message(), HasSubstr("empty"));
}

TEST_F(CredentialFileTest, MultiLineSecretIsRejectedWithoutShowingIt) {
  const std::string path = dir_ + "/token";
  ASSERT_TRUE(testing::WriteFile(path, "line-one\nline-two\n").ok());
  CredentialFile file(path, "basic auth password file");
  auto value = file.Get();
  EXPECT_TRUE(absl::IsFailedPrecondition(value.status()));
  EXPECT_THAT(value.status().message(), Not(HasSubstr("line-one")));
}

}  // namespace
}  // namespace augur::providers
