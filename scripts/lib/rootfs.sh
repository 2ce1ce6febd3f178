# shellcheck shell=bash
# Sourced: the steps of an offline Node.js rootfs, shared by the managed plugin
# (build-plugin-rootfs.sh) and the sidecar image (build-sidecar-image.sh). Each function
# takes the rootfs directory first and uses the caller's log/die.

# What every rootfs is built from: the node binary, the built dist/ and the lock file
# that pins the dependencies copied in.
rootfs_require_inputs() {
  local root="$1" dist="$2" node_bin="$3"
  [[ -x "$node_bin" ]] || die "node binary not found"
  [[ -f "$dist/cli/main.js" ]] || die "$dist/cli/main.js missing (run npm run build first)"
  [[ -f "$root/package-lock.json" ]] || die "package-lock.json missing"
}

# The node binary and every library `ldd` lists for it, links resolved, at the same paths
# (the loader /lib64/ld-linux-*.so.2 is among them).
rootfs_add_node() {
  local rfs="$1" node_bin="$2" ldd_out first arrow target lib
  local -a libs=()
  install -D -m 755 "$node_bin" "$rfs/usr/bin/node"
  ldd_out="$(LC_ALL=C ldd "$node_bin")" || die "ldd $node_bin failed"
  if grep -q 'not found' <<<"$ldd_out"; then
    die "unresolved libraries for $node_bin: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ')"
  fi
  while read -r first arrow target _; do
    if [[ "$arrow" == "=>" && "$target" == /* ]]; then
      libs+=("$target")                       # libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x..)
    elif [[ "$first" == /* ]]; then
      libs+=("$first")                        # /lib64/ld-linux-x86-64.so.2 (0x..)
    fi                                        # linux-vdso.so.1 (0x..): provided by the kernel
  done <<<"$ldd_out"
  ((${#libs[@]} > 0)) || die "ldd listed no libraries for $node_bin (static node?)"
  for lib in "${libs[@]}"; do
    mkdir -p "$rfs$(dirname "$lib")"
    cp -L "$lib" "$rfs$lib"
  done
  log "node $("$node_bin" --version) + ${#libs[@]} libraries"
}

# /app: package.json, the compiled dist/ and the production node_modules, without the
# network: the development node_modules (from `npm ci`) is copied and `npm prune
# --omit=dev` removes the dev dependencies per package-lock.json. (`npm ci --omit=dev
# --offline` would need every package in the npm cache, which a machine that only ran
# `npm ci` may lack.)
rootfs_add_app() {
  local rfs="$1" root="$2" dist="$3" staging="$4"
  [[ -d "$root/node_modules" ]] || die "no node_modules to copy (run npm ci)"
  mkdir -p "$rfs/app"
  cp -a "$dist" "$rfs/app/dist"
  cp "$root/package.json" "$rfs/app/package.json"
  rm -rf "$staging"
  mkdir -p "$staging"
  cp "$root/package.json" "$root/package-lock.json" "$staging/"
  cp -a "$root/node_modules" "$staging/node_modules"
  (cd "$staging" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null) \
    || die "npm prune --omit=dev failed"
  # Tool caches and the scope directories prune leaves empty.
  find "$staging/node_modules" -mindepth 1 -maxdepth 1 -name '.*' ! -name '.package-lock.json' \
    ! -name '.bin' -exec rm -rf {} +
  find "$staging/node_modules" -mindepth 1 -type d -empty -delete
  mkdir -p "$staging/node_modules"
  mv "$staging/node_modules" "$rfs/app/node_modules"
  rm -rf "$staging"
}

# Minimal /etc (dockerd bind-mounts its hosts/resolv.conf over the files), /tmp, mount
# points, and the host's local time zone (syslog-style timestamps are local time).
rootfs_add_etc() {
  local rfs="$1"
  mkdir -p "$rfs/tmp" "$rfs/etc" "$rfs/proc" "$rfs/sys" "$rfs/dev"
  chmod 1777 "$rfs/tmp"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
    >"$rfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rfs/etc/nsswitch.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rfs/etc/hosts"
  : >"$rfs/etc/resolv.conf"
  if [[ -e /etc/localtime ]]; then cp -L /etc/localtime "$rfs/etc/localtime"; fi
}
