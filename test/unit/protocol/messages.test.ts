import { describe, expect, it } from 'vitest';
import { parseReadLogs, parseStartLogging } from '../../../src/protocol/messages.js';

const ID = 'a'.repeat(64);
const start = (info: Record<string, unknown>) => ({ File: '/run/docker/logging/x', Info: { Config: { labels: 'a' }, ContainerID: ID, ...info } });
const SL = 'LogDriver.StartLogging: invalid request body: ';

describe('Info as Go decodes it into logger.Info', () => {
  it.each([
    [{ ContainerLabels: { a: 5 } }, 'Info.ContainerLabels["a"] must be a string'],
    [{ ContainerLabels: { a: { b: 'c' } } }, 'Info.ContainerLabels["a"] must be a string'],
    [{ ContainerLabels: { a: ['x'] } }, 'Info.ContainerLabels["a"] must be a string'],
    [{ ContainerLabels: { a: true } }, 'Info.ContainerLabels["a"] must be a string'],
    [{ ContainerLabels: ['a'] }, 'Info.ContainerLabels must be a JSON object'],
    [{ ContainerLabels: 'a=b' }, 'Info.ContainerLabels must be a JSON object'],
    [{ ContainerEnv: ['A=1', 2] }, 'Info.ContainerEnv[1] must be a string'],
    [{ ContainerEnv: 'A=1' }, 'Info.ContainerEnv must be an array of strings'],
    [{ ContainerArgs: [{}] }, 'Info.ContainerArgs[0] must be a string'],
    [{ ContainerName: 7 }, 'Info.ContainerName must be a string'],
  ])('rejects %j naming the field', (info, detail) => {
    expect(() => parseStartLogging(start(info))).toThrow(SL + detail);
    expect(() => parseReadLogs({ Info: start(info).Info, Config: {} })).toThrow('LogDriver.ReadLogs: invalid request body: ' + detail);
  });

  it('takes null as Go does: "" for a string, none for a list or map', () => {
    const info = parseStartLogging(start({ ContainerLabels: { a: null, b: 'v' }, ContainerEnv: null, ContainerArgs: null, ContainerName: null })).Info;
    expect({ ...info.ContainerLabels }).toEqual({ a: '', b: 'v' });
    expect(info.ContainerEnv).toBeNull();
    expect(info.ContainerArgs).toEqual([]);
    expect(info.ContainerName).toBe('');
  });

  it('keeps a label named __proto__ as an ordinary label', () => {
    const info = parseStartLogging(start({ ContainerLabels: JSON.parse('{"__proto__":"x"}') })).Info;
    expect(Object.entries(info.ContainerLabels)).toEqual([['__proto__', 'x']]);
  });
});
