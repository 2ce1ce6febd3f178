// The pieces of an OTLP log request that both encodings (format.ts, json-format.ts) take.

/** InstrumentationScope: what produced the records (here tslogs itself). */
export interface InstrumentationScope {
  name: string;
  version: string;
}

/** Seconds and nanoseconds since the Unix epoch. */
export interface Timestamp {
  sec: number;
  nsec: number;
}
