#!/usr/bin/env bash
# `augur analyze` end to end against a real, local Prometheus (Debian's package), beside the
# same queries sent by curl: how much of the wall time is augur's own (process start, template,
# rendering, parsing, judging, output) rather than Prometheus answering. Target: under 10%.
#
#   bench/compare_analyze.sh [TEMPLATE [AUGUR_ANALYZE_ARG...]]
#
# TEMPLATE defaults to examples/demo/http-canary.yaml; further arguments go to `augur analyze`
# (e.g. --arg namespace=demo for a template whose namespace defaults to something else).
# AUGUR_BENCH_ROUNDS (default 6) rounds of AUGUR_BENCH_RUNS (default 10) runs per command, each
# round after 3 warm-ups.
#
# Data: the `healthy` scenario of build/release/bin/augur-scenarios (tools/scenarios.h: 3 pods a
# side, an hour at 15 s ending now), backfilled with promtool. augur runs
#   augur analyze --template TEMPLATE --arg service=healthy --control stable --experiment canary
#                 --lookback 30m --prometheus URL --format json
# and the reference is one curl process sending the queries that analysis rendered (read from its
# JSON, metrics[].queries) as query_range POSTs with the same start, end and step (a rate's counts
# at the window's end only, start = end, as augur asks for them), 8 at a time (augur's
# max_parallel), over reused connections. Both are timed with hyperfine, in rounds that alternate
# them; the minimum over all runs is the figure, the machine being noisy (±2x).
#
# Installs prometheus, curl and hyperfine with apt-get if missing; builds the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source bench/lib.sh

template=${1:-examples/demo/http-canary.yaml}
[ $# -gt 0 ] && shift
extra=("$@")
runs=${AUGUR_BENCH_RUNS:-10}
rounds=${AUGUR_BENCH_ROUNDS:-6}
if [ ! -f "$template" ]; then
  echo "bench: template $template does not exist (give one as the first argument)" >&2
  exit 64
fi

apt_install prometheus curl hyperfine
cmake --preset release >/dev/null
cmake --build --preset release --target augur augur-scenarios >/dev/null
augur=build/release/bin/augur

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "bench: generating the healthy scenario and backfilling it with promtool" >&2
build/release/bin/augur-scenarios --end now --scenario healthy --output "$work/data.om"
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" >/dev/null
start_prometheus "$work/tsdb" "$work"

analyze=("$augur" analyze --template "$template" --arg service=healthy --control stable
         --experiment canary --lookback 30m --prometheus "$url" --format json "${extra[@]}")
code=0
"${analyze[@]}" > "$work/result.json" || code=$?
if [ "$code" -gt 2 ]; then
  echo "bench: augur analyze failed (exit $code)" >&2
  exit 1
fi

# The analysis' queries, as a curl config: one POST per query, blocks separated by `next`.
/usr/bin/python3 - "$work/result.json" "$url" > "$work/curl.cfg" 2> "$work/summary.txt" <<'PY'
import datetime, json, sys
result = json.load(open(sys.argv[1]))
url = sys.argv[2]
window = result["window"]
def unix(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
def seconds(duration):  # Prometheus durations as augur writes them: 30s, 1m, 1m30s
    total, number = 0.0, ""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    i = 0
    while i < len(duration):
        if duration[i].isdigit() or duration[i] == ".":
            number += duration[i]; i += 1; continue
        unit = "ms" if duration[i:i + 2] == "ms" else duration[i]
        total += float(number) * units[unit]; number = ""; i += len(unit)
    return total
def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
start, end, step = unix(window["start"]), unix(window["end"]), seconds(window["step"])
blocks, count, seen = [], 0, set()
for metric in result["metrics"]:
    if metric["metric"] in seen:  # one query's several series: one result per pair
        continue
    seen.add(metric["metric"])
    rate = metric.get("judge") == "rate"
    for side, query in metric["queries"].items():
        count += 1
        blocks.append("\n".join([
            "url = " + quote(url + "/api/v1/query_range"),
            "data-urlencode = " + quote("query=" + query),
            "data = " + quote("start=%.3f" % (end if rate else start)),
            "data = " + quote("end=%.3f" % end),
            "data = " + quote("step=%g" % step),
            "fail", "silent", "output = \"/dev/null\""]))
print("\nnext\n".join(blocks))
verdict = result.get("verdict", "?")
print("%d queries, %d metric results, verdict %s" % (count, len(result["metrics"]), verdict),
      file=sys.stderr)
PY
curl -s --parallel --parallel-immediate --parallel-max 8 -K "$work/curl.cfg"  # fails loudly if any query does

echo "bench: timing augur analyze and curl: $rounds rounds of $runs runs each" >&2
printf -v augur_cmd '%q ' "${analyze[@]}"
printf -v validate_cmd '%q validate %q' "$augur" "$template"
# Rounds alternate the commands, so a burst of load on the shared machine hits them alike.
for round in $(seq 1 "$rounds"); do
  hyperfine -N -i --style none --warmup 3 --runs "$runs" --export-json "$work/h$round.json" \
    "$augur_cmd" "curl -s --parallel --parallel-immediate --parallel-max 8 -K $work/curl.cfg" \
    "$augur --version" "curl --version" "$validate_cmd" >/dev/null
done
# min and median in ms of command $1 over every run of every round
stats() {
  /usr/bin/python3 -c 'import glob, json, statistics, sys
times = []
for path in glob.glob(sys.argv[1] + "/h*.json"):
    times += json.load(open(path))["results"][int(sys.argv[2])]["times"]
print("%.1f %.1f" % (min(times) * 1000, statistics.median(times) * 1000))' "$work" "$1"
}
read -r augur_min augur_median < <(stats 0)
read -r curl_min curl_median < <(stats 1)
read -r augur_start_min _ < <(stats 2)
read -r curl_start_min _ < <(stats 3)
read -r validate_min _ < <(stats 4)
share() { awk -v a="$1" -v c="$2" 'BEGIN { printf "%.1f%%", 100 * (a - c) / a }'; }

echo "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')); template $template; $(cat "$work/summary.txt")"
echo
echo "| measurement ($rounds x $runs runs) | min | median |"
echo "|---|---|---|"
echo "| augur analyze, end to end | $augur_min ms | $augur_median ms |"
echo "| the same queries by curl (one process, 8 in parallel) | $curl_min ms | $curl_median ms |"
echo "| augur's own share, (augur - curl) / augur (target < 10%) | **$(share "$augur_min" "$curl_min")** | $(share "$augur_median" "$curl_median") |"
echo "| process start alone: augur --version / curl --version | $augur_start_min ms / $curl_start_min ms | |"
echo "| augur validate TEMPLATE (start + loading the template) | $validate_min ms | |"
