#include "judges/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/math/distributions/students_t.hpp"
#include "core/status_macros.h"
#include "judges/mann_whitney_distribution.h"
#include "judges/normal_distribution.h"
#include "judges/pairwise_differences.h"
#include "judges/sample_check.h"
#include "judges/shifted_rank_statistic.h"
#include "judges/sort_doubles.h"
#include "judges/zeroin.h"

namespace augur::judges {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kRootMaxIterations = 1000;  // R's uniroot default
// Below this many values per side (and without ties) ExactMode::kAuto uses the exact distribution.
constexpr int64_t kAutoExactLimit = 50;
// n*m up to 2^53 keeps U and U - n*m/2 exact in doubles.
constexpr int64_t kMaxPairs = int64_t{1} << 53;

// The null reference of the normal-approximation branch: N(0, 1), or Student's t when the points
// are dependent and their variance is estimated (MannWhitneyOptions::degrees_of_freedom), with
// sigma scaled by sqrt(variance_factor).
struct Reference {
  double scale = 1.0;  // multiplies sigma
  double df = 0.0;     // 0: normal

  double Cdf(double z) const {
    if (df <= 0.0 || std::isinf(z)) return NormalCdf(z);
    return boost::math::cdf(boost::math::students_t_distribution<double>(df), z);
  }
  double UpperTail(double z) const { return MannWhitneyReferenceUpperTail(z, df); }
  // As NormalQuantile: P(T <= q) = p, or P(T > q) = p when lower_tail is false.
  double Quantile(double p, bool lower_tail = true) const {
    if (df <= 0.0) return NormalQuantile(p, lower_tail);
    const boost::math::students_t_distribution<double> t(df);
    return lower_tail ? boost::math::quantile(t, p)
                      : boost::math::quantile(boost::math::complement(t, p));
  }
};

double Sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

// The continuity correction R applies to U - n*m/2 for the given alternative.
double Correction(double centered_u, Alternative alternative, bool correct) {
  if (!correct) return 0.0;
  switch (alternative) {
    case Alternative::kTwoSided:
      return Sign(centered_u) * 0.5;
    case Alternative::kGreater:
      return 0.5;
    case Alternative::kLess:
      return -0.5;
  }
  return 0.0;
}

// Everything the interval computations share.
struct Samples {
  std::vector<double> x;  // experiment, sorted
  std::vector<double> y;  // control, sorted
  int64_t n;
  int64_t m;
  int64_t pairs;
  double within_tie_sum;  // WithinSampleTieSum(x, y)
};

// Normal-approximation p-value from the statistic at shift 0.
double AsymptoticPValue(const ShiftedRankStatistic::Value& at_zero, Alternative alternative,
                        bool correct, const Reference& reference) {
  if (at_zero.sigma == 0.0) return 1.0;  // every observation tied: U equals its mean always
  const double z = (at_zero.centered_u - Correction(at_zero.centered_u, alternative, correct)) /
                   (at_zero.sigma * reference.scale);
  switch (alternative) {
    case Alternative::kLess:
      return reference.Cdf(z);
    case Alternative::kGreater:
      return reference.UpperTail(z);
    case Alternative::kTwoSided:
      return std::min(1.0, 2.0 * std::min(reference.Cdf(z), reference.UpperTail(z)));
  }
  return 1.0;
}

double ExactPValue(const MannWhitneyDistribution& dist, int64_t u, Alternative alternative) {
  switch (alternative) {
    case Alternative::kLess:
      return dist.Cdf(u);
    case Alternative::kGreater:
      return dist.UpperTail(u);
    case Alternative::kTwoSided: {
      const int64_t pairs = dist.n() * dist.m();
      // u > n*m/2, compared without rounding: 2u > n*m.
      const double p = 2 * u > pairs ? dist.UpperTail(u) : dist.Cdf(u);
      return std::min(1.0, 2.0 * p);
    }
  }
  return 1.0;
}

// Exact branch: bounds from the quantiles of the exact distribution, as R's qwilcox-based
// interval. Sets ci_low, ci_high, achieved_confidence and the not-achievable warning.
void ExactBranchInterval(const MannWhitneyDistribution& dist, const PairwiseDifferences& diffs,
                         double alpha, MannWhitneyResult& result) {
  const int64_t pairs = diffs.size();
  const bool two_sided = result.alternative == Alternative::kTwoSided;
  int64_t qu = dist.Quantile(two_sided ? alpha / 2.0 : alpha);
  if (qu == 0) qu = 1;
  const double achieved_alpha = (two_sided ? 2.0 : 1.0) * dist.Cdf(qu - 1);
  const int64_t ql = pairs - qu;
  result.ci_low = result.alternative == Alternative::kLess ? -kInf : diffs.Select(qu);
  result.ci_high = result.alternative == Alternative::kGreater ? kInf : diffs.Select(ql + 1);
  result.achieved_confidence = 1.0 - achieved_alpha;
  if (achieved_alpha - alpha > alpha / 2.0) {
    result.warnings.push_back(
        absl::StrCat("requested confidence ", result.confidence,
                     " is not achievable with n=", result.n_experiment, " and m=", result.n_control,
                     " values; the interval's actual confidence is ", result.achieved_confidence));
  }
}

// Normal branch, exact order statistics. At any shift d that equals no pairwise difference the
// standardised statistic depends on d only through j = #{differences <= d}:
//   F(j) = (n*m/2 - j - correction) / sigma0 - zq,
// where sigma0 has the within-sample ties only. F is non-increasing in j, so the point where R's
// root search would converge as its tolerance goes to zero is the j0-th smallest difference,
// j0 = min{j : F(j) <= 0}. Ties are included: they only make #{differences <= d} jump. Where F
// is exactly 0 on a whole gap the root is not unique, and the midpoint of the gap is returned.
//
// The bound as ranks: the j0-th difference, or the midpoint of the j0-th and (j0+1)-th, or an
// end of the range; every bound and the estimate then select together (SelectMany).
struct BoundRanks {
  enum class Kind { kMin, kMax, kRank, kMidpoint } kind;
  int64_t rank = 0;
};

BoundRanks OrderStatisticBound(int64_t pairs, double sigma0, double zq, Alternative alternative,
                               bool correct) {
  auto f = [&](int64_t j) {
    const double centered_u = static_cast<double>(pairs - 2 * j) / 2.0;
    return (centered_u - Correction(centered_u, alternative, correct)) / sigma0 - zq;
  };
  if (f(pairs) > 0.0) return {BoundRanks::Kind::kMax};
  int64_t lo = 0;  // invariant: f(hi) <= 0, and f(lo - 1) > 0 (or lo == 0)
  int64_t hi = pairs;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (f(mid) <= 0.0) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  if (lo == 0) return {BoundRanks::Kind::kMin};
  if (f(lo) == 0.0 && lo < pairs) {
    // F is exactly 0 between D(j0) and D(j0+1) (e.g. a one-sided 50% interval without
    // correction): every point there is a root. Take the midpoint, as the estimate does.
    return {BoundRanks::Kind::kMidpoint, lo};
  }
  return {BoundRanks::Kind::kRank, lo};
}

// R's root(zq) in the normal branch: the search bracket is [min difference, max difference].
absl::StatusOr<double> RootSearchBound(const ShiftedRankStatistic& statistic, double mumin,
                                       double mumax, double zq, Alternative alternative,
                                       bool correct, double tolerance) {
  bool all_tied = false;
  auto f = [&](double d) {
    const ShiftedRankStatistic::Value v = statistic.At(d);
    if (v.sigma == 0.0) all_tied = true;
    return (v.centered_u - Correction(v.centered_u, alternative, correct)) / v.sigma - zq;
  };
  const double f_lower = f(mumin);
  const double f_upper = f(mumax);
  if (all_tied) {
    return absl::InvalidArgumentError(
        "all observations are tied: the root-search interval (r-compatible, kayenta) is "
        "undefined, as in R; use interval exact");
  }
  if (f_lower <= 0.0) return mumin;
  if (f_upper >= 0.0) return mumax;
  const ZeroinResult root =
      Zeroin(f, mumin, mumax, f_lower, f_upper, tolerance, kRootMaxIterations);
  if (all_tied) {
    return absl::InvalidArgumentError(
        "all observations are tied at a shift inside the search bracket: the root-search "
        "interval is undefined; use interval exact");
  }
  return root.root;
}

absl::StatusOr<double> RootSearchEstimate(const ShiftedRankStatistic& statistic, double mumin,
                                          double mumax, Alternative alternative, bool correct,
                                          double tolerance) {
  auto f = [&](double d) {
    const ShiftedRankStatistic::Value v = statistic.At(d);
    return (v.centered_u - Correction(v.centered_u, alternative, correct)) / v.sigma;
  };
  const double f_lower = f(mumin);
  const double f_upper = f(mumax);
  if (std::isnan(f_lower) || std::isnan(f_upper) || f_lower * f_upper > 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("root-search estimate undefined: the statistic does not change sign over [",
                     mumin, ", ", mumax, "]; use interval exact"));
  }
  return Zeroin(f, mumin, mumax, f_lower, f_upper, tolerance, kRootMaxIterations).root;
}

absl::Status RootSearchInterval(const Samples& s, double alpha, const MannWhitneyOptions& options,
                                MannWhitneyResult& result) {
  for (const double v : {s.x.front(), s.x.back(), s.y.front(), s.y.back()}) {
    if (!std::isfinite(v)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "interval ", IntervalMethodName(options.interval),
          " cannot handle infinite values (R stops with \"invalid 'xmax' value\"); use interval "
          "exact"));
    }
  }
  const ShiftedRankStatistic statistic(s.x, s.y);
  const double mumin = s.x.front() - s.y.back();
  const double mumax = s.x.back() - s.y.front();
  if (!std::isfinite(mumin) || !std::isfinite(mumax)) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval ", IntervalMethodName(options.interval),
                     " cannot search a bracket whose ends overflow (", mumin, ", ", mumax,
                     "; R stops with \"invalid 'xmin' value\"); use interval exact"));
  }
  const double tol = options.root_tolerance;
  const Alternative alt = options.alternative;
  const bool correct = options.correct;
  switch (alt) {
    case Alternative::kTwoSided: {
      AUGUR_ASSIGN_OR_RETURN(
          result.ci_low, RootSearchBound(statistic, mumin, mumax,
                                         NormalQuantile(alpha / 2.0, false), alt, correct, tol));
      AUGUR_ASSIGN_OR_RETURN(
          result.ci_high,
          RootSearchBound(statistic, mumin, mumax, NormalQuantile(alpha / 2.0), alt, correct, tol));
      break;
    }
    case Alternative::kGreater: {
      AUGUR_ASSIGN_OR_RETURN(
          result.ci_low, RootSearchBound(statistic, mumin, mumax, NormalQuantile(alpha, false), alt,
                                         correct, tol));
      result.ci_high = kInf;
      break;
    }
    case Alternative::kLess: {
      result.ci_low = -kInf;
      AUGUR_ASSIGN_OR_RETURN(
          result.ci_high,
          RootSearchBound(statistic, mumin, mumax, NormalQuantile(alpha), alt, correct, tol));
      break;
    }
  }
  // R computes its estimate without the continuity correction; Kayenta keeps it.
  const bool estimate_correct = options.interval == IntervalMethod::kKayenta && correct;
  AUGUR_ASSIGN_OR_RETURN(result.estimate,
                         RootSearchEstimate(statistic, mumin, mumax, alt, estimate_correct, tol));
  result.achieved_confidence = result.confidence;
  return absl::OkStatus();
}

// The rank statistic at shift 0 (the test's W, its ties and sigma) from two sweeps of the
// difference matrix, 2U = 2nm - #{D <= 0} - #{D < 0}, when no value is in both samples: the
// tie groups are then each sample's own. With ties across the samples, the merge of
// ShiftedRankStatistic (about twice the cost, with a branch per value).
ShiftedRankStatistic::Value RankStatisticAtZero(const Samples& s,
                                                const PairwiseDifferences& diffs) {
  const int64_t at_most = diffs.CountAtMost(0.0);
  const int64_t below = diffs.CountBelow(0.0);
  if (at_most != below) return ShiftedRankStatistic(s.x, s.y).At(0.0);
  ShiftedRankStatistic::Value value;
  value.centered_u = static_cast<double>(s.pairs - at_most - below) / 2.0;
  value.tie_sum = s.within_tie_sum;
  value.sigma = MannWhitneySigma(s.n, s.m, value.tie_sum);
  return value;
}

void OrderStatisticInterval(const Samples& s, const PairwiseDifferences& diffs, double alpha,
                            const MannWhitneyOptions& options, const Reference& reference,
                            MannWhitneyResult& result) {
  const double sigma0 = MannWhitneySigma(s.n, s.m, s.within_tie_sum) * reference.scale;
  const Alternative alt = options.alternative;
  const bool correct = options.correct;
  const int64_t pairs = diffs.size();
  std::optional<BoundRanks> low, high;
  switch (alt) {
    case Alternative::kTwoSided:
      low =
          OrderStatisticBound(pairs, sigma0, reference.Quantile(alpha / 2.0, false), alt, correct);
      high = OrderStatisticBound(pairs, sigma0, reference.Quantile(alpha / 2.0), alt, correct);
      break;
    case Alternative::kGreater:
      low = OrderStatisticBound(pairs, sigma0, reference.Quantile(alpha, false), alt, correct);
      break;
    case Alternative::kLess:
      high = OrderStatisticBound(pairs, sigma0, reference.Quantile(alpha), alt, correct);
      break;
  }
  // The estimate is the median: the middle difference, or the midpoint of the two middle ones.
  const BoundRanks median = pairs % 2 == 1 ? BoundRanks{BoundRanks::Kind::kRank, (pairs + 1) / 2}
                                           : BoundRanks{BoundRanks::Kind::kMidpoint, pairs / 2};
  std::vector<int64_t> ranks;
  for (const std::optional<BoundRanks>& b : {low, high, std::optional<BoundRanks>(median)}) {
    if (!b) continue;
    if (b->kind == BoundRanks::Kind::kRank || b->kind == BoundRanks::Kind::kMidpoint) {
      ranks.push_back(b->rank);
    }
    if (b->kind == BoundRanks::Kind::kMidpoint) ranks.push_back(b->rank + 1);
  }
  const std::vector<double> values = diffs.SelectMany(ranks);
  size_t next = 0;
  auto value = [&](const std::optional<BoundRanks>& b, double absent) {
    if (!b) return absent;
    switch (b->kind) {
      case BoundRanks::Kind::kMin:
        return diffs.min();
      case BoundRanks::Kind::kMax:
        return diffs.max();
      case BoundRanks::Kind::kRank:
        return values[next++];
      case BoundRanks::Kind::kMidpoint:
        next += 2;
        return PairwiseDifferences::Midpoint(values[next - 2], values[next - 1]);
    }
    return absent;
  };
  result.ci_low = value(low, -kInf);
  result.ci_high = value(high, kInf);
  result.estimate = value(median, kNaN);
  result.achieved_confidence = result.confidence;
}

}  // namespace

absl::StatusOr<MannWhitneyResult> MannWhitney(absl::Span<const double> experiment,
                                              absl::Span<const double> control,
                                              const MannWhitneyOptions& options) {
  AUGUR_RETURN_IF_ERROR(CheckSample(experiment, "experiment", "Mann-Whitney"));
  AUGUR_RETURN_IF_ERROR(CheckSample(control, "control", "Mann-Whitney"));
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence must be in (0,1), got ", options.confidence));
  }
  if (!(options.root_tolerance > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("root tolerance must be positive, got ", options.root_tolerance));
  }
  if (!(options.variance_factor >= 1.0) || std::isinf(options.variance_factor)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "variance factor must be finite and at least 1, got ", options.variance_factor));
  }
  if (!(options.degrees_of_freedom >= 0.0) || std::isinf(options.degrees_of_freedom)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "degrees of freedom must be finite and not negative, got ", options.degrees_of_freedom));
  }
  Reference reference;
  reference.scale = std::sqrt(options.variance_factor);
  reference.df = options.degrees_of_freedom;
  const bool dependent = options.variance_factor != 1.0 || options.degrees_of_freedom > 0.0;
  if (dependent && options.interval != IntervalMethod::kExact) {
    return absl::InvalidArgumentError(
        "a dependence adjustment needs the exact interval method, not root search");
  }
  Samples s;
  s.n = static_cast<int64_t>(experiment.size());
  s.m = static_cast<int64_t>(control.size());
  if (s.n > kMaxPairs / s.m) {
    return absl::InvalidArgumentError(
        absl::StrCat("samples too large: n*m must be at most 2^53, got n=", s.n, " m=", s.m));
  }
  s.pairs = s.n * s.m;
  s.x.assign(experiment.begin(), experiment.end());
  s.y.assign(control.begin(), control.end());
  SortDoubles(s.x);
  SortDoubles(s.y);
  s.within_tie_sum = WithinSampleTieSum(s.x, s.y);

  MannWhitneyResult result;
  result.n_experiment = s.n;
  result.n_control = s.m;
  result.confidence = options.confidence;
  result.alternative = options.alternative;
  result.interval = options.interval;
  result.correct = options.correct;
  result.variance_factor = options.variance_factor;
  result.degrees_of_freedom = options.degrees_of_freedom;

  const PairwiseDifferences diffs(s.x, s.y);
  const ShiftedRankStatistic::Value at_zero = RankStatisticAtZero(s, diffs);
  result.w = at_zero.centered_u + static_cast<double>(s.pairs) / 2.0;
  const bool ties = at_zero.tie_sum > 0.0;

  bool use_exact = false;
  switch (dependent ? ExactMode::kNever : options.exact) {
    case ExactMode::kAuto:
      use_exact = s.n < kAutoExactLimit && s.m < kAutoExactLimit && !ties;
      break;
    case ExactMode::kAlways:
      use_exact = !ties;
      if (ties) {
        result.warnings.push_back(
            "cannot compute the exact p-value and interval with ties; used the normal "
            "approximation");
      }
      break;
    case ExactMode::kNever:
      break;
  }

  // R forms alpha as 1 - conf.level; keep that arithmetic so quantiles match bit for bit.
  const double alpha = 1.0 - options.confidence;
  if (use_exact) {
    AUGUR_ASSIGN_OR_RETURN(const MannWhitneyDistribution dist,
                           MannWhitneyDistribution::Create(s.n, s.m));
    result.method = TestMethod::kExact;
    result.p_value = ExactPValue(dist, static_cast<int64_t>(result.w), options.alternative);
    if (options.interval != IntervalMethod::kKayenta) {
      ExactBranchInterval(dist, diffs, alpha, result);
      result.estimate = diffs.Median();
      return result;
    }
  } else {
    result.method = TestMethod::kAsymptotic;
    result.p_value = AsymptoticPValue(at_zero, options.alternative, options.correct, reference);
    if (at_zero.sigma == 0.0) {
      result.warnings.push_back(
          "all observations are tied: the test has no information (p-value 1)");
    }
  }
  if (options.interval == IntervalMethod::kExact) {
    OrderStatisticInterval(s, diffs, alpha, options, reference, result);
  } else {
    AUGUR_RETURN_IF_ERROR(RootSearchInterval(s, alpha, options, result));
  }
  return result;
}

double MannWhitneyReferenceUpperTail(double z, double degrees_of_freedom) {
  if (degrees_of_freedom <= 0.0 || std::isinf(z)) return NormalUpperTail(z);
  return boost::math::cdf(
      boost::math::complement(boost::math::students_t_distribution<double>(degrees_of_freedom), z));
}

absl::string_view AlternativeName(Alternative alternative) {
  switch (alternative) {
    case Alternative::kTwoSided:
      return "two-sided";
    case Alternative::kGreater:
      return "greater";
    case Alternative::kLess:
      return "less";
  }
  return "?";
}

absl::string_view ExactModeName(ExactMode mode) {
  switch (mode) {
    case ExactMode::kAuto:
      return "auto";
    case ExactMode::kAlways:
      return "always";
    case ExactMode::kNever:
      return "never";
  }
  return "?";
}

absl::string_view IntervalMethodName(IntervalMethod method) {
  switch (method) {
    case IntervalMethod::kExact:
      return "exact";
    case IntervalMethod::kRCompatible:
      return "r-compatible";
    case IntervalMethod::kKayenta:
      return "kayenta";
  }
  return "?";
}

absl::string_view TestMethodName(TestMethod method) {
  return method == TestMethod::kExact ? "exact" : "asymptotic";
}

namespace {

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseName(absl::string_view name, absl::string_view what,
                               const Enum (&values)[N], absl::string_view (*to_name)(Enum)) {
  std::string choices;
  for (const Enum v : values) {
    if (to_name(v) == name) return v;
    absl::StrAppend(&choices, choices.empty() ? "" : "|", to_name(v));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must be one of ", choices, ", got \"", name, "\""));
}

}  // namespace

absl::StatusOr<Alternative> ParseAlternative(absl::string_view name) {
  static constexpr Alternative kAll[] = {Alternative::kTwoSided, Alternative::kGreater,
                                         Alternative::kLess};
  return ParseName(name, "alternative", kAll, &AlternativeName);
}

absl::StatusOr<ExactMode> ParseExactMode(absl::string_view name) {
  static constexpr ExactMode kAll[] = {ExactMode::kAuto, ExactMode::kAlways, ExactMode::kNever};
  return ParseName(name, "exact", kAll, &ExactModeName);
}

absl::StatusOr<IntervalMethod> ParseIntervalMethod(absl::string_view name) {
  static constexpr IntervalMethod kAll[] = {IntervalMethod::kExact, IntervalMethod::kRCompatible,
                                            IntervalMethod::kKayenta};
  return ParseName(name, "interval", kAll, &IntervalMethodName);
}

}  // namespace augur::judges
