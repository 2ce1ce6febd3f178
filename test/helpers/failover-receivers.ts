// Loopback receivers of the three sinks whose address may list several endpoints, behind
// one shape for the failover tests: where to send, which numbered lines arrived (in
// arrival order, repeats kept), and stopping (as a receiver that dies: its connections
// cut, what it had not read lost) and starting again on the same port.
import type { SinkDefinition } from '../../src/sinks/sink.js';
import { gelfSinkDefinition } from '../../src/sinks/gelf/index.js';
import { splunkSinkDefinition } from '../../src/sinks/splunk/index.js';
import { syslogSinkDefinition } from '../../src/sinks/syslog/index.js';
import { GelfTcpReceiver } from './gelf-receiver.js';
import { HecReceiver } from './hec-receiver.js';
import { CaptureServer } from './syslog-servers.js';

export interface FailoverReceiver {
  readonly address: string;
  /** The `line NNNNNN` texts received, in order, repeats kept. */
  lines(): string[];
  stop(): Promise<void>;
  /** Listens again on the same port (what arrives from then on is added to lines()). */
  restart(): Promise<void>;
}

export interface FailoverSinkKind {
  name: string;
  definition: SinkDefinition;
  addressKey: string;
  balanceKey: string;
  /** Options besides the address that every test sets. */
  options: Record<string, string>;
  start(): Promise<FailoverReceiver>;
}

const LINE = /line \d{6}/g;
const numbered = (text: string): string[] => text.match(LINE) ?? [];

async function hec(): Promise<FailoverReceiver> {
  let r: HecReceiver | undefined = await HecReceiver.start();
  const url = r.url;
  const port = Number(new URL(url).port);
  const earlier: unknown[] = [];
  return {
    address: url,
    lines: () => numbered(JSON.stringify([...earlier, ...(r?.accepted ?? [])])),
    stop: async () => {
      const stopped = r;
      r = undefined;
      if (stopped === undefined) return;
      earlier.push(...stopped.accepted);
      await stopped.close();
    },
    restart: async () => {
      r = await HecReceiver.start({ port });
    },
  };
}

async function syslogTcp(): Promise<FailoverReceiver> {
  let r: CaptureServer | undefined = await CaptureServer.tcp();
  const port = r.port;
  let earlier = '';
  return {
    address: `tcp://127.0.0.1:${port}`,
    lines: () => numbered(earlier + (r?.bytes().toString('latin1') ?? '')),
    stop: async () => {
      const stopped = r;
      r = undefined;
      if (stopped === undefined) return;
      // Cut first: what arrives until then counts; close() would wait for the connections.
      stopped.dropConnections();
      earlier += stopped.bytes().toString('latin1');
      await stopped.close();
    },
    restart: async () => {
      r = await CaptureServer.tcp({ port });
    },
  };
}

async function gelfTcp(): Promise<FailoverReceiver> {
  const r = await GelfTcpReceiver.start();
  return {
    address: r.address,
    lines: () => numbered(r.messages.map((m) => m.json.toString('latin1')).join('\n')),
    stop: () => r.stop(),
    restart: () => r.listen(),
  };
}

export const FAILOVER_SINKS: readonly FailoverSinkKind[] = [
  { name: 'splunk', definition: splunkSinkDefinition, addressKey: 'splunk-url', balanceKey: 'splunk-balance', options: { 'splunk-token': 't0ken' }, start: hec },
  { name: 'syslog', definition: syslogSinkDefinition, addressKey: 'syslog-address', balanceKey: 'syslog-balance', options: {}, start: syslogTcp },
  // Docker's reconnections inside one send are paced by the delay; none here, the next endpoint takes over.
  { name: 'gelf', definition: gelfSinkDefinition, addressKey: 'gelf-address', balanceKey: 'gelf-balance', options: { 'gelf-tcp-reconnect-delay': '0' }, start: gelfTcp },
];
