import { describe, expect, it } from 'vitest';
import { PartialAssembler } from '../../../../src/router/partial-assembler.js';
import { ReadyQueue } from '../../../../src/router/ready-queue.js';
import { Redactor } from '../../../../src/router/transforms/redactor.js';
import { transformStage } from '../../../../src/router/transforms/transform-stage.js';
import { parseTransformOptions } from '../../../../src/router/transforms/transform-options.js';
import { fromLog } from '../../../../src/store/stored-entry.js';

const TOKEN = String.raw`token=\S+`;
const EMAIL = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`;
const CARD = String.raw`\b(?:\d{4}[ -]?){3}\d{4}\b`;
const START = { file: 'f', offset: 0 };

const redactor = (patterns: string[], replacement = '[REDACTED]') =>
  new Redactor(patterns.map((pattern, i) => ({ option: i === 0 ? 'redact' : `redact-${i}`, pattern })), replacement);
const redact = (r: Redactor, line: string | Buffer) => r.redact(typeof line === 'string' ? Buffer.from(line) : line)?.toString();

describe('Redactor', () => {
  const r = redactor([TOKEN, EMAIL, CARD]);

  it.each([
    ['login ok token=eyJhbGciOi.x-y_z user=7', 'login ok [REDACTED] user=7'],
    ['mail from alice.smith+ops@example.co.uk to bob@test.io', 'mail from [REDACTED] to [REDACTED]'],
    ['paid with 4111 1111 1111 1111, ref 4000-0566-5566-5556 and 5555555555554444', 'paid with [REDACTED], ref [REDACTED] and [REDACTED]'],
    ['token=a token=b', '[REDACTED] [REDACTED]'],
  ])('masks %j', (line, masked) => {
    expect(redact(r, line)).toBe(masked);
  });

  it('leaves lines without a match alone (undefined: the same bytes go on)', () => {
    expect(r.redact(Buffer.from('GET /health 200 12ms'))).toBeUndefined();
    expect(r.redact(Buffer.from('order 1234 5678 shipped'))).toBeUndefined();
  });

  it('applies the rules in order, each on what the one before left', () => {
    // The second rule matches only the first one's replacement next to a 'b'.
    expect(redact(redactor(['a+', String.raw`\]b`], '[R]'), 'aab')).toBe('[R[R]');
    expect(redact(redactor([String.raw`\]b`, 'a+'], '[R]'), 'aab')).toBe('[R]b');
  });

  it('masks with the literal redact-replacement ($ is not a group reference)', () => {
    expect(redact(redactor([String.raw`(pw)=\w+`], '$1***'), 'pw=hunter2 ok')).toBe('$1*** ok');
    expect(redact(redactor([TOKEN], ''), 'a token=x b')).toBe('a  b');
  });

  it('keeps the bytes around a match as they were, invalid UTF-8 included', () => {
    const line = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' é token=s3cr3t '), Buffer.from([0xc3])]);
    expect(r.redact(line)).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(' é [REDACTED] '), Buffer.from([0xc3])]));
  });

  it('masks nothing for an empty match', () => {
    expect(redact(redactor(['x*']), 'abc')).toBeUndefined();
    expect(redact(redactor(['x*']), 'axxb')).toBe('a[REDACTED]b');
  });

  it('tests rules that share a group name one by one', () => {
    const shared = redactor([String.raw`(?P<v>token=\S+)`, String.raw`(?P<v>pw=\S+)`]);
    expect(redact(shared, 'pw=1 token=2')).toBe('[REDACTED] [REDACTED]');
    expect(redact(shared, 'nothing')).toBeUndefined();
  });
});

describe('redaction after reassembly', () => {
  const CHUNK = 16 * 1024;

  it('masks a secret that straddles the 16 KiB chunk boundary of a long line', () => {
    const secret = 'token=0123456789abcdef0123456789abcdef';
    // The chunk boundary falls inside the token: 'token=0123' | '456789…'.
    const line = 'x'.repeat(CHUNK - 10) + secret + ' tail';
    const bytes = Buffer.from(line);
    const chunks = [bytes.subarray(0, CHUNK), bytes.subarray(CHUNK)];
    expect(chunks[0]!.toString()).toContain('token=0123');
    expect(chunks[0]!.toString()).not.toContain(secret);
    const queue = new ReadyQueue();
    const stats = { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 };
    const out = transformStage(parseTransformOptions({ redact: TOKEN }), queue, stats, START);
    const assembler = new PartialAssembler({ reassemble: true, maxBytes: 1 << 20, onCut: () => undefined }, { file: 'f', offset: 0 });
    assembler.push(fromLog(chunks[0]!, 'stdout', 1, 0), 'f', 100, out);
    assembler.push(fromLog(Buffer.concat([chunks[1]!, Buffer.from('\n')]), 'stdout', 1, 5), 'f', 200, out);
    const batch = queue.take(10, Infinity)!;
    expect(batch.entries).toHaveLength(1);
    expect(batch.entries[0]!.line.toString()).toBe('x'.repeat(CHUNK - 10) + '[REDACTED] tail');
    expect(batch.checkpoint).toEqual({ file: 'f', offset: 200 });
    expect(stats.redacted).toBe(1);
  });

  it('cannot see across chunks when partial-reassembly=false (each chunk is masked on its own)', () => {
    const queue = new ReadyQueue();
    const out = transformStage(parseTransformOptions({ redact: TOKEN }), queue, { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 }, START);
    const assembler = new PartialAssembler({ reassemble: false, maxBytes: 1 << 20, onCut: () => undefined }, { file: 'f', offset: 0 });
    assembler.push(fromLog(Buffer.from('a token=12'), 'stdout', 1, 0), 'f', 100, out);
    assembler.push(fromLog(Buffer.from('34 b\n'), 'stdout', 1, 0), 'f', 200, out);
    const entries = queue.take(10, Infinity)!.entries;
    expect(entries.map((e) => [e.line.toString(), e.partial?.ordinal, e.partial?.last])).toEqual([
      ['a [REDACTED]', 1, false],
      ['34 b', 2, true],
    ]);
  });
});

describe('the transform stage', () => {
  it('is the queue itself when no transform is set: no call per entry', () => {
    const queue = new ReadyQueue();
    expect(transformStage(parseTransformOptions({}), queue, { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 }, START)).toBe(queue);
  });

  it('limits first and masks what passes; markers are never masked', () => {
    const queue = new ReadyQueue();
    const stats = { suppressed: 0, redacted: 0, multilineEvents: 0, multilineLines: 0 };
    const out = transformStage(parseTransformOptions({ 'rate-limit': '2/s', redact: String.raw`\d+` }), queue, stats, START);
    for (let k = 0; k < 5; k++) out.push({ line: Buffer.from(`token ${k}`), source: 'stdout', sec: 10, nsec: k }, 'f', k + 1);
    out.end!();
    const batch = queue.take(10, Infinity)!;
    expect(batch.entries.map((e) => e.line.toString())).toEqual(['token [REDACTED]', 'token [REDACTED]', '[tslogs: 3 lines suppressed in 1s]']);
    // Suppressed lines are handled: the marker's checkpoint is past them.
    expect(batch.checkpoint).toEqual({ file: 'f', offset: 5 });
    expect(stats).toEqual({ suppressed: 3, redacted: 2, multilineEvents: 0, multilineLines: 0 });
  });
});
