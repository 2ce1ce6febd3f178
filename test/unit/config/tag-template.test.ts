import { describe, expect, it } from 'vitest';

import { compileTag, renderTag } from '../../../src/config/tag-template.js';
import { containerInfo, type ContainerInfo } from '../../helpers/container-info.js';
import { errorOf } from '../../helpers/errors.js';

// The container of the spec's observed tag example (§5.2).
const T1 = containerInfo({
  Config: { tag: 'x', env: 'E1' },
  ContainerID: 'f43adb1e3c25d8b5e6e6a8aa1d5a2f1ef4fbd6b6a6cfe2b7f2e6f0a0c1b2c3d4',
  ContainerName: '/t1',
  ContainerArgs: ['-c', 'echo x'],
  ContainerImageID: 'sha256:ae2bddd7390b0a4cfdc0f0c757af510792301ab4d5e3b8420930998a57b8a5e5',
  ContainerImageName: 'bb:latest',
  ContainerCreated: '2026-11-28T20:01:23.567244869Z',
  ContainerEnv: ['E1=x1'],
  ContainerLabels: { a: 'b' },
});

const render = (template: string, info: ContainerInfo = T1, hostname = 'vm'): string =>
  renderTag(compileTag(template), info, hostname);

describe('observed Docker 20.10 output', () => {
  it('renders the docs/docker-compat.md §5.2 example exactly', () => {
    const tag =
      '{{upper .Name}}|{{truncate .FullID 5}}|[{{pad .Name 1 2}}]|{{json .ContainerLabels}}|{{.Hostname}}|{{.Command}}|{{join (split .ImageName ":") "_"}}|{{title "hello world"}}';
    expect(render(tag)).toBe('T1|f43ad|[ t1  ]|{"a":"b"}|vm|sh -c echo x|bb_latest|Hello World');
  });

  it('renders the json-file attrs tag of docs/docker-compat.md §6.2', () => {
    const info = { ...T1, ContainerName: '/j1', ContainerID: '3589aa8d6795' + 'a'.repeat(52) };
    expect(render('{{.Name}}/{{.ID}}/{{.ImageID}}/{{.ImageName}}/{{.DaemonName}}', info)).toBe(
      'j1/3589aa8d6795/sha256:ae2bd/bb:latest/docker',
    );
  });
});

describe('fields and methods of logger.Info', () => {
  it.each([
    ['{{.ID}}', 'f43adb1e3c25'],
    ['{{.FullID}}', T1.ContainerID],
    ['{{.ContainerID}}', T1.ContainerID],
    ['{{.Name}}', 't1'],
    ['{{.ContainerName}}', '/t1'],
    ['{{.ImageID}}', 'sha256:ae2bd'],
    ['{{.ImageFullID}}', T1.ContainerImageID],
    ['{{.ImageName}}', 'bb:latest'],
    ['{{.DaemonName}}', 'docker'],
    ['{{.Command}}', 'sh -c echo x'],
    ['{{.ContainerEntrypoint}}', 'sh'],
    ['{{.ContainerArgs}}', '[-c echo x]'],
    ['{{.ContainerEnv}}', '[E1=x1]'],
    ['{{.ContainerLabels}}', 'map[a:b]'],
    ['{{.Config}}', 'map[env:E1 tag:x]'],
    ['{{.ContainerCreated}}', '2026-11-28 20:01:23.567244869 +0000 UTC'],
    ['[{{.LogPath}}]', '[]'],
    ['{{.ContainerLabels.a}}', 'b'],
    ['{{.ContainerLabels.missing}}', '<no value>'],
    ['{{.ContainerLabels.missing.deeper}}', '<no value>'],
    ['{{.Config.tag}}', 'x'],
  ])('%s → %s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('prints the whole Info like fmt does', () => {
    expect(render('{{.}}')).toBe(
      `{map[env:E1 tag:x] ${T1.ContainerID} /t1 sh [-c echo x] ${T1.ContainerImageID} bb:latest ` +
        '2026-11-28 20:01:23.567244869 +0000 UTC [E1=x1] map[a:b]  docker}',
    );
  });

  it('handles a container without environment, arguments or fractional creation time', () => {
    const info = { ...T1, ContainerEnv: null, ContainerArgs: [], ContainerCreated: '2026-11-28T20:01:23Z' };
    expect(render('{{.ContainerEnv}}|{{.Command}}|{{json .ContainerEnv}}|{{.ContainerCreated}}', info)).toBe(
      '[]|sh|null|2026-11-28 20:01:23 +0000 UTC',
    );
  });

  it('is compiled once and rendered per container', () => {
    const tag = compileTag('{{.Name}}@{{.Hostname}}');
    expect(renderTag(tag, T1, 'a')).toBe('t1@a');
    expect(renderTag(tag, { ...T1, ContainerName: '/other' }, 'b')).toBe('other@b');
  });
});

describe('functions', () => {
  it.each([
    ['{{json .}}', `{"Config":{"env":"E1","tag":"x"},"ContainerID":"${T1.ContainerID}","ContainerName":"/t1","ContainerEntrypoint":"sh","ContainerArgs":["-c","echo x"],"ContainerImageID":"${T1.ContainerImageID}","ContainerImageName":"bb:latest","ContainerCreated":"2026-11-28T20:01:23.567244869Z","ContainerEnv":["E1=x1"],"ContainerLabels":{"a":"b"},"LogPath":"","DaemonName":"docker"}`],
    ['{{json "<a&b>\\u2028\\t"}}', '"<a&b>\\u2028\\t"'],
    ['{{json .ContainerArgs}}', '["-c","echo x"]'],
    ['{{json 42}}', '42'],
    ['{{json .ContainerLabels.missing}}', 'null'],
    ['{{split "a,b,,c" ","}}', '[a b  c]'],
    ['{{split "héllo" ""}}', '[h é l l o]'],
    ['{{json (split "" ",")}}', '[""]'],
    ['{{json (split "" "")}}', '[]'],
    ['{{join .ContainerArgs "+"}}', '-c+echo x'],
    ['{{join .ContainerLabels.missing "+"}}', ''],
    ['{{title "hello-world foo_bar 1abc élan"}}', 'Hello-World Foo_bar 1abc Élan'],
    ['{{lower "ÀBC"}}|{{upper "straße"}}|{{upper "ǆ"}}', 'àbc|STRAßE|Ǆ'],
    ['[{{pad "" 3 3}}]', '[]'],
    ['[{{pad "x" 0 1}}]', '[x ]'],
    ['{{truncate "héllo" 2}}', 'h\ufffd'],
    ['{{truncate "abc" 3}}|{{truncate "abc" 10}}|{{truncate "abc" 0}}', 'abc|abc|'],
    ['{{index .ContainerLabels "a"}}|{{index .ContainerLabels "nope"}}|{{index .ContainerArgs 1}}|{{index "abc" 1}}', 'b||echo x|98'],
    ['{{index .Config "tag"}}', 'x'],
    ['{{len .Name}}|{{len "é"}}|{{len .ContainerArgs}}|{{len .ContainerLabels}}|{{len .ContainerEnv}}', '2|2|2|1|1'],
    ['{{printf "%s-%d-%q-%v" .Name 42 .Name .ContainerArgs}}', 't1-42-"t1"-[-c echo x]'],
    ['{{printf "%5s|%-5s|%05d|%.1s|%3d|%-4d|" "ab" "ab" -42 "xyz" 7 7}}', '   ab|ab   |-0042|x|  7|7   |'],
    ['{{printf "%v %q %v" .ContainerLabels .ContainerArgs .ContainerCreated}}', 'map[a:b] ["-c" "echo x"] 2026-11-28 20:01:23.567244869 +0000 UTC'],
    ['{{printf "%d|%s|%v %s|%q" .Name true true 1 65}}', "%!d(string=t1)|%!s(bool=true)|true %!s(int=1)|'A'"],
    ['{{printf "%s %s"  "a"}}|{{printf "x" 1 "y"}}|{{printf "100%%"}}|{{printf "%"}}', 'a %!s(MISSING)|x%!(EXTRA int=1, string=y)|100%|%!(NOVERB)'],
    ['{{printf "%s|%v" .ContainerLabels.missing .ContainerLabels.missing}}', '%!s(<nil>)|<nil>'],
    ['{{print 1 2 "a" "b" 3}}|{{println "a" 1}}', '1 2ab3|a 1\n'],
  ])('%s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('prints the pointer form of Info in printf', () => {
    expect(render('{{printf "%v" .}}').startsWith('&{map[env:E1 tag:x] ')).toBe(true);
  });
});

describe('syntax', () => {
  it.each([
    ['{{.Name | upper}}', 'T1'],
    ['{{.Name | printf "%s!" | upper}}', 'T1!'],
    ['{{"a:b" | split ":"}}', '[:]'], // the piped value is the last argument: split(":", "a:b")
    ['{{split "a:b" ":" | len}}', '2'],
    ['{{(.Name)}}', 't1'],
    ['{{upper (printf "%s-%s" .Name (lower "X"))}}', 'T1-X'],
    ['{{(.ContainerLabels).a}}', 'b'],
    ['{{ .Name }}', 't1'],
    ['{{.Name\n| upper}}', 'T1'],
    ['a  {{- .Name -}}  b', 'at1b'],
    ['a \n {{- .Name}} \n b', 'at1 \n b'],
    ['a {{.Name -}}\n\t b', 'a t1b'],
    ['a{{/* comment */}}b', 'ab'],
    ['a {{- /* comment */ -}} b', 'ab'],
    ['{{-3}}|{{+4}}|{{0}}', '-3|4|0'],
    ['{{"q\\"\\\\\\t\\x41\\101\\u00e9\\U0001F600"}}', 'q"\\\tAAé😀'],
    ['{{"\\xc3\\xa9"}}', 'é'],
    ['{{`raw \\n {{`}}', 'raw \\n {{'],
    ['{{true}} {{false}}', 'true false'],
    ['{{.Name |}}', 't1'],
    ['no actions }} {', 'no actions }} {'],
    ['', ''],
  ])('%j', (template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe('compile errors (Go text/template wording)', () => {
  it.each([
    ['{{.Name', 'template: log-tag:1: unclosed action'],
    ['x\n{{.Name\n', 'template: log-tag:3: unclosed action started at log-tag:2'],
    ['{{.Name}', 'template: log-tag:1: unexpected "}" in operand'],
    ['{{.Name}x}}', 'template: log-tag:1: unexpected "}" in operand'],
    ['{{.Na-me}}', "template: log-tag:1: bad character U+002D '-'"],
    ['{{}}', 'template: log-tag:1: missing value for command'],
    ['{{()}}', 'template: log-tag:1: missing value for parenthesized pipeline'],
    ['{{nope .Name}}', 'template: log-tag:1: function "nope" not defined'],
    ['{{end}}', 'template: log-tag:1: unexpected {{end}}'],
    ['{{else}}', 'template: log-tag:1: unexpected {{else}}'],
    ['{{.Name | "x"}}', 'template: log-tag:1: non executable command in pipeline stage 2'],
    ['{{(.Name}}', 'template: log-tag:1: unclosed left paren'],
    ['{{.Name)}}', "template: log-tag:1: unexpected right paren U+0029 ')'"],
    ['{{"abc}}', 'template: log-tag:1: unterminated quoted string'],
    ['{{`abc}}', 'template: log-tag:1: unterminated raw quoted string'],
    ['{{"\\q"}}', 'template: log-tag:1: invalid syntax'],
    ['{{"\\\'"}}', 'template: log-tag:1: invalid syntax'],
    ['{{/* x', 'template: log-tag:1: unclosed comment'],
    ['{{/* x */ }}', 'template: log-tag:1: comment ends before closing delimiter'],
    ['{{.Name ,}}', 'template: log-tag:1: unexpected "," in operand'],
    ['{{| upper}}', 'template: log-tag:1: unexpected "|" in command'],
    ['{{.Name := 1}}', 'template: log-tag:1: unexpected ":=" in operand'],
    ['{{"x".Y}}', 'template: log-tag:1: unexpected . after term "\\"x\\""'],
    ['{{ - }}', 'template: log-tag:1: illegal number syntax: "-"'],
    ['{{.Name "abcdefghijkl" ;}}', 'template: log-tag:1: unexpected ";" in operand'],
    ['{{.Name end}}', 'template: log-tag:1: unexpected <end> in operand'],
    ['{{\u0001}}', 'template: log-tag:1: unrecognized character in action: U+0001'],
  ])('%j', (template, message) => {
    const e = errorOf(() => compileTag(template));
    expect(e.code).toBe('TSLOGS_TEMPLATE');
    expect(e.message).toBe(message);
  });

  it.each([
    ['{{if .Name}}x{{end}}', '{{if}}'],
    ['{{range .ContainerArgs}}{{.}}{{end}}', '{{range}}'],
    ['{{with .Name}}{{.}}{{end}}', '{{with}}'],
    ['{{define "x"}}{{end}}', '{{define}}'],
    ['{{template "x"}}', '{{template}}'],
    ['{{block "x" .}}{{end}}', '{{block}}'],
    ['{{$x := .Name}}', 'the variable $x'],
    ['{{upper $}}', 'the variable $'],
    ["{{printf \"%c\" 'a'}}", "the character constant 'a'"],
    ['{{eq .Name "t1"}}', 'the eq function'],
    ['\n{{urlquery .Name}}', 'the urlquery function'],
    ['{{pad .Name 1.5 0}}', 'the number 1.5 (only decimal integers are)'],
    ['{{truncate .Name 0x10}}', 'the number 0x10 (only decimal integers are)'],
    ['{{truncate .Name 010}}', 'the number 010 (only decimal integers are)'],
  ])('rejects %j as unsupported', (template, construct) => {
    const e = errorOf(() => compileTag(template));
    expect(e.code).toBe('TSLOGS_TEMPLATE_UNSUPPORTED');
    const line = template.startsWith('\n') ? 2 : 1;
    expect(e.message).toBe(`template: log-tag:${line}: ${construct} is not supported in tslogs tag templates`);
  });
});

describe('execution errors (Go text/template wording)', () => {
  it.each([
    ['{{.Nope}}', '1:2', '.Nope', "can't evaluate field Nope in type *logger.Info"],
    ['ab\ncd{{.Nope}}', '2:4', '.Nope', "can't evaluate field Nope in type *logger.Info"],
    ['é{{.Nope}}', '1:4', '.Nope', "can't evaluate field Nope in type *logger.Info"],
    // Go positions a multi-field chain at its second field.
    ['{{.Nope.X}}', '1:7', '.Nope.X', "can't evaluate field Nope in type *logger.Info"],
    ['{{.Name.Foo}}', '1:7', '.Name.Foo', "can't evaluate field Foo in type string"],
    ['{{.ContainerArgs.Foo}}', '1:16', '.ContainerArgs.Foo', "can't evaluate field Foo in type []string"],
    ['{{.ID "x"}}', '1:2', '.ID', 'wrong number of args for ID: want 0 got 1'],
    ['{{.Name | .ID}}', '1:10', '.ID', 'wrong number of args for ID: want 0 got 1'],
    ['{{.ContainerID "x"}}', '1:2', '.ContainerID', 'ContainerID has arguments but cannot be invoked as function'],
    ['{{.ContainerLabels.a 1}}', '1:18', '.ContainerLabels.a', 'a is not a method but has arguments'],
    ['{{upper}}', '1:2', 'upper', 'wrong number of args for upper: want 1 got 0'],
    ['{{upper .Name .Name}}', '1:2', 'upper', 'wrong number of args for upper: want 1 got 2'],
    ['{{printf}}', '1:2', 'printf', 'wrong number of args for printf: want at least 1 got 0'],
    ['{{upper 1}}', '1:8', '1', 'expected string; found 1'],
    ['{{pad .Name "1" 2}}', '1:12', '"1"', 'expected integer; found "1"'],
    ['{{join "a" ","}}', '1:7', '"a"', 'can\'t handle "a" for arg of type []string'],
    ['{{join .Name ","}}', '1:7', '.Name', 'wrong type for value; expected []string; got string'],
    ['{{upper .ContainerLabels.zz}}', '1:24', '.ContainerLabels.zz', 'invalid value; expected string'],
    ['{{upper nil}}', '1:8', 'nil', 'cannot assign nil to string'],
    ['{{nil}}', '1:2', 'nil', 'nil is not a command'],
    ['{{"x" 1}}', '1:2', '"x"', 'can\'t give argument to non-function "x"'],
    ['{{truncate .Name -1}}', '1:2', 'truncate .Name -1', 'error calling truncate: runtime error: slice bounds out of range [:-1]'],
    ['{{pad .Name -1 0}}', '1:2', 'pad .Name -1 0', 'error calling pad: strings: negative Repeat count'],
    ['{{index .ContainerArgs 5}}', '1:2', 'index .ContainerArgs 5', 'error calling index: index out of range: 5'],
    ['{{index .ContainerArgs 2}}', '1:2', 'index .ContainerArgs 2', 'error calling index: reflect: slice index out of range'],
    ['{{index .ContainerLabels 1}}', '1:2', 'index .ContainerLabels 1', 'error calling index: value has type int; should be string'],
    ['{{index . "a"}}', '1:2', 'index . "a"', "error calling index: can't index item of type logger.Info"],
    ['{{index .ContainerLabels.zz "a"}}', '1:2', 'index .ContainerLabels.zz "a"', 'error calling index: index of untyped nil'],
    ['{{len 3}}', '1:2', 'len 3', 'error calling len: len of type int'],
    ['{{.ContainerCreated.Unix}}', '1:19', '.ContainerCreated.Unix', 'time.Time methods such as Unix are not supported in tslogs tag templates'],
    ['{{printf "%x" 1}}', '1:2', 'printf "%x" 1', 'error calling printf: %x is not supported in tslogs tag templates (use %v %s %d %q with -, 0, width, precision)'],
    ['{{upper (lower)}}', '1:9', 'lower', 'wrong number of args for lower: want 1 got 0'],
  ])('%j', (template, location, context, detail) => {
    const tag = compileTag(template);
    const e = errorOf(() => renderTag(tag, T1, 'vm'));
    expect(e.code).toBe('TSLOGS_TEMPLATE');
    expect(e.message).toBe(`template: log-tag:${location}: executing "log-tag" at <${context}>: ${detail}`);
  });

  it('reports the short ID slice panic for a malformed container ID', () => {
    const e = errorOf(() => render('{{.ID}}', { ...T1, ContainerID: 'abc' }));
    expect(e.message).toBe(
      'template: log-tag:1:2: executing "log-tag" at <.ID>: error calling ID: runtime error: slice bounds out of range [:12] with length 3',
    );
  });
});
