#!/usr/bin/env bash
# Installs the checkout as a managed Docker plugin (npm run plugin:install).
#
#   scripts/plugin-install.sh [NAME]      NAME defaults to tslogs (tests may use another)
#
# Steps: npm run build, scripts/build-plugin-rootfs.sh, remove any plugin NAME,
# `docker plugin create NAME build/plugin`, `docker plugin enable --timeout 0 NAME`.
#
# Environment:
#   TSLOGS_SKIP_BUILD=1     do not run `npm run build` (the caller just did)
#   TSLOGS_HOST_ROOT=DIR    host directory for the log store (default /var/lib/tslogs),
#                           applied with `docker plugin set NAME store.source=DIR`
#   TSLOGS_LOG_LEVEL=LEVEL  applied with `docker plugin set NAME LOG_LEVEL=LEVEL`
#   TSLOGS_PLUGIN_SETTINGS="K=V …"  more `docker plugin set NAME K=V …` before the enable
#                           (any setting of README's "Daemon settings" table; values
#                           without spaces)
#   TSLOGS_RETAIN_REMOVED, TSLOGS_PRUNE_INTERVAL   applied with `docker plugin set` (README, "Removed containers")
#   TSLOGS_DOCKER_CONTAINERS=DIR  dockerd's containers directory (default: <data-root>/containers as
#                           `docker info` reports it), applied as docker-containers.source=DIR
#   TSLOGS_PLUGIN_DIR, TSLOGS_DIST_DIR   passed on to build-plugin-rootfs.sh
#
# Why `--timeout 0` (docker-logging-docs/docker-compat.md §4.1): dockerd gives a managed plugin one HTTP
# client whose http.Client.Timeout is the `enable --timeout` value (CLI default 30 s);
# that timeout covers the whole response body, so `docker logs -f` through the plugin
# dies after 30 s with "error decoding log message: context deadline exceeded".
# moby v20.10.24: plugin/backend_linux.go Enable -> controller{timeoutInSecs: config.Timeout};
# plugin/manager_linux.go pluginPostStart -> p.SetTimeout(timeoutInSecs * time.Second) and
# plugins.NewClientWithTimeout(addr, nil, p.Timeout()); daemon/logger/plugin.go
# makePluginClient builds the log driver's client with the same pa.Timeout();
# pkg/plugins/client.go puts it into http.Client{Timeout: timeout}, where 0 means no
# timeout. The CLI sends timeout=0 as is (client/plugin_enable.go), and the API route
# accepts it (api/server/router/plugin/plugin_routes.go). The readiness wait does not
# depend on the timeout: pluginPostStart sleeps 500 ms, then dials the socket up to 4
# times 3 s apart (the same with or without a timeout). Plugins re-enabled when dockerd
# restarts get controller{} (timeout 0) too (plugin/manager.go reload), so installs by
# this script and after a daemon restart behave the same; no dockerd restart is needed.
# Verified on Docker 20.10.24 with a stub plugin that streams a frame every 3 s:
# enable (default 30 s) -> `docker logs -f` cut at 30.0 s with the error above;
# enable --timeout 0 -> still streaming at 75 s; a plugin that starts listening 4 s late
# is enabled after 6.6 s; one that never listens fails to enable (dial error).
# Trade-off: with no timeout a hung plugin call hangs the docker command that made it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="${1:-tslogs}"
# shellcheck source=scripts/lib/docker-env.sh
source "$ROOT/scripts/lib/docker-env.sh"

HOST_ROOT="${TSLOGS_HOST_ROOT:-/var/lib/tslogs}"
PLUGIN_DIR="${TSLOGS_PLUGIN_DIR:-$ROOT/build/plugin}"
export TSLOGS_PLUGIN_DIR="$PLUGIN_DIR"

log() { printf '[plugin-install] %s\n' "$*" >&2; }

cd "$ROOT"
if [[ "${TSLOGS_SKIP_BUILD:-0}" != "1" ]]; then
  log "npm run build"
  npm run --silent build
fi
bash "$ROOT/scripts/build-plugin-rootfs.sh"

# The bind mount source must exist or the plugin fails to start.
mkdir -p "$HOST_ROOT" /etc/tslogs
DATA_ROOT="$("$DOCKER" info -f '{{.DockerRootDir}}' 2>/dev/null || true)"
DOCKER_CONTAINERS="${TSLOGS_DOCKER_CONTAINERS:-${DATA_ROOT:-/var/lib/docker}/containers}"

if "$DOCKER" plugin inspect "$NAME" >/dev/null 2>&1; then
  log "removing existing plugin $NAME"
  "$DOCKER" plugin disable -f "$NAME" >/dev/null 2>&1 || true
  "$DOCKER" plugin rm -f "$NAME" >/dev/null
fi

log "docker plugin create $NAME $PLUGIN_DIR"
"$DOCKER" plugin create "$NAME" "$PLUGIN_DIR" >/dev/null

settings=()
if [[ "$HOST_ROOT" != "/var/lib/tslogs" ]]; then settings+=("store.source=$HOST_ROOT"); fi
if [[ -n "${TSLOGS_LOG_LEVEL:-}" ]]; then settings+=("LOG_LEVEL=$TSLOGS_LOG_LEVEL"); fi
if [[ "$DOCKER_CONTAINERS" != "/var/lib/docker/containers" ]]; then settings+=("docker-containers.source=$DOCKER_CONTAINERS"); fi
if [[ -n "${TSLOGS_RETAIN_REMOVED:-}" ]]; then settings+=("TSLOGS_RETAIN_REMOVED=$TSLOGS_RETAIN_REMOVED"); fi
if [[ -n "${TSLOGS_PRUNE_INTERVAL:-}" ]]; then settings+=("TSLOGS_PRUNE_INTERVAL=$TSLOGS_PRUNE_INTERVAL"); fi
# Last, so that they win over the ones above.
if [[ -n "${TSLOGS_PLUGIN_SETTINGS:-}" ]]; then
  read -r -a extra <<<"$TSLOGS_PLUGIN_SETTINGS"
  settings+=("${extra[@]}")
fi
if ((${#settings[@]} > 0)); then
  log "docker plugin set $NAME ${settings[*]}"
  "$DOCKER" plugin set "$NAME" "${settings[@]}"
fi

log "docker plugin enable --timeout 0 $NAME"
if ! "$DOCKER" plugin enable --timeout 0 "$NAME" >/dev/null; then
  log "enable failed; the plugin's own output is in the dockerd log (plugin=<id> lines)"
  exit 1
fi
[[ "$("$DOCKER" plugin inspect -f '{{.Enabled}}' "$NAME")" == "true" ]] || {
  log "plugin $NAME is not enabled"
  exit 1
}
log "installed $NAME ($("$DOCKER" plugin inspect -f '{{.ID}}' "$NAME" | cut -c1-12)); use --log-driver $NAME"
