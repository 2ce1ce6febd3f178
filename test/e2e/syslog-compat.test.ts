// The syslog sink as a drop-in for Docker's syslog driver: the same workload runs once
// with `--log-driver syslog` and once with the tslogs plugin, same options, to capture
// receivers on loopback or in the store directory (test/helpers/syslog-servers.ts). For
// udp, tcp and tcp+tls (a test CA under /etc/tslogs) × the four formats, and unix and
// unixgram, the messages must be byte-identical after replacing the timestamp, hostname,
// tag and PID with placeholders (Docker's PID is dockerd's, the tag holds the container
// ID), per stream and in order, with the same framing (octet counting for rfc5424* over
// tcp+tls, newline on other streams, one datagram each over udp and unixgram). The one
// content difference: bytes that are not valid UTF-8 arrive as 0xFF each (the json-file
// store keeps only "an invalid byte"), see invalidBytesAsFF.
// Also: option errors against the real driver, a server that is not up at start, and
// the throughput of both over udp and tcp (printed, for the benchmark notes).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer, DgramCapture, UdpCapture } from '../helpers/syslog-servers.js';
import { makeSyslogPki, type SyslogPki } from '../helpers/syslog-tls.js';
import { limiter } from './helpers/compat.js';
import {
  DockerError,
  PLUGIN_NAME,
  STORE_ROOT,
  cleanupContainers,
  runContainerFull,
  runOutcome,
  uniqueName,
  waitFor,
  type RunResult,
} from './helpers/docker.js';
import { emptyLines, interleaved, invalidBytesAsFF, longLine, noTrailingNewline, shortLines, trickyBytes, type Workload } from './helpers/workloads.js';
import { freePort } from '../helpers/ports.js';

type Proto = 'udp' | 'tcp' | 'tcp+tls' | 'unix' | 'unixgram';
type Format = '' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

/** Everything the issue asks for in one container: short lines, UTF-8/invalid/<>&, 16 KiB+ lines, both streams, empty lines. */
const PARTS: Workload[] = [
  shortLines(100),
  trickyBytes(),
  emptyLines(),
  longLine(16383),
  longLine(16384),
  longLine(40000),
  interleaved(50),
  noTrailingNewline(),
];
const WORKLOAD = {
  cmd: PARTS.map((w) => w.cmd).join('; '),
  stdout: Buffer.concat(PARTS.map((w) => w.stdout)),
  stderr: Buffer.concat(PARTS.map((w) => w.stderr)),
};

/** Docker's syslog messages for a stream: each non-empty line, cut at 16 KiB, raw bytes. */
function pieces(out: Buffer): Buffer[] {
  const result: Buffer[] = [];
  for (let start = 0; start < out.length; ) {
    const nl = out.indexOf(0x0a, start);
    const line = out.subarray(start, nl === -1 ? out.length : nl);
    for (let i = 0; i < line.length; i += 16384) result.push(line.subarray(i, i + 16384));
    start = nl === -1 ? out.length : nl + 1;
  }
  return result;
}
const WANT = { 6: pieces(WORKLOAD.stdout), 3: pieces(WORKLOAD.stderr) };

// ---------------------------------------------------------------------------------------
// Parsing what a receiver got

interface Message {
  /** Framing: `octet` (RFC 5425), `newline`, or `datagram`. */
  framing: 'octet' | 'newline' | 'datagram';
  raw: Buffer;
}

/** Splits a stream into messages, checking every octet count. */
function splitStream(data: Buffer, octet: boolean): Message[] {
  const out: Message[] = [];
  let at = 0;
  while (at < data.length) {
    if (octet) {
      const sp = data.indexOf(0x20, at);
      const n = Number(data.subarray(at, sp).toString('latin1'));
      if (sp < 0 || !Number.isInteger(n) || n <= 0) throw new Error(`bad octet count at ${at}: ${JSON.stringify(data.subarray(at, at + 20).toString('latin1'))}`);
      out.push({ framing: 'octet', raw: data.subarray(sp + 1, sp + 1 + n) });
      at = sp + 1 + n;
    } else {
      const nl = data.indexOf(0x0a, at);
      if (nl < 0) break; // incomplete
      out.push({ framing: 'newline', raw: data.subarray(at, nl + 1) });
      at = nl + 1;
    }
  }
  return out;
}

const STAMP = '[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d';
const RFC3339 = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:Z|[+-]\\d\\d:\\d\\d)';
const RFC3339_MICRO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}(?:Z|[+-]\\d\\d:\\d\\d)';
const HEADERS: Record<Format, RegExp> = {
  '': new RegExp(`^<(\\d+)>(${STAMP}) (\\S+)\\[(\\d+)\\]: `),
  rfc3164: new RegExp(`^<(\\d+)>(${STAMP}) (\\S+) (\\S+)\\[(\\d+)\\]: `),
  rfc5424: new RegExp(`^<(\\d+)>1 (${RFC3339}) (\\S+) (\\S+) (\\d+) (\\S+) - `),
  rfc5424micro: new RegExp(`^<(\\d+)>1 (${RFC3339_MICRO}) (\\S+) (\\S+) (\\d+) (\\S+) - `),
};

interface Parsed {
  pri: number;
  host: string;
  tag: string;
  pid: string;
  text: Buffer;
  /** The message with timestamp, host, tag and pid replaced by placeholders. */
  masked: string;
}

function parse(format: Format, m: Message): Parsed {
  const s = m.raw.toString('latin1');
  const h = HEADERS[format].exec(s);
  if (h === null) throw new Error(`not a ${format || 'unix'} message: ${JSON.stringify(s.slice(0, 120))}`);
  let host = '';
  let tag: string;
  let pid: string;
  let masked: string;
  if (format === '') {
    [tag, pid] = [h[3]!, h[4]!];
    masked = `<${h[1]}><TS> <TAG>[<PID>]: `;
  } else if (format === 'rfc3164') {
    [host, tag, pid] = [h[3]!, h[4]!, h[5]!];
    masked = `<${h[1]}><TS> <HOST> <TAG>[<PID>]: `;
  } else {
    [host, tag, pid] = [h[3]!, h[4]!, h[5]!];
    if (h[6] !== tag) throw new Error(`APP-NAME ${tag} and MSGID ${h[6]} differ`);
    masked = `<${h[1]}>1 <TS> <HOST> <TAG> <PID> <TAG> - `;
  }
  const body = m.raw.subarray(Buffer.byteLength(h[0], 'latin1'));
  if (body[body.length - 1] !== 0x0a) throw new Error(`message without its trailing newline: ${JSON.stringify(s.slice(-40))}`);
  const text = body.subarray(0, body.length - 1);
  return { pri: Number(h[1]), host, tag, pid, text, masked: `${m.framing} ${masked}${text.toString('latin1')}` };
}

// ---------------------------------------------------------------------------------------
// Runs

interface Case {
  proto: Proto;
  format: Format;
  /** Options besides the address (and the TLS CA file, which differs per side). */
  opts: Record<string, string>;
  facility: number;
}

const PROTOS: Proto[] = ['udp', 'tcp', 'tcp+tls', 'unix', 'unixgram'];
const FORMATS: Format[] = ['', 'rfc3164', 'rfc5424', 'rfc5424micro'];
const CASES: Case[] = PROTOS.flatMap((proto, p) =>
  // Unix sockets: two formats are enough (framing does not depend on the format there).
  (proto.startsWith('unix') ? (['', 'rfc5424micro'] as Format[]) : FORMATS).map((format, f) => {
    // Vary facility and tag across cases: default, a name, a number; {{.ID}} and a fixed tag.
    const variant = (p * 4 + f) % 3;
    const opts: Record<string, string> = { 'syslog-format': format };
    let facility = 3;
    if (variant === 1) {
      opts['syslog-facility'] = 'local3';
      facility = 19;
    } else if (variant === 2) {
      opts['syslog-facility'] = '17';
      facility = 17;
    }
    if ((p + f) % 2 === 1) opts.tag = 'conf-{{.DaemonName}}';
    return { proto, format, opts, facility };
  }),
);

const caseName = (c: Case) => `${c.proto}/${c.format || 'unix'}`;

let pki: SyslogPki;
/**
 * Files both sides must reach. A managed plugin sees only its mounts: TLS files go under
 * /etc/tslogs (mounted read-only at the same path, so the options are the same), unix
 * sockets in the store directory (dockerd uses its host path, the plugin /var/lib/tslogs;
 * the same path in CI).
 */
const CERTS_ROOT = '/etc/tslogs';
let certDir: string;
let sockDir: string;
const PLUGIN_STORE = '/var/lib/tslogs';
const slot = limiter(4);

interface Receiver {
  /** The syslog-address for one side (a unix socket has a host path and a path inside the plugin). */
  address(kind: 'docker' | 'tslogs'): string;
  /** The messages so far, split with the framing the case must use (a wrong one fails to parse). */
  messages(octet: boolean): Message[];
  close(): Promise<void>;
}

/** A host path inside the store directory, and the same file as the plugin sees it. */
function sharedPath(name: string): { host: string; plugin: string } {
  const host = path.join(sockDir, `${name}-${Math.random().toString(36).slice(2, 8)}.sock`);
  return { host, plugin: host.replace(STORE_ROOT, PLUGIN_STORE) };
}

async function receiver(proto: Proto): Promise<Receiver> {
  if (proto === 'unix') {
    const p = sharedPath('stream');
    const r = await CaptureServer.unix(p.host);
    return {
      address: (kind) => `unix://${kind === 'docker' ? p.host : p.plugin}`,
      messages: (octet) => r.connections.flatMap((c) => splitStream(c.bytes(), octet)),
      close: () => r.close(),
    };
  }
  if (proto === 'unixgram') {
    const p = sharedPath('dgram');
    const r = await DgramCapture.start(p.host);
    return {
      address: (kind) => `unixgram://${kind === 'docker' ? p.host : p.plugin}`,
      messages: () => r.datagrams.map((raw) => ({ framing: 'datagram' as const, raw })),
      close: () => r.close(),
    };
  }
  if (proto === 'udp') {
    const r = await UdpCapture.start();
    return {
      address: () => `udp://127.0.0.1:${r.port}`,
      messages: () => r.datagrams.map((raw) => ({ framing: 'datagram' as const, raw })),
      close: () => r.close(),
    };
  }
  const r = proto === 'tcp'
    ? await CaptureServer.tcp()
    : await CaptureServer.tls({ cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey) });
  return {
    address: () => `${proto}://127.0.0.1:${r.port}`,
    messages: (octet) => r.connections.flatMap((c) => splitStream(c.bytes(), octet)),
    close: () => r.close(),
  };
}

interface Side {
  run: RunResult;
  messages: Message[];
}

const WANT_COUNT = WANT[6].length + WANT[3].length;

async function runSide(kind: 'docker' | 'tslogs', c: Case, r: Receiver, timeoutMs = 60_000): Promise<Side> {
  const octet = c.proto === 'tcp+tls' && c.format.startsWith('rfc5424');
  const logOpts: Record<string, string> = { 'syslog-address': r.address(kind), ...c.opts };
  if (c.proto === 'tcp+tls') logOpts['syslog-tls-ca-cert'] = pki.caFile;
  const run = await runContainerFull({
    driver: kind === 'docker' ? 'syslog' : PLUGIN_NAME,
    name: uniqueName(`syslog-${kind === 'docker' ? 'd' : 't'}-${c.proto.replace('+', '')}-${c.format || 'unix'}`),
    cmd: WORKLOAD.cmd,
    logOpts,
    network: 'host',
  });
  await waitFor(() => r.messages(octet).length >= WANT_COUNT, {
    timeoutMs,
    intervalMs: 50,
    what: `${WANT_COUNT} messages for ${kind} ${caseName(c)} (have ${r.messages(octet).length})`,
  });
  // A moment for anything extra.
  await new Promise((res) => setTimeout(res, 300));
  return { run, messages: r.messages(octet) };
}

/**
 * Docker's own run, the reference. Its syslog driver over TLS now and then delivers one
 * message short (215 of 216, its one connection open and idle; seen in 2 of 5 runs of the
 * tcp+tls cases on a quiet machine): a short reference run is made again, twice at most,
 * with a fresh receiver, and a third fails the test. tslogs' side is run once.
 */
async function runReference(c: Case): Promise<Side> {
  for (let attempt = 1; ; attempt++) {
    const r = await receiver(c.proto);
    try {
      return await runSide('docker', c, r, attempt < 3 ? 15_000 : 60_000);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.warn(`Docker's syslog driver delivered short for ${caseName(c)} (run ${attempt}): ${(err as Error).message}; running it again`);
    } finally {
      await r.close();
    }
  }
}

async function runPair(c: Case): Promise<{ docker: Side; ts: Side }> {
  const rt = await receiver(c.proto);
  try {
    const [docker, ts] = await Promise.all([runReference(c), runSide('tslogs', c, rt)]);
    return { docker, ts };
  } finally {
    await rt.close();
  }
}

const pairs = new Map<string, Promise<{ docker: Side; ts: Side }>>();

beforeAll(() => {
  fs.mkdirSync(CERTS_ROOT, { recursive: true });
  certDir = fs.mkdtempSync(path.join(CERTS_ROOT, 'syslog-e2e-'));
  fs.chmodSync(certDir, 0o755);
  pki = makeSyslogPki(certDir);
  sockDir = fs.mkdtempSync(path.join(STORE_ROOT, 'syslog-e2e-sock-'));
  fs.chmodSync(sockDir, 0o755);
  for (const c of CASES) {
    const p = slot(() => runPair(c));
    p.catch(() => undefined); // reported by the test that awaits it
    pairs.set(caseName(c), p);
  }
});

afterAll(async () => {
  await Promise.allSettled([...pairs.values()]);
  await cleanupContainers();
  for (const d of [certDir, sockDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe('syslog: tslogs sends the bytes of Docker\'s syslog driver', () => {
  for (const c of CASES) {
    const opts = Object.entries(c.opts).map(([k, v]) => `${k}=${v}`).join(' ');
    it.concurrent(`${caseName(c)} (${opts}): same messages apart from timestamp, host, tag and pid; same framing`, async ({ expect: ex }) => {
      const { docker, ts } = await pairs.get(caseName(c))!;
      const framing = c.proto === 'udp' || c.proto === 'unixgram' ? 'datagram' : c.proto === 'tcp+tls' && c.format.startsWith('rfc5424') ? 'octet' : 'newline';
      const parsed: Record<string, Parsed[]> = {};
      for (const [who, side] of [['docker', docker], ['tslogs', ts]] as const) {
        ex(side.run.exitCode, `${who} exit code`).toBe(0);
        const list = side.messages.map((m) => parse(c.format, m));
        parsed[who] = list;
        ex(new Set(side.messages.map((m) => m.framing)), `${who}: framing`).toEqual(new Set([framing]));
        // The tag: {{.ID}} is the container's short ID.
        const tag = c.opts.tag === undefined ? side.run.id.slice(0, 12) : 'conf-docker';
        ex(new Set(list.map((p) => p.tag)), `${who}: tag`).toEqual(new Set([tag]));
        ex(new Set(list.map((p) => p.host)), `${who}: host`).toEqual(new Set([c.format === '' ? '' : list[0]!.host]));
        for (const severity of [6, 3] as const) {
          const texts = list.filter((p) => p.pri === c.facility * 8 + severity).map((p) => p.text);
          ex(texts.length, `${who}: severity ${severity} count`).toBe(WANT[severity].length);
          texts.forEach((t, i) => {
            const want = who === 'docker' ? WANT[severity][i]! : invalidBytesAsFF(WANT[severity][i]!);
            ex(t.toString('latin1'), `${who}: severity ${severity} message ${i}`).toBe(want.toString('latin1'));
          });
        }
        ex(list.length, `${who}: no other messages`).toBe(WANT_COUNT);
      }
      const [d, t] = [parsed.docker!, parsed.tslogs!];
      // The same daemon host name in both (rfc3164 and rfc5424 carry it).
      ex(t[0]!.host, 'host name').toBe(d[0]!.host);
      ex(t[0]!.pid, 'tslogs puts its own PID (dockerd\'s in Docker)').toMatch(/^\d+$/);
      for (const severity of [6, 3]) {
        const pri = c.facility * 8 + severity;
        ex(t.filter((p) => p.pri === pri).map((p) => p.masked), `severity ${severity}, masked (Docker's invalid bytes as 0xFF)`).toEqual(
          d.filter((p) => p.pri === pri).map((p) => p.masked.slice(0, p.masked.length - p.text.length) + invalidBytesAsFF(p.text).toString('latin1')),
        );
      }
    }, 300_000);
  }
});

describe("syslog option errors: the texts of Docker's syslog driver", () => {
  const TLS = { 'syslog-address': 'tcp+tls://127.0.0.1:1' };
  const CASES: Array<{ opts: () => Record<string, string>; message: string; tslogsMessage?: string }> = [
    { opts: () => ({ 'syslog-address': 'localhost:514' }), message: 'syslog-address should be in form proto://address, got localhost:514' },
    { opts: () => ({ 'syslog-address': 'tcp://[::1' }), message: 'parse "tcp://[::1": missing \']\' in host' },
    { opts: () => ({ 'syslog-address': 'udp://127.0.0.1:x' }), message: 'parse "udp://127.0.0.1:x": invalid port ":x" after host' },
    { opts: () => ({ 'syslog-address': 'tcp://a:b:514' }), message: 'address a:b:514: too many colons in address' },
    { opts: () => ({ 'syslog-address': 'tcp://127.0.0.1:70000' }), message: 'dial tcp: address 70000: invalid port' },
    { opts: () => ({ 'syslog-address': 'unix:///nonexistent/syslog.sock' }), message: 'stat /nonexistent/syslog.sock: no such file or directory' },
    { opts: () => ({ 'syslog-address': 'udp://127.0.0.1', 'syslog-facility': 'local9' }), message: 'invalid syslog facility' },
    { opts: () => ({ 'syslog-address': 'udp://127.0.0.1', 'syslog-facility': '24' }), message: 'invalid syslog facility' },
    { opts: () => ({ 'syslog-address': 'udp://127.0.0.1', 'syslog-format': 'rfc5425' }), message: 'Invalid syslog format' },
    {
      opts: () => ({ 'syslog-address': 'udp://127.0.0.1', tag: '{{.Nope}}' }),
      message: 'template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info',
    },
    { opts: () => ({ ...TLS, 'syslog-tls-ca-cert': '/nope/ca.pem' }), message: 'could not read CA certificate "/nope/ca.pem": open /nope/ca.pem: no such file or directory' },
    { opts: () => ({ ...TLS, 'syslog-tls-cert': '/nope/cert.pem' }), message: 'Could not load X509 key pair: open /nope/cert.pem: no such file or directory' },
    { opts: () => ({ ...TLS, 'syslog-tls-key': '/nope/key.pem' }), message: 'Could not load X509 key pair: open : no such file or directory' },
    {
      opts: () => ({ 'syslog-address': 'udp://127.0.0.1', 'syslog-bogus': '1' }),
      message: "unknown log opt 'syslog-bogus' for syslog log driver",
      // The router refuses a key no part of tslogs owns before any sink sees it.
      tslogsMessage: "unknown log opt 'syslog-bogus' for tslogs log driver",
    },
  ];
  for (const c of CASES) {
    const label = Object.entries(c.opts()).map(([k, v]) => `${k}=${v}`).join(' ');
    it.concurrent(`--log-opt ${label} is refused: ${c.message}`, async ({ expect: ex }) => {
      const results = await Promise.all(
        (['syslog', PLUGIN_NAME] as const).map(async (driver) => {
          return { driver, ...(await runOutcome({ driver, logOpts: c.opts(), cmd: 'true', name: uniqueName(`syslog-bad-${driver === 'syslog' ? 'd' : 't'}`) })) };
        }),
      );
      for (const r of results) {
        const text = r.driver === 'syslog' ? c.message : c.tslogsMessage ?? c.message;
        // 125, or 127 when the text says "no such file or directory" (the CLI's rule).
        ex(r.code, `${r.driver}: exit code (${r.stderr})`).toBe(text.includes('no such file or directory') ? 127 : 125);
        ex(r.stderr, `${r.driver}: error`).toContain(text);
      }
    }, 60_000);
  }
});

describe('syslog delivery beyond Docker', () => {
  it('a server that is down when the container starts: Docker refuses to start it; tslogs starts it and delivers every line once the server is up', async () => {
    const port = await freePort();
    const count = 30;
    const cmd = `i=1; while [ $i -le ${count} ]; do echo "tick $i"; sleep 0.05; i=$((i+1)); done`;
    const logOpts = { 'syslog-address': `tcp://127.0.0.1:${port}`, 'syslog-format': 'rfc5424' };
    const refused = await runContainerFull({ driver: 'syslog', logOpts, cmd, name: uniqueName('syslog-down-d') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DockerError);
    expect((refused as DockerError).result.stderr.toString()).toContain(`dial tcp 127.0.0.1:${port}: connect: connection refused`);

    const run = await runContainerFull({ driver: PLUGIN_NAME, logOpts: { ...logOpts, 'sink-retry-max': '300ms' }, cmd, name: uniqueName('syslog-down-t'), network: 'host' });
    expect(run.exitCode).toBe(0);
    const server = await CaptureServer.tcp({ port });
    try {
      const lines = () => splitStream(server.bytes(), false).map((m) => /tick \d+$/.exec(m.raw.toString('latin1').trimEnd())?.[0]);
      await waitFor(() => lines().length >= count, { timeoutMs: 30_000, what: `${count} lines (have ${lines().length})` });
      expect(lines()).toEqual(Array.from({ length: count }, (_, i) => `tick ${i + 1}`));
    } finally {
      await server.close();
    }
  }, 120_000);

  it('sinks=syslog with no address means the local syslog socket, as in Docker (a managed plugin only sees the sockets mounted into it)', async () => {
    // Without a local syslog daemon Docker refuses the container; tslogs starts it and keeps retrying.
    const hasLocal = ['/dev/log', '/var/run/syslog', '/var/run/log'].some((p) => fs.existsSync(p) && fs.statSync(p).isSocket());
    // (sink-drain-timeout: the plugin stops retrying once the container is gone.)
    const run = await runContainerFull({ driver: PLUGIN_NAME, logOpts: { sinks: 'syslog', 'sink-drain-timeout': '2s' }, cmd: 'echo to-local', name: uniqueName('syslog-local-t') });
    expect(run.exitCode).toBe(0);
    if (!hasLocal) {
      const d = await runContainerFull({ driver: 'syslog', cmd: 'echo to-local', name: uniqueName('syslog-local-d') }).then(() => undefined, (e: unknown) => e);
      expect((d as DockerError).result.stderr.toString()).toContain('Unix syslog delivery error');
    }
  }, 60_000);
});

describe('syslog throughput, tslogs vs Docker (printed for the benchmark notes)', () => {
  const N = 50_000;
  for (const proto of ['udp', 'tcp'] as const) {
    it(`${proto}: seq 1 ${N}`, async () => {
      const rates: Record<string, { received: number; seconds: number }> = {};
      for (const kind of ['docker', 'tslogs'] as const) {
        const r = await receiver(proto);
        try {
          let last = Date.now();
          const start = Date.now();
          const count = () => r.messages(false).length;
          const run = await runContainerFull({
            driver: kind === 'docker' ? 'syslog' : PLUGIN_NAME,
            logOpts: { 'syslog-address': r.address(kind) },
            cmd: `seq 1 ${N}`,
            name: uniqueName(`syslog-rate-${kind === 'docker' ? 'd' : 't'}-${proto}`),
            network: 'host',
          });
          expect(run.exitCode).toBe(0);
          // Until everything arrived (tcp) or nothing more arrives for a second (udp may drop).
          let seen = -1;
          await waitFor(
            () => {
              const n = count();
              if (n !== seen) {
                seen = n;
                last = Date.now();
              }
              return n >= N || (proto === 'udp' && Date.now() - last > 1000);
            },
            { timeoutMs: 120_000, intervalMs: 20, what: `${N} messages (have ${count()})` },
          );
          rates[kind] = { received: count(), seconds: (last - start) / 1000 };
        } finally {
          await r.close();
        }
      }
      const per = (k: string) => rates[k]!.received / rates[k]!.seconds;
      console.log(
        `syslog ${proto} seq 1 ${N} (container start to last message): docker ${rates.docker!.received} in ${rates.docker!.seconds.toFixed(2)} s ` +
          `(${Math.round(per('docker'))}/s), tslogs ${rates.tslogs!.received} in ${rates.tslogs!.seconds.toFixed(2)} s (${Math.round(per('tslogs'))}/s), ` +
          `ratio tslogs/docker ${(per('tslogs') / per('docker')).toFixed(2)}`,
      );
      if (proto === 'tcp') expect(rates.tslogs!.received).toBe(N);
    }, 300_000);
  }
});
