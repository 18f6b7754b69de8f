# Shared by the bench/*.sh scripts. Source it after scripts/lib.sh; do not run it.

# start_prometheus TSDB_DIR WORK_DIR: serves the backfilled TSDB_DIR with Debian's prometheus on
# 127.0.0.1 at a free port, waits until it is ready, and sets `url` and `pid` (the caller's EXIT
# trap stops it). Its log is WORK_DIR/prometheus.log, shown when it does not come up.
start_prometheus() {
  local tsdb=$1 work=$2 port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  printf 'global:\n  scrape_interval: 1h\n' > "$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$tsdb" \
    --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$url/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: Prometheus did not become ready:" >&2
  tail -20 "$work/prometheus.log" >&2
  return 1
}
