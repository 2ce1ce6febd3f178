import { parseRfc3339 } from '../go/time.js';

/**
 * One json-file entry read back. json-file ends a complete line's `log` with "\n" and
 * leaves it off the 16 KiB chunks Docker splits a long line into (all but the last):
 * `newline` says which, and `line` never holds that "\n". An entry that is complete
 * is also a valid SinkEntry as it stands.
 */
export interface StoredEntry {
  line: Buffer;
  newline: boolean;
  /** `stdout` or `stderr` (json-file's `stream`). */
  source: string;
  sec: number;
  nsec: number;
}

interface JsonFileLine {
  log?: unknown;
  stream?: unknown;
  time?: unknown;
}

/** Parses one json-file line; returns undefined for a line that is not a json-file entry. */
export function parseStoredLine(text: string): StoredEntry | undefined {
  let parsed: JsonFileLine;
  try {
    parsed = JSON.parse(text) as JsonFileLine;
  } catch {
    return undefined;
  }
  if (typeof parsed.time !== 'string' || typeof parsed.stream !== 'string') return undefined;
  let time: { sec: number; nsec: number };
  try {
    time = parseRfc3339(parsed.time);
  } catch {
    return undefined;
  }
  const log = typeof parsed.log === 'string' ? parsed.log : '';
  const newline = log.endsWith('\n');
  return { line: Buffer.from(newline ? log.slice(0, -1) : log, 'utf8'), newline, source: parsed.stream, sec: time.sec, nsec: time.nsec };
}

/** An entry from json-file's `log` value (as ReadLogs frames carry it: newline included). */
export function fromLog(log: Buffer, source: string, sec: number, nsec: number): StoredEntry {
  const newline = log.length > 0 && log[log.length - 1] === 0x0a;
  return { line: newline ? log.subarray(0, log.length - 1) : log, newline, source, sec, nsec };
}

/** The `log` value as json-file holds it (what `docker logs` prints): the line and its newline. */
export function logBytes(e: StoredEntry): Buffer {
  return e.newline ? Buffer.concat([e.line, NEWLINE]) : e.line;
}

const NEWLINE = Buffer.from('\n');
