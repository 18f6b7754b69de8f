// `augur analyze` in process, where no backend is needed: the usage errors (exit 64, naming the
// flag or file) and where the template and the backend come from. The analyses themselves run
// against a real Prometheus in analysis.integration.
#include "cli/analyze_command.h"

#include <ostream>
#include <sstream>
#include <string>

#include "core/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace augur::cli {
namespace {

using ::testing::HasSubstr;

const std::string kTemplate = AUGUR_EXAMPLES_DIR "/demo/http-canary.yaml";

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome Analyze(const AnalyzeCommandArgs& args) {
  std::ostringstream out, err;
  const int code = RunAnalyzeCommand(args, out, err);
  return {code, out.str(), err.str()};
}

AnalyzeCommandArgs Valid() {
  AnalyzeCommandArgs a;
  a.template_ref = kTemplate;
  a.args = {"service=checkout"};
  a.control = "stable";
  a.experiment = "canary";
  a.lookback = "30m";
  // Port 1 on loopback: nothing listens; the analysis cannot run.
  a.backend.prometheus = "http://127.0.0.1:1";
  a.backend.retry_budget = "0s";
  return a;
}

TEST(AnalyzeCommandTest, UnreachableBackendIsExit3WithoutAVerdict) {
  const Outcome o = Analyze(Valid());
  EXPECT_EQ(o.code, kExitUnavailable);
  EXPECT_EQ(o.out, "");
  EXPECT_THAT(o.err, HasSubstr("augur analyze: the analysis could not run: metric 'p99-latency'"));
}

struct UsageCase {
  const char* name;
  void (*change)(AnalyzeCommandArgs&);
  const char* message;
};

void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.name; }

class AnalyzeUsageTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(AnalyzeUsageTest, IsExit64NamingTheProblem) {
  AnalyzeCommandArgs args = Valid();
  GetParam().change(args);
  const Outcome o = Analyze(args);
  EXPECT_EQ(o.code, kExitUsage) << o.err;
  EXPECT_THAT(o.err, HasSubstr(GetParam().message));
  EXPECT_EQ(o.out, "");
}

const UsageCase kUsageCases[] = {
    {"Format", [](AnalyzeCommandArgs& a) { a.format = "yaml"; },
     "--format must be text, json, html, markdown or junit, got 'yaml'"},
    {"Strategy", [](AnalyzeCommandArgs& a) { a.strategy = "blue-green"; },
     "--strategy: strategy must be canary, ab or shadow; got 'blue-green'"},
    {"NoControl", [](AnalyzeCommandArgs& a) { a.control.clear(); }, "--control is required"},
    {"SameScopes", [](AnalyzeCommandArgs& a) { a.experiment = "stable"; },
     "--control and --experiment are both 'stable'"},
    {"NoWindow", [](AnalyzeCommandArgs& a) { a.lookback.clear(); },
     "give the window as --start and --end, or as --lookback"},
    {"BothWindows", [](AnalyzeCommandArgs& a) { a.start = "now-1h"; },
     "give the window as --start and --end, or as --lookback"},
    {"BadLookback", [](AnalyzeCommandArgs& a) { a.lookback = "thirty"; }, "--lookback: "},
    {"EndBeforeStart",
     [](AnalyzeCommandArgs& a) {
       a.lookback.clear();
       a.start = "now";
       a.end = "now-1h";
     },
     "--end (now-1h) must be after --start (now)"},
    {"BadStep", [](AnalyzeCommandArgs& a) { a.step = "0s"; }, "--step: must be positive"},
    {"BadArg", [](AnalyzeCommandArgs& a) { a.args = {"service"}; },
     "--arg: expected NAME=VALUE, got 'service'"},
    {"ArgTwice",
     [](AnalyzeCommandArgs& a) {
       a.args = {"service=a", "service=b"};
     },
     "--arg: 'service' given twice"},
    {"MissingArg", [](AnalyzeCommandArgs& a) { a.args.clear(); }, "'service'"},
    {"NoTemplate", [](AnalyzeCommandArgs& a) { a.template_ref = "no-such-template"; },
     "--template: 'no-such-template' is not a file (give a path, or --config with templateDirs"},
    {"NoBackend", [](AnalyzeCommandArgs& a) { a.backend.prometheus.clear(); },
     "no metrics backend: give --prometheus URL or --config FILE"},
};

INSTANTIATE_TEST_SUITE_P(Cases, AnalyzeUsageTest, ::testing::ValuesIn(kUsageCases),
                         [](const ::testing::TestParamInfo<UsageCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(AnalyzeCommandTest, FindsATemplateByNameInTheConfiguredDirectories) {
  auto dir = testing::MakeTempDir("augur-analyze");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string config = *dir + "/augur.yaml";
  ASSERT_TRUE(testing::WriteFile(config,
                                 "apiVersion: augur/v1\nkind: Config\n"
                                 "templates: [" AUGUR_EXAMPLES_DIR "/demo]\n"
                                 "providers:\n  - name: local\n    default: true\n"
                                 "    prometheus: {address: \"http://127.0.0.1:1\", "
                                 "retryBudget: 0s}\n")
                  .ok());
  AnalyzeCommandArgs args = Valid();
  args.template_ref = "http-canary";
  args.backend.prometheus.clear();
  args.backend.retry_budget.clear();
  args.backend.config = config;
  const Outcome o = Analyze(args);
  // Found and run: the configured (unreachable) provider is what fails.
  EXPECT_EQ(o.code, kExitUnavailable) << o.err;
  EXPECT_THAT(o.err, HasSubstr("could not run"));

  args.template_ref = "http-canry";
  const Outcome missing = Analyze(args);
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_THAT(missing.err,
              HasSubstr("is not a file nor a template name in " AUGUR_EXAMPLES_DIR "/demo"));
}

}  // namespace
}  // namespace augur::cli
