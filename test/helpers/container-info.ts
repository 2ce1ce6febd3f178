// The only test module that names where ContainerInfo lives in src/: tests import the
// type and its builders from here, so moving the type changes one line.
import type { ContainerInfo } from '../../src/container-info.js';
import { type Logger, silentLogger } from '../../src/util/log.js';
import type { SinkContext } from '../../src/sinks/sink.js';

export type { ContainerInfo };

/**
 * The `Info` dockerd sends in StartLogging for a plain `docker run bb:latest sh`
 * container. A test whose assertions read a field passes it in `overrides`, so the value
 * stands next to the assertion.
 */
export function containerInfo(overrides: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    Config: {},
    ContainerID: '812526b87faeb0dbaf6913cbd8a91cf3e1e351df0ed3a804c89d3543f2b48111',
    ContainerName: '/web',
    ContainerEntrypoint: 'sh',
    ContainerArgs: [],
    ContainerImageID: 'sha256:ae2bddd7390b0a4cfdc0f0c757af510792301ab4d5e3b8420930998a57b8a5e5',
    ContainerImageName: 'bb:latest',
    ContainerCreated: '2026-11-28T20:01:23.567244869Z',
    ContainerEnv: null,
    ContainerLabels: {},
    LogPath: '',
    DaemonName: 'docker',
    ...overrides,
  };
}

/** What the daemon hands a sink for `info` on host `vm`; daemon-log lines go to `reports`. */
export function sinkContext(info: ContainerInfo, log: Logger = silentLogger): SinkContext {
  return { info, hostname: 'vm', log };
}
