import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Sink, SinkEntry } from '../../src/sinks/sink.js';
import { compileEvents, encodeBatch } from '../../src/sinks/splunk/format.js';
import { splunkSinkDefinition } from '../../src/sinks/splunk/index.js';
import { parseSplunkOptions, type SplunkOptions } from '../../src/sinks/splunk/options.js';
import { containerInfo, sinkContext } from '../helpers/container-info.js';
import { HecReceiver, makeTestCa, type HecRequest } from '../helpers/hec-receiver.js';
import { pkiForFile, rejection, sinkTestRig } from '../helpers/sink-harness.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

const TOKEN = '6c1d2e3f-4a5b-4c6d-8e7f-0123456789ab';
const INFO = containerInfo({ ContainerID: '812526b87faeb0dbaf6913cbd8a91cf3e1e351df0ed3a804c89d3543f2b48111', ContainerName: '/web', ContainerLabels: { lab1: 'v1' } });
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const BATCH: SinkEntry[] = [
  { line: Buffer.from('first <line>'), source: 'stdout', sec: 1795896181, nsec: 630940000 },
  { line: Buffer.from('{"second": 2}'), source: 'stderr', sec: 1795896181, nsec: 630941000 },
];

const { closed, logged } = sinkTestRig();
// Generated per run into a temp dir; nothing is committed.
const ca = pkiForFile('tslogs-hec-ca-', makeTestCa);

async function receiver(options: Parameters<typeof HecReceiver.start>[0] = {}): Promise<HecReceiver> {
  const r = await HecReceiver.start(options);
  return closed.server(r);
}

function options(config: Record<string, string>): SplunkOptions {
  return parseSplunkOptions({ 'splunk-token': TOKEN, labels: 'lab1', ...config }, sinkContext(INFO, logged), {});
}

function sink(config: Record<string, string>, tweak: Partial<SplunkOptions> = {}): Sink {
  const s = splunkSinkDefinition.create({ ...options(config), ...tweak }, sinkContext(INFO, logged));
  return closed.sink(s);
}

function expectedBody(config: Record<string, string>, entries = BATCH): Buffer {
  return encodeBatch(entries, compileEvents(options(config).events)).body;
}

const headerNames = (r: HecRequest) => Object.keys(r.headers).sort();

describe('requests', () => {
  it('POSTs the batch to /services/collector/event/1.0 with Docker\'s headers', async () => {
    const hec = await receiver();
    await sink({ 'splunk-url': hec.url }).send(BATCH);
    const [a] = hec.requests;
    expect(hec.requests).toHaveLength(1);
    expect(a!.method).toBe('POST');
    expect(a!.path).toBe('/services/collector/event/1.0');
    expect(headerNames(a!)).toEqual(['accept-encoding', 'authorization', 'connection', 'content-length', 'host', 'user-agent']);
    expect(a!.headers).toMatchObject({
      authorization: `Splunk ${TOKEN}`,
      'user-agent': 'Go-http-client/1.1',
      'accept-encoding': 'gzip',
      'content-length': String(a!.rawBody.length),
      host: hec.url.slice('http://'.length),
      connection: 'keep-alive',
    });
    expect(a!.rawBody).toEqual(expectedBody({ 'splunk-url': hec.url }));
    expect(a!.events).toEqual([
      { event: { line: 'first <line>', source: 'stdout', tag: '812526b87fae', attrs: { lab1: 'v1' } }, time: '1795896181.630940', host: 'vm' },
      { event: { line: '{"second": 2}', source: 'stderr', tag: '812526b87fae', attrs: { lab1: 'v1' } }, time: '1795896181.630941', host: 'vm' },
    ]);
  });

  it.each([1, 4])('keeps connections alive and bounded to one per batch in flight (splunk-max-in-flight=%i), plus one', async (n) => {
    const hec = await receiver();
    const s = sink({ 'splunk-url': hec.url, 'splunk-max-in-flight': String(n) });
    expect(s.maxInFlight).toBe(n);
    for (let i = 0; i < 5; i++) await s.send(BATCH);
    await Promise.all(Array.from({ length: 3 * n }, () => s.send(BATCH)));
    expect(hec.eventPosts()).toHaveLength(5 + 3 * n);
    const ports = new Set(hec.requests.map((r) => r.remotePort)).size;
    expect(ports).toBeLessThanOrEqual(n + 1);
    if (n > 1) expect(ports).toBeGreaterThan(1);
  });

  it('compresses the whole body with splunk-gzip and says so in Content-Encoding', async () => {
    const hec = await receiver();
    const config = { 'splunk-url': hec.url, 'splunk-gzip': 'true', 'splunk-gzip-level': '1', 'splunk-format': 'json' };
    await sink(config).send(BATCH);
    const [r] = hec.requests;
    expect(r!.headers['content-encoding']).toBe('gzip');
    expect(r!.rawBody.subarray(0, 10)).toEqual(Buffer.from('1f8b08000000000004ff', 'hex'));
    expect(r!.body).toEqual(expectedBody(config));
    expect((r!.events[1] as { event: { line: unknown } }).event.line).toEqual({ second: 2 });
  });

  it('sends nothing for a raw batch of blank lines', async () => {
    const hec = await receiver();
    await sink({ 'splunk-url': hec.url, 'splunk-format': 'raw' }).send([{ ...BATCH[0]!, line: Buffer.from(' \t') }]);
    expect(hec.requests).toEqual([]);
  });
});

describe('connection check', () => {
  it('makes no request at open() unless splunk-verify-connection=true, so a container starts with Splunk down', async () => {
    const s = sink({ 'splunk-url': `http://127.0.0.1:${await closedPort()}` });
    expect(s.openBeforeStart).toBe(false);
    await expect(s.open()).resolves.toBeUndefined();
  });

  it('sends Docker\'s OPTIONS request, without the token, when asked for', async () => {
    const hec = await receiver();
    const s = sink({ 'splunk-url': hec.url, 'splunk-verify-connection': 'true' });
    expect(s.openBeforeStart).toBe(true);
    await s.open();
    const [r] = hec.requests;
    expect([r!.method, r!.path]).toEqual(['OPTIONS', '/services/collector/event/1.0']);
    expect(headerNames(r!)).toEqual(['accept-encoding', 'connection', 'host', 'user-agent']);
  });

  it('fails open() with Docker\'s texts on a non-200 answer and when Splunk is down', async () => {
    const hec = await receiver();
    hec.failNext(1, 404, 'not here');
    const err = await rejection(sink({ 'splunk-url': hec.url, 'splunk-verify-connection': 'true' }).open());
    expect([err.message, err.retryable]).toEqual(['splunk: failed to verify connection - 404 Not Found - not here', true]);
    const port = await closedPort();
    const down = await rejection(sink({ 'splunk-url': `http://127.0.0.1:${port}`, 'splunk-verify-connection': '1' }).open());
    expect(down.message).toBe(`Options "http://127.0.0.1:${port}/services/collector/event/1.0": connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(down.retryable).toBe(true);
  });

  it('decompresses a gzip error body, as Go does for the Accept-Encoding it sent', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(503, 'Busy Now', { 'Content-Encoding': 'gzip' });
      res.end(gzipSync(`busy, asked with ${req.headers['accept-encoding']}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await rejection(sink({ 'splunk-url': url, 'splunk-verify-connection': 'true' }).open());
      expect(err.message).toBe('splunk: failed to verify connection - 503 Busy Now - busy, asked with gzip');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('TLS', () => {
  it('verifies the server with splunk-capath as the CA set', async () => {
    const hec = await receiver({ tls: ca() });
    await sink({ 'splunk-url': hec.url, 'splunk-capath': ca().caFile }).send(BATCH);
    expect(hec.accepted).toHaveLength(2);
  });

  it('uses splunk-caname as the name to verify', async () => {
    const hec = await receiver({ tls: ca() });
    const err = await rejection(sink({ 'splunk-url': hec.url, 'splunk-capath': ca().caFile, 'splunk-caname': 'splunk.example' }).send(BATCH));
    expect(err.message).toBe(
      `Post "${hec.url}/services/collector/event/1.0": Hostname/IP does not match certificate's altnames: ` +
        "Host: splunk.example. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID)",
    );
    expect(err.retryable).toBe(true);
    await sink({ 'splunk-url': hec.url, 'splunk-capath': ca().caFile, 'splunk-caname': 'localhost' }).send(BATCH);
    expect(hec.accepted).toHaveLength(2);
  });

  it('rejects a server signed by an unknown CA by default, and accepts it with splunk-insecureskipverify', async () => {
    const hec = await receiver({ tls: ca() });
    const err = await rejection(sink({ 'splunk-url': hec.url }).send(BATCH));
    expect(err.message).toBe(`Post "${hec.url}/services/collector/event/1.0": unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`);
    await sink({ 'splunk-url': hec.url, 'splunk-insecureskipverify': 'true' }).send(BATCH);
    expect(hec.accepted).toHaveLength(2);
  });
});

describe('failures', () => {
  it('fails retryably on 503 and 429, and delivers each event once when Splunk recovers', async () => {
    const hec = await receiver();
    hec.failNext(1, 503);
    hec.failNext(1, 429, '{"text":"Too many requests"}');
    const s = sink({ 'splunk-url': hec.url });
    const busy = await rejection(s.send(BATCH));
    expect([busy.message, busy.retryable]).toEqual(['splunk: failed to send event - 503 Service Unavailable - {"text":"Server is busy","code":9}', true]);
    const tooMany = await rejection(s.send(BATCH));
    expect([tooMany.message, tooMany.retryable]).toEqual(['splunk: failed to send event - 429 Too Many Requests - {"text":"Too many requests"}', true]);
    await s.send(BATCH);
    expect(hec.eventPosts()).toHaveLength(3);
    expect(hec.accepted).toEqual(hec.requests[2]!.events);
    expect((hec.accepted as { event: { line: string } }[]).map((e) => e.event.line)).toEqual(['first <line>', '{"second": 2}']);
  });

  it('fails retryably on other 5xx and network errors', async () => {
    const hec = await receiver();
    hec.failNext(1, 502, 'bad gateway');
    expect((await rejection(sink({ 'splunk-url': hec.url }).send(BATCH))).retryable).toBe(true);
    const port = await closedPort();
    const down = await rejection(sink({ 'splunk-url': `http://127.0.0.1:${port}` }).send(BATCH));
    expect([down.message, down.retryable]).toEqual(
      [`Post "http://127.0.0.1:${port}/services/collector/event/1.0": connect ECONNREFUSED 127.0.0.1:${port}`, true]);
  });

  it.each([[400, 'Bad Request'], [403, 'Forbidden'], [404, 'Not Found'], [413, 'Payload Too Large']])(
    'drops the batch (not retryable) on %i', async (status, text) => {
      const hec = await receiver();
      hec.failNext(1, status, '{"text":"Invalid data format","code":6}');
      const err = await rejection(sink({ 'splunk-url': hec.url }).send(BATCH));
      expect([err.message, err.retryable]).toEqual([`splunk: failed to send event - ${status} ${text} - {"text":"Invalid data format","code":6}`, false]);
    });

  it('retries a wrong token (401) with the same text each time (the router logs it once), never showing the token', async () => {
    const hec = await receiver();
    hec.failNext(2, 401, (req) => `{"text":"Invalid token","seen":"${req.headers.authorization}"}`);
    const s = sink({ 'splunk-url': hec.url });
    const first = await rejection(s.send(BATCH));
    const second = await rejection(s.send(BATCH));
    expect([first.message, first.retryable]).toEqual(['splunk: failed to send event - 401 Unauthorized - {"text":"Invalid token","seen":"Splunk <redacted>"}', true]);
    expect(second.message).toBe(first.message);
    expect(logged.messages()).toEqual([]);
    await s.send(BATCH);
    expect(hec.accepted).toHaveLength(2);
  });

  it('keeps the token out of every failure message and report', async () => {
    const echo = (req: HecRequest) => `token ${TOKEN} header ${req.headers.authorization}`;
    const messages: string[] = [];
    const collect = async (p: Promise<unknown>) => messages.push((await rejection(p)).message);
    const hec = await receiver({ acks: true });
    for (const status of [400, 401, 403, 404, 429, 500, 503]) {
      hec.failNext(1, status, echo);
      await collect(sink({ 'splunk-url': hec.url }).send(BATCH));
    }
    hec.failNext(1, 404, echo);
    await collect(sink({ 'splunk-url': hec.url, 'splunk-verify-connection': 'true' }).open());
    hec.withholdNextAcks(1);
    await collect(sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' }, { ackTimeoutMs: 150 }).send(BATCH));
    const tls = await receiver({ tls: ca() });
    await collect(sink({ 'splunk-url': tls.url, 'splunk-capath': ca().caFile, 'splunk-caname': 'x.example' }).send(BATCH));
    await collect(sink({ 'splunk-url': `http://127.0.0.1:${await closedPort()}` }).send(BATCH));
    expect(messages).toHaveLength(11);
    for (const m of [...messages, ...logged.messages()]) expect(m).not.toContain(TOKEN);
    expect(messages.filter((m) => m.includes('<redacted>'))).toHaveLength(8);
  });
});

describe('indexer acknowledgement', () => {
  it('with splunk-ack, resolves once Splunk acknowledged, polling on one channel per container', async () => {
    const hec = await receiver({ acks: true });
    const s = sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' });
    await s.send(BATCH);
    await s.send(BATCH);
    const posts = hec.eventPosts();
    const polls = hec.ackPolls();
    const channel = posts[0]!.headers['x-splunk-request-channel'] as string;
    expect(channel).toMatch(UUID_V4);
    expect(posts.map((r) => r.headers['x-splunk-request-channel'])).toEqual([channel, channel]);
    expect(polls.map((r) => [r.method, r.path, r.body.toString(), r.headers['x-splunk-request-channel'], r.headers.authorization]))
      .toEqual([['POST', '/services/collector/ack', '{"acks":[0]}', channel, `Splunk ${TOKEN}`],
        ['POST', '/services/collector/ack', '{"acks":[1]}', channel, `Splunk ${TOKEN}`]]);
  });

  it('fails retryably when the ack is withheld past the bounded wait; the resent batch is acknowledged', async () => {
    const hec = await receiver({ acks: true });
    hec.withholdNextAcks(1);
    const s = sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' }, { ackTimeoutMs: 400 });
    const started = Date.now();
    const err = await rejection(s.send(BATCH));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect([err.message, err.retryable]).toEqual(
      ['splunk: HEC did not acknowledge indexing of ack ids 0 within 400 ms; the batch will be sent again', true]);
    expect(hec.ackPolls().length).toBeGreaterThanOrEqual(2);
    await s.send(BATCH);
    expect(hec.accepted).toHaveLength(4);
    expect(hec.accepted.slice(2)).toEqual(hec.accepted.slice(0, 2));
  });

  it('with splunk-ack, gives up an ack wait at once when HEC goes away (its ack ids go with it), instead of waiting out the deadline', async () => {
    const hec = await receiver({ acks: true });
    hec.withholdNextAcks(1);
    const s = sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' });
    const pending = rejection(s.send(BATCH));
    await waitUntil(() => hec.ackPolls().length >= 1, 'a first ack poll');
    await hec.close();
    const err = await pending;
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^splunk: HEC could not be reached while ack id 0 awaited indexing \(Post "http:\/\/127\.0\.0\.1:\d+\/services\/collector\/ack": .+\); a restarted HEC forgets its ack ids, so the batch will be sent again$/);
    expect(err.message).not.toContain(TOKEN);
  });

  it('ends an ack wait when the sink is closed', async () => {
    const hec = await receiver({ acks: true });
    hec.withholdNextAcks(1);
    const s = sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' });
    const pending = rejection(s.send(BATCH));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await s.close();
    expect((await pending).retryable).toBe(true);
  });

  it('counts a batch as delivered on 200 when the token has acks off, and says so once', async () => {
    const hec = await receiver();
    const s = sink({ 'splunk-url': hec.url, 'splunk-ack': 'true' });
    await s.send(BATCH);
    await s.send(BATCH);
    expect(hec.ackPolls()).toEqual([]);
    expect(logged.messages()).toEqual([
      'splunk: splunk-ack=true but HEC returned no ackId (indexer acknowledgement is off for this token); batches count as delivered on HTTP 200',
    ]);
  });

  it('with Docker\'s splunk-index-acknowledgment only, sends a new channel per request and never polls', async () => {
    const hec = await receiver({ acks: true });
    const s = sink({ 'splunk-url': hec.url, 'splunk-index-acknowledgment': 'true' });
    await s.send(BATCH);
    await s.send(BATCH);
    const [a, b] = hec.eventPosts().map((r) => r.headers['x-splunk-request-channel'] as string);
    expect(a).toMatch(UUID_V4);
    expect(b).toMatch(UUID_V4);
    expect(a).not.toBe(b);
    expect(hec.ackPolls()).toEqual([]);
  });
});
