import { describe, expect, it } from 'vitest';
import { runTarget } from '../fuzz/harness.js';
import { TARGETS } from '../fuzz/targets/index.js';

// The CI-sized fuzz run: a few thousand seeded inputs per target, each target against
// its own real daemon (test/fuzz/). `npm run fuzz` runs the full 100,000 per target.
// A fixed seed keeps CI reproducible (TSLOGS_FUZZ_SEED picks another); a failure names its
// input for `npm run fuzz -- --seed S --target T --from I --count 1`.
const SEED = Number(process.env.TSLOGS_FUZZ_SEED ?? 1);
const COUNTS: Record<string, number> = { frames: 2000, http: 2000, options: 3000 };

describe(`fuzzing (seed ${SEED})`, () => {
  it.concurrent.each(Object.keys(TARGETS))(
    '%s: no crash, no hang, no lost sentinel line, no finding',
    async (name) => {
      const stats = await runTarget(TARGETS[name]!(), { seed: SEED, count: COUNTS[name]! });
      expect(stats.failures, `seed ${SEED}`).toEqual([]);
      expect({ inputs: stats.inputs, crashes: stats.crashes, hangs: stats.hangs, findings: stats.findings, lost: stats.sentinelLost }).toEqual({
        inputs: COUNTS[name],
        crashes: 0,
        hangs: 0,
        findings: 0,
        lost: 0,
      });
      expect(stats.sentinelSent).toBeGreaterThan(0);
    },
    // A liveness bound for a loaded machine, not a performance figure: about 30 s on a quiet 2-core one.
    300_000,
  );
});
