import { gunzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import {
  chunkCount,
  compileMessages,
  compressPayload,
  encodeMessage,
  gelfTimestamp,
  GELF_MAX_PAYLOAD,
  safeLineBytes,
  toDatagrams,
  type GelfCompression,
} from '../../../../src/sinks/gelf/format.js';
import { parseGelfOptions } from '../../../../src/sinks/gelf/options.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import { ByteSink } from '../../../../src/util/byte-sink.js';
import { containerInfo, sinkContext } from '../../../helpers/container-info.js';
import { silentLogger } from '../../../../src/util/log.js';

// The container of the spec's observed payloads (§10.2).
const INFO = containerInfo({
  ContainerID: '6a8cee679052345a8321aa7a9da1c1832590462179cdaba4a2884dcb3eb51781', ContainerName: '/g2', ContainerArgs: ['-c', 'echo plain'],
  ContainerCreated: '2026-11-28T20:02:28.070117105Z', ContainerEnv: ['E1=x1'], ContainerLabels: { lab1: 'v1', _lab2: 'v2' },
});

const EXTRA =
  '"_command":"sh -c echo plain","_container_id":"6a8cee679052345a8321aa7a9da1c1832590462179cdaba4a2884dcb3eb51781",' +
  '"_container_name":"g2","_created":"2026-11-28T20:02:28.070117105Z",' +
  '"_image_id":"sha256:ae2bddd7390b0a4cfdc0f0c757af510792301ab4d5e3b8420930998a57b8a5e5","_image_name":"bb:latest"';

function compiled(config: Record<string, string> = {}, info = INFO) {
  const o = parseGelfOptions({ 'gelf-address': 'udp://127.0.0.1:12201', ...config }, sinkContext(info));
  return compileMessages(o.messages);
}

function json(entry: Omit<Partial<SinkEntry>, 'line'> & { line: Buffer | string }, config: Record<string, string> = {}): string | undefined {
  const out = new ByteSink(16);
  const e: SinkEntry = { source: 'stdout', sec: 1795896148, nsec: 407_000_000, ...entry, line: Buffer.from(entry.line) };
  return encodeMessage(e, compiled(config), out) ? out.view().toString('latin1') : undefined;
}

describe('gelf message', () => {
  it('is byte for byte the payload Docker sent (docs/docker-compat.md §10.2, observed)', () => {
    expect(json({ line: 'plain' })).toBe(
      '{"version":"1.1","host":"vm","short_message":"plain","timestamp":1795896148.407,"level":6,' + EXTRA + ',"_tag":"6a8cee679052"}',
    );
  });

  it('with labels=lab1,_lab2 env=E1 on stderr: level 3, extra keys prefixed and sorted with the built-ins', () => {
    expect(json({ line: 'err', source: 'stderr' }, { labels: 'lab1,_lab2', env: 'E1' })).toBe(
      '{"version":"1.1","host":"vm","short_message":"err","timestamp":1795896148.407,"level":3,"_E1":"x1",' +
        EXTRA + ',"_lab1":"v1","_lab2":"v2","_tag":"6a8cee679052"}',
    );
  });

  it('skips empty lines, as Docker does (§2.4)', () => {
    expect(json({ line: '' })).toBeUndefined();
    // A line of white space is a line.
    expect(json({ line: ' ' })).toContain('"short_message":" "');
  });

  it('escapes the line as Go 1.19 encoding/json: HTML, controls, U+2028/9, \\ufffd per invalid byte, DEL raw', () => {
    const line = Buffer.concat([
      Buffer.from('<a href="x">&amp;</a> \\ tab:\t bs:\b ff:\f nul:\0 esc:\x1b del:\x7f cr:\r ', 'latin1'),
      Buffer.from('\u2028\u2029 é 😀 '),
      Buffer.from([0xff, 0xfe, 0x20, 0xe2, 0x82, 0x20, 0xc0, 0xaf, 0x20, 0xed, 0xa0, 0x80]),
    ]);
    const out = new ByteSink(16);
    encodeMessage({ line, source: 'stdout', sec: 1, nsec: 0 }, compiled(), out);
    const text = out.view().toString('utf8');
    expect(text).toContain(
      '"short_message":"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e \\\\ tab:\\t bs:\\u0008 ff:\\u000c nul:\\u0000 esc:\\u001b del:\x7f cr:\\r ' +
        '\\u2028\\u2029 é 😀 \\ufffd\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd","timestamp":1,',
    );
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('escapes host and extra fields with Go JSON too (HTML-safe), keys sorted byte-wise', () => {
    const info = { ...INFO, ContainerLabels: { 'b<x>': 'v&', B: '1', a: '\u2028' } };
    const c = compileMessages(
      parseGelfOptions({ 'gelf-address': 'udp://h:1', labels: 'b<x>,B,a' }, { info, hostname: 'host<1>', log: silentLogger }).messages,
    );
    expect(c.head.toString()).toBe('{"version":"1.1","host":"host\\u003c1\\u003e","short_message":"');
    expect(c.tailStdout.toString()).toMatch(/^,"level":6,"_B":"1","_a":"\\u2028","_b\\u003cx\\u003e":"v\\u0026","_command":/);
  });
});

describe('gelf timestamp', () => {
  it('is milliseconds as float64 in Go\'s shortest form (docs/docker-compat.md §10.2 observed values)', () => {
    expect(gelfTimestamp(1795896147, 958_000_000)).toBe('1795896147.958');
    expect(gelfTimestamp(1795896148, 400_000_000)).toBe('1795896148.4');
    expect(gelfTimestamp(1795896148, 0)).toBe('1795896148');
    expect(gelfTimestamp(1795896148, 407_123_456)).toBe('1795896148.407');
  });

  it('truncates to the millisecond, never rounds', () => {
    expect(gelfTimestamp(1795896148, 999_999_999)).toBe('1795896148.999');
    expect(gelfTimestamp(1795896148, 999_999)).toBe('1795896148');
    expect(gelfTimestamp(1795896148, 1_000_000)).toBe('1795896148.001');
    expect(gelfTimestamp(1795896148, 10_000_000)).toBe('1795896148.01');
  });

  it('uses Go\'s integer division (toward zero) before 1970, and prints 0 for the epoch', () => {
    // UnixNano = -500000001 ns → -500 ms (Go), not -501 (floor).
    expect(gelfTimestamp(-1, 499_999_999)).toBe('-0.5');
    expect(gelfTimestamp(0, 0)).toBe('0');
    expect(gelfTimestamp(0, 1_000_000)).toBe('0.001');
  });

  it('round-trips: the text parses back to exactly ms / 1000', () => {
    for (let i = 0; i < 2000; i++) {
      const sec = 1_600_000_000 + Math.floor(Math.random() * 400_000_000);
      const nsec = Math.floor(Math.random() * 1e9);
      const text = gelfTimestamp(sec, nsec);
      const ms = sec * 1000 + Math.floor(nsec / 1e6);
      expect(Number(text)).toBe(ms / 1000);
      expect(text).toMatch(/^\d+(\.\d{1,3})?$/);
    }
  });
});

describe('gelf compression', () => {
  const data = Buffer.from('{"version":"1.1","host":"vm","short_message":"' + 'compress me '.repeat(200) + '"}');

  it('gzip has Go\'s header: mtime 0, XFL 4 at level 1 (observed 1f8b 0800 00000000 04 ff), 2 at 9, else 0; OS 255', () => {
    const header = (level: number) => compressPayload(data, 'gzip', level).subarray(0, 10).toString('hex');
    expect(header(1)).toBe('1f8b08000000000004ff');
    expect(header(9)).toBe('1f8b08000000000002ff');
    for (const level of [-1, 0, 2, 5, 6, 8]) expect(header(level)).toBe('1f8b08000000000000ff');
    for (const level of [-1, 0, 1, 5, 9]) expect(gunzipSync(compressPayload(data, 'gzip', level))).toEqual(data);
  });

  it('zlib has the header for the level (78 01 / 5e / 9c / da, as Go and zlib agree)', () => {
    const header = (level: number) => compressPayload(data, 'zlib', level).subarray(0, 2).toString('hex');
    expect([0, 1].map(header)).toEqual(['7801', '7801']);
    expect([2, 3, 4, 5].map(header)).toEqual(['785e', '785e', '785e', '785e']);
    expect([6, -1].map(header)).toEqual(['789c', '789c']);
    expect([7, 8, 9].map(header)).toEqual(['78da', '78da', '78da']);
    for (const level of [-1, 0, 1, 9]) expect(inflateSync(compressPayload(data, 'zlib', level))).toEqual(data);
  });

  it('level 0 is Go\'s compress/flate byte for byte: stored blocks, then an empty final block', () => {
    const hello = Buffer.from('hello');
    expect(compressPayload(hello, 'zlib', 0).toString('hex')).toBe('7801' + '000500faff' + '68656c6c6f' + '010000ffff' + '062c0215');
    expect(compressPayload(hello, 'gzip', 0).toString('hex')).toBe(
      '1f8b08000000000000ff' + '000500faff' + '68656c6c6f' + '010000ffff' + '86a61036' + '05000000',
    );
    // Blocks hold at most 65535 bytes.
    const big = Buffer.alloc(70_000, 0x61);
    const z = compressPayload(big, 'zlib', 0);
    expect(z.subarray(2, 7).toString('hex')).toBe('00ffff0000');
    expect(z.subarray(7 + 65535, 7 + 65535 + 5).toString('hex')).toBe('0071118eee'); // 4465 = 0x1171 bytes
    expect(z.length).toBe(2 + 5 + 65535 + 5 + 4465 + 5 + 4);
    expect(inflateSync(z)).toEqual(big);
    expect(gunzipSync(compressPayload(big, 'gzip', 0))).toEqual(big);
  });

  it('none sends the JSON itself', () => {
    expect(compressPayload(data, 'none', 1)).toBe(data);
  });
});

describe('gelf UDP chunking', () => {
  const id = Buffer.from('b6c5d4ffd52bc0f4', 'hex');
  const sizes = (n: number) => toDatagrams(Buffer.alloc(n, 0x7b), id)?.map((d) => d.length);

  it('sends up to 1420 bytes as one datagram, without a chunk header', () => {
    const payload = Buffer.alloc(1420, 0x7b);
    const d = toDatagrams(payload, id)!;
    expect(d).toHaveLength(1);
    expect(d[0]).toBe(payload);
  });

  it('chunks 1421 bytes into two: floor(1421/1408)+1', () => {
    expect(sizes(1421)).toEqual([1420, 12 + 13]);
    expect(chunkCount(1421)).toBe(2);
  });

  it('splits the observed 3000-byte line layout: 1420, 1420, 638 with headers 1e0f <id> seq count', () => {
    const payload = Buffer.alloc(3442);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const d = toDatagrams(payload, id)!;
    expect(d.map((x) => x.length)).toEqual([1420, 1420, 638]);
    expect(d.map((x) => x.subarray(0, 12).toString('hex'))).toEqual([
      '1e0fb6c5d4ffd52bc0f40003', '1e0fb6c5d4ffd52bc0f40103', '1e0fb6c5d4ffd52bc0f40203',
    ]);
    expect(Buffer.concat(d.map((x) => x.subarray(12)))).toEqual(payload);
  });

  it('gives an exact multiple of 1408 a last chunk with no data, as go-gelf does', () => {
    expect(sizes(1408 * 2)).toEqual([1420, 1420, 12]);
    expect(sizes(1408 * 5)).toEqual([1420, 1420, 1420, 1420, 1420, 12]);
    expect(sizes(1408 * 5 - 1)).toEqual([1420, 1420, 1420, 1420, 1419]);
    expect(sizes(1408 * 5 + 1)).toEqual([1420, 1420, 1420, 1420, 1420, 13]);
  });

  it('allows 128 chunks (180223 bytes) and refuses 129 (Docker: msg too large, would need 129 chunks)', () => {
    expect(GELF_MAX_PAYLOAD).toBe(180_223);
    const max = sizes(GELF_MAX_PAYLOAD)!;
    expect(max).toHaveLength(128);
    expect(max.at(-1)).toBe(12 + 1407);
    expect(toDatagrams(Buffer.alloc(GELF_MAX_PAYLOAD)!, id)!.at(-1)!.subarray(10, 12).toString('hex')).toBe('7f80');
    expect(sizes(GELF_MAX_PAYLOAD + 1)).toBeUndefined();
    expect(chunkCount(GELF_MAX_PAYLOAD + 1)).toBe(129);
  });

  it('keeps every line of up to safeLineBytes within 128 chunks, whatever it holds and however it is compressed', () => {
    const big = { lab: 'x'.repeat(5000) };
    for (const type of ['none', 'gzip', 'zlib'] as GelfCompression[]) {
      for (const info of [INFO, { ...INFO, ContainerLabels: big }]) {
        const c = compiled({ labels: 'lab' }, info);
        const n = safeLineBytes(c, type);
        expect(n).toBeGreaterThan(20_000);
        // The worst cases: every byte escaped to 6 (`<` → \u003c), and incompressible bytes.
        const random = Buffer.alloc(n);
        for (let i = 0; i < n; i++) random[i] = Math.floor(Math.random() * 256);
        for (const line of [Buffer.alloc(n, 0x3c), random]) {
          const out = new ByteSink(16);
          encodeMessage({ line, source: 'stderr', sec: 1795896148, nsec: 1_000_000 }, c, out);
          for (const level of [0, 1, 9]) {
            expect(compressPayload(out.view(), type, level).length).toBeLessThanOrEqual(GELF_MAX_PAYLOAD);
          }
        }
      }
    }
  });
});
