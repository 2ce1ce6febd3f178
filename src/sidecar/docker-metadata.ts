// What the sidecar learns about a container from the files dockerd keeps in its
// directory (`<docker dir>/<id>/`): config.v2.json (name, image, labels, env, state)
// and hostconfig.json (the log driver and its options). These are dockerd's own
// serialisations of its container object; the fields read here have kept their names
// and shapes since Docker 1.10.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../container-info.js';
import { parseGoInt } from '../go/strconv.js';

export const CONFIG_FILE = 'config.v2.json';
export const HOST_CONFIG_FILE = 'hostconfig.json';

/** A container as the sidecar sees it. */
export interface DockerContainer {
  id: string;
  /** Docker's logger.Info for it, with an empty option map (the sidecar's own sink options go there). */
  info: ContainerInfo;
  running: boolean;
  /** hostconfig.json LogConfig.Type: only `json-file` is read. */
  logDriver: string;
  /** json-file's max-file (Docker's default 1): rotated files a reader may hold at most. */
  maxFile: number;
}

/** The parts of config.v2.json read here. */
interface ConfigV2 {
  ID?: unknown;
  Name?: unknown;
  Created?: unknown;
  Path?: unknown;
  Args?: unknown;
  Image?: unknown;
  LogPath?: unknown;
  State?: { Running?: unknown };
  Config?: { Image?: unknown; Labels?: unknown; Env?: unknown };
}

interface HostConfig {
  LogConfig?: { Type?: unknown; Config?: unknown };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, value] of Object.entries(v)) if (typeof value === 'string') out[k] = value;
  return out;
}

/** Info as dockerd hands it to a log driver at container start (daemon/logger.Info). */
export function infoFromConfig(config: ConfigV2, id: string): ContainerInfo {
  const env = strings(config.Config?.Env);
  return {
    Config: {},
    ContainerID: str(config.ID) || id,
    ContainerName: str(config.Name),
    ContainerEntrypoint: str(config.Path),
    ContainerArgs: strings(config.Args),
    ContainerImageID: str(config.Image),
    ContainerImageName: str(config.Config?.Image),
    ContainerCreated: str(config.Created),
    // Docker passes the container's Env as is: null when it has none.
    ContainerEnv: Array.isArray(config.Config?.Env) ? env : null,
    ContainerLabels: stringMap(config.Config?.Labels),
    LogPath: str(config.LogPath),
    DaemonName: 'docker',
  };
}

export function runningFromConfig(config: ConfigV2): boolean {
  return config.State?.Running === true;
}

export function logConfigFromHostConfig(host: HostConfig): { logDriver: string; maxFile: number } {
  const options = stringMap(host.LogConfig?.Config);
  let maxFile = 1;
  if (options['max-file'] !== undefined) {
    try {
      maxFile = Math.max(1, parseGoInt(options['max-file']));
    } catch {
      // dockerd validated it at create time; keep Docker's default if it is odd anyway.
    }
  }
  return { logDriver: str(host.LogConfig?.Type), maxFile };
}

/** Parses both files' contents; throws on JSON that is not an object. */
export function parseDockerContainer(id: string, configJson: string, hostConfigJson: string): DockerContainer {
  const config = parseObject(configJson, CONFIG_FILE) as ConfigV2;
  const host = parseObject(hostConfigJson, HOST_CONFIG_FILE) as HostConfig;
  return { id, info: infoFromConfig(config, id), running: runningFromConfig(config), ...logConfigFromHostConfig(host) };
}

function parseObject(text: string, name: string): object {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${name} is not a JSON object`);
  return value;
}

/**
 * Reads a container's metadata; undefined while dockerd has not written both files yet
 * (a container being created). Throws on files that exist but cannot be parsed.
 */
export function readDockerContainer(containerDir: string, id: string): DockerContainer | undefined {
  const config = readIfPresent(path.join(containerDir, CONFIG_FILE));
  const host = readIfPresent(path.join(containerDir, HOST_CONFIG_FILE));
  if (config === undefined || host === undefined) return undefined;
  return parseDockerContainer(id, config, host);
}

/** State.Running from config.v2.json now; undefined when the file is gone or unreadable. */
export function readRunning(containerDir: string): boolean | undefined {
  const text = readIfPresent(path.join(containerDir, CONFIG_FILE));
  if (text === undefined) return undefined;
  try {
    return runningFromConfig(JSON.parse(text) as ConfigV2);
  } catch {
    return undefined;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
