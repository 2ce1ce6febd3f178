import { describe, expect, it } from 'vitest';
import { merge } from '../../../src/cli/merge.js';
import { filterBatches, queryFilter } from '../../../src/protocol/logs-query.js';
import { type Item, joinPartials, LIVE } from '../../../src/cli/sources.js';
import { fromLog, logBytes, type StoredEntry } from '../../../src/store/stored-entry.js';

const e = (t: number, log: string, stream = 'stdout'): StoredEntry => fromLog(Buffer.from(log), stream, 1000 + Math.floor(t), Math.round((t % 1) * 1e9));

async function* items(...list: (Item | Promise<void>)[]): AsyncGenerator<Item> {
  for (const i of list) {
    if (i instanceof Promise) await i;
    else yield i;
  }
}

async function collect(sources: AsyncIterable<Item>[]): Promise<string[]> {
  const out: string[] = [];
  for await (const run of merge(sources)) for (const x of run.entries) out.push(`${run.source}:${logBytes(x).toString().trim()}`);
  return out;
}

describe('merge', () => {
  it('merges histories in time order across batches; ties keep the source order', async () => {
    const a = items([e(1, 'a1'), e(3, 'a3')], [e(5, 'a5')], [e(5, 'a5b')]);
    const b = items([e(0, 'b0'), e(3, 'b3')], [e(4, 'b4'), e(6, 'b6')]);
    const c = items();
    expect(await collect([a, b, c])).toEqual(['1:b0', '0:a1', '0:a3', '1:b3', '1:b4', '0:a5', '0:a5b', '1:b6']);
  });

  it('after every history (LIVE), passes new entries on as they arrive', async () => {
    let releaseA!: () => void;
    let releaseB!: () => void;
    const gateA = new Promise<void>((r) => (releaseA = r));
    const gateB = new Promise<void>((r) => (releaseB = r));
    const a = items([e(1, 'a1')], LIVE, gateA, [e(9, 'a-live')]);
    const b = items([e(2, 'b2')], LIVE, gateB, [e(8, 'b-live')]);
    const seen: string[] = [];
    const done = (async () => {
      for await (const run of merge([a, b])) for (const x of run.entries) seen.push(logBytes(x).toString());
    })();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['a1', 'b2']);
    releaseA();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['a1', 'b2', 'a-live']); // arrival order, not time order, once live
    releaseB();
    await done;
    expect(seen).toEqual(['a1', 'b2', 'a-live', 'b-live']);
  });

  it('passes a single source through', async () => {
    expect(await collect([items([e(2, 'x'), e(1, 'y')], LIVE, [e(0, 'z')])])).toEqual(['0:x', '0:y', '0:z']);
  });
});

describe('joinPartials', () => {
  it('joins chunks of a long line per stream, with the first chunk time', async () => {
    const out: StoredEntry[] = [];
    for await (const i of joinPartials(items([e(1, 'aa'), e(1.5, 'err\n', 'stderr'), e(2, 'bb')], [e(3, 'cc\n'), e(4, 'tail')]))) if (i !== LIVE) out.push(...i);
    expect(out.map((x) => [logBytes(x).toString(), x.sec, x.source])).toEqual([['err\n', 1001, 'stderr'], ['aabbcc\n', 1001, 'stdout'], ['tail', 1004, 'stdout']]);
  });
});

describe('filterBatches', () => {
  const batches = () => items([e(1, 'GET /a\n'), e(2, 'oops\n', 'stderr')], [e(3, 'GET /b\n'), e(4, 'POST /c\n'), e(5, 'GET /d\n')]) as AsyncIterable<StoredEntry[]>;
  const run = async (q: Parameters<typeof queryFilter>[0], tail: number) => {
    const filter = queryFilter(q)!;
    const out: string[] = [];
    for await (const b of filterBatches(batches(), filter, tail)) out.push(...b.map((x) => logBytes(x).toString().trim()));
    return out;
  };
  it('keeps matching lines; with a tail, the last N matches', async () => {
    expect(await run({ grep: '^GET' }, -1)).toEqual(['GET /a', 'GET /b', 'GET /d']);
    expect(await run({ grep: '^GET' }, 2)).toEqual(['GET /b', 'GET /d']);
    expect(await run({ grep: '^GET' }, 0)).toEqual([]);
    expect(await run({ stream: 'stderr' }, 5)).toEqual(['oops']);
    expect(await run({ stream: 'stdout', grep: 'c$' }, -1)).toEqual(['POST /c']);
  });
  it('has no filter without --stream or --grep', () => {
    expect(queryFilter({})).toBeUndefined();
  });
  // The daemon matches on its own thread: a pattern that backtracks exponentially in a
  // JS RegExp (about 2^40 steps here) must be linear, or this test hangs.
  it('matches a pattern a backtracking engine cannot finish, in linear time', async () => {
    const filter = queryFilter({ grep: '(a+)+$' })!;
    expect(filter([e(1, 'a'.repeat(40) + 'b\n'), e(2, 'aaa\n')]).map((x) => logBytes(x).toString())).toEqual(['aaa\n']);
  });
});
