// Receivers killed with SIGKILL and started again while containers log: every sink
// resumes soon after its receiver is back (its probe notices), and the sinks whose
// protocol acknowledges delivery lose nothing. The table printed has, for every
// sink, the lines lost, the duplicates and each recovery time (RELIABILITY.md,
// "Faults"); `npm run faults` runs a longer version.
import { describe, expect, it } from 'vitest';
import { faultTable, runFaults } from '../helpers/fault-run.js';
import { tmpDir } from '../helpers/tmp.js';

/** Liveness only (loaded CI machines): without the probe a recovery waits for the backoff, up to sink-retry-max. */
const RECOVERY_BOUND_MS = 15_000;

describe('receivers killed and restarted', () => {
  it('five kills of every receiver during 20,000 lines (20 s): acknowledged sinks lose nothing, every sink gets lines again after each restart', { timeout: 180_000 }, async () => {
    const results = await runFaults({ dir: tmpDir(), lines: 20_000, linesPerSecond: 1_000, kills: 5, outageMs: 1_000 });
    process.stdout.write(`\n${faultTable(results)}\n`);
    for (const r of results) {
      if (r.acknowledged) expect({ sink: r.name, lost: r.lost.slice(0, 20) }).toEqual({ sink: r.name, lost: [] });
      expect(r.recoveryMs).toHaveLength(5);
      // A restart after the last line was logged may get nothing: a sink that lost nothing has nothing left to send.
      r.recoveryMs.forEach((ms, i) => {
        if (r.whileLogging[i]) expect({ sink: r.name, restart: i + 1, recovered: ms !== undefined && ms < RECOVERY_BOUND_MS }).toEqual({ sink: r.name, restart: i + 1, recovered: true });
      });
    }
  });
});
