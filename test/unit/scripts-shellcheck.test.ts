// Every shell script of the repository passes shellcheck with no finding at all, the
// style level included. scripts/test-all.sh installs Debian's shellcheck with the
// other packages; without it this test fails rather than pass unchecked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function shellScripts(): string[] {
  const found: string[] = ['.ci/run'];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.sh')) found.push(rel);
    }
  };
  walk('scripts');
  return found;
}

it('shellcheck reports nothing on scripts/ and .ci/run', () => {
  const files = shellScripts();
  expect(files.length).toBeGreaterThan(5);
  const r = spawnSync('shellcheck', ['--external-sources', '--severity=style', ...files], { cwd: ROOT, encoding: 'utf8' });
  if (r.error !== undefined) throw new Error(`shellcheck cannot run (${r.error.message}): install Debian's shellcheck package (scripts/test-all.sh does)`);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
