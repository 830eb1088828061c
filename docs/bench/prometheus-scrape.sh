#!/usr/bin/env bash
# Runs Debian's `prometheus` against a predictord with http.listen once (not in CI): starts the daemon on
# loopback ports, publishes docs/examples/mixed.jsonl, lets Prometheus scrape /metrics every second for 15 s, then
# asks Prometheus' HTTP API for the target's health and a few series. The result goes into docs/operations.md.
#
#   sudo apt-get install prometheus     # Debian's package (the systemd service it installs is not used)
#   swift build && bash docs/bench/prometheus-scrape.sh [path/to/predictord]
set -euo pipefail
cd "$(dirname "$0")/../.."
PREDICTORD=${1:-.build/debug/predictord}
PROMETHEUS=$(command -v prometheus || echo /usr/bin/prometheus)
[ -x "$PROMETHEUS" ] || { echo "prometheus not found: sudo apt-get install prometheus" >&2; exit 1; }
WORK=$(mktemp -d /tmp/predictord-prometheus.XXXXXX)
HTTP=19464 PROM=19090 OBS=15656 PRED=15657
cleanup() { [ -n "${DAEMON:-}" ] && kill "$DAEMON" 2>/dev/null; [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$PREDICTORD" run --config Config/predictord.yaml --set state.directory="$WORK/state" \
    --set "http.listen=127.0.0.1:$HTTP" --set "sockets.observations.bind=[tcp://127.0.0.1:$OBS]" \
    --set "sockets.predictions.bind=[tcp://127.0.0.1:$PRED]" --set state.checkpoint_interval_seconds=2 \
    2> "$WORK/daemon.log" &
DAEMON=$!
cat > "$WORK/prometheus.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: predictord
    static_configs: [ { targets: ["127.0.0.1:$HTTP"] } ]
YAML
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM" 2> "$WORK/prometheus.log" &
SERVER=$!
sleep 3
"$PREDICTORD" publish --endpoint "tcp://127.0.0.1:$OBS" docs/examples/mixed.jsonl
sleep 15
echo "prometheus: $("$PROMETHEUS" --version 2>&1 | head -1)"
query() { curl -s "http://127.0.0.1:$PROM/api/v1/query" --data-urlencode "query=$1"; echo; }
echo "--- targets"
curl -s "http://127.0.0.1:$PROM/api/v1/targets" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["scrapeUrl"], "health:", t["health"], "lastError:", repr(t["lastError"]), "lastScrapeDuration:", t["lastScrapeDuration"])'
echo "--- queries"
query 'predictord_observations_total'
query 'count(up{job="predictord"} == 1)'
query 'count_over_time(up{job="predictord"}[15s])'
query 'histogram_quantile(0.5, sum by (le) (predictord_latency_seconds_bucket))'
query 'predictord_model_mse'
query 'predictord_checkpoint_writes_total'
echo "--- every expression of docs/grafana-dashboard.json, evaluated by Prometheus"
python3 - "$PROM" <<'PY'
import json, sys, urllib.parse, urllib.request
port = sys.argv[1]
dashboard = json.load(open("docs/grafana-dashboard.json"))
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": target["expr"]})
        answer = json.load(urllib.request.urlopen(url))
        print(f'{answer["status"]:7} {len(answer["data"]["result"]):2} series  {panel["title"]}: {target["expr"]}')
PY
