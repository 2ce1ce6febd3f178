import os from 'node:os';
import type { ContainerInfo } from '../container-info.js';
import { tslogsError } from '../errors.js';
import { compileExtraAttrs } from './extra-attrs.js';
import { parseGoBool, parseGoInt } from '../go/strconv.js';
import { goJsonStringMap } from '../go/json.js';
import { parseDecimalSize } from '../go/size.js';
import { forOption } from './option-error.js';
import { compileTag, renderTag } from './tag-template.js';

/** How the store rotates a container's json-file (store/rotating-file.ts). */
export interface RotationPolicy {
  /** Rotate when the current file has reached this many bytes; Infinity never rotates. */
  maxSize: number;
  /** Files kept in all, the current one included. */
  maxFile: number;
  compress: boolean;
}

/**
 * Rotation when the user sets neither max-size nor max-file: 20 MB × 5 files.
 * Docker's json-file default is unbounded, a well-known cause of full disks. Once
 * either is set, the other takes Docker's default (unlimited size, 1 file), so
 * every explicit setting means exactly what it means to Docker.
 */
export const DEFAULT_POLICY: RotationPolicy = { maxSize: 20_000_000, maxFile: 5, compress: false };
const DOCKER_DEFAULTS = { maxSize: Infinity, maxFile: 1 };

/** The store's own options; `labels`, `env`, `tag` and the regex forms are shared with sinks. */
export const STORE_KEYS: ReadonlySet<string> = new Set(['max-size', 'max-file', 'compress']);
export const ATTRIBUTE_KEYS: ReadonlySet<string> = new Set(['labels', 'labels-regex', 'env', 'env-regex', 'tag']);

export interface StoreOptions {
  policy: RotationPolicy;
  /** Go-JSON `attrs` object written on every line, or undefined when there are none. */
  attrsJson: string | undefined;
}

/** Validates the json-file options of a container with Docker's wording (docs/docker-compat.md §6.4). */
export function parseStoreOptions(info: ContainerInfo, hostname = os.hostname()): StoreOptions {
  return { policy: parsePolicy(info.Config), attrsJson: attrsJson(info, hostname) };
}

function parsePolicy(config: Record<string, string>): RotationPolicy {
  const explicit = config['max-size'] !== undefined || config['max-file'] !== undefined;
  let { maxSize, maxFile } = explicit ? DOCKER_DEFAULTS : DEFAULT_POLICY;
  const size = config['max-size'];
  if (size !== undefined) {
    maxSize = forOption('max-size', () => parseDecimalSize(size));
    if (maxSize <= 0) throw tslogsError('TSLOGS_MAX_SIZE_POSITIVE');
  }
  const files = config['max-file'];
  if (files !== undefined) {
    maxFile = forOption('max-file', () => parseGoInt(files));
    if (maxFile < 1) throw tslogsError('TSLOGS_MAX_FILE_MIN');
  }
  let compress = DEFAULT_POLICY.compress;
  const compressText = config.compress;
  if (compressText !== undefined) {
    compress = forOption('compress', () => parseGoBool(compressText));
    if (compress && (maxFile === 1 || maxSize === Infinity)) throw tslogsError('TSLOGS_COMPRESS_NEEDS_ROTATION');
  }
  return { maxSize, maxFile, compress };
}

function attrsJson(info: ContainerInfo, hostname: string): string | undefined {
  const attrs = compileExtraAttrs(info.Config)(info);
  // json-file has no default tag: only a tag the user asked for is stored.
  const template = info.Config.tag;
  if (template !== undefined && template !== '') {
    const tag = renderTag(compileTag(template), info, hostname);
    if (tag !== '') attrs.tag = tag;
  }
  return Object.keys(attrs).length > 0 ? goJsonStringMap(attrs) : undefined;
}
