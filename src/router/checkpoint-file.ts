import fs from 'node:fs';
import path from 'node:path';
import type { FilePosition } from '../store/log-stream.js';

/**
 * A sink's delivered position for one container, saved with write + fsync +
 * rename so a crash leaves the old or the new checkpoint, never a torn one.
 * Saves are coalesced: while one is being written, only the latest position waits.
 */
export class CheckpointFile {
  private writing: Promise<void> | undefined;
  private next: FilePosition | undefined;
  /** The directory is made once, not before every save (a syscall per batch otherwise). */
  private dirMade = false;

  constructor(readonly file: string) {}

  static path(containerDir: string, sink: string): string {
    return path.join(containerDir, 'checkpoints', `${sink}.json`);
  }

  load(): FilePosition | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined; // torn by something other than us (we rename atomically): treat as absent
    }
    if (typeof value !== 'object' || value === null) return undefined;
    const parsed = value as Partial<FilePosition>;
    if (typeof parsed.file !== 'string' || typeof parsed.offset !== 'number') return undefined;
    return { file: parsed.file, offset: parsed.offset };
  }

  /** Resolves once `position` (or a later one) is durable. */
  save(position: FilePosition): Promise<void> {
    this.next = position;
    if (this.writing === undefined) this.writing = this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.next !== undefined) {
        const position = this.next;
        this.next = undefined;
        if (!this.dirMade) {
          await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
          this.dirMade = true;
        }
        await writeAtomically(this.file, JSON.stringify(position) + '\n');
      }
    } finally {
      this.writing = undefined;
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w', 0o640);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
}
