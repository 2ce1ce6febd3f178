import { describe, expect, it } from 'vitest';
import { retentionFromEnv } from '../../../src/daemon/retention-settings.js';

describe('retention settings', () => {
  it('defaults: delete at once, dockerd default data-root, a check every 30 s', () => {
    expect(retentionFromEnv({})).toEqual({ retainRemoved: 0, dockerContainers: '/var/lib/docker/containers', pruneInterval: 30_000 });
  });

  it('reads Go durations and forever', () => {
    const s = retentionFromEnv({ TSLOGS_RETAIN_REMOVED: '168h', TSLOGS_PRUNE_INTERVAL: '1s', TSLOGS_DOCKER_CONTAINERS: '/data/docker/containers' });
    expect(s).toEqual({ retainRemoved: 168 * 3_600_000, dockerContainers: '/data/docker/containers', pruneInterval: 1_000 });
    expect(retentionFromEnv({ TSLOGS_RETAIN_REMOVED: 'forever' }).retainRemoved).toBe('forever');
  });

  it.each([
    ['TSLOGS_RETAIN_REMOVED', '7d', /^invalid daemon setting TSLOGS_RETAIN_REMOVED="7d": expected a duration such as 0, 30m or 168h, or forever \(time: unknown unit "d"/],
    ['TSLOGS_RETAIN_REMOVED', '-1h', /^invalid daemon setting TSLOGS_RETAIN_REMOVED="-1h": expected/],
    ['TSLOGS_PRUNE_INTERVAL', '1ms', /^invalid daemon setting TSLOGS_PRUNE_INTERVAL="1ms": expected a duration of at least 100ms/],
  ])('refuses %s=%s, naming the setting', (name, value, message) => {
    expect(() => retentionFromEnv({ [name]: value })).toThrow(message);
  });
});
