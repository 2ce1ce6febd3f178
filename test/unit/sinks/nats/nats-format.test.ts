import { describe, expect, it } from 'vitest';
import type { SinkEntry } from '../../../../src/sinks/sink.js';
import { compileMessages, cutMarker, encodeBatch, type MessageSettings } from '../../../../src/sinks/nats/format.js';

const ID = '812526b87faeb0dbaf6913cbd8a91cf3e1e351df0ed3a804c89d3543f2b48111';
const T = 1795896181; // 2026-11-28T20:03:01Z

function settings(over: Partial<MessageSettings> = {}): MessageSettings {
  return { containerId: ID, containerName: '/web', imageName: 'bb:latest', host: 'vm', tag: undefined, attrs: {}, ...over };
}

const entry = (line: string | Buffer, over: Partial<SinkEntry> = {}): SinkEntry => ({
  line: Buffer.isBuffer(line) ? line : Buffer.from(line), source: 'stdout', sec: T, nsec: 567244869, ...over,
});

const one = (e: SinkEntry, s: MessageSettings = settings(), maxPayload = 1 << 20) => encodeBatch([e], compileMessages(s), maxPayload).payloads[0]!;

describe('nats message format', () => {
  it('is one JSON object per line, byte for byte: log, stream, time, container and host fields', () => {
    expect(one(entry('hello')).toString()).toBe(
      `{"log":"hello","stream":"stdout","time":"2026-11-28T20:03:01.567244869Z","container_id":"${ID}","container_name":"/web","image_name":"bb:latest","host":"vm"}`,
    );
  });

  it('writes time as json-file does (trailing zeros trimmed, none for whole seconds) and stderr as its stream', () => {
    expect(JSON.parse(one(entry('x', { nsec: 500_000_000, source: 'stderr' })).toString())).toMatchObject({ time: '2026-11-28T20:03:01.5Z', stream: 'stderr' });
    expect(JSON.parse(one(entry('x', { nsec: 0 })).toString()).time).toBe('2026-11-28T20:03:01Z');
  });

  it('escapes the line as Go\'s encoding/json: controls, quotes, HTML characters, U+2028, invalid UTF-8 as \\ufffd', () => {
    const line = Buffer.concat([Buffer.from('a"b\\c\td\r<&>\u2028'), Buffer.from([0xff, 0x01])]);
    const text = one(entry(line)).toString();
    expect(text.slice(0, text.indexOf('","stream"') + 1)).toBe('{"log":"a\\"b\\\\c\\td\\r\\u003c\\u0026\\u003e\\u2028\\ufffd\\u0001"');
    expect(JSON.parse(text).log).toBe('a"b\\c\td\r<&>\u2028\ufffd\u0001');
  });

  it('carries the tag when the tag option was given and labels/env attributes as attrs, sorted', () => {
    const m = JSON.parse(one(entry('x'), settings({ tag: 'web/bb', attrs: { zz: '1', a: 'v<' } })).toString());
    expect(Object.keys(m)).toEqual(['log', 'stream', 'time', 'container_id', 'container_name', 'image_name', 'host', 'tag', 'attrs']);
    expect(m.tag).toBe('web/bb');
    expect(m.attrs).toEqual({ a: 'v<', zz: '1' });
    expect(one(entry('x'), settings({ attrs: { zz: '1', a: 'v<' } })).toString()).toContain(',"attrs":{"a":"v\\u003c","zz":"1"}}');
  });

  it('marks the chunks of a long line when partial-reassembly is off', () => {
    const id = 'f'.repeat(64);
    const m = JSON.parse(one(entry('chunk', { partial: { id, ordinal: 2, last: true } })).toString());
    expect(m.partial).toEqual({ id, ordinal: 2, last: true });
    expect(JSON.parse(one(entry('x')).toString()).partial).toBeUndefined();
  });

  it('gives each entry of a batch its own payload, in order', () => {
    const { payloads, cuts } = encodeBatch(['a', 'b', 'c'].map((l) => entry(l)), compileMessages(settings()), 1 << 20);
    expect(payloads.map((p) => JSON.parse(p.toString()).log)).toEqual(['a', 'b', 'c']);
    expect(cuts).toEqual([]);
  });

  it('cuts a line whose message would exceed max_payload, on a character boundary, saying so', () => {
    const max = 1000;
    // 'é' is two bytes: a cut in the middle of one must back off to its start.
    const line = Buffer.from('é'.repeat(2000));
    const { payloads, cuts } = encodeBatch([entry('before'), entry(line), entry('after')], compileMessages(settings()), max);
    expect(payloads.map((p) => p.length <= max)).toEqual([true, true, true]);
    const cut = JSON.parse(payloads[1]!.toString()).log as string;
    expect(cuts).toHaveLength(1);
    const kept = cuts[0]!;
    expect(kept % 2).toBe(0);
    expect(cut).toBe('é'.repeat(kept / 2) + cutMarker(kept));
    // As long as fits: one more character would not.
    const longer = encodeBatch([entry(Buffer.from('é'.repeat(kept / 2 + 1) + cutMarker(kept + 2)))], compileMessages(settings()), 1 << 20).payloads[0]!;
    expect(longer.length).toBeGreaterThan(max);
    expect(JSON.parse(payloads[2]!.toString()).log).toBe('after');
  });

  it('counts escaping when cutting: a line of quotes fits in fewer source bytes', () => {
    const { payloads, cuts } = encodeBatch([entry('"'.repeat(3000))], compileMessages(settings()), 1000);
    expect(payloads[0]!.length).toBeLessThanOrEqual(1000);
    expect(payloads[0]!.length).toBeGreaterThan(990);
    expect(cuts[0]).toBeLessThan(500);
  });
});
