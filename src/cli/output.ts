// Printing entries as `docker logs` does: each line to stdout or stderr by its stream,
// `-t` as Go's fixed 9-digit RFC 3339 in UTC, `--details` as the single space Docker
// prints for a plugin (docs/docker-compat.md §4.8: plugins have no attrs to show). Several containers
// get `docker compose logs` prefixes; --json prints one object per line.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatFixedNano } from '../go/time.js';
import type { StoredEntry } from '../store/stored-entry.js';
import { appendBytes, ByteSink } from '../util/byte-sink.js';
import type { Run } from './merge.js';

export interface OutputOptions {
  timestamps: boolean;
  details: boolean;
  json: boolean;
  /** Per source: the `name | ` prefix for each target, or undefined for none. */
  prefixes: ({ stdout: Buffer; stderr: Buffer } | undefined)[];
  /** Per source, for --json. */
  names: string[];
  ids: string[];
}

// `docker compose logs` colours (cyan, yellow, green, magenta, blue, then their bright forms).
const PALETTE = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

/** A colour that depends on the name only, so a container keeps it from run to run. */
export function colourOf(name: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** `name  | ` padded to the widest name, coloured per target when that target is a terminal. */
export function makePrefixes(names: readonly string[], colour: { stdout: boolean; stderr: boolean }): { stdout: Buffer; stderr: Buffer }[] {
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((name) => {
    const text = `${name.padEnd(width)} | `;
    const paint = (on: boolean): Buffer => Buffer.from(on ? `\x1b[${colourOf(name)}m${text}\x1b[0m` : text);
    return { stdout: paint(colour.stdout), stderr: paint(colour.stderr) };
  });
}

/** Whether to colour a stream: a terminal, NO_COLOR unset or empty, no --no-color. */
export function wantColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColor: boolean): boolean {
  return stream.isTTY === true && !noColor && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

const FLUSH_AT = 256 * 1024;

export class Output {
  private readonly out = new ByteSink(FLUSH_AT + 64 * 1024);
  private target: Writable | undefined;

  constructor(
    private readonly options: OutputOptions,
    private readonly stdout: Writable,
    private readonly stderr: Writable,
  ) {}

  async write(run: Run): Promise<void> {
    const o = this.options;
    const prefix = o.prefixes[run.source];
    for (const e of run.entries) {
      if (o.json) {
        await this.switchTo(this.stdout);
        this.append(Buffer.from(this.json(run.source, e)));
      } else {
        const toOut = e.source === 'stdout';
        if (!toOut && e.source !== 'stderr') continue; // Docker drops other sources
        await this.switchTo(toOut ? this.stdout : this.stderr);
        if (prefix !== undefined) this.append(toOut ? prefix.stdout : prefix.stderr);
        if (o.timestamps) this.ascii(formatFixedNano(e.sec, e.nsec) + ' ');
        if (o.details) this.ascii(' ');
        this.append(e.line);
        // A prefixed line must end its line, or the next container's would be glued to it.
        if (e.newline || prefix !== undefined) this.ascii('\n');
      }
      if (this.out.pos >= FLUSH_AT) await this.flush();
    }
    await this.flush();
  }

  private json(source: number, e: StoredEntry): string {
    return (
      JSON.stringify({
        time: formatFixedNano(e.sec, e.nsec),
        container: this.options.names[source],
        id: this.options.ids[source],
        stream: e.source,
        line: e.line.toString('utf8'),
      }) + '\n'
    );
  }

  private async switchTo(target: Writable): Promise<void> {
    if (this.target !== target) {
      await this.flush();
      this.target = target;
    }
  }

  private append(b: Buffer): void {
    appendBytes(this.out, b);
  }

  private ascii(s: string): void {
    this.out.reserve(s.length);
    this.out.pos += this.out.buf.write(s, this.out.pos, 'latin1');
  }

  async flush(): Promise<void> {
    if (this.out.pos === 0 || this.target === undefined) return;
    // The stream may keep the chunk until it is written: hand over a copy.
    const chunk = Buffer.from(this.out.view());
    this.out.reset();
    if (!this.target.write(chunk)) await once(this.target, 'drain');
  }
}
