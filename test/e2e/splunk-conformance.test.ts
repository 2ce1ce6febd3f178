// `--log-driver tslogs` with Docker's splunk options against Docker's own `splunk`
// driver (issue 6, docs/docker-compat.md §12): every workload runs once under each driver with the same
// --log-opts, each container posting to its own HecReceiver on loopback (HTTP, or HTTPS
// with a test CA given by splunk-capath), and the events must be identical apart from
// `time` and the container ID: compared as UTF-8 text with every JSON escape as written,
// raw's randomly ordered attributes as a set; invalid UTF-8 is compared byte for byte
// separately. Request path and headers must match. tslogs runs with
// `partial-reassembly=false` here so that it sends 16 KiB partial chunks as Docker does.
//
// Then what only tslogs does or does differently: partial lines reassembled by default
// (issue 3), `splunk-verify-connection=true` failing `docker run` (closed port, 503, TLS),
// where splunk-capath is read, a container that starts before its receiver (Docker's
// driver refuses to start), and a receiver answering 503 for a while (every event
// arrives exactly once).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HecReceiver, makeTestCa, type HecRequest, type TestCa } from '../helpers/hec-receiver.js';
import { BB_IMAGE, DockerError, cleanupContainers, dockerOk, uniqueName } from './helpers/docker.js';
import {
  burst,
  emptyLines,
  interleaved,
  longLine,
  longLineContent,
  noTrailingNewline,
  printfCommand,
  replaceInvalidUtf8PerByte,
  shortLines,
  trickyBytes,
  type Workload,
} from './helpers/workloads.js';
import { limiter } from './helpers/compat.js';
import { EVENT_PATH, acceptedEventBytes, dockerMessages, eventsDiff, expectedEventCount, headerNames, headerSignature, normaliseEvents, okPosts, placeCaForBoth, runSplunkContainer, waitForEvents, type CaPaths, type SplunkDriver, type SplunkRun } from './helpers/splunk.js';
import { freePort } from '../helpers/ports.js';

// A token shaped like Splunk's (a GUID).
const TOKEN = '6e2b7f1c-93a4-4d0e-8c5b-2f1a0d9e7c34';
const LABELS: Record<string, string> = { lab1: 'v<1> &/x=y,z \u00e9', lab2: 'plain', unselected: 'not in attrs' };
const ENV: Record<string, string> = { E1: 'x 1', E2: 'tab\there', E3: 'not in attrs' };
const ATTRS: Record<string, string> = { E1: ENV.E1!, E2: ENV.E2!, lab1: LABELS.lab1!, lab2: LABELS.lab2! };
const ATTR_OPTS = { labels: 'lab1,lab2,missing', env: 'E1,E2,NOPE' };
const EXTRA_FIELDS = { 'splunk-source': 'src <1> & "q"', 'splunk-sourcetype': 'st:\u00e9', 'splunk-index': 'idx' };

type Format = 'inline' | 'json' | 'raw';

interface Config {
  name: string;
  format: Format;
  gzip: boolean;
  https?: { caname?: string };
  /** More --log-opts (tag, labels/env, source…); the same for both drivers. */
  opts: Record<string, string>;
  /** The tag as it appears after <ID> substitution ('' = no tag): for raw's prefix. */
  renderedTag: string;
  withAttrs: boolean;
  /** splunk-verify-connection=true given explicitly (Docker's default is true, tslogs' false). */
  verifyExplicit?: boolean;
  burst?: boolean;
}

const CONFIGS: Config[] = [
  { name: 'http inline', format: 'inline', gzip: false, opts: { ...EXTRA_FIELDS, ...ATTR_OPTS }, renderedTag: '<ID>', withAttrs: true, burst: true },
  { name: 'http json', format: 'json', gzip: false, opts: { ...ATTR_OPTS, tag: '{{.ImageName}}/{{.DaemonName}}' }, renderedTag: `${BB_IMAGE}/docker`, withAttrs: true },
  { name: 'http raw', format: 'raw', gzip: false, opts: { ...EXTRA_FIELDS, ...ATTR_OPTS }, renderedTag: '<ID>', withAttrs: true },
  { name: 'http inline gzip', format: 'inline', gzip: true, opts: { tag: '' }, renderedTag: '', withAttrs: false },
  { name: 'http json gzip level 1', format: 'json', gzip: true, opts: { ...ATTR_OPTS, 'splunk-gzip-level': '1', tag: '{{.ID}}|{{.ImageName}}' }, renderedTag: `<ID>|${BB_IMAGE}`, withAttrs: true, burst: true },
  { name: 'http raw gzip', format: 'raw', gzip: true, opts: { ...ATTR_OPTS, tag: '{{.ImageName}}' }, renderedTag: BB_IMAGE, withAttrs: true },
  { name: 'https inline capath verify', format: 'inline', gzip: false, https: {}, opts: { ...ATTR_OPTS, 'splunk-verify-connection': 'true' }, renderedTag: '<ID>', withAttrs: true, verifyExplicit: true },
  { name: 'https json gzip capath caname', format: 'json', gzip: true, https: { caname: 'localhost' }, opts: { ...EXTRA_FIELDS }, renderedTag: '<ID>', withAttrs: false },
];

/** Lines for splunk-format=json: JSON values (embedded compactly) and near misses (strings). */
const JSON_LINES: Buffer = Buffer.concat([
  Buffer.from('{"a":1,"b":"<x>"}\n'),
  Buffer.from('42\n'),
  Buffer.from('  [1, 2 ,{"c" : null}]  \n'),
  Buffer.from('"just a string"\n'),
  Buffer.from('{"broken":\n'),
  Buffer.from('null\ntrue\n{}\n[]\n'),
  Buffer.from('{"u":"\u00e9 \\u00e9 \\ud83d\\ude00 \u{1F600}","html":"<&>"}\n', 'utf8'),
  Buffer.from('{"nested":{"deep":[[[]]],"e":1e400,"f":-0.0,"g":1.50}}\n'),
  Buffer.from('{"dup":1,"dup":2}\n'),
  Buffer.from('{"inv":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}\n'),
  Buffer.from('{"sep":"\u2028\u2029"}\n', 'utf8'),
  Buffer.from('{"ctl":"a\tb"}\n'),
  Buffer.from('   \n\n'),
  Buffer.from('{"esc":"\\/\\b\\f\\n\\u0041"}\n'),
]);

function jsonLines(): Workload {
  return {
    name: 'json-lines',
    description: 'JSON values, invalid JSON, JSON with invalid UTF-8 and U+2028',
    cmd: printfCommand(JSON_LINES),
    stdout: JSON_LINES,
    stderr: Buffer.alloc(0),
    jsonFileStdout: replaceInvalidUtf8PerByte(JSON_LINES),
  };
}

const WORKLOADS: Workload[] = [
  shortLines(200),
  emptyLines(),
  noTrailingNewline(),
  trickyBytes(),
  jsonLines(),
  longLine(16384),
  longLine(40000),
  interleaved(300),
];
const BURST = burst(100_000, 10);

function workloadsOf(c: Config): Workload[] {
  return c.burst ? [...WORKLOADS, BURST] : WORKLOADS;
}

// ---------------------------------------------------------------------------------------
// Shared state

let ca: TestCa;
let caTmp: string;
let caPaths: CaPaths;
const receivers: HecReceiver[] = [];
const slot = limiter(6);

async function receiverFor(c: Config | undefined, port?: number): Promise<HecReceiver> {
  const r = await HecReceiver.start({ ...(c?.https && { tls: { key: ca.key, cert: ca.cert } }), ...(port !== undefined && { port }) });
  receivers.push(r);
  return r;
}

function logOpts(driver: SplunkDriver, c: Config, url: string): Record<string, string> {
  const o: Record<string, string> = { 'splunk-url': url, 'splunk-token': TOKEN, 'splunk-format': c.format, 'splunk-gzip': String(c.gzip), ...c.opts };
  if (c.https) {
    o['splunk-capath'] = driver === 'splunk' ? caPaths.host : caPaths.plugin;
    if (c.https.caname) o['splunk-caname'] = c.https.caname;
  }
  if (driver === 'tslogs') o['partial-reassembly'] = 'false';
  return o;
}

interface Side {
  run: SplunkRun;
  receiver: HecReceiver;
  expected: number;
}
interface Pair {
  docker: Side;
  ts: Side;
}

const pairs = new Map<string, Promise<Pair>>();
const key = (c: Config, w: Workload) => `${c.name}/${w.name}`;

async function runSide(driver: SplunkDriver, c: Config, w: Workload): Promise<Side> {
  const receiver = await receiverFor(c);
  const run = await runSplunkContainer(driver, {
    name: uniqueName(`splunk-${driver}-${c.name}-${w.name}`),
    cmd: w.cmd,
    logOpts: logOpts(driver, c, receiver.url),
    labels: LABELS,
    env: ENV,
  });
  return { run, receiver, expected: expectedEventCount(w.stdout, w.stderr, c.format) };
}

async function runPair(c: Config, w: Workload): Promise<Pair> {
  const [d, t] = await Promise.all([runSide('splunk', c, w), runSide('tslogs', c, w)]);
  const timeout = w === BURST ? 120_000 : 60_000;
  await Promise.all([
    waitForEvents(d.receiver, d.expected, `docker splunk driver, ${key(c, w)}`, timeout),
    waitForEvents(t.receiver, t.expected, `tslogs, ${key(c, w)}`, timeout),
  ]);
  return { docker: d, ts: t };
}

beforeAll(() => {
  caTmp = mkdtempSync(path.join(os.tmpdir(), 'tslogs-splunk-e2e-'));
  ca = makeTestCa(caTmp);
  caPaths = placeCaForBoth(readFileSync(ca.caFile, 'utf8'));
  for (const c of CONFIGS) {
    for (const w of workloadsOf(c)) {
      const p = slot(() => runPair(c, w));
      p.catch(() => undefined); // reported by the test that awaits it
      pairs.set(key(c, w), p);
    }
  }
});

afterAll(async () => {
  await cleanupContainers();
  await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
  caPaths?.remove();
  if (caTmp) rmSync(caTmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// Conformance

type Expect = typeof expect;

function streamOf(format: Format, event: string): string {
  if (format !== 'raw') return /"source":"(stdout|stderr)"/.exec(event)?.[1] ?? '?';
  return /\b(out|err) \d+/.exec(event)?.[1] ?? '?';
}

function checkRequests(ex: Expect, c: Config, p: Pair): void {
  const dPosts = okPosts(p.docker.receiver);
  const tPosts = okPosts(p.ts.receiver);
  ex(p.docker.receiver.eventPosts().length, 'docker: event POSTs that were not answered 200').toBe(dPosts.length);
  for (const [side, posts] of [['docker', dPosts], ['tslogs', tPosts]] as const) {
    ex(posts.length, `${side}: event POSTs`).toBeGreaterThan(0);
    const other = (side === 'docker' ? p.docker : p.ts).receiver.requests.filter((q) => q.method !== 'OPTIONS' && !(q.method === 'POST' && q.path === EVENT_PATH));
    ex(other.map((q) => `${q.method} ${q.path}`), `${side}: requests other than POST/OPTIONS ${EVENT_PATH}`).toEqual([]);
    for (const q of posts) {
      // No separator between events, no trailing newline.
      ex(Buffer.concat(q.eventBytes).equals(q.body), `${side}: body is exactly the concatenated events`).toBe(true);
      ex(q.eventBytes.length, `${side}: events per request (Docker's batch size)`).toBeLessThanOrEqual(1000);
    }
  }
  // Path, method, User-Agent, Authorization, Content-Encoding, no Content-Type, Accept-Encoding.
  const dSig = [...new Set(dPosts.map(headerSignature))];
  const tSig = [...new Set(tPosts.map(headerSignature))];
  ex(tSig, 'tslogs POST signature (method, path, headers) vs docker').toEqual(dSig);
  ex(JSON.parse(dSig[0]!)['content-type'], 'docker sends no Content-Type').toBeNull();
  ex(JSON.parse(dSig[0]!)['content-encoding'], 'Content-Encoding').toBe(c.gzip ? 'gzip' : null);
  // Header names: the same, except that undici always sends `Connection: keep-alive`
  // (Go leaves it out: HTTP/1.1 is keep-alive by default); nothing else may differ.
  const names = (qs: HecRequest[]) => [...new Set(qs.map((q) => headerNames(q).join(',')))];
  const dNames = names(dPosts);
  const tNames = [...new Set(tPosts.map((q) => headerNames(q).filter((n) => n !== 'connection').join(',')))];
  ex(tNames, 'tslogs POST header names (connection aside) vs docker').toEqual(dNames);
  for (const q of tPosts) if (q.headers.connection !== undefined) ex(q.headers.connection, 'tslogs Connection header').toBe('keep-alive');
  if (c.gzip) {
    // Go's gzip header: 1f8b 08 00 00000000 XFL(0; 4 at level 1; 2 at level 9) ff.
    const heads = (qs: HecRequest[]) => [...new Set(qs.map((q) => q.rawBody.subarray(0, 10).toString('hex')))];
    ex(heads(tPosts), 'gzip header bytes vs docker').toEqual(heads(dPosts));
  }
  // OPTIONS: Docker verifies by default; tslogs only when splunk-verify-connection=true is explicit.
  const opts = (r: HecReceiver) => r.requests.filter((q) => q.method === 'OPTIONS');
  ex(opts(p.docker.receiver).length, 'docker OPTIONS (verification at start)').toBe(1);
  if (c.verifyExplicit) {
    ex(opts(p.ts.receiver).map(headerSignature), 'tslogs OPTIONS signature vs docker').toEqual(opts(p.docker.receiver).map(headerSignature));
    ex(opts(p.ts.receiver)[0]!.headers.authorization, 'OPTIONS carries no token').toBeUndefined();
    ex(p.ts.receiver.requests[0]!.method, 'tslogs verifies before the first POST').toBe('OPTIONS');
  } else {
    ex(opts(p.ts.receiver).length, 'tslogs OPTIONS without explicit splunk-verify-connection=true').toBe(0);
  }
}

function normalised(c: Config, s: Side, decoded: boolean) {
  return normaliseEvents(acceptedEventBytes(s.receiver), {
    format: c.format,
    ids: [s.run.id],
    rawTag: c.renderedTag,
    rawAttrs: c.withAttrs ? ATTRS : {},
    decoded,
  });
}

function checkEvents(ex: Expect, c: Config, w: Workload, p: Pair): void {
  // Decoded: the same text once parsed as UTF-8 JSON. Every escape is compared as written,
  // except invalid UTF-8 (see the byte-exact test below).
  const norm = (s: Side) => normalised(c, s, true);
  const d = norm(p.docker);
  const t = norm(p.ts);
  ex(d.events.length, 'docker events vs the model of dockerd messages').toBe(p.docker.expected);
  ex(t.events.length, 'tslogs events').toBe(d.events.length);
  ex(d.badTimes.slice(0, 3), 'docker: time values that are not <sec>.<6 digits>').toEqual([]);
  ex(t.badTimes.slice(0, 3), 'tslogs: time values that are not <sec>.<6 digits>').toEqual([]);
  ex(d.badRawPrefix.slice(0, 2), 'docker: raw events without the tag + attrs prefix').toEqual([]);
  ex(t.badRawPrefix.slice(0, 2), 'tslogs: raw events without the tag + attrs prefix').toEqual([]);
  if (w.stderr.length === 0) {
    ex(eventsDiff(t.events, d.events), 'tslogs events vs docker events (decoded; time masked, ID substituted)').toBeUndefined();
  } else {
    // stdout and stderr are copied by two goroutines: their interleaving is not reproducible.
    for (const s of ['stdout', 'stderr', 'out', 'err']) {
      const pick = (xs: string[]) => xs.filter((e) => streamOf(c.format, e) === s);
      ex(eventsDiff(pick(t.events), pick(d.events)), `${s} events of tslogs vs docker`).toBeUndefined();
    }
    ex(t.events.filter((e) => streamOf(c.format, e) === '?').length, 'events of no stream').toBe(0);
  }
  if (c.format === 'inline') {
    // The model: each event's line is one dockerd message, invalid UTF-8 replaced per byte (Go's encoding/json).
    for (const [side, s] of [['docker', p.docker], ['tslogs', p.ts]] as const) {
      const parsed = acceptedEventBytes(s.receiver).map((b) => (JSON.parse(b.toString('utf8')) as { event: { line: string; source: string } }).event);
      for (const stream of ['stdout', 'stderr'] as const) {
        const want = dockerMessages(w[stream]).map((m) => replaceInvalidUtf8PerByte(m).toString('utf8'));
        const got = parsed.filter((e) => e.source === stream).map((e) => e.line);
        ex(eventsDiff(got, want), `${side}: ${stream} lines vs the workload's bytes`).toBeUndefined();
      }
    }
  }
}

describe.each(CONFIGS.map((c) => [c.name, c] as const))('conformance with Docker\'s splunk driver: %s', (_n, c) => {
  it.concurrent.for(workloadsOf(c).map((w) => [w.name, w] as const))(
    '%s: same events (time and ID aside), same requests',
    { timeout: 300_000 },
    async ([, w], { expect: ex }) => {
      const p = await pairs.get(key(c, w))!;
      ex(p.docker.run.exitCode, 'docker container exit code').toBe(0);
      ex(p.ts.run.exitCode, 'tslogs container exit code').toBe(0);
      checkEvents(ex, c, w, p);
      checkRequests(ex, c, p);
    },
  );
});

describe('byte-exact events on the wire', () => {
  // Go's encoding/json writes each invalid UTF-8 byte of a string as the 6-byte escape
  // \ufffd (docs/docker-compat.md §15.1). The decoded text is the same either way; the bytes must be too.
  // (splunk-format=json is left out: Docker copies invalid bytes of an embedded JSON line
  // raw, producing invalid UTF-8 on the wire, which tslogs' store no longer holds.)
  it.concurrent.for(['http inline', 'http raw'])('%s, tricky-bytes: tslogs sends the bytes Docker sends (invalid UTF-8 as \\ufffd)', { timeout: 300_000 }, async (name, { expect: ex }) => {
    const c = CONFIGS.find((x) => x.name === name)!;
    const p = await pairs.get(key(c, trickyBytes()))!;
    const d = normalised(c, p.docker, false);
    const t = normalised(c, p.ts, false);
    ex(eventsDiff(t.events, d.events), 'tslogs event bytes vs docker event bytes (time masked, ID substituted)').toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// tslogs only (or differently)

const HTTP: Config = { name: 'http', format: 'inline', gzip: false, opts: {}, renderedTag: '<ID>', withAttrs: false };

function lineEvents(r: HecReceiver): Array<{ line: string; source: string }> {
  return acceptedEventBytes(r).map((b) => (JSON.parse(b.toString('utf8')) as { event: { line: string; source: string } }).event);
}

describe('partial lines are reassembled by default (issue 3)', () => {
  it.concurrent('a 40000-byte line (and 16384, 16385) reaches HEC as one event whose line is exactly those bytes', async ({ expect: ex }) => {
    const sizes = [40000, 16384, 16385];
    const receiver = await receiverFor(HTTP);
    const cmd = sizes.map((n) => `yes 0123456789abcdef | tr -d '\\n' | head -c ${n}; echo`).join('; ');
    const run = await slot(() =>
      runSplunkContainer('tslogs', { cmd, name: uniqueName('splunk-reassembly'), logOpts: { 'splunk-url': receiver.url, 'splunk-token': TOKEN } }),
    );
    ex(run.exitCode).toBe(0);
    await waitForEvents(receiver, sizes.length, 'reassembled lines', 60_000, 1000);
    const events = lineEvents(receiver);
    ex(events.map((e) => e.line.length), 'event line lengths').toEqual(sizes);
    sizes.forEach((n, i) => ex(events[i]!.line === longLineContent(n).toString('latin1'), `line ${i} is exactly ${n} bytes of the filler`).toBe(true));
    ex(events.every((e) => e.source === 'stdout')).toBe(true);
  }, 120_000);
});

/** `docker run` that must fail: the client's exit code, the daemon's message and the container's state. */
async function failingRun(driver: SplunkDriver, logOpts: Record<string, string>): Promise<{ code: number; message: string; status: string }> {
  const name = uniqueName(`splunk-verify-${driver}`);
  try {
    await runSplunkContainer(driver, { name, cmd: 'echo never', logOpts });
    return { code: 0, message: '', status: await dockerOk(['inspect', '-f', '{{.State.Status}}', name]) };
  } catch (e) {
    if (!(e instanceof DockerError)) throw e;
    const status = await dockerOk(['inspect', '-f', '{{.State.Status}}', name]);
    return { code: e.result.code, message: e.result.stderr.toString('utf8'), status };
  }
}

describe('splunk-verify-connection', () => {
  it.concurrent('=true against a closed port: docker run fails naming the request and the refused connection (both drivers)', async ({ expect: ex }) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const opts = { 'splunk-url': url, 'splunk-token': TOKEN, 'splunk-verify-connection': 'true' };
    const [d, t] = await Promise.all([failingRun('splunk', opts), failingRun('tslogs', opts)]);
    for (const [side, r] of [['docker', d], ['tslogs', t]] as const) {
      ex(r.code, `${side}: docker run exit code`).toBe(125);
      ex(r.message, `${side}: error message`).toContain('failed to initialize logging driver');
      ex(r.message, `${side}: error message names the request`).toContain(`Options "${url}${EVENT_PATH}"`);
      ex(r.message, `${side}: error message names the cause`).toMatch(/connection refused|ECONNREFUSED/);
      ex(r.message, `${side}: the token is not in the message`).not.toContain(TOKEN);
      ex(r.status, `${side}: container state`).toBe('created');
    }
  }, 60_000);

  it.concurrent('=true and OPTIONS answered 503: both fail with "splunk: failed to verify connection - 503 Service Unavailable - <body>"', async ({ expect: ex }) => {
    const results = await Promise.all((['splunk', 'tslogs'] as const).map(async (driver) => {
      const r = await receiverFor(HTTP);
      r.failNext(1, 503, '{"text":"Server is busy","code":9}');
      return failingRun(driver, { 'splunk-url': r.url, 'splunk-token': TOKEN, 'splunk-verify-connection': 'true' });
    }));
    for (const [side, r] of [['docker', results[0]!], ['tslogs', results[1]!]] as const) {
      ex(r.code, `${side}: docker run exit code`).toBe(125);
      ex(r.message, `${side}: error message`).toContain('splunk: failed to verify connection - 503 Service Unavailable - {"text":"Server is busy","code":9}');
      ex(r.status, `${side}: container state`).toBe('created');
    }
  }, 60_000);
});

describe('TLS (splunk-verify-connection=true, HTTPS receiver with the test CA)', () => {
  const HTTPS: Config = { ...HTTP, name: 'https', https: {} };

  it.concurrent('without splunk-capath, and with a wrong splunk-caname: docker run fails naming the request and the certificate problem (both drivers)', async ({ expect: ex }) => {
    const r = await receiverFor(HTTPS);
    const base = { 'splunk-url': r.url, 'splunk-token': TOKEN, 'splunk-verify-connection': 'true' };
    const cases = [
      { what: 'unknown CA', opts: (_d: SplunkDriver) => base, cause: /certificate signed by unknown authority|unable to verify the first certificate/ },
      {
        what: 'wrong splunk-caname',
        opts: (d: SplunkDriver) => ({ ...base, 'splunk-capath': d === 'splunk' ? caPaths.host : caPaths.plugin, 'splunk-caname': 'wrong.example' }),
        cause: /wrong\.example/,
      },
    ];
    for (const c of cases) {
      const [d, t] = await Promise.all((['splunk', 'tslogs'] as const).map((drv) => failingRun(drv, c.opts(drv))));
      for (const [side, res] of [['docker', d!], ['tslogs', t!]] as const) {
        ex(res.code, `${c.what}, ${side}: docker run exit code (${res.message})`).toBe(125);
        ex(res.message, `${c.what}, ${side}: names the request`).toContain(`Options "${r.url}${EVENT_PATH}"`);
        ex(res.message, `${c.what}, ${side}: names the certificate problem`).toMatch(c.cause);
        ex(res.status, `${c.what}, ${side}: container state`).toBe('created');
      }
    }
    ex(r.requests.length, 'requests that got through TLS').toBe(0);
  }, 60_000);

  it.concurrent('splunk-capath is read inside the managed plugin: a host path outside its store mount is refused naming the file (Docker\'s driver reads the host file)', async ({ expect: ex }) => {
    const r = await receiverFor(HTTPS);
    // ca.caFile is in the host's os.tmpdir(), which the plugin does not see.
    const opts = { 'splunk-url': r.url, 'splunk-token': TOKEN, 'splunk-capath': ca.caFile };
    const d = await runSplunkContainer('splunk', { name: uniqueName('splunk-capath-host-docker'), cmd: 'echo ok', logOpts: opts });
    ex(d.exitCode, "Docker's driver with the host CA path").toBe(0);
    const t = await failingRun('tslogs', opts);
    // The docker CLI exits 127 (not 125) when the daemon's message says "no such file or directory".
    ex(t.code, `tslogs docker run exit code (${t.message})`).toBe(127);
    ex(t.message, 'tslogs: names the file').toContain(`open ${ca.caFile}: no such file or directory`);
  }, 60_000);
});

describe('a receiver that comes up after the container started', () => {
  it.concurrent('tslogs starts the container and delivers everything later; Docker\'s driver (verify on by default) refuses to start', async ({ expect: ex }) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logOpts = { 'splunk-url': url, 'splunk-token': TOKEN };
    const cmd = 'echo first; seq 1 500; echo last';

    // Docker: the same options fail `docker run` (the default splunk-verify-connection=true).
    const dockerName = uniqueName('splunk-later-docker');
    const dockerErr = await runSplunkContainer('splunk', { name: dockerName, cmd, logOpts }).then(
      () => undefined,
      (e: unknown) => e,
    );
    ex(dockerErr, 'docker run with the splunk driver and no receiver').toBeInstanceOf(DockerError);
    ex((dockerErr as DockerError).result.stderr.toString(), 'docker error').toMatch(/Options ".*": dial tcp .*connection refused/);
    ex(await dockerOk(['inspect', '-f', '{{.State.Status}}', dockerName]), 'docker container state').toBe('created');

    // tslogs: the container runs to completion with nobody listening.
    const run = await runSplunkContainer('tslogs', { name: uniqueName('splunk-later-tslogs'), cmd, logOpts });
    ex(run.exitCode, 'tslogs container exit code').toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const receiver = await receiverFor(HTTP, port);
    await waitForEvents(receiver, 502, 'events once the receiver is up', 90_000, 1500);
    const lines = lineEvents(receiver).map((e) => e.line);
    ex(lines.length, 'events (each exactly once)').toBe(502);
    ex(lines, 'events in order').toEqual(['first', ...Array.from({ length: 500 }, (_, i) => String(i + 1)), 'last']);
  }, 180_000);
});

describe('a receiver answering 503 for a while, then recovering', () => {
  it.concurrent('every event arrives exactly once, in order; the refused batch is sent again unchanged', async ({ expect: ex }) => {
    const receiver = await receiverFor(HTTP);
    const FAILS = 5;
    receiver.failNext(FAILS, 503);
    const run = await slot(() =>
      runSplunkContainer('tslogs', { name: uniqueName('splunk-503'), cmd: 'seq 1 3000; sleep 1; seq 3001 3500', logOpts: { 'splunk-url': receiver.url, 'splunk-token': TOKEN } }),
    );
    ex(run.exitCode).toBe(0);
    await waitForEvents(receiver, 3500, 'events after the 503s', 120_000, 2000);
    const refused = receiver.eventPosts().filter((q) => q.status === 503);
    ex(refused.length, 'POSTs answered 503').toBe(FAILS);
    const lines = lineEvents(receiver).map((e) => e.line);
    ex(lines.length, 'accepted events').toBe(3500);
    ex(lines.join(','), 'accepted events, in order, each once').toBe(Array.from({ length: 3500 }, (_, i) => String(i + 1)).join(','));
    // The first accepted request is the refused batch again, byte for byte.
    const firstOk = okPosts(receiver)[0]!;
    for (const q of refused) ex(q.body.equals(firstOk.body), 'a refused body equals the first accepted body').toBe(true);
  }, 180_000);
});
