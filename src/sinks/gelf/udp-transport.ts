// GELF over UDP: one connected socket per container for its lifetime (go-gelf
// keeps one too; gelf-pro opens one per message), moved when the receiver's host
// name comes to resolve elsewhere. A receiver that dies loses what it had not read
// and what reached it before its refusals came back, although those sends
// succeeded: the datagrams of the last REPLAY_WINDOW_MS are sent again first once a
// refusal shows it was gone.

import dgram from 'node:dgram';
import net from 'node:net';
import { joinHostPort } from '../../go/host-port.js';
import { nextPoll } from '../shared/socket-waits.js';
import type { Logger } from '../../util/log.js';
import { REPLAY_WINDOW_MS, ReplayWindow, replayedMessages, type Written } from '../shared/replay-window.js';
import { gelfError } from './errors.js';
import { systemLookup, type Lookup } from './lookup.js';
import { closedError, dialError, writeError } from './net-errors.js';
import type { GelfAddress } from './options.js';

/** A UDP socket is dialled again when the host name now resolves elsewhere; checked this often. */
export const DNS_REFRESH_MS = 30_000;

/** One connected UDP socket; datagrams of a batch are sent in order. */
export class UdpTransport {
  private socket: dgram.Socket | undefined;
  private dialing: Promise<dgram.Socket> | undefined;
  /** An error the socket reported outside a send (an ICMP error on a connected socket). */
  private failure: Error | undefined;
  private remote = '';
  private resolvedAt = 0;
  private closed = false;
  private readonly replay: ReplayWindow;

  constructor(
    private readonly address: GelfAddress,
    private readonly now: () => number = Date.now,
    private readonly lookup: Lookup = systemLookup,
    private readonly log?: Logger,
  ) {
    this.replay = new ReplayWindow({ windowMs: REPLAY_WINDOW_MS, now, keepCutoff: true });
  }

  /** Resolves the host and connects the socket (no handshake: nothing is sent). */
  async open(): Promise<void> {
    await this.connect();
  }

  private connect(): Promise<dgram.Socket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    this.dialing ??= this.dial().finally(() => (this.dialing = undefined));
    return this.dialing;
  }

  private async dial(): Promise<dgram.Socket> {
    const { host, port } = this.address;
    let resolved: { address: string; family: number };
    try {
      resolved = await this.lookup(host);
    } catch (e) {
      throw dialError('udp', this.address, e);
    }
    const socket = dgram.createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(port, resolved.address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      socket.close();
      throw dialError('udp', this.address, e);
    }
    if (this.closed) {
      socket.close();
      throw closedError();
    }
    socket.on('error', (err) => {
      // A closed socket's late errors must not fail the one that replaced it.
      if (this.socket === socket) this.failure ??= err;
    });
    this.socket = socket;
    this.remote = joinHostPort(resolved.address, port);
    this.resolvedAt = this.now();
    return socket;
  }

  /** Closes the socket; the next send dials again (and resolves the host again). `lost`: the receiver refused. */
  private reset(lost = false): void {
    if (lost) this.replay.lost();
    const socket = this.socket;
    this.socket = undefined;
    this.failure = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }

  /** Every DNS_REFRESH_MS, looks the host up again and moves the socket if it now resolves elsewhere. */
  private async refresh(): Promise<void> {
    if (this.socket === undefined || net.isIP(this.address.host) !== 0) return;
    if (this.now() - this.resolvedAt < DNS_REFRESH_MS) return;
    this.resolvedAt = this.now();
    try {
      const { address } = await this.lookup(this.address.host);
      if (joinHostPort(address, this.address.port) !== this.remote) this.reset();
    } catch {
      // Keep the socket we have; a lookup failure says nothing about it.
    }
  }

  /**
   * Whether the receiver is there now: an empty datagram, which a port nobody listens
   * on refuses by the next poll (a GELF receiver discards it as an empty message).
   */
  async probe(): Promise<boolean> {
    try {
      const socket = await this.connect();
      if (this.failure === undefined) {
        await new Promise<void>((resolve, reject) => socket.send(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
        await nextPoll();
      }
      if (this.failure === undefined) return true;
    } catch {
      // unreachable
    }
    this.reset(true);
    return false;
  }

  /**
   * Sends the datagrams in order; resolves once the kernel took them all and no error
   * came back by the next poll. A connected UDP socket learns from ICMP that nobody
   * listens (ECONNREFUSED, reported after the send): the batch then fails and is sent
   * again, instead of counting as delivered while the receiver is down.
   */
  async send(datagrams: readonly Buffer[], messages: number = datagrams.length): Promise<void> {
    if (datagrams.length === 0) return;
    await this.refresh();
    const socket = await this.connect();
    const replay = this.replay.pending;
    const all = replay.length === 0 ? datagrams : [...replay.flatMap(split), ...datagrams];
    try {
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        let left = all.length;
        let failed = false;
        const done = (err: Error | null): void => {
          if (failed) return;
          if (err) {
            failed = true;
            reject(err);
          } else if (--left === 0) resolve();
        };
        for (const d of all) socket.send(d, done);
      });
      await nextPoll();
      if (this.failure !== undefined) throw this.failure;
    } catch (e) {
      this.reset(true);
      throw writeError('udp', this.remote, e);
    }
    const ends: number[] = [];
    let end = 0;
    for (const d of datagrams) ends.push((end += d.length));
    this.replay.written(replay, Buffer.concat(datagrams), messages, this.now(), ends);
    if (replay.length > 0) this.log?.warn(gelfError('TSLOGS_GELF_REPLAY', this.address.hostport, replayedMessages(replay), REPLAY_WINDOW_MS).message);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
  }
}

/** The datagrams of one remembered batch. */
function split(w: Written): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const end of w.ends ?? [w.data.length]) {
    out.push(w.data.subarray(start, end));
    start = end;
  }
  return out;
}
