#!/usr/bin/env bash
# Builds the managed-plugin directory build/plugin/{config.json,rootfs/} OFFLINE from this
# checkout, for `docker plugin create NAME build/plugin` (see scripts/plugin-install.sh).
#
# rootfs contents:
#   /usr/bin/node            the host's node binary
#   <ldd libraries>          every library `ldd node` lists, links resolved, same paths
#   /lib64/ld-linux-*.so.2   the dynamic loader (also from ldd)
#   /app/package.json        ("type": "module" is needed to load dist/ as ESM)
#   /app/dist                the compiled plugin (npm run build)
#   /app/node_modules        production dependencies only
#   /run/docker/plugins /tmp /var/lib/tslogs /var/lib/docker/containers (mount points), minimal /etc files
#
# Needs: a built dist/ (npm run build) and the development node_modules (npm ci).
# Environment overrides (for tests and experiments):
#   TSLOGS_PLUGIN_DIR  output directory            (default build/plugin)
#   TSLOGS_DIST_DIR    compiled application        (default dist)
#   TSLOGS_NODE_BIN    node binary to package      (default: node on PATH)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${TSLOGS_PLUGIN_DIR:-$ROOT/build/plugin}"
DIST="${TSLOGS_DIST_DIR:-$ROOT/dist}"
NODE_BIN="$(readlink -f "${TSLOGS_NODE_BIN:-$(command -v node)}")"
STAGING="$ROOT/build/plugin-staging"

log() { printf '[build-plugin-rootfs] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=scripts/lib/rootfs.sh
source "$ROOT/scripts/lib/rootfs.sh"

rootfs_require_inputs "$ROOT" "$DIST" "$NODE_BIN"
[[ -f "$ROOT/plugin/config.json" ]] || die "plugin/config.json missing"

rm -rf "$OUT"
mkdir -p "$OUT/rootfs"
RFS="$OUT/rootfs"
chmod 755 "$RFS"

rootfs_add_node "$RFS" "$NODE_BIN"
rootfs_add_app "$RFS" "$ROOT" "$DIST" "$STAGING"
log "production node_modules: $(node -e 'const p=process.argv[1]; try { console.log(Object.keys(require(p).packages).length) } catch { console.log(0) }' \
  "$RFS/app/node_modules/.package-lock.json") packages"
rootfs_add_etc "$RFS"
mkdir -p "$RFS/run/docker/plugins" "$RFS/var/lib/tslogs" "$RFS/var/lib/docker/containers"

cp "$ROOT/plugin/config.json" "$OUT/config.json"

# --- smoke check: the packaged node starts with only the rootfs ----------------------
if [[ "$(id -u)" -eq 0 ]] && command -v chroot >/dev/null 2>&1; then
  v="$(env -i "$(command -v chroot)" "$RFS" /usr/bin/node -e 'process.stdout.write(process.version)')" \
    || die "packaged node does not start inside the rootfs (missing library?)"
  # Every production dependency resolves from /app (as the plugin's imports will).
  env -i "$(command -v chroot)" "$RFS" /usr/bin/node -e '
    const pkg = require("/app/package.json");
    for (const d of Object.keys(pkg.dependencies ?? {})) require("/app/node_modules/" + d + "/package.json");
  ' || die "a production dependency does not resolve inside the rootfs"
  log "chroot check: node $v runs inside the rootfs and resolves the dependencies"
fi
log "built $OUT ($(du -sh "$RFS" | cut -f1))"
