// Error control across the metrics of one analysis. A canary aborts if any metric regresses, so
// the error that matters is the family-wise one: the chance that at least one of k healthy
// metrics is flagged. Tested alone at 98% each, ten metrics flag a healthy canary about 10% of
// the time (1 - 0.99^10 per direction); Holm's step-down procedure keeps the family at the
// metrics' own level whatever the dependence between them (S. Holm, "A simple sequentially
// rejective multiple test procedure", Scandinavian Journal of Statistics 6:65-70, 1979).
#ifndef AUGUR_ANALYSIS_ERROR_CONTROL_H_
#define AUGUR_ANALYSIS_ERROR_CONTROL_H_

#include <vector>

#include "absl/types/span.h"
#include "analysis/analysis.h"
#include "config/analysis_template.h"

namespace augur::analysis {

// Holm-adjusted p-values, R's p.adjust(p, "holm"): with the k non-NaN p-values sorted,
// p_(1) <= ... <= p_(k), the adjusted p_(i) is max over j <= i of min(1, (k - j + 1) p_(j)).
// NaN entries are outside the family and stay NaN; the order is the input's. Rejecting every
// hypothesis whose adjusted p-value is at most alpha is Holm's procedure at level alpha.
std::vector<double> HolmAdjust(absl::Span<const double> p_values);

// Applies Holm's procedure to the analysis' tests and records p_value_adjusted. The family: the
// metric results (one per pair of series) that a test classified PASS, HIGH or LOW with a
// p-value - mannWhitney in mode augur, kolmogorovSmirnov and rate judges - except dry-run
// metrics and A/B KPIs (judged by their intervals). A HIGH or LOW whose adjusted p-value is not
// below its own 1 - confidence becomes PASS, and its reason says so. Each metric keeps its own
// confidence, so the family's false-alarm rate is at most the largest 1 - confidence.
void ApplyHolm(const config::AnalysisTemplate& t, AnalysisResult& result);

}  // namespace augur::analysis

#endif  // AUGUR_ANALYSIS_ERROR_CONTROL_H_
