import { endsLine, type LogEntry } from '../../codec/log-entry.js';
import type { Redactor } from './redactor.js';

/**
 * The most of one line's chunks held back at ingest before they are masked and stored
 * anyway; a match across that point is not found (README "Redaction").
 */
export const STORE_REDACT_HOLD_BYTES = 1024 * 1024;

interface Held {
  chunks: LogEntry[];
  bytes: number;
}

/**
 * `redact-store=true`: masks entries on their way from the FIFO to the store. The
 * store keeps Docker's 16 KiB chunks of a long line as separate entries, as json-file
 * does, so a secret cut in two by dockerd would be in neither chunk: the chunks of a
 * line are held (per stream) until its last one, masked as one line, and stored cut
 * again at the lengths dockerd cut them (the last chunk taking what is left). While a
 * stream's long line is held, the other stream's entries are stored before it.
 */
export class StoreRedactor {
  private readonly held = new Map<string, Held>();
  /** Entries stored with at least one match masked (one per held line). */
  redacted = 0;

  constructor(
    private readonly redactor: Redactor,
    private readonly append: (entry: LogEntry) => void,
  ) {}

  push(entry: LogEntry): void {
    const held = this.held.get(entry.source);
    if (held === undefined && endsLine(entry)) {
      const line = this.redactor.redact(entry.line);
      if (line !== undefined) this.redacted++;
      this.append(line === undefined ? entry : { ...entry, line });
      return;
    }
    // The decoder's entries are views into its input: a held chunk is copied.
    const chunk = { ...entry, line: Buffer.from(entry.line) };
    if (held === undefined) this.held.set(entry.source, { chunks: [chunk], bytes: chunk.line.length });
    else {
      held.chunks.push(chunk);
      held.bytes += chunk.line.length;
    }
    const h = this.held.get(entry.source)!;
    if (endsLine(entry) || h.bytes >= STORE_REDACT_HOLD_BYTES) this.release(entry.source, h);
  }

  /** The FIFO ended: a line that never got its last chunk is stored as far as it goes. */
  end(): void {
    for (const [source, h] of [...this.held]) this.release(source, h);
  }

  private release(source: string, h: Held): void {
    this.held.delete(source);
    const joined = Buffer.concat(h.chunks.map((c) => c.line));
    const masked = this.redactor.redact(joined);
    if (masked === undefined) {
      for (const c of h.chunks) this.append(c);
      return;
    }
    this.redacted++;
    let at = 0;
    for (let i = 0; i < h.chunks.length; i++) {
      const c = h.chunks[i]!;
      const last = i === h.chunks.length - 1;
      const end = last ? masked.length : Math.min(at + c.line.length, masked.length);
      // A mask shorter than what it replaced leaves fewer chunks; the last one keeps its end of line.
      if (end === at && !last) continue;
      this.append({ ...c, line: masked.subarray(at, end) });
      at = end;
    }
  }
}
