# shellcheck shell=bash
# Sourced helpers that bring a machine to the state the e2e tests assume:
#   ensure_packages   docker.io, busybox-static, rsyslog (syslog tests), openssl (test CAs),
#                     nats-server (the NATS sink's JetStream cluster tests), the shellcheck
#                     package (script lint test) and prometheus (the metrics e2e test scrapes
#                     the plugin with it), installed (apt only when missing)
#   ensure_dockerd    a reachable dockerd (reuses a running one, else starts one)
#   ensure_bb_image   the busybox image tslogs-bb:latest
#   DOCKER            the docker client to use (Debian's 20.10 client, same as the daemon)
#   tslogs_npm_ci     npm ci from the lock file, quietly
#   tslogs_link_cli   the `tslogs` command on PATH (npm install -g of the checkout)
#
# Every function is idempotent and returns quickly when there is nothing to do.
# Usage:  source scripts/lib/docker-env.sh; ensure_packages; ensure_dockerd; ensure_bb_image

TSLOGS_REPO_ROOT="${TSLOGS_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TSLOGS_BB_IMAGE="${TSLOGS_BB_IMAGE:-tslogs-bb:latest}"
TSLOGS_PACKAGES="${TSLOGS_PACKAGES:-docker.io busybox-static rsyslog rsyslog-gnutls openssl shellcheck prometheus nats-server}"
# Bump when the applet list below changes: an image without this revision is re-checked.
TSLOGS_BB_IMAGE_REV="1"
# Applets the tests use (the image gets every applet busybox has; these are verified).
TSLOGS_BB_APPLETS="sh echo printf seq head tr cat sleep yes dd od true false env wc"
# Exactly the flags the test machine uses: no iptables, no bridge, vfs storage.
TSLOGS_DOCKERD_FLAGS=(--iptables=false --ip-forward=false --bridge=none --storage-driver=vfs)

# Prefer Debian's 20.10 client (/usr/bin/docker): /usr/local/bin/docker may be a newer
# client that comes first in PATH. Recomputed by ensure_packages after an install.
_tslogs_pick_docker() {
  if [[ -x /usr/bin/docker ]]; then
    DOCKER=/usr/bin/docker
  else
    DOCKER="$(command -v docker || echo /usr/bin/docker)"
  fi
  export DOCKER
}
if [[ -z "${DOCKER:-}" ]]; then _tslogs_pick_docker; fi

_tslogs_log() { printf '[docker-env] %s\n' "$*" >&2; }

_tslogs_as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

_tslogs_pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

_tslogs_apt_install() {
  local need_update=0 p policy
  for p in "$@"; do
    # Captured rather than piped into grep -q: grep quitting early would make apt-cache
    # die of SIGPIPE, and pipefail would then report a known package as unknown.
    policy="$(apt-cache policy "$p" 2>/dev/null || true)"
    [[ "$policy" =~ Candidate:\ [0-9] ]] || need_update=1
  done
  if ((need_update)); then
    _tslogs_as_root apt-get update -q || return 1
  fi
  if ! _tslogs_as_root apt-get install -y -q --no-install-recommends "$@"; then
    # Stale package lists (404 on a superseded version): refresh once and retry.
    _tslogs_as_root apt-get update -q || return 1
    _tslogs_as_root apt-get install -y -q --no-install-recommends "$@" || return 1
  fi
}

# Installs $TSLOGS_PACKAGES if they are missing. `apt-get update` runs only
# when a package has to be installed and apt does not know it yet (or the install fails).
ensure_packages() {
  local missing=() p
  for p in $TSLOGS_PACKAGES; do
    _tslogs_pkg_installed "$p" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    _tslogs_pick_docker
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    _tslogs_log "missing packages ${missing[*]} and no apt-get on this machine"
    return 1
  fi
  _tslogs_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's init scripts from starting dockerd with its default configuration
  # (docker0 bridge, iptables rules): ensure_dockerd starts it with the flags above.
  # policy-rc.d exiting 101 is Debian's "do not start services" switch for maintainer
  # scripts (invoke-rc.d and deb-systemd-invoke honour it).
  local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  if [[ ! -e "$policy" ]]; then
    _tslogs_as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy" && own_policy=1
  fi
  _tslogs_apt_install "${missing[@]}" || rc=$?
  if ((own_policy)); then _tslogs_as_root rm -f "$policy"; fi
  ((rc == 0)) || return "$rc"
  _tslogs_pick_docker
}

_tslogs_docker_ok() { "$DOCKER" info >/dev/null 2>&1; }

# Reuses a reachable daemon; otherwise starts `dockerd <TSLOGS_DOCKERD_FLAGS>` in the
# background (own session, survives this shell) logging to .tmp/dockerd.log and waits
# until `docker info` answers (TSLOGS_DOCKERD_TIMEOUT seconds, default 60).
ensure_dockerd() {
  if _tslogs_docker_ok; then return 0; fi
  local dockerd
  dockerd="$(command -v dockerd || true)"
  [[ -n "$dockerd" ]] || dockerd=/usr/sbin/dockerd
  if [[ ! -x "$dockerd" ]]; then
    _tslogs_log "dockerd not found (run ensure_packages first)"
    return 1
  fi
  local logdir="$TSLOGS_REPO_ROOT/.tmp"
  mkdir -p "$logdir"
  local log="$logdir/dockerd.log"
  # If another dockerd is already starting, ours exits at once (its pid file is taken)
  # and the wait below simply waits for the other one.
  local extra=()
  # Extra flags only for checking this function against a throw-away daemon
  # (e.g. "-H unix:///tmp/d.sock --data-root ... --exec-root ... --pidfile ...").
  read -r -a extra <<<"${TSLOGS_DOCKERD_EXTRA_FLAGS:-}"
  _tslogs_log "starting dockerd ${TSLOGS_DOCKERD_FLAGS[*]} ${extra[*]} (log: $log)"
  _tslogs_as_root setsid nohup "$dockerd" "${TSLOGS_DOCKERD_FLAGS[@]}" "${extra[@]}" \
    >>"$log" 2>&1 </dev/null &
  local pid=$!
  disown "$pid" 2>/dev/null || true
  local timeout="${TSLOGS_DOCKERD_TIMEOUT:-60}" waited=0
  until _tslogs_docker_ok; do
    if ((waited >= timeout * 4)); then
      _tslogs_log "dockerd did not become ready within ${timeout}s (pid $pid$(kill -0 "$pid" 2>/dev/null || echo ', exited')); last log lines:"
      tail -n 30 "$log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
  _tslogs_log "dockerd ready after ~$((waited / 4))s"
}

# Finds a statically linked busybox on this machine (busybox-static installs /bin/busybox).
_tslogs_find_busybox() {
  local c words
  for c in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null)"; do
    [[ -n "$c" && -x "$c" ]] || continue
    # ldd exits 1 on a static binary: capture its words first, so neither its exit
    # status nor pipefail decides the answer.
    words="$(LC_ALL=C ldd "$c" 2>&1 || true)"
    if [[ "$words" == *"not a dynamic executable"* || "$words" == *"statically linked"* ]]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

_tslogs_bb_image_ok() {
  local rev
  # The revision is kept in the image comment (docker import -m): labels and ENV of an
  # image are inherited by its containers and would show up in the log drivers' Info
  # (labels-regex, env-regex), so the image has neither.
  rev="$("$DOCKER" image inspect -f '{{.Comment}}|{{len .Config.Labels}}|{{len .Config.Env}}' \
    "$TSLOGS_BB_IMAGE" 2>/dev/null)" || return 1
  [[ "$rev" == "tslogs-bb rev $TSLOGS_BB_IMAGE_REV|0|0" ]] && return 0
  [[ "$rev" == *"|0|0" ]] || return 1 # has labels or ENV: re-import
  # Imported by someone else (other comment): accept it if every applet the tests use is
  # there. The verdict is cached per image ID so later calls stay fast.
  local id stamp="$TSLOGS_REPO_ROOT/.tmp/bb-image-checked"
  id="$("$DOCKER" image inspect -f '{{.Id}}' "$TSLOGS_BB_IMAGE" 2>/dev/null)" || return 1
  [[ -f "$stamp" && "$(cat "$stamp")" == "$id:$TSLOGS_BB_APPLETS" ]] && return 0
  "$DOCKER" run --rm --network none --log-driver none "$TSLOGS_BB_IMAGE" \
    sh -c "for a in $TSLOGS_BB_APPLETS; do which \$a >/dev/null || exit 1; done" \
    >/dev/null 2>&1 || return 1
  mkdir -p "$TSLOGS_REPO_ROOT/.tmp" && echo "$id:$TSLOGS_BB_APPLETS" >"$stamp"
}

# Imports a busybox rootfs (static /bin/busybox + a symlink per applet) as
# tslogs-bb:latest unless an image with that name and the needed applets exists.
ensure_bb_image() {
  if _tslogs_bb_image_ok; then return 0; fi
  local bb
  if ! bb="$(_tslogs_find_busybox)"; then
    _tslogs_log "no statically linked busybox found (install busybox-static)"
    return 1
  fi
  _tslogs_log "importing $TSLOGS_BB_IMAGE from $bb"
  local dir
  dir="$(mktemp -d)"
  chmod 755 "$dir"
  mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,var/tmp}
  chmod 1777 "$dir/tmp" "$dir/var/tmp"
  cp "$bb" "$dir/bin/busybox"
  local a
  # `busybox --list-full` gives paths such as bin/sh and usr/bin/seq.
  while IFS= read -r a; do
    [[ -n "$a" && "$a" != "bin/busybox" ]] || continue
    ln -sf /bin/busybox "$dir/$a"
  done < <("$bb" --list-full)
  for a in $TSLOGS_BB_APPLETS; do
    [[ -e "$dir/bin/$a" || -e "$dir/usr/bin/$a" || -e "$dir/sbin/$a" || -e "$dir/usr/sbin/$a" ]] \
      || { _tslogs_log "busybox at $bb lacks applet $a"; rm -rf "$dir"; return 1; }
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  local rc=0
  # No --change (no ENV, LABEL or CMD): containers get dockerd's default PATH and only the
  # labels and environment a test gives them.
  tar -C "$dir" --numeric-owner -cf - . | "$DOCKER" import \
    -m "tslogs-bb rev $TSLOGS_BB_IMAGE_REV" - "$TSLOGS_BB_IMAGE" >/dev/null || rc=$?
  rm -rf "$dir"
  if ((rc != 0)); then
    _tslogs_log "docker import failed"
    return "$rc"
  fi
  _tslogs_bb_image_ok || { _tslogs_log "imported image fails the applet check"; return 1; }
}

# `npm ci` from the lock file (vite is pinned to 8.3.4: 8.4 declares an optional
# dependency the registry does not serve, which makes `npm ci` refuse the lock file).
tslogs_npm_ci() {
  (
    cd "$TSLOGS_REPO_ROOT" || exit 1
    mkdir -p .tmp
    if ! npm ci --no-audit --no-fund >.tmp/npm-ci.log 2>&1; then
      tail -n 20 .tmp/npm-ci.log >&2
      exit 1
    fi
    tail -n 3 .tmp/npm-ci.log >&2
  )
}

# Puts `tslogs` on PATH: `npm install -g` of the checkout, which links npm's global bin
# directory to dist/cli/main.js (undo with `npm uninstall -g tslogs`). Skipped with
# TSLOGS_NO_LINK=1, or when npm's global `tslogs` already is this checkout's.
tslogs_link_cli() {
  local want bin have
  [[ "${TSLOGS_NO_LINK:-0}" == "1" ]] && return 0
  want="$(readlink -f "$TSLOGS_REPO_ROOT/dist/cli/main.js")"
  bin="$(npm prefix -g)/bin"
  if [[ "$(readlink -f "$bin/tslogs" 2>/dev/null || true)" != "$want" ]] &&
    ! npm install -g --no-audit --no-fund --loglevel=error "$TSLOGS_REPO_ROOT" >/dev/null; then
    _tslogs_log "could not install the tslogs command; run it as: node $want"
    return 0
  fi
  hash -r
  have="$(command -v tslogs 2>/dev/null || true)"
  if [[ -z "$have" ]]; then
    _tslogs_log "tslogs command installed in $bin, which is not on PATH: add it, or run node $want"
  elif [[ "$(readlink -f "$have")" != "$want" ]]; then
    _tslogs_log "tslogs command installed in $bin, but $have comes first on PATH"
  else
    _tslogs_log "tslogs command: $have"
  fi
}
