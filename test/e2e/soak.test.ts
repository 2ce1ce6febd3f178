// The soak (test/soak/run-soak.ts) scaled down for the suite: 2 minutes, 10 containers,
// the sink flapping every 20 s. `npm run soak` runs the 30-minute, 50-container version.
import { expect, it } from 'vitest';
import { runSoak } from '../soak/run-soak.js';

it('soak: 10 containers for 2 minutes lose nothing, every follower ends, RSS and fds stay flat', { timeout: 600_000 }, async () => {
  const result = await runSoak({ minutes: 2, containers: 10, progress: () => undefined });
  expect(result.failures).toEqual([]);
  expect(result.store.lines).toBeGreaterThan(1000);
  expect(result.sink.outages).toBeGreaterThanOrEqual(5);
  expect(result.followers.started).toBeGreaterThan(0);
  expect(result.restarts).toBeGreaterThan(0);
});
