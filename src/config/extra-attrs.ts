// Docker's logger.Info.ExtraAttributes: the labels/env attribute map that
// json-file stores as `attrs` and gelf, fluentd and splunk send with every
// message. Regexes are compiled up front so that StartLogging can reject a bad
// one instead of failing later.

import type { ContainerInfo } from '../container-info.js';
import { compileGoRegexp, type GoRegexp } from '../go/regexp.js';

export type ExtraAttrs = (info: ContainerInfo) => Record<string, string>;

// Docker tests `ok && len(v) > 0`, so an empty option is the same as none.
function names(options: Record<string, string>, key: string): string[] {
  const v = Object.hasOwn(options, key) ? options[key]! : '';
  return v === '' ? [] : v.split(',');
}

function regex(options: Record<string, string>, key: string): GoRegexp | undefined {
  const v = Object.hasOwn(options, key) ? options[key]! : '';
  return v === '' ? undefined : compileGoRegexp(v, key);
}

/** KEY=value entries split at the first `=`; entries without one are skipped, later ones win. */
function parseEnv(env: string[] | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq >= 0) map.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return map;
}

/**
 * Validates the `labels`, `labels-regex`, `env` and `env-regex` options once
 * (throwing TslogsError for an invalid regex) and returns the per-container
 * attribute builder. Environment attributes overwrite label attributes with
 * the same key, as in Docker.
 */
export function compileExtraAttrs(options: Record<string, string>): ExtraAttrs {
  const labelNames = names(options, 'labels');
  const labelsRegex = regex(options, 'labels-regex');
  const envNames = names(options, 'env');
  const envRegex = regex(options, 'env-regex');

  return (info) => {
    // Keys come from the container and may be "__proto__"; a null-prototype
    // object stores them as ordinary properties.
    const extra: Record<string, string> = Object.create(null);
    const labels = new Map(Object.entries(info.ContainerLabels ?? {}));
    for (const name of labelNames) {
      const v = labels.get(name);
      if (v !== undefined) extra[name] = v;
    }
    if (labelsRegex) for (const [k, v] of labels) if (labelsRegex.test(k)) extra[k] = v;
    const env = parseEnv(info.ContainerEnv);
    for (const name of envNames) {
      const v = env.get(name);
      if (v !== undefined) extra[name] = v;
    }
    if (envRegex) for (const [k, v] of env) if (envRegex.test(k)) extra[k] = v;
    return extra;
  };
}
