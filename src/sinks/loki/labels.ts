// The label set of a container's streams, as the Loki Docker driver builds it
// (grafana/loki clients/cmd/docker-driver/config.go, parseConfig), in its order, a
// later label replacing an earlier one of the same name:
//
//   loki-external-labels  name=value,… with Docker's template expanded in each value
//                         (default container_name={{.Name}})
//   labels, labels-regex, env, env-regex   Docker's ExtraAttributes, - and . of the
//                         names turned into _
//   swarm_service, swarm_stack, compose_service, compose_project  from the container's
//                         com.docker.swarm.service.name, com.docker.stack.namespace,
//                         com.docker.compose.service, com.docker.compose.project labels
//   host                  the Docker host's name
//   filename              the json-file path dockerd gave the plugin (LogPath)
//
// and per line `source` = stdout | stderr (format.ts). A label with an empty value is
// left out: Loki, as Prometheus, reads an empty value as no label.

import { compileExtraAttrs } from '../../config/extra-attrs.js';
import type { ContainerInfo } from '../../container-info.js';
import { TslogsError } from '../../errors.js';
import { execute } from '../../go/template/exec.js';
import { parseTemplate } from '../../go/template/parse.js';
import { lokiError } from './errors.js';

export const DEFAULT_EXTERNAL_LABELS = 'container_name={{.Name}}';
/** Prometheus' classic label names, which Loki's label string parser takes unquoted. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const AUTO_LABELS: readonly [string, string][] = [
  ['com.docker.swarm.service.name', 'swarm_service'],
  ['com.docker.stack.namespace', 'swarm_stack'],
  ['com.docker.compose.service', 'compose_service'],
  ['com.docker.compose.project', 'compose_project'],
];

export type LabelSet = ReadonlyMap<string, string>;

function checkLabel(option: string, name: string, value: string): void {
  if (!LABEL_NAME.test(name)) throw lokiError('TSLOGS_LOKI_LABEL_NAME', option, name);
  // A JS string from JSON may hold a lone surrogate, which has no UTF-8 form.
  if (/[\ud800-\udfff]/u.test(value)) throw lokiError('TSLOGS_LOKI_LABEL_VALUE', option, name);
}

/** loki-external-labels: split as the driver does (each entry exactly one `=`), values expanded. */
function externalLabels(text: string, info: ContainerInfo, hostname: string): [string, string][] {
  return text.split(',').map((entry) => {
    const parts = entry.split('=');
    if (parts.length !== 2) throw lokiError('TSLOGS_LOKI_EXTERNAL_LABELS', entry);
    const [name, template] = parts as [string, string];
    let value: string;
    try {
      value = execute(parseTemplate(template), template, { kind: 'info', info, hostname });
    } catch (e) {
      if (e instanceof TslogsError) throw lokiError('TSLOGS_LOKI_LABEL_TEMPLATE', entry, e.message);
      throw e;
    }
    checkLabel('loki-external-labels', name, value);
    return [name, value];
  });
}

/** The container's labels (without `source`), sorted by name; throws TslogsError naming the option. */
export function containerLabels(config: Record<string, string>, info: ContainerInfo, hostname: string): LabelSet {
  // Empty is the same as unset, as Docker's drivers read their options: the default applies.
  const given = Object.hasOwn(config, 'loki-external-labels') ? config['loki-external-labels']! : '';
  const labels = new Map<string, string>(externalLabels(given === '' ? DEFAULT_EXTERNAL_LABELS : given, info, hostname));
  const attrs = compileExtraAttrs(config)(info);
  for (const [key, value] of Object.entries(attrs)) {
    const name = key.replaceAll('-', '_').replaceAll('.', '_');
    const option = Object.hasOwn(info.ContainerLabels ?? {}, key) ? 'labels' : 'env';
    checkLabel(option, name, value);
    labels.set(name, value);
  }
  const containerLabels = info.ContainerLabels ?? {};
  for (const [key, name] of AUTO_LABELS) {
    const value = Object.hasOwn(containerLabels, key) ? containerLabels[key]! : '';
    if (value !== '') labels.set(name, value);
  }
  labels.set('host', hostname);
  labels.set('filename', info.LogPath);
  return new Map([...labels].filter(([, v]) => v !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
