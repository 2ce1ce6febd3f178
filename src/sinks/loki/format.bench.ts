// Micro-benchmark beside the code: `npm run bench:micro`. What a push of 1000 lines
// costs: the protobuf encoding, then snappyjs (the pure-JS compressor the plugin ships)
// against the native snappy package (a devDependency; docs/dependencies.md).
import snappyNative from 'snappy';
import snappy from 'snappyjs';
import { bench, describe } from 'vitest';
import type { SinkEntry } from '../sink.js';
import { encodePushRequest, StreamLabels } from './format.js';

const entries: SinkEntry[] = Array.from({ length: 1000 }, (_, i) => ({
  line: Buffer.from(`2026-12-04T23:50:0${i % 10}Z INFO request ${i} served in ${i % 97} ms`),
  source: i % 5 === 0 ? 'stderr' : 'stdout',
  sec: 1795896100 + (i >> 6),
  nsec: i * 7919,
}));
const labels = new StreamLabels(new Map([['container_name', 'web'], ['host', 'vm'], ['compose_project', 'shop']]));
const request = encodePushRequest(entries, labels);

describe('Loki PushRequest of 1000 lines', () => {
  bench('protobuf encoding', () => {
    encodePushRequest(entries, labels);
  });
  bench('snappyjs compress (shipped)', () => {
    snappy.compress(request);
  });
  bench('snappy native compress (reference)', () => {
    snappyNative.compressSync(request);
  });
});
