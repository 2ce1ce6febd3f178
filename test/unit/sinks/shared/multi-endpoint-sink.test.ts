import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointSink } from '../../../../src/sinks/shared/multi-endpoint-sink.js';
import { SinkError, type Sink, type SinkEntry } from '../../../../src/sinks/sink.js';
import { silentLogger } from '../../../../src/util/log.js';
import { numberedEntries } from '../../../helpers/sink-harness.js';
import { waitUntil } from '../../../helpers/wait.js';

/** A sink that records what it got and fails while `down`. */
class FakeSink implements Sink {
  readonly maxBatchEntries = 10;
  readonly maxBatchBytes = 1000;
  readonly lingerMs = 0;
  down = false;
  error = () => new SinkError('connection refused');
  readonly got: string[] = [];
  opened = 0;
  async open(): Promise<void> {
    if (this.down) throw this.error();
    this.opened++;
  }
  async probe(): Promise<boolean> {
    return !this.down;
  }
  async send(batch: readonly SinkEntry[]): Promise<void> {
    if (this.down) throw this.error();
    for (const e of batch) this.got.push(e.line.toString());
  }
  async close(): Promise<void> {}
}

const made: MultiEndpointSink[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((s) => s.close()));
});

function multi(n: number, options: Partial<ConstructorParameters<typeof MultiEndpointSink>[1]> = {}): { sink: MultiEndpointSink; fakes: FakeSink[] } {
  const fakes = Array.from({ length: n }, () => new FakeSink());
  const sink = new MultiEndpointSink(fakes.map((f, i) => ({ sink: f, address: `tcp://e${i + 1}:1` })), {
    balance: 'failover', replayOnFailover: false, log: silentLogger, probeIntervalMs: 3_600_000, ...options,
  });
  made.push(sink);
  return { sink, fakes };
}

const lines = (from: number, n: number) => numberedEntries(n, from);

describe('MultiEndpointSink', () => {
  it("takes the first endpoint's batch limits", () => {
    const { sink } = multi(2);
    expect([sink.maxBatchEntries, sink.maxBatchBytes, sink.lingerMs]).toEqual([10, 1000, 0]);
  });

  it('sends a batch that failed on the first endpoint to the next one in the same send()', async () => {
    const { sink, fakes } = multi(3);
    await sink.send(lines(0, 2));
    fakes[0]!.down = true;
    await sink.send(lines(2, 2));
    expect(fakes[0]!.got).toEqual(['line 0', 'line 1']);
    expect(fakes[1]!.got).toEqual(['line 2', 'line 3']);
    expect(sink.endpoints()).toEqual({ addresses: ['tcp://e1:1', 'tcp://e2:1', 'tcp://e3:1'], inUse: 1, healthy: [false, true, true], switches: 1 });
  });

  it('rejects with the first endpoint\'s error when every one failed', async () => {
    const { sink, fakes } = multi(2);
    fakes[0]!.error = () => new SinkError('first down');
    fakes[1]!.error = () => new SinkError('second down');
    fakes[0]!.down = fakes[1]!.down = true;
    await expect(sink.send(lines(0, 1))).rejects.toThrow('first down');
  });

  it('passes a refusal of the content on at once (another endpoint would refuse it too)', async () => {
    const { sink, fakes } = multi(2);
    fakes[0]!.error = () => new SinkError('400 bad event', false);
    fakes[0]!.down = true;
    await expect(sink.send(lines(0, 1))).rejects.toThrow('400 bad event');
    expect(fakes[1]!.got).toEqual([]);
    expect(sink.endpoints().healthy).toEqual([true, true]);
  });

  it('skips a failed endpoint until a probe finds it back, then returns to the first in failover mode', async () => {
    const { sink, fakes } = multi(2);
    fakes[0]!.down = true;
    await sink.send(lines(0, 1));
    fakes[0]!.down = false;
    await sink.send(lines(1, 1));
    expect(fakes[1]!.got).toEqual(['line 0', 'line 1']);
    expect(await sink.probe(100)).toBe(true);
    await sink.send(lines(2, 1));
    expect(fakes[0]!.got).toEqual(['line 2']);
    expect(sink.endpoints()).toMatchObject({ inUse: 0, healthy: [true, true], switches: 2 });
  });

  it('probes failed endpoints in the background', async () => {
    const { sink, fakes } = multi(2, { probeIntervalMs: 10 });
    fakes[0]!.down = true;
    await sink.send(lines(0, 1));
    fakes[0]!.down = false;
    await waitUntil(() => sink.endpoints().healthy[0] === true, 'the probe to find endpoint 1 back', 5000);
    await sink.send(lines(1, 1));
    expect(fakes[0]!.got).toEqual(['line 1']);
  });

  it('says whether any endpoint can be reached', async () => {
    const { sink, fakes } = multi(2);
    fakes[0]!.down = fakes[1]!.down = true;
    await expect(sink.send(lines(0, 1))).rejects.toThrow();
    expect(await sink.probe(100)).toBe(false);
    fakes[1]!.down = false;
    expect(await sink.probe(100)).toBe(true);
    expect(sink.endpoints().healthy).toEqual([false, true]);
  });

  it('opens the first endpoint that opens', async () => {
    const { sink, fakes } = multi(2);
    fakes[0]!.down = true;
    await sink.open();
    expect([fakes[0]!.opened, fakes[1]!.opened]).toEqual([0, 1]);
    fakes[1]!.down = true;
    await expect(sink.open()).rejects.toThrow('connection refused');
  });

  it('in round-robin mode sends the batches to the endpoints in turn', async () => {
    const { sink, fakes } = multi(2, { balance: 'round-robin' });
    for (let i = 0; i < 4; i++) await sink.send(lines(i, 1));
    expect(fakes[0]!.got).toEqual(['line 1', 'line 3']);
    expect(fakes[1]!.got).toEqual(['line 0', 'line 2']);
  });

  it('with replayOnFailover, sends what the failed endpoint got in its last second to the next one first', async () => {
    const { sink, fakes } = multi(2, { replayOnFailover: true });
    await sink.send(lines(0, 2));
    fakes[0]!.down = true;
    await sink.send(lines(2, 1));
    expect(fakes[1]!.got).toEqual(['line 0', 'line 1', 'line 2']);
    // Not again: the replay went with that send.
    await sink.send(lines(3, 1));
    expect(fakes[1]!.got).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
  });

  it('without replayOnFailover sends only the batch itself', async () => {
    const { sink, fakes } = multi(2);
    await sink.send(lines(0, 2));
    fakes[0]!.down = true;
    await sink.send(lines(2, 1));
    expect(fakes[1]!.got).toEqual(['line 2']);
  });
});
