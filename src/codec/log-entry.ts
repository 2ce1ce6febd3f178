// The protobuf `LogEntry` Docker writes into a log FIFO (docs/docker-compat.md §3.1), with the
// time split into whole seconds and nanoseconds so the hot path never needs BigInt.

export interface PartialMeta {
  last: boolean;
  id: string;
  ordinal: number;
}

export interface LogEntry {
  source: string;
  /** Unix seconds of `time_nano` (floor division, so negative times keep 0 <= nsec < 1e9). */
  sec: number;
  nsec: number;
  /** The line without its newline. Decoders hand out views into their input: copy to keep. */
  line: Buffer;
  partial: boolean;
  /** Present only when `partial` is set and the frame carried metadata. */
  meta: PartialMeta | undefined;
}

/** Whether json-file and `docker logs` put the newline back after this entry (docs/docker-compat.md §6.2). */
export function endsLine(entry: LogEntry): boolean {
  return !entry.partial || entry.meta?.last === true;
}

export function timeNanoOf(entry: Pick<LogEntry, 'sec' | 'nsec'>): bigint {
  return BigInt(entry.sec) * 1_000_000_000n + BigInt(entry.nsec);
}

export function splitTimeNano(ns: bigint): { sec: number; nsec: number } {
  let sec = ns / 1_000_000_000n;
  let nsec = ns - sec * 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

/** Orders entries by time; used by since/until filters. */
export function compareTime(a: Pick<LogEntry, 'sec' | 'nsec'>, b: Pick<LogEntry, 'sec' | 'nsec'>): number {
  return a.sec - b.sec || a.nsec - b.nsec;
}
