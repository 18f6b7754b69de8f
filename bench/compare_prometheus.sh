#!/usr/bin/env bash
# Measures the Prometheus provider against a real, local Prometheus (Debian's package) holding
# 1000 series × 1000 points (backfilled with promtool):
#   - Prometheus' own answer time for the 1000×1000 query_range, fetched by curl (hyperfine);
#   - augur's parse time for that same body (prometheus_parse_bench on the saved answer), and
#     the ratio of the two (target: under 10%);
#   - augur's fetch+parse of that query, and of an analysis-sized batch of 100 queries
#     (10 series × 241 points each: an hour at 15 s), serial and 8 in parallel (target: >= 1.8x).
#
#   bench/compare_prometheus.sh
#
# Installs prometheus, curl and hyperfine with apt-get if missing; builds the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source bench/lib.sh

apt_install prometheus curl hyperfine
cmake --preset release >/dev/null
cmake --build --preset release --target prometheus_parse_bench prometheus_fetch_bench >/dev/null

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

now=$(date +%s)
start=$(( (now - 5 * 3600) / 60 * 60 ))
end=$(( start + 15 * 999 ))
echo "bench: writing 1000 series x 1000 points and backfilling with promtool" >&2
/usr/bin/python3 - "$start" > "$work/data.om" <<'PY'
import random, sys
start = int(sys.argv[1])
rng = random.Random(20261122)
out = sys.stdout
out.write("# TYPE bench_latency gauge\n")
for s in range(1000):
    labels = 'bench_latency{shard="s%02d",pod="checkout-canary-7d9f8-%05d"}' % (s // 10, s)
    out.write("".join("%s %r %d\n" % (labels, round(rng.lognormvariate(-3, 0.5), 6), start + 15 * p)
                      for p in range(1000)))
out.write("# EOF\n")
PY
promtool tsdb create-blocks-from openmetrics "$work/data.om" "$work/tsdb" >/dev/null
start_prometheus "$work/tsdb" "$work"

query=(--data-urlencode "query=bench_latency" -d "start=$start" -d "end=$end" -d "step=15")
curl -sf "$url/api/v1/query_range" "${query[@]}" -o "$work/body.json"
curl -sf --compressed "$url/api/v1/query_range" "${query[@]}" -o /dev/null
body_mb=$(awk -v b="$(stat -c %s "$work/body.json")" 'BEGIN { printf "%.1f", b / 1e6 }')

hyperfine_ms() {  # command... -> median milliseconds
  hyperfine -N --style none --warmup 2 --runs 10 --export-json "$work/h.json" "$@" >/dev/null
  /usr/bin/python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/h.json"
}
curl_ms=$(hyperfine_ms "curl -sf -o /dev/null $url/api/v1/query_range --data-urlencode query=bench_latency -d start=$start -d end=$end -d step=15")
curl_gzip_ms=$(hyperfine_ms "curl -sf --compressed -o /dev/null $url/api/v1/query_range --data-urlencode query=bench_latency -d start=$start -d end=$end -d step=15")

bench_ms() {  # benchmark-name program -> real time in ms
  /usr/bin/python3 -c 'import json,sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b["name"].startswith(sys.argv[2]) and b.get("aggregate_name") == "median":
        print("%.1f" % b["real_time"])' "$work/$2.json" "$1"
}
AUGUR_BENCH_BODY="$work/body.json" build/release/bin/prometheus_parse_bench \
  --benchmark_filter=BM_ParseSavedBody --benchmark_repetitions=5 \
  --benchmark_out="$work/parse.json" --benchmark_out_format=json >/dev/null
AUGUR_BENCH_PROMETHEUS="$url" AUGUR_BENCH_START="$start" AUGUR_BENCH_END="$end" \
  build/release/bin/prometheus_fetch_bench --benchmark_repetitions=5 \
  --benchmark_out="$work/fetch.json" --benchmark_out_format=json >/dev/null

parse_ms=$(bench_ms BM_ParseSavedBody parse)
fetch_ms=$(bench_ms BM_FetchAndParse1000x1000 fetch)
serial_ms=$(bench_ms BM_Batch100Serial fetch)
parallel_ms=$(bench_ms BM_Batch100Parallel8 fetch)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

echo "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}'), $(nproc) cores, 1000 series x 1000 points = $body_mb MB of JSON"
echo
echo "| measurement | median |"
echo "|---|---|"
echo "| Prometheus answers the 1000x1000 query_range (curl, identity) | $curl_ms ms |"
echo "| Prometheus answers it gzip-compressed (curl --compressed) | $curl_gzip_ms ms |"
echo "| augur parses that body (prometheus_parse_bench) | $parse_ms ms = $(percent "$parse_ms" "$curl_ms") of Prometheus' identity answer |"
echo "| augur fetches and parses it | $fetch_ms ms |"
echo "| 100 queries (10 series x 241 points: 1 h at 15 s), serial | $serial_ms ms |"
echo "| the same 100, 8 in parallel | $parallel_ms ms = $(ratio "$serial_ms" "$parallel_ms")x faster |"
