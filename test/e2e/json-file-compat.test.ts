// `--log-driver tslogs` as a drop-in for json-file: every workload of helpers/workloads.ts
// runs once under each driver (same --log-opt labels/labels-regex/env, a tag on two of
// them) and `docker logs` must print the same bytes, the stores must hold the same lines
// apart from `time`, and every output is also checked exactly against what the store's
// own entries say Docker prints (docs/docker-compat.md §4.8, §5.4, §6.2, §6.7, §8).
//
// Follow, rotation, stopped containers and option errors: json-file-compat-lifecycle.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BB_IMAGE, cleanupContainers, dockerLogs, uniqueName } from './helpers/docker.js';
import { allWorkloads, type Workload } from './helpers/workloads.js';
import {
  byteDiff,
  flagsFor,
  isStoreTime,
  limiter,
  maskPrinted,
  maskTimes,
  parseEntries,
  readStore,
  render,
  runWith,
  waitForStoreLines,
  type DriverRun,
  type Entry,
  type ReadSpec,
} from './helpers/compat.js';

const LABELS: Record<string, string> = {
  lab1: 'v<1> &/x=y,z \u00e9',
  lab2: 'plain',
  'rx.one': 'r1',
  unselected: 'not in attrs',
};
const ENV: Record<string, string> = { E1: 'x 1', E2: 'tab\there', E3: 'not in attrs' };
const BASE_OPTS: Record<string, string> = {
  labels: 'lab1,lab2,missing',
  'labels-regex': '^rx\\.',
  env: 'E1,E2,NOPE',
};
/** Tags: one without per-container values, one with {{.ID}} (substituted before comparing). */
const TAGS: Record<string, string> = {
  'tricky-bytes': '{{.ImageName}}/{{.DaemonName}}',
  'empty-lines': '{{.ID}}|{{.ImageName}}|{{upper .DaemonName}}',
};

function expectedAttrs(w: Workload, shortId: string): Record<string, string> {
  const a: Record<string, string> = { E1: ENV.E1!, E2: ENV.E2!, lab1: LABELS.lab1!, lab2: LABELS.lab2!, 'rx.one': LABELS['rx.one']! };
  if (w.name === 'tricky-bytes') a.tag = `${BB_IMAGE}/docker`;
  if (w.name === 'empty-lines') a.tag = `${shortId}|${BB_IMAGE}|DOCKER`;
  return a;
}

interface Side {
  run: DriverRun;
  store: Buffer;
  entries: Entry[];
}
interface Pair {
  w: Workload;
  json: Side;
  ts: Side;
}

const WORKLOADS = allWorkloads();
const pairs = new Map<string, Promise<Pair>>();
const slot = limiter(4);

async function runPair(w: Workload): Promise<Pair> {
  const logOpts = { ...BASE_OPTS, ...(TAGS[w.name] ? { tag: TAGS[w.name]! } : {}) };
  const opts = { cmd: w.cmd, logOpts, labels: LABELS, env: ENV };
  const [j, t] = await Promise.all([
    runWith('json-file', { ...opts, name: uniqueName(`compat-json-${w.name}`) }),
    runWith('tslogs', { ...opts, name: uniqueName(`compat-ts-${w.name}`) }),
  ]);
  const jsonStore = await readStore(j.file);
  const want = jsonStore.toString('latin1').split('\n').length - 1;
  await waitForStoreLines(t.file, want);
  const tsStore = await readStore(t.file);
  return {
    w,
    json: { run: j, store: jsonStore, entries: parseEntries(jsonStore) },
    ts: { run: t, store: tsStore, entries: parseEntries(tsStore) },
  };
}

function pairFor(w: Workload): Promise<Pair> {
  return pairs.get(w.name)!;
}

beforeAll(() => {
  for (const w of WORKLOADS) {
    const p = slot(() => runPair(w));
    p.catch(() => undefined); // reported by the tests that await it
    pairs.set(w.name, p);
  }
});
afterAll(cleanupContainers);

/** Window of `docker logs --since/--until` from the 3rd to the 7th entry of a store (clamped). */
function windowOf(entries: readonly Entry[]): ReadSpec {
  const last = entries.length - 1;
  return { since: entries[Math.min(2, last)]!.time, until: entries[Math.min(6, last)]!.time };
}

type Expect = typeof expect;

/**
 * Runs `docker logs` with each side's flags and checks: each side prints exactly what its
 * own store entries say (the model is validated on json-file), and, when `cross`, that
 * tslogs' output equals json-file's after `normalize`.
 */
async function compareLogs(
  ex: Expect,
  p: Pair,
  specs: { json: ReadSpec; ts: ReadSpec },
  cross: 'exact' | 'masked' | 'none',
): Promise<{ json: { stdout: Buffer; stderr: Buffer }; ts: { stdout: Buffer; stderr: Buffer } }> {
  const [j, t] = await Promise.all([
    dockerLogs(p.json.run.id, flagsFor(specs.json), { timeoutMs: 120_000 }),
    dockerLogs(p.ts.run.id, flagsFor(specs.ts), { timeoutMs: 120_000 }),
  ]);
  ex(j.code, `json-file docker logs: ${j.stderr.toString().slice(0, 300)}`).toBe(0);
  ex(t.code, `tslogs docker logs: ${t.stderr.toString().slice(0, 300)}`).toBe(0);
  const ej = render(p.json.entries, specs.json);
  const et = render(p.ts.entries, specs.ts);
  for (const s of ['stdout', 'stderr'] as const) {
    ex(byteDiff(j[s], ej[s]), `json-file ${s} vs its own store (model check)`).toBeUndefined();
    ex(byteDiff(t[s], et[s]), `tslogs ${s} vs its own store`).toBeUndefined();
    if (cross === 'exact') ex(byteDiff(t[s], j[s]), `tslogs ${s} vs json-file ${s}`).toBeUndefined();
    if (cross === 'masked') ex(byteDiff(maskPrinted(t[s]), maskPrinted(j[s])), `tslogs ${s} vs json-file ${s}, timestamps masked`).toBeUndefined();
  }
  return { json: j, ts: t };
}

describe.each(WORKLOADS.map((w) => [w.name, w] as const))('workload %s', (_name, w) => {
  // stdout and stderr are timestamped independently (docs/docker-compat.md §2.1): their relative order in
  // a store differs between two runs, so order-dependent selections (tail, since/until)
  // are compared across drivers only for single-stream workloads.
  const singleStream = w.stderr.length === 0;
  const T = 300_000;

  it.concurrent('runs under both drivers; the stores hold the same lines apart from time (attrs included)', async ({ expect: ex }) => {
    const p = await pairFor(w);
    ex(p.json.run.exitCode).toBe(0);
    ex(p.ts.run.exitCode).toBe(0);
    ex(p.ts.entries.length, 'entries in the tslogs store').toBe(p.json.entries.length);

    const subst = (side: Side): Array<[string, string]> => [[side.run.id.slice(0, 12), '<ID>']];
    const attrs = expectedAttrs(w, '<ID>');
    for (const side of [p.json, p.ts]) {
      const badTimes = side.entries.filter((e) => !isStoreTime(e.time)).map((e) => e.time);
      ex(badTimes, `${side.run.driver}: times not in json-file's format`).toEqual([]);
      const substituted = JSON.parse(side.entries[0]!.raw.toString('utf8').split(side.run.id.slice(0, 12)).join('<ID>')) as { attrs?: unknown };
      ex(substituted.attrs, `${side.run.driver}: attrs`).toEqual(attrs);
    }
    const masked = (side: Side, stream?: string): string =>
      maskTimes(Buffer.concat(side.entries.filter((e) => stream === undefined || e.stream === stream).map((e) => Buffer.concat([e.raw, Buffer.from('\n')]))), subst(side));
    if (singleStream) {
      ex(byteDiff(masked(p.ts), masked(p.json)), 'tslogs store vs json-file store, time masked').toBeUndefined();
    } else {
      for (const s of ['stdout', 'stderr']) {
        ex(byteDiff(masked(p.ts, s), masked(p.json, s)), `${s} lines of tslogs store vs json-file store, time masked`).toBeUndefined();
      }
    }
  }, T);

  it.concurrent('docker logs: the same bytes on stdout and stderr', async ({ expect: ex }) => {
    const p = await pairFor(w);
    const r = await compareLogs(ex, p, { json: {}, ts: {} }, 'exact');
    ex(byteDiff(r.json.stdout, w.jsonFileStdout), 'json-file stdout vs workload').toBeUndefined();
    ex(byteDiff(r.json.stderr, w.stderr), 'json-file stderr vs workload').toBeUndefined();
    ex(byteDiff(r.ts.stdout, w.jsonFileStdout), 'tslogs stdout vs workload').toBeUndefined();
    ex(byteDiff(r.ts.stderr, w.stderr), 'tslogs stderr vs workload').toBeUndefined();
  }, T);

  it.concurrent('docker logs --timestamps: RFC 3339 with 9 fraction digits, the store times, same lines', async ({ expect: ex }) => {
    const p = await pairFor(w);
    const r = await compareLogs(ex, p, { json: { timestamps: true }, ts: { timestamps: true } }, 'masked');
    // Every entry is printed as `<ts> <log>`: as many timestamps as entries.
    for (const [side, out] of [[p.json, r.json], [p.ts, r.ts]] as const) {
      const printed = maskPrinted(out.stdout).split('<TS> ').length - 1 + maskPrinted(out.stderr).split('<TS> ').length - 1;
      ex(printed, `${side.run.driver}: printed timestamps`).toBe(side.entries.length);
    }
  }, T);

  it.concurrent('docker logs --tail 5 and --tail 0', async ({ expect: ex }) => {
    const p = await pairFor(w);
    await compareLogs(ex, p, { json: { tail: 5 }, ts: { tail: 5 } }, singleStream ? 'exact' : 'none');
    const zero = await compareLogs(ex, p, { json: { tail: 0 }, ts: { tail: 0 } }, 'exact');
    ex(zero.ts.stdout.length + zero.ts.stderr.length, 'tslogs --tail 0 output bytes').toBe(0);
  }, T);

  it.concurrent('docker logs --since/--until: the 3rd to the 7th entry', async ({ expect: ex }) => {
    const p = await pairFor(w);
    const specs = { json: windowOf(p.json.entries), ts: windowOf(p.ts.entries) };
    const r = await compareLogs(ex, p, specs, singleStream ? 'exact' : 'none');
    // Positions, not times: the window must not be empty, and it may include more only on equal times.
    ex(r.ts.stdout.length + r.ts.stderr.length, 'tslogs window output bytes').toBeGreaterThan(0);
  }, T);

  it.concurrent('docker logs --details: attrs for json-file, a single space for the plugin', async ({ expect: ex }) => {
    const p = await pairFor(w);
    const r = await compareLogs(ex, p, { json: { details: 'attrs' }, ts: { details: 'empty' } }, 'none');
    if (w.name === 'tricky-bytes') {
      // Spelled out once, so the query escaping of helpers/compat.ts is checked against Docker too.
      // The image name (a scratch name in CI) holds only [a-z0-9.-] and one ':'.
      const prefix = `E1=x+1,E2=tab%09here,lab1=v%3C1%3E+%26%2Fx%3Dy%2Cz+%C3%A9,lab2=plain,rx.one=r1,tag=${BB_IMAGE.replace(':', '%3A')}%2Fdocker `;
      ex(r.json.stdout.subarray(0, prefix.length).toString(), 'json-file --details prefix').toBe(prefix);
      ex(r.ts.stdout.subarray(0, 10).toString('latin1'), 'tslogs --details prefix').toBe(' invalid: ');
    }
    await compareLogs(ex, p, { json: { details: 'attrs', timestamps: true }, ts: { details: 'empty', timestamps: true } }, 'none');
    // Across drivers: tslogs prints json-file's lines with " " where json-file prints "<attrs> ".
    const t = await dockerLogs(p.ts.run.id, ['--details'], { timeoutMs: 120_000 });
    const fromJson = render(p.json.entries, { details: 'empty' });
    ex(byteDiff(t.stdout, fromJson.stdout), 'tslogs --details stdout vs json-file lines').toBeUndefined();
    ex(byteDiff(t.stderr, fromJson.stderr), 'tslogs --details stderr vs json-file lines').toBeUndefined();
  }, T);
});
