#!/bin/bash
# RSS of a host tslogs daemon with F concurrent followers (`docker logs -f` through
# ReadLogs) of one container that logged L lines and keeps running:
#   F=100 L=100000 NODEFLAGS=… bash bench/probes/rss-followers.sh
# Needs `npm run build`, a running dockerd and the busybox image (scripts/lib/docker-env.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
F=${F:-100}
L=${L:-100000}
# shellcheck source=bench/probes/host-daemon.sh
source bench/probes/host-daemon.sh tslogs-rssf
id=""
pids=()
probe_cleanup() {
  if ((${#pids[@]} > 0)); then kill "${pids[@]}" 2>/dev/null || true; fi
  if [[ -n "$id" ]]; then "$DOCKER" rm -f "$id" > /dev/null 2>&1 || true; fi
}
echo "idle: $(usage)"
id=$("$DOCKER" run -d --network none --log-driver tslogs-rssf "$IMAGE" sh -c "seq 1 $L; while sleep 1; do echo tick; done")
until (($(cat "$STORE"/containers/"$id"/*-json.log 2>/dev/null | wc -l) >= L)); do sleep 0.5; done
echo "container logged $L lines: $(usage)"
body=$(printf '{"Info":{"ContainerID":"%s"},"Config":{"Follow":true,"Tail":-1}}' "$id")
for _ in $(seq 1 "$F"); do
  curl -sN --unix-socket "$SOCKET" -H 'Content-Type: application/json' -d "$body" http://tslogs/LogDriver.ReadLogs > /dev/null &
  pids+=("$!")
done
for s in 2 5 10 20 40 60; do
  sleep $((s - ${prev:-0})); prev=$s
  echo "$F followers, ${s} s: $(usage)"
done
heap
