#!/bin/bash
# Draws docs/images/dashboard.svg from a real run: a host tslogs daemon, Debian's
# prometheus scraping its metrics listener every second, three containers logging to a
# HEC endpoint on loopback that goes down for 45 s mid-run (lag, retries, rotation drops).
# Needs `npm run build`, a running dockerd, the busybox image and prometheus
# (scripts/lib/docker-env.sh: ensure_packages, ensure_dockerd, ensure_bb_image).
# Takes about 3 minutes:  bash examples/grafana/picture/capture.sh [out.svg]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
OUT=${1:-docs/images/dashboard.svg}
HEC_PORT=${HEC_PORT:-18088}
PROM_PORT=${PROM_PORT:-19090}
export TSLOGS_METRICS_ADDRESS=127.0.0.1:${METRICS_PORT:-19400}
# shellcheck source=bench/probes/host-daemon.sh
source bench/probes/host-daemon.sh tslogs-picture
WORK=$(mktemp -d /tmp/tslogs-picture-XXXX)
hec_pid=''
prom_pid=''
ids=()

hec_up() {
  node -e "require('http').createServer((q, s) => { q.resume(); q.on('end', () => s.end('{\"text\":\"Success\",\"code\":0}')); }).listen($HEC_PORT, '127.0.0.1')" &
  hec_pid=$!
}
probe_cleanup() {
  [[ -n "$hec_pid" ]] && kill "$hec_pid" 2>/dev/null
  [[ -n "$prom_pid" ]] && kill "$prom_pid" 2>/dev/null
  ((${#ids[@]})) && "$DOCKER" rm -f "${ids[@]}" > /dev/null 2>&1
  rm -rf "$WORK"
}

cat > "$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: tslogs
    static_configs:
      - targets: ['$TSLOGS_METRICS_ADDRESS']
EOF
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
prom_pid=$!
hec_up

# name, lines per half second
for spec in web:400 api:1500 worker:100; do
  ids+=("$("$DOCKER" run -d --name "demo-${spec%%:*}" --network none --log-driver tslogs-picture \
    --log-opt splunk-url="http://127.0.0.1:$HEC_PORT" --log-opt splunk-token=picture --log-opt max-size=1m --log-opt max-file=2 \
    "$IMAGE" sh -c "i=0; while [ \$i -lt 300 ]; do seq 1 ${spec##*:}; sleep 0.5; i=\$((i+1)); done")")
done
sleep 50
echo "HEC down for 45 s"
kill "$hec_pid"
wait "$hec_pid" 2>/dev/null || true
sleep 45
echo "HEC back"
hec_up
sleep 55
mkdir -p "$(dirname "$OUT")"
node --import tsx examples/grafana/picture/picture.ts "http://127.0.0.1:$PROM_PORT" 2.5 "$OUT"
