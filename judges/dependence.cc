#include "judges/dependence.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "judges/sort_doubles.h"

namespace augur::judges {
namespace {

// 2 * (the pooled mid-rank of v) - 1 among two sorted samples: #below + #at-or-below. Twice the
// rank keeps it an integer; the autocorrelation does not see the scale.
double TwiceMidRank(double v, absl::Span<const double> a, absl::Span<const double> b) {
  const auto ra = std::equal_range(a.begin(), a.end(), v);
  const auto rb = std::equal_range(b.begin(), b.end(), v);
  return static_cast<double>((ra.first - a.begin()) + (ra.second - a.begin()) +
                             (rb.first - b.begin()) + (rb.second - b.begin()));
}

// The fraction of `sorted` below v, ties counting 1/2: v's placement among that sample.
double Placement(double v, absl::Span<const double> sorted) {
  const auto [below, at_most] = std::equal_range(sorted.begin(), sorted.end(), v);
  return static_cast<double>((below - sorted.begin()) + (at_most - sorted.begin())) /
         (2.0 * static_cast<double>(sorted.size()));
}

// Sum of (t^3 - t) over the tie groups of two sorted samples merged.
double PooledTieSum(absl::Span<const double> a, absl::Span<const double> b) {
  std::vector<double> all(a.begin(), a.end());
  all.insert(all.end(), b.begin(), b.end());
  std::inplace_merge(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(a.size()), all.end());
  double sum = 0.0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i + 1;
    while (j < all.size() && all[j] == all[i]) ++j;
    const double t = static_cast<double>(j - i);
    sum += t * t * t - t;
    i = j;
  }
  return sum;
}

}  // namespace

double LagOneAutocorrelation(absl::Span<const double> x) {
  const size_t n = x.size();
  if (n < 2) return 0.0;
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  double num = 0.0, den = 0.0;
  for (size_t t = 0; t < n; ++t) {
    const double d = x[t] - mean;
    den += d * d;
    if (t + 1 < n) num += d * (x[t + 1] - mean);
  }
  if (std::isnan(den) || std::isinf(den)) return std::nan("");
  return den > 0.0 ? num / den : 0.0;
}

double Ar1SumVarianceRatio(double rho, int64_t n) {
  if (n <= 1 || rho <= 0.0) return 1.0;
  const double nn = static_cast<double>(n);
  const double r = (1.0 + rho) / (1.0 - rho) -
                   2.0 * rho * (1.0 - std::pow(rho, nn)) / (nn * (1.0 - rho) * (1.0 - rho));
  return std::max(1.0, r);
}

SerialDependence EstimateSerialDependence(absl::Span<const double> experiment,
                                          absl::Span<const double> control,
                                          absl::Span<const double> experiment_sorted,
                                          absl::Span<const double> control_sorted) {
  SerialDependence d;
  const int64_t n = static_cast<int64_t>(experiment.size());
  const int64_t m = static_cast<int64_t>(control.size());
  d.effective_experiment = static_cast<double>(n);
  d.effective_control = static_cast<double>(m);
  double num = 0.0, den = 0.0, points = 0.0;
  int sides = 0;
  for (absl::Span<const double> series : {experiment, control}) {
    if (series.size() < 3) continue;
    std::vector<double> ranks(series.size());
    double mean = 0.0;
    for (size_t t = 0; t < series.size(); ++t) {
      ranks[t] = TwiceMidRank(series[t], experiment_sorted, control_sorted);
      mean += ranks[t];
    }
    mean /= static_cast<double>(ranks.size());
    for (size_t t = 0; t < ranks.size(); ++t) {
      const double dev = ranks[t] - mean;
      den += dev * dev;
      if (t + 1 < ranks.size()) num += dev * (ranks[t + 1] - mean);
    }
    points += static_cast<double>(series.size());
    ++sides;
  }
  if (sides == 0 || !(den > 0.0)) return d;
  d.autocorrelation = num / den;
  const double per_side = points / sides;
  const double corrected = d.autocorrelation + (1.0 + 4.0 * d.autocorrelation) / per_side;
  d.adjusted = std::clamp(corrected, 0.0, kMaxAutocorrelation);
  const double rx = Ar1SumVarianceRatio(d.adjusted, n);
  const double ry = Ar1SumVarianceRatio(d.adjusted, m);
  d.variance_factor =
      (static_cast<double>(m) * rx + static_cast<double>(n) * ry) / static_cast<double>(n + m);
  d.effective_experiment = static_cast<double>(n) / rx;
  d.effective_control = static_cast<double>(m) / ry;
  return d;
}

absl::StatusOr<ClusterDependence> EstimateClusterDependence(
    const std::vector<std::vector<double>>& experiment,
    const std::vector<std::vector<double>>& control) {
  struct Side {
    std::vector<double> sorted;
    std::vector<const std::vector<double>*> instances;  // non-empty ones
  };
  auto gather = [](const std::vector<std::vector<double>>& instances,
                   const char* name) -> absl::StatusOr<Side> {
    Side s;
    for (const std::vector<double>& instance : instances) {
      if (instance.empty()) continue;
      for (double v : instance) {
        if (std::isnan(v)) {
          return absl::InvalidArgumentError(absl::StrCat("the ", name, " has a NaN"));
        }
      }
      s.instances.push_back(&instance);
      s.sorted.insert(s.sorted.end(), instance.begin(), instance.end());
    }
    if (s.instances.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("the ", name, " has no points"));
    }
    SortDoubles(s.sorted);
    return s;
  };
  auto ex = gather(experiment, "experiment");
  if (!ex.ok()) return ex.status();
  auto co = gather(control, "control");
  if (!co.ok()) return co.status();
  ClusterDependence c;
  c.instances_experiment = static_cast<int64_t>(ex->instances.size());
  c.instances_control = static_cast<int64_t>(co->instances.size());
  if (c.instances_experiment == 1 && c.instances_control == 1) {
    return absl::InvalidArgumentError(
        "one instance a side: nothing estimates the variance between instances");
  }
  const double n = static_cast<double>(ex->sorted.size());
  const double m = static_cast<double>(co->sorted.size());

  // Per side: sum_c (S_c - n_c * mean placement)^2 * k / (k - 1), and sum_c n_c^2.
  struct Spread {
    double variance = 0.0;  // of the side's placement sum
    double size_squares = 0.0;
    int64_t k = 0;
  };
  auto spread = [](const Side& side, absl::Span<const double> other_sorted) {
    Spread s;
    s.k = static_cast<int64_t>(side.instances.size());
    std::vector<double> sums, sizes;
    double total = 0.0, count = 0.0;
    for (const std::vector<double>* instance : side.instances) {
      double sum = 0.0;
      for (double v : *instance) sum += Placement(v, other_sorted);
      sums.push_back(sum);
      sizes.push_back(static_cast<double>(instance->size()));
      total += sum;
      count += static_cast<double>(instance->size());
    }
    const double mean = total / count;
    for (size_t i = 0; i < sums.size(); ++i) {
      const double dev = sums[i] - sizes[i] * mean;
      s.variance += dev * dev;
      s.size_squares += sizes[i] * sizes[i];
    }
    if (s.k > 1) s.variance *= static_cast<double>(s.k) / static_cast<double>(s.k - 1);
    return s;
  };
  Spread sx = spread(*ex, co->sorted);
  Spread sy = spread(*co, ex->sorted);
  // A single instance: the other side's variance per squared instance size, scaled to it.
  if (sx.k == 1) sx.variance = sy.variance / sy.size_squares * sx.size_squares;
  if (sy.k == 1) sy.variance = sx.variance / sx.size_squares * sy.size_squares;
  const double a = m * m * sx.variance;
  const double b = n * n * sy.variance;
  c.variance_u = a + b;
  double df;
  if (sx.k == 1) {
    df = static_cast<double>(sy.k - 1);
  } else if (sy.k == 1) {
    df = static_cast<double>(sx.k - 1);
  } else if (a + b > 0.0) {
    df = (a + b) * (a + b) /
         (a * a / static_cast<double>(sx.k - 1) + b * b / static_cast<double>(sy.k - 1));
  } else {
    df = static_cast<double>(sx.k + sy.k - 2);
  }
  c.degrees_of_freedom = std::max(1.0, df);
  const double total = n + m;
  const double independent =
      n * m / 12.0 * (total + 1.0 - PooledTieSum(ex->sorted, co->sorted) / (total * (total - 1.0)));
  c.variance_factor = independent > 0.0 ? std::max(1.0, c.variance_u / independent) : 1.0;
  return c;
}

absl::StatusOr<CountDispersion> EstimateCountDispersion(absl::Span<const double> events,
                                                        absl::Span<const double> totals) {
  if (events.size() != totals.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("per-step counts differ in length: ", events.size(), " events, ",
                     totals.size(), " totals"));
  }
  std::vector<double> e, n;
  for (size_t t = 0; t < events.size(); ++t) {
    if (!(events[t] >= 0.0) || !(totals[t] >= 0.0) || std::isinf(events[t]) ||
        std::isinf(totals[t])) {
      return absl::InvalidArgumentError(absl::StrCat("step ", t, " has counts ", events[t], " of ",
                                                     totals[t],
                                                     "; counts must be finite and not negative"));
    }
    if (events[t] > totals[t] * (1.0 + 1e-9) + 1e-9) {
      return absl::InvalidArgumentError(
          absl::StrCat("step ", t, " has more events than total: ", events[t], " of ", totals[t]));
    }
    if (totals[t] > 0.0) {
      e.push_back(events[t]);
      n.push_back(totals[t]);
    }
  }
  CountDispersion d;
  d.steps = static_cast<int64_t>(e.size());
  if (d.steps < kMinDispersionSteps) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only ", d.steps, " steps with traffic; the dispersion needs ", kMinDispersionSteps));
  }
  double sum_e = 0.0, sum_n = 0.0;
  for (size_t t = 0; t < e.size(); ++t) {
    sum_e += e[t];
    sum_n += n[t];
  }
  const double p = std::min(1.0, sum_e / sum_n);
  if (p <= 0.0 || p >= 1.0) return d;  // no events (or only events): nothing varies
  std::vector<double> r(e.size());
  double mean = 0.0;
  for (size_t t = 0; t < e.size(); ++t) {
    r[t] = e[t] - n[t] * p;
    mean += r[t];
  }
  mean /= static_cast<double>(r.size());
  double ss = 0.0;
  for (double v : r) ss += (v - mean) * (v - mean);
  const double steps = static_cast<double>(r.size());
  const double variance = ss / (steps - 1.0);
  d.autocorrelation = LagOneAutocorrelation(r);
  // Lags 1 and 2 of the residuals, each corrected by the -1/T a white series' estimate shows.
  const double rho1 = d.autocorrelation + 1.0 / steps;
  double long_run = 1.0;
  // The decay rho2 / rho1 is a ratio of two noisy estimates: only when rho1 stands out of white
  // noise (above 2 / sqrt(T)) is it trusted, and then at most 0.9; otherwise the lag-1 term
  // alone.
  if (rho1 > 2.0 / std::sqrt(steps)) {
    double num2 = 0.0;
    for (size_t t = 0; t + 2 < r.size(); ++t) num2 += (r[t] - mean) * (r[t + 2] - mean);
    const double rho2 = (ss > 0.0 ? num2 / ss : 0.0) + 1.0 / steps;
    const double decay = std::clamp(rho2 / rho1, 0.0, kMaxDispersionDecay);
    long_run = 1.0 + 2.0 * rho1 / (1.0 - decay);
  } else if (rho1 > 0.0) {
    long_run = 1.0 + 2.0 * rho1;
  }
  const double binomial = sum_n * p * (1.0 - p);
  d.design_effect = std::max(1.0, steps * variance * long_run / binomial);
  return d;
}

}  // namespace augur::judges
