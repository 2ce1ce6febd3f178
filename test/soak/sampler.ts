// Samples a process's resident memory and open file descriptors from /proc, and
// judges their growth over the end of a run.
import fs from 'node:fs';

export interface Sample {
  /** ms since the sampler started. */
  t: number;
  rssKiB: number;
  fds: number;
}

export function sampleProcess(pid: number): { rssKiB: number; fds: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return { rssKiB: rss === null ? 0 : Number(rss[1]), fds: fs.readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

export class Sampler {
  readonly samples: Sample[] = [];
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number, private readonly everyMs: number) {}

  start(): void {
    const take = () => {
      const s = sampleProcess(this.pid);
      if (s !== undefined) this.samples.push({ t: Date.now() - this.started, ...s });
    };
    take();
    this.timer = setInterval(take, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
};

export interface Growth {
  /** Median over the first `spanMs` of the window. */
  from: number;
  /** Median over the last `spanMs`. */
  to: number;
  /** (to − from) / from. */
  ratio: number;
}

/**
 * Growth of `pick` from the start of the window [fromMs, toMs] to its end. Each end is
 * the median over `spanMs` (a whole flap cycle, so that a sink being down at one
 * sample, with its connections closed, does not count as a change).
 */
export function growth(samples: readonly Sample[], pick: (s: Sample) => number, fromMs: number, toMs: number, spanMs: number): Growth {
  const within = (a: number, b: number) => samples.filter((s) => s.t >= a && s.t <= b).map(pick);
  const from = median(within(fromMs, fromMs + spanMs));
  const to = median(within(toMs - spanMs, toMs));
  return { from, to, ratio: (to - from) / from };
}
