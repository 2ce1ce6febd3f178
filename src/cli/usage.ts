// `tslogs help`.

export const USAGE = `Usage:
  tslogs CONTAINER... [OPTIONS]         show logs, like docker logs (several: merged, like docker compose logs)
  tslogs logs CONTAINER... [OPTIONS]    the same (for a container named like a command)
  tslogs ls [--json]                    containers tslogs stores: state, size, first/last entry, sink lag
  tslogs stats [CONTAINER...] [--json]  per sink: entries sent, retried, dropped, lag
  tslogs health [--socket S|--sidecar]  each daemon's GET /healthz (JSON); exit 0 healthy, 1 not
  tslogs prune [-f|--force] [--json]    logs of containers the Docker engine no longer has: lists them;
                                        --force deletes them (the daemon does it by itself after docker rm)
  tslogs reload [--socket S]            re-read the daemon's routes file; a file it refuses keeps the
                                        routes in force and exits 1 saying what is wrong
  tslogs routes [--json] [--socket S]   the routes (secrets redacted) and the containers using each
  tslogs plugin                         run the log-driver plugin daemon
  tslogs sidecar [--help]               run the sidecar (routes Docker's own json-file logs)
  tslogs help | --help | -h             this help
  tslogs --version | -v                 the version

A CONTAINER is a name, a full ID or a unique ID prefix.

Options of docker logs (same meaning, same output):
  -f, --follow         follow new lines; ends when the container stops
      --since T        entries at or after T
      --until T        entries at or before T
  -n, --tail N         the last N entries, or all (default all)
  -t, --timestamps     show each entry's time (UTC, 9 fraction digits)
      --details        show extra details (a plugin has none: docker logs prints a space)
  T is an RFC 3339 date or time (2026-11-28, 2026-11-28T20:01:02Z, 2026-11-28T20:01:02.5+01:00;
  the local zone when none is given), a Unix timestamp (1795896100, 1795896100.25) or a
  duration back from now (10m, 1h30m, 45s).

tslogs options:
      --stream S       only stdout or only stderr
      --grep RE        only lines matching RE (Go/RE2 syntax, unanchored), filtered by the daemon
                       (with --stream or --grep, --tail N counts matching lines)
      --json           one JSON object per line: time, container, id, stream, line
      --label K[=V]    every stored container with this label (repeatable: all must match)
  -a, --all            every stored container
      --no-prefix      no "name | " prefix when showing several containers
      --no-color       no colours (colours are used only on a terminal, never with NO_COLOR set)

Where it reads: the tslogs daemon's socket ($TSLOGS_SOCKET, else /run/docker/plugins/tslogs.sock
and /run/docker/plugins/*/tslogs.sock for managed plugins). When no daemon answers, the store
($TSLOGS_ROOT, default /var/lib/tslogs) is read directly: history only, -f cannot follow.
Container states come from the Docker engine ($DOCKER_HOST, default unix:///var/run/docker.sock).

Exit codes (docker logs' own):
  0    success, also when the output is closed early (| head)
  1    error: unknown or ambiguous container, no container named, bad --since/--until,
       no daemon and no readable store, I/O; tslogs health: not healthy
  125  the command line cannot be parsed: unknown flag, flag without its value, bad
       --tail/--stream/--grep/--label value, flags that exclude each other
  130  interrupted (Ctrl-C)

Examples:
  tslogs web -f --tail 100
  tslogs web --since 10m -t
  tslogs web db -f                      # merged, each line prefixed with its container
  tslogs --label com.docker.compose.project=shop --since 1h --grep 'error|timeout'
  tslogs web --json --stream stderr | jq .line
`;
