// Several containers' entries as one stream: the histories merged in time order (ties
// keep the command line's order), then, when following, new entries as they arrive.
import type { StoredEntry } from '../store/stored-entry.js';
import { type Item, LIVE } from './sources.js';

/** Consecutive entries of one source. */
export interface Run {
  source: number;
  entries: StoredEntry[];
}

interface State {
  it: AsyncIterator<Item>;
  buf: StoredEntry[];
  pos: number;
  phase: 'history' | 'live' | 'done';
}

const MAX_RUN = 4096;

export async function* merge(sources: readonly AsyncIterable<Item>[]): AsyncGenerator<Run> {
  if (sources.length === 1) {
    for await (const item of sources[0]!) if (item !== LIVE) yield { source: 0, entries: item };
    return;
  }
  const states: State[] = sources.map((s) => ({ it: s[Symbol.asyncIterator](), buf: [], pos: 0, phase: 'history' }));
  try {
    yield* mergeHistory(states);
    yield* interleaveLive(states);
  } finally {
    await Promise.all(states.filter((s) => s.phase !== 'done').map((s) => s.it.return?.(undefined)));
  }
}

/** Fills a history-phase source's buffer: false once its history is over. */
async function fill(s: State): Promise<boolean> {
  while (s.phase === 'history' && s.pos >= s.buf.length) {
    const r = await s.it.next();
    if (r.done) s.phase = 'done';
    else if (r.value === LIVE) s.phase = 'live';
    else {
      s.buf = r.value;
      s.pos = 0;
    }
  }
  return s.phase === 'history';
}

function before(a: StoredEntry, b: StoredEntry): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec < b.nsec);
}

async function* mergeHistory(states: State[]): AsyncGenerator<Run> {
  await Promise.all(states.map(fill));
  let run: Run | undefined;
  for (;;) {
    let best = -1;
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      if (s.phase !== 'history') continue;
      if (best < 0 || before(s.buf[s.pos]!, states[best]!.buf[states[best]!.pos]!)) best = i;
    }
    if (best < 0) break;
    const s = states[best]!;
    if (run === undefined || run.source !== best || run.entries.length >= MAX_RUN) {
      if (run !== undefined) yield run;
      run = { source: best, entries: [] };
    }
    run.entries.push(s.buf[s.pos++]!);
    if (s.pos >= s.buf.length) {
      if (run.entries.length > 0) yield run;
      run = undefined;
      await fill(s);
    }
  }
  if (run !== undefined && run.entries.length > 0) yield run;
}

/** After every history: entries in arrival order. */
async function* interleaveLive(states: State[]): AsyncGenerator<Run> {
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<Item> }>>();
  const pull = (i: number): void => {
    pending.set(i, states[i]!.it.next().then((r) => ({ i, r })));
  };
  states.forEach((s, i) => {
    if (s.phase === 'live') pull(i);
  });
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values());
    pending.delete(i);
    if (r.done) {
      states[i]!.phase = 'done';
      continue;
    }
    if (r.value !== LIVE && r.value.length > 0) yield { source: i, entries: r.value };
    pull(i);
  }
}
