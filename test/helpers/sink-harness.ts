// Setup shared by the tests that drive a sink against a receiver on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { SinkError, type SinkEntry } from '../../src/sinks/sink.js';
import { containerInfo } from './container-info.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

interface Closable {
  close(): unknown;
}

/**
 * Registers an afterEach that closes what the test kept: the sinks first, then the
 * servers, so that a sink's close does not meet a receiver already gone.
 */
export function closedAfterEach(): { sink<T extends Closable>(x: T): T; server<T extends Closable>(x: T): T } {
  const sinks: Closable[] = [];
  const servers: Closable[] = [];
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const keep = (list: Closable[]) => <T extends Closable>(x: T): T => {
    list.push(x);
    return x;
  };
  return { sink: keep(sinks), server: keep(servers) };
}

/**
 * What every sink test file keeps: closedAfterEach's lists and a recording logger whose
 * records are cleared before each test (cleared before, not after: a sink a test left
 * open may still log while the next test starts).
 */
export function sinkTestRig(): { closed: ReturnType<typeof closedAfterEach>; logged: RecordingLogger } {
  const closed = closedAfterEach();
  const logged = recordingLogger();
  beforeEach(() => {
    logged.records.length = 0;
  });
  return { closed, logged };
}

/** A certificate set made once for the file in a temp dir (removed after it); `make` writes it there. */
export function pkiForFile<T>(prefix: string, make: (dir: string) => T): () => T {
  let dir = '';
  let pki: T | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    pki = make(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => pki!;
}

/** The SinkError `promise` rejected with; fails the test on anything else. */
export async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SinkError);
  return err as SinkError;
}

/** The container a sink test logs for. */
export const SINK_TEST_ID = '812526b87faeb0dbaf6913cbd8a91cf3e1e351df0ed3a804c89d3543f2b48111';
export const SINK_TEST_INFO = containerInfo({ ContainerID: SINK_TEST_ID, ContainerName: '/web', ContainerLabels: { lab1: 'v1' } });
/** The capture second of the first entry of `numberedEntries`. */
export const SINK_TEST_T = 1795896181;

/** `line <i>` for i from `from`, one second apart from SINK_TEST_T, every third on stderr. */
export function numberedEntries(n: number, from = 0): SinkEntry[] {
  return Array.from({ length: n }, (_, i) => ({ line: Buffer.from(`line ${from + i}`), source: (from + i) % 3 === 0 ? 'stderr' : 'stdout', sec: SINK_TEST_T + from + i, nsec: 630940000 }));
}
