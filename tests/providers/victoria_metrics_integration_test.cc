// The range query of prometheus_integration_test.cc against Debian's VictoriaMetrics: the same
// provider, the same data, the same answer.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/prometheus/prometheus_provider.h"
#include "tests/providers/integration_environment.h"

namespace augur::providers {
namespace {

using testing::Data;
using testing::TestData;

TEST(VictoriaMetricsIntegrationTest, RangeQueryReturnsTheSameExactPoints) {
  PrometheusOptions options;
  options.url = testing::VictoriaMetrics().url();
  auto provider = PrometheusProvider::Create(options);
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto result =
      (*provider)->QueryRange(RangeQuery{R"(augur_test_latency{version="canary"})", Data().start,
                                         Data().end(), absl::Seconds(TestData::kStepSeconds)});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->series.size(), 1u);
  const Series& series = result->series[0];
  ASSERT_EQ(series.points.size(), static_cast<size_t>(TestData::kPoints));
  for (int i = 0; i < TestData::kPoints; ++i) {
    EXPECT_EQ(series.points[i].timestamp_ms,
              absl::ToUnixMillis(Data().start) + int64_t{1000} * TestData::kStepSeconds * i);
    EXPECT_EQ(series.points[i].value, TestData::Latency(true, i)) << "point " << i;
  }
}

TEST(VictoriaMetricsIntegrationTest, BadQueryIsInvalidArgumentWithItsMessage) {
  PrometheusOptions options;
  options.url = testing::VictoriaMetrics().url();
  auto provider = PrometheusProvider::Create(options);
  ASSERT_TRUE(provider.ok());
  auto result = (*provider)->QueryRange(
      RangeQuery{"sum(augur_test_latency", Data().start, Data().end(), absl::Seconds(15)});
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
}

}  // namespace
}  // namespace augur::providers
