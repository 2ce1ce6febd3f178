import type { TslogsError } from '../../errors.js';
import { parseGoDuration } from '../../go/duration.js';

/** A Go duration above zero, in whole milliseconds (rounded up); `invalid` builds the option's error otherwise. */
export function positiveDurationMs(text: string, invalid: () => TslogsError): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch {
    throw invalid();
  }
  if (!(ms > 0)) throw invalid();
  return Math.ceil(ms);
}
