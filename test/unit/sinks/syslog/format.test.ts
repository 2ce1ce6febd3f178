import { describe, expect, it } from 'vitest';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import {
  dockerPieces,
  formatMessage,
  formatRfc3339,
  formatStamp,
  formatZone,
  SyslogEncoder,
  wallClockMicros,
  type FormatSettings,
} from '../../../../src/sinks/syslog/format.js';

// The observed bytes of docs/docker-compat.md §9.3 (Docker 20.10.24, dockerd PID 2601, host vm, UTC).
const UTC = () => 0;
const T_2011 = Date.UTC(2026, 10, 28, 20, 2, 11) * 1000;
const T_2012 = Date.UTC(2026, 10, 28, 20, 2, 12) * 1000;
const T_2021 = Date.UTC(2026, 10, 28, 20, 2, 21) * 1000;

function settings(over: Partial<FormatSettings>): FormatSettings {
  return { format: '', facility: 3, hostname: 'vm', tag: 'tag', pid: 2601, octetCounting: false, ...over };
}

const text = (s: string) => Buffer.from(s, 'latin1');
const bytes = (b: Buffer) => b.toString('latin1');

describe('syslog message bytes, as observed from Docker', () => {
  it('UDP, default format, stderr: no hostname, severity 3', () => {
    const b = formatMessage(settings({ tag: '374b8cfb97e7' }), 'stderr', text('err-line'), T_2011, UTC);
    expect(bytes(b)).toBe('<27>Nov 28 20:02:11 374b8cfb97e7[2601]: err-line\n');
  });

  it('UDP, default format, stdout with a tab sent raw', () => {
    const b = formatMessage(settings({ tag: '374b8cfb97e7' }), 'stdout', text('x\ty'), T_2011, UTC);
    expect(bytes(b)).toBe('<30>Nov 28 20:02:11 374b8cfb97e7[2601]: x\ty\n');
  });

  it('TCP, rfc3164, local3', () => {
    const b = formatMessage(settings({ format: 'rfc3164', facility: 19, tag: '1a2746a126a8' }), 'stdout', text('out-line'), T_2011, UTC);
    expect(bytes(b)).toBe('<158>Nov 28 20:02:11 vm 1a2746a126a8[2601]: out-line\n');
  });

  it('UDP, rfc5424, tag=mytag: the tag is APP-NAME and MSGID', () => {
    const b = formatMessage(settings({ format: 'rfc5424', tag: 'mytag' }), 'stdout', text('out-line'), T_2012 + 484_649, UTC);
    expect(bytes(b)).toBe('<30>1 2026-11-28T20:02:12Z vm mytag 2601 mytag - out-line\n');
  });

  it('TCP, rfc5424micro, facility 17: six fraction digits', () => {
    const b = formatMessage(settings({ format: 'rfc5424micro', facility: 17, tag: 'd33bb2e6fb0f' }), 'stdout', text('out-line'), T_2012 + 484_649, UTC);
    expect(bytes(b)).toBe('<142>1 2026-11-28T20:02:12.484649Z vm d33bb2e6fb0f 2601 d33bb2e6fb0f - out-line\n');
  });

  it('tcp+tls, rfc5424: octet counting (RFC 5425), the count includes the trailing newline', () => {
    const b = formatMessage(settings({ format: 'rfc5424', tag: '41dd5989bd13', octetCounting: true }), 'stdout', text('hello'), T_2021, UTC);
    expect(bytes(b)).toBe('69 <30>1 2026-11-28T20:02:21Z vm 41dd5989bd13 2601 41dd5989bd13 - hello\n');
  });

  it('tcp+tls, default format: newline framing', () => {
    const b = formatMessage(settings({ tag: '462879e9d890' }), 'stdout', text('hello2'), T_2021, UTC);
    expect(bytes(b)).toBe('<30>Nov 28 20:02:21 462879e9d890[2601]: hello2\n');
  });

  it('rfc5424micro over tcp+tls is octet counted too', () => {
    const b = formatMessage(settings({ format: 'rfc5424micro', tag: 't', octetCounting: true }), 'stderr', text('x'), T_2021 + 7, UTC);
    const msg = '<27>1 2026-11-28T20:02:21.000007Z vm t 2601 t - x\n';
    expect(bytes(b)).toBe(`${msg.length} ${msg}`);
  });

  it('counts octets, not characters, and sends the line raw (UTF-8, invalid bytes, <>&, CR)', () => {
    const line = Buffer.concat([Buffer.from('é <b>&amp; '), Buffer.from([0xff, 0xfe, 0xe2, 0x82]), Buffer.from('\r')]);
    const b = formatMessage(settings({ format: 'rfc5424', tag: 'tâg', octetCounting: true }), 'stdout', line, T_2021, UTC);
    const msg = Buffer.concat([Buffer.from('<30>1 2026-11-28T20:02:21Z vm tâg 2601 tâg - '), line, Buffer.from('\n')]);
    expect(b).toEqual(Buffer.concat([Buffer.from(`${msg.length} `), msg]));
  });

  it('every facility and both severities give PRI = facility*8 + severity', () => {
    for (let facility = 0; facility <= 23; facility++) {
      expect(bytes(formatMessage(settings({ facility }), 'stdout', text('x'), T_2011, UTC))).toMatch(new RegExp(`^<${facility * 8 + 6}>Nov`));
      expect(bytes(formatMessage(settings({ facility }), 'stderr', text('x'), T_2011, UTC))).toMatch(new RegExp(`^<${facility * 8 + 3}>Nov`));
    }
    // Any source other than stderr is info, as in Docker.
    expect(bytes(formatMessage(settings({}), '', text('x'), T_2011, UTC))).toMatch(/^<30>/);
  });
});

describe('timestamps in the daemon local zone', () => {
  it("Go's time.Stamp pads the day with a space", () => {
    expect(formatStamp(Date.UTC(2026, 10, 3, 9, 4, 5), 0)).toBe('Nov  3 09:04:05');
    expect(formatStamp(Date.UTC(2026, 0, 31, 23, 59, 59), 0)).toBe('Jan 31 23:59:59');
  });

  it('shifts the wall clock by the zone offset, across a day and a year', () => {
    expect(formatStamp(Date.UTC(2026, 11, 31, 23, 30, 0), 60)).toBe('Jan  1 00:30:00');
    expect(formatRfc3339(Date.UTC(2026, 11, 31, 23, 30, 0) * 1000, 60, false)).toBe('2027-01-01T00:30:00+01:00');
    expect(formatRfc3339(Date.UTC(2026, 0, 1, 3, 0, 0) * 1000 + 5, -330, true)).toBe('2025-12-31T21:30:00.000005-05:30');
  });

  it("Go's Z07:00", () => {
    expect(formatZone(0)).toBe('Z');
    expect(formatZone(60)).toBe('+01:00');
    expect(formatZone(-570)).toBe('-09:30');
    expect(formatZone(345)).toBe('+05:45');
  });

  it('uses the zone of each instant (a DST change between two messages)', () => {
    const zone = (ms: number) => (ms >= Date.UTC(2026, 2, 29, 1) ? 120 : 60);
    const enc = new SyslogEncoder(settings({ format: 'rfc5424' }), zone);
    const before = Date.UTC(2026, 2, 29, 0, 59, 59) * 1000;
    const after = Date.UTC(2026, 2, 29, 1, 0, 0) * 1000;
    expect(enc.timestamp(before)).toBe('2026-03-29T01:59:59+01:00');
    expect(enc.timestamp(after)).toBe('2026-03-29T03:00:00+02:00');
  });

  it('the wall clock has microseconds and stays within a millisecond of Date.now()', () => {
    const a = Date.now();
    const t = wallClockMicros();
    const b = Date.now();
    expect(t / 1000).toBeGreaterThanOrEqual(a - 1);
    expect(t / 1000).toBeLessThanOrEqual(b + 1);
    expect(Number.isInteger(t)).toBe(true);
  });
});

describe("Docker's message boundaries", () => {
  const entry = (line: Buffer | string, source = 'stdout'): SinkEntry => ({ line: typeof line === 'string' ? Buffer.from(line) : line, source, sec: 1, nsec: 0 });

  it('cuts lines at 16384-byte multiples, as the copier does, and skips the empty final piece', () => {
    const line = Buffer.alloc(40000, 0x61);
    expect(dockerPieces(line).map((p) => p.length)).toEqual([16384, 16384, 7232]);
    expect(dockerPieces(Buffer.alloc(16384)).map((p) => p.length)).toEqual([16384]);
    expect(dockerPieces(Buffer.alloc(32768)).map((p) => p.length)).toEqual([16384, 16384]);
    expect(dockerPieces(Buffer.alloc(16383)).map((p) => p.length)).toEqual([16383]);
    expect(dockerPieces(Buffer.alloc(0))).toEqual([]);
  });

  it('skips empty lines and frames each piece as its own message', () => {
    const enc = new SyslogEncoder(settings({ tag: 't' }), UTC);
    const long = Buffer.alloc(16385, 0x62);
    const { data, ends } = enc.encode([entry(''), entry('a'), entry(long, 'stderr'), entry('')], () => T_2011);
    const head = (pri: number) => `<${pri}>Nov 28 20:02:11 t[2601]: `;
    const want = head(30) + 'a\n' + head(27) + 'b'.repeat(16384) + '\n' + head(27) + 'b\n';
    expect(bytes(data)).toBe(want);
    expect(ends).toEqual([head(30).length + 2, head(30).length + 2 + head(27).length + 16385, want.length]);
  });

  it('a batch of empty lines encodes to nothing', () => {
    const enc = new SyslogEncoder(settings({}), UTC);
    expect(enc.encode([entry(''), entry('')], () => T_2011)).toEqual({ data: Buffer.alloc(0), ends: [] });
  });

  it('stamps every message when it is encoded, not with the capture time', () => {
    const enc = new SyslogEncoder(settings({ format: 'rfc5424micro', tag: 't' }), UTC);
    let t = T_2012;
    const { data } = enc.encode([entry('1'), entry('2')], () => (t += 250));
    expect(bytes(data)).toBe(
      '<30>1 2026-11-28T20:02:12.000250Z vm t 2601 t - 1\n<30>1 2026-11-28T20:02:12.000500Z vm t 2601 t - 2\n',
    );
  });

  it('octet counts every message of a batch separately', () => {
    const enc = new SyslogEncoder(settings({ format: 'rfc5424', tag: 't', octetCounting: true }), UTC);
    const { data, ends } = enc.encode([entry('one'), entry('three')], () => T_2021);
    const m1 = '<30>1 2026-11-28T20:02:21Z vm t 2601 t - one\n';
    const m2 = '<30>1 2026-11-28T20:02:21Z vm t 2601 t - three\n';
    expect(bytes(data)).toBe(`${m1.length} ${m1}${m2.length} ${m2}`);
    expect(ends).toEqual([`${m1.length} ${m1}`.length, data.length]);
  });
});
