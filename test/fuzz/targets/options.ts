// Target 3: StartLogging with --log-opt maps from option-maps.ts. A refusal names one of
// the options it was given; an accepted map holds only known keys, each with a value
// of its type (nothing is accepted and ignored); either way the daemon carries on.
import { containerInfo } from '../../helpers/container-info.js';
import { call, errOf } from '../client.js';
import { openFifo } from '../fifos.js';
import { Finding, type Target } from '../harness.js';
import { DOCKER_GENERIC_KEYS } from '../../../src/router/container-options.js';
import { ADDRESS_KEYS, BOOL_KEYS, CATALOGUE, DURATION_KEYS, INT_KEYS, optionMap } from './option-maps.js';

const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
const GO_DURATION = /^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const GO_INT = /^[-+]?\d+$/;
const KNOWN = new Set([...CATALOGUE, ...DOCKER_GENERIC_KEYS]);

/** Why an accepted map should not have been, or undefined. */
export function wronglyAccepted(config: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(config)) {
    if (value === '' && KNOWN.has(key)) continue; // Docker reads most empty options as unset
    if (!KNOWN.has(key)) return `unknown option ${JSON.stringify(key)} accepted`;
    if (BOOL_KEYS.has(key) && !GO_BOOLS.has(value)) return `${key}=${JSON.stringify(value)} accepted, which is no boolean`;
    if (DURATION_KEYS.has(key) && !GO_DURATION.test(value)) return `${key}=${JSON.stringify(value)} accepted, which is no duration`;
    if (INT_KEYS.has(key) && !GO_INT.test(value)) return `${key}=${JSON.stringify(value)} accepted, which is no integer`;
    // fluentd-address without a port: Docker drops the host (and tslogs warns), so any host goes.
    const hostDropped = key === 'fluentd-address' && /^(tcp:\/\/)?[^:]*$/.test(value);
    if (ADDRESS_KEYS.has(key) && !hostDropped && /[\u0000-\u001f]|\{\{/.test(value)) return `${key}=${JSON.stringify(value)} accepted, with a control character or a template`;
    if (key === 'splunk-token' && /[\r\n\u0000]/.test(value)) return `splunk-token with a control character accepted`;
  }
  return undefined;
}

/**
 * Whether a refusal names an option: one of the map (Docker's texts name it, or ours put
 * it first; an empty key shows as ''), or one the map lacks ("splunk-token is expected").
 */
export function namesAnOption(err: string, config: Record<string, string>): boolean {
  // A check the map asked for (splunk-verify-connection, fluentd-async=false) that could not
  // reach the endpoint: Docker's text names the endpoint, not the option, and is kept.
  if (/^(Options "|dial )/.test(err)) return true;
  return Object.keys(config).some((key) => err.includes(key === '' ? "''" : key)) || CATALOGUE.some((key) => err.includes(key));
}

export function optionsTarget(group = 8): Target {
  const tally = { accepted: 0, refused: 0 };
  return {
    name: 'options',
    group,
    tally,
    async run(ctx, prng, _index, slot) {
      const config = optionMap(prng);
      const id = `0c${slot.toString(16).padStart(2, '0')}`.padEnd(64, 'c');
      const fifo = openFifo(ctx.fifos.next());
      try {
        const answer = await call(ctx.socket, 'LogDriver.StartLogging', { File: fifo.path, Info: containerInfo({ ContainerID: id, Config: config }) });
        if (answer.status !== 200) throw new Finding(`StartLogging answered ${answer.status} to ${JSON.stringify(config)}: ${answer.body.toString().slice(0, 300)}`);
        const err = errOf(answer);
        if (err !== '') {
          tally.refused++;
          if (!namesAnOption(err, config)) throw new Finding(`refused without naming an option: ${JSON.stringify(config)}: ${err}`);
        } else {
          tally.accepted++;
          await call(ctx.socket, 'LogDriver.StopLogging', { File: fifo.path });
          const wrong = wronglyAccepted(config);
          if (wrong !== undefined) throw new Finding(`${wrong}: ${JSON.stringify(config)}`);
        }
      } finally {
        await fifo.close();
      }
    },
  };
}
