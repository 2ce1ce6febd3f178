// Multiline (README "Multiline") through the real engine: a container prints a Java
// trace on stdout and a Python traceback on stderr among plain lines; the managed plugin
// sends to a HEC receiver on loopback (the plugin runs in the host's network namespace,
// the container has none). Each trace must arrive as one event, the plain lines one
// each, and `docker logs` must show the original lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HecReceiver } from '../helpers/hec-receiver.js';
import { JAVA_TRACE, PYTHON_TRACE } from '../helpers/traces.js';
import { PLUGIN_NAME, cleanupContainers, dockerLogs, runContainerFull, runOutcome, uniqueName, waitFor } from './helpers/docker.js';

let receiver: HecReceiver;

beforeAll(async () => {
  receiver = await HecReceiver.start();
});
afterAll(async () => {
  await cleanupContainers();
  await receiver?.close();
});

/** Docker's splunk driver's inline format: the tag is the container's short ID. */
interface HecEvent {
  event: { line: string; source: string; tag: string };
}

describe('multiline', () => {
  it('sends a Java trace and a Python traceback as one event each, plain lines alone; docker logs keeps the lines', async () => {
    // The traces come in through the environment: printf prints them as they are, tabs included.
    const cmd = [
      'echo "starting"',
      'printf "%s\\n" "$JAVA"',
      'echo "retrying"',
      'printf "%s\\n" "$PYTHON" >&2',
      'echo "giving up" >&2',
      'echo "done"',
    ].join('; ');
    const token = 'multiline-token';
    const run = await runContainerFull({
      driver: PLUGIN_NAME,
      cmd,
      name: uniqueName('ml'),
      env: { JAVA: JAVA_TRACE.join('\n'), PYTHON: PYTHON_TRACE.join('\n') },
      logOpts: { 'splunk-url': receiver.url, 'splunk-token': token, multiline: 'python,java' },
    });
    expect(run.exitCode).toBe(0);
    const mine = () => (receiver.accepted as HecEvent[]).filter((e) => e.event.tag === run.id.slice(0, 12));
    await waitFor(() => mine().length >= 6, { timeoutMs: 60_000, intervalMs: 100, what: '6 events' });
    // A little longer: no more may come.
    await new Promise((r) => setTimeout(r, 1_000));
    const of = (source: string) => mine().filter((e) => e.event.source === source).map((e) => e.event.line);
    expect(of('stdout')).toEqual(['starting', JAVA_TRACE.join('\n'), 'retrying', 'done']);
    expect(of('stderr')).toEqual([PYTHON_TRACE.join('\n'), 'giving up']);
    expect(mine()).toHaveLength(6);
    const logs = await dockerLogs(run.id);
    expect(logs.stdout.toString()).toBe(['starting', ...JAVA_TRACE, 'retrying', 'done'].map((l) => `${l}\n`).join(''));
    expect(logs.stderr.toString()).toBe([...PYTHON_TRACE, 'giving up'].map((l) => `${l}\n`).join(''));
  });

  it('refuses a bad preset at docker run, naming the option', async () => {
    const outcome = await runOutcome({ driver: PLUGIN_NAME, cmd: 'true', name: uniqueName('ml-bad'), logOpts: { multiline: 'cobol' } });
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain("invalid value for log opt 'multiline': expected java, python, go, node, or several of them separated by commas, got 'cobol'");
  });
});
