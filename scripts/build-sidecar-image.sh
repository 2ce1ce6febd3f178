#!/usr/bin/env bash
# Builds the sidecar image OFFLINE from this checkout and imports it with `docker import`
# (no registry, no base image), the technique of scripts/build-plugin-rootfs.sh:
#
#   /usr/bin/node            the host's node binary
#   <ldd libraries>          every library `ldd node` lists, same paths
#   /app/package.json        ("type": "module" loads dist/ as ESM)
#   /app/dist                the compiled application (npm run build)
#   /app/node_modules        production dependencies only (npm prune --omit=dev --offline)
#   /var/lib/tslogs-sidecar  the state directory (mount a volume here)
#   (no /var/lib/docker/containers: forgetting to mount the host's fails with a clear error
#   instead of forwarding an empty directory)
#
# Entrypoint: node /app/dist/cli/main.js sidecar  (flags after the image name are appended)
#
#   scripts/build-sidecar-image.sh [--force]
#
# Skips the import when an image with the same content stamp (node version, dist/,
# package files, this script) exists already, unless --force.
# Needs: a built dist/ (npm run build), the development node_modules (npm ci), docker.
# Environment:
#   TSLOGS_SIDECAR_IMAGE      image name            (default tslogs-sidecar:latest)
#   TSLOGS_SIDECAR_BUILD_DIR  scratch directory     (default build/sidecar-image)
#   TSLOGS_DIST_DIR           compiled application  (default dist)
#   TSLOGS_NODE_BIN           node binary to package (default: node on PATH)
#   DOCKER                    docker client          (default as scripts/lib/docker-env.sh picks it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/docker-env.sh
source "$ROOT/scripts/lib/docker-env.sh"
IMAGE="${TSLOGS_SIDECAR_IMAGE:-tslogs-sidecar:latest}"
OUT="${TSLOGS_SIDECAR_BUILD_DIR:-$ROOT/build/sidecar-image}"
DIST="${TSLOGS_DIST_DIR:-$ROOT/dist}"
NODE_BIN="$(readlink -f "${TSLOGS_NODE_BIN:-$(command -v node)}")"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[build-sidecar-image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x "$NODE_BIN" ]] || die "node binary not found"
[[ -f "$DIST/cli/main.js" ]] || die "$DIST/cli/main.js missing (run npm run build first)"
[[ -f "$DIST/sidecar/run-sidecar.js" ]] || die "$DIST/sidecar/run-sidecar.js missing (dist/ predates the sidecar: run npm run build)"
[[ -f "$ROOT/package-lock.json" ]] || die "package-lock.json missing"
[[ -d "$ROOT/node_modules" ]] || die "no node_modules to copy (run npm ci)"

# --- content stamp: skip the import when nothing changed --------------------------------
stamp="$( (
  "$NODE_BIN" --version
  sha256sum "$ROOT/package-lock.json" "$ROOT/package.json" "${BASH_SOURCE[0]}" | cut -d' ' -f1
  cd "$DIST" && find . -type f ! -name '*.map' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
) | sha256sum | cut -c1-16)"
comment="tslogs-sidecar $stamp"
if ((FORCE == 0)) && [[ "$("$DOCKER" image inspect -f '{{.Comment}}' "$IMAGE" 2>/dev/null || true)" == "$comment" ]]; then
  log "$IMAGE is up to date ($comment)"
  exit 0
fi

rm -rf "$OUT"
RFS="$OUT/rootfs"
STAGING="$OUT/staging"
mkdir -p "$RFS"
chmod 755 "$RFS"

# --- node and the libraries it links against -----------------------------------------
install -D -m 755 "$NODE_BIN" "$RFS/usr/bin/node"
ldd_out="$(LC_ALL=C ldd "$NODE_BIN")" || die "ldd $NODE_BIN failed"
if grep -q 'not found' <<<"$ldd_out"; then
  die "unresolved libraries for $NODE_BIN: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ')"
fi
libs=()
while read -r first arrow target _; do
  if [[ "$arrow" == "=>" && "$target" == /* ]]; then
    libs+=("$target")
  elif [[ "$first" == /* ]]; then
    libs+=("$first")
  fi
done <<<"$ldd_out"
((${#libs[@]} > 0)) || die "ldd listed no libraries for $NODE_BIN (static node?)"
for lib in "${libs[@]}"; do
  mkdir -p "$RFS$(dirname "$lib")"
  cp -L "$lib" "$RFS$lib"
done
log "node $("$NODE_BIN" --version) + ${#libs[@]} libraries"

# --- the application ----------------------------------------------------------------
mkdir -p "$RFS/app"
# No source maps: they are a third of dist/ and nothing in the image reads them.
cp -a "$DIST" "$RFS/app/dist"
find "$RFS/app/dist" -name '*.map' -delete
cp "$ROOT/package.json" "$RFS/app/package.json"
mkdir -p "$STAGING"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$STAGING/"
cp -a "$ROOT/node_modules" "$STAGING/node_modules"
(cd "$STAGING" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null) \
  || die "npm prune --omit=dev failed"
find "$STAGING/node_modules" -mindepth 1 -maxdepth 1 -name '.*' ! -name '.package-lock.json' \
  ! -name '.bin' -exec rm -rf {} +
find "$STAGING/node_modules" -mindepth 1 -type d -empty -delete
mkdir -p "$STAGING/node_modules"
mv "$STAGING/node_modules" "$RFS/app/node_modules"
rm -rf "$STAGING"

# --- directories and minimal /etc -----------------------------------------------------
mkdir -p "$RFS/var/lib/tslogs-sidecar" "$RFS/tmp" "$RFS/etc" \
  "$RFS/proc" "$RFS/sys" "$RFS/dev"
chmod 1777 "$RFS/tmp"
chmod 750 "$RFS/var/lib/tslogs-sidecar"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
  >"$RFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$RFS/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$RFS/etc/nsswitch.conf"
# dockerd bind-mounts its own hosts, hostname and resolv.conf over these.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$RFS/etc/hosts"
: >"$RFS/etc/resolv.conf"
: >"$RFS/etc/hostname"
# CA certificates for an https splunk-url (Node has its own bundle; this keeps the host's extra ones).
if [[ -d /etc/ssl/certs ]]; then mkdir -p "$RFS/etc/ssl" && cp -rL /etc/ssl/certs "$RFS/etc/ssl/certs" 2>/dev/null || true; fi
if [[ -e /etc/localtime ]]; then cp -L /etc/localtime "$RFS/etc/localtime"; fi

# --- smoke check: the packaged node runs the sidecar with only the rootfs --------------
if [[ "$(id -u)" -eq 0 ]] && command -v chroot >/dev/null 2>&1; then
  env -i "$(command -v chroot)" "$RFS" /usr/bin/node /app/dist/cli/main.js sidecar --help >/dev/null \
    || die "node /app/dist/cli/main.js sidecar --help fails inside the rootfs"
  log "chroot check: 'tslogs sidecar --help' runs inside the rootfs"
fi

# --- import ---------------------------------------------------------------------------
previous="$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
# No LABEL: labels of an image are inherited by its containers.
tar -C "$RFS" --numeric-owner -cf - . | "$DOCKER" import -m "$comment" \
  --change 'ENTRYPOINT ["/usr/bin/node", "/app/dist/cli/main.js", "sidecar"]' \
  --change 'WORKDIR /app' \
  --change 'VOLUME ["/var/lib/tslogs-sidecar"]' \
  - "$IMAGE" >/dev/null
rm -rf "$OUT"
# The image this one replaced, unless a container still uses it (then docker refuses).
if [[ -n "$previous" ]]; then "$DOCKER" rmi "$previous" >/dev/null 2>&1 || true; fi
log "imported $IMAGE ($comment)"
