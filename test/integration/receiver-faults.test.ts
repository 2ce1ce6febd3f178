// Receivers killed with SIGKILL and started again while containers log: every sink
// resumes soon after its receiver is back (its probe notices), acknowledging sinks
// lose nothing, and syslog and GELF, which cannot know what a dead receiver read,
// leave no gap (they write their last second again). `npm run faults` runs the long
// versions, through the real engine too.
import { describe, expect, it } from 'vitest';
import { faultTable, runFaults } from '../helpers/fault-run.js';
import { tmpDir } from '../helpers/tmp.js';

describe('receivers killed and restarted', () => {
  it('five kills of every receiver during 50,000 lines: nothing lost, duplicates counted, each recovery seen within the liveness bound', { timeout: 180_000 }, async () => {
    const results = await runFaults({ dir: tmpDir(), lines: 50_000, linesPerSecond: 5_000, kills: 5, outageMs: 1_500 });
    process.stdout.write(`\n${faultTable(results)}\n`);
    for (const r of results) {
      expect({ sink: r.name, lost: r.lost.slice(0, 20) }).toEqual({ sink: r.name, lost: [] });
      expect(r.recoveryMs).toHaveLength(5);
      // Generous liveness bound: without the probe, the wait is the backoff (up to sink-retry-max, 30 s).
      for (const ms of r.recoveryMs) expect(ms).toBeLessThan(5_000);
    }
  });
});
