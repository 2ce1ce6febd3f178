import type { Target } from '../harness.js';
import { framesTarget } from './frames.js';
import { httpTarget } from './http.js';
import { optionsTarget } from './options.js';

/** Every fuzz target by name, each built fresh for a run. */
export const TARGETS: Record<string, () => Target> = {
  frames: () => framesTarget(),
  http: () => httpTarget(),
  options: () => optionsTarget(),
};
