import { parseRfc3339 } from './go-time.js';

/** One json-file line read back: `log` keeps its newline, exactly what `docker logs` prints. */
export interface StoredEntry {
  log: Buffer;
  stream: string;
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
  const log = typeof parsed.log === 'string' ? Buffer.from(parsed.log, 'utf8') : Buffer.alloc(0);
  return { log, stream: parsed.stream, sec: time.sec, nsec: time.nsec };
}
