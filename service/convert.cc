#include "service/convert.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "analysis/scoring.h"
#include "judges/judgement.h"

namespace augur::service {
namespace {

// Proto3 `optional double`: set only for numbers that exist.
template <typename Setter>
void SetIfFinite(double v, Setter set) {
  if (std::isfinite(v)) set(v);
}

void SummaryToProto(const judges::Summary& s, v1::Summary* out) {
  out->set_count(static_cast<int64_t>(s.count));
  SetIfFinite(s.mean, [&](double v) { out->set_mean(v); });
  SetIfFinite(s.median, [&](double v) { out->set_median(v); });
  SetIfFinite(s.p95, [&](double v) { out->set_p95(v); });
  SetIfFinite(s.min, [&](double v) { out->set_min(v); });
  SetIfFinite(s.max, [&](double v) { out->set_max(v); });
  SetIfFinite(s.std, [&](double v) { out->set_std(v); });
}

v1::Classification ToProto(judges::Classification c) {
  switch (c) {
    case judges::Classification::kPass:
      return v1::CLASSIFICATION_PASS;
    case judges::Classification::kHigh:
      return v1::CLASSIFICATION_HIGH;
    case judges::Classification::kLow:
      return v1::CLASSIFICATION_LOW;
    case judges::Classification::kNoData:
      return v1::CLASSIFICATION_NODATA;
    case judges::Classification::kError:
      return v1::CLASSIFICATION_ERROR;
  }
  return v1::CLASSIFICATION_UNSPECIFIED;
}

// google.protobuf.Timestamp's range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
constexpr int64_t kMaxDurationSeconds = 315576000000;

}  // namespace

v1::Verdict ToProto(analysis::Verdict verdict) {
  switch (verdict) {
    case analysis::Verdict::kPromote:
      return v1::VERDICT_PROMOTE;
    case analysis::Verdict::kHold:
      return v1::VERDICT_HOLD;
    case analysis::Verdict::kAbort:
      return v1::VERDICT_ABORT;
  }
  return v1::VERDICT_HOLD;
}

v1::Strategy ToProto(analysis::Strategy strategy) {
  switch (strategy) {
    case analysis::Strategy::kCanary:
      return v1::STRATEGY_CANARY;
    case analysis::Strategy::kAb:
      return v1::STRATEGY_AB;
    case analysis::Strategy::kShadow:
      return v1::STRATEGY_SHADOW;
  }
  return v1::STRATEGY_CANARY;
}

analysis::Strategy FromProto(v1::Strategy strategy) {
  switch (strategy) {
    case v1::STRATEGY_AB:
      return analysis::Strategy::kAb;
    case v1::STRATEGY_SHADOW:
      return analysis::Strategy::kShadow;
    default:
      return analysis::Strategy::kCanary;
  }
}

const char* VerdictName(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_PROMOTE:
      return "PROMOTE";
    case v1::VERDICT_HOLD:
      return "HOLD";
    case v1::VERDICT_ABORT:
      return "ABORT";
    default:
      return "UNSPECIFIED";
  }
}

const char* RunStateName(v1::RunState state) {
  switch (state) {
    case v1::RUN_STATE_RUNNING:
      return "RUNNING";
    case v1::RUN_STATE_SUCCEEDED:
      return "SUCCEEDED";
    case v1::RUN_STATE_CANCELLED:
      return "CANCELLED";
    case v1::RUN_STATE_FAILED:
      return "FAILED";
    default:
      return "UNSPECIFIED";
  }
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down, so nanos are never negative
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

void ToProto(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  out->set_seconds(ns / 1000000000);
  out->set_nanos(static_cast<int32_t>(ns % 1000000000));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::StatusOr<absl::Time> TimeField(const google::protobuf::Timestamp& t,
                                     const std::string& field) {
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid timestamp (seconds ",
                                                   t.seconds(), ", nanos ", t.nanos(), ")"));
  }
  return FromProto(t);
}

absl::StatusOr<absl::Duration> DurationField(const google::protobuf::Duration& d,
                                             const std::string& field) {
  const bool signs_agree =
      (d.seconds() >= 0 && d.nanos() >= 0) || (d.seconds() <= 0 && d.nanos() <= 0);
  if (d.seconds() > kMaxDurationSeconds || d.seconds() < -kMaxDurationSeconds ||
      d.nanos() > 999999999 || d.nanos() < -999999999 || !signs_agree) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": not a valid duration (seconds ",
                                                   d.seconds(), ", nanos ", d.nanos(), ")"));
  }
  const absl::Duration out = FromProto(d);
  if (out < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not be negative"));
  }
  return out;
}

void ToProto(const analysis::AnalysisResult& in, v1::AnalysisResult* out) {
  out->set_verdict(ToProto(in.verdict));
  out->set_score(in.score.score);
  out->set_reason(in.reason);
  out->set_strategy(ToProto(in.strategy));
  out->set_template_(in.template_name);
  out->set_control(in.control_scope);
  out->set_experiment(in.experiment_scope);
  if (in.end > in.start) {
    ToProto(in.start, out->mutable_window()->mutable_start());
    ToProto(in.end, out->mutable_window()->mutable_end());
  }
  ToProto(in.step, out->mutable_step());
  out->set_provider(in.provider);
  out->set_pass_threshold(in.pass_threshold);
  out->set_marginal_threshold(in.marginal_threshold);
  out->set_score_classification(analysis::SummaryName(in.score.summary));
  out->set_score_reason(in.score.reason);
  for (const analysis::GroupScore& g : in.score.groups) {
    v1::GroupScore* group = out->add_groups();
    group->set_name(g.name);
    group->set_score(g.score);
    group->set_no_data(g.no_data);
    group->set_pass(g.pass);
    group->set_fail(g.fail);
    group->set_nodata_count(g.no_data_count);
    group->set_error(g.errors);
  }
  out->mutable_metrics()->Reserve(static_cast<int>(in.metrics.size()));
  for (const analysis::MetricResult& m : in.metrics) {
    v1::MetricResult* r = out->add_metrics();
    r->set_name(m.name);
    r->set_metric(m.metric);
    r->set_group(m.group);
    r->set_judge(m.judge);
    for (const auto& [name, value] : m.labels) (*r->mutable_labels())[name] = value;
    const judges::Judgement& j = m.judgement;
    r->set_classification(ToProto(j.classification));
    r->set_critical(j.critical);
    r->set_critical_metric(m.critical_metric);
    r->set_dry_run(m.dry_run);
    r->set_reason(j.reason);
    SetIfFinite(j.p_value, [&](double v) { r->set_p_value(v); });
    SetIfFinite(j.ci_low, [&](double v) { r->set_ci_low(v); });
    SetIfFinite(j.ci_high, [&](double v) { r->set_ci_high(v); });
    SetIfFinite(j.estimate, [&](double v) { r->set_estimate(v); });
    SetIfFinite(j.effect_size, [&](double v) { r->set_effect_size(v); });
    SetIfFinite(j.relative_estimate, [&](double v) { r->set_relative_change(v); });
    SetIfFinite(j.relative_ci_low, [&](double v) { r->set_relative_ci_low(v); });
    SetIfFinite(j.relative_ci_high, [&](double v) { r->set_relative_ci_high(v); });
    SetIfFinite(j.p_value_adjusted, [&](double v) { r->set_p_value_adjusted(v); });
    SetIfFinite(j.autocorrelation, [&](double v) { r->set_autocorrelation(v); });
    r->set_variance_factor(j.variance_factor);
    if (j.degrees_of_freedom > 0) r->set_degrees_of_freedom(j.degrees_of_freedom);
    r->set_instances_control(j.instances_control);
    r->set_instances_experiment(j.instances_experiment);
    if (m.kpi) r->set_kpi(analysis::KpiOutcomeName(m.kpi_outcome));
    if (m.judge == "rate") {
      auto counts = [](const std::optional<double>& events, const std::optional<double>& total,
                       v1::RateCounts* c) {
        if (events && std::isfinite(*events)) c->set_events(*events);
        if (total && std::isfinite(*total)) c->set_total(*total);
      };
      counts(m.control_events, m.control_total, r->mutable_control_counts());
      counts(m.experiment_events, m.experiment_total, r->mutable_experiment_counts());
    } else {
      SummaryToProto(m.control, r->mutable_control());
      SummaryToProto(m.experiment, r->mutable_experiment());
    }
    for (const auto& [side, query] : m.queries) {
      if (!query.empty()) (*r->mutable_queries())[side] = query;
    }
  }
}

void ToProto(const config::AnalysisTemplate& t, const std::string& file, v1::TemplateInfo* out) {
  out->set_name(t.name);
  out->set_description(t.description);
  out->set_file(file);
  bool has_kpi = false;
  for (const config::Metric& m : t.metrics) {
    out->add_metrics(m.name);
    if (m.better && !m.dry_run) has_kpi = true;
  }
  for (const config::TemplateArg& a : t.args) {
    if (!a.default_value) out->add_args(a.name);
  }
  out->add_strategies(v1::STRATEGY_CANARY);
  if (has_kpi) out->add_strategies(v1::STRATEGY_AB);
  out->add_strategies(v1::STRATEGY_SHADOW);
}

void ToProto(const config::Diagnostic& d, v1::Diagnostic* out) {
  out->set_severity(d.severity == config::Diagnostic::Severity::kError ? "error" : "warning");
  out->set_path(d.path);
  out->set_message(d.message);
  out->set_line(d.line);
  out->set_column(d.column);
}

absl::StatusOr<QueryResult> SeriesFromProto(
    const google::protobuf::RepeatedPtrField<v1::Series>& series, const std::string& field) {
  QueryResult out;
  out.series.reserve(static_cast<size_t>(series.size()));
  for (int i = 0; i < series.size(); ++i) {
    const v1::Series& s = series[i];
    const bool timed = s.timestamps_size() > 0;
    if (timed && s.timestamps_size() != s.values_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].timestamps: ", s.timestamps_size(), " timestamps for ",
                       s.values_size(), " values; give one per value or none"));
    }
    Series& o = out.series.emplace_back();
    o.labels.assign(s.labels().begin(), s.labels().end());
    std::sort(o.labels.begin(), o.labels.end());
    o.points.resize(static_cast<size_t>(s.values_size()));
    for (int k = 0; k < s.values_size(); ++k) {
      Point& p = o.points[static_cast<size_t>(k)];
      p.value = s.values(k);
      p.timestamp_ms = timed ? s.timestamps(k).seconds() * 1000 + s.timestamps(k).nanos() / 1000000
                             : int64_t{k} * 1000;
    }
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

std::string GrpcCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace augur::service
