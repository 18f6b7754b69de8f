// judge_load: a concurrent client for the Judge RPC (bench/judge_rpc.sh). C threads each keep one
// call in flight against a running `augur serve`, for a fixed time, with the same inline data
// every time: M metrics x 2 sides x N points (a latency-like series, 0.1 * exp(0.1 * N(0, 1)),
// a fixed seed per side; both sides drawn from one distribution, so verdicts are PROMOTE).
// Prints one line of JSON: calls, errors, rps, latency percentiles (ms), verdicts.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "augur/v1/analysis.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

augur::v1::JudgeRequest MakeRequest(const std::string& template_name, int metrics, int points) {
  augur::v1::JudgeRequest request;
  request.mutable_template_()->set_name(template_name);
  std::mt19937_64 gen(42);
  std::normal_distribution<double> normal;
  for (int m = 0; m < metrics; ++m) {
    augur::v1::MetricData* data = request.add_metrics();
    data->set_metric(absl::StrCat("m", m));
    for (auto* series : {data->add_control(), data->add_experiment()}) {
      for (int i = 0; i < points; ++i) series->add_values(0.1 * std::exp(0.1 * normal(gen)));
    }
  }
  return request;
}

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  const size_t i = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"judge_load: concurrent Judge RPCs against a running augur serve"};
  std::string target = "127.0.0.1:7070";
  std::string template_name = "bench-judge";
  int concurrency = 8, metrics = 10, points = 300, channels = 2;
  double seconds = 10, warmup = 1;
  app.add_option("--target", target, "augur serve's gRPC address")->capture_default_str();
  app.add_option("--template", template_name, "a template of M mannWhitney metrics m0..m{M-1}")
      ->capture_default_str();
  app.add_option("--concurrency", concurrency, "calls in flight (one per thread)")
      ->capture_default_str();
  app.add_option("--channels", channels, "gRPC channels (connections) the threads share")
      ->capture_default_str();
  app.add_option("--metrics", metrics, "metrics per call")->capture_default_str();
  app.add_option("--points", points, "points per side")->capture_default_str();
  app.add_option("--seconds", seconds, "measured time")->capture_default_str();
  app.add_option("--warmup", warmup, "unmeasured time first")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const augur::v1::JudgeRequest request = MakeRequest(template_name, metrics, points);
  std::vector<std::unique_ptr<augur::v1::AnalysisService::Stub>> stubs;
  for (int c = 0; c < std::max(1, channels); ++c) {
    grpc::ChannelArguments args;
    args.SetInt("augur.bench.channel", c);  // distinct arguments: distinct connections
    args.SetMaxReceiveMessageSize(64 << 20);
    stubs.push_back(augur::v1::AnalysisService::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const Clock::time_point stop = measure_from + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(seconds));
  std::vector<std::vector<double>> latencies(static_cast<size_t>(concurrency));
  std::vector<std::map<int, int64_t>> verdicts(static_cast<size_t>(concurrency));
  std::atomic<int64_t> errors{0};
  std::atomic<int> first_error_reported{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto& stub = *stubs[static_cast<size_t>(t) % stubs.size()];
      augur::v1::AnalysisResult result;
      for (;;) {
        const Clock::time_point begin = Clock::now();
        if (begin >= stop) return;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const grpc::Status status = stub.Judge(&context, request, &result);
        const Clock::time_point end = Clock::now();
        if (begin < measure_from) continue;
        if (!status.ok()) {
          ++errors;
          if (first_error_reported++ == 0) {
            std::fprintf(stderr, "judge_load: %s\n", status.error_message().c_str());
          }
          continue;
        }
        latencies[static_cast<size_t>(t)].push_back(
            std::chrono::duration<double, std::milli>(end - begin).count());
        ++verdicts[static_cast<size_t>(t)][result.verdict()];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<double> all;
  std::map<int, int64_t> verdict_counts;
  for (size_t t = 0; t < latencies.size(); ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    for (const auto& [verdict, count] : verdicts[t]) verdict_counts[verdict] += count;
  }
  std::sort(all.begin(), all.end());
  std::string verdict_text;
  for (const auto& [verdict, count] : verdict_counts) {
    absl::StrAppend(&verdict_text, verdict_text.empty() ? "" : ", ", "\"",
                    augur::v1::Verdict_Name(static_cast<augur::v1::Verdict>(verdict)),
                    "\": ", count);
  }
  std::printf(
      "{\"concurrency\": %d, \"metrics\": %d, \"points\": %d, \"seconds\": %g, \"calls\": %zu, "
      "\"errors\": %lld, \"rps\": %.0f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"max_ms\": %.3f, \"verdicts\": {%s}}\n",
      concurrency, metrics, points, seconds, all.size(), static_cast<long long>(errors.load()),
      static_cast<double>(all.size()) / seconds, Percentile(all, 0.5), Percentile(all, 0.9),
      Percentile(all, 0.99), all.empty() ? NAN : all.back(), verdict_text.c_str());
  return errors.load() > 0 ? 1 : 0;
}
