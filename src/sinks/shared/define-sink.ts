import type { Sink, SinkContext, SinkDefinition } from '../sink.js';

/** What a sink folder declares; `parse` and the sink's constructor get exactly (config or options, context). */
export interface SinkParts<Options> extends Omit<SinkDefinition<Options>, 'parse' | 'create'> {
  parse: (config: Record<string, string>, context: SinkContext) => Options;
  sink: new (options: Options, context: SinkContext) => Sink;
}

export function defineSink<Options>({ parse, sink, ...declared }: SinkParts<Options>): SinkDefinition<Options> {
  return {
    ...declared,
    // Called with two arguments only: a parser's or constructor's optional extras (env, clock) stay their defaults.
    parse: (config, context) => parse(config, context),
    create: (options, context) => new sink(options, context),
  };
}
