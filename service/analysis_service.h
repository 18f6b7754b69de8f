// AnalysisServiceImpl: augur.v1.AnalysisService over gRPC's synchronous API. Each call checks
// its request (errors name the field), resolves the template, and hands the work to the
// Analyzer or the RunManager; the call's deadline and cancellation reach the metrics backend.
#ifndef AUGUR_SERVICE_ANALYSIS_SERVICE_H_
#define AUGUR_SERVICE_ANALYSIS_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "augur/v1/analysis.grpc.pb.h"
#include "config/augur_config.h"
#include "core/clock.h"
#include "service/analyzer.h"
#include "service/json_log.h"
#include "service/run_manager.h"
#include "service/service_metrics.h"
#include "service/template_registry.h"

namespace augur::service {

class AnalysisServiceImpl final : public v1::AnalysisService::Service {
 public:
  AnalysisServiceImpl(TemplateRegistry& templates, Analyzer& analyzer, RunManager& runs,
                      ServiceMetrics& metrics, JsonLog& log, config::Limits limits,
                      Clock& clock = Clock::Real());

  grpc::Status Analyze(grpc::ServerContext* context, const v1::AnalyzeRequest* request,
                       v1::AnalysisResult* response) override;
  grpc::Status Judge(grpc::ServerContext* context, const v1::JudgeRequest* request,
                     v1::AnalysisResult* response) override;
  grpc::Status StartRun(grpc::ServerContext* context, const v1::StartRunRequest* request,
                        v1::Run* response) override;
  grpc::Status GetRun(grpc::ServerContext* context, const v1::GetRunRequest* request,
                      v1::Run* response) override;
  grpc::Status ListRuns(grpc::ServerContext* context, const v1::ListRunsRequest* request,
                        v1::ListRunsResponse* response) override;
  grpc::Status CancelRun(grpc::ServerContext* context, const v1::CancelRunRequest* request,
                         v1::Run* response) override;
  grpc::Status WatchRun(grpc::ServerContext* context, const v1::WatchRunRequest* request,
                        grpc::ServerWriter<v1::RunEvent>* writer) override;
  grpc::Status ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest* request,
                             v1::ListTemplatesResponse* response) override;
  grpc::Status ValidateTemplate(grpc::ServerContext* context,
                                const v1::ValidateTemplateRequest* request,
                                v1::ValidateTemplateResponse* response) override;

  // An Analyze request's work, for the gRPC call and the HTTP adapters: checks it (errors name
  // the field), resolves the template, runs the analysis under `limits` and logs it. `kind`
  // labels the metrics ("analyze", "web").
  absl::StatusOr<analysis::AnalysisResult> AnalyzeRequest(const char* kind,
                                                          const v1::AnalyzeRequest& request,
                                                          const CallLimits& limits,
                                                          bool keep_series);

  // A StartRun request's work (checks, template, limits, the run manager), for the gRPC call
  // and the Kayenta adapter.
  absl::StatusOr<v1::Run> StartRunRequest(const v1::StartRunRequest& request);
  // GetRun: NotFound for an unknown run.
  absl::StatusOr<v1::Run> GetRunByName(const std::string& name);
  // The loaded templates' names, sorted.
  std::vector<std::string> TemplateNames() const;
  // limits.maxWindow: the longest window an analysis may judge.
  absl::Duration max_window() const;

 private:
  // The template a request names or carries. NotFound / InvalidArgument naming "template".
  absl::StatusOr<std::shared_ptr<const LoadedTemplate>> Resolve(const v1::TemplateRef& ref);
  grpc::Status Finish(const char* method, absl::Time start, const absl::Status& status);

  TemplateRegistry& templates_;
  Analyzer& analyzer_;
  RunManager& runs_;
  ServiceMetrics& metrics_;
  JsonLog& log_;
  const config::Limits limits_;
  Clock& clock_;
};

}  // namespace augur::service

#endif  // AUGUR_SERVICE_ANALYSIS_SERVICE_H_
