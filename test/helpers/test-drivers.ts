// PluginDrivers for tests that run the whole daemon path (FIFO → store → router → sink)
// in-process: each on a fresh store, kept until the test file's afterEach shuts them
// down (explicitly, so that a file decides whether its receivers stop before or after).
import path from 'node:path';
import { PluginDriver } from '../../src/daemon/plugin-driver.js';
import type { SinkDefinition } from '../../src/sinks/sink.js';
import { sinkRegistry } from '../../src/sinks/registry.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';
import { tmpDir } from './tmp.js';

export interface TestDriver {
  /** The test's temporary directory; the store is `root` inside it. */
  dir: string;
  root: string;
  driver: PluginDriver;
  logged: RecordingLogger;
}

export class TestDrivers {
  readonly #drivers: PluginDriver[] = [];

  /** A driver offering `definitions`, host name `vm`, logging into a recording logger. */
  start(definitions: readonly SinkDefinition[]): TestDriver {
    const dir = tmpDir();
    const root = path.join(dir, 'store');
    const logged = recordingLogger();
    const driver = new PluginDriver({ root, registry: sinkRegistry(definitions), log: logged, hostname: 'vm' });
    this.#drivers.push(driver);
    return { dir, root, driver, logged };
  }

  async shutdown(): Promise<void> {
    for (const d of this.#drivers.splice(0)) await d.shutdown();
  }
}
