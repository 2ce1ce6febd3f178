// A three-node JetStream cluster of Debian's nats-server on loopback, started by the
// tests: each node is a child process that a test can SIGKILL and start again on the
// same ports and store, and an R3 stream the operator's part of the setup creates.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from './ports.js';

export const NATS_SERVER = '/usr/sbin/nats-server';

/** Every node still running, killed if the test process exits without stopping its cluster. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

interface NodeSpec {
  name: string;
  clientPort: number;
  routePort: number;
  dir: string;
}

export interface ClusterOptions {
  /** Extra lines for every node's configuration (TLS, accounts). */
  extraConfig?: string;
  /** Scheme of `url` (`nats` or `tls`). */
  scheme?: string;
  /** The CA the test's own client trusts, for a cluster that requires TLS. */
  clientCa?: string;
}

export class NatsCluster {
  private readonly processes = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();

  private constructor(
    readonly nodes: readonly NodeSpec[],
    private readonly options: ClusterOptions,
  ) {}

  /** Starts `size` nodes under `dir` and resolves once JetStream answers on the cluster. */
  static async start(dir: string, size = 3, options: ClusterOptions = {}): Promise<NatsCluster> {
    const nodes: NodeSpec[] = [];
    for (let i = 1; i <= size; i++) {
      nodes.push({ name: `n${i}`, clientPort: await freePort(), routePort: await freePort(), dir: path.join(dir, `n${i}`) });
    }
    const cluster = new NatsCluster(nodes, options);
    for (const node of nodes) cluster.writeConfig(node);
    await Promise.all(nodes.map((n) => cluster.startNode(n.name)));
    return cluster;
  }

  /** `nats-url` for the sink: every node, comma-separated. */
  get url(): string {
    return this.nodes.map((n) => `${this.options.scheme ?? 'nats'}://127.0.0.1:${n.clientPort}`).join(',');
  }

  private writeConfig(node: NodeSpec): void {
    fs.mkdirSync(node.dir, { recursive: true });
    const routes = this.nodes.filter((n) => n !== node).map((n) => `nats-route://127.0.0.1:${n.routePort}`);
    const config = [
      `server_name: ${node.name}`,
      `listen: 127.0.0.1:${node.clientPort}`,
      `jetstream { store_dir: "${path.join(node.dir, 'js')}", max_memory_store: 64MB, max_file_store: 2GB }`,
      this.nodes.length > 1 ? `cluster { name: tslogs, listen: 127.0.0.1:${node.routePort}, routes: [${routes.join(', ')}] }` : '',
      this.options.extraConfig ?? '',
    ].join('\n');
    fs.writeFileSync(path.join(node.dir, 'server.conf'), config + '\n');
  }

  /** Starts (or starts again) one node; resolves once it accepts client connections. */
  async startNode(name: string): Promise<void> {
    const node = this.node(name);
    const child = spawn(NATS_SERVER, ['-c', path.join(node.dir, 'server.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: string[] = [];
    this.logs.set(name, lines);
    this.processes.set(name, child);
    running.add(child);
    child.once('exit', () => running.delete(child));
    const ready = new Promise<void>((resolve, reject) => {
      let text = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        text += chunk;
        const parts = text.split('\n');
        text = parts.pop()!;
        for (const line of parts) {
          if (lines.length < 2000) lines.push(line);
          if (line.includes('Server is ready')) resolve();
        }
      });
      child.on('exit', (code, signal) => reject(new Error(`nats-server ${name} exited (${code ?? signal}): ${lines.slice(-5).join(' | ')}`)));
    });
    await ready;
  }

  /** SIGKILL, as a crashed host: nothing is flushed or handed over. */
  async kill(name: string): Promise<void> {
    const child = this.processes.get(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.processes.delete(name);
  }

  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.name)));
  }

  async startAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !this.processes.has(n.name)).map((n) => this.startNode(n.name)));
  }

  log(name: string): readonly string[] {
    return this.logs.get(name) ?? [];
  }

  private node(name: string): NodeSpec {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** A plain client of the test's own (not the sink's), to every node. */
  async client(): Promise<NatsConnection> {
    return connect({
      servers: this.nodes.map((n) => `127.0.0.1:${n.clientPort}`),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      ...(this.options.clientCa !== undefined && { tls: { ca: this.options.clientCa } }),
    });
  }

  /** What the operator does before pointing containers at the cluster: an R3 stream (retried while the cluster elects its meta leader). */
  async createStream(config: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
    await this.withManager(async (jsm) => {
      await retry(() => jsm.streams.add({ num_replicas: this.nodes.length, ...config }), 30_000);
    });
  }

  /** The node leading `stream`, once it has a leader. */
  async streamLeader(stream: string): Promise<string> {
    return this.withManager((jsm) => retry(async () => {
      const leader = (await jsm.streams.info(stream)).cluster?.leader;
      if (leader === undefined || leader === '') throw new Error(`stream ${stream} has no leader yet`);
      return leader;
    }, 30_000));
  }

  /** The `log` fields stored in `stream`, in stream order (read back with an ordered consumer). */
  async storedLogs(stream: string, subject?: string): Promise<{ logs: string[]; records: Record<string, unknown>[]; sizes: number[] }> {
    const nc = await this.client();
    try {
      // Generous timeouts: right after a node was killed the cluster answers slowly.
      const js = jetstream(nc, { timeout: 15_000 });
      const jsm = await retry(() => jetstreamManager(nc), 30_000);
      const info = await retry(() => jsm.streams.info(stream), 30_000);
      const total = info.state.messages;
      const records: Record<string, unknown>[] = [];
      const sizes: number[] = [];
      if (total === 0) return { logs: [], records, sizes };
      // The whole stream, filtered here: filter_subjects needs nats-server 2.10 (Debian has 2.9).
      const consumer = await retry(() => js.consumers.get(stream), 60_000);
      const messages = await consumer.consume({ max_messages: 10_000 });
      for await (const m of messages) {
        if (subject === undefined || m.subject === subject) {
          records.push({ ...(m.json<Record<string, unknown>>()), _subject: m.subject, _seq: m.seq });
          sizes.push(m.data.length);
        }
        if (m.seq >= info.state.last_seq) break;
      }
      return { logs: records.map((r) => r.log as string), records, sizes };
    } finally {
      await nc.close();
    }
  }

  private async withManager<T>(use: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
    const nc = await this.client();
    try {
      // jetstreamManager() asks for the account first, which times out until the meta leader is elected.
      return await use(await retry(() => jetstreamManager(nc), 30_000));
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await this.killAll();
  }
}

/** Calls `f` until it resolves or `ms` passed (the cluster's elections take a few seconds). */
export async function retry<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
