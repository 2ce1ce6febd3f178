// What the daemon log says about a failing sink: bound to its container and sink,
// and never the token, however the failure is worded.
import { afterAll, afterEach, expect, it } from 'vitest';
import { encodeFrame } from '../../src/codec/frame-encoder.js';
import { splunkSinkDefinition } from '../../src/sinks/splunk/index.js';
import { Fifo } from '../helpers/fake-dockerd.js';
import { TestDrivers } from '../helpers/test-drivers.js';
import { closedPort } from '../helpers/ports.js';

const TOKEN = 'SECRET-5b1e7c9a-0d2f-4e8b-9a61-3c4d5e6f7a8b';
const ID = 'c'.repeat(64);

const drivers = new TestDrivers();
const linger = process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY;
// Splunk's batches wait 5 s to fill by default.
process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY = '10ms';
afterEach(async () => {
  await drivers.shutdown();
});
afterAll(() => {
  if (linger === undefined) delete process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY;
  else process.env.SPLUNK_LOGGING_DRIVER_POST_MESSAGES_FREQUENCY = linger;
});

it('a Splunk sink failing with a token logs the failure with container and sink, and the token nowhere', async () => {
  const { dir, driver, logged } = drivers.start([splunkSinkDefinition]);
  const fifo = new Fifo(dir, 'f1');
  const config = { 'splunk-url': `http://127.0.0.1:${await closedPort()}`, 'splunk-token': TOKEN, 'sink-retry-min': '1ms', 'sink-retry-max': '5ms' };
  await driver.startLogging({
    File: fifo.path,
    Info: {
      Config: config, ContainerID: ID, ContainerName: '/secretive', ContainerEntrypoint: 'sh', ContainerArgs: [],
      ContainerImageID: 'sha256:' + 'ae'.repeat(32), ContainerImageName: 'bb:latest', ContainerCreated: '2026-11-28T20:01:23.567244869Z',
      ContainerEnv: null, ContainerLabels: {}, LogPath: '', DaemonName: 'docker',
    },
  });
  await fifo.write(encodeFrame({ source: 'stdout', sec: 1795896100, nsec: 0, line: Buffer.from(`token ${TOKEN}`), partial: false, meta: undefined }));
  const deadline = Date.now() + 15_000;
  while (!logged.records.some((r) => r.msg.includes('retrying')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

  const failure = logged.records.find((r) => r.msg.includes('retrying'));
  expect(failure).toMatchObject({ level: 'warn', fields: { container: 'cccccccccccc', sink: 'splunk' } });
  expect(failure!.msg).toMatch(/^container cccccccccccc sink splunk: send failed, retrying with backoff: .*(ECONNREFUSED|connection refused)/);
  // What pino would write: the message and every field, serialised.
  for (const record of logged.records) expect(JSON.stringify(record)).not.toContain(TOKEN.slice('SECRET-'.length));
  await fifo.close();
});
