import { describe, expect, it } from 'vitest';
import { PartialAssembler } from '../../../../src/router/partial-assembler.js';
import { ReadyQueue } from '../../../../src/router/ready-queue.js';
import { parseTransformOptions } from '../../../../src/router/transforms/transform-options.js';
import { transformStage } from '../../../../src/router/transforms/transform-stage.js';
import { fromLog, type StoredEntry } from '../../../../src/store/stored-entry.js';
import { JAVA_TRACE, PYTHON_TRACE } from '../../../helpers/traces.js';
import { joined, stage, T0 } from './multiline-helpers.js';

describe('multiline limits', () => {
  it('cuts an event at multiline-max-lines; the trace goes on in the next event', () => {
    const s = stage({ multiline: 'java', 'multiline-max-lines': '4' });
    s.push(JAVA_TRACE);
    s.ml.end();
    expect(s.texts()).toEqual([joined(JAVA_TRACE.slice(0, 4)), joined(JAVA_TRACE.slice(4, 8)), JAVA_TRACE[8]]);
    expect(s.stats).toEqual({ multilineEvents: 2, multilineLines: 8 });
  });

  it('cuts before the line that would take the event past multiline-max-bytes ("\\n"s counted); a longer line alone passes whole', () => {
    const s = stage({ multiline: 'java', 'multiline-max-bytes': '20' });
    // 'E' + '\n' + 9 + '\n' + 9 = 21 bytes: the third line starts the next event.
    s.push(['E', `\t${'a'.repeat(8)}`, `\t${'b'.repeat(8)}`, `\t${'c'.repeat(30)}`, '\td']);
    s.ml.end();
    expect(s.texts()).toEqual([`E\n\t${'a'.repeat(8)}`, `\t${'b'.repeat(8)}`, `\t${'c'.repeat(30)}`, '\td']);
    expect(s.texts()[0]).toHaveLength(11);
  });

  it('keeps the checkpoint before the first piece of a cut trace until its last piece is handed on', () => {
    const s = stage({ multiline: 'java', 'multiline-max-lines': '3' });
    s.push(['before', ...JAVA_TRACE, 'after']);
    s.ml.end();
    // 'before' is line 1 (offset 1); the trace is lines 2-10.
    expect(s.out.got.map((o) => [o.text.split('\n').length, o.offset])).toEqual([
      [1, 1],
      [3, 1],
      [3, 1],
      [3, 10],
      [1, 11],
    ]);
  });
});

describe('multiline flush', () => {
  it('ends an event when the next line of its stream was captured more than multiline-flush after its last', () => {
    const s = stage({ multiline: 'java', 'multiline-flush': '500ms' });
    s.push(JAVA_TRACE.slice(0, 3), { gapMs: 500 });
    s.push(JAVA_TRACE.slice(3), { gapMs: 501 });
    s.ml.end();
    expect(s.texts()).toEqual([joined(JAVA_TRACE.slice(0, 3)), ...JAVA_TRACE.slice(3)]);
  });

  it('ends an event when a line of the other stream was captured more than multiline-flush after its last', () => {
    const s = stage({ multiline: 'python' });
    s.push(PYTHON_TRACE.slice(0, 3), { source: 'stderr' });
    s.push(['out 1'], { gapMs: 1000 });
    expect(s.texts()).toEqual(['out 1']);
    s.push(['out 2'], { gapMs: 1 });
    expect(s.out.got.map((o) => [o.source, o.text])).toEqual([
      ['stdout', 'out 1'],
      ['stderr', joined(PYTHON_TRACE.slice(0, 3))],
      ['stdout', 'out 2'],
    ]);
  });

  it('asks the delivery for an idle wait of multiline-flush only while an event is open, and is flushed by one that long', () => {
    const s = stage({ multiline: 'python', 'multiline-flush': '2s' });
    s.push(['plain']);
    expect(s.ml.idleMs()).toBe(0);
    s.push(PYTHON_TRACE.slice(0, 2));
    expect(s.ml.idleMs()).toBe(2000);
    // A shorter wait downstream (a rate-limit window) comes first, and flushes nothing here.
    s.out.idleFor = 1200;
    expect(s.ml.idleMs()).toBe(1200);
    s.ml.idle(1200);
    expect(s.texts()).toEqual(['plain']);
    s.ml.idle(2000);
    expect(s.texts()).toEqual(['plain', joined(PYTHON_TRACE.slice(0, 2))]);
    expect(s.out.idled).toEqual([1200, 2000]);
    s.out.idleFor = 0;
    expect(s.ml.idleMs()).toBe(0);
  });

  it('hands on what is open when the container stops, stdout and stderr each, then ends downstream', () => {
    const s = stage({ multiline: 'java' });
    s.push(JAVA_TRACE.slice(0, 2), { source: 'stderr' });
    s.push(['out']);
    s.ml.end();
    expect(s.texts().sort()).toEqual([joined(JAVA_TRACE.slice(0, 2)), 'out'].sort());
    expect(s.out.ended).toBe(1);
  });
});

// Through the stage as a delivery builds it: the reassembly, then multiline.
function pipeline(config: Record<string, string>, startOffset = 0) {
  const queue = new ReadyQueue();
  const stats = { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 };
  const start = { file: 'f', offset: startOffset };
  const out = transformStage(parseTransformOptions(config), queue, stats, start);
  const assembler = new PartialAssembler({ reassemble: true, maxBytes: 1 << 20, onCut: () => undefined }, start);
  const handed: { text: string; source: string; checkpoint: number }[] = [];
  const drain = () => {
    for (let b = queue.take(1, Infinity); b !== undefined; b = queue.take(1, Infinity)) handed.push({ text: b.entries[0]!.line.toString(), source: b.entries[0]!.source, checkpoint: b.checkpoint.offset });
  };
  return {
    handed,
    push(e: Stored) {
      assembler.push(e.entry, 'f', e.end, out);
      drain();
    },
    end() {
      assembler.flush(out);
      drain();
    },
  };
}

interface Stored {
  entry: StoredEntry;
  /** Offset just after it in the store. */
  end: number;
}

/** Stored entries as json-file keeps them: a line over 16 KiB in chunks, each `size` bytes on disk. */
function store(lines: { source: string; text: string }[]): Stored[] {
  const out: Stored[] = [];
  let end = 0;
  let ms = 0;
  for (const { source, text } of lines) {
    const bytes = Buffer.from(`${text}\n`);
    for (let at = 0; at < bytes.length; at += 16384) {
      end += 100;
      ms++;
      out.push({ entry: fromLog(bytes.subarray(at, at + 16384), source, T0 + Math.floor(ms / 1000), (ms % 1000) * 1e6), end });
    }
  }
  return out;
}

describe('multiline after partial reassembly', () => {
  it('joins an exception whose 40 KiB message line dockerd split into three chunks, while stderr lines interleave', () => {
    const message = `java.lang.IllegalArgumentException: ${'x'.repeat(40 * 1024)}`;
    const entries = store([{ source: 'stdout', text: message }]);
    expect(entries).toHaveLength(3);
    const p = pipeline({ multiline: 'java' });
    p.push(entries[0]!);
    p.push(store([{ source: 'stderr', text: 'warn 1' }])[0]!);
    p.push(entries[1]!);
    p.push(entries[2]!);
    for (const e of store(JAVA_TRACE.slice(1, 3).map((text) => ({ source: 'stdout', text })))) p.push({ ...e, end: e.end + 300 });
    p.end();
    expect(p.handed.map((h) => [h.source, h.text])).toEqual([
      ['stderr', 'warn 1'],
      ['stdout', joined([message, ...JAVA_TRACE.slice(1, 3)])],
    ]);
  });
});

describe('checkpoints after a crash', () => {
  // A pseudo-random interleaving of stdout and stderr: traces, plain lines, some lines
  // over 16 KiB (chunked in the store), blank lines. After a crash, a delivery resumes at
  // the checkpoint of the last entry acknowledged: from every checkpoint handed on, a
  // fresh pipeline over the rest of the store must send only events that were sent
  // before, whole, and every event handed on after that checkpoint.
  function workload(seed: number): Stored[] {
    let x = seed;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = [JAVA_TRACE, PYTHON_TRACE, ['plain'], [''], [`long ${'y'.repeat(20_000)}`], ['\tindented orphan']];
    // Each stream's chunks in order; the streams interleave chunk by chunk, as dockerd may store them.
    const queues: Record<string, Stored[]> = { stdout: [], stderr: [] };
    for (let i = 0; i < 60; i++) {
      const source = rand() < 0.5 ? 'stdout' : 'stderr';
      const lines = pieces[Math.floor(rand() * pieces.length)]!.map((l, k) => (l === '' || /^\s/.test(l) ? l : `${l} #${i}.${k}`));
      queues[source]!.push(...store(lines.map((text) => ({ source, text }))));
    }
    const out: Stored[] = [];
    let end = 0;
    while (queues.stdout!.length + queues.stderr!.length > 0) {
      const source = queues.stderr!.length === 0 || (queues.stdout!.length > 0 && rand() < 0.5) ? 'stdout' : 'stderr';
      out.push({ entry: queues[source]!.shift()!.entry, end: (end += 100) });
    }
    return out;
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('resume from any checkpoint re-sends whole events only (workload %i)', (seed) => {
    const stored = workload(seed);
    const config = { multiline: 'python,java', 'multiline-max-lines': '7' };
    const first = pipeline(config);
    for (const e of stored) first.push(e);
    first.end();
    const key = (h: { source: string; text: string }) => `${h.source}:${h.text}`;
    expect(first.handed.filter((h) => h.text.includes('\n')).length).toBeGreaterThan(5);
    const checkpoints = [...new Set(first.handed.map((h) => h.checkpoint))];
    expect(checkpoints.length).toBeGreaterThan(10);
    for (const checkpoint of checkpoints) {
      const resumed = pipeline(config, checkpoint);
      for (const e of stored) if (e.end > checkpoint) resumed.push(e);
      resumed.end();
      const sent = new Set(first.handed.map(key));
      for (const h of resumed.handed) expect(sent.has(key(h)), `resumed at ${checkpoint}: ${JSON.stringify(key(h)).slice(0, 80)}`).toBe(true);
      const acked = first.handed.findIndex((h) => h.checkpoint === checkpoint);
      const resent = new Set(resumed.handed.map(key));
      for (const h of first.handed.slice(acked + 1)) expect(resent.has(key(h)), `lost after ${checkpoint}`).toBe(true);
    }
  });
});
