#!/usr/bin/env bash
# Set up and run on a fresh machine: npm ci, npm run build, then the plugin daemon in the
# foreground on the host, as a legacy (socket-file) plugin: dockerd discovers
# /run/docker/plugins/tslogs.sock by name, so containers use it with --log-driver tslogs.
# (A managed plugin also named tslogs would take precedence; see scripts/plugin-install.sh.)
#
# Environment: TSLOGS_SOCKET, TSLOGS_ROOT, LOG_LEVEL, TSLOGS_METRICS_ADDRESS (defaults in
# config/tslogs.env); TSLOGS_SKIP_INSTALL=1 skips npm ci.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/docker-env.sh
source "$ROOT/scripts/lib/docker-env.sh"

# The built-in defaults (config/tslogs.env), for whatever the environment does not set.
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  [[ -n "${!key:-}" ]] || export "$key=$value"
done <"$ROOT/config/tslogs.env"

if [[ "${TSLOGS_SKIP_INSTALL:-0}" != "1" ]]; then tslogs_npm_ci; fi
npm run --silent build

mkdir -p "$(dirname "$TSLOGS_SOCKET")" "$TSLOGS_ROOT"
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "[start] note: no reachable dockerd; the plugin runs anyway and waits for it" >&2
fi
echo "[start] node dist/cli/main.js plugin (socket $TSLOGS_SOCKET, store $TSLOGS_ROOT)" >&2
exec node dist/cli/main.js plugin
