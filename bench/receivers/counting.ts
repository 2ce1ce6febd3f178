// Counting-only receivers for the throughput benchmarks, one per wire protocol. They
// decode just enough to count messages (and answer what the protocol requires: HEC's
// 200, fluentd's acks), so that neither Docker's driver nor tslogs is measured against
// a receiver's own parsing. The conformance tests use the full decoders in test/helpers.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import snappy from 'snappy';
import { FluentdReceiver } from '../../test/helpers/fluentd-receiver.js';

export type ReceiverKind = 'hec' | 'syslog-tcp' | 'syslog-udp' | 'gelf-tcp' | 'gelf-udp' | 'fluentd' | 'otlp' | 'otlp-json' | 'loki';

export interface Counter {
  /** Messages received so far. */
  count: number;
  /** process.hrtime.bigint() when the count last grew. */
  lastAt: bigint;
}

export interface CountingReceiver {
  /** The `--log-opt`s that point a driver at this receiver. */
  opts: string[];
  close(): Promise<void>;
}

function bump(c: Counter, n: number): void {
  if (n === 0) return;
  c.count += n;
  c.lastAt = process.hrtime.bigint();
}

function countByte(chunk: Buffer, byte: number): number {
  let n = 0;
  for (let i = chunk.indexOf(byte); i !== -1; i = chunk.indexOf(byte, i + 1)) n++;
  return n;
}

const EVENT_KEY = Buffer.from('{"event":');

/** HEC: every event starts with `{"event":` (Docker's and tslogs' envelopes alike). */
async function hec(c: Counter): Promise<CountingReceiver> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.method === 'POST') {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        let n = 0;
        for (let i = body.indexOf(EVENT_KEY); i !== -1; i = body.indexOf(EVENT_KEY, i + EVENT_KEY.length)) n++;
        bump(c, n);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"text":"Success","code":0}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    opts: [`splunk-url=http://127.0.0.1:${port}`, 'splunk-token=bench-token'],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Length-delimited fields numbered `field` in the protobuf message buf[start, end), as
 * [start, end) pairs; other fields are skipped (varint, fixed64, fixed32 or length).
 */
function lenFields(buf: Buffer, start: number, end: number, field: number): [number, number][] {
  const out: [number, number][] = [];
  let p = start;
  const varint = (): number => {
    let v = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = buf[p++]!;
      v += (b & 0x7f) * shift;
      if (b < 0x80) return v;
    }
  };
  while (p < end) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const n = varint();
      if (tag >>> 3 === field) out.push([p, p + n]);
      p += n;
    } else if (wire === 0) varint();
    else p += wire === 1 ? 8 : 4;
  }
  return out;
}

/** ExportLogsServiceRequest: resource_logs = 1 → scope_logs = 2 → log_records = 2, counted without decoding them. */
function countLogRecords(body: Buffer): number {
  let n = 0;
  for (const [rs, re] of lenFields(body, 0, body.length, 1)) {
    for (const [ss, se] of lenFields(body, rs, re, 2)) n += lenFields(body, ss, se, 2).length;
  }
  return n;
}

const TIME_KEY = Buffer.from('"timeUnixNano":');

/** OTLP/HTTP: 200 with an empty ExportLogsServiceResponse; records counted in either encoding. */
async function otlp(c: Counter, json: boolean): Promise<CountingReceiver> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      if (req.headers['content-type'] === 'application/json') {
        let n = 0;
        for (let i = body.indexOf(TIME_KEY); i !== -1; i = body.indexOf(TIME_KEY, i + TIME_KEY.length)) n++;
        bump(c, n);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      } else {
        bump(c, countLogRecords(body));
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    opts: [`otlp-endpoint=http://127.0.0.1:${port}`, ...(json ? ['otlp-protocol=http/json'] : [])],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Loki's PushRequest: streams = 1 → entries = 2, counted without decoding them. */
function countLokiEntries(body: Buffer): number {
  let n = 0;
  for (const [ss, se] of lenFields(body, 0, body.length, 1)) n += lenFields(body, ss, se, 2).length;
  return n;
}

/** Loki push: 204 as Loki answers; the body snappy-uncompressed with the native library (the receiver's cost is not the sink's). */
async function loki(c: Counter): Promise<CountingReceiver> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      bump(c, countLokiEntries(snappy.uncompressSync(Buffer.concat(chunks)) as Buffer));
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    opts: [`loki-url=http://127.0.0.1:${port}/loki/api/v1/push`],
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A TCP server counting one delimiter byte: newline (syslog over tcp) or NUL (GELF over tcp). */
async function delimitedTcp(c: Counter, delimiter: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => bump(c, countByte(d, delimiter)));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** UDP: a big receive buffer, and a count per datagram or per complete GELF message. */
async function udp(c: Counter, gelf: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 64 * 1024 * 1024 });
  // GELF chunks: 0x1e 0x0f, 8-byte id, seq, count. A message counts once all its chunks came.
  const partial = new Map<string, number>();
  socket.on('message', (d: Buffer) => {
    if (!gelf || d[0] !== 0x1e || d[1] !== 0x0f) return bump(c, 1);
    const id = d.toString('latin1', 2, 10);
    const seen = (partial.get(id) ?? 0) + 1;
    if (seen < d[11]!) partial.set(id, seen);
    else {
      partial.delete(id);
      bump(c, 1);
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

export async function startCounting(kind: ReceiverKind, c: Counter): Promise<CountingReceiver> {
  switch (kind) {
    case 'hec':
      return hec(c);
    case 'syslog-tcp': {
      const s = await delimitedTcp(c, 0x0a);
      return { opts: [`syslog-address=tcp://127.0.0.1:${s.port}`, 'syslog-format=rfc5424micro'], close: s.close };
    }
    case 'gelf-tcp': {
      const s = await delimitedTcp(c, 0x00);
      return { opts: [`gelf-address=tcp://127.0.0.1:${s.port}`], close: s.close };
    }
    case 'syslog-udp': {
      const s = await udp(c, false);
      return { opts: [`syslog-address=udp://127.0.0.1:${s.port}`, 'syslog-format=rfc5424micro'], close: s.close };
    }
    case 'gelf-udp': {
      const s = await udp(c, true);
      return { opts: [`gelf-address=udp://127.0.0.1:${s.port}`], close: s.close };
    }
    case 'otlp':
    case 'otlp-json':
      return otlp(c, kind === 'otlp-json');
    case 'loki':
      return loki(c);
    case 'fluentd': {
      // Splits the msgpack stream and acks chunks, without decoding records.
      const r = await FluentdReceiver.start({ countOnly: true });
      let seen = 0;
      const timer = setInterval(() => {
        if (r.count !== seen) {
          bump(c, r.count - seen);
          seen = r.count;
        }
      }, 1);
      return { opts: [`fluentd-address=${r.address}`], close: async () => { clearInterval(timer); await r.close(); } };
    }
  }
}
