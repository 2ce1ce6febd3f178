import { describe, expect, it } from 'vitest';
import { type RemovalCheck, RemovalTracker } from '../../../src/daemon/removal-tracker.js';

const id = (c: string): string => c.repeat(64);
const A = id('a');
const B = id('b');
const C = id('c');
const MIN = 60_000;

/** A check where `docker` lists the given IDs; the rest of the input defaults to "nothing". */
function at(now: number, docker: string[] | Error, more: Partial<RemovalCheck> = {}): RemovalCheck {
  return {
    stored: [A, B],
    live: new Set(),
    docker: docker instanceof Error ? docker : new Set(docker),
    delivering: new Set(),
    marked: new Map(),
    now,
    ...more,
  };
}

describe('RemovalTracker', () => {
  it('prunes a container whose directory is missing on two consecutive checks, not after one', () => {
    const t = new RemovalTracker(0);
    expect(t.check(at(0, [A, B])).prune).toEqual([]);
    expect(t.check(at(1, [A])).prune).toEqual([]);
    const second = t.check(at(2, [A]));
    expect(second).toMatchObject({ trusted: true, prune: [B], mark: [] });
  });

  it('starts counting again when the directory comes back between two misses', () => {
    const t = new RemovalTracker(0);
    t.check(at(0, [A, B]));
    t.check(at(1, [A]));
    t.check(at(2, [A, B]));
    expect(t.check(at(3, [A])).prune).toEqual([]);
    expect(t.check(at(4, [A])).prune).toEqual([B]);
  });

  it('never prunes a container that logs now, listed or not', () => {
    const t = new RemovalTracker(0);
    const live = new Set([B]);
    for (let i = 0; i < 4; i++) expect(t.check(at(i, [A], { live, stored: [A, B] })).prune).toEqual([]);
  });

  it('turns pruning off while the directory is unreadable, and a miss before it does not count after', () => {
    const t = new RemovalTracker(0);
    t.check(at(0, [A, B]));
    t.check(at(1, [A]));
    const off = t.check(at(2, new Error('EACCES')));
    expect(off).toMatchObject({ trusted: false, reason: 'unreadable', prune: [] });
    // Readable again: the directory must be verified again, and B missing twice again.
    expect(t.check(at(3, [A])).prune).toEqual([]);
    expect(t.check(at(4, [A])).prune).toEqual([B]);
  });

  it('distrusts a directory that lists none of the containers logging now (a wrong data-root)', () => {
    const t = new RemovalTracker(0);
    const live = new Set([C]);
    for (let i = 0; i < 3; i++) {
      expect(t.check(at(i, [], { live, stored: [A, B, C] }))).toMatchObject({ trusted: false, reason: 'no-live-container-listed', prune: [] });
    }
    // Even after it was trusted once.
    t.check(at(3, [A, B, C], { live, stored: [A, B, C] }));
    expect(t.check(at(4, [A], { live, stored: [A, B, C] })).trusted).toBe(false);
    expect(t.check(at(5, [A], { live, stored: [A, B, C] })).prune).toEqual([]);
  });

  it('prunes nothing until the directory has shown one stored or logging container (an empty directory proves nothing)', () => {
    const t = new RemovalTracker(0);
    for (let i = 0; i < 3; i++) expect(t.check(at(i, []))).toMatchObject({ trusted: false, reason: 'unverified', prune: [] });
    // A container that logs now and is listed verifies it; A and B were missing all along.
    expect(t.check(at(3, [C], { live: new Set([C]) })).prune).toEqual([A, B]);
  });

  it('is verified by a container that started with its directory there, though it was removed before any check', () => {
    const t = new RemovalTracker(0);
    t.started(true);
    t.check(at(0, [], { stored: [A] }));
    expect(t.check(at(1, [], { stored: [A] }))).toMatchObject({ trusted: true, prune: [A] });
  });

  it('is refuted by a container that started without its directory there, even if it is gone by the check', () => {
    const t = new RemovalTracker(0);
    t.check(at(0, [A, B]));
    t.check(at(1, [A]));
    t.started(false);
    expect(t.check(at(2, [A]))).toMatchObject({ trusted: false, reason: 'no-live-container-listed', prune: [] });
    // Nothing carried over: verified again by A, then B missing twice more.
    expect(t.check(at(3, [A])).prune).toEqual([]);
    expect(t.check(at(4, [A])).prune).toEqual([B]);
  });

  it('once verified, prunes the last stored container when no container is left to check against', () => {
    const t = new RemovalTracker(0);
    t.check(at(0, [A], { stored: [A] }));
    t.check(at(1, [], { stored: [A] }));
    expect(t.check(at(2, [], { stored: [A] })).prune).toEqual([A]);
  });

  it('keeps a removed container for the retention, counted from the first miss, and marks it', () => {
    const t = new RemovalTracker(10 * MIN);
    t.check(at(0, [A, B]));
    t.check(at(1 * MIN, [A]));
    const found = t.check(at(2 * MIN, [A]));
    expect(found).toMatchObject({ prune: [], kept: [B], mark: [{ id: B, since: 1 * MIN }] });
    const marked = new Map([[B, 1 * MIN]]);
    expect(t.check(at(10 * MIN, [A], { marked }))).toMatchObject({ prune: [], kept: [B], mark: [] });
    expect(t.check(at(11 * MIN, [A], { marked })).prune).toEqual([B]);
  });

  it('after a restart, a marked container is pruned once the retention since its mark is over; a marked one present again is unmarked', () => {
    const t = new RemovalTracker(10 * MIN);
    const marked = new Map([
      [A, 0],
      [B, 0],
    ]);
    const d = t.check(at(30 * MIN, [A, C], { marked, stored: [A, B] }));
    expect(d).toMatchObject({ prune: [B], unmark: [A] });
  });

  it('keeps a removed container while its sinks still receive its backlog', () => {
    const t = new RemovalTracker(0);
    t.check(at(0, [A, B]));
    t.check(at(1, [A], { delivering: new Set([B]) }));
    expect(t.check(at(2, [A], { delivering: new Set([B]) }))).toMatchObject({ prune: [], kept: [B] });
    expect(t.check(at(3, [A])).prune).toEqual([B]);
  });
});
