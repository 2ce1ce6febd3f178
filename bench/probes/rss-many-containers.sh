#!/bin/bash
# Peak RSS and CPU seconds of a host tslogs daemon while N containers log 1M lines in all, options as
# given: N=100 NODEFLAGS=--max-semi-space-size=1 bash bench/probes/rss-many-containers.sh \
#   --log-opt splunk-url=http://127.0.0.1:9 --log-opt splunk-token=x   (a Splunk sink that is down)
# Needs `npm run build`, a running dockerd and the busybox image (scripts/lib/docker-env.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DOCKER=${DOCKER:-docker}
IMAGE=${TSLOGS_BB_IMAGE:-tslogs-bb:latest}
N=${N:-100}
STORE=$(mktemp -d /tmp/tslogs-rss-XXXXXX)
SOCKET=/run/docker/plugins/tslogs-rss.sock
rm -f "$SOCKET"
# shellcheck disable=SC2086 # NODEFLAGS holds several flags
TSLOGS_SOCKET=$SOCKET TSLOGS_ROOT=$STORE node ${NODEFLAGS:-} dist/cli/main.js plugin > "$STORE.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$STORE" "$STORE.log"' EXIT
sleep 1.5
echo "idle $(grep VmRSS /proc/$PID/status)"
ids=()
for _ in $(seq 1 "$N"); do
  ids+=("$("$DOCKER" run -d --network none --log-driver tslogs-rss --log-opt max-size=1g "$@" "$IMAGE" seq 1 $((1000000 / N)))")
done
"$DOCKER" wait "${ids[@]}" > /dev/null
sleep 3
# utime + stime, fields 14 and 15 of /proc/PID/stat, in 1/100 s
cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$PID/stat")
echo "after $(grep VmRSS /proc/$PID/status) $(grep VmHWM /proc/$PID/status) cpu ${cpu}s"
curl -s --unix-socket "$SOCKET" http://tslogs/metrics | grep -E '^nodejs_heap_size_(used|total)_bytes|^nodejs_external_memory_bytes'
"$DOCKER" rm -f "${ids[@]}" > /dev/null
