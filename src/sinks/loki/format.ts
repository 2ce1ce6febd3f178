// A batch as one Loki push request body (grafana/loki pkg/push/push.proto), pure:
//
//   PushRequest   { streams = 1: repeated StreamAdapter }
//   StreamAdapter { labels = 1: string, entries = 2: repeated EntryAdapter }
//   EntryAdapter  { timestamp = 1: google.protobuf.Timestamp { seconds = 1, nanos = 2 },
//                   line = 2: string }
//
// then block-compressed with snappy (not the framed format), as Loki's push API takes
// `application/x-protobuf`. One stream per label set: the container's labels plus
// `source` (stdout, stderr) as the Loki driver adds it, streams in the order their
// first line came, each stream's entries in timestamp order (stable: equal capture
// times keep their order), which older Loki versions require within a stream. The
// line is sent as its bytes, as the driver's string(m.Line) does.

import snappy from 'snappyjs';
import { goQuote } from '../../go/strconv.js';
import type { SinkEntry } from '../sink.js';
import type { LabelSet } from './labels.js';

const LEN = 2;
const VARINT = 0;

/** `{a="b", c="d"}`: Prometheus' LabelSet.String(), sorted names, values as Go's %q, which Loki parses. */
export function labelString(labels: LabelSet): string {
  const names = [...labels.keys()].sort();
  return `{${names.map((n) => `${n}=${goQuote(labels.get(n)!)}`).join(', ')}}`;
}

/** The label strings of a container's streams by `source`, built once per source. */
export class StreamLabels {
  private readonly bySource = new Map<string, Buffer>();
  constructor(private readonly labels: LabelSet) {}

  of(source: string): Buffer {
    let s = this.bySource.get(source);
    if (s === undefined) {
      const withSource = new Map(this.labels);
      if (source !== '') withSource.set('source', source);
      s = Buffer.from(labelString(withSource), 'utf8');
      // Docker's sources are stdout and stderr only; anything else is not cached.
      if (this.bySource.size < 4) this.bySource.set(source, s);
    }
    return s;
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

const fieldSize = (payload: number): number => 1 + varintSize(payload) + payload;

function timestampSize(sec: number, nsec: number): number {
  return (sec === 0 ? 0 : 1 + varintSize(sec)) + (nsec === 0 ? 0 : 1 + varintSize(nsec));
}

function entrySize(e: SinkEntry): number {
  return fieldSize(timestampSize(e.sec, e.nsec)) + (e.line.length === 0 ? 0 : fieldSize(e.line.length));
}

const before = (a: SinkEntry, b: SinkEntry): number => a.sec - b.sec || a.nsec - b.nsec;

function inOrder(entries: SinkEntry[]): SinkEntry[] {
  for (let i = 1; i < entries.length; i++) if (before(entries[i - 1]!, entries[i]!) > 0) return entries.sort(before);
  return entries;
}

/** The uncompressed PushRequest of `batch`. */
export function encodePushRequest(batch: readonly SinkEntry[], labels: StreamLabels): Buffer {
  const streams = new Map<string, SinkEntry[]>();
  for (const e of batch) {
    const s = streams.get(e.source);
    if (s === undefined) streams.set(e.source, [e]);
    else s.push(e);
  }
  const plan = [...streams].map(([source, entries]) => {
    const label = labels.of(source);
    const size = entries.reduce((n, e) => n + fieldSize(entrySize(e)), fieldSize(label.length));
    return { label, entries: inOrder(entries), size };
  });
  const out = Buffer.allocUnsafe(plan.reduce((n, s) => n + fieldSize(s.size), 0));
  let p = 0;
  const writeVarint = (n: number): void => {
    while (n >= 0x80) {
      out[p++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    out[p++] = n;
  };
  for (const stream of plan) {
    out[p++] = (1 << 3) | LEN; // PushRequest.streams
    writeVarint(stream.size);
    out[p++] = (1 << 3) | LEN; // StreamAdapter.labels
    writeVarint(stream.label.length);
    p += stream.label.copy(out, p);
    for (const e of stream.entries) {
      out[p++] = (2 << 3) | LEN; // StreamAdapter.entries
      writeVarint(entrySize(e));
      out[p++] = (1 << 3) | LEN; // EntryAdapter.timestamp
      writeVarint(timestampSize(e.sec, e.nsec));
      if (e.sec !== 0) {
        out[p++] = (1 << 3) | VARINT;
        writeVarint(e.sec);
      }
      if (e.nsec !== 0) {
        out[p++] = (2 << 3) | VARINT;
        writeVarint(e.nsec);
      }
      if (e.line.length !== 0) {
        out[p++] = (2 << 3) | LEN; // EntryAdapter.line
        writeVarint(e.line.length);
        p += e.line.copy(out, p);
      }
    }
  }
  return out;
}

/** The request body: the PushRequest, snappy block-compressed. */
export function encodePushBody(batch: readonly SinkEntry[], labels: StreamLabels): Buffer {
  return Buffer.from(snappy.compress(encodePushRequest(batch, labels)));
}
