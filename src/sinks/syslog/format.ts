// The bytes Docker's syslog driver sends (docs/docker-compat.md §9.3): srslog's UnixFormatter and
// RFC3164Formatter, Docker's two RFC 5424 formatters (the tag as APP-NAME and
// MSGID), and srslog's framers. Pure: the time and the zone are arguments.
//
// Docker's copier hands a driver at most 16 KiB of a line at a time, and the
// syslog driver sends each piece as its own message and skips empty ones. The
// router gives this sink whole lines, so they are cut again here at the same
// 16384-byte boundaries (Docker always cuts at exact multiples of the buffer
// size), which yields exactly Docker's messages.

import { appendBytes, ByteSink } from '../../util/byte-sink.js';
import type { SinkEntry } from '../sink.js';

export type SyslogFormat = '' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

export const SYSLOG_FORMATS: readonly SyslogFormat[] = ['', 'rfc3164', 'rfc5424', 'rfc5424micro'];

/** Docker's copier buffer (daemon/logger/copier.go defaultBufSize). */
export const DOCKER_CHUNK_BYTES = 16 * 1024;

/** Severities Docker uses: LOG_ERR for stderr, LOG_INFO for everything else. */
export const SEVERITY_ERR = 3;
export const SEVERITY_INFO = 6;

export interface FormatSettings {
  format: SyslogFormat;
  /** 0-23 (daemon = 3). */
  facility: number;
  /** The daemon host's name (os.Hostname). */
  hostname: string;
  /** The rendered tag. */
  tag: string;
  /** Docker puts dockerd's PID here; tslogs puts its own. */
  pid: number;
  /** RFC 5425 octet counting (Docker: tcp+tls with rfc5424/rfc5424micro); otherwise none. */
  octetCounting: boolean;
}

/** Minutes east of UTC at an instant, e.g. 60 for +01:00. */
export type ZoneOffset = (epochMs: number) => number;

/** The process's local zone, as Go's time.Local (TZ, else /etc/localtime). */
export const localZoneOffset: ZoneOffset = (epochMs) => {
  const offset = -new Date(epochMs).getTimezoneOffset();
  // -0 would print as "+00:00"; Go prints "Z" for a zero offset.
  return offset === 0 ? 0 : offset;
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Wall-clock fields of an instant in a zone. */
function wall(epochMs: number, offsetMinutes: number): Date {
  return new Date(epochMs + offsetMinutes * 60_000);
}

/** Go's time.Stamp layout `Jan _2 15:04:05`. */
export function formatStamp(epochMs: number, offsetMinutes: number): string {
  const d = wall(epochMs, offsetMinutes);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** Go's `Z07:00`: `Z` for UTC, else `+hh:mm` / `-hh:mm`. */
export function formatZone(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const a = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/**
 * Go's time.RFC3339 (`2006-01-02T15:04:05Z07:00`) or, with `micro`, Docker's
 * `2006-01-02T15:04:05.000000Z07:00`.
 */
export function formatRfc3339(epochMicros: number, offsetMinutes: number, micro: boolean): string {
  const ms = Math.floor(epochMicros / 1000);
  const d = wall(ms, offsetMinutes);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  const date = `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const frac = micro ? `.${String(epochMicros - Math.floor(epochMicros / 1e6) * 1e6).padStart(6, '0')}` : '';
  return `${date}T${time}${frac}${formatZone(offsetMinutes)}`;
}

/** The pieces of a line Docker sends as separate messages: 16 KiB cuts, empty pieces skipped. */
export function dockerPieces(line: Buffer): Buffer[] {
  if (line.length <= DOCKER_CHUNK_BYTES) return line.length === 0 ? [] : [line];
  const out: Buffer[] = [];
  for (let i = 0; i < line.length; i += DOCKER_CHUNK_BYTES) out.push(line.subarray(i, i + DOCKER_CHUNK_BYTES));
  return out;
}

/** A batch as bytes: one buffer, with the end offset of every (framed) message. */
export interface EncodedBatch {
  data: Buffer;
  ends: number[];
}

/** The constant parts of a container's messages, computed once. */
export class SyslogEncoder {
  private readonly micro: boolean;
  private readonly rfc5424: boolean;
  /** `<PRI>` or `<PRI>1 ` for stderr (LOG_ERR) and everything else (LOG_INFO). */
  private readonly headErr: Buffer;
  private readonly headInfo: Buffer;
  /** Everything between the timestamp and the message text. */
  private readonly afterTime: Buffer;
  /** Per-second timestamp cache; rfc5424micro keeps the part before the microseconds and the zone. */
  private cachedSecond = Number.NaN;
  private cachedTime = '';
  private cachedHead = Buffer.alloc(0);
  private cachedZone = Buffer.alloc(0);

  constructor(
    private readonly s: FormatSettings,
    private readonly zone: ZoneOffset = localZoneOffset,
  ) {
    this.micro = s.format === 'rfc5424micro';
    this.rfc5424 = s.format === 'rfc5424' || this.micro;
    const head = (severity: number): Buffer => {
      const pri = s.facility * 8 + severity;
      return Buffer.from(this.rfc5424 ? `<${pri}>1 ` : `<${pri}>`, 'latin1');
    };
    this.headErr = head(SEVERITY_ERR);
    this.headInfo = head(SEVERITY_INFO);
    let after: string;
    if (this.rfc5424) after = ` ${s.hostname} ${s.tag} ${s.pid} ${s.tag} - `;
    else if (s.format === 'rfc3164') after = ` ${s.hostname} ${s.tag}[${s.pid}]: `;
    else after = ` ${s.tag}[${s.pid}]: `;
    this.afterTime = Buffer.from(after, 'utf8');
  }

  /** The timestamp text for a send time. */
  timestamp(epochMicros: number): string {
    const out = new ByteSink(64);
    this.writeTimestamp(epochMicros, out);
    return out.view().toString('latin1');
  }

  /** Length of the timestamp writeTimestamp() writes for this send time (it refreshes the cache). */
  private timestampLength(epochMicros: number): number {
    this.refresh(Math.floor(epochMicros / 1e6));
    return this.micro ? this.cachedHead.length + 6 + this.cachedZone.length : this.cachedTime.length;
  }

  private writeTimestamp(epochMicros: number, out: ByteSink): void {
    const second = Math.floor(epochMicros / 1e6);
    this.refresh(second);
    if (!this.micro) {
      out.reserve(this.cachedTime.length);
      out.pos += out.buf.write(this.cachedTime, out.pos, 'latin1');
      return;
    }
    appendBytes(out, this.cachedHead);
    out.reserve(6);
    let micros = epochMicros - second * 1e6;
    for (let i = 5; i >= 0; i--) {
      const q = (micros / 10) | 0;
      out.buf[out.pos + i] = 0x30 + micros - q * 10;
      micros = q;
    }
    out.pos += 6;
    appendBytes(out, this.cachedZone);
  }

  /** The zone is asked once a second: an offset only changes on a second boundary. */
  private refresh(second: number): void {
    if (second === this.cachedSecond) return;
    const ms = second * 1000;
    const offset = this.zone(ms);
    if (this.micro) {
      // `2006-01-02T15:04:05.` + microseconds + zone.
      this.cachedHead = Buffer.from(formatRfc3339(second * 1e6, offset, false).slice(0, 19) + '.', 'latin1');
      this.cachedZone = Buffer.from(formatZone(offset), 'latin1');
    } else this.cachedTime = this.rfc5424 ? formatRfc3339(second * 1e6, offset, false) : formatStamp(ms, offset);
    this.cachedSecond = second;
  }

  /**
   * The messages for a batch, framed for the transport, concatenated. `now()` is
   * the send time in microseconds since the epoch (Docker stamps messages when it
   * sends them, not with their capture time); it is read once per message.
   */
  encode(batch: readonly SinkEntry[], now: () => number): EncodedBatch {
    let estimate = 0;
    for (const entry of batch) estimate += entry.line.length;
    const out = new ByteSink(estimate + batch.length * (this.afterTime.length + 64) + 64);
    const ends: number[] = [];
    for (const entry of batch) {
      const line = entry.line;
      if (line.length === 0) continue;
      const head = entry.source === 'stderr' ? this.headErr : this.headInfo;
      for (let from = 0; from < line.length; from += DOCKER_CHUNK_BYTES) {
        const to = Math.min(line.length, from + DOCKER_CHUNK_BYTES);
        const micros = now();
        if (this.s.octetCounting) {
          // srslog appends "\n" unless the message already ends with one (a line never does).
          const length = head.length + this.timestampLength(micros) + this.afterTime.length + (to - from) + 1;
          out.reserve(12);
          out.pos += out.buf.write(`${length} `, out.pos, 'latin1');
        }
        appendBytes(out, head);
        this.writeTimestamp(micros, out);
        appendBytes(out, this.afterTime);
        out.reserve(to - from + 1);
        out.pos += line.copy(out.buf, out.pos, from, to);
        out.buf[out.pos++] = 0x0a;
        ends.push(out.pos);
      }
    }
    return { data: out.view(), ends };
  }
}

/** One message for one entry piece at a given time: the unit the tests pin against Docker's bytes. */
export function formatMessage(settings: FormatSettings, source: string, text: Buffer, epochMicros: number, zone: ZoneOffset): Buffer {
  return new SyslogEncoder(settings, zone).encode([{ line: text, source, sec: 0, nsec: 0 }], () => epochMicros).data;
}

/** Wall clock minus the high-resolution clock, in microseconds. */
let anchorMicros = Number.NaN;
/** When (high-resolution µs) the anchor was last checked against Date.now(). */
let checkedAt = Number.NEGATIVE_INFINITY;
/** It is read once per message: Date.now() is compared only this often. */
const CHECK_EVERY_MICROS = 10_000;

/**
 * Wall-clock microseconds, like Go's time.Now(). Date.now() has milliseconds only;
 * the finer digits come from the monotonic high-resolution clock, anchored to the
 * wall clock and re-anchored whenever the two drift a millisecond apart (the
 * clock was set or slewed), checked every 10 ms, so the result stays within a few
 * milliseconds of Date.now() whatever the clock does.
 */
export function wallClockMicros(): number {
  const hr = performance.now() * 1000;
  let t = Math.floor(hr + anchorMicros);
  if (hr - checkedAt >= CHECK_EVERY_MICROS || !(t >= 0)) {
    checkedAt = hr;
    const now = Date.now();
    if (!(Math.abs(t / 1000 - now) < 1)) {
      anchorMicros = now * 1000 - hr;
      t = now * 1000;
    }
  }
  return t;
}
