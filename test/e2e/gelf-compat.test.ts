// The gelf sink as a drop-in for Docker's gelf driver: the same workloads run once with
// `--log-driver gelf` and once with the tslogs plugin, same options, to the same GELF
// receivers on loopback (test/helpers/gelf-receiver.ts reassembles chunks by message id,
// decompresses, parses). For udp × {gzip, gzip level 0, zlib, zlib level 0, none} and tcp
// the decoded messages must be byte-identical JSON apart from the timestamp and the
// container's own values (id, name, created, tag = short id), per stream and in order;
// the UDP chunk layout must follow go-gelf's rule on both sides and be identical where the
// payload bytes are (none, level 0). tslogs runs with partial-reassembly=false there, to
// send Docker's 16 KiB partials as Docker does; the default (whole lines) is checked too.
// Also: option errors against the real driver's texts, the 128-chunk limit, a TCP outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressPayload, GELF_CHUNK_DATA, chunkCount } from '../../src/sinks/gelf/format.js';
import { GelfTcpReceiver, GelfUdpReceiver, type GelfMessage } from '../helpers/gelf-receiver.js';
import { limiter } from './helpers/compat.js';
import { BB_IMAGE, cleanupContainers, PLUGIN_NAME, runContainerFull, runOutcome, uniqueName, waitFor, type RunResult } from './helpers/docker.js';
import {
  emptyLines,
  interleaved,
  longLine,
  noTrailingNewline,
  replaceInvalidUtf8PerByte,
  shortLines,
  trickyBytes,
} from './helpers/workloads.js';

const LABELS: Record<string, string> = { lab1: 'v<1> &/x=y,z \u00e9', lab2: 'plain', 'rx.one': 'r1', _under: 'u', unselected: 'not sent' };
const ENV: Record<string, string> = { E1: 'x 1', E2: 'tab\there', E3: 'not sent' };
const BASE_OPTS: Record<string, string> = { labels: 'lab1,lab2,_under,missing', 'labels-regex': '^rx\\.', env: 'E1,E2,NOPE' };

interface GelfWorkload {
  name: string;
  cmd: string;
  stdout: Buffer;
  stderr: Buffer;
  /** A tag other than the default {{.ID}}. */
  tag?: string;
}

/** One line of n printable ASCII bytes from an LCG (busybox awk, exact in doubles): compresses poorly. */
function noiseLine(n: number): GelfWorkload {
  let s = 7;
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    s = (s * 69069 + 1) % 4294967296;
    b[i] = 33 + (Math.floor(s / 65536) % 94);
  }
  return {
    name: `noise-line-${n}`,
    cmd: `awk 'BEGIN{s=7; for(i=0;i<${n};i++){s=(s*69069+1)%4294967296; printf "%c", 33+int(s/65536)%94}; print ""}'`,
    stdout: Buffer.concat([b, Buffer.from('\n')]),
    stderr: Buffer.alloc(0),
  };
}

const WORKLOADS: GelfWorkload[] = [
  shortLines(200),
  { ...trickyBytes(), tag: '{{.ImageName}}/{{.DaemonName}}' },
  longLine(40000),
  noiseLine(60000),
  interleaved(100),
  emptyLines(),
  noTrailingNewline(),
];

interface Transport {
  name: string;
  proto: 'udp' | 'tcp';
  opts: Record<string, string>;
  compression: 'gzip' | 'zlib' | 'none';
  level: number;
}

const TRANSPORTS: Transport[] = [
  { name: 'udp-gzip', proto: 'udp', opts: {}, compression: 'gzip', level: 1 },
  { name: 'udp-gzip-level0', proto: 'udp', opts: { 'gelf-compression-level': '0' }, compression: 'gzip', level: 0 },
  { name: 'udp-zlib', proto: 'udp', opts: { 'gelf-compression-type': 'zlib' }, compression: 'zlib', level: 1 },
  { name: 'udp-zlib-level0', proto: 'udp', opts: { 'gelf-compression-type': 'zlib', 'gelf-compression-level': '0' }, compression: 'zlib', level: 0 },
  { name: 'udp-none', proto: 'udp', opts: { 'gelf-compression-type': 'none' }, compression: 'none', level: 1 },
  { name: 'tcp', proto: 'tcp', opts: {}, compression: 'none', level: 1 },
];

/** What Docker's gelf driver sends for a stream: every non-empty line, cut at 16 KiB (docs/docker-compat.md §2.3, §2.4). */
function pieces(out: Buffer): string[] {
  const result: string[] = [];
  for (let start = 0; start < out.length; ) {
    const nl = out.indexOf(0x0a, start);
    const line = out.subarray(start, nl === -1 ? out.length : nl);
    for (let i = 0; i < line.length; i += 16384) {
      result.push(replaceInvalidUtf8PerByte(line.subarray(i, Math.min(i + 16384, line.length))).toString('utf8'));
    }
    start = nl === -1 ? out.length : nl + 1;
  }
  return result;
}

function layoutOf(length: number): number[] {
  const n = chunkCount(length);
  if (n === 1) return [length];
  return Array.from({ length: n }, (_, i) => 12 + Math.min(GELF_CHUNK_DATA, length - i * GELF_CHUNK_DATA));
}

let udp: GelfUdpReceiver;
let tcp: GelfTcpReceiver;
const slot = limiter(4);

beforeAll(async () => {
  udp = await GelfUdpReceiver.start();
  tcp = await GelfTcpReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await udp?.close();
  await tcp?.close();
});

function receiverFor(t: { proto: 'udp' | 'tcp' }): GelfUdpReceiver | GelfTcpReceiver {
  return t.proto === 'udp' ? udp : tcp;
}

const messagesOf = (r: GelfUdpReceiver | GelfTcpReceiver, id: string): GelfMessage[] => r.messages.filter((m) => m.fields._container_id === id);

/** Waits for `want` messages of a container, then a moment for any extra ones. */
async function collect(r: GelfUdpReceiver | GelfTcpReceiver, id: string, want: number, what: string): Promise<GelfMessage[]> {
  await waitFor(() => messagesOf(r, id).length >= want, { timeoutMs: 60_000, intervalMs: 50, what: `${want} GELF messages from ${what} (have ${messagesOf(r, id).length})` });
  await new Promise((res) => setTimeout(res, 300));
  return messagesOf(r, id);
}

const timestampOf = (m: GelfMessage): string => /"timestamp":([^,]*),/.exec(m.json.toString('latin1'))![1]!;

/** The JSON with the timestamp and the container's own values replaced by placeholders. */
function masked(m: GelfMessage, run: RunResult): string {
  let s = m.json.toString('latin1').replace(/"timestamp":[^,]*,/, '"timestamp":<T>,');
  const subst: Array<[string, string]> = [
    [run.id, '<ID>'],
    [run.id.slice(0, 12), '<SHORT-ID>'],
    [run.name, '<NAME>'],
    [String(m.fields._created), '<CREATED>'],
  ];
  for (const [from, to] of subst) s = s.split(from).join(to);
  return s;
}

interface Side {
  run: RunResult;
  messages: GelfMessage[];
}

async function runSide(kind: 'docker' | 'tslogs', t: Transport, w: GelfWorkload, extraOpts: Record<string, string> = {}): Promise<Side> {
  const r = receiverFor(t);
  const address = t.proto === 'udp' ? udp.address : tcp.address;
  const logOpts = { 'gelf-address': address, ...t.opts, ...BASE_OPTS, ...(w.tag ? { tag: w.tag } : {}), ...extraOpts };
  const run = await runContainerFull({
    driver: kind === 'docker' ? 'gelf' : PLUGIN_NAME,
    name: uniqueName(`gelf-${kind === 'docker' ? 'd' : 't'}-${t.name}-${w.name}`),
    cmd: w.cmd,
    logOpts: kind === 'tslogs' && !('partial-reassembly' in extraOpts) ? { ...logOpts, 'partial-reassembly': 'false' } : logOpts,
    labels: LABELS,
    env: ENV,
    network: 'host',
  });
  const want = pieces(w.stdout).length + pieces(w.stderr).length;
  return { run, messages: await collect(r, run.id, want, `${kind} ${t.name} ${w.name}`) };
}

const pairs = new Map<string, Promise<{ docker: Side; ts: Side }>>();
beforeAll(() => {
  for (const t of TRANSPORTS) {
    for (const w of WORKLOADS) {
      const p = slot(async () => {
        const [docker, ts] = await Promise.all([runSide('docker', t, w), runSide('tslogs', t, w)]);
        return { docker, ts };
      });
      p.catch(() => undefined); // reported by the test that awaits it
      pairs.set(`${t.name}/${w.name}`, p);
    }
  }
});

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))('gelf %s', (_name, t) => {
  for (const w of WORKLOADS) {
    it.concurrent(`${w.name}: the same messages as Docker's gelf driver (timestamp and container values masked), same framing`, async ({ expect: ex }) => {
      const { docker, ts } = await pairs.get(`${t.name}/${w.name}`)!;
      for (const side of [docker, ts]) {
        const who = side === docker ? 'docker' : 'tslogs';
        ex(side.run.exitCode, `${who} exit code`).toBe(0);
        for (const [level, out] of [[6, w.stdout], [3, w.stderr]] as const) {
          const texts = side.messages.filter((m) => m.fields.level === level).map((m) => m.fields.short_message);
          ex(texts, `${who}: level ${level} messages vs the workload's lines cut at 16 KiB`).toEqual(pieces(out));
        }
        for (const m of side.messages) {
          const text = timestampOf(m);
          ex(text, `${who}: timestamp format`).toMatch(/^\d+(\.\d{1,3})?$/);
          ex(String(Number(text)), `${who}: timestamp in shortest form`).toBe(text);
          ex(m.compression, `${who}: compression`).toBe(t.compression);
          if (t.proto === 'udp') ex(m.datagrams, `${who}: chunk layout for ${m.payload.length} bytes`).toEqual(layoutOf(m.payload.length));
        }
        const attrs = side.messages[0]?.fields;
        if (attrs) {
          ex(attrs, `${who}: extra fields`).toMatchObject({
            '_lab1': LABELS.lab1, _lab2: 'plain', _under: 'u', '_rx.one': 'r1', _E1: 'x 1', _E2: 'tab\there',
            _image_name: BB_IMAGE, _container_name: side.run.name,
            _tag: w.tag ? `${BB_IMAGE}/docker` : side.run.id.slice(0, 12),
          });
          ex(attrs._unselected, `${who}: unselected label`).toBeUndefined();
        }
      }
      for (const level of [6, 3]) {
        const d = docker.messages.filter((m) => m.fields.level === level);
        const s = ts.messages.filter((m) => m.fields.level === level);
        ex(s.map((m) => masked(m, ts.run)), `level ${level}: tslogs JSON vs Docker's, masked`).toEqual(d.map((m) => masked(m, docker.run)));
        for (let i = 0; i < Math.min(d.length, s.length); i++) {
          const [dm, sm] = [d[i]!, s[i]!];
          if (t.compression === 'gzip') ex(sm.payload.subarray(0, 10), 'gzip header').toEqual(dm.payload.subarray(0, 10));
          if (t.compression === 'zlib') ex(sm.payload.subarray(0, 2), 'zlib header').toEqual(dm.payload.subarray(0, 2));
          if (t.proto === 'udp' && (t.compression === 'none' || t.level === 0)) {
            // Identical bytes apart from the container's values: the same layout when those have the same length.
            if (sm.json.length === dm.json.length) ex(sm.datagrams, `message ${i}: chunk layout`).toEqual(dm.datagrams);
            // Level 0 is Go's compress/flate byte for byte: recompressing Docker's JSON gives Docker's payload.
            if (t.level === 0) ex(compressPayload(dm.json, t.compression, 0).equals(dm.payload), `message ${i}: Go's stored deflate`).toBe(true);
          }
        }
      }
    }, 300_000);
  }
});

describe('gelf partials and limits', () => {
  it('by default tslogs sends a 40000-byte line whole (Docker sends its three 16 KiB partials)', async () => {
    const w = longLine(40000);
    for (const t of [TRANSPORTS.find((x) => x.name === 'udp-none')!, TRANSPORTS.find((x) => x.name === 'tcp')!]) {
      const whole = { ...w, stdout: w.stdout }; // one message of 40000 bytes
      const run = await runContainerFull({
        driver: PLUGIN_NAME,
        name: uniqueName(`gelf-t-whole-${t.name}`),
        cmd: w.cmd,
        logOpts: { 'gelf-address': receiverFor(t) === udp ? udp.address : tcp.address, ...t.opts },
        network: 'host',
      });
      const [m, ...rest] = await collect(receiverFor(t), run.id, 1, `tslogs ${t.name} whole line`);
      expect(rest).toEqual([]);
      expect(m!.fields.short_message).toBe(whole.stdout.subarray(0, 40000).toString('latin1'));
      if (t.proto === 'udp') {
        expect(m!.datagrams).toEqual(layoutOf(m!.payload.length));
        expect(m!.datagrams.length).toBeGreaterThanOrEqual(29);
      }
    }
  }, 120_000);

  it('a message needing more than 128 chunks: Docker drops it (msg too large, would need N chunks) and keeps logging; so does tslogs', async () => {
    // 120 KB of extra fields make every message large; the 16000 `<` (6 bytes each in JSON) push one past 128 chunks.
    const big = 'y'.repeat(120_000);
    const cmd = `echo before; head -c 16000 /dev/zero | tr '\\0' '<'; echo; echo after`;
    const t = TRANSPORTS.find((x) => x.name === 'udp-none')!;
    const sides = await Promise.all(
      (['gelf', PLUGIN_NAME] as const).map((driver) =>
        runContainerFull({
          driver,
          name: uniqueName(`gelf-big-${driver === 'gelf' ? 'd' : 't'}`),
          cmd,
          logOpts: { 'gelf-address': udp.address, ...t.opts, labels: 'big' },
          labels: { big },
          network: 'host',
        }),
      ),
    );
    for (const run of sides) {
      const got = await collect(udp, run.id, 2, `${run.name}`);
      expect(got.map((m) => m.fields.short_message), run.name).toEqual(['before', 'after']);
      expect(got.every((m) => m.datagrams.length > 80 && m.datagrams.length <= 128), run.name).toBe(true);
      expect(run.exitCode).toBe(0);
    }
    expect(udp.errors).toEqual([]);
  }, 120_000);

  it('TCP receiver down for a while mid-run, then back: every line arrives, in order', async () => {
    const r = await GelfTcpReceiver.start();
    try {
      const count = 60;
      const run = await runContainerFull({
        driver: PLUGIN_NAME,
        name: uniqueName('gelf-t-outage'),
        cmd: `i=1; while [ $i -le ${count} ]; do echo "tick $i"; sleep 0.1; i=$((i+1)); done`,
        logOpts: { 'gelf-address': r.address, 'sink-retry-max': '500ms' },
        network: 'host',
        detach: true,
      });
      await r.waitForMessages(10, 30_000);
      await r.stop();
      await new Promise((res) => setTimeout(res, 2500));
      await r.listen();
      const want = Array.from({ length: count }, (_, i) => `tick ${i + 1}`);
      const lines = () => messagesOf(r, run.id).map((m) => m.fields.short_message as string);
      await waitFor(() => new Set(lines()).size === count, { timeoutMs: 60_000, what: `${count} distinct lines (have ${new Set(lines()).size})` });
      // Repeats can only come from the re-written tail of the lost connection.
      expect(lines().filter((l, i, all) => all.indexOf(l) === i)).toEqual(want);
      expect(r.connections).toBeGreaterThanOrEqual(2);
    } finally {
      await r.close();
    }
  }, 120_000);
});

describe('gelf option errors: the texts of Docker\'s gelf driver', () => {
  const UDP = { 'gelf-address': 'udp://127.0.0.1:12201' };
  const TCP = { 'gelf-address': 'tcp://127.0.0.1:12201' };
  const CASES: Array<{ opts: Record<string, string>; message: string; tslogsOpts?: Record<string, string>; tslogsMessage?: string }> = [
    // tslogs enables a sink by its address; `sinks=gelf` asks for it without one.
    { opts: {}, tslogsOpts: { sinks: 'gelf' }, message: 'gelf-address is a required parameter' },
    { opts: { 'gelf-address': 'http://127.0.0.1:12201' }, message: 'gelf-address should be in form proto://address, got http://127.0.0.1:12201' },
    { opts: { 'gelf-address': 'unix:///run/gelf.sock' }, message: 'gelf: endpoint needs to be TCP or UDP' },
    { opts: { 'gelf-address': 'udp://127.0.0.1' }, message: 'gelf: please provide gelf-address as proto://host:port' },
    { opts: { 'gelf-address': 'udp://gray log:1' }, message: 'parse "udp://gray log:1": invalid character " " in host name' },
    { opts: { 'gelf-address': 'udp://127.0.0.1:99999' }, message: 'gelf: cannot connect to GELF endpoint: 127.0.0.1:99999 dial udp: address 99999: invalid port' },
    { opts: { ...UDP, 'gelf-compression-type': 'lz4' }, message: 'unknown value "lz4" for log opt "gelf-compression-type" for gelf log driver' },
    { opts: { ...UDP, 'gelf-compression-level': '10' }, message: 'unknown value "10" for log opt "gelf-compression-level" for gelf log driver' },
    { opts: { ...UDP, 'gelf-compression-level': 'x' }, message: 'unknown value "x" for log opt "gelf-compression-level" for gelf log driver' },
    { opts: { ...TCP, 'gelf-compression-type': 'gzip' }, message: 'compression is only supported on UDP' },
    { opts: { ...UDP, 'gelf-tcp-max-reconnect': '3' }, message: '"gelf-tcp-max-reconnect" is only valid for TCP' },
    { opts: { ...TCP, 'gelf-tcp-reconnect-delay': '-1' }, message: '"gelf-tcp-reconnect-delay" must be a positive integer' },
    { opts: { ...TCP, 'gelf-tcp-max-reconnect': 'many' }, message: '"gelf-tcp-max-reconnect" must be a positive integer' },
    {
      opts: { ...UDP, 'gelf-bogus': '1' },
      message: 'unknown log opt "gelf-bogus" for gelf log driver',
      // The router refuses a key no part of tslogs owns before any sink sees it.
      tslogsMessage: "unknown log opt 'gelf-bogus' for tslogs log driver",
    },
  ];
  for (const c of CASES) {
    const label = Object.entries(c.opts).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';
    it.concurrent(`--log-opt ${label} is refused: ${c.message}`, async ({ expect: ex }) => {
      const results = await Promise.all(
        (['gelf', PLUGIN_NAME] as const).map(async (driver) => {
          const logOpts = driver === 'gelf' ? c.opts : { ...c.opts, ...c.tslogsOpts };
          return { driver, ...(await runOutcome({ driver, logOpts, cmd: 'true', name: uniqueName(`gelf-bad-${driver === 'gelf' ? 'd' : 't'}`) })) };
        }),
      );
      for (const r of results) {
        const text = r.driver === 'gelf' ? c.message : c.tslogsMessage ?? c.message;
        ex(r.code, `${r.driver}: exit code (${r.stderr})`).toBe(125);
        ex(r.stderr, `${r.driver}: error`).toContain(`${text}`);
      }
    }, 60_000);
  }
});
