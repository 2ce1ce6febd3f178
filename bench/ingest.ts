// Ingest benchmark: LogEntry frames → json-file on disk.
//  1. in-process: frames already in memory, cut into 64 KiB reads, through the
//     decoder, encoder and writer (the plugin's whole hot path minus the pipe);
//  2. through a real FIFO: `cat` of a frame file into a FIFO the daemon's
//     FifoIngest reads, as dockerd's pipe would feed it.
// Usage: npm run bench -- ingest [--frames N]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { FrameDecoder } from '../src/codec/frame-decoder.js';
import { FrameEncoder } from '../src/codec/frame-encoder.js';
import { FifoIngest } from '../src/daemon/fifo-ingest.js';
import { ContainerLog } from '../src/store/container-log.js';
import { silentLogger } from '../src/util/log.js';

export interface IngestResult {
  name: string;
  frames: number;
  frameBytes: number;
  seconds: number;
}

const ID = 'b'.repeat(64);
const POLICY = { maxSize: 20_000_000, maxFile: 5, compress: false };

/** `seq 1 N`-like output: what the speed floor measures. */
export function makeFrames(count: number): Buffer {
  const encoder = new FrameEncoder(count * 40);
  const base = 1795896100;
  for (let i = 0; i < count; i++) {
    encoder.add({ source: 'stdout', sec: base + Math.floor(i / 100000), nsec: (i * 9973) % 1e9, line: Buffer.from(String(i + 1)), partial: false, meta: undefined });
  }
  return encoder.take();
}

export function benchInProcess(frames: Buffer, count: number): IngestResult {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-'));
  try {
    const log = new ContainerLog(root, ID, POLICY, undefined, silentLogger);
    log.attachWriter();
    const decoder = new FrameDecoder((e) => log.append(e));
    const start = process.hrtime.bigint();
    for (let pos = 0; pos < frames.length; pos += 65536) {
      decoder.push(frames.subarray(pos, pos + 65536));
      log.flush();
    }
    log.detachWriter();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { name: 'in-process (64 KiB reads)', frames: count, frameBytes: frames.length, seconds };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function benchFifo(frames: Buffer, count: number): Promise<IngestResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tslogs-bench-'));
  try {
    const framesFile = path.join(root, 'frames.bin');
    fs.writeFileSync(framesFile, frames);
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const log = new ContainerLog(root, ID, POLICY, undefined, silentLogger);
    const writer = spawn('sh', ['-c', `exec cat "${framesFile}" > "${fifo}"`], { stdio: 'ignore' });
    // Open our end only once the writer is there, so EOF comes when cat exits.
    await new Promise((r) => setTimeout(r, 50));
    const ingest = new FifoIngest(fifo, log, pino(pino.destination(2)));
    const start = process.hrtime.bigint();
    ingest.start();
    await ingest.whenDone();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    writer.kill();
    if (ingest.entries !== count) throw new Error(`FIFO bench lost frames: ${ingest.entries} of ${count}`);
    return { name: 'real FIFO (cat → FifoIngest)', frames: count, frameBytes: frames.length, seconds };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function runIngest(count: number): Promise<IngestResult[]> {
  const frames = makeFrames(count);
  const results: IngestResult[] = [];
  for (let round = 0; round < 3; round++) {
    results.push(benchInProcess(frames, count));
    results.push(await benchFifo(frames, count));
  }
  return results;
}
