#!/usr/bin/env bash
# The Judge RPC under load: starts the release `augur serve` on loopback with a template of ten
# Mann-Whitney metrics, then runs bench/judge_load (C concurrent calls, 10 metrics x 2 sides x 300
# points of inline data each) against it, client and server on this machine. Prints one JSON line
# per concurrency: calls, rps, p50/p90/p99 latency. With --soak SECONDS it runs one long load at
# the last concurrency and samples the server's resident memory (VmRSS) every 10 s.
#
#   bench/judge_rpc.sh                       # concurrency 2 4 8 16, 20 s each
#   bench/judge_rpc.sh --seconds 10 4 8      # chosen concurrencies
#   bench/judge_rpc.sh --soak 600 8          # ten minutes at 8, RSS over time
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

seconds=20
soak=0
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --soak) soak=$2; shift 2 ;;
    *) break ;;
  esac
done
concurrencies=("$@")
[ ${#concurrencies[@]} -gt 0 ] || concurrencies=(2 4 8 16)

scripts/setup release >&2
bin=build/release/bin
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/templates"
{
  echo "apiVersion: augur/v1"
  echo "kind: AnalysisTemplate"
  echo "metadata: {name: bench-judge}"
  echo "spec:"
  echo "  metrics:"
  for i in $(seq 0 9); do
    echo "    - name: m$i"
    echo "      query: m$i{version=\"{{scope}}\"}"
    echo "      judge: {mannWhitney: {direction: increase, allowedIncrease: 1.10}}"
  done
} > "$work/templates/bench-judge.yaml"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/augur" serve --templates "$work/templates" --grpc-listen "127.0.0.1:$port" \
  --http-listen 127.0.0.1:0 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q '"msg":"serving"' "$work/serve.log" 2>/dev/null && break
  sleep 0.1
done
grep -q '"msg":"serving"' "$work/serve.log" || { cat "$work/serve.log" >&2; exit 1; }

echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ "$soak" -eq 0 ]; then
  for c in "${concurrencies[@]}"; do
    "$bin/judge_load" --target "127.0.0.1:$port" --concurrency "$c" --seconds "$seconds" --warmup 2
  done
  exit 0
fi

c=${concurrencies[-1]}
"$bin/judge_load" --target "127.0.0.1:$port" --concurrency "$c" --seconds "$soak" --warmup 0 \
  > "$work/soak.json" &
load_pid=$!
start=$(date +%s)
echo "# seconds rss_kib" 
while kill -0 "$load_pid" 2>/dev/null; do
  echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/$server_pid/status)"
  sleep 10
done
wait "$load_pid"
cat "$work/soak.json"
