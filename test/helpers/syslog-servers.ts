// Syslog receivers for the syslog sink tests, all on loopback or in temp dirs:
//   CaptureServer   tcp, tls or unix stream server keeping the raw bytes of each connection
//   UdpCapture      udp server keeping every datagram
//   DgramCapture    unix datagram receiver (python3: Node core has no AF_UNIX datagrams)
//   Rsyslog         a real rsyslogd (Debian's rsyslog + rsyslog-gnutls) with its own config,
//                   writing every message it receives raw to a file
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { waitUntil } from './wait.js';
import { freePort } from './ports.js';

/** A free loopback TCP (and, usually, UDP) port. */
export interface CaptureConnection {
  socket: net.Socket;
  data: Buffer[];
  bytes(): Buffer;
}

/** A stream server (tcp, tls, unix) that keeps what every connection sent. */
export class CaptureServer {
  readonly connections: CaptureConnection[] = [];
  private readonly sockets = new Set<net.Socket>();
  /** When set, each new connection is handed to this instead of being kept open. */
  onConnection: ((c: CaptureConnection) => void) | undefined;

  private constructor(
    readonly server: net.Server,
    readonly port: number,
    readonly path: string | undefined,
  ) {}

  static async tcp(options: { port?: number } = {}): Promise<CaptureServer> {
    return CaptureServer.listen(net.createServer(), { port: options.port ?? 0, host: '127.0.0.1' });
  }

  static async tls(options: tls.TlsOptions, port = 0): Promise<CaptureServer> {
    return CaptureServer.listen(tls.createServer(options), { port, host: '127.0.0.1' }, 'secureConnection');
  }

  static async unix(socketPath: string): Promise<CaptureServer> {
    return CaptureServer.listen(net.createServer(), { path: socketPath });
  }

  private static async listen(server: net.Server, where: net.ListenOptions, event = 'connection'): Promise<CaptureServer> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => resolve());
    });
    const address = server.address();
    const capture = new CaptureServer(server, typeof address === 'object' && address ? address.port : 0, where.path);
    server.on(event, (socket: net.Socket) => capture.accept(socket));
    // TLS handshake failures are part of the tests; they must not crash the server.
    server.on('tlsClientError', () => undefined);
    return capture;
  }

  private accept(socket: net.Socket): void {
    const c: CaptureConnection = { socket, data: [], bytes: () => Buffer.concat(c.data) };
    this.sockets.add(socket);
    socket.on('data', (d: Buffer) => c.data.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    this.connections.push(c);
    this.onConnection?.(c);
  }

  /** Everything received, over all connections, in connection order. */
  bytes(): Buffer {
    return Buffer.concat(this.connections.map((c) => c.bytes()));
  }

  /** Cuts every open connection (the server keeps listening). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** A udp server keeping every datagram. */
export class UdpCapture {
  readonly datagrams: Buffer[] = [];
  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {}

  static async start(port = 0): Promise<UdpCapture> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    // Deep enough for bursts of 16 KiB datagrams.
    socket.setRecvBufferSize(8 * 1024 * 1024);
    const capture = new UdpCapture(socket, socket.address().port);
    socket.on('message', (m) => capture.datagrams.push(m));
    return capture;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

const DGRAM_RECEIVER = `
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
sys.stdout.write('ready\\n'); sys.stdout.flush()
while True:
    d = s.recv(1 << 20)
    sys.stdout.write(d.hex() + '\\n'); sys.stdout.flush()
`;

/** A unix datagram socket bound by a python3 child, printing each datagram as a hex line. */
export class DgramCapture {
  readonly datagrams: Buffer[] = [];
  private pending = '';
  private constructor(
    readonly path: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(socketPath: string): Promise<DgramCapture> {
    const child = spawn('python3', ['-u', '-c', DGRAM_RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const capture = new DgramCapture(socketPath, child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`python3 datagram receiver exited (${code})`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (capture.pending + chunk.toString('latin1')).split('\n');
        capture.pending = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') resolve();
          else capture.datagrams.push(Buffer.from(line, 'hex'));
        }
      });
    });
    return capture;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(this.path, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// rsyslogd

export interface RsyslogPorts {
  udp: number;
  tcp: number;
  tls: number;
}

export interface RsyslogTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * rsyslogd -n with a generated config in `dir`: udp, tcp and tcp+tls (gtls, anonymous
 * clients) on loopback, a unix stream socket (imptcp) and a unix datagram socket
 * (imuxsock, without touching /dev/log), every message written as
 * `<input> <rawmsg>\n` to out.log. Messages up to 64 KiB (rsyslog's default is 8 KiB).
 */
export class Rsyslog {
  private child: ChildProcess | undefined;
  readonly conf: string;
  readonly out: string;
  readonly streamSocket: string;
  readonly dgramSocket: string;
  readonly log: string[] = [];

  constructor(
    readonly dir: string,
    readonly ports: RsyslogPorts,
    readonly tlsFiles: RsyslogTls,
  ) {
    this.conf = path.join(dir, 'rsyslog.conf');
    this.out = path.join(dir, 'out.log');
    this.streamSocket = path.join(dir, 'stream.sock');
    this.dgramSocket = path.join(dir, 'dgram.sock');
    fs.writeFileSync(this.conf, [
      // Control characters are kept as received (rsyslog's default writes a tab as #011).
      `global(workDirectory="${dir}" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off"`,
      `  DefaultNetstreamDriverCAFile="${tlsFiles.caFile}"`,
      `  DefaultNetstreamDriverCertFile="${tlsFiles.certFile}"`,
      `  DefaultNetstreamDriverKeyFile="${tlsFiles.keyFile}")`,
      'module(load="imudp")',
      'module(load="imtcp" MaxSessions="100")',
      'module(load="imptcp")',
      'module(load="imuxsock" SysSock.Use="off")',
      'template(name="raw" type="string" string="%inputname% %rawmsg%\\n")',
      `input(type="imudp" address="127.0.0.1" port="${ports.udp}")`,
      `input(type="imtcp" address="127.0.0.1" port="${ports.tcp}")`,
      `input(type="imtcp" address="127.0.0.1" port="${ports.tls}" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`,
      `input(type="imptcp" path="${this.streamSocket}" unlink="on")`,
      `input(type="imuxsock" Socket="${this.dgramSocket}" UseSpecialParser="off" ParseHostname="off" Annotate="off" UsePIDFromSystem="off")`,
      `action(type="omfile" file="${this.out}" template="raw")`,
      '',
    ].join('\n'));
  }

  static async create(dir: string, tlsFiles: RsyslogTls): Promise<Rsyslog> {
    return new Rsyslog(dir, { udp: await freePort(), tcp: await freePort(), tls: await freePort() }, tlsFiles);
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts rsyslogd and waits until every listener accepts. */
  async start(): Promise<void> {
    const child = spawn('rsyslogd', ['-n', '-f', this.conf, '-i', path.join(this.dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const started = Date.now();
    child.stdout!.on('data', (d: Buffer) => this.log.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => this.log.push(d.toString()));
    const connects = (opts: net.NetConnectOpts): Promise<boolean> =>
      new Promise((resolve) => {
        const s = net.connect(opts);
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
    await waitUntil(async () => {
      if (!this.running) throw new Error(`rsyslogd exited: ${this.log.join('')}`);
      if (Date.now() - started > 10_000) throw new Error(`rsyslogd does not listen: ${this.log.join('')}`);
      return (
        (await connects({ host: '127.0.0.1', port: this.ports.tcp })) &&
        (await connects({ host: '127.0.0.1', port: this.ports.tls })) &&
        (await connects({ path: this.streamSocket })) &&
        fs.existsSync(this.dgramSocket)
      );
    }, 'rsyslogd to listen');
  }

  /** SIGTERM and wait for the exit (what a service stop does). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** The output file's lines, `<input> <rawmsg>`. */
  lines(): string[] {
    if (!fs.existsSync(this.out)) return [];
    const text = fs.readFileSync(this.out, 'latin1');
    return text === '' ? [] : text.replace(/\n$/, '').split('\n');
  }
}
