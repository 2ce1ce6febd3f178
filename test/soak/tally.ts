// Counts the soak's marked lines (workload.ts) where they arrived: gaps within a
// container start's numbering are lost lines, a number seen twice is a duplicate.
import fs from 'node:fs';
import readline from 'node:readline';
import { LONG_PAD, parseMark } from './workload.js';

interface Run {
  seen: Set<number>;
  max: number;
  /** The count its `E` line gave, when the start ended by itself. */
  ended: number | undefined;
}

export interface TallyFigures {
  /** Container starts (name, epoch) seen. */
  starts: number;
  /** Distinct marked lines. */
  lines: number;
  /** Numbers missing below each start's last line (or its `E` count). */
  lost: number;
  duplicates: number;
  /** Long lines whose padding did not arrive whole. */
  damaged: number;
}

export class Tally {
  private readonly runs = new Map<string, Run>();
  duplicates = 0;
  damaged = 0;

  /** One whole line (a long line's partial frames joined, or its first chunk at a sink). */
  add(line: string, checkLong = true): void {
    const mark = parseMark(line);
    if (mark === undefined) return;
    let run = this.runs.get(mark.key);
    if (run === undefined) this.runs.set(mark.key, (run = { seen: new Set(), max: 0, ended: undefined }));
    if (mark.end) {
      run.ended = mark.n;
      return;
    }
    if (run.seen.has(mark.n)) this.duplicates++;
    else run.seen.add(mark.n);
    if (mark.n > run.max) run.max = mark.n;
    if (checkLong && mark.rest.length > 0 && mark.rest !== ` ${'x'.repeat(LONG_PAD)}`) this.damaged++;
  }

  has(key: string, n: number): boolean {
    return this.runs.get(key)?.seen.has(n) ?? false;
  }

  /** Every marked line this tally holds that `other` lacks. */
  missingFrom(other: Tally): number {
    let missing = 0;
    for (const [key, run] of this.runs) for (const n of run.seen) if (!other.has(key, n)) missing++;
    return missing;
  }

  figures(): TallyFigures {
    let lines = 0;
    let lost = 0;
    for (const run of this.runs.values()) {
      lines += run.seen.size;
      lost += Math.max(run.ended ?? run.max, run.max) - run.seen.size;
    }
    return { starts: this.runs.size, lines, lost, duplicates: this.duplicates, damaged: this.damaged };
  }
}

/** Adds a json-file log (one container's store file) to `tally`, joining partial entries. */
export async function tallyJsonFile(file: string, tally: Tally): Promise<void> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let partial = '';
  for await (const text of lines) {
    if (text === '') continue;
    const log = (JSON.parse(text) as { log: string }).log;
    if (!log.endsWith('\n')) {
      partial += log;
      continue;
    }
    tally.add(partial + log.slice(0, -1));
    partial = '';
  }
  if (partial !== '') tally.add(partial);
}
