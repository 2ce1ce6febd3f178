import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_ROUTER_OPTIONS, parseContainerOptions } from '../../../src/router/container-options.js';
import { TslogsError, tslogsError } from '../../../src/errors.js';
import { sinkRegistry, type SinkRegistry } from '../../../src/sinks/registry.js';
import type { Sink, SinkContext, SinkDefinition } from '../../../src/sinks/sink.js';
import { containerInfo } from '../../helpers/container-info.js';
import { silentLogger } from '../../../src/util/log.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const HOST = 'testhost';

// The attribute test reads the name, the env and the labels.
const info = (config: Record<string, string>) =>
  containerInfo({ Config: config, ContainerName: '/p1', ContainerEnv: ['E1=x1'], ContainerLabels: { lab1: 'v1' } });

interface Parsed {
  sink: string;
  level: string | undefined;
}

function fakeSink(name: string, keys: string[]) {
  const parse = vi.fn((config: Record<string, string>, _context: SinkContext): Parsed => ({ sink: name, level: config[`${name}-level`] }));
  const definition: SinkDefinition<Parsed> = {
    name,
    addressKey: `${name}-address`,
    keys: new Set(keys),
    parse,
    create(): Sink {
      throw new Error('not used');
    },
  };
  return { definition, parse };
}

function setup() {
  const alpha = fakeSink('alpha', ['alpha-level']);
  const beta = fakeSink('beta', ['beta-level', 'beta-format']);
  const registry: SinkRegistry = sinkRegistry([alpha.definition as SinkDefinition, beta.definition as SinkDefinition]);
  const log = recordingLogger();
  return { alpha, beta, registry, log };
}

function parse(config: Record<string, string>) {
  const s = setup();
  return { ...s, result: parseContainerOptions(info(config), s.registry, s.log, HOST) };
}

const names = (config: Record<string, string>): string[] => parse(config).result.sinks.map((s) => s.definition.name);

function errorOf(config: Record<string, string>, registry = setup().registry): TslogsError {
  try {
    parseContainerOptions(info(config), registry, silentLogger, HOST);
  } catch (err) {
    expect(err).toBeInstanceOf(TslogsError);
    return err as TslogsError;
  }
  throw new Error(`no error for ${JSON.stringify(config)}`);
}

describe('parseContainerOptions', () => {
  describe('store and defaults', () => {
    it('without sink options enables no sink and parses the store options with tslogs\' defaults', () => {
      const { result, alpha, beta } = parse({});
      expect(result).toStrictEqual({
        store: { policy: { maxSize: 20_000_000, maxFile: 5, compress: false }, attrsJson: undefined },
        router: { reassemble: true, partialMaxBytes: 1_048_576, retryMinMs: 100, retryMaxMs: 30_000, drainTimeoutMs: 0 },
        sinks: [],
      });
      expect(alpha.parse).not.toHaveBeenCalled();
      expect(beta.parse).not.toHaveBeenCalled();
    });

    it('exports the router defaults', () => {
      expect(DEFAULT_ROUTER_OPTIONS).toEqual({ reassemble: true, partialMaxBytes: 1_048_576, retryMinMs: 100, retryMaxMs: 30_000, drainTimeoutMs: 0 });
    });

    it('parses max-size, max-file, compress and the shared attribute options', () => {
      const { result } = parse({ 'max-size': '10m', 'max-file': '3', compress: 'true', labels: 'lab1', env: 'E1', tag: '{{.Name}}' });
      expect(result.store).toEqual({
        policy: { maxSize: 10_000_000, maxFile: 3, compress: true },
        attrsJson: '{"E1":"x1","lab1":"v1","tag":"p1"}',
      });
      expect(result.sinks).toEqual([]);
    });

    it('reports store errors with Docker\'s wording, naming the option where Docker does not', () => {
      expect(errorOf({ 'max-size': '0' }).message).toBe('max-size must be a positive number');
      expect(errorOf({ 'max-file': 'x' }).message).toBe(`log opt 'max-file': strconv.Atoi: parsing "x": invalid syntax`);
    });

    it.each([
      ['mode', 'non-blocking'],
      ['max-buffer-size', '4m'],
      ['cache-disabled', 'true'],
      ['cache-max-size', '10m'],
      ['cache-max-file', '2'],
      ['cache-compress', 'false'],
    ])('accepts Docker\'s generic key %s', (key, value) => {
      const { result } = parse({ [key]: value });
      expect(result.sinks).toEqual([]);
      expect(result.router).toEqual(DEFAULT_ROUTER_OPTIONS);
      expect(result.store.policy).toEqual({ maxSize: 20_000_000, maxFile: 5, compress: false });
    });
  });

  describe('enabling sinks', () => {
    it('enables a sink by its address option and accepts its keys', () => {
      const { result, alpha, beta } = parse({ 'alpha-address': 'udp://x:1', 'alpha-level': 'debug' });
      expect(result.sinks).toEqual([{ definition: alpha.definition, options: { sink: 'alpha', level: 'debug' } }]);
      expect(alpha.parse).toHaveBeenCalledTimes(1);
      expect(beta.parse).not.toHaveBeenCalled();
    });

    it('enables a sink whose address is set but empty (its parse() validates it)', () => {
      expect(names({ 'beta-address': '' })).toEqual(['beta']);
    });

    it('enables the sinks listed in `sinks`', () => {
      expect(names({ sinks: 'alpha,beta' })).toEqual(['alpha', 'beta']);
      expect(names({ sinks: 'beta' })).toEqual(['beta']);
    });

    it('enables each sink once when listed twice or also set by address; empty names are ignored', () => {
      expect(names({ sinks: 'alpha,alpha', 'alpha-address': 'x' })).toEqual(['alpha']);
      expect(names({ sinks: ',alpha,,' })).toEqual(['alpha']);
      expect(names({ sinks: '' })).toEqual([]);
    });

    it('combines `sinks` and address options', () => {
      expect(names({ sinks: 'alpha', 'beta-address': 'x', 'beta-format': 'json' }).sort()).toEqual(['alpha', 'beta']);
    });

    it('rejects an unknown name in `sinks`, listing the known ones', () => {
      expect(errorOf({ sinks: 'alpha,gamma' }).message).toBe("unknown sink 'gamma' in log opt 'sinks' (tslogs has: alpha, beta)");
      expect(errorOf({ sinks: 'gamma' }).code).toBe('TSLOGS_UNKNOWN_SINK');
      // Names are not trimmed, as Docker does not trim its comma lists.
      expect(errorOf({ sinks: 'alpha, beta' }).message).toBe("unknown sink ' beta' in log opt 'sinks' (tslogs has: alpha, beta)");
    });

    it('says "none" when no sink is built in', () => {
      expect(errorOf({ sinks: 'alpha' }, sinkRegistry([])).message).toBe("unknown sink 'alpha' in log opt 'sinks' (tslogs has: none)");
    });

    it('rejects an option of a sink that is not enabled', () => {
      const err = errorOf({ 'alpha-level': 'debug' });
      expect(err.code).toBe('TSLOGS_SINK_NOT_ENABLED');
      expect(err.message).toBe(
        "log opt 'alpha-level' belongs to the alpha sink, which is not enabled: set alpha-address or add alpha to log opt 'sinks'",
      );
      expect(errorOf({ 'alpha-address': 'x', 'beta-format': 'json' }).message).toBe(
        "log opt 'beta-format' belongs to the beta sink, which is not enabled: set beta-address or add beta to log opt 'sinks'",
      );
    });

    it('rejects an unknown key with Docker\'s wording', () => {
      const err = errorOf({ x: '1' });
      expect(err.code).toBe('TSLOGS_UNKNOWN_OPTION');
      expect(err.message).toBe("unknown log opt 'x' for tslogs log driver");
      expect(errorOf({ 'alpha-address': 'x', 'alpha-colour': 'red' }).message).toBe("unknown log opt 'alpha-colour' for tslogs log driver");
      // Another driver's option is unknown to tslogs unless a sink owns it.
      expect(errorOf({ 'splunk-url': 'https://x' }).message).toBe("unknown log opt 'splunk-url' for tslogs log driver");
    });

    it('passes the whole config and a context to the sink\'s parse()', () => {
      const config = { 'alpha-address': 'udp://x:1', 'alpha-level': 'info', tag: 't', 'max-size': '1m' };
      const i = info(config);
      const s = setup();
      const result = parseContainerOptions(i, s.registry, s.log, HOST);
      expect(s.alpha.parse).toHaveBeenCalledTimes(1);
      const [gotConfig, context] = s.alpha.parse.mock.calls[0]!;
      expect(gotConfig).toBe(i.Config);
      expect(context.info).toBe(i);
      expect(context.hostname).toBe(HOST);
      expect(context.log).toBe(s.log);
      expect(Object.keys(context).sort()).toEqual(['hostname', 'info', 'log']);
      expect(result.sinks[0]!.options).toEqual({ sink: 'alpha', level: 'info' });
    });

    it('lets a sink\'s parse() error through', () => {
      const s = setup();
      s.beta.parse.mockImplementation(() => {
        throw tslogsError('TSLOGS_PARSE_BOOL', 'nope');
      });
      expect(() => parseContainerOptions(info({ sinks: 'beta' }), s.registry, s.log, HOST)).toThrow(
        'strconv.ParseBool: parsing "nope": invalid syntax',
      );
    });
  });

  describe('router options', () => {
    const router = (config: Record<string, string>) => parse(config).result.router;

    it.each([
      ['false', false],
      ['0', false],
      ['F', false],
      ['FALSE', false],
      ['true', true],
      ['1', true],
      ['T', true],
      ['True', true],
    ])('partial-reassembly=%s is a Go bool', (value, expected) => {
      expect(router({ 'partial-reassembly': value }).reassemble).toBe(expected);
    });

    it.each([
      ['2k', 2048],
      ['2KiB', 2048],
      ['1m', 1_048_576],
      ['1.5k', 1536],
      ['4096', 4096],
    ])('partial-max-size=%s is a binary size (%i bytes)', (value, expected) => {
      expect(router({ 'partial-max-size': value }).partialMaxBytes).toBe(expected);
    });

    it('parses the retry bounds and the drain timeout as Go durations, in ms', () => {
      expect(router({ 'sink-retry-min': '250ms', 'sink-retry-max': '1m', 'sink-drain-timeout': '1h30m' })).toEqual({
        reassemble: true,
        partialMaxBytes: 1_048_576,
        retryMinMs: 250,
        retryMaxMs: 60_000,
        drainTimeoutMs: 5_400_000,
      });
      expect(router({ 'sink-retry-min': '1.5s' }).retryMinMs).toBe(1500);
      expect(router({ 'sink-drain-timeout': '0' }).drainTimeoutMs).toBe(0);
      expect(() => router({ 'sink-drain-timeout': '-5s' })).toThrow("invalid value for log opt 'sink-drain-timeout': must not be negative (0 waits for ever)");
    });

    it('raises a default bound to meet the other one set alone', () => {
      expect(router({ 'sink-retry-min': '1m' })).toMatchObject({ retryMinMs: 60_000, retryMaxMs: 60_000 });
      expect(router({ 'sink-retry-max': '50ms' })).toMatchObject({ retryMinMs: 100, retryMaxMs: 100 });
      expect(router({ 'sink-retry-min': '1ms', 'sink-retry-max': '1ms' })).toMatchObject({ retryMinMs: 1, retryMaxMs: 1 });
    });

    it.each([
      [{ 'sink-retry-min': '1ns', 'sink-retry-max': '1ns' }, "invalid value for log opt 'sink-retry-min': must be at least 1ms, got '1ns'"],
      [{ 'sink-retry-max': '999us' }, "invalid value for log opt 'sink-retry-max': must be at least 1ms, got '999us'"],
      [{ 'sink-retry-min': '5s', 'sink-retry-max': '1s' }, "invalid value for log opt 'sink-retry-max': must not be less than sink-retry-min ('5s'), got '1s'"],
    ])('rejects retry bounds that would spin: %j', (config, message) => {
      expect(errorOf(config).message).toBe(message);
    });

    it.each([
      ['partial-max-size', '0', "log opt 'partial-max-size' must be positive, got '0'"],
      ['sink-retry-min', '0', "log opt 'sink-retry-min' must be positive, got '0'"],
      ['sink-retry-max', '0', "log opt 'sink-retry-max' must be positive, got '0'"],
    ])('rejects %s=%s as not positive', (key, value, message) => {
      const err = errorOf({ [key]: value });
      expect(err.code).toBe('TSLOGS_OPTION_POSITIVE');
      expect(err.message).toBe(message);
    });

    it('echoes the value as written when a duration is not positive', () => {
      // The user wrote "-1s"; the parsed "-1000" (ms, no unit) is not what they typed.
      expect(errorOf({ 'sink-retry-min': '-1s' }).message).toBe("log opt 'sink-retry-min' must be positive, got '-1s'");
    });

    it.each([
      ['partial-reassembly', 'maybe', 'strconv.ParseBool: parsing "maybe": invalid syntax'],
      ['partial-max-size', 'lots', "invalid size: 'lots'"],
      ['sink-retry-min', 'soon', 'time: invalid duration "soon"'],
      ['sink-retry-max', '10', 'time: missing unit in duration "10"'],
      ['sink-drain-timeout', '5y', 'time: unknown unit "y" in duration "5y"'],
    ])('rejects an invalid %s=%s with a message naming the option', (key, value, detail) => {
      const err = errorOf({ [key]: value });
      expect(err.message).toContain(detail);
      expect(err.message).toContain(key);
    });
  });
});
