#include "providers/file_provider.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/time_series.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::providers {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kT0 = 1795369440000;  // 2026-11-22T17:44:00Z, in ms

absl::Time AtMs(int64_t ms) { return absl::FromUnixMillis(ms); }

// Writes files under the test temporary directory, named for the running test, and removes
// them when the test ends.
class FileProviderTest : public ::testing::Test {
 protected:
  ~FileProviderTest() override {
    for (const std::string& path : paths_) std::remove(path.c_str());
  }

  // A path that no other test, and no other run of this binary, uses; `suffix` ends the name.
  std::string TempPath(absl::string_view suffix) {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string path = absl::StrCat(::testing::TempDir(), "augur_file_provider_", test->name(), "_",
                                    getpid(), "_", paths_.size(), suffix);
    paths_.push_back(path);
    return path;
  }

  std::string WriteFile(absl::string_view suffix, absl::string_view contents) {
    const std::string path = TempPath(suffix);
    std::ofstream out(path, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    EXPECT_TRUE(out) << "cannot write " << path;
    return path;
  }

 private:
  std::vector<std::string> paths_;
};

// One series labelled job=`job` with a point at each offset (ms from kT0) whose value is the
// offset in seconds, so a point's value says which it was.
Series Job(const char* job, std::vector<int64_t> offsets_ms) {
  Series series{{{"job", job}}, {}};
  for (int64_t offset : offsets_ms) {
    series.points.push_back(Point{kT0 + offset, static_cast<double>(offset) / 1000.0});
  }
  return series;
}

FileProvider Provider(std::vector<Series> series) {
  QueryResult data;
  data.type = ResultType::kMatrix;
  data.series = std::move(series);
  return FileProvider(std::move(data), "memory");
}

RangeQuery Range(int64_t start_offset_ms, int64_t end_offset_ms) {
  return RangeQuery{"up", AtMs(kT0 + start_offset_ms), AtMs(kT0 + end_offset_ms),
                    absl::Seconds(60)};
}

TEST_F(FileProviderTest, OpensAPrometheusJsonAnswer) {
  const std::string path = WriteFile(".json", R"({"status":"success","data":{
      "resultType":"matrix","result":[
        {"metric":{"job":"api"},"values":[[1795369440,"1"],[1795369500,"2"]]}]}})");
  auto provider = FileProvider::Open(path);
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->Describe(), path);

  auto result = (*provider)->QueryRange(Range(0, 60000));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kMatrix);
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].labels, (Labels{{"job", "api"}}));
  ASSERT_EQ(result->series[0].points.size(), 2u);
  EXPECT_EQ(result->series[0].points[0].timestamp_ms, kT0);
  EXPECT_EQ(result->series[0].points[0].value, 1.0);
  EXPECT_EQ(result->series[0].points[1].timestamp_ms, kT0 + 60000);
  EXPECT_EQ(result->series[0].points[1].value, 2.0);
}

TEST_F(FileProviderTest, JsonMayStartWithBlanksAndHaveAnyName) {
  // As saved by `curl -o saved`: no extension; a leading newline does not hide the '{'.
  const std::string path = WriteFile("",
                                     "\n  \t{\"status\":\"success\",\"data\":{"
                                     "\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                                     "\"value\":[1795369440,\"5\"]}]}}\n");
  auto provider = FileProvider::Open(path);
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto result = (*provider)->QueryInstant(InstantQuery{"up", AtMs(kT0)});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].points[0].value, 5.0);
}

TEST_F(FileProviderTest, OpensCsv) {
  const std::string path = WriteFile(".csv",
                                     "timestamp,value,job\n"
                                     "1795369500,2,api\n"
                                     "1795369440,1,api\n");
  auto provider = FileProvider::Open(path);
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ((*provider)->Describe(), path);

  auto result = (*provider)->QueryRange(Range(0, 60000));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].labels, (Labels{{"job", "api"}}));
  ASSERT_EQ(result->series[0].points.size(), 2u);
  EXPECT_EQ(result->series[0].points[0].timestamp_ms, kT0);
  EXPECT_EQ(result->series[0].points[1].timestamp_ms, kT0 + 60000);
}

TEST_F(FileProviderTest, CsvErrorsNameThePathAndLine) {
  const std::string path = WriteFile(".csv", "timestamp,value\n1795369440,abc\n");
  auto provider = FileProvider::Open(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(provider.status().message()), StartsWith(path + ":2: "));
}

TEST_F(FileProviderTest, MissingFileIsInvalidArgumentNamingThePath) {
  const std::string path = TempPath(".json");  // never written
  auto provider = FileProvider::Open(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(provider.status().message()), HasSubstr(path));
}

TEST_F(FileProviderTest, SavedErrorAnswerIsInvalidArgumentWithItsMessageAndThePath) {
  const std::string path = WriteFile(
      ".json", R"({"status":"error","errorType":"timeout","error":"query timed out in query"})");
  auto provider = FileProvider::Open(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(provider.status().message());
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("Prometheus error (timeout): query timed out in query"));
}

TEST_F(FileProviderTest, MalformedJsonIsInvalidArgumentNamingThePath) {
  // A broken saved file is bad input (exit 64), not a backend failing (exit 3).
  const std::string path = WriteFile(".json", R"({"status":"success","data":{"resultType")");
  auto provider = FileProvider::Open(path);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(provider.status().message()), HasSubstr("malformed"));
  EXPECT_THAT(std::string(provider.status().message()), HasSubstr(path));
}

TEST_F(FileProviderTest, DirectoryIsInvalidArgumentSayingSo) {
  auto provider = FileProvider::Open(::testing::TempDir());
  EXPECT_TRUE(absl::IsInvalidArgument(provider.status()));
  EXPECT_THAT(std::string(provider.status().message()), HasSubstr("is a directory"));
}

TEST_F(FileProviderTest, NeitherJsonNorCsvIsInvalidArgumentNamingThePath) {
  for (const char* contents : {"timestamp,value\n1795369440,1\n", "hello", ""}) {
    SCOPED_TRACE(contents);
    const std::string path = WriteFile(".txt", contents);
    auto provider = FileProvider::Open(path);
    ASSERT_FALSE(provider.ok());
    EXPECT_EQ(provider.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(provider.status().message()), HasSubstr(path));
  }
}

TEST(FileProviderQueryRangeTest, KeepsPointsWithinInclusiveBounds) {
  FileProvider provider = Provider({Job("api", {0, 60000, 120000, 180000, 240000})});
  auto result = provider.QueryRange(Range(60000, 180000));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kMatrix);
  ASSERT_EQ(result->series.size(), 1u);
  const std::vector<Point>& points = result->series[0].points;
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].timestamp_ms, kT0 + 60000);
  EXPECT_EQ(points[1].timestamp_ms, kT0 + 120000);
  EXPECT_EQ(points[2].timestamp_ms, kT0 + 180000);
}

TEST(FileProviderQueryRangeTest, BoundsAreExactToTheMillisecond) {
  FileProvider provider = Provider({Job("api", {59999, 60000, 120000, 120001})});
  auto result = provider.QueryRange(Range(60000, 120000));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  ASSERT_EQ(result->series[0].points.size(), 2u);
  EXPECT_EQ(result->series[0].points[0].timestamp_ms, kT0 + 60000);
  EXPECT_EQ(result->series[0].points[1].timestamp_ms, kT0 + 120000);
}

TEST(FileProviderQueryRangeTest, DropsSeriesLeftWithoutPoints) {
  FileProvider provider = Provider({
      Job("early", {0}),
      Job("inside", {120000}),
      Job("late", {600000}),
  });
  auto result = provider.QueryRange(Range(60000, 180000));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].labels, (Labels{{"job", "inside"}}));
}

TEST(FileProviderQueryRangeTest, RejectsAWindowThatEndsBeforeItStarts) {
  FileProvider provider = Provider({Job("api", {0})});
  EXPECT_EQ(provider.QueryRange(Range(60000, 0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FileProviderQueryInstantTest, TakesTheLatestPointWithinFiveMinutesStampedWithTheQueryTime) {
  const int64_t kQuery = 600000;  // kT0 + 10m
  FileProvider provider = Provider({
      Job("latest_of_several", {0, 400000, 540000}),  // 10m, 3m20s and 1m before
      Job("just_inside", {kQuery - 299000}),          // 4m59s before
      Job("at_the_time", {kQuery}),                   // exactly at the query time
      Job("too_old", {kQuery - 301000}),              // 5m1s before
      Job("only_later", {kQuery + 1000}),             // after the query time
      Job("later_ignored", {kQuery - 60000, kQuery + 1000}),
  });
  auto result = provider.QueryInstant(InstantQuery{"up", AtMs(kT0 + kQuery)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kVector);

  const struct {
    const char* job;
    double value;  // the offset in seconds of the point that should answer
  } kWant[] = {
      {"latest_of_several", 540.0},
      {"just_inside", 301.0},
      {"at_the_time", 600.0},
      {"later_ignored", 540.0},
  };
  ASSERT_EQ(result->series.size(), std::size(kWant));
  for (size_t i = 0; i < std::size(kWant); ++i) {
    SCOPED_TRACE(kWant[i].job);
    const Series& series = result->series[i];
    EXPECT_EQ(series.labels, (Labels{{"job", kWant[i].job}}));
    ASSERT_EQ(series.points.size(), 1u);
    EXPECT_EQ(series.points[0].timestamp_ms, kT0 + kQuery);
    EXPECT_EQ(series.points[0].value, kWant[i].value);
  }
}

TEST(FileProviderQueryInstantTest, NothingRecentGivesAnEmptyVector) {
  FileProvider provider = Provider({Job("api", {0})});
  auto result = provider.QueryInstant(InstantQuery{"up", AtMs(kT0 + 3600000)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->type, ResultType::kVector);
  EXPECT_TRUE(result->series.empty());
}

}  // namespace
}  // namespace augur::providers
