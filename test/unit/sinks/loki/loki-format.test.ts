// The push body at byte and field level. Decoding is independent of the sink: protobufjs
// from test/fixtures/loki/push.proto, the native snappy package, and the receiver's own
// label parser (test/helpers/loki-receiver.ts).
import { randomBytes } from 'node:crypto';
import snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { encodePushBody, encodePushRequest, labelString, StreamLabels } from '../../../../src/sinks/loki/format.js';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import { decodePushBody, lokiType, parseLabelString } from '../../../helpers/loki-receiver.js';

const entry = (line: string | Buffer, source: string, sec: number, nsec: number): SinkEntry => ({ line: Buffer.isBuffer(line) ? line : Buffer.from(line), source, sec, nsec });
const labels = (o: Record<string, string>) => new StreamLabels(new Map(Object.entries(o)));
const decode = (body: Buffer) => lokiType('PushRequest').toObject(lokiType('PushRequest').decode(body), { longs: String });

describe('labelString', () => {
  it("is Prometheus' LabelSet.String(): names sorted, ', ' between, values quoted as Go's %q", () => {
    expect(labelString(new Map([['z', '1'], ['a', 'x"y\\z'], ['m', 'tab\there\nnl é \u0001 \u00a0']]))).toBe('{a="x\\"y\\\\z", m="tab\\there\\nnl é \\x01 \\u00a0", z="1"}');
    expect(labelString(new Map())).toBe('{}');
  });

  it('parses back to the same labels with the independent parser', () => {
    const set = new Map([['container_name', 'web'], ['odd', '"{}=, \\ \u0007\u007f\u2028😀']]);
    expect(parseLabelString(labelString(set))).toEqual(Object.fromEntries(set));
  });
});

describe('encodePushRequest', () => {
  it('writes the exact bytes of one entry', () => {
    const body = encodePushRequest([entry('hi', 'stdout', 1, 2)], labels({ a: 'b' }));
    const label = Buffer.from('{a="b", source="stdout"}');
    const e = Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x02, 0x68, 0x69]); // timestamp {1, 2}, line "hi"
    const stream = Buffer.concat([Buffer.from([0x0a, label.length]), label, Buffer.from([0x12, e.length]), e]);
    expect(body).toEqual(Buffer.concat([Buffer.from([0x0a, stream.length]), stream]));
  });

  it('leaves out zero seconds, zero nanoseconds and an empty line, as proto3 encoders do', () => {
    const body = encodePushRequest([entry('', '', 0, 0)], labels({}));
    // streams { labels "{}", entries { timestamp {} } }
    expect(body).toEqual(Buffer.from([0x0a, 0x08, 0x0a, 0x02, 0x7b, 0x7d, 0x12, 0x02, 0x0a, 0x00]));
    expect(decode(body)).toEqual({ streams: [{ labels: '{}', entries: [{ timestamp: {} }] }] });
  });

  it('groups by stream in the order of first lines, keeps capture order, writes 64-bit seconds and every nanosecond', () => {
    const batch = [
      entry('o1', 'stdout', 1795896181, 999_999_999),
      entry('e1', 'stderr', 1795896181, 5),
      entry('o2', 'stdout', 2 ** 40, 0),
      entry('e2', 'stderr', 1795896182, 1),
    ];
    expect(decode(encodePushRequest(batch, labels({ host: 'vm', container_name: 'web' })))).toEqual({
      streams: [
        { labels: '{container_name="web", host="vm", source="stdout"}', entries: [{ timestamp: { seconds: '1795896181', nanos: 999_999_999 }, line: 'o1' }, { timestamp: { seconds: String(2 ** 40) }, line: 'o2' }] },
        { labels: '{container_name="web", host="vm", source="stderr"}', entries: [{ timestamp: { seconds: '1795896181', nanos: 5 }, line: 'e1' }, { timestamp: { seconds: '1795896182', nanos: 1 }, line: 'e2' }] },
      ],
    });
  });

  it('sorts a stream whose lines came out of timestamp order, stably', () => {
    const batch = [entry('b', 'stdout', 10, 2), entry('a', 'stdout', 10, 1), entry('c1', 'stdout', 11, 0), entry('c2', 'stdout', 11, 0), entry('0', 'stdout', 9, 0)];
    const streams = decodePushBody(encodePushBody(batch, labels({})));
    expect(streams.map((s) => s.entries.map((e) => e.line))).toEqual([['0', 'a', 'b', 'c1', 'c2']]);
  });

  it('sends the bytes of a line as they are, invalid UTF-8 and NUL included, and lines past 127 bytes', () => {
    const odd = Buffer.from([0x61, 0xff, 0x00, 0xc3, 0x28, 0x62]);
    const long = Buffer.alloc(70_000, 0x78);
    const streams = decodePushBody(encodePushBody([entry(odd, 'stdout', 1, 1), entry(long, 'stdout', 1, 2)], labels({})));
    expect(streams[0]!.entries.map((e) => e.rawLine)).toEqual([odd, long]);
  });
});

describe('encodePushBody', () => {
  it('is the request block-compressed with snappy, which the native library decompresses', () => {
    const batch = Array.from({ length: 5000 }, (_, i) => entry(`line ${i} ${randomBytes(i % 50).toString('hex')}`, i % 3 === 0 ? 'stderr' : 'stdout', 1795896181 + i, i));
    const l = labels({ container_name: 'web' });
    const body = encodePushBody(batch, l);
    expect(snappy.uncompressSync(body)).toEqual(encodePushRequest(batch, l));
    expect(body.length).toBeLessThan(encodePushRequest(batch, l).length);
  });

  it('round-trips incompressible data of several sizes through snappyjs and the native library', () => {
    for (const size of [1, 59, 60, 61, 255, 256, 65_535, 65_536, 65_537, 1_000_000]) {
      const line = randomBytes(size);
      const streams = decodePushBody(encodePushBody([entry(line, 'stdout', 1, 0)], labels({})));
      expect(streams[0]!.entries[0]!.rawLine).toEqual(line);
    }
  });
});
