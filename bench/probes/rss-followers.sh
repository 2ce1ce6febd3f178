#!/bin/bash
# RSS of a host tslogs daemon with F concurrent followers (`docker logs -f` through
# ReadLogs) of one container that logged L lines and keeps running:
#   F=100 L=100000 NODEFLAGS=… bash bench/probes/rss-followers.sh
# Needs `npm run build`, a running dockerd and the busybox image (scripts/lib/docker-env.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DOCKER=${DOCKER:-docker}
IMAGE=${TSLOGS_BB_IMAGE:-tslogs-bb:latest}
F=${F:-100}
L=${L:-100000}
STORE=$(mktemp -d /tmp/tslogs-rssf-XXXXXX)
SOCKET=/run/docker/plugins/tslogs-rssf.sock
rm -f "$SOCKET"
# shellcheck disable=SC2086 # NODEFLAGS holds several flags
TSLOGS_SOCKET=$SOCKET TSLOGS_ROOT=$STORE node ${NODEFLAGS:-} dist/cli/main.js plugin > "$STORE.log" 2>&1 &
PID=$!
id=""
pids=()
cleanup() {
  if ((${#pids[@]} > 0)); then kill "${pids[@]}" 2>/dev/null || true; fi
  if [[ -n "$id" ]]; then "$DOCKER" rm -f "$id" > /dev/null 2>&1 || true; fi
  kill "$PID" 2>/dev/null || true
  rm -rf "$STORE" "$STORE.log"
}
trap cleanup EXIT
sleep 1.5
cpu() { awk '{ print ($14 + $15) / 100 }' /proc/"$PID"/stat; }
rss() { printf '%s %s, CPU %s s' "$(grep VmRSS /proc/"$PID"/status | tr -s ' \t' ' ')" "$(grep VmHWM /proc/"$PID"/status | tr -s ' \t' ' ')" "$(cpu)"; }
echo "idle: $(rss)"
id=$("$DOCKER" run -d --network none --log-driver tslogs-rssf "$IMAGE" sh -c "seq 1 $L; while sleep 1; do echo tick; done")
until (($(cat "$STORE"/containers/"$id"/*-json.log 2>/dev/null | wc -l) >= L)); do sleep 0.5; done
echo "container logged $L lines: $(rss)"
body=$(printf '{"Info":{"ContainerID":"%s"},"Config":{"Follow":true,"Tail":-1}}' "$id")
for _ in $(seq 1 "$F"); do
  curl -sN --unix-socket "$SOCKET" -H 'Content-Type: application/json' -d "$body" http://tslogs/LogDriver.ReadLogs > /dev/null &
  pids+=("$!")
done
for s in 2 5 10 20 40 60; do
  sleep $((s - ${prev:-0})); prev=$s
  echo "$F followers, ${s} s: $(rss)"
done
curl -s --unix-socket "$SOCKET" http://tslogs/metrics | grep -E '^nodejs_heap_size_(used|total)_bytes|^nodejs_external_memory_bytes'
