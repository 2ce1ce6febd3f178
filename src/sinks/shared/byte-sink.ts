// Appending ready-made parts (a container's compiled constants) to the ByteSink a
// sink builds a whole batch in.

import type { ByteSink } from '../../store/json-line.js';

/** Copies `part` to the end of `out`, growing it as needed. */
export function appendBytes(out: ByteSink, part: Buffer): void {
  out.reserve(part.length);
  out.pos += part.copy(out.buf, out.pos);
}
