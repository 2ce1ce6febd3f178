# shellcheck shell=bash
# Sourced by the probes: starts a host tslogs daemon on its own socket and store, as the
# legacy plugin NAME ($1), and removes both on exit. Sets STORE, SOCKET and PID; the
# caller's own cleanup goes in probe_cleanup. NODEFLAGS are passed to node.
DOCKER=${DOCKER:-docker}
# shellcheck disable=SC2034 # used by the probes that source this
IMAGE=${TSLOGS_BB_IMAGE:-tslogs-bb:latest}
STORE=$(mktemp -d "/tmp/$1-XXXXXX")
SOCKET=/run/docker/plugins/$1.sock
rm -f "$SOCKET"
# shellcheck disable=SC2086 # NODEFLAGS holds several flags
TSLOGS_SOCKET=$SOCKET TSLOGS_ROOT=$STORE node ${NODEFLAGS:-} dist/cli/main.js plugin > "$STORE.log" 2>&1 &
PID=$!
probe_cleanup() { :; }
trap 'probe_cleanup; kill "$PID" 2>/dev/null || true; rm -rf "$STORE" "$STORE.log"' EXIT
sleep 1.5

# The daemon's CPU seconds so far: utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$PID/stat"; }
# Current and peak RSS, and CPU seconds.
usage() { printf '%s %s, CPU %s s' "$(grep VmRSS "/proc/$PID/status" | tr -s ' \t' ' ')" "$(grep VmHWM "/proc/$PID/status" | tr -s ' \t' ' ')" "$(cpu_seconds)"; }
# The JS heap and external memory, as the daemon's /metrics reports them.
heap() { curl -s --unix-socket "$SOCKET" http://tslogs/metrics | grep -E '^nodejs_heap_size_(used|total)_bytes|^nodejs_external_memory_bytes'; }
