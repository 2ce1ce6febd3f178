import { createRequire } from 'node:module';

/** tslogs' version from package.json, two levels up both from `src/util/` (tsx) and `dist/util/`. */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}
