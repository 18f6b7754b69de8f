// Placeholder scanning and safe rendering. Expected strings follow PromQL's lexer
// (prometheus/promql/parser/lex.go: strings take \\, the enclosing quote, \a\b\f\n\r\t\v and
// \xHH escapes; `raw strings` take none) and RE2's metacharacters. The same injections are run
// against a real Prometheus in tests/providers/prometheus_integration_test.cc.
#include "config/query_template.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::config {
namespace {

using ::testing::HasSubstr;

PlaceholderValues Values(std::map<std::string, std::string> args = {}) {
  PlaceholderValues values;
  values.scope = "canary";
  values.window = "10m";
  values.step = "30s";
  values.args = std::move(args);
  return values;
}

std::string Render(absl::string_view query, std::map<std::string, std::string> args = {}) {
  auto rendered = RenderQuery(query, Values(std::move(args)));
  EXPECT_TRUE(rendered.ok()) << rendered.status();
  return rendered.ok() ? *rendered : "";
}

TEST(ScanPlaceholdersTest, FindsEachWithItsContext) {
  auto found = ScanPlaceholders(
      R"(sum(rate(x{a="{{args.a}}",b=~'{{ scope }}-.*',c=`{{step}}`}[{{window}}])) # {{args.z}})");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 5u);
  EXPECT_EQ((*found)[0].name, "args.a");
  EXPECT_EQ((*found)[0].context, PlaceholderContext::kString);
  EXPECT_EQ((*found)[0].quote, '"');
  EXPECT_EQ((*found)[1].name, "scope");
  EXPECT_EQ((*found)[1].context, PlaceholderContext::kRegex);
  EXPECT_EQ((*found)[1].quote, '\'');
  EXPECT_EQ((*found)[2].context, PlaceholderContext::kRawString);
  EXPECT_EQ((*found)[3].name, "window");
  EXPECT_EQ((*found)[3].context, PlaceholderContext::kCode);
  EXPECT_EQ((*found)[4].context, PlaceholderContext::kComment);
}

TEST(ScanPlaceholdersTest, EscapedQuotesDoNotEndTheString) {
  auto found = ScanPlaceholders(R"(x{a="q\"{{args.a}}"} + y{b="\\"} + {{args.n}})");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].context, PlaceholderContext::kString);
  EXPECT_EQ((*found)[1].context, PlaceholderContext::kCode);  // "\\" closed the second string
}

TEST(ScanPlaceholdersTest, OtherQuoteInsideAStringDoesNotConfuseIt) {
  auto found = ScanPlaceholders(R"(x{a="it's {{args.a}}"})");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)[0].quote, '"');
  EXPECT_EQ(Render(R"(x{a="it's {{args.a}}"})", {{"a", R"(a"b)"}}), R"(x{a="it's a\"b"})");
}

TEST(ScanPlaceholdersTest, RejectsUnknownAndUnclosedPlaceholders) {
  const struct {
    const char* query;
    const char* message;
  } cases[] = {
      {"x{a=\"{{args.a\"}", "'{{' at byte 5 has no closing '}}'"},
      {"x{a=\"{{env.HOME}}\"}", "unknown placeholder '{{env.HOME}}' at byte 5"},
      {"x{a=\"{{args}}\"}", "unknown placeholder '{{args}}'"},
      {"x{a=\"{{args.}}\"}", "unknown placeholder '{{args.}}'"},
      {"x{a=\"{{args.1a}}\"}", "unknown placeholder '{{args.1a}}'"},
      {"x{a=\"{{}}\"}", "unknown placeholder '{{}}'"},
      {"x{a=\"{{Scope}}\"}", "unknown placeholder '{{Scope}}'"},
  };
  for (const auto& c : cases) {
    auto found = ScanPlaceholders(c.query);
    EXPECT_TRUE(absl::IsInvalidArgument(found.status())) << c.query;
    EXPECT_THAT(found.status().message(), HasSubstr(c.message)) << c.query;
  }
}

TEST(RenderQueryTest, FillsEveryPlaceholder) {
  EXPECT_EQ(
      Render(R"(sum(increase(http_requests_total{service="{{args.service}}",)"
             R"(version="{{scope}}"}[{{window}}])) / {{step}})",
             {{"service", "checkout"}}),
      R"(sum(increase(http_requests_total{service="checkout",version="canary"}[10m])) / 30s)");
}

struct Injection {
  const char* name;
  const char* query;
  const char* value;
  const char* rendered;
};

class InjectionTest : public ::testing::TestWithParam<Injection> {};

TEST_P(InjectionTest, ValueStaysInsideItsLiteral) {
  EXPECT_EQ(Render(GetParam().query, {{"v", GetParam().value}}), GetParam().rendered);
}

INSTANTIATE_TEST_SUITE_P(
    Values, InjectionTest,
    ::testing::Values(
        Injection{"CloseMatcherAndOr", R"(x{a="{{args.v}}"})", R"(x"} or vector(1) #)",
                  R"(x{a="x\"} or vector(1) #"})"},
        Injection{"Backslash", R"(x{a="{{args.v}}"})", R"(a\b\)", R"(x{a="a\\b\\"})"},
        Injection{"BackslashThenQuote", R"(x{a="{{args.v}}"})", R"(\")", R"(x{a="\\\""})"},
        Injection{"Newline", R"(x{a="{{args.v}}"})", "a\nb\r\tc", R"(x{a="a\nb\r\tc"})"},
        Injection{"ControlAndDelete", R"(x{a="{{args.v}}"})", "a\x01\x7f", R"(x{a="a\x01\x7f"})"},
        Injection{"ClosingBrace", R"(x{a="{{args.v}}"})", "}", R"(x{a="}"})"},
        Injection{"SingleQuotedKeepsDoubleQuotes", R"(x{a='{{args.v}}'})", R"(it's "x")",
                  R"(x{a='it\'s "x"'})"},
        Injection{"RegexMetacharactersMatchThemselves", R"(x{a=~"{{args.v}}-.*"})",
                  R"(api.*|(db)[0-9]+?{2}^$\)",
                  R"(x{a=~"api\\.\\*\\|\\(db\\)\\[0-9\\]\\+\\?\\{2\\}\\^\\$\\\\-.*"})"},
        Injection{"NegativeRegexToo", R"(x{a!~"{{args.v}}"})", "a|b", R"(x{a!~"a\\|b"})"},
        Injection{"RegexWithSpaces", R"(x{a =~ '{{args.v}}'})", "a.b", R"(x{a =~ 'a\\.b'})"},
        Injection{"EqualsIsNotRegex", R"(x{a="{{args.v}}"})", "a.b", R"(x{a="a.b"})"},
        Injection{"UnicodePassesThrough", R"(x{a="{{args.v}}"})", "caf\xc3\xa9",
                  "x{a=\"caf\xc3\xa9\"}"},
        Injection{"CommentCannotEndTheLine", "x # {{args.v}}\n+ 1", "\nor vector(1)",
                  "x # \\nor vector(1)\n+ 1"},
        Injection{"NameInCode", R"({{args.v}}_total)", "http_requests", "http_requests_total"},
        Injection{"NumberInCode", R"(x > {{args.v}})", "-1.5e-3", "x > -1.5e-3"},
        Injection{"RawString", "x{a=`{{args.v}}`}", R"(a"b\c)", R"(x{a=`a"b\c`})"}),
    [](const ::testing::TestParamInfo<Injection>& param_info) { return param_info.param.name; });

TEST(RenderQueryTest, UnsafeValuesOutsideStringsAreRefused) {
  for (const char* value : {"x or vector(1)", "1)", "", "a-b", "1e+", "--1", "x}"}) {
    auto rendered = RenderQuery("sum(x) > {{args.v}}", Values({{"v", value}}));
    EXPECT_TRUE(absl::IsInvalidArgument(rendered.status())) << value;
    EXPECT_THAT(rendered.status().message(), HasSubstr("{{args.v}} stands outside a string"));
  }
}

TEST(RenderQueryTest, BacktickInARawStringIsRefused) {
  auto rendered = RenderQuery("x{a=`{{args.v}}`}", Values({{"v", "a` or vector(1) #"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(rendered.status()));
  EXPECT_THAT(rendered.status().message(), HasSubstr("raw string"));
}

TEST(RenderQueryTest, MissingArgumentIsNamed) {
  auto rendered = RenderQuery(R"(x{a="{{args.service}}"})", Values());
  EXPECT_TRUE(absl::IsInvalidArgument(rendered.status()));
  EXPECT_THAT(rendered.status().message(), HasSubstr("{{args.service}} has no value"));
}

TEST(QuoteRegexTest, EscapesExactlyTheRe2Metacharacters) {
  EXPECT_EQ(QuoteRegex(R"(\.+*?()|[]{}^$)"), R"(\\\.\+\*\?\(\)\|\[\]\{\}\^\$)");
  EXPECT_EQ(QuoteRegex("plain-name_1:x"), "plain-name_1:x");
}

}  // namespace
}  // namespace augur::config
