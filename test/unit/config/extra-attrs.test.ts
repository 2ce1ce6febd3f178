import { describe, expect, it } from 'vitest';
import { TslogsError } from '../../../src/errors.js';

import { compileExtraAttrs } from '../../../src/config/extra-attrs.js';
import { containerInfo, type ContainerInfo } from '../../helpers/container-info.js';

const info = (labels: Record<string, string>, env: string[] | null) => containerInfo({ ContainerLabels: labels, ContainerEnv: env });

const attrs = (options: Record<string, string>, i: ContainerInfo) => ({ ...compileExtraAttrs(options)(i) });

describe('compileExtraAttrs', () => {
  it('reproduces the observed StartLogging example (labels=lab1, env=E1)', () => {
    expect(attrs({ env: 'E1', foo: 'bar', labels: 'lab1' }, info({ lab1: 'v1' }, ['E1=x1']))).toEqual({ E1: 'x1', lab1: 'v1' });
  });

  it('returns nothing without options', () => {
    expect(attrs({}, info({ a: '1' }, ['A=1']))).toEqual({});
    expect(attrs({ labels: '', env: '', 'labels-regex': '', 'env-regex': '' }, info({ a: '1' }, ['A=1']))).toEqual({});
  });

  it('splits names at commas without trimming and ignores missing ones', () => {
    const i = info({ a: '1', ' b': '2', b: '3', '': 'empty' }, null);
    expect(attrs({ labels: 'a, b,missing' }, i)).toEqual({ a: '1', ' b': '2' });
    expect(attrs({ labels: 'a,' }, i)).toEqual({ a: '1', '': 'empty' });
  });

  it('does not treat inherited object properties as labels', () => {
    expect(attrs({ labels: 'toString,constructor,__proto__' }, info({}, []))).toEqual({});
    const own = compileExtraAttrs({ labels: '__proto__' })(info(JSON.parse('{"__proto__":"x"}'), []));
    expect(Object.keys(own)).toEqual(['__proto__']);
    expect(own['__proto__']).toBe('x');
  });

  it('matches labels-regex unanchored with Go syntax', () => {
    const i = info({ 'com.docker.compose.project': 'p', 'org.x.docker': 'o', other: 'z' }, null);
    expect(attrs({ 'labels-regex': 'docker' }, i)).toEqual({ 'com.docker.compose.project': 'p', 'org.x.docker': 'o' });
    expect(attrs({ 'labels-regex': '^com\\.docker\\.' }, i)).toEqual({ 'com.docker.compose.project': 'p' });
    expect(attrs({ 'labels-regex': '\\Aother\\z' }, i)).toEqual({ other: 'z' });
  });

  it('parses the environment at the first "=", skipping entries without one, later entries winning', () => {
    const i = info({}, ['A=1', 'B', 'C=x=y', 'A=2', 'D=', '=v', 'B=']);
    expect(attrs({ env: 'A,B,C,D,' }, i)).toEqual({ A: '2', B: '', C: 'x=y', D: '', '': 'v' });
  });

  it('matches env-regex over variable names', () => {
    const i = info({}, ['PATH=/bin', 'APP_MODE=prod', 'APP_ID=7', 'app_lower=1']);
    expect(attrs({ 'env-regex': '^APP_' }, i)).toEqual({ APP_MODE: 'prod', APP_ID: '7' });
    expect(attrs({ 'env-regex': '(?i)^app_' }, i)).toEqual({ APP_MODE: 'prod', APP_ID: '7', app_lower: '1' });
  });

  it('lets environment values overwrite labels with the same key', () => {
    const i = info({ K: 'label', L: 'label' }, ['K=env']);
    expect(attrs({ labels: 'K,L', env: 'K' }, i)).toEqual({ K: 'env', L: 'label' });
    expect(attrs({ 'labels-regex': '.', 'env-regex': '.' }, i)).toEqual({ K: 'env', L: 'label' });
  });

  it('handles a null environment and null labels from the wire', () => {
    const i = { ...info({}, null), ContainerLabels: null as unknown as Record<string, string> };
    expect(attrs({ env: 'A', labels: 'a', 'env-regex': '.', 'labels-regex': '.' }, i)).toEqual({});
  });

  it('rejects an invalid regex when compiled, naming the option and the regex', () => {
    for (const [option, regex, detail] of [
      ['labels-regex', '(a', 'missing closing ): `(a`'],
      ['env-regex', '(?<=x)y', 'invalid or unsupported Perl syntax: `(?<`'],
    ] as const) {
      let err: unknown;
      try {
        compileExtraAttrs({ [option]: regex });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TslogsError);
      expect((err as TslogsError).message).toBe(`error parsing regexp for ${option}: ${detail}`);
    }
  });
});
