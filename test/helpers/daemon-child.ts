// A tslogs daemon in its own process, with a file sink, so tests can kill -9 it.
// Usage: node --import tsx test/helpers/daemon-child.ts <root> <socket>
import fs from 'node:fs';
import { pino } from 'pino';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import { buildServer, listenOnSocket } from '../../src/protocol/server.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import type { Sink, SinkDefinition, SinkEntry } from '../../src/sinks/sink.js';

/** Appends each batch to a file and fsyncs before acknowledging; slow on purpose. */
class FileSink implements Sink {
  readonly maxBatchEntries = 50;
  readonly maxBatchBytes = 1 << 20;
  readonly lingerMs = 0;
  private fd = -1;
  constructor(private readonly file: string) {}
  async open(): Promise<void> {
    this.fd = fs.openSync(this.file, 'a');
  }
  async send(batch: readonly SinkEntry[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    fs.writeSync(this.fd, batch.map((e) => e.line.toString() + '\n').join(''));
    fs.fsyncSync(this.fd);
  }
  async close(): Promise<void> {
    if (this.fd >= 0) fs.closeSync(this.fd);
  }
}

const fileSink: SinkDefinition<string> = {
  name: 'file',
  addressKey: 'file-address',
  keys: new Set(),
  parse: (config) => config['file-address']!,
  create: (file) => new FileSink(file),
};

const [root, socket] = process.argv.slice(2) as [string, string];
const driver = new PluginDriver({ root, registry: sinkRegistry([fileSink]), log: pino(pino.destination(2)), hostname: 'vm' });
const app = buildServer({ driver, logger: pino({ level: 'silent' }) });
await driver.resume();
await listenOnSocket(app, socket);
process.stdout.write('ready\n');
