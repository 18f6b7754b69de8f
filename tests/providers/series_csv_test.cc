#include "providers/series_csv.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/time_series.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::providers {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Series equal in labels and points, NaN equal to NaN.
void ExpectSameSeries(const Series& got, const Series& want) {
  EXPECT_EQ(got.labels, want.labels);
  ASSERT_EQ(got.points.size(), want.points.size());
  for (size_t i = 0; i < got.points.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "point " << i);
    EXPECT_EQ(got.points[i].timestamp_ms, want.points[i].timestamp_ms);
    if (std::isnan(want.points[i].value)) {
      EXPECT_TRUE(std::isnan(got.points[i].value)) << got.points[i].value;
    } else {
      EXPECT_EQ(got.points[i].value, want.points[i].value);
    }
  }
}

QueryResult Matrix(std::vector<Series> series) {
  QueryResult result;
  result.type = ResultType::kMatrix;
  result.series = std::move(series);
  return result;
}

TEST(SeriesCsvTest, WritesTheDocumentedForm) {
  // The example of series_csv.h, plus a second series that lacks one label.
  const QueryResult result = Matrix({
      Series{{{"__name__", "http_latency"}, {"version", "canary"}, {"zone", "eu"}},
             {{1795369440000, 1.5}, {1795369500500, 2.0}}},
      Series{{{"__name__", "http_latency"}, {"version", "baseline"}}, {{1795369440000, 1.25}}},
  });
  EXPECT_EQ(SeriesCsv(result),
            "timestamp,value,__name__,version,zone\n"
            "1795369440,1.5,http_latency,canary,eu\n"
            "1795369500.5,2,http_latency,canary,eu\n"
            "1795369440,1.25,http_latency,baseline,\n");
}

TEST(SeriesCsvTest, HeaderPutsNameFirstThenSortedLabelNames) {
  const QueryResult result = Matrix({
      Series{{{"zone", "eu"}}, {}},
      Series{{{"__name__", "up"}, {"app", "web"}}, {}},
      Series{{{"Build", "7"}, {"instance", "a:9090"}}, {}},
  });
  EXPECT_EQ(SeriesCsv(result), "timestamp,value,__name__,Build,app,instance,zone\n");
}

TEST(SeriesCsvTest, WithoutLabelsOnlyTimestampAndValue) {
  const QueryResult result = Matrix({Series{{}, {{1795369440000, 42.0}}}});
  EXPECT_EQ(SeriesCsv(result), "timestamp,value\n1795369440,42\n");
}

TEST(SeriesCsvTest, WritesSpecialValuesAsPrometheusDoes) {
  const QueryResult result = Matrix({Series{
      {}, {{1, std::numeric_limits<double>::quiet_NaN()}, {2, kInf}, {3, -kInf}, {4, 0.1}}}});
  EXPECT_EQ(SeriesCsv(result),
            "timestamp,value\n"
            "0.001,NaN\n"
            "0.002,+Inf\n"
            "0.003,-Inf\n"
            "0.004,0.1\n");
}

TEST(SeriesCsvTest, QuotesFieldsPerRfc4180) {
  const struct {
    const char* value;
    const char* cell;
  } kCases[] = {
      {"plain", "plain"},
      {"a,b", R"("a,b")"},
      {R"(say "hi")", R"("say ""hi""")"},
      {"line1\nline2", "\"line1\nline2\""},
      {"cr\rhere", "\"cr\rhere\""},
      {" padded ", R"(" padded ")"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.value);
    const QueryResult result = Matrix({Series{{{"msg", c.value}}, {{1795369440000, 1.0}}}});
    EXPECT_EQ(SeriesCsv(result), std::string("timestamp,value,msg\n1795369440,1,") + c.cell + "\n");
  }
}

TEST(SeriesCsvTest, RoundTripsThroughParseSeriesCsv) {
  const QueryResult result = Matrix({
      Series{{{"__name__", "http_latency"}, {"msg", "a,b \"c\"\nd"}, {"version", "canary"}},
             {{1795369440000, 1.5},
              {1795369440123, std::numeric_limits<double>::quiet_NaN()},
              {1795369441000, kInf},
              {1795369442000, -kInf},
              {1795369443000, 1.0 / 3.0}}},
      Series{{{"__name__", "http_latency"}, {"version", "baseline"}},
             {{1795369440000, 0.1}, {1795369440999, 1e-300}}},
      Series{{{"zone", " eu "}}, {{1795369440000, -2.0}}},
  });
  const std::string csv = SeriesCsv(result);
  SCOPED_TRACE(csv);
  auto back = ParseSeriesCsv(csv, "round.csv");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->type, ResultType::kMatrix);
  ASSERT_EQ(back->series.size(), result.series.size());
  for (size_t i = 0; i < result.series.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "series " << i);
    ExpectSameSeries(back->series[i], result.series[i]);
  }
}

TEST(ParseSeriesCsvTest, EmptyCellsMeanAbsentLabels) {
  auto result = ParseSeriesCsv(
      "timestamp,value,job,version\n"
      "1795369440,1,api,canary\n"
      "1795369440,2,api,\n"
      "1795369440,3,,\n",
      "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 3u);
  EXPECT_EQ(result->series[0].labels, (Labels{{"job", "api"}, {"version", "canary"}}));
  EXPECT_EQ(result->series[1].labels, (Labels{{"job", "api"}}));
  EXPECT_EQ(result->series[2].labels, Labels{});
}

TEST(ParseSeriesCsvTest, SeriesComeInTheOrderOfTheirFirstRowWithSortedLabels) {
  auto result = ParseSeriesCsv(
      "timestamp,value,version,__name__\n"
      "1795369440,1,canary,latency\n"
      "1795369440,2,baseline,latency\n"
      "1795369500,3,canary,latency\n",
      "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 2u);
  ExpectSameSeries(result->series[0], Series{{{"__name__", "latency"}, {"version", "canary"}},
                                             {{1795369440000, 1.0}, {1795369500000, 3.0}}});
  ExpectSameSeries(result->series[1], Series{{{"__name__", "latency"}, {"version", "baseline"}},
                                             {{1795369440000, 2.0}}});
}

TEST(ParseSeriesCsvTest, OutOfOrderRowsAreSorted) {
  auto result = ParseSeriesCsv(
      "timestamp,value\n"
      "1795369560,3\n"
      "1795369440,1\n"
      "1795369500.5,2\n",
      "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  ExpectSameSeries(result->series[0],
                   Series{{}, {{1795369440000, 1.0}, {1795369500500, 2.0}, {1795369560000, 3.0}}});
}

TEST(ParseSeriesCsvTest, AcceptsRfc3339Timestamps) {
  auto result = ParseSeriesCsv(
      "timestamp,value\n"
      "2026-11-22T10:00:00Z,1\n"
      "2026-11-22T12:00:00.250+02:00,2\n",
      "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  const absl::Time ten =
      absl::FromCivil(absl::CivilSecond(2026, 11, 22, 10, 0, 0), absl::UTCTimeZone());
  ASSERT_EQ(result->series.size(), 1u);
  ExpectSameSeries(
      result->series[0],
      Series{{}, {{absl::ToUnixMillis(ten), 1.0}, {absl::ToUnixMillis(ten) + 250, 2.0}}});
}

TEST(ParseSeriesCsvTest, AcceptsCrlfLineEnds) {
  auto result = ParseSeriesCsv(
      "timestamp,value,job\r\n"
      "1795369500,2,api\r\n"
      "1795369440,1,api\r\n",
      "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  ExpectSameSeries(result->series[0],
                   Series{{{"job", "api"}}, {{1795369440000, 1.0}, {1795369500000, 2.0}}});
}

TEST(ParseSeriesCsvTest, AcceptsALastLineWithoutLineEnd) {
  auto result = ParseSeriesCsv("timestamp,value\n1795369440,1", "data.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  ExpectSameSeries(result->series[0], Series{{}, {{1795369440000, 1.0}}});
}

TEST(ParseSeriesCsvTest, ErrorsNameTheSourceAndLine) {
  const struct {
    const char* name;
    const char* text;
    const char* want_prefix;
  } kCases[] = {
      {"empty", "", "data.csv:1: "},
      {"bad header", "time,value\n1795369440,1\n", "data.csv:1: "},
      {"header without value", "timestamp\n1795369440\n", "data.csv:1: "},
      {"unnamed label column", "timestamp,value,,job\n", "data.csv:1: "},
      {"label named twice", "timestamp,value,job,job\n", "data.csv:1: "},
      {"too few fields", "timestamp,value,job\n1795369440,1,api\n1795369500,2\n", "data.csv:3: "},
      {"too many fields", "timestamp,value\n1795369440,1,api\n", "data.csv:2: "},
      {"bad value", "timestamp,value\n1795369440,1\n1795369500,1.5x\n", "data.csv:3: "},
      {"empty value", "timestamp,value\n1795369440,\n", "data.csv:2: "},
      {"bad timestamp", "timestamp,value\nyesterday,1\n", "data.csv:2: "},
      {"empty timestamp", "timestamp,value\n,1\n", "data.csv:2: "},
      {"unclosed quote", "timestamp,value,job\n1795369440,1,\"api\n", "data.csv:2: "},
      {"quote inside a field", "timestamp,value,job\n1795369440,1,ap\"i\"\n", "data.csv:2: "},
      {"line counted across a quoted line break",
       "timestamp,value,msg\n1795369440,1,\"two\nlines\"\n1795369500,x,one\n", "data.csv:4: "},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto result = ParseSeriesCsv(c.text, "data.csv");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(result.status().message()), StartsWith(c.want_prefix));
  }
}

TEST(ParseSeriesCsvTest, BadValueMessageIsTheDocumentedOne) {
  auto result = ParseSeriesCsv("timestamp,value\n1795369440,abc\n", "data.csv");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "data.csv:2: 'abc' is not a sample value");
}

TEST(ParseSeriesCsvTest, DuplicateTimestampInASeriesNamesBothLines) {
  auto result = ParseSeriesCsv(
      "timestamp,value,job\n"
      "1795369440,1,api\n"
      "1795369440,2,web\n"
      "1795369440.000,3,api\n",
      "data.csv");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(result.status().message());
  EXPECT_THAT(message, StartsWith("data.csv:4: "));
  EXPECT_THAT(message, HasSubstr("(line 2)"));
  EXPECT_THAT(message, HasSubstr(R"({job="api"})"));
}

TEST(ParseSeriesCsvTest, RejectsRelativeTimes) {
  // ParseTime would read these against some `now`; a saved file must not depend on when it is
  // read.
  for (const char* timestamp : {"now", "now-5m", "now+5m", "-1h", "+5m", " now", " -1h"}) {
    SCOPED_TRACE(::testing::Message() << "'" << timestamp << "'");
    auto result = ParseSeriesCsv(std::string("timestamp,value\n") + timestamp + ",1\n", "data.csv");
    ASSERT_FALSE(result.ok()) << "read as " << result->series[0].points[0].timestamp_ms << " ms";
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(result.status().message()), StartsWith("data.csv:2: "));
  }
}

TEST(ParseSeriesCsvTest, NegativeTimestampsAsWrittenReadBack) {
  QueryResult result;
  result.series.push_back(Series{{{"job", "a"}}, {{-1500, 1.0}, {-250, 2.0}, {0, 3.0}}});
  auto back = ParseSeriesCsv(SeriesCsv(result), "old.csv");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->series.size(), 1u);
  EXPECT_EQ(back->series[0].points[0].timestamp_ms, -1500);
  EXPECT_EQ(back->series[0].points[1].timestamp_ms, -250);
  EXPECT_EQ(back->series[0].points[2].timestamp_ms, 0);
}

TEST(ParseSeriesCsvTest, SkipsASpreadsheetByteOrderMark) {
  auto result = ParseSeriesCsv("\xEF\xBB\xBFtimestamp,value\n1795369440,1\n", "excel.csv");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->series[0].points[0].value, 1);
}

}  // namespace
}  // namespace augur::providers
