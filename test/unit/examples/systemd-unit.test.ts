// examples/systemd/tslogs.service: systemd accepts it, it orders tslogs before
// docker.service, and its start check (ExecStartPost) passes once the socket exists.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp.js';

const UNIT = path.resolve(import.meta.dirname, '../../../examples/systemd/tslogs.service');
const text = fs.readFileSync(UNIT, 'utf8');

/** Values of `key=` lines (comments and continuation lines are not used in this unit). */
function values(key: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('the systemd unit', () => {
  it('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });

  it('starts tslogs before docker.service, is pulled in by it, and runs the plugin daemon', () => {
    expect(values('Before')).toEqual(['docker.service']);
    expect(values('WantedBy')).toEqual(['multi-user.target', 'docker.service']);
    expect(values('ExecStart')).toEqual(['/usr/bin/env tslogs plugin']);
    expect(values('KillSignal')).toEqual(['SIGTERM']);
  });

  it('counts as started only once the socket is there', async () => {
    const [post] = values('ExecStartPost');
    const script = /^\/bin\/sh -c '(.*)'$/.exec(post!)![1]!.replaceAll('$$', '$');
    const socket = path.join(tmpDir(), 'tslogs.sock');
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: process.env.PATH, TSLOGS_SOCKET: socket }, encoding: 'utf8', timeout: 10_000 });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});
