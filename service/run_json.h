// A run of the service as a JSON document that `augur report` renders: the run (state, verdict,
// reason, scopes) and every interval with its result in the shape of `augur analyze --format
// json` (analysis/result_format.h; the service keeps no series, so interval results have none).
// Field reference: docs/cli.md ("A run's document").
#ifndef AUGUR_SERVICE_RUN_JSON_H_
#define AUGUR_SERVICE_RUN_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "augur/v1/analysis.pb.h"

namespace augur::service {

// {"kind": "run", "run_id", "template", "state", "verdict", "reason", ..., "intervals": [...]},
// pretty-printed, ending in a newline.
std::string RunJson(const v1::Run& run);

// GetRun on a running `augur serve` at `target` (HOST:PORT), as a run document. Plaintext, or
// TLS when `ca_file` (PEM) is given. Errors: the gRPC status, with the target in the message.
absl::StatusOr<std::string> FetchRunJson(const std::string& target, const std::string& run,
                                         const std::string& ca_file, absl::Duration timeout);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_RUN_JSON_H_
