import type { Sink, SinkContext, SinkDefinition } from '../sink.js';
import type { Balance } from './endpoint-list.js';
import { MultiEndpointSink } from './multi-endpoint-sink.js';

/** A sink's options taken apart per endpoint, when its address option listed several. */
export interface EndpointSplit<Options> {
  /** One single-endpoint options object per address, in order. */
  each: Options[];
  /** As metrics and the daemon log show each one (no secret). */
  addresses: string[];
  balance: Balance;
  /** See MultiEndpointOptions.replayOnFailover. */
  replayOnFailover: boolean;
}

/** What a sink folder declares; `parse` and the sink's constructor get exactly (config or options, context). */
export interface SinkParts<Options> extends Omit<SinkDefinition<Options>, 'parse' | 'create'> {
  parse: (config: Record<string, string>, context: SinkContext) => Options;
  sink: new (options: Options, context: SinkContext) => Sink;
  /** For sinks whose address may list several endpoints. */
  split?: (options: Options) => EndpointSplit<Options>;
}

export function defineSink<Options>({ parse, sink, split, ...declared }: SinkParts<Options>): SinkDefinition<Options> {
  return {
    ...declared,
    // Called with two arguments only: a parser's or constructor's optional extras (env, clock) stay their defaults.
    parse: (config, context) => parse(config, context),
    create: (options, context) => {
      const parts = split?.(options);
      // One address: the sink itself, exactly as before lists existed.
      if (parts === undefined || parts.each.length === 1) return new sink(options, context);
      const members = parts.each.map((o, i) => ({ sink: new sink(o, context), address: parts.addresses[i]! }));
      return new MultiEndpointSink(members, { balance: parts.balance, replayOnFailover: parts.replayOnFailover, log: context.log });
    },
  };
}
