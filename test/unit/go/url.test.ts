import { describe, expect, it } from 'vitest';
import { GoUrlError, isTransportUrl, parseGoUrl } from '../../../src/go/url.js';

/** The text Go's url.Parse returns, or the parts it keeps. */
function parse(raw: string): string | { scheme: string; opaque: string; host: string; path: string; rawQuery: string; fragment: string } {
  try {
    return parseGoUrl(raw);
  } catch (e) {
    if (e instanceof GoUrlError) return e.message;
    throw e;
  }
}

describe('parseGoUrl: net/url.Parse of Go 1.19', () => {
  it('returns the parts Docker reads, host and path unescaped', () => {
    expect(parse('TCP://u:p@h%C3%A9:514/a%20b?x=1#f%21')).toEqual({
      scheme: 'tcp', opaque: '', host: 'hé:514', path: '/a b', rawQuery: 'x=1', fragment: 'f!',
    });
    expect(parse('unix:///run/x.sock')).toMatchObject({ host: '', path: '/run/x.sock' });
  });

  it.each([
    ['tcp://ho st', 'parse "tcp://ho st": invalid character " " in host name'],
    // Only a bad fragment makes Go name the whole input.
    ['tcp://ho st#x', 'parse "tcp://ho st": invalid character " " in host name'],
    ['tcp://host#%zz', 'parse "tcp://host#%zz": invalid URL escape "%zz"'],
    ['tcp://h:1x', 'parse "tcp://h:1x": invalid port ":1x" after host'],
    ['tcp://[::1', 'parse "tcp://[::1": missing \']\' in host'],
    ['tcp://a b@h', 'parse "tcp://a b@h": net/url: invalid userinfo'],
    ['tcp://h%41', 'parse "tcp://h%41": invalid URL escape "%41"'],
    ['http://h\n', 'parse "http://h\\n": net/url: invalid control character in URL'],
    [':x', 'parse ":x": missing protocol scheme'],
    ['1a:b', 'parse "1a:b": first path segment in URL cannot contain colon'],
    // Go cuts the escape after 3 bytes, not characters; a cut character is quoted as bytes.
    ['tcp://h/%éx', 'parse "tcp://h/%éx": invalid URL escape "%é"'],
    ['tcp://h/%€', 'parse "tcp://h/%€": invalid URL escape "%\\xe2\\x82"'],
  ])('refuses %j with Go\'s text', (raw, text) => {
    expect(parse(raw)).toBe(text);
  });

  it('applies the zone rules after %25 in an IPv6 literal', () => {
    expect(parse('tcp://[fe80::1%25en%41]:514')).toMatchObject({ host: '[fe80::1%enA]:514' });
    expect(parse('tcp://[fe80::1%25%2F]:514')).toBe('parse "tcp://[fe80::1%25%2F]:514": invalid URL escape "%2F"');
  });

  it('leaves a rootless path after a scheme opaque, unchecked', () => {
    expect(parse('http:%zz')).toMatchObject({ scheme: 'http', opaque: '%zz', host: '', path: '' });
  });
});

describe('isTransportUrl: pkg/urlutil', () => {
  it('checks the scheme prefixes case-sensitively', () => {
    expect(['tcp://h', 'tcp+tls://h', 'udp://h', 'unix:///s', 'unixgram:///s'].every(isTransportUrl)).toBe(true);
    expect(['TCP://h', 'http://h', 'tcp:h', 'tls://h'].some(isTransportUrl)).toBe(false);
  });
});
