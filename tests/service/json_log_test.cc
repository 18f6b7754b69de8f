#include "service/json_log.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/fake_clock.h"

namespace augur::service {
namespace {

// 2026-11-22T17:44:00Z, FakeClock's default start.
constexpr char kTs[] = R"({"ts":"2026-11-22T17:44:00.000Z",)";

TEST(JsonLogTest, WritesTsLevelMsgThenFieldsInOrder) {
  testing::FakeClock clock;
  clock.Advance(absl::Milliseconds(123));
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);

  log.Info("run started", {{"run_id", "r-1"}, {"template", "http-service"}, {"interval", 3}});

  EXPECT_EQ(out.str(), R"({"ts":"2026-11-22T17:44:00.123Z","level":"info","msg":"run started",)"
                       R"("run_id":"r-1","template":"http-service","interval":3})"
                       "\n");
}

TEST(JsonLogTest, TimestampIsUtcWithMilliseconds) {
  testing::FakeClock clock(absl::FromUnixMicros(int64_t{1795369440} * 1000000 + 7999));
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);
  // Milliseconds are truncated, never rounded up into the next second.
  EXPECT_EQ(log.Format(LogLevel::kInfo, "m", {}),
            R"({"ts":"2026-11-22T17:44:00.007Z","level":"info","msg":"m"})");
  clock.Advance(absl::Microseconds(992001));
  EXPECT_EQ(log.Format(LogLevel::kInfo, "m", {}),
            R"({"ts":"2026-11-22T17:44:01.000Z","level":"info","msg":"m"})");
}

TEST(JsonLogTest, EachCallIsOneLine) {
  testing::FakeClock clock;
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);
  log.Info("one");
  log.Warn("two\nlines");
  log.Error("three");
  EXPECT_EQ(out.str(), absl::StrCat(kTs, R"("level":"info","msg":"one"})", "\n",         //
                                    kTs, R"("level":"warn","msg":"two\nlines"})", "\n",  //
                                    kTs, R"("level":"error","msg":"three"})", "\n"));
}

TEST(JsonLogTest, LevelsBelowTheMinimumAreDropped) {
  testing::FakeClock clock;
  std::ostringstream out;
  JsonLog log(out, LogLevel::kWarn, clock);
  log.Log(LogLevel::kDebug, "debug");
  log.Info("info");
  log.Warn("warn");
  log.Error("error");
  EXPECT_EQ(out.str(), absl::StrCat(kTs, R"("level":"warn","msg":"warn"})", "\n",  //
                                    kTs, R"("level":"error","msg":"error"})", "\n"));

  std::ostringstream all;
  JsonLog debug_log(all, LogLevel::kDebug, clock);
  debug_log.Log(LogLevel::kDebug, "debug");
  EXPECT_EQ(all.str(), absl::StrCat(kTs, R"("level":"debug","msg":"debug"})", "\n"));
}

TEST(JsonLogTest, EscapesStringsPerRfc8259) {
  testing::FakeClock clock;
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);
  const std::string nasty = std::string("say \"hi\" \\ path\n\r\t") + '\x01' + '\x1f' + '\0' + "/";
  const std::string line =
      log.Format(LogLevel::kInfo, nasty, {{"q\"uery", "up{job=\"x\"}"}, {"tab\tkey", "\x7f"}});
  EXPECT_EQ(line,
            absl::StrCat(kTs,
                         R"("level":"info","msg":"say \"hi\" \\ path\n\r\t\u0001\u001f\u0000/",)"
                         R"("q\"uery":"up{job=\"x\"}","tab\tkey":")",
                         "\x7f", R"("})"));

  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["msg"].get<std::string>(), nasty);
  EXPECT_EQ(parsed["q\"uery"].get<std::string>(), "up{job=\"x\"}");
}

TEST(JsonLogTest, KeepsUtf8AndReplacesBytesThatAreNot) {
  testing::FakeClock clock;
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);
  const std::string utf8 = "µs → 🚀 ü";
  EXPECT_EQ(log.Format(LogLevel::kInfo, utf8, {}),
            absl::StrCat(kTs, R"("level":"info","msg":")", utf8, R"("})"));

  // A stray continuation byte, a truncated sequence, an overlong '/' and a UTF-16 surrogate.
  const std::string bad =
      "a\x80"
      "b\xe2\x86"
      "c\xc0\xaf"
      "d\xed\xa0\x80"
      "e";
  const std::string line = log.Format(LogLevel::kInfo, bad, {});
  EXPECT_EQ(line, absl::StrCat(kTs, R"("level":"info","msg":")",
                               R"(a\ufffdb\ufffd\ufffdc\ufffd\ufffdd\ufffd\ufffd\ufffde"})"));
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
}

TEST(JsonLogTest, NumbersAreShortestRoundTripAndNonFiniteIsNull) {
  testing::FakeClock clock;
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo, clock);
  const std::string line = log.Format(LogLevel::kInfo, "n",
                                      {{"tenth", 0.1},
                                       {"sum", 0.1 + 0.2},
                                       {"whole", 3.0},
                                       {"tiny", 1e-7},
                                       {"negative", -2.5},
                                       {"int", -42},
                                       {"big", std::numeric_limits<int64_t>::max()},
                                       {"nan", std::nan("")},
                                       {"inf", -std::numeric_limits<double>::infinity()}});
  EXPECT_EQ(line, absl::StrCat(kTs, R"("level":"info","msg":"n","tenth":0.1,)",
                               R"("sum":0.30000000000000004,"whole":3,"tiny":1e-07,)",
                               R"("negative":-2.5,"int":-42,"big":9223372036854775807,)",
                               R"("nan":null,"inf":null})"));

  const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["sum"].get<double>(), 0.1 + 0.2);
  EXPECT_EQ(parsed["big"].get<int64_t>(), std::numeric_limits<int64_t>::max());
}

TEST(JsonLogTest, ConcurrentWritersProduceWholeLines) {
  std::ostringstream out;
  JsonLog log(out, LogLevel::kInfo);  // the real clock: Now() from many threads
  constexpr int kThreads = 8;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      // Long enough that an unlocked write would be split by the stream.
      const std::string padding(300, static_cast<char>('a' + t));
      for (int i = 0; i < kLines; ++i) {
        log.Info("tick", {{"thread", t}, {"seq", i}, {"padding", padding}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  const std::vector<std::string> lines = absl::StrSplit(out.str(), '\n');
  ASSERT_EQ(lines.size(), kThreads * kLines + 1u);
  EXPECT_EQ(lines.back(), "");
  std::set<std::pair<int, int>> seen;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const nlohmann::json parsed = nlohmann::json::parse(lines[i], nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << lines[i];
    const int t = parsed["thread"].get<int>();
    EXPECT_EQ(parsed["padding"].get<std::string>(), std::string(300, static_cast<char>('a' + t)));
    seen.emplace(t, parsed["seq"].get<int>());
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kLines));
}

}  // namespace
}  // namespace augur::service
