import { describe, expect, it } from 'vitest';
import { endsLine, type LogEntry } from '../../../../src/codec/log-entry.js';
import { Redactor } from '../../../../src/router/transforms/redactor.js';
import { STORE_REDACT_HOLD_BYTES, StoreRedactor } from '../../../../src/router/transforms/store-redactor.js';

const CHUNK = 16 * 1024;
const ID = 'a'.repeat(64);

function entry(source: string, line: string | Buffer, partial?: { ordinal: number; last: boolean }, nsec = 0): LogEntry {
  return { source, sec: 1, nsec, line: Buffer.from(line), partial: partial !== undefined, meta: partial === undefined ? undefined : { ...partial, id: ID } };
}

function store(pattern = String.raw`token=\S+`): { r: StoreRedactor; stored: LogEntry[] } {
  const stored: LogEntry[] = [];
  const r = new StoreRedactor(new Redactor([{ option: 'redact', pattern }], '[REDACTED]'), (e) => stored.push({ ...e, line: Buffer.from(e.line) }));
  return { r, stored };
}

/** The store's lines as `docker logs` joins them: chunks until one that ends the line. */
function lines(stored: LogEntry[]): string[] {
  const out: string[] = [];
  let open = '';
  for (const e of stored) {
    open += e.line.toString();
    if (endsLine(e)) {
      out.push(open);
      open = '';
    }
  }
  return open === '' ? out : [...out, open];
}

describe('StoreRedactor (redact-store=true)', () => {
  it('masks whole lines and stores the others as they came', () => {
    const { r, stored } = store();
    const plain = entry('stdout', 'hello');
    r.push(plain);
    r.push(entry('stdout', 'login token=abc ok'));
    expect(stored.map((e) => e.line.toString())).toEqual(['hello', 'login [REDACTED] ok']);
    expect(r.redacted).toBe(1);
  });

  it('masks a secret cut by the 16 KiB chunk boundary and stores the chunks cut where dockerd cut them', () => {
    const { r, stored } = store();
    const line = Buffer.from('x'.repeat(CHUNK - 8) + 'token=0123456789abcdef' + ' y'.repeat(CHUNK / 2) + ' end');
    const parts = [line.subarray(0, CHUNK), line.subarray(CHUNK, 2 * CHUNK), line.subarray(2 * CHUNK)];
    r.push(entry('stdout', parts[0]!, { ordinal: 1, last: false }));
    r.push(entry('stderr', 'meanwhile token=zz'));
    r.push(entry('stdout', parts[1]!, { ordinal: 2, last: false }));
    expect(stored).toHaveLength(1); // the long line is held until its last chunk
    r.push(entry('stdout', parts[2]!, { ordinal: 3, last: true }));
    const masked = 'x'.repeat(CHUNK - 8) + '[REDACTED]' + ' y'.repeat(CHUNK / 2) + ' end';
    expect(lines(stored)).toEqual(['meanwhile [REDACTED]', masked]);
    expect(stored.slice(1).map((e) => [e.line.length, e.partial, e.meta?.ordinal, e.meta?.last])).toEqual([
      [CHUNK, true, 1, false],
      [CHUNK, true, 2, false],
      [Buffer.byteLength(masked) - 2 * CHUNK, true, 3, true],
    ]);
    expect(stored.map((e) => e.line.toString()).join('')).not.toContain('0123');
    expect(r.redacted).toBe(2);
  });

  it('stores held chunks unchanged when nothing matched', () => {
    const { r, stored } = store();
    r.push(entry('stdout', 'a'.repeat(CHUNK), { ordinal: 1, last: false }));
    r.push(entry('stdout', 'bc', { ordinal: 2, last: true }));
    expect(stored.map((e) => e.line.length)).toEqual([CHUNK, 2]);
    expect(r.redacted).toBe(0);
  });

  it('stores what is held when the FIFO ends before the last chunk', () => {
    const { r, stored } = store();
    r.push(entry('stdout', 'token=never-finished', { ordinal: 1, last: false }));
    expect(stored).toEqual([]);
    r.end();
    expect(stored.map((e) => [e.line.toString(), endsLine(e)])).toEqual([['[REDACTED]', false]]);
  });

  it(`holds at most ${STORE_REDACT_HOLD_BYTES} bytes of one line`, () => {
    const { r, stored } = store();
    const n = STORE_REDACT_HOLD_BYTES / CHUNK;
    for (let i = 1; i <= n; i++) r.push(entry('stdout', 'z'.repeat(CHUNK), { ordinal: i, last: false }));
    expect(stored).toHaveLength(n);
  });
});
