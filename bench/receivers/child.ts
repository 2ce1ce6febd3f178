// A counting receiver in its own process (bench/receivers/remote.ts starts it), so that
// its CPU is neither the plugin's nor the benchmark's: argv[2] is the ReceiverKind.
// Protocol over the IPC channel: it sends {opts} once listening; on {op: 'status'} it
// answers {count, lastAt}; on {op: 'close'} it closes and exits.
import { type Counter, type ReceiverKind, startCounting } from './counting.js';

const counter: Counter = { count: 0, lastAt: process.hrtime.bigint() };
const receiver = await startCounting(process.argv[2] as ReceiverKind, counter);
process.send!({ opts: receiver.opts });
process.on('message', (m: { op: string }) => {
  if (m.op === 'status') process.send!({ count: counter.count, lastAt: String(counter.lastAt) });
  if (m.op === 'close') void receiver.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
