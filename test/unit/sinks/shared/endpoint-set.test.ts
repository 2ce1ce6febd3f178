import { describe, expect, it } from 'vitest';
import { EndpointSet } from '../../../../src/sinks/shared/endpoint-set.js';

describe('EndpointSet in failover mode', () => {
  it('uses the first endpoint while it is healthy', () => {
    const set = new EndpointSet(3, 'failover');
    expect([set.choose(), set.choose(), set.choose()]).toEqual([0, 0, 0]);
    expect([set.inUse, set.switches]).toEqual([0, 0]);
  });

  it('moves to the next endpoint when one fails, skips it until it recovers, then returns to the first', () => {
    const set = new EndpointSet(3, 'failover');
    set.markFailed(0);
    expect(set.choose(new Set([0]))).toBe(1);
    expect(set.choose()).toBe(1);
    expect(set.failed()).toEqual([0]);
    expect(set.switches).toBe(1);
    set.markRecovered(0);
    expect(set.choose()).toBe(0);
    expect([set.inUse, set.switches, set.failed()]).toEqual([0, 2, []]);
  });

  it('tries the failed endpoints in order once every one failed, and gives up on a batch that failed on all', () => {
    const set = new EndpointSet(2, 'failover');
    set.markFailed(0);
    set.markFailed(1);
    expect(set.choose()).toBe(0);
    expect(set.choose(new Set([0]))).toBe(1);
    expect(set.choose(new Set([0, 1]))).toBeUndefined();
  });

  it('refuses an empty set', () => {
    expect(() => new EndpointSet(0, 'failover')).toThrow('at least one endpoint');
  });
});

describe('EndpointSet in round-robin mode', () => {
  it('takes the endpoints in turn, and a turn is no switch', () => {
    const set = new EndpointSet(3, 'round-robin');
    expect([set.choose(), set.choose(), set.choose(), set.choose()]).toEqual([1, 2, 0, 1]);
    expect(set.switches).toBe(0);
  });

  it('skips a failed endpoint in its turn and takes it again once recovered', () => {
    const set = new EndpointSet(3, 'round-robin');
    set.markFailed(1);
    expect([set.choose(), set.choose(), set.choose()]).toEqual([2, 0, 2]);
    set.markRecovered(1);
    expect([set.choose(), set.choose()]).toEqual([0, 1]);
  });

  it('counts a step forced by a failure as a switch', () => {
    const set = new EndpointSet(2, 'round-robin');
    expect(set.choose()).toBe(1);
    set.markFailed(1);
    expect(set.choose(new Set([1]))).toBe(0);
    expect(set.switches).toBe(1);
  });
});
