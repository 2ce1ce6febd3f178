import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, Fifo } from '../helpers/fake-dockerd.js';
import { frame, info, TestDaemon } from '../helpers/cli-harness.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/wait.js';

// What a container controls (its name, labels, the tag template over them) and what a
// caller of the plugin socket controls (the container ID) cannot make tslogs create
// anything outside its store root: a bad ID is refused with its value quoted, names and
// tags are only ever data inside the store's JSON lines.

const daemons: TestDaemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
});

/** Every path under `dir`, relative, except those under `except`. */
function tree(dir: string, except: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => !path.join(dir, p).startsWith(except)).sort();
}

const NO_BOUND = '0001-01-01T00:00:00Z';
const escapeName = `tslogs-escape-${randomBytes(4).toString('hex')}`;
const HEX = 'ab'.repeat(32);

describe('the store root confines what a container names', () => {
  it.each([
    ['a relative escape', `../../${escapeName}`],
    ['an escape padded to 64 characters', `../${escapeName}`.padEnd(64, 'a')],
    ['an absolute path', `/tmp/${escapeName}`],
    ['a NUL inside a valid ID', `${HEX.slice(0, 30)}\u0000${HEX.slice(31)}`],
    ['a newline inside a valid ID', `${HEX.slice(0, 30)}\n${HEX.slice(31)}`],
    ['upper-case hex', HEX.toUpperCase()],
    ['an empty ID', ''],
  ])('refuses a container ID that is %s, quoting it, and creates nothing', async (_, id) => {
    const dir = tmpDir();
    const root = path.join(dir, 'a', 'b', 'store');
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    const daemon = await TestDaemon.start(path.join(dir, 'a', 'b'));
    daemons.push(daemon);
    const fifo = new Fifo(dir, 'fifo');
    const before = tree(dir, root);
    expect(before).toContain('a/b/tslogs.sock');
    const res = await call(daemon.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: info(id, 'web', { tag: '{{.Name}}' }) });
    const err = (JSON.parse(res.body.toString()) as { Err?: string }).Err;
    expect(err).toBe(`invalid container ID ${JSON.stringify(id)}: expected 64 hexadecimal characters`);
    const read = await call(daemon.socket, 'LogDriver.ReadLogs', { Info: info(id, 'web'), Config: { Since: NO_BOUND, Until: NO_BOUND, Tail: -1, Follow: false } });
    expect([read.status, JSON.parse(read.body.toString())]).toEqual([400, { Err: err }]);
    expect(tree(dir, root)).toEqual(before);
    expect(fs.existsSync(path.join(root, 'containers')) ? fs.readdirSync(path.join(root, 'containers')) : []).toEqual([]);
    expect(fs.existsSync(`/tmp/${escapeName}`) || fs.readdirSync('/tmp').some((n) => n.startsWith(escapeName))).toBe(false);
    await fifo.close();
  });

  it('stores names, labels and tags with ../, NUL and newlines as data in the container\'s own directory', async () => {
    const dir = tmpDir();
    const root = path.join(dir, 'a', 'b', 'store');
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    const daemon = await TestDaemon.start(path.join(dir, 'a', 'b'));
    daemons.push(daemon);
    const before = tree(dir, root).filter((p) => !p.startsWith('a/b/fifo'));
    const hostile = `../../${escapeName}\u0000\n../x`;
    const names = [`/${hostile}`, '/..', '/../../etc/passwd'];
    const ids = names.map((_, i) => `${i + 1}`.repeat(64));
    for (const [i, name] of names.entries()) {
      const c = await daemon.container(ids[i]!, name.slice(1), {
        tag: `{{.Name}}/../{{.ImageName}}/{{index .ContainerLabels "../l"}}`,
        labels: `../l`,
      }, { '../l': hostile });
      await c.write(frame(0, `line of ${i}\n`), frame(1, `${hostile}\n`));
      await c.stored(2);
      await c.stop();
    }
    // The harness's FIFOs (a/b/fifo1…) are dockerd's, not tslogs'.
    expect(tree(dir, root).filter((p) => !p.startsWith('a/b/fifo'))).toEqual(before);
    expect(fs.readdirSync(path.join(root, 'containers')).sort()).toEqual(ids);
    for (const [i, id] of ids.entries()) {
      const files = fs.readdirSync(path.join(root, 'containers', id), { recursive: true, encoding: 'utf8' });
      expect(files.every((f) => /^[\w.\-/]+$/.test(f) && !f.split('/').includes('..')), files.join(', ')).toBe(true);
      const lines = fs.readFileSync(path.join(root, 'containers', id, `${id}-json.log`), 'utf8').trimEnd().split('\n');
      const parsed = lines.map((l) => JSON.parse(l) as { log: string; attrs?: Record<string, string> });
      expect(parsed.map((p) => p.log)).toEqual([`line of ${i}\n`, `${hostile}\n`]);
      expect(parsed[0]!.attrs?.tag).toBe(`${names[i]!.slice(1)}/../bb:latest/${hostile}`);
    }
    await waitUntil(() => !fs.readdirSync('/tmp').some((n) => n.startsWith(escapeName)), 'no escape');
  });
});
