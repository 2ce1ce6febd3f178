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
#   /run/docker/plugins /tmp /var/lib/tslogs, minimal /etc files
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

[[ -x "$NODE_BIN" ]] || die "node binary not found"
[[ -f "$DIST/cli/main.js" ]] || die "$DIST/cli/main.js missing (run npm run build first)"
[[ -f "$ROOT/plugin/config.json" ]] || die "plugin/config.json missing"
[[ -f "$ROOT/package-lock.json" ]] || die "package-lock.json missing"

rm -rf "$OUT"
mkdir -p "$OUT/rootfs"
RFS="$OUT/rootfs"
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
    libs+=("$target")                       # libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x..)
  elif [[ "$first" == /* ]]; then
    libs+=("$first")                        # /lib64/ld-linux-x86-64.so.2 (0x..)
  fi                                        # linux-vdso.so.1 (0x..): provided by the kernel
done <<<"$ldd_out"
((${#libs[@]} > 0)) || die "ldd listed no libraries for $NODE_BIN (static node?)"
for lib in "${libs[@]}"; do
  # cp -L: the rootfs gets real files at the paths the loader asks for (/lib64/... is
  # the ELF interpreter; /lib/x86_64-linux-gnu/... are on the loader's default path).
  mkdir -p "$RFS$(dirname "$lib")"
  cp -L "$lib" "$RFS$lib"
done
log "node $("$NODE_BIN" --version) + ${#libs[@]} libraries"

# --- the application ----------------------------------------------------------------
mkdir -p "$RFS/app"
cp -a "$DIST" "$RFS/app/dist"
cp "$ROOT/package.json" "$RFS/app/package.json"

# Production node_modules, without the network: copy the development node_modules
# (installed by `npm ci`) and let `npm prune --omit=dev` remove the dev dependencies
# according to package-lock.json. (`npm ci --omit=dev --offline` into a staging dir would
# need every package in the npm cache, which a machine that only ran `npm ci` may lack.)
[[ -d "$ROOT/node_modules" ]] || die "no node_modules to copy (run npm ci)"
rm -rf "$STAGING"
mkdir -p "$STAGING"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$STAGING/"
cp -a "$ROOT/node_modules" "$STAGING/node_modules"
(cd "$STAGING" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null) \
  || die "npm prune --omit=dev failed"
# Tool caches and the scope directories prune leaves empty.
find "$STAGING/node_modules" -mindepth 1 -maxdepth 1 -name '.*' ! -name '.package-lock.json' \
  ! -name '.bin' -exec rm -rf {} +
find "$STAGING/node_modules" -mindepth 1 -type d -empty -delete
mkdir -p "$STAGING/node_modules"
mv "$STAGING/node_modules" "$RFS/app/node_modules"
rm -rf "$STAGING"
log "production node_modules: $(node -e 'const p=process.argv[1]; try { console.log(Object.keys(require(p).packages).length) } catch { console.log(0) }' \
  "$RFS/app/node_modules/.package-lock.json") packages"

# --- directories and minimal /etc -----------------------------------------------------
mkdir -p "$RFS/run/docker/plugins" "$RFS/var/lib/tslogs" "$RFS/tmp" "$RFS/etc" \
  "$RFS/proc" "$RFS/sys" "$RFS/dev"
chmod 1777 "$RFS/tmp"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
  >"$RFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$RFS/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$RFS/etc/nsswitch.conf"
# With "network": {"type": "host"} dockerd bind-mounts the host's /etc/hosts and
# /etc/resolv.conf over these; they exist so the mount targets are files.
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$RFS/etc/hosts"
: >"$RFS/etc/resolv.conf"
# Same local time zone as the host (syslog-style timestamps are local time).
if [[ -e /etc/localtime ]]; then cp -L /etc/localtime "$RFS/etc/localtime"; fi

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
