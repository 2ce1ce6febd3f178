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
# Healthcheck: node /app/dist/cli/main.js health --sidecar, which asks the sidecar's GET /healthz
# on <state dir>/health.sock (the state directory from TSLOGS_SIDECAR_STATE_DIR, as the
# sidecar reads it: set the state directory that way, not with --state-dir, or the check
# looks in the default place)
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
# shellcheck source=scripts/lib/rootfs.sh
source "$ROOT/scripts/lib/rootfs.sh"

rootfs_require_inputs "$ROOT" "$DIST" "$NODE_BIN"
[[ -f "$DIST/sidecar/run-sidecar.js" ]] || die "$DIST/sidecar/run-sidecar.js missing (dist/ predates the sidecar: run npm run build)"
[[ -d "$ROOT/node_modules" ]] || die "no node_modules to copy (run npm ci)"

# --- content stamp: skip the import when nothing changed --------------------------------
stamp="$( (
  "$NODE_BIN" --version
  sha256sum "$ROOT/package-lock.json" "$ROOT/package.json" "${BASH_SOURCE[0]}" "$ROOT/scripts/lib/rootfs.sh" | cut -d' ' -f1
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

rootfs_add_node "$RFS" "$NODE_BIN"
rootfs_add_app "$RFS" "$ROOT" "$DIST" "$STAGING"
# No source maps: they are a third of dist/ and nothing in the image reads them.
find "$RFS/app/dist" -name '*.map' -delete
rootfs_add_etc "$RFS"
mkdir -p "$RFS/var/lib/tslogs-sidecar"
chmod 750 "$RFS/var/lib/tslogs-sidecar"
: >"$RFS/etc/hostname"
# CA certificates for an https splunk-url (Node has its own bundle; this keeps the host's extra ones).
if [[ -d /etc/ssl/certs ]]; then
  mkdir -p "$RFS/etc/ssl"
  # A dangling link among the host's certificates is not worth failing the image for.
  cp -rL /etc/ssl/certs "$RFS/etc/ssl/certs" 2>/dev/null || log "some of /etc/ssl/certs could not be copied (dangling links?)"
fi

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
  --change 'HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 CMD ["/usr/bin/node", "/app/dist/cli/main.js", "health", "--sidecar"]' \
  - "$IMAGE" >/dev/null
rm -rf "$OUT"
# The image this one replaced, unless a container still uses it (then docker refuses).
if [[ -n "$previous" ]]; then "$DOCKER" rmi "$previous" >/dev/null 2>&1 || true; fi
log "imported $IMAGE ($comment)"
