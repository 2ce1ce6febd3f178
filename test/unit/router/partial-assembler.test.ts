import { describe, expect, it } from 'vitest';
import { cutMarker, PartialAssembler } from '../../../src/router/partial-assembler.js';
import { ReadyQueue } from '../../../src/router/ready-queue.js';
import type { SinkEntry } from '../../../src/sinks/sink.js';
import type { FilePosition } from '../../../src/store/log-stream.js';
import { fromLog, type StoredEntry } from '../../../src/store/stored-entry.js';

// json-file keeps Docker's 16 KiB chunks of a long line as separate entries; only
// the last chunk of a group (and every whole line) ends with "\n" (docs/docker-compat.md §2.3, §6.2).

const FILE = 'seg-1';
const T0 = 1795896100;
const HEX64 = /^[0-9a-f]{64}$/;

const at = (offset: number): FilePosition => ({ file: FILE, offset });

function stored(stream: string, log: string | Buffer, sec: number, nsec = 0): StoredEntry {
  return fromLog(typeof log === 'string' ? Buffer.from(log) : log, stream, sec, nsec);
}

const fill = (ch: string, n: number): Buffer => Buffer.alloc(n, ch);
const withNl = (b: Buffer): Buffer => Buffer.concat([b, Buffer.from('\n')]);

interface Options {
  reassemble?: boolean;
  maxBytes?: number;
  start?: FilePosition;
}

/** A queued entry with its checkpoint. */
interface Ready {
  entry: SinkEntry;
  checkpoint: FilePosition;
}

/** What the queue holds, one entry at a time, as a sink sees each (a whole stored entry is passed on as it is, its `newline` too). */
function drain(q: ReadyQueue): Ready[] {
  const out: Ready[] = [];
  for (let b = q.take(1, Infinity); b !== undefined; b = q.take(1, Infinity)) {
    const { line, source, sec, nsec, partial } = b.entries[0]!;
    out.push({ entry: { line, source, sec, nsec, ...(partial !== undefined && { partial }) }, checkpoint: b.checkpoint });
  }
  return out;
}

/** An assembler fed entries whose ends are given explicitly; records every onCut call. */
function harness(options: Options = {}) {
  const cuts: number[] = [];
  const assembler = new PartialAssembler(
    { reassemble: options.reassemble ?? true, maxBytes: options.maxBytes ?? 1024 * 1024, onCut: (n) => cuts.push(n) },
    options.start ?? at(0),
  );
  const queue = new ReadyQueue();
  const out: Ready[] = [];
  return {
    cuts,
    out,
    assembler,
    push(entry: StoredEntry, end: number): Ready[] {
      assembler.push(entry, FILE, end, queue);
      const got = drain(queue);
      out.push(...got);
      return got;
    },
    flush(): Ready[] {
      assembler.flush(queue);
      const got = drain(queue);
      out.push(...got);
      return got;
    },
  };
}

describe('cutMarker', () => {
  it('names the cap', () => {
    expect(cutMarker(2048)).toBe(' [tslogs: line cut at 2048 bytes]');
  });
});

describe('PartialAssembler (reassembly on)', () => {
  it('passes whole lines through with the newline stripped, their own time and end as checkpoint', () => {
    const h = harness();
    expect(h.push(stored('stdout', 'hello\n', T0, 5), 40)).toStrictEqual([
      { entry: { line: Buffer.from('hello'), source: 'stdout', sec: T0, nsec: 5 }, checkpoint: at(40) },
    ]);
    expect(h.push(stored('stderr', 'err\r\n', T0 + 1, 6), 80)).toStrictEqual([
      { entry: { line: Buffer.from('err\r'), source: 'stderr', sec: T0 + 1, nsec: 6 }, checkpoint: at(80) },
    ]);
    // An empty line is a line ("log":"\n").
    expect(h.push(stored('stdout', '\n', T0 + 2, 7), 110)).toStrictEqual([
      { entry: { line: Buffer.alloc(0), source: 'stdout', sec: T0 + 2, nsec: 7 }, checkpoint: at(110) },
    ]);
    expect(h.cuts).toEqual([]);
  });

  it('reassembles a 40000-byte line stored as 16384 + 16384 + 7232 chunks, with the first chunk\'s time', () => {
    const h = harness();
    const [a, b, c] = [fill('a', 16384), fill('b', 16384), fill('c', 7232)];
    expect(h.push(stored('stdout', a, T0, 111), 16500)).toEqual([]);
    expect(h.push(stored('stdout', b, T0 + 1, 222), 33000)).toEqual([]);
    const out = h.push(stored('stdout', withNl(c), T0 + 2, 333), 40400);
    expect(out).toHaveLength(1);
    const [ready] = out;
    expect(ready!.checkpoint).toEqual(at(40400));
    expect(ready!.entry.source).toBe('stdout');
    expect(ready!.entry.sec).toBe(T0);
    expect(ready!.entry.nsec).toBe(111);
    expect(ready!.entry.partial).toBeUndefined();
    expect(ready!.entry.line.length).toBe(40000);
    expect(ready!.entry.line.equals(Buffer.concat([a, b, c]))).toBe(true);
    expect(h.cuts).toEqual([]);
  });

  it('reassembles a line of exactly 32768 bytes whose last chunk is an empty "\\n"', () => {
    const h = harness();
    const [a, b] = [fill('a', 16384), fill('b', 16384)];
    expect(h.push(stored('stdout', a, T0, 1), 100)).toEqual([]);
    expect(h.push(stored('stdout', b, T0, 2), 200)).toEqual([]);
    const out = h.push(stored('stdout', '\n', T0, 3), 300);
    expect(out).toHaveLength(1);
    expect(out[0]!.entry.line.length).toBe(32768);
    expect(out[0]!.entry.line.equals(Buffer.concat([a, b]))).toBe(true);
    expect(out[0]!.entry.nsec).toBe(1);
    expect(out[0]!.checkpoint).toEqual(at(300));
    // The next whole line is not glued onto it.
    expect(h.push(stored('stdout', 'next\n', T0 + 1), 400).map((r) => r.entry.line.toString())).toEqual(['next']);
  });

  it('keeps stdout and stderr groups apart when they interleave', () => {
    const h = harness();
    const emitted: Ready[] = [];
    emitted.push(...h.push(stored('stdout', fill('a', 16384), T0, 1), 100));
    emitted.push(...h.push(stored('stderr', fill('x', 16384), T0, 2), 200));
    emitted.push(...h.push(stored('stdout', fill('b', 16384), T0, 3), 300));
    emitted.push(...h.push(stored('stderr', 'y\n', T0, 4), 400));
    emitted.push(...h.push(stored('stdout', 'c\n', T0, 5), 500));
    expect(emitted.map((r) => [r.entry.source, r.entry.line.length, r.entry.nsec])).toEqual([
      ['stderr', 16385, 2],
      ['stdout', 32769, 1],
    ]);
    expect(emitted[0]!.entry.line.equals(Buffer.concat([fill('x', 16384), Buffer.from('y')]))).toBe(true);
    expect(emitted[1]!.entry.line.equals(Buffer.concat([fill('a', 16384), fill('b', 16384), Buffer.from('c')]))).toBe(true);
  });

  describe('checkpoints', () => {
    it('never pass the start of a group still open on the other stream', () => {
      const h = harness({ start: at(10) });
      // stdout group opens: its start is the cursor before its first chunk (10).
      expect(h.push(stored('stdout', fill('a', 16384), T0), 100)).toEqual([]);
      // Whole stderr lines while stdout is open: held back at 10.
      expect(h.push(stored('stderr', 'e1\n', T0), 150).map((r) => r.checkpoint)).toEqual([at(10)]);
      // stderr group opens at 150, inside the stdout group.
      expect(h.push(stored('stderr', fill('x', 16384), T0), 200)).toEqual([]);
      // stdout closes: stderr still holds the checkpoint back, at 10, not at 150: resumed
      // at 150, a delivery would read a-end alone, the end of the stdout line as a line.
      expect(h.push(stored('stdout', 'a-end\n', T0), 300).map((r) => r.checkpoint)).toEqual([at(10)]);
      // A whole stdout line: stderr still open.
      expect(h.push(stored('stdout', 'o1\n', T0), 350).map((r) => r.checkpoint)).toEqual([at(10)]);
      // stderr closes: nothing open, the entry's own end.
      expect(h.push(stored('stderr', 'x-end\n', T0), 400).map((r) => r.checkpoint)).toEqual([at(400)]);
      expect(h.push(stored('stdout', 'o2\n', T0), 450).map((r) => r.checkpoint)).toEqual([at(450)]);
    });

    it('are held by the earliest-opened group when both streams reopen', () => {
      const h = harness();
      h.push(stored('stdout', fill('a', 16384), T0), 100); // stdout opens at 0
      h.push(stored('stderr', fill('x', 16384), T0), 200); // stderr opens at 100, inside stdout's: held at 0
      expect(h.push(stored('stdout', '\n', T0), 300).map((r) => r.checkpoint)).toEqual([at(0)]);
      h.push(stored('stdout', fill('b', 16384), T0), 400); // stdout reopens at 300, inside stderr's: held at 0
      // stderr is now the earliest open group.
      expect(h.push(stored('stderr', '\n', T0), 500).map((r) => r.checkpoint)).toEqual([at(0)]);
      expect(h.push(stored('stdout', '\n', T0), 600).map((r) => r.checkpoint)).toEqual([at(600)]);
    });

    it('stop at a group that opened after the other closed', () => {
      const h = harness();
      h.push(stored('stdout', fill('a', 16384), T0), 100); // stdout opens at 0
      expect(h.push(stored('stdout', '\n', T0), 200).map((r) => r.checkpoint)).toEqual([at(200)]);
      h.push(stored('stderr', fill('x', 16384), T0), 300); // stderr opens at 200, nothing else open
      expect(h.push(stored('stdout', 'o\n', T0), 400).map((r) => r.checkpoint)).toEqual([at(200)]);
    });

    it('hold the invariant over a long pseudo-random interleaving, and never go backwards', () => {
      let seed = 12345;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const h = harness();
      const open = new Map<string, number>(); // stream -> where its open group holds the checkpoint
      let end = 0;
      let last = -1;
      let emittedCount = 0;
      for (let i = 0; i < 2000; i++) {
        const stream = rand() < 0.5 ? 'stdout' : 'stderr';
        const partial = rand() < 0.4;
        const before = end;
        end += 10 + Math.floor(rand() * 50);
        const out = h.push(stored(stream, partial ? fill('p', 16384) : 'w\n', T0), end);
        if (partial) {
          // A group opened inside the other stream's holds where that one does.
          if (!open.has(stream)) open.set(stream, open.size > 0 ? Math.min(...open.values()) : before);
          expect(out).toEqual([]);
          continue;
        }
        open.delete(stream);
        expect(out).toHaveLength(1);
        emittedCount++;
        const offset = out[0]!.checkpoint.offset;
        const expected = open.size === 0 ? end : Math.min(...open.values());
        expect(offset).toBe(expected);
        expect(offset).toBeGreaterThanOrEqual(last);
        last = offset;
      }
      expect(emittedCount).toBeGreaterThan(500);
    });
  });

  describe('cap (maxBytes)', () => {
    it('cuts the line, appends the marker and reports the dropped bytes', () => {
      const h = harness({ maxBytes: 20000 });
      const [a, b, c] = [fill('a', 16384), fill('b', 16384), fill('c', 7232)];
      h.push(stored('stdout', a, T0), 100);
      h.push(stored('stdout', b, T0), 200);
      const out = h.push(stored('stdout', withNl(c), T0), 300);
      expect(out).toHaveLength(1);
      const expected = Buffer.concat([a, fill('b', 20000 - 16384), Buffer.from(' [tslogs: line cut at 20000 bytes]')]);
      expect(out[0]!.entry.line.length).toBe(20000 + 34);
      expect(out[0]!.entry.line.equals(expected)).toBe(true);
      expect(h.cuts).toEqual([20000]);
    });

    it('drops whole chunks once the cap is reached exactly at a chunk boundary', () => {
      const h = harness({ maxBytes: 16384 });
      h.push(stored('stdout', fill('a', 16384), T0), 100);
      h.push(stored('stdout', fill('b', 16384), T0), 200);
      const out = h.push(stored('stdout', withNl(fill('c', 7232)), T0), 300);
      expect(out[0]!.entry.line.toString()).toBe('a'.repeat(16384) + cutMarker(16384));
      expect(h.cuts).toEqual([16384 + 7232]);
    });

    it('does not cut a line of exactly maxBytes', () => {
      const h = harness({ maxBytes: 32768 });
      h.push(stored('stdout', fill('a', 16384), T0), 100);
      h.push(stored('stdout', fill('b', 16384), T0), 200);
      const out = h.push(stored('stdout', '\n', T0), 300);
      expect(out[0]!.entry.line.length).toBe(32768);
      expect(out[0]!.entry.line.includes('[tslogs:')).toBe(false);
      expect(h.cuts).toEqual([]);
    });

    it('counts each cut line separately and starts the next group uncut', () => {
      const h = harness({ maxBytes: 100 });
      h.push(stored('stdout', fill('a', 16384), T0), 100);
      expect(h.push(stored('stdout', 'tail\n', T0), 200)[0]!.entry.line.toString()).toBe('a'.repeat(100) + cutMarker(100));
      h.push(stored('stdout', fill('b', 50), T0), 300);
      expect(h.push(stored('stdout', 'c\n', T0), 400)[0]!.entry.line.toString()).toBe('b'.repeat(50) + 'c');
      expect(h.cuts).toEqual([16384 + 4 - 100]);
    });
  });

  describe('flush', () => {
    it('emits an unterminated final line (container stopped) with its first chunk\'s time', () => {
      const h = harness();
      h.push(stored('stdout', 'whole\n', T0), 50);
      expect(h.push(stored('stdout', 'no-newline', T0 + 1, 9), 80)).toEqual([]);
      expect(h.flush()).toStrictEqual([
        { entry: { line: Buffer.from('no-newline'), source: 'stdout', sec: T0 + 1, nsec: 9 }, checkpoint: at(80) },
      ]);
      // Nothing left afterwards.
      expect(h.flush()).toEqual([]);
    });

    it('joins the chunks of a long unterminated line and applies the cap', () => {
      const h = harness({ maxBytes: 20000 });
      h.push(stored('stderr', fill('a', 16384), T0, 1), 100);
      h.push(stored('stderr', fill('b', 16384), T0, 2), 200);
      const out = h.flush();
      expect(out).toHaveLength(1);
      expect(out[0]!.entry.source).toBe('stderr');
      expect(out[0]!.entry.nsec).toBe(1);
      expect(out[0]!.entry.line.toString()).toBe('a'.repeat(16384) + 'b'.repeat(20000 - 16384) + cutMarker(20000));
      expect(out[0]!.checkpoint).toEqual(at(200));
      expect(h.cuts).toEqual([32768 - 20000]);
    });

    it('emits nothing when no line is open', () => {
      const h = harness();
      h.push(stored('stdout', 'x\n', T0), 10);
      expect(h.flush()).toEqual([]);
    });

    it('with both streams open, an earlier flushed entry does not checkpoint past the later one', () => {
      const h = harness();
      h.push(stored('stdout', 'out-tail', T0), 100); // stdout group opens at 0
      h.push(stored('stderr', 'err-tail', T0), 200); // stderr group opens at 100
      const out = h.flush();
      expect(out.map((r) => r.entry.line.toString())).toEqual(['out-tail', 'err-tail']);
      // If the sink acknowledges only the first (a batch boundary, or stop() between
      // batches), the saved checkpoint must not skip the unsent stderr line (it stays at 0:
      // stderr's group opened inside stdout's, which was to go on past it).
      expect(out.map((r) => r.checkpoint)).toEqual([at(0), at(200)]);
    });
  });
});

describe('PartialAssembler (reassembly off)', () => {
  it('emits each chunk with ordinals, last on the final chunk, one id per group and the group\'s first time', () => {
    const h = harness({ reassemble: false });
    const [a, b, c] = [fill('a', 16384), fill('b', 16384), fill('c', 7232)];
    const out = [
      ...h.push(stored('stdout', a, T0, 1), 100),
      ...h.push(stored('stdout', b, T0 + 1, 2), 200),
      ...h.push(stored('stdout', withNl(c), T0 + 2, 3), 300),
    ];
    expect(out).toHaveLength(3);
    const id = out[0]!.entry.partial!.id;
    expect(id).toMatch(HEX64);
    expect(out.map((r) => r.entry.partial)).toEqual([
      { ordinal: 1, last: false, id },
      { ordinal: 2, last: false, id },
      { ordinal: 3, last: true, id },
    ]);
    expect(out.map((r) => [r.entry.sec, r.entry.nsec, r.entry.source])).toEqual([
      [T0, 1, 'stdout'],
      [T0, 1, 'stdout'],
      [T0, 1, 'stdout'],
    ]);
    expect(out.map((r) => r.entry.line.length)).toEqual([16384, 16384, 7232]);
    expect(out[0]!.entry.line.equals(a)).toBe(true);
    expect(out[2]!.entry.line.equals(c)).toBe(true);
    // Every chunk is sent on its own, so each is safe up to its own end.
    expect(out.map((r) => r.checkpoint)).toEqual([at(100), at(200), at(300)]);
  });

  it('gives the next group a new id and restarts the ordinals; whole lines carry no partial', () => {
    const h = harness({ reassemble: false });
    const first = [...h.push(stored('stdout', fill('a', 16384), T0), 100), ...h.push(stored('stdout', '\n', T0), 200)];
    const whole = h.push(stored('stdout', 'plain\n', T0 + 1, 4), 300);
    const second = [...h.push(stored('stdout', fill('b', 16384), T0 + 2, 5), 400), ...h.push(stored('stdout', 'end\n', T0 + 3), 500)];
    expect(first.map((r) => r.entry.line.length)).toEqual([16384, 0]);
    expect(whole).toStrictEqual([{ entry: { line: Buffer.from('plain'), source: 'stdout', sec: T0 + 1, nsec: 4 }, checkpoint: at(300) }]);
    const id1 = first[0]!.entry.partial!.id;
    const id2 = second[0]!.entry.partial!.id;
    expect(id2).toMatch(HEX64);
    expect(id2).not.toBe(id1);
    expect(second.map((r) => r.entry.partial)).toEqual([
      { ordinal: 1, last: false, id: id2 },
      { ordinal: 2, last: true, id: id2 },
    ]);
    expect(second.map((r) => [r.entry.sec, r.entry.nsec])).toEqual([
      [T0 + 2, 5],
      [T0 + 2, 5],
    ]);
  });

  it('keeps separate groups per stream', () => {
    const h = harness({ reassemble: false });
    const out = [
      ...h.push(stored('stdout', fill('a', 16384), T0, 1), 100),
      ...h.push(stored('stderr', fill('x', 16384), T0, 2), 200),
      ...h.push(stored('stderr', 'y\n', T0, 3), 300),
      ...h.push(stored('stdout', 'b\n', T0, 4), 400),
    ];
    const [o1, e1, e2, o2] = out;
    expect(o1!.entry.partial!.id).not.toBe(e1!.entry.partial!.id);
    expect([o1, o2].map((r) => [r!.entry.source, r!.entry.partial, r!.entry.nsec])).toEqual([
      ['stdout', { ordinal: 1, last: false, id: o1!.entry.partial!.id }, 1],
      ['stdout', { ordinal: 2, last: true, id: o1!.entry.partial!.id }, 1],
    ]);
    expect([e1, e2].map((r) => [r!.entry.source, r!.entry.partial, r!.entry.nsec])).toEqual([
      ['stderr', { ordinal: 1, last: false, id: e1!.entry.partial!.id }, 2],
      ['stderr', { ordinal: 2, last: true, id: e1!.entry.partial!.id }, 2],
    ]);
    expect(out.map((r) => r.checkpoint.offset)).toEqual([100, 200, 300, 400]);
  });

  it('does not apply the cap', () => {
    const h = harness({ reassemble: false, maxBytes: 10 });
    const out = [...h.push(stored('stdout', fill('a', 16384), T0), 100), ...h.push(stored('stdout', 'bb\n', T0), 200)];
    expect(out.map((r) => r.entry.line.length)).toEqual([16384, 2]);
    expect(h.cuts).toEqual([]);
  });

  it('flush emits nothing: every chunk was already sent', () => {
    const h = harness({ reassemble: false });
    const out = h.push(stored('stdout', 'no-newline', T0), 100);
    expect(out.map((r) => r.entry.partial?.ordinal)).toEqual([1]);
    expect(out[0]!.entry.partial!.last).toBe(false);
    expect(h.flush()).toEqual([]);
  });
});
