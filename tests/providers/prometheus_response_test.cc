#include "providers/prometheus_response.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/time_series.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::providers {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Bodies in the form of the Prometheus HTTP API documentation
// (https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats).
constexpr char kMatrixBody[] = R"({"status":"success","data":{"resultType":"matrix","result":[
  {"metric":{"version":"canary","__name__":"http_requests_total","job":"api"},
   "values":[[1795369440,"1"],[1795369500,"2.5"]]},
  {"metric":{"job":"api","version":"baseline"},"values":[[1795369440,"3"]]}]},
  "warnings":["PromQL info: metric might not be a counter"]})";

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

void ExpectSameResult(const QueryResult& got, const QueryResult& want) {
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.warnings, want.warnings);
  ASSERT_EQ(got.series.size(), want.series.size());
  for (size_t i = 0; i < got.series.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "series " << i);
    ExpectSameSeries(got.series[i], want.series[i]);
  }
}

TEST(ParsePrometheusResponseTest, MatrixKeepsEverySeriesWithSortedLabels) {
  auto result = ParsePrometheusResponse(kMatrixBody);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kMatrix);
  ASSERT_EQ(result->series.size(), 2u);
  ExpectSameSeries(
      result->series[0],
      Series{{{"__name__", "http_requests_total"}, {"job", "api"}, {"version", "canary"}},
             {{1795369440000, 1.0}, {1795369500000, 2.5}}});
  ExpectSameSeries(result->series[1],
                   Series{{{"job", "api"}, {"version", "baseline"}}, {{1795369440000, 3.0}}});
}

TEST(ParsePrometheusResponseTest, WarningsAreKeptVerbatim) {
  auto result = ParsePrometheusResponse(kMatrixBody);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->warnings, ElementsAre("PromQL info: metric might not be a counter"));
}

TEST(ParsePrometheusResponseTest, Vector) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[
           {"metric":{"job":"api"},"value":[1795369440.5,"7"]},
           {"metric":{"job":"web"},"value":[1795369440.5,"8"]}]}})");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kVector);
  EXPECT_TRUE(result->warnings.empty());
  ASSERT_EQ(result->series.size(), 2u);
  ExpectSameSeries(result->series[0], Series{{{"job", "api"}}, {{1795369440500, 7.0}}});
  ExpectSameSeries(result->series[1], Series{{{"job", "web"}}, {{1795369440500, 8.0}}});
}

TEST(ParsePrometheusResponseTest, ScalarIsOneSeriesWithoutLabels) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"scalar","result":[1795369440,"42"]}})");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kScalar);
  ASSERT_EQ(result->series.size(), 1u);
  ExpectSameSeries(result->series[0], Series{{}, {{1795369440000, 42.0}}});
}

TEST(ParsePrometheusResponseTest, EmptyResultHasNoSeries) {
  for (const char* type : {"matrix", "vector"}) {
    SCOPED_TRACE(type);
    auto result = ParsePrometheusResponse(
        std::string(R"({"status":"success","data":{"resultType":")") + type + R"(","result":[]}})");
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->series.empty());
  }
}

TEST(ParsePrometheusResponseTest, SeriesWithoutMetricHasNoLabels) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[
           {"metric":{},"values":[[1795369440,"1"]]}]}})");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_TRUE(result->series[0].labels.empty());
}

TEST(ParsePrometheusResponseTest, SpecialSampleValues) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[
           [1795369440,"NaN"],[1795369441,"+Inf"],[1795369442,"-Inf"],[1795369443,"1e-300"],
           [1795369444,"-0.25"]]}]}})");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  const std::vector<Point>& points = result->series[0].points;
  ASSERT_EQ(points.size(), 5u);
  EXPECT_TRUE(std::isnan(points[0].value)) << points[0].value;
  EXPECT_EQ(points[1].value, kInf);
  EXPECT_EQ(points[2].value, -kInf);
  EXPECT_EQ(points[3].value, 1e-300);
  EXPECT_EQ(points[4].value, -0.25);
}

TEST(ParsePrometheusResponseTest, FractionalTimestampsKeepMilliseconds) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[
           [1795369440.001,"1"],[1795369440.123,"2"],[1795369440.5,"3"],[1795369440.999,"4"]
           ]}]}})");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  const std::vector<Point>& points = result->series[0].points;
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].timestamp_ms, 1795369440001);
  EXPECT_EQ(points[1].timestamp_ms, 1795369440123);
  EXPECT_EQ(points[2].timestamp_ms, 1795369440500);
  EXPECT_EQ(points[3].timestamp_ms, 1795369440999);
}

TEST(PrometheusErrorStatusTest, MapsEachErrorTypeToWhatTheCallerShouldDo) {
  const struct {
    const char* error_type;
    absl::StatusCode code;
  } kCases[] = {
      {"bad_data", absl::StatusCode::kInvalidArgument},
      {"execution", absl::StatusCode::kInvalidArgument},
      {"timeout", absl::StatusCode::kDeadlineExceeded},
      {"canceled", absl::StatusCode::kUnavailable},
      {"unavailable", absl::StatusCode::kUnavailable},
      {"internal", absl::StatusCode::kUnavailable},
      {"other", absl::StatusCode::kUnavailable},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.error_type);
    const std::string want_message =
        std::string("Prometheus error (") + c.error_type + "): 1:5: parse error: \"oops\"";

    const absl::Status direct = PrometheusErrorStatus(c.error_type, "1:5: parse error: \"oops\"");
    EXPECT_EQ(direct.code(), c.code);
    EXPECT_EQ(direct.message(), want_message);

    auto parsed =
        ParsePrometheusResponse(std::string(R"({"status":"error","errorType":")") + c.error_type +
                                R"(","error":"1:5: parse error: \"oops\""})");
    EXPECT_EQ(parsed.status().code(), c.code);
    EXPECT_EQ(parsed.status().message(), want_message);
  }
}

TEST(PrometheusErrorStatusTest, UnknownErrorTypesFollowTheHttpStatus) {
  // VictoriaMetrics writes the HTTP code as errorType; Prometheus' own types ignore the status.
  const struct {
    const char* error_type;
    int http_status;
    absl::StatusCode code;
  } kCases[] = {
      {"422", 422, absl::StatusCode::kInvalidArgument},
      {"400", 400, absl::StatusCode::kInvalidArgument},
      {"503", 503, absl::StatusCode::kUnavailable},
      {"other", 500, absl::StatusCode::kUnavailable},
      {"internal", 400, absl::StatusCode::kUnavailable},
      {"timeout", 400, absl::StatusCode::kDeadlineExceeded},
      {"bad_data", 503, absl::StatusCode::kInvalidArgument},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(::testing::Message() << c.error_type << " " << c.http_status);
    EXPECT_EQ(PrometheusErrorStatus(c.error_type, "x", c.http_status).code(), c.code);
    auto parsed = ParsePrometheusResponse(
        std::string(R"({"status":"error","errorType":")") + c.error_type + R"(","error":"x"})",
        c.http_status);
    EXPECT_EQ(parsed.status().code(), c.code);
  }
}

TEST(ParsePrometheusResponseTest, MalformedBodiesAreDataLoss) {
  const struct {
    const char* name;
    const char* body;
  } kCases[] = {
      {"empty", ""},
      {"not JSON", "<html>502 Bad Gateway</html>"},
      {"not an object", R"(["status","success"])"},
      {"no status", R"({"data":{"resultType":"vector","result":[]}})"},
      {"unknown status", R"({"status":"partial","data":{"resultType":"vector","result":[]}})"},
      {"missing data", R"({"status":"success"})"},
      {"data not an object", R"({"status":"success","data":[]})"},
      {"no resultType", R"({"status":"success","data":{"result":[]}})"},
      {"unknown resultType", R"({"status":"success","data":{"resultType":"table","result":[]}})"},
      {"no result", R"({"status":"success","data":{"resultType":"vector"}})"},
      {"result not an array", R"({"status":"success","data":{"resultType":"matrix","result":{}}})"},
      {"entry not an object",
       R"({"status":"success","data":{"resultType":"matrix","result":[1]}})"},
      {"metric not an object",
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":"up","value":[1795369440,"1"]}]}})"},
      {"label not a string",
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"code":200},"value":[1795369440,"1"]}]}})"},
      {"duplicate label",
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"job":"a","job":"b"},"value":[1795369440,"1"]}]}})"},
      {"matrix without values",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"value":[1795369440,"1"]}]}})"},
      {"vector without value",
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{},"values":[[1795369440,"1"]]}]}})"},
      {"value not a pair, one element",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1795369440]]}]}})"},
      {"value not a pair, three elements",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1795369440,"1","2"]]}]}})"},
      {"value not an array",
       R"({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{},"value":"1"}]}})"},
      {"value not a string",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1795369440,1]]}]}})"},
      {"value not a number",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1795369440,"abc"]]}]}})"},
      {"timestamp a string",
       R"({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[["1795369440","1"]]}]}})"},
      {"scalar not a pair", R"({"status":"success","data":{"resultType":"scalar","result":[]}})"},
      {"warnings not an array",
       R"({"status":"success","warnings":"careful","data":{"resultType":"vector","result":[]}})"},
      {"warning not a string",
       R"({"status":"success","warnings":[1],"data":{"resultType":"vector","result":[]}})"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto result = ParsePrometheusResponse(c.body);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss) << result.status();
    EXPECT_THAT(std::string(result.status().message()),
                HasSubstr("malformed Prometheus API response"));
  }
}

TEST(ParsePrometheusResponseTest, EveryTruncationIsDataLossAndNoneCrashes) {
  const std::string body = kMatrixBody;
  ASSERT_TRUE(ParsePrometheusResponse(body).ok());
  for (size_t length = 0; length < body.size(); ++length) {
    // A copy of exactly `length` bytes, so a read past the end is caught by the sanitizers.
    const std::string prefix = body.substr(0, length);
    auto result = ParsePrometheusResponse(prefix);
    ASSERT_EQ(result.status().code(), absl::StatusCode::kDataLoss)
        << "cut after " << length << " bytes: '" << prefix << "'";
  }
}

TEST(ParsePrometheusResponseTest, StringResultIsInvalidArgument) {
  auto result = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"string","result":[1795369440,"hello"]}})");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("string"));
}

TEST(ParsePrometheusResponseTest, NativeHistogramsAreInvalidArgumentNamingTheSeries) {
  const struct {
    const char* name;
    const char* body;
  } kCases[] = {
      {"matrix", R"({"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"rpc_duration_seconds","job":"api"},
           "histograms":[[1795369440,{"count":"10","sum":"3.2",
                                      "buckets":[[0,"0.5","1","4"]]}]]}]}})"},
      {"vector", R"({"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"__name__":"rpc_duration_seconds","job":"api"},
           "histogram":[1795369440,{"count":"10","sum":"3.2",
                                    "buckets":[[0,"0.5","1","4"]]}]}]}})"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto result = ParsePrometheusResponse(c.body);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
    EXPECT_THAT(std::string(result.status().message()),
                HasSubstr(R"(rpc_duration_seconds{job="api"})"));
  }
}

TEST(PrometheusResponseJsonTest, WritesTheApiFormOnOneLine) {
  // The form of the Prometheus API documentation, with values in shortest round-trip form.
  QueryResult result;
  result.type = ResultType::kVector;
  result.series.push_back(Series{{{"job", "api"}}, {{1795369440500, 0.1}}});
  EXPECT_EQ(PrometheusResponseJson(result),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"job":"api"},"value":[1795369440.5,"0.1"]}]}})");

  result.warnings.push_back("careful");
  EXPECT_EQ(PrometheusResponseJson(result),
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"job":"api"},"value":[1795369440.5,"0.1"]}]},"warnings":["careful"]})");
}

TEST(PrometheusResponseJsonTest, ParsedMatrixRoundTrips) {
  auto parsed = ParsePrometheusResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[
           {"metric":{"__name__":"up","quote":"say \"hi\"","path":"C:\\dir",
                      "text":"line1\nline2\ttab\r\u0001","utf8":"caf\u00e9"},
            "values":[[1795369440.123,"NaN"],[1795369440.5,"+Inf"],[1795369441,"-Inf"],
                      [1795369442,"1e-300"],[1795369443,"0.1"],[1795369444,"-0"]]},
           {"metric":{},"values":[]}]},
         "warnings":["first \"warning\"","second"]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const std::string json = PrometheusResponseJson(*parsed);
  EXPECT_EQ(json.find('\n'), std::string::npos) << json;
  auto back = ParsePrometheusResponse(json);
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << json;
  ExpectSameResult(*back, *parsed);
  EXPECT_TRUE(std::signbit(back->series[0].points[5].value)) << "-0 lost its sign";
}

TEST(PrometheusResponseJsonTest, BuiltResultsRoundTrip) {
  QueryResult vector;
  vector.type = ResultType::kVector;
  vector.series.push_back(Series{{{"job", "api"}}, {{1795369440001, 1.0 / 3.0}}});
  vector.series.push_back(Series{{{"job", "web"}}, {{1795369440999, -1e300}}});

  QueryResult scalar;
  scalar.type = ResultType::kScalar;
  scalar.series.push_back(Series{{}, {{1795369440000, 42.0}}});

  QueryResult empty;
  empty.type = ResultType::kMatrix;

  for (const QueryResult* result : {&vector, &scalar, &empty}) {
    const std::string json = PrometheusResponseJson(*result);
    SCOPED_TRACE(json);
    auto back = ParsePrometheusResponse(json);
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameResult(*back, *result);
  }
}

TEST(PrometheusResponseJsonTest, TimestampsBeforeTheEpochRoundTrip) {
  QueryResult result;
  result.type = ResultType::kMatrix;
  result.series.push_back(Series{{}, {{-2000, 3.0}, {-1500, 1.0}, {-250, 2.0}}});
  const std::string json = PrometheusResponseJson(result);
  SCOPED_TRACE(json);
  auto back = ParsePrometheusResponse(json);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameResult(*back, result);
}

TEST(ParseSampleValueTest, ReadsPrometheusAndOpenMetricsValues) {
  const struct {
    const char* text;
    double want;
  } kCases[] = {
      {"0", 0.0},        {"1", 1.0},
      {"1.5", 1.5},      {"-2", -2.0},
      {"+3", 3.0},       {".5", 0.5},
      {"0.1", 0.1},      {"1e-300", 1e-300},
      {"1.5E3", 1500.0}, {"1795369440.123", 1795369440.123},
      {"+Inf", kInf},    {"-Inf", -kInf},
      {"Inf", kInf},     {"inf", kInf},
      {"+inf", kInf},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    auto got = ParseSampleValue(c.text);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(ParseSampleValueTest, ReadsNaNInEitherCase) {
  for (const char* text : {"NaN", "nan", "NAN"}) {
    SCOPED_TRACE(text);
    auto got = ParseSampleValue(text);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(std::isnan(*got)) << *got;
  }
}

TEST(ParseSampleValueTest, RejectsMalformedTextQuotingIt) {
  for (const char* text :
       {"", "abc", "1.5x", "--1", "+-1", "0x10", " 1", "1 ", "1,5", "+", "-", "Infx", "e5"}) {
    SCOPED_TRACE(text);
    auto got = ParseSampleValue(text);
    ASSERT_FALSE(got.ok()) << "parsed as " << *got;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(std::string("'") + text + "'"));
  }
}

TEST(FormatSampleValueTest, WritesShortestRoundTripForm) {
  const struct {
    double value;
    const char* want;
  } kCases[] = {
      {0.0, "0"},
      {1.0, "1"},
      {1.5, "1.5"},
      {-2.0, "-2"},
      {0.1, "0.1"},                       // not 0.10000000000000001
      {1.0 / 3.0, "0.3333333333333333"},  // Python's repr(1/3), also shortest round trip
      {1e-300, "1e-300"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {kInf, "+Inf"},
      {-kInf, "-Inf"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatSampleValue(c.value), c.want);
  }
}

TEST(FormatSampleValueTest, RoundTripsThroughParseSampleValue) {
  const double kValues[] = {0.0,
                            -0.0,
                            0.1,
                            1.0 / 3.0,
                            2.0 / 3.0,
                            1795369440.123,
                            1e-300,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::max(),
                            kInf,
                            -kInf};
  for (double value : kValues) {
    const std::string text = FormatSampleValue(value);
    SCOPED_TRACE(text);
    auto back = ParseSampleValue(text);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, value);
    EXPECT_EQ(std::signbit(*back), std::signbit(value));
  }
}

// The parser reads the common form ([1795369440.123,"0.0497"]) on a fast path of its own; every
// value and timestamp must come out exactly as std::from_chars (the correctly rounded reference)
// reads the same text.
TEST(ParsePrometheusResponseTest, FastPathAgreesWithFromCharsOnRandomSamples) {
  std::mt19937_64 rng(20261122);
  std::uniform_int_distribution<int> digit(0, 9), length(1, 20), point(-1, 20), fraction(0, 4);
  std::string body = R"({"status":"success","data":{"resultType":"matrix","result":[)"
                     R"({"metric":{},"values":[)";
  std::vector<std::string> values, timestamps;
  for (int i = 0; i < 20000; ++i) {
    std::string value = rng() % 4 == 0 ? "-" : "";
    const int n = length(rng);
    const int dot = point(rng);
    for (int d = 0; d < n; ++d) {
      if (d == dot) value.push_back('.');
      value.push_back(static_cast<char>('0' + digit(rng)));
    }
    std::string timestamp = std::to_string(1795369440 + 2 * i);  // increasing after rounding
    const int fraction_digits = fraction(rng);
    if (fraction_digits > 0) timestamp.push_back('.');
    for (int d = 0; d < fraction_digits; ++d)
      timestamp.push_back(static_cast<char>('0' + digit(rng)));
    absl::StrAppend(&body, i > 0 ? "," : "", "[", timestamp, ",\"", value, "\"]");
    values.push_back(value);
    timestamps.push_back(timestamp);
  }
  body.append("]}]}}");
  auto result = ParsePrometheusResponse(body);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::vector<Point>& points = result->series[0].points;
  ASSERT_EQ(points.size(), values.size());
  for (size_t i = 0; i < points.size(); ++i) {
    double expected = 0;
    const std::string& v = values[i];
    const size_t sign = v[0] == '-' ? 1 : 0;
    std::from_chars(v.data() + sign, v.data() + v.size(), expected);
    if (sign) expected = -expected;
    ASSERT_EQ(points[i].value, expected) << v;
    double seconds = 0;
    std::from_chars(timestamps[i].data(), timestamps[i].data() + timestamps[i].size(), seconds);
    ASSERT_EQ(points[i].timestamp_ms, std::llround(seconds * 1000)) << timestamps[i];
  }
}

TEST(ParsePrometheusResponseTest, GeneralFormsParseTheSameAsTheCompactOne) {
  // Whitespace everywhere, result before resultType, exponent timestamps, escapes, unknown keys.
  const std::string body = R"( {
    "data" : { "result" : [ { "values" : [ [ 1.79536944e9 , "0.5" ] , [1795369440.5,"\u0031e3"] ],
                             "metric" : { "job" : "a\"p\\i\u00e9" }, "extra": [null, true, false, {}] } ],
               "resultType" : "matrix" },
    "status" : "success", "infos": ["x"] } )";
  auto result = ParsePrometheusResponse(body);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].labels[0].second, "a\"p\\i\xc3\xa9");
  ASSERT_EQ(result->series[0].points.size(), 2u);
  EXPECT_EQ(result->series[0].points[0].timestamp_ms, 1795369440000);
  EXPECT_EQ(result->series[0].points[0].value, 0.5);
  EXPECT_EQ(result->series[0].points[1].timestamp_ms, 1795369440500);
  EXPECT_EQ(result->series[0].points[1].value, 1000);
}

TEST(ParsePrometheusResponseTest, TimestampsThatDoNotIncreaseAreDataLoss) {
  for (const char* values : {R"([[2,"2"],[1,"1"]])", R"([[1,"1"],[1,"3"]])"}) {
    SCOPED_TRACE(values);
    auto result = ParsePrometheusResponse(
        absl::StrCat(R"({"status":"success","data":{"resultType":"matrix","result":[)",
                     R"({"metric":{},"values":)", values, "}]}}"));
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(result.status().message(), HasSubstr("timestamps do not increase"));
  }
}

TEST(ParsePrometheusResponseTest, RepeatedKeysAreDataLoss) {
  for (const char* body :
       {R"({"status":"success","data":{"resultType":"vector","result":[],"result":[]}})",
        R"({"status":"success","status":"success","data":{"resultType":"vector","result":[]}})",
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},)"
        R"("value":[1,"1"],"value":[1,"2"]}]}})"}) {
    SCOPED_TRACE(body);
    auto result = ParsePrometheusResponse(body);
    EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
    EXPECT_THAT(result.status().message(), HasSubstr("appears twice"));
  }
}

TEST(ParsePrometheusResponseTest, DeepNestingIsAnErrorNotACrash) {
  const std::string body = R"({"status":"success","x":)" + std::string(100000, '[') +
                           R"(,"data":{"resultType":"vector","result":[]}})";
  auto result = ParsePrometheusResponse(body);
  EXPECT_TRUE(absl::IsDataLoss(result.status())) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("nested too deeply"));
}

}  // namespace
}  // namespace augur::providers
