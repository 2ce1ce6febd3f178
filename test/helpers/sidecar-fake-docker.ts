// A fake Docker container directory for the sidecar's tests, written the way dockerd
// 20.10 writes it: config.v2.json and hostconfig.json (atomic rewrites), and json-file
// logs rotated by rename (`x-json.log` → `.1` → `.2` …) with optional gzip of `.1`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export interface FakeContainerOptions {
  name?: string;
  image?: string;
  labels?: Record<string, string>;
  env?: string[] | null;
  driver?: string;
  maxSize?: number;
  maxFile?: number;
  compress?: boolean;
  running?: boolean;
  /** RFC 3339; default now. */
  created?: string;
}

let clockNs = BigInt(Date.now()) * 1_000_000n;

/** Strictly increasing timestamps, so every file's first line (its identity) is unique. */
function nextTime(): string {
  clockNs += 1000n;
  const sec = clockNs / 1_000_000_000n;
  const ns = (clockNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(Number(sec) * 1000).toISOString().slice(0, 19) + (ns === '' ? '' : `.${ns}`) + 'Z';
}

export function jsonLine(log: string, stream = 'stdout'): string {
  return JSON.stringify({ log, stream, time: nextTime() }) + '\n';
}

export class FakeDockerContainer {
  readonly id: string;
  readonly dir: string;
  readonly logPath: string;
  running: boolean;
  private size = 0;
  rotations = 0;

  constructor(
    readonly root: string,
    readonly opts: FakeContainerOptions = {},
  ) {
    this.id = randomBytes(32).toString('hex');
    this.dir = path.join(root, this.id);
    this.logPath = path.join(this.dir, `${this.id}-json.log`);
    this.running = opts.running ?? true;
    fs.mkdirSync(path.join(this.dir, 'checkpoints'), { recursive: true });
    fs.mkdirSync(path.join(this.dir, 'mounts'), { recursive: true });
    this.writeHostConfig();
    this.writeConfig();
    if (this.running) fs.writeFileSync(this.logPath, '');
  }

  get name(): string {
    return this.opts.name ?? `fake-${this.id.slice(0, 8)}`;
  }

  writeConfig(): void {
    const now = new Date().toISOString();
    const config = {
      StreamConfig: {},
      State: { Running: this.running, Paused: false, Restarting: false, OOMKilled: false, RemovalInProgress: false, Dead: false, Pid: this.running ? 4242 : 0, ExitCode: 0, Error: '', StartedAt: now, FinishedAt: this.running ? '0001-01-01T00:00:00Z' : now, Health: null },
      ID: this.id,
      Created: this.opts.created ?? now.replace('Z', '123456Z'),
      Managed: false,
      Path: 'sh',
      Args: ['-c', 'seq 1 100'],
      Config: {
        Hostname: this.id.slice(0, 12), Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false,
        Env: this.opts.env === undefined ? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] : this.opts.env,
        Cmd: ['sh', '-c', 'seq 1 100'],
        Image: this.opts.image ?? 'tslogs-bb:latest',
        Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null,
        Labels: this.opts.labels ?? {},
      },
      Image: 'sha256:' + '5b'.repeat(32),
      LogPath: this.logPath,
      Name: `/${this.name}`,
      Driver: 'vfs',
      OS: 'linux',
      RestartCount: 0,
      HasBeenStartedBefore: true,
    };
    atomicWrite(path.join(this.dir, 'config.v2.json'), JSON.stringify(config));
  }

  private writeHostConfig(): void {
    const config: Record<string, string> = {};
    if (this.opts.maxSize !== undefined) config['max-size'] = String(this.opts.maxSize);
    if (this.opts.maxFile !== undefined) config['max-file'] = String(this.opts.maxFile);
    if (this.opts.compress) config.compress = 'true';
    const host = { Binds: null, ContainerIDFile: '', LogConfig: { Type: this.opts.driver ?? 'json-file', Config: config }, NetworkMode: 'none', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false };
    atomicWrite(path.join(this.dir, 'hostconfig.json'), JSON.stringify(host));
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (running && !fs.existsSync(this.logPath)) fs.writeFileSync(this.logPath, '');
    this.writeConfig();
  }

  /** Writes each line as dockerd's json-file does: rotate first when the file is full, then one write. */
  write(lines: readonly string[], stream = 'stdout'): void {
    for (const line of lines) {
      if (this.opts.maxSize !== undefined && this.size >= this.opts.maxSize) this.rotate();
      const bytes = jsonLine(line.endsWith('\n') ? line : line + '\n', stream);
      fs.appendFileSync(this.logPath, bytes);
      this.size += Buffer.byteLength(bytes);
    }
  }

  /** Appends bytes that are not a json-file entry. */
  writeRaw(text: string): void {
    fs.appendFileSync(this.logPath, text);
    this.size += Buffer.byteLength(text);
  }

  /** Docker 20.10's rotation: drop the oldest, shift `.i` → `.i+1`, current → `.1`, new current; gzip `.1` if compressing. */
  rotate(): void {
    const maxFile = this.opts.maxFile ?? 1;
    const ext = this.opts.compress ? '.gz' : '';
    if (maxFile >= 2) {
      fs.rmSync(`${this.logPath}.${maxFile - 1}${ext}`, { force: true });
      for (let i = maxFile - 1; i > 1; i--) {
        try {
          fs.renameSync(`${this.logPath}.${i - 1}${ext}`, `${this.logPath}.${i}${ext}`);
        } catch {
          // not there yet
        }
      }
    }
    fs.renameSync(this.logPath, `${this.logPath}.1`);
    fs.writeFileSync(this.logPath, '');
    this.size = 0;
    this.rotations++;
    if (this.opts.compress && maxFile >= 2) {
      const plain = `${this.logPath}.1`;
      fs.writeFileSync(`${plain}.gz`, zlib.gzipSync(fs.readFileSync(plain)));
      fs.rmSync(plain);
    }
  }

  /** `copytruncate`-style truncation (not something dockerd does). */
  truncate(): void {
    fs.truncateSync(this.logPath, 0);
    this.size = 0;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function atomicWrite(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}
