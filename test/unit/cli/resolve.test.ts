import { describe, expect, it } from 'vitest';
import type { Known } from '../../../src/cli/daemons.js';
import { hasLabel, matchRef, ResolveError, selectContainers } from '../../../src/cli/resolve.js';

const c = (id: string, name: string, labels: Record<string, string> = {}, created = '2026-11-28T20:00:00Z'): Known => ({
  id: id.padEnd(64, '0'), name, image: 'bb', created, labels, socket: undefined,
});
const WEB = c('abc1', 'web', { app: 'shop', tier: 'front' });
const DB = c('abd2', 'db', { app: 'shop' });
const OLD_WEB = c('ff01', 'web', {}, '2026-01-01T00:00:00Z');
const ALL = [WEB, DB, OLD_WEB, c('1234', 'abd2')];
const noEngine = async () => undefined;

describe('matchRef (Docker order: full ID, name, unique prefix)', () => {
  it('finds by full ID, by name (with or without /), by unique prefix', () => {
    expect(matchRef(DB.id, ALL)).toEqual({ kind: 'one', container: DB });
    expect(matchRef('/db', ALL)).toEqual({ kind: 'one', container: DB });
    expect(matchRef('abc', ALL)).toEqual({ kind: 'one', container: WEB });
  });

  it('prefers a name over an ID prefix, and the newest container of a reused name', () => {
    expect(matchRef('abd2', ALL)).toMatchObject({ container: { name: 'abd2' } });
    expect(matchRef('web', ALL)).toEqual({ kind: 'one', container: WEB });
  });

  it('reports an ambiguous prefix with its candidates, and no match', () => {
    expect(matchRef('ab', ALL)).toEqual({ kind: 'ambiguous', candidates: [WEB, DB] });
    expect(matchRef('nope', ALL)).toEqual({ kind: 'none' });
    expect(matchRef('', ALL)).toEqual({ kind: 'none' });
  });
});

describe('selectContainers', () => {
  it('keeps the command line order, then label and --all matches by name', async () => {
    expect((await selectContainers({ containers: ['db', 'web'], labels: [], all: false }, ALL, noEngine)).map((k) => k.id)).toEqual([DB.id, WEB.id]);
    expect((await selectContainers({ containers: [], labels: ['app=shop'], all: false }, ALL, noEngine)).map((k) => k.name)).toEqual(['db', 'web']);
    expect((await selectContainers({ containers: [], labels: ['app', 'tier=front'], all: false }, ALL, noEngine)).map((k) => k.name)).toEqual(['web']);
    expect((await selectContainers({ containers: ['web'], labels: [], all: true }, ALL, noEngine)).length).toBe(4);
  });

  it('explains what is wrong', async () => {
    await expect(selectContainers({ containers: ['ab'], labels: [], all: false }, ALL, noEngine)).rejects.toThrow(
      "container ID prefix 'ab' is ambiguous; it matches 2 containers:\n  abc100000000  web\n  abd200000000  db\n",
    );
    await expect(selectContainers({ containers: ['x'], labels: [], all: false }, ALL, noEngine)).rejects.toThrow(
      new ResolveError('no such container: x (tslogs ls lists the containers tslogs stores)'),
    );
    await expect(selectContainers({ containers: [], labels: ['app=none'], all: false }, ALL, noEngine)).rejects.toThrow('no stored container has label app=none');
    await expect(selectContainers({ containers: [], labels: [], all: true }, [], noEngine)).rejects.toThrow('tslogs stores no containers yet');
  });

  it("asks Docker about names it does not know: a renamed container, or one logging elsewhere", async () => {
    const lookup = async (ref: string) =>
      ref === 'renamed' ? { id: WEB.id, name: 'renamed', state: 'running', driver: 'tslogs' } : ref === 'jf' ? { id: 'e'.repeat(64), name: 'jf', state: 'running', driver: 'json-file' } : null;
    expect((await selectContainers({ containers: ['renamed'], labels: [], all: false }, ALL, lookup))[0]).toMatchObject({ id: WEB.id, name: 'renamed' });
    await expect(selectContainers({ containers: ['jf'], labels: [], all: false }, ALL, lookup)).rejects.toThrow(
      "container 'jf' (eeeeeeeeeeee) has no log in tslogs' store (its log driver is json-file); use docker logs",
    );
  });

  it('matches labels by key or key=value', () => {
    expect([hasLabel(WEB, 'app'), hasLabel(WEB, 'app=shop'), hasLabel(WEB, 'app=x'), hasLabel(WEB, 'nope'), hasLabel(c('1', 'x', { e: '' }), 'e=')]).toEqual([true, true, false, false, true]);
  });
});
