// End to end with sinks: `docker run … seq 1 N` under tslogs with 1 sink (Splunk) and with
// 4 sinks at once (Splunk, syslog tcp, GELF tcp, fluentd) to loopback receivers; wall time
// until the last line reached every receiver. Compare with Docker's json-file in the same
// run (bench/docker.ts).
import { FluentdReceiver } from '../test/helpers/fluentd-receiver.js';
import { GelfTcpReceiver } from '../test/helpers/gelf-receiver.js';
import { HecReceiver } from '../test/helpers/hec-receiver.js';
import { CaptureServer } from '../test/helpers/syslog-servers.js';
import { BB_IMAGE, PLUGIN_NAME, docker, dockerOk, rm, uniqueName } from '../test/e2e/helpers/docker.js';

export interface SinksRunResult {
  name: string;
  lines: number;
  seconds: number;
}

interface Target {
  count(): number;
  close(): Promise<void>;
  opts: string[];
}

async function splunk(): Promise<Target> {
  const r = await HecReceiver.start();
  return { count: () => r.accepted.length, close: () => r.close(), opts: [`splunk-url=${r.url}`, 'splunk-token=bench'] };
}

async function others(): Promise<Target[]> {
  const syslog = await CaptureServer.tcp();
  const gelf = await GelfTcpReceiver.start();
  const fluentd = await FluentdReceiver.start({ countOnly: true });
  let n = 0;
  const lines = (): number => {
    n = 0;
    for (const c of syslog.connections) for (const d of c.data) for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) n++;
    return n;
  };
  return [
    { count: lines, close: () => syslog.close(), opts: [`syslog-address=tcp://127.0.0.1:${syslog.port}`] },
    { count: () => gelf.messages.length, close: () => gelf.close(), opts: [`gelf-address=${gelf.address}`] },
    { count: () => fluentd.count, close: () => fluentd.close(), opts: [`fluentd-address=${fluentd.address}`] },
  ];
}

async function once(name: string, targets: Target[], lines: number): Promise<SinksRunResult> {
  const container = uniqueName('bench-sinks');
  try {
    const start = process.hrtime.bigint();
    await dockerOk(['run', '-d', '--name', container, '--network', 'host', '--log-driver', PLUGIN_NAME, '--log-opt', 'max-size=1g',
      ...targets.flatMap((t) => t.opts.flatMap((o) => ['--log-opt', o])), BB_IMAGE, 'seq', '1', String(lines)]);
    const deadline = Date.now() + 600_000;
    while (targets.some((t) => t.count() < lines)) {
      if (Date.now() > deadline) throw new Error(`${name}: receivers have ${targets.map((t) => t.count()).join(', ')} of ${lines}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return { name, lines, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    await docker(['wait', container]).catch(() => undefined);
    await rm(container).catch(() => undefined);
  }
}

export async function runWithSinks(lines: number, rounds: number): Promise<SinksRunResult[]> {
  const results: SinksRunResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const one = [await splunk()];
    const four = [await splunk(), ...(await others())];
    try {
      results.push(await once('tslogs + 1 sink (Splunk)', one, lines));
      results.push(await once('tslogs + 4 sinks (Splunk, syslog, GELF, fluentd)', four, lines));
    } finally {
      for (const t of [...one, ...four]) await t.close();
    }
  }
  return results;
}
