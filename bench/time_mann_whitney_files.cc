// Times the Mann-Whitney kernel on two files of numbers, for like-for-like comparison with R's
// wilcox.test() on the same files (bench/compare_r.sh). Parsing is not timed, as R's
// system.time() around wilcox.test() does not time scan() either.
//
//   time_mann_whitney_files X_FILE Y_FILE [REPETITIONS] [INTERVAL]
// prints: n m median_ms min_ms estimate ci_low ci_high
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "judges/mann_whitney.h"

namespace {

std::vector<double> Read(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(64);
  }
  std::vector<double> v;
  double d;
  while (in >> d) v.push_back(d);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s X_FILE Y_FILE [REPETITIONS] [exact|r-compatible]\n", argv[0]);
    return 64;
  }
  const std::vector<double> x = Read(argv[1]);
  const std::vector<double> y = Read(argv[2]);
  const int repetitions = argc > 3 ? std::atoi(argv[3]) : 5;
  augur::judges::MannWhitneyOptions options;
  if (argc > 4) {
    const auto interval = augur::judges::ParseIntervalMethod(argv[4]);
    if (!interval.ok()) {
      std::fprintf(stderr, "%s\n", std::string(interval.status().message()).c_str());
      return 64;
    }
    options.interval = *interval;
  }
  std::vector<double> ms;
  augur::judges::MannWhitneyResult last;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = augur::judges::MannWhitney(x, y, options);
    const auto end = std::chrono::steady_clock::now();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    last = *r;
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%zu %zu %.3f %.3f %.17g %.17g %.17g\n", x.size(), y.size(), ms[ms.size() / 2], ms[0],
              last.estimate, last.ci_low, last.ci_high);
  return 0;
}
