// Why the fluentd sink does not send through @fluent-org/logger (the design's starting
// point; docs/dependencies.md): each case below is a requirement of Docker's wire
// format (docs/docker-compat.md §11.3-11.4) that the library, configured as closely as it allows, misses.
// The receiver is the tests' msgpack receiver, which keeps every object's bytes.
import { decode } from '@msgpack/msgpack';
import { FluentClient } from '@fluent-org/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { FluentdReceiver } from '../helpers/fluentd-receiver.js';

const T = 1795896165;
const receivers: FluentdReceiver[] = [];
const clients: FluentClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown().catch(() => undefined)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function setup(options: ConstructorParameters<typeof FluentClient>[1] = {}) {
  const receiver = await FluentdReceiver.start();
  receivers.push(receiver);
  const client = new FluentClient('docker', { ...options, socket: { host: '127.0.0.1', port: receiver.port, ...options.socket } });
  clients.push(client);
  return { receiver, client };
}

describe('@fluent-org/logger 1.0.10 against Docker\'s fluentd wire format', () => {
  it('defaults to PackedForward ([tag, packed entries, {size}]), where Docker sends one Message-mode array per line', async () => {
    const { receiver, client } = await setup();
    await client.emit('f1', { log: 'hello' }, T * 1000);
    await receiver.waitForMessages(0);
    while (receiver.objects.length === 0) await new Promise((r) => setTimeout(r, 10));
    const message = decode(receiver.objects[0]!) as unknown[];
    expect(message).toHaveLength(3);
    expect(message[1]).toBeInstanceOf(Uint8Array);
    expect(message[2]).toEqual({ size: 1 });
    expect(receiver.messages).toHaveLength(0);
  });

  it('Message mode writes integer seconds as uint32 (ce), Docker as int32 (d2)', async () => {
    const { receiver, client } = await setup({ eventMode: 'Message' });
    await client.emit('f1', { log: 'hello' }, T * 1000);
    const [m] = await receiver.waitForMessages(1);
    expect(m!.timeKind).toBe('uint32');
    expect(m!.timeBytes.toString('hex')).toBe('ce6b0b3365');
    // Docker: d2 6b0b3365 (docs/docker-compat.md §11.3).
  });

  it('a record value cannot carry a line\'s raw bytes: a Buffer goes out as bin (c4), a string loses invalid UTF-8', async () => {
    const { receiver, client } = await setup({ eventMode: 'Message' });
    const line = Buffer.from([0x69, 0xff, 0x0d]);
    await client.emit('f1', { log: line } as unknown as Record<string, string>, T * 1000);
    await client.emit('f1', { log: line.toString('utf8') }, T * 1000);
    while (receiver.objects.length < 2) await new Promise((r) => setTimeout(r, 10));
    const asBuffer = receiver.objects[0]!;
    expect(asBuffer.includes(Buffer.from([0xa3, 0x6c, 0x6f, 0x67, 0xc4, 0x03]))).toBe(true); // "log": bin8
    const [, , record] = decode(receiver.objects[1]!) as [string, number, Record<string, string>];
    expect(Buffer.from(record.log!, 'utf8')).toEqual(Buffer.from([0x69, 0xef, 0xbf, 0xbd, 0x0d]));
    // Docker sends "log" as a str holding 69 ff 0d.
  });

  it('with acks, the chunk id is 16 random bytes, not Docker\'s int64 LE event seconds + 8 random bytes', async () => {
    const { receiver, client } = await setup({ eventMode: 'Message', ack: { ackTimeout: 2000 } });
    await client.emit('f1', { log: 'a' }, T * 1000);
    await client.emit('f1', { log: 'b' }, T * 1000);
    const messages = await receiver.waitForMessages(2);
    const seconds = messages.map((m) => Buffer.from(m.option.chunk!, 'base64').readBigInt64LE(0));
    expect(seconds.every((s) => s === BigInt(T))).toBe(false);
  });
});
