// A receiver in its own process, so that fault tests can kill -9 it and start it
// again on the same port: Splunk HEC (with or without indexer acknowledgement),
// syslog over UDP or TCP, GELF over UDP or TCP, fluentd's Forward protocol (acks
// when a message asks for one). Every line number found in what it received
// (`L` and 7 digits, as the fault tests log them) is written synchronously to the
// output file as `<arrival ms> <number>` before anything is acknowledged, so what
// it acknowledged is on disk when it is killed.
// Usage: node --import tsx test/helpers/receiver-child.ts <kind> <port> <out file>
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decode, encode } from '@msgpack/msgpack';
import { decodePayload } from './gelf-receiver.js';
import { msgpackEnd } from './msgpack-end.js';

export const RECEIVER_KINDS = ['splunk', 'splunk-ack', 'syslog-udp', 'syslog-tcp', 'gelf-udp', 'gelf-tcp', 'fluentd'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

const MARKER = /L(\d{7})/g;

function recorder(file: string): (text: string) => void {
  const fd = fs.openSync(file, 'a');
  return (text) => {
    const at = Date.now();
    let out = '';
    for (const m of text.matchAll(MARKER)) out += `${at} ${Number(m[1])}\n`;
    if (out !== '') fs.writeSync(fd, out);
  };
}

/** Calls `onRecord` for every `separator`-terminated record of each connection (an unterminated tail is not a record). */
function streamServer(port: number, separator: number, onRecord: (record: Buffer) => void): Promise<void> {
  const server = net.createServer((socket) => {
    let rest = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      const last = data.lastIndexOf(separator);
      if (last < 0) {
        rest = Buffer.from(data);
        return;
      }
      onRecord(data.subarray(0, last + 1));
      rest = Buffer.from(data.subarray(last + 1));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

function udpServer(port: number, onDatagram: (d: Buffer) => void): Promise<void> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  socket.on('message', (d) => d.length > 0 && onDatagram(d));
  return new Promise((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
}

function hecServer(port: number, acks: boolean, record: (text: string) => void): Promise<void> {
  const next = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const channel = req.headers['x-splunk-request-channel'] as string | undefined;
      const answer = (json: unknown) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.url?.startsWith('/services/collector/ack')) {
        const { acks: ids } = JSON.parse(body.toString()) as { acks: number[] };
        // A restarted receiver knows none of the ids given before: they stay unconfirmed.
        return answer({ acks: Object.fromEntries(ids.map((id) => [id, id < (next.get(channel ?? '') ?? 0)])) });
      }
      if (req.method !== 'POST') return answer({});
      record(body.toString());
      if (!acks || channel === undefined) return answer({ text: 'Success', code: 0 });
      const ackId = next.get(channel) ?? 0;
      next.set(channel, ackId + 1);
      answer({ text: 'Success', code: 0, ackId });
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

function fluentdServer(port: number, record: (text: string) => void): Promise<void> {
  const server = net.createServer((socket) => {
    let inbox: Buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      inbox = inbox.length === 0 ? data : Buffer.concat([inbox, data]);
      const acks: Buffer[] = [];
      let text = '';
      let at = 0;
      for (let end = msgpackEnd(inbox, at); end >= 0; end = msgpackEnd(inbox, at)) {
        const [, , rec, option] = decode(inbox.subarray(at, end)) as [unknown, unknown, { log?: string }, { chunk?: string } | undefined];
        text += `${rec.log ?? ''}\n`;
        if (option?.chunk !== undefined) acks.push(Buffer.from(encode({ ack: option.chunk })));
        at = end;
      }
      inbox = Buffer.from(inbox.subarray(at));
      record(text);
      if (acks.length > 0) socket.write(Buffer.concat(acks));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

function start(kind: ReceiverKind, port: number, record: (text: string) => void): Promise<void> {
  switch (kind) {
    case 'splunk':
    case 'splunk-ack':
      return hecServer(port, kind === 'splunk-ack', record);
    case 'syslog-udp':
      return udpServer(port, (d) => record(d.toString('latin1')));
    case 'syslog-tcp':
      return streamServer(port, 0x0a, (r) => record(r.toString('latin1')));
    case 'gelf-udp':
      return udpServer(port, (d) => record(decodePayload(d).json.toString()));
    case 'gelf-tcp':
      return streamServer(port, 0x00, (r) => record(r.toString()));
    case 'fluentd':
      return fluentdServer(port, record);
  }
}

if (process.argv[1]?.endsWith('receiver-child.ts')) {
  const [kind, port, out] = process.argv.slice(2) as [ReceiverKind, string, string];
  await start(kind, Number(port), recorder(out));
  process.stdout.write(`ready ${Date.now()}\n`);
}
