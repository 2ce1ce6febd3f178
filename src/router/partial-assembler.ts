import { randomBytes } from 'node:crypto';
import type { SinkEntry } from '../sinks/sink.js';
import type { FilePosition } from '../store/log-stream.js';
import type { StoredEntry } from '../store/stored-entry.js';

/** A line ready for a sink, with the checkpoint that is safe once it (and all before it) is delivered. */
export interface Ready {
  entry: SinkEntry;
  checkpoint: FilePosition;
}

export interface AssemblerOptions {
  /** Join Docker's 16 KiB chunks back into whole lines (default); false keeps Docker's split. */
  reassemble: boolean;
  /** Longest reassembled line; the rest is cut off and a marker appended. */
  maxBytes: number;
  onCut: (droppedBytes: number) => void;
}

interface Group {
  chunks: Buffer[];
  bytes: number;
  cut: number;
  sec: number;
  nsec: number;
  /** Checkpoint before the group's first chunk: nothing past it is safe while the group is open. */
  start: FilePosition;
  ordinal: number;
  id: string;
}

export function cutMarker(maxBytes: number): string {
  return ` [tslogs: line cut at ${maxBytes} bytes]`;
}

/**
 * json-file keeps no partial metadata: a chunk is partial when its `log` lacks the
 * trailing newline (spec §6.2). Chunks are grouped per stream, since stdout and
 * stderr interleave.
 */
export class PartialAssembler {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly options: AssemblerOptions,
    private cursor: FilePosition,
  ) {}

  push(stored: StoredEntry, end: FilePosition, out: Ready[]): void {
    const before = this.cursor;
    this.cursor = end;
    const complete = stored.newline;
    // The common case: a whole line and nothing open. A complete stored entry is a SinkEntry as it is.
    if (complete && this.groups.size === 0) {
      out.push({ entry: stored, checkpoint: end });
      return;
    }
    const { line, source } = stored;
    const group = this.groups.get(source);
    if (!this.options.reassemble) {
      if (!complete || group !== undefined) {
        const g = group ?? this.open(stored, before);
        g.ordinal++;
        if (complete) this.groups.delete(source);
        const partial = { ordinal: g.ordinal, last: complete, id: g.id };
        out.push({ entry: { line, source, sec: g.sec, nsec: g.nsec, partial }, checkpoint: end });
        return;
      }
      out.push({ entry: stored, checkpoint: end });
      return;
    }
    if (!complete) {
      this.append(group ?? this.open(stored, before), line);
      return;
    }
    if (group === undefined) {
      out.push({ entry: stored, checkpoint: this.safe() });
      return;
    }
    this.append(group, line);
    this.groups.delete(source);
    out.push({ entry: this.joined(group, source), checkpoint: this.safe() });
  }

  /** The container stopped: an unterminated last line will never be completed, send what there is. */
  flush(out: Ready[]): void {
    if (!this.options.reassemble) {
      this.groups.clear();
      return;
    }
    // Oldest group first; each entry's checkpoint stays behind the groups still to be sent.
    for (const [stream, group] of [...this.groups.entries()]) {
      this.groups.delete(stream);
      out.push({ entry: this.joined(group, stream), checkpoint: this.safe() });
    }
  }

  private open(stored: StoredEntry, before: FilePosition): Group {
    const group: Group = { chunks: [], bytes: 0, cut: 0, sec: stored.sec, nsec: stored.nsec, start: before, ordinal: 0, id: randomBytes(32).toString('hex') };
    this.groups.set(stored.source, group);
    return group;
  }

  private append(group: Group, chunk: Buffer): void {
    const room = this.options.maxBytes - group.bytes;
    if (chunk.length <= room) {
      group.chunks.push(chunk);
      group.bytes += chunk.length;
      return;
    }
    if (room > 0) {
      group.chunks.push(chunk.subarray(0, room));
      group.bytes += room;
    }
    group.cut += chunk.length - Math.max(room, 0);
  }

  private joined(group: Group, stream: string): SinkEntry {
    const parts = group.cut > 0 ? [...group.chunks, Buffer.from(cutMarker(this.options.maxBytes))] : group.chunks;
    if (group.cut > 0) this.options.onCut(group.cut);
    return { line: Buffer.concat(parts), source: stream, sec: group.sec, nsec: group.nsec };
  }

  /** Past every open group's start: the earliest-opened group holds the checkpoint back. */
  private safe(): FilePosition {
    const first = this.groups.values().next();
    return first.done ? this.cursor : first.value.start;
  }
}
