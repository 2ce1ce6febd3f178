// examples/sidecar-splunk: the env file and config file a staging engineer starts from
// are accepted as they are (the option names and values are real).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../src/router/container-options.js';
import { BUILTIN_SINKS } from '../../../src/sinks/registry.js';
import { parseSidecarArgs } from '../../../src/sidecar/settings.js';
import { loadSinkOptions, probeInfo } from '../../../src/sidecar/sink-options.js';
import { silentLogger } from '../../../src/util/log.js';

const EXAMPLE = path.join(import.meta.dirname, '../../../examples/sidecar-splunk');

function envFile(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2];
  }
  return env;
}

describe('examples/sidecar-splunk', () => {
  it('sidecar.env.example + sidecar.json make valid splunk options', () => {
    const env = envFile(path.join(EXAMPLE, 'sidecar.env.example'));
    const loaded = loadSinkOptions({ configFile: path.join(EXAMPLE, 'sidecar.json'), env, registry: BUILTIN_SINKS });
    expect(loaded.ignoredEnv).toEqual([]);
    expect(loaded.options['splunk-url']).toBe('https://splunk.staging.example.com:8088');
    expect(loaded.options['splunk-token']).toBe('00000000-0000-0000-0000-000000000000');
    const parsed = parseContainerOptions(probeInfo(loaded.options), BUILTIN_SINKS, silentLogger, 'h');
    expect(parsed.sinks.map((s) => s.definition.name)).toEqual(['splunk']);
    expect(parseSidecarArgs(['--config', '/etc/tslogs/sidecar.json'], env).startAt).toBe('end');
  });
});
