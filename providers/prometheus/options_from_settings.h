// A configured provider (augur.yaml's `providers`) as PrometheusProvider options. Shared by the
// CLI and the server so both read a configuration the same way.
#ifndef AUGUR_PROVIDERS_PROMETHEUS_OPTIONS_FROM_SETTINGS_H_
#define AUGUR_PROVIDERS_PROMETHEUS_OPTIONS_FROM_SETTINGS_H_

#include "config/augur_config.h"
#include "providers/prometheus/prometheus_provider.h"

namespace augur::providers {

inline PrometheusOptions OptionsFromSettings(const config::ProviderSettings& s) {
  PrometheusOptions options;
  options.url = s.address;
  for (const auto& [name, value] : s.headers) options.headers.emplace_back(name, value);
  options.bearer_token_file = s.bearer_token_file;
  options.basic_auth_user = s.basic_auth_user;
  options.basic_auth_password_file = s.basic_auth_password_file;
  options.tls.ca_file = s.ca_file;
  options.tls.cert_file = s.cert_file;
  options.tls.key_file = s.key_file;
  options.tls.insecure_skip_verify = s.insecure_skip_verify;
  options.timeout = s.timeout;
  options.retry_budget = s.retry_budget;
  options.max_response_bytes = s.max_response_bytes;
  options.max_parallel = s.max_parallel;
  options.gzip = s.gzip;
  return options;
}

}  // namespace augur::providers

#endif  // AUGUR_PROVIDERS_PROMETHEUS_OPTIONS_FROM_SETTINGS_H_
