#include "core/time_series.h"

#include <string>

#include "gtest/gtest.h"

namespace augur {
namespace {

TEST(FormatLabelsTest, NoLabelsIsAnEmptySelector) { EXPECT_EQ(FormatLabels({}), "{}"); }

TEST(FormatLabelsTest, NameOnlyIsTheBareName) {
  EXPECT_EQ(FormatLabels({{"__name__", "up"}}), "up");
}

TEST(FormatLabelsTest, NameAndLabelsReadAsAPromqlSelector) {
  EXPECT_EQ(FormatLabels({{"__name__", "up"}, {"job", "api"}}), R"(up{job="api"})");
  EXPECT_EQ(FormatLabels({{"__name__", "up"}, {"instance", "10.0.0.1:9090"}, {"job", "api"}}),
            R"(up{instance="10.0.0.1:9090", job="api"})");
}

TEST(FormatLabelsTest, LabelsWithoutANameKeepTheBraces) {
  EXPECT_EQ(FormatLabels({{"job", "api"}}), R"({job="api"})");
  EXPECT_EQ(FormatLabels({{"job", "api"}, {"version", "canary"}}),
            R"({job="api", version="canary"})");
}

TEST(FormatLabelsTest, NameGoesFirstEvenWhenItSortsAfterALabel) {
  // 'A' (0x41) sorts before '_' (0x5f), so a sorted label set can hold a label before __name__.
  EXPECT_EQ(FormatLabels({{"A", "x"}, {"__name__", "up"}}), R"(up{A="x"})");
}

TEST(FormatLabelsTest, EscapesValuesAsPromqlStrings) {
  const struct {
    const char* value;
    const char* want;
  } kCases[] = {
      {R"(say "hi")", R"({msg="say \"hi\""})"},
      {R"(C:\dir)", R"({msg="C:\\dir"})"},
      {"line1\nline2", R"({msg="line1\nline2"})"},
      {R"(\")", R"({msg="\\\""})"},
      {"", R"({msg=""})"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatLabels({{"msg", c.value}}), c.want);
  }
}

TEST(ResultTypeNameTest, NamesTypesAsThePrometheusApi) {
  EXPECT_EQ(ResultTypeName(ResultType::kMatrix), "matrix");
  EXPECT_EQ(ResultTypeName(ResultType::kVector), "vector");
  EXPECT_EQ(ResultTypeName(ResultType::kScalar), "scalar");
}

}  // namespace
}  // namespace augur
