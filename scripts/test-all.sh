#!/usr/bin/env bash
# The single test command for a fresh machine (npm run test:all, .ci/run):
# packages, dependencies, build, typecheck, dockerd, busybox image, the tslogs plugin,
# then every vitest project (unit + integration + e2e). Ends with one line
#   tests: N passed, N failed, N skipped
# and exits non-zero if anything failed.
#
# Environment: TSLOGS_PLUGIN_NAME (default tslogs) is the plugin name the e2e tests use;
# TSLOGS_DIST_DIR is passed to build-plugin-rootfs.sh (packaging experiments only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/docker-env.sh
source "$ROOT/scripts/lib/docker-env.sh"

step() { printf '\n==> %s\n' "$*" >&2; }

command -v node >/dev/null 2>&1 || { echo "node (>= 20) is required" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "npm is required" >&2; exit 1; }

step "packages ($TSLOGS_PACKAGES)"
ensure_packages
step "npm ci"
tslogs_npm_ci
step "npm run build"
npm run --silent build
step "npm run typecheck"
npm run --silent typecheck
step "dockerd"
ensure_dockerd
step "image $TSLOGS_BB_IMAGE"
ensure_bb_image
step "plugin ${TSLOGS_PLUGIN_NAME:-tslogs}"
# Removed containers checked every 2 s, not 30: test/e2e/retention.test.ts waits for two checks.
TSLOGS_SKIP_BUILD=1 TSLOGS_PRUNE_INTERVAL="${TSLOGS_PRUNE_INTERVAL:-2s}" bash "$ROOT/scripts/plugin-install.sh" "${TSLOGS_PLUGIN_NAME:-tslogs}"

step "vitest"
mkdir -p .tmp
rm -f .tmp/vitest.json .tmp/vitest-upgrade.json
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || rc=$?
# The plugin upgrade on its own afterwards, not beside the e2e files on the same dockerd:
# two plugin builds pushed to a loopback registry, about 1.5 min.
step "vitest: plugin upgrade"
TSLOGS_UPGRADE_E2E=1 npx vitest run --project upgrade --reporter=default --reporter=json --outputFile.json=.tmp/vitest-upgrade.json || rc=$?

# One plain summary line from the JSON reports (skipped = skipped + todo).
# shellcheck disable=SC2016  # JavaScript template literals, not shell expansions
node -e '
  const fs = require("node:fs");
  const reports = [".tmp/vitest.json", ".tmp/vitest-upgrade.json"].map((file) => {
    try { return JSON.parse(fs.readFileSync(file, "utf8")); }
    catch (e) { console.error(`no usable ${file}: ${e.message}`); return {}; }
  });
  const n = (k) => reports.reduce((sum, r) => sum + Number(r[k] ?? 0), 0);
  const files = reports.flatMap((r) => r.testResults ?? []);
  const broken = files.filter((f) => f.status === "failed" && !(f.assertionResults ?? []).length);
  for (const f of broken) console.error("failed to run: " + f.name + (f.message ? " - " + f.message.split("\n")[0] : ""));
  console.log(`tests: ${n("numPassedTests")} passed, ${n("numFailedTests")} failed, ${n("numPendingTests") + n("numTodoTests")} skipped`);
  if (reports.some((r) => !r.testResults || r.success === false) || broken.length) process.exitCode = 1;
' || { ((rc != 0)) || rc=1; }
exit "$rc"
