import type { ContainerInfo } from '../container-info.js';
import type { Logger } from '../util/log.js';

/**
 * What a sink receives: one log line as Docker's drivers see it. By default the
 * router reassembles lines Docker split into 16 KiB partial chunks, so `partial`
 * is only set with `partial-reassembly=false`.
 */
export interface SinkEntry {
  /** The line without its trailing newline. */
  line: Buffer;
  /** `stdout` or `stderr`. */
  source: string;
  /** Capture time (for a reassembled line, the time of its first chunk, as Docker does). */
  sec: number;
  nsec: number;
  /** Set on chunks of a long line when reassembly is off; `last` marks the final chunk. */
  partial?: { ordinal: number; last: boolean; id: string } | undefined;
}

/**
 * A destination. The router owns files, cursors, retries and checkpoints; a sink
 * only turns a batch into bytes on the wire and says when the other side has it.
 */
export interface Sink {
  /** Largest batch the router hands to `send`. */
  readonly maxBatchEntries: number;
  readonly maxBatchBytes: number;
  /**
   * How long the router may hold a batch that is not full yet, waiting for more
   * entries (Splunk's POST_MESSAGES_FREQUENCY); 0 sends whatever is there.
   */
  readonly lingerMs: number;
  /**
   * Batches the router may have sent and not yet seen acknowledged (default 1).
   * Above 1, send() is called again before the previous call settled; a sink that
   * allows it keeps each call independent (say, one HTTP request each).
   */
  readonly maxInFlight?: number;
  /**
   * This sink's retry backoff, when its options set one (the Loki driver's
   * loki-min-backoff, loki-max-backoff); unset, the container's sink-retry-min and
   * sink-retry-max apply. A maximum below the minimum is raised to it.
   */
  readonly retryMinMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  /**
   * When true, StartLogging awaits the first open() and fails the container start
   * with its error, as Docker does for a check the user asked for explicitly
   * (`splunk-verify-connection=true`). Otherwise (the default) the container
   * starts at once and open() is retried in the background.
   */
  readonly openBeforeStart?: boolean;
  /** Connects (or checks the endpoint); called again after a failure. Rejects with SinkError. */
  open(): Promise<void>;
  /**
   * Whether the receiver can be reached now, found out cheaply and without sending a
   * log line (a connection attempt; an empty datagram over UDP), answered within
   * `timeoutMs`; never rejects. While a failed send waits for its backoff the router
   * asks about once a second, so that a receiver coming back is used at once instead
   * of after up to sink-retry-max. A sink may keep the connection it made for the next
   * send. Without it, retries wait for the backoff alone.
   */
  probe?(timeoutMs: number): Promise<boolean>;
  /**
   * Resolves once the receiver acknowledged the batch (as far as its protocol can tell),
   * with a SinkAck when it accepted the batch but refused some of its entries for good.
   */
  send(batch: readonly SinkEntry[]): Promise<SinkAck | void>;
  close(): Promise<void>;
  /** For a sink given several endpoints: which one is in use, for the metrics. Absent with one. */
  endpoints?(): EndpointsView;
}

/** The endpoints of a sink given a list of addresses (splunk-url, syslog-address, gelf-address). */
export interface EndpointsView {
  /** Each endpoint as metrics may show it: never a token nor a URL's user information. */
  readonly addresses: readonly string[];
  /** Index into `addresses` of the endpoint in use. */
  readonly inUse: number;
  readonly healthy: readonly boolean[];
  /** Times the endpoint in use changed because one failed or came back. */
  readonly switches: number;
}

/**
 * A batch the receiver accepted while refusing `rejected` of its entries (OTLP's
 * partial success): sending it again would refuse them again, so the router counts
 * them as dropped and moves on.
 */
export interface SinkAck {
  readonly rejected: number;
}

/** What a sink needs to know about the container it serves (from StartLogging). */
export interface SinkContext {
  info: ContainerInfo;
  hostname: string;
  /** The daemon log, bound to the container and sink; never pass secrets to it. */
  log: Logger;
}

/**
 * One sink kind, as Vector declares its sinks: the option names it owns (Docker's),
 * the option whose presence enables it, validation, and construction.
 */
export interface SinkDefinition<Options = unknown> {
  readonly name: string;
  /** Setting this option enables the sink (e.g. `splunk-url`). */
  readonly addressKey: string;
  /** Every option name this sink accepts besides the shared tag/labels/env ones. */
  readonly keys: ReadonlySet<string>;
  /**
   * The options among `keys` whose values are secrets (a token): refused where others
   * could read them (a command line, a config file). None when absent.
   */
  readonly secretKeys?: ReadonlySet<string>;
  /** Validates with Docker's wording, naming the option; throws TslogsError. */
  parse(config: Record<string, string>, context: SinkContext): Options;
  create(options: Options, context: SinkContext): Sink;
}

/**
 * A failure to deliver. `retryable: false` means sending the same batch again cannot
 * succeed (the receiver rejected its content): the router counts it as dropped.
 */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}
