import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../../src/util/atomic-write.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-write-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const writers = {
  sync: async (file: string, data: string, options?: Parameters<typeof writeFileAtomicSync>[2]) => writeFileAtomicSync(file, data, options),
  async: writeFileAtomic,
};

describe.each(Object.entries(writers))('%s atomic write', (_kind, write) => {
  it('replaces the content and leaves no temporary file', async () => {
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, 'old');
    await write(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  it('fsyncs the file and then its directory', async () => {
    const file = path.join(dir, 'state.json');
    const synced: string[] = [];
    const fdPaths = new Map<number, string>();
    const open = fs.openSync.bind(fs);
    vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
      const fd = open(...args);
      fdPaths.set(fd, String(args[0]));
      return fd;
    });
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => void synced.push(fdPaths.get(fd as number) ?? 'file'));
    const realOpen = fs.promises.open.bind(fs.promises);
    vi.spyOn(fs.promises, 'open').mockImplementation(async (...args: Parameters<typeof fs.promises.open>) => {
      const handle = await realOpen(...args);
      const sync = handle.sync.bind(handle);
      handle.sync = () => (synced.push(String(args[0])), sync());
      return handle;
    });
    await write(file, 'data');
    expect(synced).toEqual([`${file}.tmp`, dir]);
  });

  it('skips the directory fsync when asked', async () => {
    const file = path.join(dir, 'state.json');
    const dirSyncs = vi.spyOn(fs, 'fsyncSync');
    const opens = vi.spyOn(fs.promises, 'open');
    await write(file, 'data', { syncDirectory: false });
    expect(dirSyncs.mock.calls.length + opens.mock.calls.length).toBe(1);
  });

  it('sets an exact mode over a temporary file a crash left', async () => {
    const file = path.join(dir, 'secret.json');
    fs.writeFileSync(`${file}.tmp`, 'torn', { mode: 0o666 });
    fs.chmodSync(`${file}.tmp`, 0o666);
    await write(file, 'data', { mode: 0o600, exactMode: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('removes its temporary file when the rename fails, and throws', async () => {
    const file = path.join(dir, 'in-the-way');
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'x'), '');
    await expect(write(file, 'data')).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['in-the-way']);
  });
});
