import { describe, expect, it } from 'vitest';

import { EMPTY_RULES, globToRegExp, parseLabelMatch, Selection, type SelectionRules } from '../../../src/sidecar/selection.js';
import { containerInfo } from '../../helpers/container-info.js';

// The image ID test matches a `sha256:abab` prefix.
const info = (name: string, image: string, labels: Record<string, string> = {}) =>
  containerInfo({ ContainerName: `/${name}`, ContainerImageID: 'sha256:' + 'ab'.repeat(32), ContainerImageName: image, ContainerLabels: labels });

const select = (rules: Partial<SelectionRules>) => new Selection({ ...EMPTY_RULES, ...rules });

describe('container selection', () => {
  it('forwards everything by default, except a container labelled tslogs.enable=false (any Go boolean false)', () => {
    const all = select({});
    expect(all.reason(info('web', 'nginx'))).toBeUndefined();
    expect(all.reason(info('web', 'nginx', { 'tslogs.enable': 'true' }))).toBeUndefined();
    for (const v of ['false', 'FALSE', '0', 'f', 'False']) expect(all.reason(info('web', 'nginx', { 'tslogs.enable': v }))).toBe(`label tslogs.enable=${v}`);
    expect(all.reason(info('web', 'nginx', { 'tslogs.enable': 'nope' }))).toBeUndefined();
  });

  it('labels: KEY matches any value, KEY=VALUE only that value; includes are alternatives', () => {
    expect(parseLabelMatch('team')).toEqual({ key: 'team', value: undefined });
    expect(parseLabelMatch('team=a=b')).toEqual({ key: 'team', value: 'a=b' });
    expect(parseLabelMatch('env=')).toEqual({ key: 'env', value: '' });
    expect(() => parseLabelMatch('=x')).toThrow("invalid label filter '=x': expected KEY or KEY=VALUE");
    const s = select({ includeLabels: [parseLabelMatch('team=pay'), parseLabelMatch('logs')], excludeLabels: [parseLabelMatch('noisy=yes')] });
    expect(s.reason(info('a', 'x', { team: 'pay' }))).toBeUndefined();
    expect(s.reason(info('a', 'x', { logs: '' }))).toBeUndefined();
    expect(s.reason(info('a', 'x', { team: 'web' }))).toBe('no included label');
    expect(s.reason(info('a', 'x', { team: 'pay', noisy: 'yes' }))).toBe('excluded by label noisy=yes');
    expect(s.reason(info('a', 'x', { team: 'pay', noisy: 'no' }))).toBeUndefined();
  });

  it('names: globs over the name without its slash; exclusion wins', () => {
    const s = select({ includeNames: ['api-*', 'worker-?'], excludeNames: ['*-debug'] });
    expect(s.reason(info('api-1', 'x'))).toBeUndefined();
    expect(s.reason(info('worker-3', 'x'))).toBeUndefined();
    expect(s.reason(info('worker-13', 'x'))).toBe('name not included (worker-13)');
    expect(s.reason(info('api-debug', 'x'))).toBe('excluded by name (api-debug)');
  });

  it('images: a pattern without a tag ignores the tag; sha256: matches the image ID', () => {
    const s = select({ includeImages: ['nginx', 'registry.local:5000/team/*:1.*'] });
    expect(s.reason(info('a', 'nginx'))).toBeUndefined();
    expect(s.reason(info('a', 'nginx:1.25'))).toBeUndefined();
    expect(s.reason(info('a', 'nginx-exporter:1'))).toBe('image not included (nginx-exporter:1)');
    expect(s.reason(info('a', 'registry.local:5000/team/api:1.2'))).toBeUndefined();
    expect(s.reason(info('a', 'registry.local:5000/team/api:2.0'))).toBe('image not included (registry.local:5000/team/api:2.0)');
    expect(select({ excludeImages: ['sha256:abab'] }).reason(info('a', 'whatever'))).toBe('excluded by image (whatever)');
    expect(select({ includeImages: ['nginx:1.25'] }).reason(info('a', 'nginx'))).toBe('image not included (nginx)');
  });

  it('kinds combine: every kind given must match', () => {
    const s = select({ includeLabels: [parseLabelMatch('team')], includeNames: ['api-*'] });
    expect(s.reason(info('api-1', 'x', { team: 'a' }))).toBeUndefined();
    expect(s.reason(info('db-1', 'x', { team: 'a' }))).toBe('name not included (db-1)');
    expect(s.reason(info('api-1', 'x'))).toBe('no included label');
  });

  it('globs: classes, negation, and regex characters taken literally', () => {
    expect(globToRegExp('a[bc]d').test('acd')).toBe(true);
    expect(globToRegExp('a[!bc]d').test('acd')).toBe(false);
    expect(globToRegExp('a[!bc]d').test('aed')).toBe(true);
    expect(globToRegExp('v1.2+x').test('v1.2+x')).toBe(true);
    expect(globToRegExp('v1.2+x').test('v1x2+x')).toBe(false);
    expect(globToRegExp('a[').test('a[')).toBe(true);
  });
});
