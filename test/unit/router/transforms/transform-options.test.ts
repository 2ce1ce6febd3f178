import { describe, expect, it } from 'vitest';
import { TslogsError } from '../../../../src/errors.js';
import { parseContainerOptions } from '../../../../src/router/container-options.js';
import { parseTransformOptions } from '../../../../src/router/transforms/transform-options.js';
import { BUILTIN_SINKS } from '../../../../src/sinks/registry.js';
import { silentLogger } from '../../../../src/util/log.js';
import { containerInfo } from '../../../helpers/container-info.js';

function message(config: Record<string, string>): string {
  try {
    parseContainerOptions(containerInfo({ Config: config }), BUILTIN_SINKS, silentLogger, 'h');
  } catch (e) {
    expect(e).toBeInstanceOf(TslogsError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(config)}`);
}

describe('transform options', () => {
  it('are absent without any transform option', () => {
    expect(parseTransformOptions({ 'max-size': '1m' })).toBeUndefined();
    expect(parseContainerOptions(containerInfo({ Config: {} }), BUILTIN_SINKS, silentLogger, 'h').router.transforms).toBeUndefined();
  });

  it.each([
    ['1000/s', { count: 1000, unit: 's', burst: 1000 }],
    ['600/m', { count: 600, unit: 'm', burst: 600 }],
    ['1/h', { count: 1, unit: 'h', burst: 1 }],
  ])('rate-limit=%s', (value, limit) => {
    expect(parseTransformOptions({ 'rate-limit': value })).toEqual({ multiline: undefined, rateLimit: limit, redactor: undefined, redactStore: false });
  });

  it('takes rate-limit-burst', () => {
    expect(parseTransformOptions({ 'rate-limit': '10/s', 'rate-limit-burst': '500' })?.rateLimit).toEqual({ count: 10, unit: 's', burst: 500 });
  });

  it('reaches the deliveries through the router options', () => {
    const parsed = parseContainerOptions(containerInfo({ Config: { 'rate-limit': '5/m', redact: 'x', 'redact-store': 'true' } }), BUILTIN_SINKS, silentLogger, 'h');
    expect(parsed.router.transforms?.rateLimit).toEqual({ count: 5, unit: 'm', burst: 5 });
    expect(parsed.router.transforms?.redactStore).toBe(true);
    expect(parsed.router.transforms?.redactor?.redact(Buffer.from('axb'))?.toString()).toBe('a[REDACTED]b');
  });

  it('applies redact, redact-1 … redact-99 in the order of their numbers, with redact-replacement', () => {
    const r = parseTransformOptions({ 'redact-10': 'c', 'redact-2': 'b', redact: 'a', 'redact-replacement': '#' })?.redactor;
    expect(r?.redact(Buffer.from('abcd'))?.toString()).toBe('###d');
    // redact-2 sees what redact-1 left: it matches the "]" of the first mask.
    const chained = parseTransformOptions({ 'redact-2': String.raw`\]`, 'redact-1': 'x' })?.redactor;
    expect(chained?.redact(Buffer.from('x'))?.toString()).toBe('[REDACTED[REDACTED]');
  });

  it('takes multiline presets and multiline-start with their defaults, and the limits', () => {
    const m = parseTransformOptions({ multiline: 'go,python,java' })?.multiline;
    expect(m).toMatchObject({ option: 'multiline', flushMs: 1000, maxLines: 500, maxBytes: 1024 * 1024 });
    expect(m?.grammars).toHaveLength(3);
    const custom = parseTransformOptions({ 'multiline-start': '^\\[', 'multiline-flush': '250ms', 'multiline-max-lines': '20', 'multiline-max-bytes': '64k' })?.multiline;
    expect(custom).toMatchObject({ option: 'multiline-start', flushMs: 250, maxLines: 20, maxBytes: 65536 });
  });

  it.each([
    [{ multiline: 'ruby' }, "invalid value for log opt 'multiline': expected java, python, go, node, or several of them separated by commas, got 'ruby'"],
    [{ multiline: 'java,python' }, "invalid value for log opt 'multiline': list java last: it begins an event at every unindented line, so no preset after it would see one, got 'java,python'"],
    [{ multiline: 'go,go' }, "invalid value for log opt 'multiline': 'go' is listed twice in 'go,go'"],
    [{ multiline: 'go', 'multiline-start': 'x' }, "log opts 'multiline' and 'multiline-start': set one or the other (a start pattern stands for the presets)"],
    [{ 'multiline-start': '' }, "invalid value for log opt 'multiline-start': expected a regular expression (RE2 syntax), got an empty value"],
    [{ 'multiline-start': '(' }, 'error parsing regexp for multiline-start: missing closing ): `(`'],
    [{ multiline: 'go', 'multiline-flush': '0' }, "invalid value for log opt 'multiline-flush': expected a duration of at least 1ms such as '500ms' or '2s', got '0'"],
    [{ multiline: 'go', 'multiline-flush': '5' }, `invalid value for log opt 'multiline-flush': time: missing unit in duration "5"`],
    [{ multiline: 'go', 'multiline-max-lines': '1' }, "invalid value for log opt 'multiline-max-lines': expected a whole number of lines from 2 to 1000000, got '1'"],
    [{ multiline: 'go', 'multiline-max-bytes': '0' }, "log opt 'multiline-max-bytes' must be positive, got '0'"],
    [{ multiline: 'go', 'multiline-max-bytes': 'lots' }, "invalid value for log opt 'multiline-max-bytes': invalid size: 'lots'"],
    [{ 'multiline-flush': '2s' }, "log opt 'multiline-flush' has no effect without log opt 'multiline': set multiline too, or remove multiline-flush"],
    [{ multiline: 'java', 'partial-reassembly': 'false' }, "log opts 'multiline' and 'partial-reassembly': joining lines needs whole lines: remove partial-reassembly=false, or multiline"],
    [{ 'multiline-start': 'x', 'partial-reassembly': 'false' }, "log opts 'multiline-start' and 'partial-reassembly': joining lines needs whole lines: remove partial-reassembly=false, or multiline-start"],
  ])('refuses multiline options %j at container start', (config, text) => {
    expect(message(config)).toBe(text);
  });

  it.each([
    [{ 'rate-limit': '1000' }, "invalid value for log opt 'rate-limit': expected lines per second, minute or hour such as '1000/s', '600/m' or '100/h', got '1000'"],
    [{ 'rate-limit': '10/d' }, "invalid value for log opt 'rate-limit': expected lines per second, minute or hour such as '1000/s', '600/m' or '100/h', got '10/d'"],
    [{ 'rate-limit': '0/s' }, "invalid value for log opt 'rate-limit': expected a whole number of lines from 1 to 1000000000, got '0/s'"],
    [{ 'rate-limit': '10/s', 'rate-limit-burst': '0' }, "invalid value for log opt 'rate-limit-burst': expected a whole number of lines from 1 to 1000000000, got '0'"],
    [{ 'rate-limit-burst': '10' }, "log opt 'rate-limit-burst' has no effect without log opt 'rate-limit': set rate-limit too, or remove rate-limit-burst"],
    [{ 'redact-replacement': 'x' }, "log opt 'redact-replacement' has no effect without log opt 'redact': set redact too, or remove redact-replacement"],
    [{ 'redact-store': 'true' }, "log opt 'redact-store' has no effect without log opt 'redact': set redact too, or remove redact-store"],
    [{ redact: 'x', 'redact-store': 'yes' }, `invalid value for log opt 'redact-store': strconv.ParseBool: parsing "yes": invalid syntax`],
    [{ 'redact-3': '' }, "invalid value for log opt 'redact-3': expected a regular expression (RE2 syntax), got an empty value"],
    [{ redact: 'ok', 'redact-7': 'a(b' }, 'error parsing regexp for redact-7: missing closing ): `a(b`'],
    [{ 'redact-0': 'x' }, "unknown log opt 'redact-0' for tslogs log driver"],
    [{ 'redact-100': 'x' }, "unknown log opt 'redact-100' for tslogs log driver"],
    [{ 'redact-01': 'x' }, "unknown log opt 'redact-01' for tslogs log driver"],
  ])('refuses %j at container start', (config, text) => {
    expect(message(config)).toBe(text);
  });
});
