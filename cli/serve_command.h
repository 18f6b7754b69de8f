// `augur serve`: the gRPC API and the HTTP listener (health, /metrics) that rollout controllers
// call. Runs until SIGTERM or SIGINT (drains, exits 0); SIGHUP reloads the templates.
#ifndef AUGUR_CLI_SERVE_COMMAND_H_
#define AUGUR_CLI_SERVE_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace augur::cli {

struct ServeCommandArgs {
  std::string config;  // augur.yaml; flags below override it
  std::string grpc_listen;
  std::string http_listen;
  std::vector<std::string> templates;  // template directories (replace the configuration's)
  std::string prometheus;              // the default backend
  std::string data_dir;
  std::string tls_cert, tls_key, tls_client_ca;
  std::string http_token_file;  // server.httpBearerTokenFile
  std::string shutdown_grace;
  bool check = false;  // load and validate everything, then exit (no listeners)
};

// Exit codes: 0 after a clean drain (or --check passing); 64 for a bad flag, configuration,
// template directory, TLS file or data directory (named); 3 when the server cannot start for
// another reason (a port in use, the run store held by another server).
int RunServeCommand(const ServeCommandArgs& args, std::ostream& err);

void AddServeCommand(CLI::App& app, std::function<int()>& run);

}  // namespace augur::cli

#endif  // AUGUR_CLI_SERVE_COMMAND_H_
