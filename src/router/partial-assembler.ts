import { randomBytes } from 'node:crypto';
import type { SinkEntry } from '../sinks/sink.js';
import type { FilePosition } from '../store/log-stream.js';
import type { EntryOutput } from './ready-queue.js';
import type { StoredEntry } from '../store/stored-entry.js';


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
  /**
   * Nothing past it is safe while the group is open: the checkpoint before its first
   * chunk, or, when it opened inside a group of the other stream (whose last chunk comes
   * later still), that group's: a delivery resumed between the two would find the other
   * group's last chunks without their first.
   */
  hold: FilePosition;
  ordinal: number;
  id: string;
}

export function cutMarker(maxBytes: number): string {
  return ` [tslogs: line cut at ${maxBytes} bytes]`;
}

/**
 * json-file keeps no partial metadata: a chunk is partial when its `log` lacks the
 * trailing newline (docs/docker-compat.md §6.2). Chunks are grouped per stream, since stdout and
 * stderr interleave.
 */
export class PartialAssembler {
  private readonly groups = new Map<string, Group>();

  /** Just after the last entry pushed (or where reading started). */
  private cursorFile: string;
  private cursorOffset: number;

  constructor(
    private readonly options: AssemblerOptions,
    start: FilePosition,
  ) {
    this.cursorFile = start.file;
    this.cursorOffset = start.offset;
  }

  /** `file`, `offset`: just after `stored` in the store. */
  push(stored: StoredEntry, file: string, offset: number, out: EntryOutput): void {
    const complete = stored.newline;
    // The common case: a whole line and nothing open. A complete stored entry is a SinkEntry as it is.
    if (complete && this.groups.size === 0) {
      this.cursorFile = file;
      this.cursorOffset = offset;
      out.push(stored, file, offset);
      return;
    }
    const before = this.cursor();
    this.cursorFile = file;
    this.cursorOffset = offset;
    const { line, source } = stored;
    const group = this.groups.get(source);
    if (!this.options.reassemble) {
      if (!complete || group !== undefined) {
        const g = group ?? this.open(stored, before);
        g.ordinal++;
        if (complete) this.groups.delete(source);
        const partial = { ordinal: g.ordinal, last: complete, id: g.id };
        out.push({ line, source, sec: g.sec, nsec: g.nsec, partial }, file, offset);
        return;
      }
      out.push(stored, file, offset);
      return;
    }
    if (!complete) {
      this.append(group ?? this.open(stored, before), line);
      return;
    }
    if (group === undefined) {
      this.pushSafe(stored, out);
      return;
    }
    this.append(group, line);
    this.groups.delete(source);
    this.pushSafe(this.joined(group, source), out);
  }

  /** The container stopped: an unterminated last line will never be completed, send what there is. */
  flush(out: EntryOutput): void {
    if (!this.options.reassemble) {
      this.groups.clear();
      out.end?.();
      return;
    }
    // Oldest group first; each entry's checkpoint stays behind the groups still to be sent.
    for (const [stream, group] of [...this.groups.entries()]) {
      this.groups.delete(stream);
      this.pushSafe(this.joined(group, stream), out);
    }
    out.end?.();
  }

  private open(stored: StoredEntry, before: FilePosition): Group {
    const hold = this.groups.values().next().value?.hold ?? before;
    const group: Group = { chunks: [], bytes: 0, cut: 0, sec: stored.sec, nsec: stored.nsec, hold, ordinal: 0, id: randomBytes(32).toString('hex') };
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

  /** Queues `entry` at a checkpoint no open group has passed: the earliest-opened group holds it back. */
  private pushSafe(entry: SinkEntry, out: EntryOutput): void {
    const first = this.groups.values().next();
    if (first.done) out.push(entry, this.cursorFile, this.cursorOffset);
    else out.push(entry, first.value.hold.file, first.value.hold.offset);
  }

  private cursor(): FilePosition {
    return { file: this.cursorFile, offset: this.cursorOffset };
  }
}
