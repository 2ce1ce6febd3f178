import type { FilePosition } from '../store/log-stream.js';
import { LatencyHistogram } from './latency-histogram.js';

export type DropReason = 'rotated' | 'rejected' | 'checkpoint_missing' | 'drain_timeout' | 'corrupt';


/** Plain counters, read by the metrics module at scrape time. */
export class DeliveryStats {
  sentEntries = 0;
  sentBytes = 0;
  retries = 0;
  cutBytes = 0;
  suppressed = 0;
  redacted = 0;
  multilineEvents = 0;
  multilineLines = 0;
  readonly dropped: Record<DropReason, number> = { rotated: 0, rejected: 0, checkpoint_missing: 0, drain_timeout: 0, corrupt: 0 };
  checkpoint: FilePosition = { file: '', offset: 0 };
  /** Capture time (Unix seconds) of the oldest entry read but not yet acknowledged; 0 when none. */
  oldestUnsent = 0;
  connected = false;
  /** The last connect or send failed and is being retried (cleared by the next success). */
  failing = false;
  /** That failure's message (sink errors never hold a secret). */
  lastError = '';
  /** Capture to acknowledgement, per entry. */
  readonly latency = new LatencyHistogram();
}
