// The sidecar's sink options: the same option names as `--log-opt` (Docker's and
// tslogs' router options), from a JSON config file and/or TSLOGS_<OPTION> environment
// variables (upper snake case: splunk-url → TSLOGS_SPLUNK_URL; the environment wins).
// A secret option (the Splunk token, otlp-headers: each sink's secretKeys) comes only from
// its variable (TSLOGS_SPLUNK_TOKEN) or a file (TSLOGS_SPLUNK_TOKEN_FILE, "splunk-token-file"
// in the config file), never from the command line (where every user of the host can read
// it) nor from the config file itself.
import fs from 'node:fs';
import { parseContainerOptions } from '../router/container-options.js';
import type { ContainerInfo } from '../container-info.js';
import { STORE_KEYS } from '../config/json-file-options.js';
import { TslogsError, tslogsError } from '../errors.js';
import { secretOptionKeys, type SinkRegistry } from '../sinks/registry.js';
import { silentLogger } from '../util/log.js';
import { readSecretFile } from '../util/secret-file.js';

/** TSLOGS_* variables that are settings of the process, not options. */
const SETTING_ENV: ReadonlySet<string> = new Set(['TSLOGS_HOSTNAME', 'TSLOGS_METRICS_ADDRESS', 'TSLOGS_ROOT', 'TSLOGS_SOCKET']);
/** Sidecar settings given by environment (src/sidecar/settings.ts). */
export const SIDECAR_ENV_PREFIX = 'TSLOGS_SIDECAR_';

/** `splunk-url` → `TSLOGS_SPLUNK_URL`. */
export function envNameOf(option: string): string {
  return 'TSLOGS_' + option.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `TSLOGS_SPLUNK_URL` → `splunk-url`. */
export function optionOfEnv(name: string): string {
  return name.slice('TSLOGS_'.length).toLowerCase().replace(/_/g, '-');
}

/** An Info for validating options outside of any container. */
export function probeInfo(config: Record<string, string>): ContainerInfo {
  return {
    Config: config, ContainerID: '0'.repeat(64), ContainerName: '/tslogs-sidecar-check', ContainerEntrypoint: '',
    ContainerArgs: [], ContainerImageID: '', ContainerImageName: '', ContainerCreated: '', ContainerEnv: null,
    ContainerLabels: {}, LogPath: '', DaemonName: 'docker',
  };
}

/** Whether `key` is an option name tslogs knows (whatever its value): asks the option parser itself. */
export function isOptionName(key: string, registry: SinkRegistry): boolean {
  try {
    parseContainerOptions(probeInfo({ [key]: '' }), registry, silentLogger, 'probe');
  } catch (err) {
    return !(err instanceof TslogsError && err.code === 'TSLOGS_UNKNOWN_OPTION');
  }
  return true;
}

export interface SinkOptionSources {
  configFile: string | undefined;
  env: NodeJS.ProcessEnv;
  registry: SinkRegistry;
}

export interface LoadedSinkOptions {
  /** Option map as a container's `--log-opt` would be, the token included. */
  options: Record<string, string>;
  /** Where each option came from, for messages (`config file x`, `TSLOGS_X`). */
  origin: Record<string, string>;
  /** TSLOGS_* variables that are neither an option nor a setting (likely typos). */
  ignoredEnv: string[];
}

/** Reads and merges the config file and environment; throws TslogsError naming the source. */
export function loadSinkOptions({ configFile, env, registry }: SinkOptionSources): LoadedSinkOptions {
  const secrets = secretOptionKeys(registry);
  const secretEnv = new Set([...secrets].flatMap((key) => [envNameOf(key), `${envNameOf(key)}_FILE`]));
  const options: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const secretFiles = new Map<string, string>();
  if (configFile !== undefined) {
    const where = `config file ${configFile}`;
    for (const [key, value] of Object.entries(readConfigFile(configFile))) {
      if (secrets.has(key)) throw tslogsError('TSLOGS_SIDECAR_TOKEN_SOURCE', key, where, envNameOf(key));
      const secretOfFile = key.endsWith('-file') ? key.slice(0, -'-file'.length) : undefined;
      if (secretOfFile !== undefined && secrets.has(secretOfFile)) secretFiles.set(secretOfFile, value);
      else {
        options[key] = value;
        origin[key] = where;
      }
    }
  }
  const ignoredEnv: string[] = [];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith('TSLOGS_') || value === undefined || value === '') continue;
    if (SETTING_ENV.has(name) || secretEnv.has(name) || name.startsWith(SIDECAR_ENV_PREFIX)) continue;
    const key = optionOfEnv(name);
    if (!isOptionName(key, registry) || secrets.has(key)) {
      ignoredEnv.push(name);
      continue;
    }
    options[key] = value;
    origin[key] = name;
  }
  for (const key of Object.keys(options)) {
    if (STORE_KEYS.has(key)) throw tslogsError('TSLOGS_SIDECAR_STORE_OPTION', key, origin[key]!);
    if (key === 'redact-store') throw tslogsError('TSLOGS_SIDECAR_REDACT_STORE', origin[key]!);
  }
  for (const key of secrets) {
    const secret = readSecret(key, env, secretFiles.get(key));
    if (secret === undefined) continue;
    options[key] = secret.value;
    origin[key] = secret.origin;
  }
  return { options, origin, ignoredEnv };
}

function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw tslogsError('TSLOGS_SIDECAR_CONFIG_FILE', file, (err as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw tslogsError('TSLOGS_SIDECAR_CONFIG_FILE', file, (err as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw tslogsError('TSLOGS_SIDECAR_CONFIG_FILE', file, 'expected a JSON object of option names and values, e.g. {"splunk-url": "https://splunk:8088"}');
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    // Values are strings as in `--log-opt`; numbers and booleans are accepted as their text.
    if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
    else throw tslogsError('TSLOGS_SIDECAR_CONFIG_FILE', file, `the value of "${key}" must be a string, number or boolean`);
  }
  return out;
}

/** A secret option from TSLOGS_<KEY>, or from the file TSLOGS_<KEY>_FILE or "<key>-file" names. */
function readSecret(key: string, env: NodeJS.ProcessEnv, fileFromConfig: string | undefined): { value: string; origin: string } | undefined {
  const directEnv = envNameOf(key);
  const fileEnv = `${directEnv}_FILE`;
  const direct = env[directEnv] || undefined;
  const fileFromEnv = env[fileEnv] || undefined;
  const file = fileFromEnv ?? fileFromConfig;
  if (direct !== undefined && file !== undefined) throw tslogsError('TSLOGS_SIDECAR_TOKEN_TWICE', key, directEnv);
  if (direct !== undefined) return { value: direct, origin: directEnv };
  if (file === undefined) return undefined;
  let value: string;
  try {
    value = readSecretFile(file);
  } catch (err) {
    throw tslogsError('TSLOGS_SIDECAR_TOKEN_UNREADABLE', key, file, (err as Error).message);
  }
  return { value, origin: fileFromEnv !== undefined ? `${fileEnv} (${file})` : `${key}-file (${file})` };
}
