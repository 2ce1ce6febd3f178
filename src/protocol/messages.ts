import { tslogsError } from '../errors.js';
import type { ContainerInfo } from '../container-info.js';

// Request bodies of the docker.logdriver/1.0 protocol (docs/docker-compat.md §4.5-4.8), checked at
// the edge so the rest of the daemon handles typed values only.

export interface StartLoggingRequest {
  File: string;
  Info: ContainerInfo;
}

export interface ReadConfig {
  Since: string;
  Until: string;
  Tail: number;
  Follow: boolean;
}

export interface ReadLogsRequest {
  Info: ContainerInfo;
  Config: ReadConfig;
}

type Json = Record<string, unknown>;

function object(value: unknown, method: string, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw tslogsError('TSLOGS_BAD_REQUEST', method, `${what} must be a JSON object`);
  }
  return value as Json;
}

function string(body: Json, key: string, method: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw tslogsError('TSLOGS_BAD_REQUEST', method, `${key} must be a string`);
  return value;
}

/** Go's decoder matches keys case-insensitively; dockerd sends the exact names. */
function field(body: Json, key: string): unknown {
  if (key in body) return body[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(body)) if (k.toLowerCase() === lower) return body[k];
  return undefined;
}

/** Go decodes null into a string as "" and rejects any other non-string: so do we, naming the field. */
function goString(value: unknown, method: string, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw tslogsError('TSLOGS_BAD_REQUEST', method, `${what} must be a string`);
  return value;
}

function strings(value: unknown, method: string, what: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw tslogsError('TSLOGS_BAD_REQUEST', method, `${what} must be an array of strings`);
  return value.map((v, i) => goString(v, method, `${what}[${i}]`));
}

function info(value: unknown, method: string): ContainerInfo {
  const raw = object(value, method, 'Info');
  const config = object(field(raw, 'Config') ?? {}, method, 'Info.Config');
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== 'string') throw tslogsError('TSLOGS_BAD_REQUEST', method, `log option ${k} must be a string`);
  }
  const id = field(raw, 'ContainerID');
  if (typeof id !== 'string') throw tslogsError('TSLOGS_BAD_REQUEST', method, 'Info.ContainerID must be a string');
  const str = (k: string): string => goString(field(raw, k), method, `Info.${k}`);
  // Docker's labels are a map[string]string: a value of another type is a malformed body.
  const labels: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(object(field(raw, 'ContainerLabels') ?? {}, method, 'Info.ContainerLabels'))) {
    labels[k] = goString(v, method, `Info.ContainerLabels[${JSON.stringify(k)}]`);
  }
  return {
    Config: config as Record<string, string>,
    ContainerID: id,
    ContainerName: str('ContainerName'),
    ContainerEntrypoint: str('ContainerEntrypoint'),
    ContainerArgs: strings(field(raw, 'ContainerArgs'), method, 'Info.ContainerArgs') ?? [],
    ContainerImageID: str('ContainerImageID'),
    ContainerImageName: str('ContainerImageName'),
    ContainerCreated: str('ContainerCreated'),
    ContainerEnv: strings(field(raw, 'ContainerEnv'), method, 'Info.ContainerEnv'),
    ContainerLabels: labels,
    LogPath: str('LogPath'),
    DaemonName: str('DaemonName'),
  };
}

export function parseStartLogging(body: unknown): StartLoggingRequest {
  const method = 'LogDriver.StartLogging';
  const raw = object(body, method, 'the body');
  return { File: string(raw, 'File', method), Info: info(field(raw, 'Info'), method) };
}

export function parseStopLogging(body: unknown): { File: string } {
  const method = 'LogDriver.StopLogging';
  return { File: string(object(body, method, 'the body'), 'File', method) };
}

export function parseReadLogs(body: unknown): ReadLogsRequest {
  const method = 'LogDriver.ReadLogs';
  const raw = object(body, method, 'the body');
  const config = object(field(raw, 'Config') ?? field(raw, 'ReadConfig') ?? {}, method, 'Config');
  const since = field(config, 'Since');
  const until = field(config, 'Until');
  const tail = field(config, 'Tail');
  return {
    Info: info(field(raw, 'Info'), method),
    Config: {
      Since: typeof since === 'string' ? since : '',
      Until: typeof until === 'string' ? until : '',
      Tail: typeof tail === 'number' && Number.isInteger(tail) ? tail : -1,
      Follow: field(config, 'Follow') === true,
    },
  };
}
