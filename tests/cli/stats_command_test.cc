#include "cli/stats_command.h"

#include <sstream>
#include <string>

#include "cli/json_writer.h"
#include "core/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace augur::cli {
namespace {

using ::testing::HasSubstr;

const std::string kData = AUGUR_TEST_DATA_DIR;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunCommand(const MannWhitneyCommandArgs& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int code = RunMannWhitneyCommand(args, in, out, err);
  return {code, out.str(), err.str()};
}

MannWhitneyCommandArgs Args(std::string canary, std::string baseline) {
  MannWhitneyCommandArgs a;
  a.canary_path = std::move(canary);
  a.baseline_path = std::move(baseline);
  return a;
}

TEST(StatsCommandTest, PrintsOneJsonObjectWithEveryField) {
  const Outcome o = RunCommand(Args(kData + "/normal_1000_x.txt", kData + "/normal_1000_y.txt"));
  ASSERT_EQ(o.code, kExitPromote) << o.err;
  EXPECT_TRUE(o.err.empty());
  ASSERT_EQ(o.out.back(), '\n');
  EXPECT_EQ(o.out.find('\n'), o.out.size() - 1);  // one line
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["n_canary"], 1000);
  EXPECT_EQ(j["n_baseline"], 1000);
  EXPECT_EQ(j["w"], 491412);  // R: W = 491412
  // The default interval: R's limit (see tests/judges/mann_whitney_test.cc).
  EXPECT_EQ(j["estimate"].get<double>(), -0.030239646628542276);
  EXPECT_EQ(j["ci_low"].get<double>(), -0.12059501678078151);
  EXPECT_EQ(j["ci_high"].get<double>(), 0.059414114349206029);
  EXPECT_NEAR(j["p_value"].get<double>(), 0.50603856078341347, 1e-13);
  EXPECT_EQ(j["confidence"].get<double>(), 0.95);
  EXPECT_EQ(j["alternative"], "two-sided");
  EXPECT_EQ(j["method"], "asymptotic");
  EXPECT_EQ(j["interval"], "exact");
  EXPECT_EQ(j["correct"], true);
  EXPECT_TRUE(j["warnings"].empty());
  // Full precision: 17 significant digits.
  EXPECT_THAT(o.out, HasSubstr("\"ci_low\": -0.12059501678078151"));
}

TEST(StatsCommandTest, OptionsReachTheKernel) {
  MannWhitneyCommandArgs a = Args(kData + "/normal_1000_x.txt", kData + "/normal_1000_y.txt");
  a.interval = "r-compatible";
  a.alternative = "greater";
  const Outcome o = RunCommand(a);
  ASSERT_EQ(o.code, 0) << o.err;
  const nlohmann::json j = nlohmann::json::parse(o.out);
  // R: wilcox.test(x, y, conf.int=TRUE, alternative="greater") ci=[-0.10592381021108771, Inf]
  EXPECT_EQ(j["ci_low"].get<double>(), -0.10592381021108771);
  EXPECT_EQ(j["ci_high"], "Infinity");
  EXPECT_EQ(j["interval"], "r-compatible");
  EXPECT_EQ(j["alternative"], "greater");
}

TEST(StatsCommandTest, ReadsOneSideFromStdin) {
  MannWhitneyCommandArgs a = Args("-", kData + "/normal_1000_y.txt");
  a.exact = "never";
  a.correct = "false";
  a.confidence = "0.9";
  const Outcome o = RunCommand(a, "0.1 0.2 0.3\n0.4\n");
  ASSERT_EQ(o.code, 0) << o.err;
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["n_canary"], 4);
  EXPECT_EQ(j["correct"], false);
  EXPECT_EQ(j["confidence"].get<double>(), 0.9);
}

struct BadCase {
  const char* name;
  MannWhitneyCommandArgs args;
  std::string message;
};

TEST(StatsCommandTest, BadInputExits64WithOneClearLine) {
  const std::string x = kData + "/normal_1000_x.txt";
  auto with = [&](auto edit) {
    MannWhitneyCommandArgs a = Args(x, x);
    edit(a);
    return a;
  };
  const BadCase cases[] = {
      {"missing file", Args("/no/such/file.txt", x),
       "cannot open /no/such/file.txt: No such file or directory"},
      {"confidence", with([](auto& a) { a.confidence = "1.5"; }),
       "--confidence must be a number in (0,1), got '1.5'"},
      {"confidence text", with([](auto& a) { a.confidence = "high"; }),
       "--confidence must be a number in (0,1), got 'high'"},
      {"alternative", with([](auto& a) { a.alternative = "two.sided"; }),
       "--alternative: alternative must be one of two-sided|greater|less, got \"two.sided\""},
      {"exact", with([](auto& a) { a.exact = "yes"; }),
       "--exact: exact must be one of auto|always|never, got \"yes\""},
      {"interval", with([](auto& a) { a.interval = "brent"; }),
       "--interval: interval must be one of exact|r-compatible|kayenta, got \"brent\""},
      {"correct", with([](auto& a) { a.correct = "yes"; }),
       "--correct must be true or false, got 'yes'"},
      {"both stdin", Args("-", "-"),
       "only one of --canary and --baseline can read standard input ('-')"},
      {"exact too large",
       [&] {
         MannWhitneyCommandArgs a = Args(x, kData + "/normal_1000_y.txt");
         a.exact = "always";
         return a;
       }(),
       "exact Mann-Whitney distribution is supported up to n*m = 160000"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Outcome o = RunCommand(c.args);
    EXPECT_EQ(o.code, kExitUsage);
    EXPECT_TRUE(o.out.empty());
    EXPECT_THAT(o.err, HasSubstr(c.message));
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
    EXPECT_EQ(o.err.rfind("augur stats mann-whitney: ", 0), 0u) << o.err;
  }
}

TEST(StatsCommandTest, BadTokenAndEmptySideNameTheSource) {
  Outcome o = RunCommand(Args("-", kData + "/normal_1000_y.txt"), "1 2\n3 fast\n");
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err, "augur stats mann-whitney: <stdin>:2: 'fast' is not a number\n");
  o = RunCommand(Args(kData + "/normal_1000_y.txt", "-"), "\n\n");
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err, "augur stats mann-whitney: <stdin>: no numbers in the baseline sample\n");
}

TEST(JsonWriterTest, NumbersStringsAndNonFinite) {
  EXPECT_EQ(JsonNumber(0.1), "0.10000000000000001");
  EXPECT_EQ(JsonNumber(2), "2");
  EXPECT_EQ(JsonNumber(-1.0 / 0.0), "\"-Infinity\"");
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  JsonObjectWriter w;
  w.Add("a", int64_t{1}).Add("b", "x").Add("c", true).Add("d", std::vector<std::string>{"p", "q"});
  EXPECT_EQ(w.Finish(), "{\"a\": 1, \"b\": \"x\", \"c\": true, \"d\": [\"p\", \"q\"]}");
}

}  // namespace
}  // namespace augur::cli
