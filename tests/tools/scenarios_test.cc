#include "tools/scenarios.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::scenarios {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kEnd = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr double kHalfHour = 1800;

ScenarioOptions Options(std::vector<std::string> scenarios = {}) {
  ScenarioOptions options;
  options.end_unix_seconds = kEnd;
  options.scenarios = std::move(scenarios);
  return options;
}

std::string Generate(const ScenarioOptions& options) {
  absl::StatusOr<std::string> text = GenerateOpenMetrics(options);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *std::move(text) : std::string();
}

// --- A small OpenMetrics reader, enough for what the generator writes -----------------------

using Labels = std::map<std::string, std::string>;

struct Series {
  std::string name;
  Labels labels;
  std::string labels_text;  // as written, between the braces
  std::vector<double> times;
  std::vector<double> values;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> type
  std::map<std::string, int> type_lines;
  std::map<std::string, int> help_lines;
  std::vector<std::string> family_runs;  // the family of each run of consecutive samples
  std::vector<Series> series;            // in order of first appearance
  int64_t samples = 0;
};

// The family a sample name belongs to, given the declared types; empty if none.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  if (auto it = types.find(name); it != types.end() && it->second == "gauge") return name;
  for (const auto& [suffix, type] :
       std::vector<std::pair<std::string, std::string>>{{"_total", "counter"},
                                                        {"_bucket", "histogram"},
                                                        {"_count", "histogram"},
                                                        {"_sum", "histogram"}}) {
    if (!absl::EndsWith(name, suffix)) continue;
    const std::string family = name.substr(0, name.size() - suffix.size());
    if (auto it = types.find(family); it != types.end() && it->second == type) return family;
  }
  return "";
}

absl::StatusOr<Labels> ParseLabels(absl::string_view text) {
  Labels labels;
  size_t i = 0;
  while (i < text.size()) {
    const size_t equals = text.find('=', i);
    if (equals == absl::string_view::npos || equals + 1 >= text.size() || text[equals + 1] != '"') {
      return absl::InvalidArgumentError(absl::StrCat("bad labels: ", text));
    }
    std::string value;
    size_t j = equals + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value += text[j] == 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    if (j >= text.size()) return absl::InvalidArgumentError(absl::StrCat("unterminated: ", text));
    labels[std::string(text.substr(i, equals - i))] = std::move(value);
    i = j + 1;
    if (i < text.size()) {
      if (text[i] != ',') return absl::InvalidArgumentError(absl::StrCat("bad labels: ", text));
      ++i;
    }
  }
  return labels;
}

absl::StatusOr<Exposition> Parse(const std::string& text) {
  if (!absl::EndsWith(text, "# EOF\n")) return absl::InvalidArgumentError("no final # EOF");
  Exposition out;
  std::unordered_map<std::string, size_t> index;
  absl::string_view body(text);
  body.remove_suffix(6);
  if (body.empty() || body.back() != '\n') return absl::InvalidArgumentError("no final newline");
  body.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    const auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(why, ": ", line));
    };
    if (absl::ConsumePrefix(&line, "# ")) {
      std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(' ', 2));
      if (parts.size() != 3) return bad("bad comment");
      if (parts[0] == "TYPE") {
        out.types[parts[1]] = parts[2];
        ++out.type_lines[parts[1]];
      } else if (parts[0] == "HELP") {
        ++out.help_lines[parts[1]];
      } else {
        return bad("unexpected comment (a second # EOF?)");
      }
      continue;
    }
    const size_t brace = line.find('{');
    const size_t close = line.rfind('}');
    if (brace == absl::string_view::npos || close == absl::string_view::npos) {
      return bad("no labels");
    }
    std::vector<absl::string_view> rest = absl::StrSplit(line.substr(close + 1), ' ');
    if (rest.size() != 3 || !rest[0].empty()) return bad("expected ' VALUE TIMESTAMP'");
    double value = 0;
    double time = 0;
    if (rest[1] == "NaN") {
      value = std::numeric_limits<double>::quiet_NaN();
    } else if (!absl::SimpleAtod(rest[1], &value)) {
      return bad("bad value");
    }
    if (!absl::SimpleAtod(rest[2], &time)) return bad("bad timestamp");
    const std::string name(line.substr(0, brace));
    const std::string family = FamilyOf(name, out.types);
    if (family.empty()) return bad("sample before its family's TYPE");
    if (out.family_runs.empty() || out.family_runs.back() != family) {
      out.family_runs.push_back(family);
    }
    const std::string key(line.substr(0, close + 1));
    auto [it, inserted] = index.try_emplace(key, out.series.size());
    if (inserted) {
      Series series;
      series.name = name;
      series.labels_text = std::string(line.substr(brace + 1, close - brace - 1));
      absl::StatusOr<Labels> labels = ParseLabels(series.labels_text);
      if (!labels.ok()) return labels.status();
      series.labels = *std::move(labels);
      out.series.push_back(std::move(series));
    }
    out.series[it->second].times.push_back(time);
    out.series[it->second].values.push_back(value);
    ++out.samples;
  }
  return out;
}

Exposition ParseOrDie(const std::string& text) {
  absl::StatusOr<Exposition> parsed = Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : Exposition();
}

bool Matches(const Series& series, absl::string_view name, const Labels& match) {
  if (series.name != name) return false;
  for (const auto& [key, value] : match) {
    auto it = series.labels.find(key);
    if (it == series.labels.end() || it->second != value) return false;
  }
  return true;
}

std::vector<const Series*> Find(const Exposition& e, absl::string_view name, const Labels& match) {
  std::vector<const Series*> found;
  for (const Series& series : e.series) {
    if (Matches(series, name, match)) found.push_back(&series);
  }
  return found;
}

// Last value minus the value `window` seconds before the last sample (which must exist).
double SeriesIncrease(const Series& series, double window) {
  const double from = series.times.back() - window;
  const auto it = std::lower_bound(series.times.begin(), series.times.end(), from);
  EXPECT_TRUE(it != series.times.end() && *it == from) << series.labels_text;
  return series.values.back() - series.values[static_cast<size_t>(it - series.times.begin())];
}

// The sum over the matching series of their increase over the last `window` seconds.
double Increase(const Exposition& e, absl::string_view name, const Labels& match,
                double window = kHalfHour) {
  double total = 0;
  const std::vector<const Series*> found = Find(e, name, match);
  EXPECT_FALSE(found.empty()) << name;
  for (const Series* series : found) total += SeriesIncrease(*series, window);
  return total;
}

double ParseLe(const std::string& le) {
  if (le == "+Inf") return std::numeric_limits<double>::infinity();
  double bound = 0;
  EXPECT_TRUE(absl::SimpleAtod(le, &bound)) << le;
  return bound;
}

// Prometheus' histogram_quantile over the bucket increases of one version of a scenario in the
// last `window` seconds, summed over its pods (promql/quantile.go, bucketQuantile).
double Quantile(const Exposition& e, const std::string& service, const std::string& version,
                double q, double window = kHalfHour) {
  std::map<double, double> buckets;
  for (const Series* series : Find(e, "http_request_duration_seconds_bucket",
                                   {{"service", service}, {"version", version}})) {
    buckets[ParseLe(series->labels.at("le"))] += SeriesIncrease(*series, window);
  }
  EXPECT_GE(buckets.size(), 2u);
  EXPECT_TRUE(std::isinf(buckets.rbegin()->first));
  const double total = buckets.rbegin()->second;
  const double rank = q * total;
  double lower = 0;
  double below = 0;
  for (const auto& [upper, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(upper)) return lower;
      return lower + (upper - lower) * (rank - below) / (count - below);
    }
    lower = upper;
    below = count;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double ErrorRatio(const Exposition& e, const std::string& service, const std::string& version) {
  const double errors = Increase(e, "http_requests_total",
                                 {{"service", service}, {"version", version}, {"code", "500"}});
  const double ok = Increase(e, "http_requests_total",
                             {{"service", service}, {"version", version}, {"code", "200"}});
  return errors / (errors + ok);
}

// Average cores per pod over the last half hour.
double CoresPerPod(const Exposition& e, const std::string& service, const std::string& version) {
  const Labels match = {{"service", service}, {"version", version}};
  const double pods =
      static_cast<double>(Find(e, "container_cpu_usage_seconds_total", match).size());
  return Increase(e, "container_cpu_usage_seconds_total", match) / kHalfHour / pods;
}

// --- Catalogue -----------------------------------------------------------------------------

TEST(ScenariosTest, CatalogueIsInAFixedOrderWithVerdicts) {
  std::vector<std::string> names;
  for (const ScenarioInfo& info : Scenarios()) {
    names.push_back(info.name);
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_TRUE(absl::StartsWith(info.expected, "PROMOTE") ||
                absl::StartsWith(info.expected, "ABORT") || absl::StartsWith(info.expected, "HOLD"))
        << info.name << ": " << info.expected;
  }
  EXPECT_THAT(names,
              ElementsAre("healthy", "latency-regression", "spread-regression", "error-spike",
                          "no-canary-traffic", "all-nan", "missing-one-side", "cpu-regression"));
  EXPECT_EQ(Scenarios()[0].expected, "PROMOTE");
  EXPECT_TRUE(absl::StartsWith(Scenarios()[1].expected, "ABORT"));
  EXPECT_TRUE(absl::StartsWith(Scenarios()[4].expected, "HOLD"));
}

// --- Determinism ---------------------------------------------------------------------------

TEST(ScenariosTest, SameOptionsGiveTheSameBytes) {
  ScenarioOptions options = Options();
  options.duration = absl::Minutes(20);
  const std::string first = Generate(options);
  EXPECT_EQ(first, Generate(options));
  options.seed = 2;
  const std::string other_seed = Generate(options);
  EXPECT_NE(first, other_seed);
  // Same shape, other numbers.
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'),
            std::count(other_seed.begin(), other_seed.end(), '\n'));
}

TEST(ScenariosTest, AScenarioDoesNotDependOnWhichOthersAreSelected) {
  ScenarioOptions options = Options();
  options.duration = absl::Minutes(10);
  const std::string all = Generate(options);
  options.scenarios = {"error-spike"};
  const std::string alone = Generate(options);
  std::string from_all;
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    if (absl::StrContains(line, "service=\"error-spike\"")) absl::StrAppend(&from_all, line, "\n");
  }
  std::string samples_alone;
  for (absl::string_view line : absl::StrSplit(alone, '\n')) {
    if (!line.empty() && line[0] != '#') absl::StrAppend(&samples_alone, line, "\n");
  }
  EXPECT_FALSE(samples_alone.empty());
  EXPECT_EQ(from_all, samples_alone);
}

TEST(ScenariosTest, SelectionOrderAndRepeatsDoNotMatter) {
  ScenarioOptions a = Options({"error-spike", "healthy"});
  ScenarioOptions b = Options({"healthy", "error-spike", "healthy"});
  a.duration = b.duration = absl::Minutes(5);
  const std::string text = Generate(a);
  EXPECT_EQ(text, Generate(b));
  // Catalogue order: healthy first.
  EXPECT_LT(text.find("service=\"healthy\""), text.find("service=\"error-spike\""));
}

// --- Errors --------------------------------------------------------------------------------

TEST(ScenariosTest, UnknownScenarioIsInvalidArgumentListingValidNames) {
  const absl::StatusOr<std::string> text = GenerateOpenMetrics(Options({"healthy", "slow"}));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(text.status().message(), HasSubstr("'slow'"));
  for (const ScenarioInfo& info : Scenarios()) {
    EXPECT_THAT(text.status().message(), HasSubstr(info.name));
  }
}

TEST(ScenariosTest, OptionsOutOfRangeAreInvalidArgument) {
  struct Case {
    const char* what;
    void (*change)(ScenarioOptions&);
  };
  const Case cases[] = {
      {"no end", [](ScenarioOptions& o) { o.end_unix_seconds = 0; }},
      {"negative end", [](ScenarioOptions& o) { o.end_unix_seconds = -5; }},
      {"year 10000", [](ScenarioOptions& o) { o.end_unix_seconds = int64_t{253402300800}; }},
      {"zero interval", [](ScenarioOptions& o) { o.scrape_interval = absl::ZeroDuration(); }},
      {"negative interval", [](ScenarioOptions& o) { o.scrape_interval = absl::Seconds(-15); }},
      {"sub-millisecond interval",
       [](ScenarioOptions& o) { o.scrape_interval = absl::Microseconds(1500); }},
      {"duration below interval", [](ScenarioOptions& o) { o.duration = absl::Seconds(10); }},
      {"zero duration", [](ScenarioOptions& o) { o.duration = absl::ZeroDuration(); }},
      {"too many points", [](ScenarioOptions& o) { o.duration = absl::Hours(24 * 30); }},
      {"history before 1970", [](ScenarioOptions& o) { o.end_unix_seconds = 1000; }},
      {"no pods", [](ScenarioOptions& o) { o.pods_per_version = 0; }},
      {"too many pods", [](ScenarioOptions& o) { o.pods_per_version = 101; }},
      {"empty namespace", [](ScenarioOptions& o) { o.kubernetes_namespace.clear(); }},
  };
  for (const Case& c : cases) {
    ScenarioOptions options = Options({"healthy"});
    c.change(options);
    const absl::StatusOr<std::string> text = GenerateOpenMetrics(options);
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
  }
}

// --- Format --------------------------------------------------------------------------------

TEST(ScenariosTest, FormatIsWhatPromtoolAndPromQLExpect) {
  ScenarioOptions options = Options();
  options.duration = absl::Minutes(30);
  const std::string text = Generate(options);
  ASSERT_TRUE(absl::EndsWith(text, "\n# EOF\n"));
  EXPECT_EQ(text.find("# EOF"), text.size() - 6);
  const Exposition e = ParseOrDie(text);

  // One TYPE and one HELP per family, families one after another, never interleaved.
  EXPECT_THAT(
      e.types,
      ElementsAre(
          std::pair<const std::string, std::string>("app_cache_hit_ratio", "gauge"),
          std::pair<const std::string, std::string>("app_queue_wait_seconds", "gauge"),
          std::pair<const std::string, std::string>("container_cpu_usage_seconds", "counter"),
          std::pair<const std::string, std::string>("http_request_duration_seconds", "histogram"),
          std::pair<const std::string, std::string>("http_requests", "counter")));
  for (const auto& [family, type] : e.types) {
    EXPECT_EQ(e.type_lines.at(family), 1) << family;
    EXPECT_EQ(e.help_lines.at(family), 1) << family;
  }
  EXPECT_THAT(e.family_runs, ElementsAre("http_requests", "http_request_duration_seconds",
                                         "container_cpu_usage_seconds", "app_cache_hit_ratio",
                                         "app_queue_wait_seconds"));

  // 121 samples per series from end - 30m to end, strictly increasing; counters start at 0 and
  // never decrease.
  const int64_t points = 30 * 4 + 1;
  for (const Series& series : e.series) {
    ASSERT_EQ(static_cast<int64_t>(series.times.size()), points) << series.labels_text;
    EXPECT_EQ(series.times.front(), static_cast<double>(kEnd - 1800));
    EXPECT_EQ(series.times.back(), static_cast<double>(kEnd));
    for (size_t k = 1; k < series.times.size(); ++k) {
      ASSERT_LT(series.times[k - 1], series.times[k]) << series.name << series.labels_text;
    }
    if (series.name == "app_cache_hit_ratio" || series.name == "app_queue_wait_seconds") continue;
    EXPECT_EQ(series.values.front(), 0) << series.name << series.labels_text;
    for (size_t k = 1; k < series.values.size(); ++k) {
      ASSERT_LE(series.values[k - 1], series.values[k]) << series.name << series.labels_text;
    }
  }

  // Histograms: buckets cumulative in le at every scrape, _count equal to the +Inf bucket.
  std::map<std::string, std::map<double, const Series*>> buckets;  // pod -> le -> series
  std::map<std::string, const Series*> counts;
  for (const Series& series : e.series) {
    if (series.name == "http_request_duration_seconds_bucket") {
      buckets[series.labels.at("pod")][ParseLe(series.labels.at("le"))] = &series;
    } else if (series.name == "http_request_duration_seconds_count") {
      counts[series.labels.at("pod")] = &series;
    }
  }
  ASSERT_EQ(buckets.size(), 8u * 2 * 3);
  for (const auto& [pod, by_le] : buckets) {
    ASSERT_EQ(by_le.size(), 27u) << pod;
    ASSERT_TRUE(std::isinf(by_le.rbegin()->first)) << pod;
    for (int64_t k = 0; k < points; ++k) {
      double previous = 0;
      for (const auto& [le, series] : by_le) {
        const double value = series->values[static_cast<size_t>(k)];
        ASSERT_LE(previous, value) << pod << " le=" << le << " at " << k;
        previous = value;
      }
      ASSERT_EQ(counts.at(pod)->values[static_cast<size_t>(k)], previous) << pod << " at " << k;
    }
  }
}

TEST(ScenariosTest, EveryPodHasItsLabelsAndSeries) {
  ScenarioOptions options = Options();
  options.duration = absl::Minutes(2);
  options.pods_per_version = 2;
  options.kubernetes_namespace = "shop";
  const Exposition e = ParseOrDie(Generate(options));
  for (const ScenarioInfo& info : Scenarios()) {
    for (const std::string version : {"stable", "canary"}) {
      for (int i = 0; i < 2; ++i) {
        const Labels pod = {{"namespace", "shop"},
                            {"service", info.name},
                            {"version", version},
                            {"pod", absl::StrCat(info.name, "-", version, "-", i)}};
        const std::string where = absl::StrCat(info.name, " ", version, " ", i);
        Labels code_200 = pod, code_500 = pod, app = pod;
        code_200["code"] = "200";
        code_500["code"] = "500";
        app["container"] = "app";
        EXPECT_EQ(Find(e, "http_requests_total", code_200).size(), 1u) << where;
        EXPECT_EQ(Find(e, "http_requests_total", code_500).size(), 1u) << where;
        EXPECT_EQ(Find(e, "http_request_duration_seconds_bucket", pod).size(), 27u) << where;
        EXPECT_EQ(Find(e, "http_request_duration_seconds_count", pod).size(), 1u) << where;
        EXPECT_EQ(Find(e, "http_request_duration_seconds_sum", pod).size(), 1u) << where;
        EXPECT_EQ(Find(e, "container_cpu_usage_seconds_total", app).size(), 1u) << where;
        const bool gauge_expected = !(info.name == "missing-one-side" && version == "canary");
        EXPECT_EQ(Find(e, "app_cache_hit_ratio", pod).size(), gauge_expected ? 1u : 0u) << where;
        EXPECT_EQ(Find(e, "app_queue_wait_seconds", pod).size(), 1u) << where;
      }
    }
  }
  // Exactly those: 8 scenarios x 2 versions x 2 pods x 34 series, less the 2 missing gauges.
  EXPECT_EQ(e.series.size(), 8u * 2 * 2 * 34 - 2);
}

TEST(ScenariosTest, NamespaceIsEscaped) {
  ScenarioOptions options = Options({"healthy"});
  options.duration = absl::Minutes(1);
  options.kubernetes_namespace = "a\"b\\c";
  const std::string text = Generate(options);
  EXPECT_TRUE(absl::StrContains(text, "{namespace=\"a\\\"b\\\\c\",service=\"healthy\""));
  const Exposition e = ParseOrDie(text);
  ASSERT_FALSE(e.series.empty());
  EXPECT_EQ(e.series[0].labels.at("namespace"), "a\"b\\c");
}

TEST(ScenariosTest, SubSecondIntervalsWriteMilliseconds) {
  ScenarioOptions options = Options({"healthy"});
  options.duration = absl::Seconds(3);
  options.scrape_interval = absl::Milliseconds(750);
  options.pods_per_version = 1;
  const Exposition e = ParseOrDie(Generate(options));
  ASSERT_FALSE(e.series.empty());
  EXPECT_THAT(e.series[0].times, ElementsAre(kEnd - 3, kEnd - 2.25, kEnd - 1.5, kEnd - 0.75, kEnd));
  EXPECT_TRUE(absl::StrContains(Generate(options), "} 0 1699999997\n"));
  EXPECT_TRUE(absl::StrContains(Generate(options), " 1699999997.75\n"));
}

// --- The intended effects, read back from the text -----------------------------------------

class ScenarioEffectsTest : public ::testing::Test {
 protected:
  static Exposition For(const std::string& scenario) {
    return ParseOrDie(Generate(Options({scenario})));
  }
};

TEST_F(ScenarioEffectsTest, HealthyVersionsAgree) {
  const Exposition e = For("healthy");
  const double p50 = Quantile(e, "healthy", "canary", 0.5) / Quantile(e, "healthy", "stable", 0.5);
  const double p99 =
      Quantile(e, "healthy", "canary", 0.99) / Quantile(e, "healthy", "stable", 0.99);
  EXPECT_NEAR(p50, 1.0, 0.05);
  EXPECT_NEAR(p99, 1.0, 0.07);
  // The model's levels: median ~120 ms, p99 ~270 ms, 0.5% errors, ~0.4 cores.
  EXPECT_NEAR(Quantile(e, "healthy", "stable", 0.5), 0.12, 0.012);
  EXPECT_NEAR(Quantile(e, "healthy", "stable", 0.99), 0.27, 0.03);
  EXPECT_NEAR(ErrorRatio(e, "healthy", "stable"), 0.005, 0.0015);
  EXPECT_NEAR(ErrorRatio(e, "healthy", "canary"), 0.005, 0.0015);
  // CPU follows the requests served: 0.05 cores idle plus 0.35 at 20 requests/s.
  const double rps = Increase(e, "http_request_duration_seconds_count",
                              {{"service", "healthy"}, {"version", "stable"}}) /
                     kHalfHour / 3;
  EXPECT_NEAR(CoresPerPod(e, "healthy", "stable"), 0.05 + 0.35 * rps / 20, 0.01);
  EXPECT_NEAR(CoresPerPod(e, "healthy", "stable"), 0.4, 0.08);
  EXPECT_NEAR(CoresPerPod(e, "healthy", "canary") / CoresPerPod(e, "healthy", "stable"), 1.0, 0.05);
}

TEST_F(ScenarioEffectsTest, TrafficIsAboutTwentyPerSecondPerPodAndSharedByBothVersions) {
  const Exposition e = For("healthy");
  const double hour = 3600;
  const double stable_rps =
      Increase(e, "http_request_duration_seconds_count", {{"version", "stable"}}, hour) / hour / 3;
  EXPECT_NEAR(stable_rps, 20.0, 3.0);
  // Per-minute request totals of the two versions move together (shared load), and vary.
  std::vector<double> stable(60, 0), canary(60, 0);
  for (const Series* s : Find(e, "http_request_duration_seconds_count", {})) {
    std::vector<double>& minutes = s->labels.at("version") == "stable" ? stable : canary;
    for (size_t m = 0; m < 60; ++m) minutes[m] += s->values[4 * m + 4] - s->values[4 * m];
  }
  const auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  const double ms = mean(stable), mc = mean(canary);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t m = 0; m < 60; ++m) {
    sxy += (stable[m] - ms) * (canary[m] - mc);
    sxx += (stable[m] - ms) * (stable[m] - ms);
    syy += (canary[m] - mc) * (canary[m] - mc);
  }
  EXPECT_GT(sxy / std::sqrt(sxx * syy), 0.7);
  EXPECT_GT(std::sqrt(sxx / 59) / ms, 0.05);  // the load varies
}

TEST_F(ScenarioEffectsTest, LatencyRegressionScalesP99ByAFifth) {
  const Exposition e = For("latency-regression");
  const double p99 = Quantile(e, "latency-regression", "canary", 0.99) /
                     Quantile(e, "latency-regression", "stable", 0.99);
  EXPECT_GE(p99, 1.15);
  EXPECT_LE(p99, 1.25);
  const double p50 = Quantile(e, "latency-regression", "canary", 0.5) /
                     Quantile(e, "latency-regression", "stable", 0.5);
  EXPECT_NEAR(p50, 1.2, 0.05);
  EXPECT_NEAR(ErrorRatio(e, "latency-regression", "canary"), 0.005, 0.0015);
}

TEST_F(ScenarioEffectsTest, SpreadRegressionMovesTheTailNotTheMedian) {
  const Exposition e = For("spread-regression");
  const double p50 = Quantile(e, "spread-regression", "canary", 0.5) /
                     Quantile(e, "spread-regression", "stable", 0.5);
  const double p99 = Quantile(e, "spread-regression", "canary", 0.99) /
                     Quantile(e, "spread-regression", "stable", 0.99);
  EXPECT_NEAR(p50, 1.0, 0.05);
  EXPECT_GE(p99, 1.4);
}

TEST_F(ScenarioEffectsTest, ErrorSpikeMultipliesTheErrorRatio) {
  const Exposition e = For("error-spike");
  const double stable = ErrorRatio(e, "error-spike", "stable");
  const double canary = ErrorRatio(e, "error-spike", "canary");
  EXPECT_GT(stable, 0);
  EXPECT_GE(canary, 5 * stable);
  EXPECT_NEAR(canary, 0.05, 0.005);
  const double p99 =
      Quantile(e, "error-spike", "canary", 0.99) / Quantile(e, "error-spike", "stable", 0.99);
  EXPECT_NEAR(p99, 1.0, 0.07);
}

TEST_F(ScenarioEffectsTest, NoCanaryTrafficKeepsCanaryCountersFlat) {
  const Exposition e = For("no-canary-traffic");
  int canary_series = 0;
  for (const Series& s : e.series) {
    if (s.labels.at("version") != "canary" || !absl::StartsWith(s.name, "http_request")) continue;
    ++canary_series;
    for (double v : s.values) ASSERT_EQ(v, 0) << s.name << s.labels_text;
  }
  EXPECT_EQ(canary_series, 3 * (2 + 27 + 2));
  EXPECT_GT(Increase(e, "http_requests_total", {{"version", "stable"}}), 0);
  EXPECT_NEAR(CoresPerPod(e, "no-canary-traffic", "canary"), 0.05, 0.01);
  EXPECT_NEAR(CoresPerPod(e, "no-canary-traffic", "stable"), 0.4, 0.08);
  EXPECT_EQ(Find(e, "app_cache_hit_ratio", {{"version", "canary"}}).size(), 3u);
}

TEST_F(ScenarioEffectsTest, AllNanWritesNaNOnBothVersions) {
  const std::string text = Generate(Options({"all-nan"}));
  EXPECT_TRUE(absl::StrContains(text, "pod=\"all-nan-canary-0\"} NaN 1700000000\n"));
  const Exposition e = ParseOrDie(text);
  const std::vector<const Series*> gauges = Find(e, "app_cache_hit_ratio", {});
  ASSERT_EQ(gauges.size(), 6u);
  for (const Series* s : gauges) {
    for (double v : s->values) ASSERT_TRUE(std::isnan(v)) << s->labels_text;
  }
  EXPECT_NEAR(ErrorRatio(e, "all-nan", "canary"), 0.005, 0.0015);
}

TEST_F(ScenarioEffectsTest, MissingOneSideHasNoCanaryGauge) {
  const Exposition e = For("missing-one-side");
  EXPECT_TRUE(Find(e, "app_cache_hit_ratio", {{"version", "canary"}}).empty());
  const std::vector<const Series*> stable = Find(e, "app_cache_hit_ratio", {{"version", "stable"}});
  ASSERT_EQ(stable.size(), 3u);
  double sum = 0;
  double n = 0;
  for (const Series* s : stable) {
    for (double v : s->values) {
      ASSERT_GE(v, 0);
      ASSERT_LE(v, 1);
      sum += v;
      ++n;
    }
  }
  EXPECT_NEAR(sum / n, 0.93, 0.005);
}

TEST_F(ScenarioEffectsTest, CpuRegressionDoublesCanaryCpuOnly) {
  const Exposition e = For("cpu-regression");
  EXPECT_NEAR(
      CoresPerPod(e, "cpu-regression", "canary") / CoresPerPod(e, "cpu-regression", "stable"), 2.0,
      0.15);
  const double p99 =
      Quantile(e, "cpu-regression", "canary", 0.99) / Quantile(e, "cpu-regression", "stable", 0.99);
  EXPECT_NEAR(p99, 1.0, 0.07);
}

// The effects hold for other seeds too, not just the default one.
TEST_F(ScenarioEffectsTest, EffectsHoldAcrossSeeds) {
  for (uint64_t seed : {2, 3, 42}) {
    ScenarioOptions options = Options({"healthy", "latency-regression", "spread-regression"});
    options.seed = seed;
    const Exposition e = ParseOrDie(Generate(options));
    const auto ratio = [&](const std::string& service, double q) {
      return Quantile(e, service, "canary", q) / Quantile(e, service, "stable", q);
    };
    EXPECT_NEAR(ratio("healthy", 0.99), 1.0, 0.07) << seed;
    EXPECT_GE(ratio("latency-regression", 0.99), 1.15) << seed;
    EXPECT_LE(ratio("latency-regression", 0.99), 1.25) << seed;
    EXPECT_NEAR(ratio("spread-regression", 0.5), 1.0, 0.05) << seed;
    EXPECT_GE(ratio("spread-regression", 0.99), 1.4) << seed;
  }
}

// --- Size, speed, and the real tool --------------------------------------------------------

// Size, not speed: tests never fail because the machine was slow (speed is measured by
// augur-scenarios in docs/performance.md).
TEST(ScenariosTest, AllScenariosForAnHourStayUnder64MiB) {
  const std::string text = Generate(Options());
  RecordProperty("bytes", std::to_string(text.size()));
  EXPECT_LT(text.size(), size_t{64} << 20);
}

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    const std::string candidate = absl::StrCat(dir, "/", program);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs a shell command, returning its exit status and its combined output.
std::pair<int, std::string> RunShell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string Quote(const std::string& path) { return absl::StrCat("'", path, "'"); }

TEST(ScenariosTest, PromtoolBackfillsEverySample) {
  const std::string promtool = FindOnPath("promtool");
  ASSERT_FALSE(promtool.empty())
      << "promtool is not on PATH: install Debian's `prometheus` package (scripts/setup)";
  std::string dir_template = ::testing::TempDir() + "/augur-scenarios-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr) << dir_template;
  const std::string dir = dir_template;

  const std::string text = Generate(Options());
  const std::string input = dir + "/scenarios.om";
  {
    std::ofstream file(input, std::ios::binary);
    file << text;
    ASSERT_TRUE(file.good()) << input;
  }
  const auto [code, output] =
      RunShell(absl::StrCat(Quote(promtool), " tsdb create-blocks-from openmetrics ", Quote(input),
                            " ", Quote(dir + "/data")));
  EXPECT_EQ(code, 0) << output;

  // Every sample line landed in some block.
  const auto [list_code, list] =
      RunShell(absl::StrCat(Quote(promtool), " tsdb list ", Quote(dir + "/data")));
  EXPECT_EQ(list_code, 0) << list;
  int64_t samples_in_blocks = 0;
  for (absl::string_view line : absl::StrSplit(list, '\n')) {
    // BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
    std::vector<absl::string_view> columns = absl::StrSplit(line, ' ', absl::SkipEmpty());
    int64_t samples = 0;
    if (columns.size() >= 8 && absl::SimpleAtoi(columns[4], &samples)) samples_in_blocks += samples;
  }
  int64_t sample_lines = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] != '#') ++sample_lines;
  }
  EXPECT_EQ(samples_in_blocks, sample_lines) << list;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace augur::scenarios
