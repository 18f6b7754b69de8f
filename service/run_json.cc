#include "service/run_json.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"
#include "augur/v1/analysis.grpc.pb.h"
#include "core/time_parse.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"
#include "service/convert.h"

namespace augur::service {
namespace {

using Json = nlohmann::ordered_json;

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

const char* ClassificationName(v1::Classification c) {
  switch (c) {
    case v1::CLASSIFICATION_PASS:
      return "PASS";
    case v1::CLASSIFICATION_HIGH:
      return "HIGH";
    case v1::CLASSIFICATION_LOW:
      return "LOW";
    case v1::CLASSIFICATION_NODATA:
      return "NODATA";
    default:
      return "ERROR";
  }
}

std::string Time(const google::protobuf::Timestamp& t) { return FormatRfc3339(FromProto(t)); }

Json ResultDocument(const v1::AnalysisResult& r) {
  Json j;
  j["verdict"] = VerdictName(r.verdict());
  j["score"] = r.score();
  j["reason"] = r.reason();
  j["strategy"] = analysis::StrategyName(FromProto(r.strategy()));
  j["template"] = r.template_();
  j["control"] = r.control();
  j["experiment"] = r.experiment();
  const absl::Time start = FromProto(r.window().start());
  const absl::Time end = FromProto(r.window().end());
  j["window"] = Json{{"start", FormatRfc3339(start)},
                     {"end", FormatRfc3339(end)},
                     {"length", FormatPromDuration(end - start)},
                     {"step", FormatPromDuration(FromProto(r.step()))}};
  j["provider"] = r.provider();
  j["thresholds"] = Json{{"pass", r.pass_threshold()}, {"marginal", r.marginal_threshold()}};
  j["score_classification"] = r.score_classification();
  j["score_reason"] = r.score_reason();
  Json groups = Json::array();
  for (const v1::GroupScore& g : r.groups()) {
    groups.push_back(Json{{"name", g.name()},
                          {"score", g.score()},
                          {"no_data", g.no_data()},
                          {"pass", g.pass()},
                          {"fail", g.fail()},
                          {"nodata", g.nodata_count()},
                          {"error", g.error()}});
  }
  j["groups"] = groups;
  Json metrics = Json::array();
  for (const v1::MetricResult& m : r.metrics()) {
    Json o;
    o["name"] = m.name();
    o["metric"] = m.metric();
    o["group"] = m.group();
    o["judge"] = m.judge();
    Json labels = Json::object();
    for (const auto& [name, value] : m.labels()) labels[name] = value;
    o["labels"] = labels;
    o["classification"] = ClassificationName(m.classification());
    o["critical"] = m.critical();
    o["critical_metric"] = m.critical_metric();
    o["dry_run"] = m.dry_run();
    o["reason"] = m.reason();
    auto optional = [](bool has, double v) { return has ? Number(v) : Json(nullptr); };
    o["p_value"] = optional(m.has_p_value(), m.p_value());
    o["ci_low"] = optional(m.has_ci_low(), m.ci_low());
    o["ci_high"] = optional(m.has_ci_high(), m.ci_high());
    o["estimate"] = optional(m.has_estimate(), m.estimate());
    o["effect_size"] = optional(m.has_effect_size(), m.effect_size());
    o["relative_change"] = optional(m.has_relative_change(), m.relative_change());
    o["relative_ci_low"] = optional(m.has_relative_ci_low(), m.relative_ci_low());
    o["relative_ci_high"] = optional(m.has_relative_ci_high(), m.relative_ci_high());
    o["p_value_adjusted"] = optional(m.has_p_value_adjusted(), m.p_value_adjusted());
    o["autocorrelation"] = optional(m.has_autocorrelation(), m.autocorrelation());
    o["variance_factor"] = Number(m.variance_factor());
    o["degrees_of_freedom"] = optional(m.has_degrees_of_freedom(), m.degrees_of_freedom());
    if (m.instances_experiment() > 0) {
      o["instances"] =
          Json{{"control", m.instances_control()}, {"experiment", m.instances_experiment()}};
    }
    o["kpi"] = m.kpi().empty() ? Json(nullptr) : Json(m.kpi());
    if (m.judge() == "rate") {
      auto counts = [&](const v1::RateCounts& c) {
        return Json{{"events", optional(c.has_events(), c.events())},
                    {"total", optional(c.has_total(), c.total())}};
      };
      o["control"] = counts(m.control_counts());
      o["experiment"] = counts(m.experiment_counts());
    } else {
      auto summary = [&](const v1::Summary& s) {
        return Json{{"count", s.count()},
                    {"mean", optional(s.has_mean(), s.mean())},
                    {"median", optional(s.has_median(), s.median())},
                    {"p95", optional(s.has_p95(), s.p95())},
                    {"min", optional(s.has_min(), s.min())},
                    {"max", optional(s.has_max(), s.max())},
                    {"std", optional(s.has_std(), s.std())}};
      };
      o["control"] = summary(m.control());
      o["experiment"] = summary(m.experiment());
    }
    Json queries = Json::object();
    for (const auto& [side, query] : m.queries()) queries[side] = query;
    o["queries"] = queries;
    metrics.push_back(o);
  }
  j["metrics"] = metrics;
  return j;
}

}  // namespace

std::string RunJson(const v1::Run& run) {
  Json j;
  j["kind"] = "run";
  j["run_id"] = run.run_id();
  j["template"] = run.template_name();
  j["state"] = RunStateName(run.state());
  j["verdict"] = VerdictName(run.verdict());
  j["reason"] = run.reason();
  j["strategy"] = analysis::StrategyName(FromProto(run.request().strategy()));
  j["control"] = run.request().control();
  j["experiment"] = run.request().experiment();
  j["intervals_total"] = run.intervals_total();
  j["intervals_done"] = run.intervals_done();
  j["created"] = Time(run.create_time());
  j["updated"] = Time(run.update_time());
  Json intervals = Json::array();
  for (const v1::IntervalResult& i : run.intervals()) {
    Json o;
    o["index"] = i.index();
    o["window"] = Json{{"start", Time(i.window().start())}, {"end", Time(i.window().end())}};
    o["verdict"] = VerdictName(i.verdict());
    o["score"] = i.score();
    o["reason"] = i.reason();
    o["error"] = i.error();
    o["judged_at"] = Time(i.judged_at());
    o["result"] = i.has_result() ? ResultDocument(i.result()) : Json(nullptr);
    intervals.push_back(o);
  }
  j["intervals"] = intervals;
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

absl::StatusOr<std::string> FetchRunJson(const std::string& target, const std::string& run,
                                         const std::string& ca_file, absl::Duration timeout) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (ca_file.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    std::ifstream in(ca_file, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("--tls-ca: cannot open ", ca_file));
    grpc::SslCredentialsOptions options;
    options.pem_root_certs.assign(std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>());
    // An empty bundle would make gRPC trust the system's roots instead: refuse it.
    if (options.pem_root_certs.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--tls-ca: ", ca_file, " is empty"));
    }
    credentials = grpc::SslCredentials(options);
  }
  // A run of thousands of intervals is far above gRPC's default 4 MB answer.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(1 << 30);
  auto stub =
      v1::AnalysisService::NewStub(grpc::CreateCustomChannel(target, credentials, arguments));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::GetRunRequest request;
  request.set_name(run);
  v1::Run response;
  const grpc::Status status = stub->GetRun(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("GetRun ", run, " at ", target, ": ", status.error_message()));
  }
  return RunJson(response);
}

}  // namespace augur::service
