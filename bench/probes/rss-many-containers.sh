#!/bin/bash
# Peak RSS and CPU seconds of a host tslogs daemon while N containers log 1M lines in all, options as
# given: N=100 NODEFLAGS=--max-semi-space-size=1 bash bench/probes/rss-many-containers.sh \
#   --log-opt splunk-url=http://127.0.0.1:9 --log-opt splunk-token=x   (a Splunk sink that is down)
# Needs `npm run build`, a running dockerd and the busybox image (scripts/lib/docker-env.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
N=${N:-100}
# shellcheck source=bench/probes/host-daemon.sh
source bench/probes/host-daemon.sh tslogs-rss
echo "idle: $(usage)"
ids=()
for _ in $(seq 1 "$N"); do
  ids+=("$("$DOCKER" run -d --network none --log-driver tslogs-rss --log-opt max-size=1g "$@" "$IMAGE" seq 1 $((1000000 / N)))")
done
"$DOCKER" wait "${ids[@]}" > /dev/null
sleep 3
echo "after: $(usage)"
heap
"$DOCKER" rm -f "${ids[@]}" > /dev/null
