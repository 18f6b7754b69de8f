#include "config/augur_config.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "config/yaml_reader.h"

namespace augur::config {
namespace {

bool IsName(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return absl::ascii_isalnum(static_cast<unsigned char>(name.front()));
}

class ConfigLoader {
 public:
  explicit ConfigLoader(Diagnostics& diagnostics) : d_(diagnostics) {}

  std::optional<AugurConfig> Load(const YAML::Node& root) {
    AugurConfig config;
    YamlMap top(root, "", {"apiVersion", "kind", "providers", "templates", "limits", "server"}, d_);
    if (!top.is_map()) return std::nullopt;
    if (auto version = top.String("apiVersion", true); version && *version != "augur/v1") {
      top.Error("apiVersion", absl::StrCat("must be augur/v1, got '", *version, "'"));
    }
    if (auto kind = top.String("kind", true); kind && *kind != "Config") {
      top.Error("kind", absl::StrCat("must be Config, got '", *kind, "'"));
    }
    Providers(top, config);
    Templates(top, config);
    LimitsAt(top, config);
    Server(top, config);
    if (d_.has_errors()) return std::nullopt;
    return config;
  }

 private:
  void Providers(YamlMap& top, AugurConfig& config) {
    if (!top.Has("providers")) return;
    const YAML::Node list = top.Get("providers");
    const std::string path = top.PathOf("providers");
    if (!list.IsSequence()) {
      d_.Error(path, absl::StrCat("must be a list of providers, got ", KindName(list)));
      return;
    }
    std::set<std::string> names;
    std::vector<std::string> defaults;
    for (size_t i = 0; i < list.size(); ++i) {
      YamlMap p(list[i], IndexPath(path, i), {"name", "default", "prometheus"}, d_);
      if (!p.is_map()) continue;
      ProviderSettings settings;
      if (auto name = p.String("name", true)) {
        if (!IsName(*name)) {
          p.Error("name", absl::StrCat("must be 1-63 letters, digits, '-' or '_', starting with "
                                       "a letter or digit; got '",
                                       *name, "'"));
        } else if (!names.insert(*name).second) {
          p.Error("name", absl::StrCat("provider '", *name, "' is defined twice"));
        }
        settings.name = *name;
      }
      if (auto is_default = p.Bool("default"); is_default && *is_default) {
        defaults.push_back(settings.name);
      }
      if (!p.Has("prometheus")) {
        p.Error("prometheus", "is required: {address: URL, ...}");
      } else {
        Prometheus(YamlMap(p.Get("prometheus"), p.PathOf("prometheus"),
                           {"address", "headers", "bearerTokenFile", "basicAuth", "tls", "timeout",
                            "retryBudget", "maxResponseBytes", "maxParallel", "gzip"},
                           d_),
                   settings);
      }
      config.providers.push_back(std::move(settings));
    }
    if (defaults.size() > 1) {
      d_.Error(path, absl::StrCat("more than one provider is marked default: ", defaults[0], ", ",
                                  defaults[1]));
    } else if (defaults.size() == 1) {
      config.default_provider = defaults[0];
    } else if (config.providers.size() == 1) {
      config.default_provider = config.providers[0].name;
    }
  }

  void Prometheus(YamlMap p, ProviderSettings& s) {
    if (!p.is_map()) return;
    if (auto address = p.String("address", true)) {
      if (!absl::StartsWith(*address, "http://") && !absl::StartsWith(*address, "https://")) {
        p.Error("address",
                absl::StrCat("must start with http:// or https://, got '", *address, "'"));
      } else if (address->find('@') != std::string::npos) {
        p.Error("address",
                "must not hold credentials (they would show in logs); use basicAuth "
                "or bearerTokenFile");
      } else if (address->find_first_of("?#") != std::string::npos) {
        p.Error("address", "must not have a query string or fragment");
      }
      s.address = *address;
    }
    if (p.Has("headers")) {
      const YAML::Node headers = p.Get("headers");
      if (!headers.IsMap()) {
        p.Error("headers",
                absl::StrCat("must map header names to values, got ", KindName(headers)));
      } else {
        for (auto it = headers.begin(); it != headers.end(); ++it) {
          if (!it->first.IsScalar() || !it->second.IsScalar() || it->second.Scalar().empty()) {
            // The value is not echoed: headers carry secrets.
            p.Error("headers", "must map header names to non-empty plain values");
            continue;
          }
          s.headers[it->first.Scalar()] = it->second.Scalar();
        }
      }
    }
    if (auto token = p.String("bearerTokenFile")) s.bearer_token_file = *token;
    if (p.Has("basicAuth")) {
      // "password" is known only to be refused with a pointer to passwordFile.
      YamlMap basic(p.Get("basicAuth"), p.PathOf("basicAuth"), {"user", "passwordFile", "password"},
                    d_);
      if (auto user = basic.String("user", true)) s.basic_auth_user = *user;
      if (basic.Has("password")) {
        basic.Error("password", "passwords do not belong in configuration; use passwordFile");
      } else if (auto file = basic.String("passwordFile", true)) {
        s.basic_auth_password_file = *file;
      }
    }
    if (!s.bearer_token_file.empty() && !s.basic_auth_user.empty()) {
      p.Error("basicAuth", "choose basicAuth or bearerTokenFile, not both");
    }
    if (p.Has("tls")) {
      YamlMap tls(p.Get("tls"), p.PathOf("tls"),
                  {"caFile", "certFile", "keyFile", "insecureSkipVerify"}, d_);
      if (auto v = tls.String("caFile")) s.ca_file = *v;
      if (auto v = tls.String("certFile")) s.cert_file = *v;
      if (auto v = tls.String("keyFile")) s.key_file = *v;
      if (auto v = tls.Bool("insecureSkipVerify")) s.insecure_skip_verify = *v;
      if (s.cert_file.empty() != s.key_file.empty()) {
        tls.Error(s.cert_file.empty() ? "certFile" : "keyFile",
                  "is required with " + std::string(s.cert_file.empty() ? "keyFile" : "certFile"));
      }
      if (s.insecure_skip_verify && !s.ca_file.empty()) {
        tls.Error("insecureSkipVerify", "contradicts caFile: choose one");
      }
    }
    if (auto timeout = p.Duration("timeout")) s.timeout = *timeout;
    if (auto budget = p.Duration("retryBudget", /*positive=*/false)) s.retry_budget = *budget;
    if (p.Has("maxResponseBytes")) {
      const YAML::Node node = p.Get("maxResponseBytes");
      auto bytes = node.IsScalar() ? ParseByteSizeText(node.Scalar()) : std::nullopt;
      if (!bytes) {
        p.Error("maxResponseBytes",
                absl::StrCat("must be a size such as 1048576, 512KiB, 64MiB or 1GiB, got ",
                             KindName(node)));
      } else {
        s.max_response_bytes = *bytes;
      }
    }
    if (auto parallel = p.Integer("maxParallel")) {
      if (*parallel < 1 || *parallel > 256) {
        p.Error("maxParallel", absl::StrCat("must be in [1, 256], got ", *parallel));
      } else {
        s.max_parallel = static_cast<int>(*parallel);
      }
    }
    if (auto gzip = p.Bool("gzip")) s.gzip = *gzip;
  }

  void Templates(YamlMap& top, AugurConfig& config) {
    if (!top.Has("templates")) return;
    const YAML::Node list = top.Get("templates");
    const std::string path = top.PathOf("templates");
    if (!list.IsSequence()) {
      d_.Error(path, absl::StrCat("must be a list of directories, got ", KindName(list)));
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar() || list[i].Scalar().empty()) {
        d_.Error(IndexPath(path, i),
                 absl::StrCat("must be a directory path, got ", KindName(list[i])));
        continue;
      }
      config.template_dirs.push_back(list[i].Scalar());
    }
  }

  void LimitsAt(YamlMap& top, AugurConfig& config) {
    if (!top.Has("limits")) return;
    YamlMap limits(
        top.Get("limits"), top.PathOf("limits"),
        {"maxWindow", "maxMetrics", "maxConcurrentAnalyses", "analysisTimeout", "maxRequestBytes"},
        d_);
    if (auto window = limits.Duration("maxWindow")) config.limits.max_window = *window;
    if (auto timeout = limits.Duration("analysisTimeout"))
      config.limits.analysis_timeout = *timeout;
    if (limits.Has("maxRequestBytes")) {
      const YAML::Node node = limits.Get("maxRequestBytes");
      auto bytes = node.IsScalar() ? ParseByteSizeText(node.Scalar()) : std::nullopt;
      if (!bytes || *bytes < 1024 || *bytes > (int64_t{1} << 30)) {
        limits.Error(
            "maxRequestBytes",
            absl::StrCat("must be a size from 1KiB to 1GiB such as 4194304 or 16MiB, got ",
                         node.IsScalar() ? absl::StrCat("'", node.Scalar(), "'") : KindName(node)));
      } else {
        config.limits.max_request_bytes = *bytes;
      }
    }
    for (const char* key : {"maxMetrics", "maxConcurrentAnalyses"}) {
      auto value = limits.Integer(key);
      if (!value) continue;
      if (*value < 1 || *value > 100000) {
        limits.Error(key, absl::StrCat("must be in [1, 100000], got ", *value));
        continue;
      }
      (std::string(key) == "maxMetrics" ? config.limits.max_metrics
                                        : config.limits.max_concurrent_analyses) =
          static_cast<int>(*value);
    }
  }

  void Server(YamlMap& top, AugurConfig& config) {
    if (!top.Has("server")) return;
    YamlMap server(top.Get("server"), top.PathOf("server"),
                   {"grpcListen", "httpListen", "dataDir", "shutdownGracePeriod", "tls",
                    "httpBearerTokenFile"},
                   d_);
    for (const char* key : {"grpcListen", "httpListen"}) {
      auto address = server.String(key);
      if (!address) continue;
      if (!IsListenAddress(*address)) {
        server.Error(key, absl::StrCat("must be HOST:PORT, got '", *address, "'"));
        continue;
      }
      (std::string(key) == "grpcListen" ? config.server.grpc_listen : config.server.http_listen) =
          *address;
    }
    if (auto dir = server.String("dataDir")) config.server.data_dir = *dir;
    if (auto file = server.String("httpBearerTokenFile")) {
      config.server.http_bearer_token_file = *file;
    }
    if (auto grace = server.Duration("shutdownGracePeriod", /*positive=*/false)) {
      config.server.shutdown_grace = *grace;
    }
    if (!server.Has("tls")) return;
    YamlMap tls(server.Get("tls"), server.PathOf("tls"), {"certFile", "keyFile", "clientCaFile"},
                d_);
    if (auto file = tls.String("certFile")) config.server.tls_cert_file = *file;
    if (auto file = tls.String("keyFile")) config.server.tls_key_file = *file;
    if (auto file = tls.String("clientCaFile")) config.server.tls_client_ca_file = *file;
    if (config.server.tls_cert_file.empty() != config.server.tls_key_file.empty()) {
      d_.Error(server.PathOf("tls"), "certFile and keyFile go together");
    } else if (config.server.tls_cert_file.empty() && !config.server.tls_client_ca_file.empty()) {
      d_.Error(server.PathOf("tls"),
               "clientCaFile (mTLS) needs the server's own certFile and keyFile");
    }
  }

  Diagnostics& d_;
};

}  // namespace

bool IsListenAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  int port = 0;
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

std::optional<int64_t> ParseByteSizeText(absl::string_view text) {
  struct Suffix {
    absl::string_view name;
    int64_t factor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"GiB", int64_t{1} << 30}, {"MiB", int64_t{1} << 20}, {"KiB", int64_t{1} << 10}, {"B", 1}};
  absl::string_view number = text;
  int64_t factor = 1;
  for (const Suffix& suffix : kSuffixes) {
    if (absl::ConsumeSuffix(&number, suffix.name)) {
      factor = suffix.factor;
      break;
    }
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(number, &value) || value <= 0 || value > (int64_t{1} << 40) / factor) {
    return std::nullopt;
  }
  return value * factor;
}

ConfigLoad LoadConfig(absl::string_view yaml) {
  ConfigLoad load;
  const std::optional<YAML::Node> root =
      ParseOneDocument(std::string(yaml), "a Config", "expected one", load.diagnostics);
  if (!root) return load;
  try {
    load.result = ConfigLoader(load.diagnostics).Load(*root);
  } catch (const YAML::Exception& e) {
    load.diagnostics.SyntaxError(e.mark.line + 1, e.mark.column + 1, absl::StrCat("YAML: ", e.msg));
  }
  if (load.diagnostics.has_errors()) load.result.reset();
  return load;
}

ConfigLoad LoadConfigFile(const std::string& path) {
  ConfigLoad load;
  const std::optional<std::string> text = ReadTextFile(path, load.diagnostics);
  if (!text) return load;
  return LoadConfig(*text);
}

}  // namespace augur::config
