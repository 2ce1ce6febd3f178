// End-to-end benchmarks with the real Docker engine: `docker run … seq 1 N` under
// Docker's json-file driver, a do-nothing plugin that only drains the FIFO (how fast
// dockerd itself emits frames), and tslogs; wall time until the last line is stored,
// plus the plugin daemon's CPU and peak RSS. Needs dockerd, the tslogs-bb image and
// the tslogs plugin (scripts/test-all.sh or npm run plugin:install).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { docker, dockerOk, PLUGIN_NAME, STORE_ROOT, BB_IMAGE } from '../test/e2e/helpers/docker.js';
import { cpuSeconds, peakRssMiB, pluginPid, resetPeakRss } from './plugin-process.js';

export interface DockerRunResult {
  name: string;
  lines: number;
  seconds: number;
  /** Plugin CPU seconds for the run (tslogs only). */
  cpu?: number;
}

const NULL_PLUGIN = 'tslogs-null';

/**
 * A legacy plugin that drains each FIFO with `cat > /dev/null`: the ceiling any plugin
 * can reach. It cannot read logs back, so containers using it set cache-disabled=true
 * (otherwise dockerd would also write its local-file cache).
 */
export async function startNullPlugin(): Promise<() => Promise<void>> {
  const socket = `/run/docker/plugins/${NULL_PLUGIN}.sock`;
  fs.mkdirSync('/run/docker/plugins', { recursive: true });
  fs.rmSync(socket, { force: true });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/Plugin.Activate') return res.end('{"Implements":["LogDriver"]}');
      if (req.url === '/LogDriver.Capabilities') return res.end('{"Cap":{"ReadLogs":false}}');
      if (req.url === '/LogDriver.StartLogging') {
        const file = (JSON.parse(body) as { File: string }).File;
        spawn('sh', ['-c', `exec cat "${file}" > /dev/null`], { stdio: 'ignore' }).unref();
      }
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return () => new Promise((resolve) => server.close(() => resolve()));
}

async function runSeq(driver: string, lines: number, opts: string[]): Promise<{ id: string; seconds: number }> {
  const start = process.hrtime.bigint();
  const id = (await dockerOk(['run', '-d', '--network', 'none', '--log-driver', driver, ...opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'seq', '1', String(lines)])).trim();
  await dockerOk(['wait', id]);
  return { id, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function linesIn(file: string): number {
  try {
    const data = fs.readFileSync(file);
    let n = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
    return n;
  } catch {
    return 0;
  }
}

async function untilStored(id: string, lines: number): Promise<void> {
  const file = `${STORE_ROOT}/containers/${id}/${id}-json.log`;
  while (linesIn(file) < lines) await new Promise((r) => setTimeout(r, 20));
}

/** Wall time of `docker run` until exit (and, for tslogs, until the last line is on disk). */
export async function runDockerDrivers(lines: number, rounds: number): Promise<DockerRunResult[]> {
  const stopNull = await startNullPlugin();
  const results: DockerRunResult[] = [];
  const ids: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so drift on a shared machine hits each driver alike.
      const order = round % 2 === 0 ? ['json-file', NULL_PLUGIN, PLUGIN_NAME] : [PLUGIN_NAME, NULL_PLUGIN, 'json-file'];
      for (const driver of order) {
        // max-size large enough that no driver rotates during the run.
        const opts = driver === NULL_PLUGIN ? ['cache-disabled=true'] : ['max-size=1g'];
        const pid = driver === PLUGIN_NAME ? pluginPid() : undefined;
        const cpu0 = pid === undefined ? 0 : cpuSeconds(pid);
        const start = process.hrtime.bigint();
        const { id } = await runSeq(driver, lines, opts);
        ids.push(id);
        if (driver === PLUGIN_NAME) await untilStored(id, lines);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const name = driver === PLUGIN_NAME ? 'tslogs (json-file store)' : driver === NULL_PLUGIN ? 'drain-only plugin (dockerd ceiling)' : "Docker's json-file";
        results.push({ name, lines, seconds, ...(pid !== undefined && { cpu: cpuSeconds(pid) - cpu0 }) });
      }
    }
  } finally {
    await stopNull();
    for (const id of ids) await docker(['rm', '-f', id]);
  }
  return results;
}

export interface ResourceResult {
  /** Empty, or what else the containers were set up with (a sink that is down). */
  setup: string;
  containers: number;
  lines: number;
  cpuSecondsPerMillion: number;
  peakRssMiB: number;
}

/**
 * The plugin's CPU per million lines and peak RSS with many containers logging at once,
 * and with a sink that is down for the whole run (Splunk at a closed port: every send
 * fails and is retried, the store keeps everything).
 *
 * The containers are started a few at a time and wait at a gate (a file in a read-only
 * bind mount) until all run, then log at once, then sleep until they are removed a few
 * at a time: a hundred concurrent `docker run`s, and then a hundred containers exiting at
 * once, deadlocked dockerd 20.10's libnetwork (starts and exits waiting on each other's
 * controller lock; goroutine dump in the performance issue's closing note).
 */
export async function runResources(counts: number[], totalLines: number): Promise<ResourceResult[]> {
  const pid = pluginPid();
  const results: ResourceResult[] = [];
  const down = ['splunk-url=http://127.0.0.1:9', 'splunk-token=bench', 'sink-drain-timeout=1s'];
  const cases: [number, string, string[]][] = [
    ...counts.map((n): [number, string, string[]] => [n, '', []]),
    [1, 'a Splunk sink down', down],
    [Math.max(...counts), 'a Splunk sink down', down],
  ];
  for (const [containers, setup, extra] of cases) {
    const per = Math.floor(totalLines / containers);
    const gate = fs.mkdtempSync('/tmp/tslogs-bench-gate-');
    try {
      const ids = await startGated(containers, gate, per, ['max-size=1g', ...extra]);
      resetPeakRss(pid);
      const cpu0 = cpuSeconds(pid);
      fs.writeFileSync(`${gate}/go`, '');
      await Promise.all(ids.map((id) => untilStored(id, per)));
      const cpu = cpuSeconds(pid) - cpu0;
      results.push({ setup, containers, lines: per * containers, cpuSecondsPerMillion: (cpu / (per * containers)) * 1e6, peakRssMiB: peakRssMiB(pid) });
      await inGroups(ids, (id) => docker(['rm', '-f', id]));
    } finally {
      fs.rmSync(gate, { recursive: true, force: true });
    }
  }
  return results;
}

/** docker runs and removals at once. */
const STARTS_AT_ONCE = 4;

async function startGated(containers: number, gate: string, lines: number, opts: string[]): Promise<string[]> {
  const ids: string[] = [];
  const cmd = `while [ ! -e /gate/go ]; do sleep 0.05; done; seq 1 ${lines}; exec sleep 3600`;
  const args = ['run', '-d', '--network', 'none', '-v', `${gate}:/gate:ro`, '--log-driver', PLUGIN_NAME, ...opts.flatMap((o) => ['--log-opt', o]), BB_IMAGE, 'sh', '-c', cmd];
  await inGroups(Array.from({ length: containers }, (_, i) => i), async () => ids.push((await dockerOk(args)).trim()));
  return ids;
}

async function inGroups<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += STARTS_AT_ONCE) await Promise.all(items.slice(i, i + STARTS_AT_ONCE).map(run));
}

export interface ReadResult {
  driver: string;
  lines: number;
  seconds: number;
}

/** `docker logs` of a container that printed `lines` lines, json-file vs tslogs (median of 3 reads). */
export async function runDockerLogsReads(lines: number): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  for (const driver of ['json-file', PLUGIN_NAME]) {
    const { id } = await runSeq(driver, lines, ['max-size=1g']);
    try {
      if (driver === PLUGIN_NAME) await untilStored(id, lines);
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = process.hrtime.bigint();
        const out = await docker(['logs', id]);
        times.push(Number(process.hrtime.bigint() - start) / 1e9);
        if (out.stdout.length === 0) throw new Error(`docker logs ${driver} printed nothing`);
      }
      times.sort((a, b) => a - b);
      results.push({ driver: driver === PLUGIN_NAME ? 'tslogs' : "Docker's json-file", lines, seconds: times[1]! });
    } finally {
      await docker(['rm', '-f', id]);
    }
  }
  return results;
}
