#include "cli/analyze_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analysis/analysis.h"
#include "analysis/result_format.h"
#include "cli/report_command.h"
#include "config/augur_config.h"
#include "config/template_loader.h"
#include "core/exit_codes.h"
#include "core/time_parse.h"
#include "providers/prometheus/curl_transport.h"
#include "report/report.h"

namespace augur::cli {
namespace {

constexpr absl::string_view kCommandName = "augur analyze";

struct Failure {
  int code;
  std::string message;
};

// --template: a file, or the name of a template in the configuration's template directories.
absl::StatusOr<config::AnalysisTemplate> LoadTemplate(const AnalyzeCommandArgs& args,
                                                      const config::AugurConfig* cfg) {
  const std::string& path = args.template_ref;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    config::TemplateLoad load = config::LoadTemplateFile(path);
    if (!load.result) return absl::InvalidArgumentError(FirstProblem(load.diagnostics, path));
    return *std::move(load.result);
  }
  std::vector<std::string> searched;
  if (cfg != nullptr) {
    for (const std::string& dir : cfg->template_dirs) {
      searched.push_back(dir);
      if (!std::filesystem::is_directory(dir, ec)) continue;
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".yaml" && ext != ".yml") continue;
        config::TemplateLoad load = config::LoadTemplateFile(entry.path().string());
        if (load.result && load.result->name == args.template_ref) {
          return *std::move(load.result);
        }
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--template: '", args.template_ref, "' is not a file",
      searched.empty() ? " (give a path, or --config with templateDirs to find it by name)"
                       : absl::StrCat(" nor a template name in ", absl::StrJoin(searched, ", "))));
}

absl::StatusOr<std::map<std::string, std::string>> ParseArgs(const std::vector<std::string>& raw) {
  std::map<std::string, std::string> out;
  for (const std::string& a : raw) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--arg: expected NAME=VALUE, got '", a, "'"));
    }
    const std::string name = a.substr(0, eq);
    if (out.count(name) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("--arg: '", name, "' given twice"));
    }
    out[name] = a.substr(eq + 1);
  }
  return out;
}

struct Window {
  absl::Time start, end;
};

absl::StatusOr<Window> ParseWindow(const AnalyzeCommandArgs& args, absl::Time now) {
  const bool range = !args.start.empty() || !args.end.empty();
  if (range == !args.lookback.empty()) {
    return absl::InvalidArgumentError(
        "give the window as --start and --end, or as --lookback (e.g. --lookback 30m)");
  }
  Window w;
  if (!args.lookback.empty()) {
    auto lookback = ParseDuration(args.lookback, /*allow_bare_seconds=*/false);
    if (!lookback.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--lookback: ", lookback.status().message()));
    }
    if (*lookback <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--lookback: must be positive, got '", args.lookback, "'"));
    }
    w.end = now;
    w.start = now - *lookback;
    return w;
  }
  if (args.start.empty() || args.end.empty()) {
    return absl::InvalidArgumentError("--start and --end go together (or use --lookback)");
  }
  auto start = ParseTime(args.start, now);
  if (!start.ok())
    return absl::InvalidArgumentError(absl::StrCat("--start: ", start.status().message()));
  auto end = ParseTime(args.end, now);
  if (!end.ok()) return absl::InvalidArgumentError(absl::StrCat("--end: ", end.status().message()));
  if (!(*end > *start)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--end (", args.end, ") must be after --start (", args.start, ")"));
  }
  w.start = *start;
  w.end = *end;
  return w;
}

}  // namespace

int RunAnalyzeCommand(const AnalyzeCommandArgs& args, std::ostream& out, std::ostream& err,
                      Clock& clock) {
  const auto fail = [&](absl::string_view message, int code) {
    err << kCommandName << ": " << message << "\n";
    return code;
  };
  const auto usage = [&](const absl::Status& status) { return fail(status.message(), kExitUsage); };
  std::optional<report::Format> report_format;  // none: text
  if (args.format != "text") {
    auto parsed = report::ParseFormat(args.format);
    if (!parsed.ok()) {
      return fail(absl::StrCat("--format must be text, json, html, markdown or junit, got '",
                               args.format, "'"),
                  kExitUsage);
    }
    report_format = *parsed;
  }
  auto strategy = analysis::ParseStrategy(args.strategy);
  if (!strategy.ok())
    return fail(absl::StrCat("--strategy: ", strategy.status().message()), kExitUsage);
  if (args.control.empty())
    return fail("--control is required (e.g. --control stable)", kExitUsage);
  if (args.experiment.empty()) {
    return fail("--experiment is required (e.g. --experiment canary)", kExitUsage);
  }
  if (args.control == args.experiment) {
    return fail(absl::StrCat("--control and --experiment are both '", args.control,
                             "'; an analysis compares two different scopes"),
                kExitUsage);
  }
  // libcurl's global initialisation (~0.6 ms) runs while the configuration and the template load.
  const providers::CurlInitInBackground curl_init;
  std::optional<config::AugurConfig> cfg;
  if (!args.backend.config.empty()) {
    const config::ConfigLoad load = config::LoadConfigFile(args.backend.config);
    if (!load.result) {
      return fail(FirstProblem(load.diagnostics, args.backend.config), kExitUsage);
    }
    cfg = *load.result;
  }
  auto tmpl = LoadTemplate(args, cfg ? &*cfg : nullptr);
  if (!tmpl.ok()) return usage(tmpl.status());
  auto template_args = ParseArgs(args.args);
  if (!template_args.ok()) return usage(template_args.status());
  auto window = ParseWindow(args, clock.Now());
  if (!window.ok()) return usage(window.status());
  if (cfg && window->end - window->start > cfg->limits.max_window) {
    return fail(absl::StrCat("the window (", FormatPromDuration(window->end - window->start),
                             ") is longer than the configured limit maxWindow (",
                             FormatPromDuration(cfg->limits.max_window), ")"),
                kExitUsage);
  }
  analysis::AnalysisRequest request;
  request.args = *template_args;
  request.control_scope = args.control;
  request.experiment_scope = args.experiment;
  request.start = window->start;
  request.end = window->end;
  request.strategy = *strategy;
  request.keep_series = true;  // the JSON result carries them, for reports
  if (!args.step.empty()) {
    auto step = ParseDuration(args.step, /*allow_bare_seconds=*/true);
    if (!step.ok()) return fail(absl::StrCat("--step: ", step.status().message()), kExitUsage);
    if (*step <= absl::ZeroDuration()) return fail("--step: must be positive", kExitUsage);
    request.step = *step;
  }

  // The backend: --prometheus, else the template's inline provider, else a provider of --config
  // (--provider, the template's provider name, or the configuration's default).
  QueryCommandArgs backend = args.backend;
  if (backend.prometheus.empty()) {
    if (tmpl->provider.inline_prometheus) {
      if (!backend.config.empty() && !backend.provider.empty()) {
        return fail("--provider: the template gives its own provider inline", kExitUsage);
      }
      const config::InlinePrometheus& p = *tmpl->provider.inline_prometheus;
      backend.config.clear();
      backend.prometheus = p.address;
      for (const auto& [name, value] : p.headers)
        backend.headers.push_back(absl::StrCat(name, "=", value));
      if (backend.bearer_token_file.empty()) backend.bearer_token_file = p.bearer_token_file;
    } else if (!backend.config.empty()) {
      if (backend.provider.empty()) backend.provider = tmpl->provider.name;
    } else {
      return fail(absl::StrCat("no metrics backend: give --prometheus URL or --config FILE",
                               tmpl->provider.name.empty()
                                   ? ""
                                   : absl::StrCat(" (template '", tmpl->name, "' names provider '",
                                                  tmpl->provider.name, "')")),
                  kExitUsage);
    }
  } else if (!backend.config.empty()) {
    backend.config.clear();  // --prometheus wins; the configuration still gave templateDirs
  }
  auto provider = MakeProvider(backend, clock, cfg && !backend.config.empty() ? &*cfg : nullptr);
  if (!provider.ok()) return usage(provider.status());

  auto result = analysis::RunAnalysis(*tmpl, request, **provider);
  if (!result.ok()) {
    const int code = ExitCodeForProviderError(result.status());
    return fail(absl::StrCat(code == kExitUsage ? "" : "the analysis could not run: ",
                             result.status().message()),
                code);
  }
  std::string text;
  if (!report_format) {
    text = analysis::ResultText(*result);
  } else {
    // Every format renders from the JSON document, as `augur report` does from a saved one.
    auto rendered = report::Render(analysis::ResultJson(*result), *report_format, "the result");
    if (!rendered.ok()) return fail(rendered.status().message(), kExitUnavailable);
    text = *std::move(rendered);
  }
  if (!WriteOutput(args.output, text, out, err, "augur analyze")) return kExitUsage;
  if (!args.output.empty() && args.output != "-") {
    // The verdict still reaches the terminal or the pipeline's log.
    err << analysis::VerdictName(result->verdict) << ": " << result->reason << "\n";
  }
  switch (result->verdict) {
    case analysis::Verdict::kPromote:
      return kExitPromote;
    case analysis::Verdict::kAbort:
      return kExitAbort;
    case analysis::Verdict::kHold:
      break;
  }
  return kExitHold;
}

void AddAnalyzeCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<AnalyzeCommandArgs>();
  CLI::App* command = app.add_subcommand(
      "analyze", "Judge an experiment against its control over a window: PROMOTE, HOLD or ABORT");
  command->footer(
      "Exit 0 PROMOTE, 1 ABORT, 2 HOLD, 3 the analysis could not run (backend unreachable or\n"
      "timing out: no verdict), 64 bad arguments or template.\n"
      "Times: RFC 3339, Unix seconds, now, now-30m, -1h. See docs/cli.md and docs/templates.md.\n"
      "Example:\n"
      "  augur analyze --template examples/templates/http-service.yaml --arg service=checkout \\\n"
      "    --control stable --experiment canary --lookback 30m --prometheus http://127.0.0.1:9090");
  command
      ->add_option("--template,-t", args->template_ref,
                   "Template file, or a template's name in --config's templateDirs")
      ->required();
  command->add_option("--arg,-a", args->args, "Template argument NAME=VALUE (repeatable)");
  command->add_option("--control", args->control,
                      "The control's scope, {{scope}} in its queries (baseline, stable, primary)");
  command->add_option("--experiment", args->experiment,
                      "The experiment's scope (canary, variant B, shadow)");
  command->add_option("--start", args->start, "Window start (with --end)");
  command->add_option("--end", args->end, "Window end");
  command->add_option("--lookback", args->lookback, "Window: the last DURATION, e.g. 30m");
  command->add_option("--step", args->step, "Range-query resolution (default: the template's)");
  command->add_option("--strategy", args->strategy, "canary, ab or shadow")->capture_default_str();
  command
      ->add_option("--format", args->format,
                   "text, json (the result, with the series), html, markdown or junit (see "
                   "augur report --help)")
      ->capture_default_str();
  command->add_option("--output,-o", args->output,
                      "Write the result to this file (the verdict line still goes to stderr)");
  AddProviderOptions(*command, args->backend, /*with_file=*/false);
  command->callback(
      [args, &run] { run = [args] { return RunAnalyzeCommand(*args, std::cout, std::cerr); }; });
}

}  // namespace augur::cli
