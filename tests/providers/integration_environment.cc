#include "tests/providers/integration_environment.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "providers/prometheus_response.h"

namespace augur::testing {
namespace {

TestData* data = nullptr;
PrometheusServer* prometheus = nullptr;
VictoriaMetricsServer* victoria_metrics = nullptr;

struct Line {
  std::string series;
  double value;
  absl::Time time;
};

std::vector<Line> Lines(const TestData& d) {
  std::vector<Line> lines;
  for (bool canary : {false, true}) {
    for (int i = 0; i < TestData::kPoints; ++i) {
      lines.push_back(
          {absl::StrCat("augur_test_latency{version=\"", canary ? "canary" : "baseline", "\"}"),
           TestData::Latency(canary, i), d.start + absl::Seconds(TestData::kStepSeconds * i)});
    }
  }
  return lines;
}

class ServersEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override {
    data = new TestData;
    // Two hours back on a minute boundary: inside Prometheus' head-compatible range and
    // VictoriaMetrics' retention, old enough that neither hides it as too recent.
    data->start =
        absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 60 * 60) - absl::Hours(2);
    PrometheusServerOptions options;
    options.openmetrics = data->OpenMetrics();
    auto server = PrometheusServer::Start(options);
    if (!server.ok()) {
      std::cerr << "cannot start Prometheus: " << server.status() << "\n";
      std::exit(1);
    }
    prometheus = server->release();
    auto vm = VictoriaMetricsServer::Start();
    if (!vm.ok()) {
      std::cerr << "cannot start VictoriaMetrics: " << vm.status() << "\n";
      std::exit(1);
    }
    victoria_metrics = vm->release();
    if (auto s = victoria_metrics->Import(data->ExpositionMs()); !s.ok()) {
      std::cerr << "cannot load VictoriaMetrics: " << s << "\n";
      std::exit(1);
    }
  }
  void TearDown() override {
    delete prometheus;
    delete victoria_metrics;
    delete data;
  }
};

}  // namespace

std::string TestData::OpenMetrics() const {
  std::string out = "# TYPE augur_test_latency gauge\n";
  for (const Line& line : Lines(*this)) {
    absl::StrAppend(&out, line.series, " ", providers::FormatSampleValue(line.value), " ",
                    absl::ToUnixSeconds(line.time), "\n");
  }
  const int64_t t = absl::ToUnixSeconds(start);
  absl::StrAppend(
      &out, "# TYPE augur_test_special gauge\n", "augur_test_special{kind=\"nan\"} NaN ", t, "\n",
      "augur_test_special{kind=\"pinf\"} +Inf ", t, "\n", "augur_test_special{kind=\"ninf\"} -Inf ",
      t, "\n", "# TYPE augur_test_escape gauge\n", "augur_test_escape{path=\"a\\\"b\\\\c\"} 7 ", t,
      "\n", "# EOF\n");
  return out;
}

std::string TestData::ExpositionMs() const {
  std::string out;
  for (const Line& line : Lines(*this)) {
    absl::StrAppend(&out, line.series, " ", providers::FormatSampleValue(line.value), " ",
                    absl::ToUnixMillis(line.time), "\n");
  }
  return out;
}

const TestData& Data() { return *data; }
PrometheusServer& Prometheus() { return *prometheus; }
VictoriaMetricsServer& VictoriaMetrics() { return *victoria_metrics; }

}  // namespace augur::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new augur::testing::ServersEnvironment);
  return RUN_ALL_TESTS();
}
