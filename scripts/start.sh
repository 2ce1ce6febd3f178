#!/usr/bin/env bash
# Set up and run on a fresh machine: npm ci, npm run build, then the plugin daemon in the
# foreground on the host, as a legacy (socket-file) plugin: dockerd discovers
# /run/docker/plugins/tslogs.sock by name, so containers use it with --log-driver tslogs.
# A managed plugin of the same name would take every container: start.sh refuses then.
#
# It also puts the `tslogs` command on PATH (see tslogs_link_cli in scripts/lib/docker-env.sh).
#
# Environment: TSLOGS_SOCKET, TSLOGS_ROOT, LOG_LEVEL, TSLOGS_METRICS_ADDRESS (defaults in
# config/tslogs.env); TSLOGS_SKIP_INSTALL=1 skips npm ci, TSLOGS_SKIP_BUILD=1 the build; TSLOGS_NO_LINK=1 leaves PATH alone.
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

say() { printf '[start] %s\n' "$*" >&2; }

# The driver name dockerd resolves to this socket: its file name without .sock.
DRIVER="$(basename "$TSLOGS_SOCKET" .sock)"

# dockerd looks a driver name up among managed plugins first and falls back to socket
# files only when none has that name (a disabled one fails the container instead), so
# with a managed plugin of the same name this daemon would receive nothing.
if "$DOCKER" info >/dev/null 2>&1; then
  if "$DOCKER" plugin inspect "$DRIVER" >/dev/null 2>&1; then
    say "error: a managed plugin named $DRIVER is installed (docker plugin ls): dockerd sends"
    say "--log-driver $DRIVER to it, so this host daemon would receive nothing. Choose one:"
    say "  keep the managed plugin:   nothing to do (do not run start.sh)"
    say "  use this host daemon:      docker plugin disable -f $DRIVER && docker plugin rm $DRIVER"
    say "  run both under two names:  TSLOGS_SOCKET=/run/docker/plugins/tslogs-host.sock bash scripts/start.sh"
    exit 1
  fi
else
  say "note: no reachable dockerd; the plugin runs anyway and waits for it"
fi

if [[ "${TSLOGS_SKIP_INSTALL:-0}" != "1" ]]; then tslogs_npm_ci; fi
if [[ "${TSLOGS_SKIP_BUILD:-0}" != "1" ]]; then npm run --silent build; fi
tslogs_link_cli

mkdir -p "$(dirname "$TSLOGS_SOCKET")" "$TSLOGS_ROOT"
say "node dist/cli/main.js plugin (socket $TSLOGS_SOCKET, store $TSLOGS_ROOT): use --log-driver $DRIVER"
exec node dist/cli/main.js plugin
