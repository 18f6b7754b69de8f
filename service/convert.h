// Between augur's own types and the augur.v1 messages: results out, requests in, errors to gRPC
// status codes. Pure functions; the only place that knows both vocabularies.
#ifndef AUGUR_SERVICE_CONVERT_H_
#define AUGUR_SERVICE_CONVERT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analysis/analysis.h"
#include "augur/v1/analysis.pb.h"
#include "config/analysis_template.h"
#include "config/diagnostics.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/support/status.h"

namespace augur::service {

void ToProto(const analysis::AnalysisResult& in, v1::AnalysisResult* out);
v1::Verdict ToProto(analysis::Verdict verdict);
v1::Strategy ToProto(analysis::Strategy strategy);
analysis::Strategy FromProto(v1::Strategy strategy);  // UNSPECIFIED: canary
const char* VerdictName(v1::Verdict verdict);         // PROMOTE, HOLD, ABORT, UNSPECIFIED
const char* RunStateName(v1::RunState state);         // RUNNING, SUCCEEDED, ...

void ToProto(const config::AnalysisTemplate& t, const std::string& file, v1::TemplateInfo* out);
void ToProto(const config::Diagnostic& d, v1::Diagnostic* out);

void ToProto(absl::Time t, google::protobuf::Timestamp* out);
void ToProto(absl::Duration d, google::protobuf::Duration* out);
absl::Time FromProto(const google::protobuf::Timestamp& t);
absl::Duration FromProto(const google::protobuf::Duration& d);

// Checks a Timestamp or Duration field and converts it: InvalidArgument naming `field` when the
// seconds or nanos are out of the types' ranges (or, for durations, negative).
absl::StatusOr<absl::Time> TimeField(const google::protobuf::Timestamp& t,
                                     const std::string& field);
absl::StatusOr<absl::Duration> DurationField(const google::protobuf::Duration& d,
                                             const std::string& field);

// The series of one side: labels and values (timestamps when given, else 0, 1, 2... seconds).
// InvalidArgument naming `field` when timestamps are given for some points only.
absl::StatusOr<QueryResult> SeriesFromProto(
    const google::protobuf::RepeatedPtrField<v1::Series>& series, const std::string& field);

// absl codes map one to one onto gRPC's.
grpc::Status ToGrpcStatus(const absl::Status& status);
std::string GrpcCodeName(grpc::StatusCode code);  // "OK", "INVALID_ARGUMENT", ...

}  // namespace augur::service

#endif  // AUGUR_SERVICE_CONVERT_H_
