#include "cli/number_reader.h"

#include <cmath>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::cli {
namespace {

using ::testing::ElementsAre;

absl::StatusOr<std::vector<double>> Read(const std::string& text) {
  std::istringstream in(text);
  return ReadNumbers(in, "f.txt");
}

TEST(NumberReaderTest, SpacesTabsNewlinesAndNotations) {
  const auto v = Read("1 2\t3\n\n  4.5e-9\r\n+7 -0.25\ninf -Infinity\n1E3");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(*v, ElementsAre(1, 2, 3, 4.5e-9, 7, -0.25, INFINITY, -INFINITY, 1000));
}

TEST(NumberReaderTest, FullPrecisionRoundTrips) {
  const auto v = Read("0.033331431448459625 -1.4808028936386108e-05");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[0], 0.033331431448459625);
  EXPECT_EQ((*v)[1], -1.4808028936386108e-05);
}

TEST(NumberReaderTest, EmptyInputIsEmptyNotAnError) {
  const auto v = Read(" \n\t\n");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
}

TEST(NumberReaderTest, BadTokenNamesFileLineAndToken) {
  const auto v = Read("1 2\n3 4\n5 12ms 6\n");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v.status().message(), "f.txt:3: '12ms' is not a number");
}

TEST(NumberReaderTest, RejectsNaNWithReason) {
  const auto v = Read("1\nNaN\n");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(v.status().message()), ::testing::StartsWith("f.txt:2: 'NaN' is NaN"));
}

TEST(NumberReaderTest, RejectsOutOfRangeAndOddForms) {
  EXPECT_THAT(std::string(Read("1e999").status().message()),
              ::testing::HasSubstr("out of the range of a double"));
  for (const char* bad : {"1,5", "0x10", "--1", "+", "1e", ".", "1.2.3"}) {
    EXPECT_FALSE(Read(bad).ok()) << bad;
  }
}

TEST(NumberReaderTest, LongBadTokenIsShortenedInTheMessage) {
  const auto v = Read(std::string(200, 'x'));
  EXPECT_LT(v.status().message().size(), 80u);
}

TEST(NumberReaderTest, MissingFileIsNotFound) {
  std::istringstream in;
  const auto v = ReadNumbersFromFile("/nonexistent/augur-test.txt", in);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(v.status().message()),
              ::testing::HasSubstr("cannot open /nonexistent/augur-test.txt: No such file"));
}

TEST(NumberReaderTest, DashReadsTheGivenStream) {
  std::istringstream in("3 4 5");
  const auto v = ReadNumbersFromFile("-", in);
  ASSERT_TRUE(v.ok());
  EXPECT_THAT(*v, ElementsAre(3, 4, 5));
}

}  // namespace
}  // namespace augur::cli
