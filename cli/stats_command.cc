#include "cli/stats_command.h"

#include <charconv>
#include <iostream>
#include <memory>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/json_writer.h"
#include "cli/number_reader.h"
#include "core/exit_codes.h"
#include "core/status_macros.h"
#include "judges/mann_whitney.h"

namespace augur::cli {
namespace {

constexpr absl::string_view kCommandName = "augur stats mann-whitney";

absl::StatusOr<double> ParseConfidence(absl::string_view text) {
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(value > 0.0 && value < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--confidence must be a number in (0,1), got '", text, "'"));
  }
  return value;
}

absl::StatusOr<bool> ParseBool(absl::string_view option, absl::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat(option, " must be true or false, got '", text, "'"));
}

absl::StatusOr<judges::MannWhitneyOptions> ParseOptions(const MannWhitneyCommandArgs& args) {
  judges::MannWhitneyOptions options;
  AUGUR_ASSIGN_OR_RETURN(options.confidence, ParseConfidence(args.confidence));
  auto with_flag = [](absl::Status status, absl::string_view flag) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", status.message()));
  };
  auto alternative = judges::ParseAlternative(args.alternative);
  if (!alternative.ok()) return with_flag(alternative.status(), "--alternative");
  options.alternative = *alternative;
  auto exact = judges::ParseExactMode(args.exact);
  if (!exact.ok()) return with_flag(exact.status(), "--exact");
  options.exact = *exact;
  auto interval = judges::ParseIntervalMethod(args.interval);
  if (!interval.ok()) return with_flag(interval.status(), "--interval");
  options.interval = *interval;
  AUGUR_ASSIGN_OR_RETURN(options.correct, ParseBool("--correct", args.correct));
  return options;
}

absl::StatusOr<std::vector<double>> ReadSample(absl::string_view path, absl::string_view side,
                                               std::istream& in) {
  AUGUR_ASSIGN_OR_RETURN(std::vector<double> values, ReadNumbersFromFile(path, in));
  if (values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path == "-" ? "<stdin>" : path, ": no numbers in the ", side, " sample"));
  }
  return values;
}

absl::StatusOr<std::string> MannWhitneyJson(const MannWhitneyCommandArgs& args, std::istream& in) {
  if (args.canary_path == "-" && args.baseline_path == "-") {
    return absl::InvalidArgumentError(
        "only one of --canary and --baseline can read standard input ('-')");
  }
  AUGUR_ASSIGN_OR_RETURN(const judges::MannWhitneyOptions options, ParseOptions(args));
  AUGUR_ASSIGN_OR_RETURN(const std::vector<double> canary,
                         ReadSample(args.canary_path, "canary", in));
  AUGUR_ASSIGN_OR_RETURN(const std::vector<double> baseline,
                         ReadSample(args.baseline_path, "baseline", in));
  AUGUR_ASSIGN_OR_RETURN(const judges::MannWhitneyResult r,
                         judges::MannWhitney(canary, baseline, options));
  JsonObjectWriter json;
  json.Add("n_canary", r.n_experiment)
      .Add("n_baseline", r.n_control)
      .Add("w", r.w)
      .Add("p_value", r.p_value)
      .Add("estimate", r.estimate)
      .Add("ci_low", r.ci_low)
      .Add("ci_high", r.ci_high)
      .Add("confidence", r.confidence)
      .Add("achieved_confidence", r.achieved_confidence)
      .Add("alternative", judges::AlternativeName(r.alternative))
      .Add("method", judges::TestMethodName(r.method))
      .Add("interval", judges::IntervalMethodName(r.interval))
      .Add("correct", r.correct)
      .Add("warnings", r.warnings);
  return json.Finish();
}

}  // namespace

int RunMannWhitneyCommand(const MannWhitneyCommandArgs& args, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  const absl::StatusOr<std::string> json = MannWhitneyJson(args, in);
  if (!json.ok()) {
    err << kCommandName << ": " << json.status().message() << "\n";
    return kExitUsage;
  }
  out << *json << "\n";
  out.flush();
  return kExitPromote;
}

void AddStatsCommand(CLI::App& app, std::function<int()>& run) {
  CLI::App* stats = app.add_subcommand("stats", "Run a statistical test on two samples of numbers");
  stats->require_subcommand(1);

  CLI::App* mw = stats->add_subcommand(
      "mann-whitney",
      "Mann-Whitney U (Wilcoxon rank-sum) test of canary against baseline, with the\n"
      "Hodges-Lehmann estimate of the shift (canary minus baseline) and its confidence\n"
      "interval; definitions as R's wilcox.test(canary, baseline, conf.int = TRUE).\n"
      "Prints one JSON object: n_canary, n_baseline, w, p_value, estimate, ci_low, ci_high,\n"
      "confidence, achieved_confidence, alternative, method, interval, correct, warnings.\n"
      "Exit status: 0 on success, 64 for bad arguments or input.");
  auto args = std::make_shared<MannWhitneyCommandArgs>();
  mw->add_option("--canary", args->canary_path,
                 "File of canary (experiment) numbers, separated by whitespace or newlines; "
                 "'-' reads standard input")
      ->required()
      ->type_name("FILE");
  mw->add_option("--baseline", args->baseline_path,
                 "File of baseline (control) numbers; '-' reads standard input")
      ->required()
      ->type_name("FILE");
  mw->add_option("--confidence", args->confidence, "Confidence level of the interval, in (0,1)")
      ->capture_default_str()
      ->type_name("LEVEL");
  mw->add_option("--alternative", args->alternative,
                 "two-sided: the canary differs; greater: the canary is larger; less: smaller")
      ->capture_default_str()
      ->type_name("two-sided|greater|less");
  mw->add_option("--exact", args->exact,
                 "Exact null distribution: auto (when both samples have < 50 values and no ties, "
                 "as R), always (up to n*m = 160000; ties fall back to the normal approximation), "
                 "never")
      ->capture_default_str()
      ->type_name("auto|always|never");
  mw->add_option("--correct", args->correct, "Continuity correction of the normal approximation")
      ->capture_default_str()
      ->type_name("true|false");
  mw->add_option("--interval", args->interval,
                 "exact: the order statistics of the pairwise differences (precise at any scale); "
                 "r-compatible: R 4.2's root-search numbers (tolerance 1e-4, absolute); kayenta: "
                 "Kayenta's numbers")
      ->capture_default_str()
      ->type_name("exact|r-compatible|kayenta");
  mw->callback([args, &run] {
    run = [args] { return RunMannWhitneyCommand(*args, std::cin, std::cout, std::cerr); };
  });
}

}  // namespace augur::cli
