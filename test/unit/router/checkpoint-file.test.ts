import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHECKPOINT_MAX_UNSAVED, CheckpointFile } from '../../../src/router/checkpoint-file.js';
import type { FilePosition } from '../../../src/store/log-stream.js';
import { tmpDir } from '../../helpers/tmp.js';

function checkpointIn(dir: string): CheckpointFile {
  return new CheckpointFile(CheckpointFile.path(dir, 'alpha'));
}

/** Records the content of every checkpoint file put in place by rename. */
function spyRenames(): string[] {
  const written: string[] = [];
  const rename = fs.promises.rename.bind(fs.promises);
  vi.spyOn(fs.promises, 'rename').mockImplementation(async (from, to) => {
    written.push(fs.readFileSync(from, 'utf8'));
    return rename(from, to);
  });
  return written;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CheckpointFile', () => {
  it('places the file under checkpoints/<sink>.json', () => {
    expect(CheckpointFile.path('/var/lib/tslogs/containers/abc', 'splunk')).toBe('/var/lib/tslogs/containers/abc/checkpoints/splunk.json');
  });

  it('loads undefined when there is no file (nor directory)', () => {
    expect(checkpointIn(tmpDir()).load()).toBeUndefined();
  });

  it('round-trips a saved position, creating the directory', async () => {
    const dir = tmpDir();
    const cp = checkpointIn(dir);
    const position: FilePosition = { file: '1795896100-000001', offset: 123456 };
    await cp.save(position);
    expect(fs.readFileSync(path.join(dir, 'checkpoints', 'alpha.json'), 'utf8')).toBe('{"file":"1795896100-000001","offset":123456}\n');
    expect(cp.load()).toEqual(position);
    // A fresh instance (daemon restart) reads the same.
    expect(checkpointIn(dir).load()).toEqual(position);
    expect(fs.existsSync(`${cp.file}.tmp`)).toBe(false);
  });

  it('keeps the latest of sequential saves', async () => {
    const cp = checkpointIn(tmpDir());
    await cp.save({ file: 'a', offset: 1 });
    await cp.save({ file: 'b', offset: 2 });
    expect(cp.load()).toEqual({ file: 'b', offset: 2 });
  });

  it('coalesces concurrent saves: the first and then only the latest are written, every promise resolves', async () => {
    const written = spyRenames();
    const cp = checkpointIn(tmpDir());
    const saves = [1, 2, 3, 4].map((offset) => cp.save({ file: 'f', offset }));
    await expect(Promise.all(saves)).resolves.toEqual([undefined, undefined, undefined, undefined]);
    expect(written).toEqual(['{"file":"f","offset":1}\n', '{"file":"f","offset":4}\n']);
    expect(cp.load()).toEqual({ file: 'f', offset: 4 });
  });

  it('resolves a coalesced save only once its position (or a later one) is on disk', async () => {
    const cp = checkpointIn(tmpDir());
    const first = cp.save({ file: 'f', offset: 1 });
    const second = cp.save({ file: 'f', offset: 2 });
    let onDiskWhenSecondResolved: FilePosition | undefined;
    const observed = second.then(() => (onDiskWhenSecondResolved = cp.load()));
    await Promise.all([first, observed]);
    expect(onDiskWhenSecondResolved).toEqual({ file: 'f', offset: 2 });
  });

  it('starts a new write for a save made after the previous ones completed', async () => {
    const written = spyRenames();
    const cp = checkpointIn(tmpDir());
    await Promise.all([cp.save({ file: 'f', offset: 1 }), cp.save({ file: 'f', offset: 2 })]);
    await cp.save({ file: 'g', offset: 3 });
    expect(written).toEqual(['{"file":"f","offset":1}\n', '{"file":"f","offset":2}\n', '{"file":"g","offset":3}\n']);
    expect(cp.load()).toEqual({ file: 'g', offset: 3 });
  });

  it('ignores a .tmp file left over by a crash', async () => {
    const dir = tmpDir();
    const cp = checkpointIn(dir);
    fs.mkdirSync(path.dirname(cp.file), { recursive: true });
    fs.writeFileSync(`${cp.file}.tmp`, '{"file":"tor');
    expect(cp.load()).toBeUndefined();

    fs.writeFileSync(cp.file, '{"file":"old","offset":7}\n');
    expect(cp.load()).toEqual({ file: 'old', offset: 7 });

    // The next save overwrites the leftover and moves it into place.
    await cp.save({ file: 'new', offset: 8 });
    expect(cp.load()).toEqual({ file: 'new', offset: 8 });
    expect(fs.existsSync(`${cp.file}.tmp`)).toBe(false);
    expect(fs.readdirSync(path.dirname(cp.file))).toEqual(['alpha.json']);
  });

  it('drops unknown fields', () => {
    const cp = checkpointIn(tmpDir());
    fs.mkdirSync(path.dirname(cp.file), { recursive: true });
    fs.writeFileSync(cp.file, '{"file":"a","offset":3,"extra":true}');
    expect(cp.load()).toStrictEqual({ file: 'a', offset: 3 });
  });

  it.each([
    ['missing offset', '{"file":"a"}'],
    ['missing file', '{"offset":3}'],
    ['numeric file', '{"file":1,"offset":3}'],
    ['string offset', '{"file":"a","offset":"3"}'],
    ['array', '[]'],
    ['string', '"a"'],
    ['number', '42'],
    ['null', 'null'],
  ])('loads undefined for a JSON value of the wrong shape (%s)', (_name, text) => {
    const cp = checkpointIn(tmpDir());
    fs.mkdirSync(path.dirname(cp.file), { recursive: true });
    fs.writeFileSync(cp.file, text);
    expect(cp.load()).toBeUndefined();
  });

  it('saveSoon writes at once after a quiet interval, then at most once per interval with the latest position', async () => {
    const written = spyRenames();
    const cp = new CheckpointFile(CheckpointFile.path(tmpDir(), 'alpha'), { intervalMs: 100 });
    cp.saveSoon({ file: 'f', offset: 1 });
    await vi.waitFor(() => expect(written).toEqual(['{"file":"f","offset":1}\n']));
    const t0 = Date.now();
    cp.saveSoon({ file: 'f', offset: 2 });
    cp.saveSoon({ file: 'f', offset: 3 });
    await new Promise((r) => setTimeout(r, 30));
    expect(written).toHaveLength(1);
    await vi.waitFor(() => expect(written).toHaveLength(2), { timeout: 1000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60);
    expect(written[1]).toBe('{"file":"f","offset":3}\n');
  });

  it(`saveSoon writes at once when ${CHECKPOINT_MAX_UNSAVED} positions are waiting, whatever the interval`, async () => {
    const written = spyRenames();
    const cp = new CheckpointFile(CheckpointFile.path(tmpDir(), 'alpha'), { intervalMs: 60_000 });
    cp.saveSoon({ file: 'f', offset: 0 });
    await vi.waitFor(() => expect(written).toHaveLength(1));
    for (let i = 1; i < CHECKPOINT_MAX_UNSAVED; i++) cp.saveSoon({ file: 'f', offset: i });
    await new Promise((r) => setTimeout(r, 30));
    expect(written).toHaveLength(1);
    cp.saveSoon({ file: 'f', offset: CHECKPOINT_MAX_UNSAVED });
    await vi.waitFor(() => expect(written).toHaveLength(2));
    expect(cp.load()).toEqual({ file: 'f', offset: CHECKPOINT_MAX_UNSAVED });
  });

  it('flush writes the waiting position now, and nothing is written after it', async () => {
    const written = spyRenames();
    const cp = new CheckpointFile(CheckpointFile.path(tmpDir(), 'alpha'), { intervalMs: 60_000 });
    cp.saveSoon({ file: 'f', offset: 1 });
    cp.saveSoon({ file: 'f', offset: 2 });
    await cp.flush();
    expect(cp.load()).toEqual({ file: 'f', offset: 2 });
    await cp.flush();
    await new Promise((r) => setTimeout(r, 30));
    expect(written.at(-1)).toBe('{"file":"f","offset":2}\n');
  });

  it('reports a failed timed write and writes the position at the next interval', async () => {
    const errors: string[] = [];
    const dir = tmpDir();
    const cp = new CheckpointFile(CheckpointFile.path(dir, 'alpha'), { intervalMs: 20, onError: (e) => errors.push(e.message) });
    const open = fs.promises.open.bind(fs.promises);
    let failures = 1;
    vi.spyOn(fs.promises, 'open').mockImplementation(async (...args: Parameters<typeof fs.promises.open>) => {
      if (failures-- > 0) throw new Error('ENOSPC: no space left on device');
      return open(...args);
    });
    cp.saveSoon({ file: 'f', offset: 5 });
    await vi.waitFor(() => expect(cp.load()).toEqual({ file: 'f', offset: 5 }), { timeout: 2000 });
    expect(errors).toEqual(['ENOSPC: no space left on device']);
  });
});
