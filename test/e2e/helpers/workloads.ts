// Container workloads for the e2e tests, as commands for busybox sh (pass `cmd` to
// runContainer), each with the exact bytes the container writes.
//
//   stdout / stderr   what the container writes to each stream
//   jsonFileStdout    what `docker logs` prints for that container with the json-file
//                     driver: equal to stdout except that json-file replaces every byte
//                     that does not start a valid UTF-8 sequence with U+FFFD (docs/docker-compat.md §6.3)
//
// All of them were checked against Docker 20.10.24 with `--log-driver json-file` and
// `docker logs` (stdout and stderr compared byte for byte).

export interface Workload {
  name: string;
  description: string;
  /** Script for `sh -c` in tslogs-bb:latest. */
  cmd: string;
  stdout: Buffer;
  stderr: Buffer;
  /** `docker logs` stdout of the same container under json-file. */
  jsonFileStdout: Buffer;
}

const EMPTY = Buffer.alloc(0);

/**
 * json-file's rendering of invalid UTF-8 (Go utf8.DecodeRune rules): each byte that does
 * not start a valid sequence (bad lead byte, bad/missing continuation, overlong form,
 * surrogate, > U+10FFFF) becomes EF BF BD; valid sequences are kept.
 */
export function replaceInvalidUtf8PerByte(input: Buffer): Buffer {
  const out: number[] = [];
  const cont = (i: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = input[i];
    return b !== undefined && b >= lo && b <= hi;
  };
  let i = 0;
  while (i < input.length) {
    const b = input[i]!;
    let n = 0;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b <= 0xdf) n = cont(i + 1) ? 2 : 0;
    else if (b >= 0xe0 && b <= 0xef) {
      const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      n = cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      n = cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    if (n === 0) {
      out.push(0xef, 0xbf, 0xbd);
      i += 1;
    } else {
      for (let k = 0; k < n; k++) out.push(input[i + k]!);
      i += n;
    }
  }
  return Buffer.from(out);
}

/**
 * A raw line as tslogs' store hands it to sinks: each byte that is not valid UTF-8 is
 * 0xFF (the store keeps "an invalid byte", not the byte). Assumes the workload holds no
 * real U+FFFD, since replaceInvalidUtf8PerByte writes one per invalid byte.
 */
export function invalidBytesAsFF(line: Buffer): Buffer {
  const marked = replaceInvalidUtf8PerByte(line);
  const out: number[] = [];
  for (let i = 0; i < marked.length; i++) {
    if (marked[i] === 0xef && marked[i + 1] === 0xbf && marked[i + 2] === 0xbd) {
      out.push(0xff);
      i += 2;
    } else out.push(marked[i]!);
  }
  return Buffer.from(out);
}

/**
 * A busybox `printf` command that writes exactly `bytes`: printable ASCII is kept (except
 * ' \ %), every other byte becomes a 3-digit octal escape.
 */
export function printfCommand(bytes: Buffer, redirect = ''): string {
  let fmt = '';
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e && b !== 0x27 && b !== 0x5c && b !== 0x25) fmt += String.fromCharCode(b);
    else fmt += '\\' + b.toString(8).padStart(3, '0');
  }
  return `printf '${fmt}'${redirect}`;
}

function lines(from: number, to: number, fmt: (i: number) => string): Buffer {
  const parts: string[] = [];
  for (let i = from; i <= to; i++) parts.push(fmt(i), '\n');
  return Buffer.from(parts.join(''), 'latin1');
}

function stdoutOnly(name: string, description: string, cmd: string, stdout: Buffer): Workload {
  return { name, description, cmd, stdout, stderr: EMPTY, jsonFileStdout: replaceInvalidUtf8PerByte(stdout) };
}

/** 1000 short lines `line 1` … `line 1000`, one write each. */
export function shortLines(count = 1000): Workload {
  return stdoutOnly(
    `short-lines-${count}`,
    `${count} short lines, one echo (write) each`,
    `i=1; while [ $i -le ${count} ]; do echo "line $i"; i=$((i+1)); done`,
    lines(1, count, (i) => `line ${i}`),
  );
}

/** Empty lines at the start, in the middle and at the end. */
export function emptyLines(): Workload {
  const out = Buffer.from('\n\nafter two empty lines\n\n\nafter three\n\n', 'latin1');
  return stdoutOnly('empty-lines', 'empty lines at start, middle and end', printfCommand(out), out);
}

/** Output whose last line has no trailing newline. */
export function noTrailingNewline(): Workload {
  const out = Buffer.from('first line\nno-newline at the end', 'latin1');
  return stdoutOnly('no-trailing-newline', 'final line without \\n', printfCommand(out), out);
}

/** The repeating filler of long lines: 0123456789abcdef… truncated to n bytes. */
export function longLineContent(n: number): Buffer {
  const unit = Buffer.from('0123456789abcdef', 'latin1');
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += unit.length) unit.copy(b, i, 0, Math.min(unit.length, n - i));
  return b;
}

/** One line of n bytes (0123456789abcdef repeated) plus \n. 16384 is dockerd's split size. */
export function longLine(n: number): Workload {
  return stdoutOnly(
    `long-line-${n}`,
    `one line of ${n} bytes`,
    `yes 0123456789abcdef | tr -d '\\n' | head -c ${n}; echo`,
    Buffer.concat([longLineContent(n), Buffer.from('\n')]),
  );
}

/** The long-line sizes around dockerd's 16 KiB copier buffer, plus 40000 bytes. */
export const LONG_LINE_SIZES = [16383, 16384, 16385, 40000] as const;

/** One line of 1 MiB (+ \n). */
export function oneMebibyteLine(): Workload {
  const w = longLine(1024 * 1024);
  return { ...w, name: 'line-1mib' };
}

/** Bytes that need escaping or replacing: invalid UTF-8, ANSI escapes, CRLF, <>&, U+2028/9, NUL, quotes. */
export const TRICKY_BYTES: Buffer = Buffer.concat([
  Buffer.from('invalid: '), Buffer.from([0xff, 0xfe]),
  Buffer.from(' truncated: '), Buffer.from([0xe2, 0x82]),
  Buffer.from(' lone-cont: '), Buffer.from([0x80]),
  Buffer.from(' overlong: '), Buffer.from([0xc0, 0xaf]),
  Buffer.from(' surrogate: '), Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from(' end\n'),
  Buffer.from('ansi: \x1b[31mred\x1b[0m bell:\x07 tab:\t bs:\x08 del:\x7f\n', 'latin1'),
  Buffer.from('crlf line\r\n', 'latin1'),
  Buffer.from('html: <b>&amp;</b> "quoted" back\\slash \'single\' 100%\n', 'latin1'),
  Buffer.from('separators: \u2028 u2028 \u2029 u2029 emoji \u{1F600} e-acute \u00e9\n', 'utf8'),
  Buffer.from('nul:\x00:end\n', 'latin1'),
  Buffer.from('cr only\rmiddle\n', 'latin1'),
]);

export function trickyBytes(): Workload {
  return stdoutOnly(
    'tricky-bytes',
    'invalid UTF-8, ANSI escapes, CRLF, <>&, U+2028/U+2029, NUL, quotes (printf octal escapes)',
    printfCommand(TRICKY_BYTES),
    TRICKY_BYTES,
  );
}

/** stdout and stderr interleaved: `out i` on stdout and `err i` on stderr, alternately. */
export function interleaved(count = 500): Workload {
  const stdout = lines(0, count - 1, (i) => `out ${i}`);
  return {
    name: `interleaved-${count}`,
    description: `${count} lines on each of stdout and stderr, alternating`,
    cmd: `i=0; while [ $i -lt ${count} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`,
    stdout,
    stderr: lines(0, count - 1, (i) => `err ${i}`),
    jsonFileStdout: stdout,
  };
}

/** A burst of `seq 1 count` (default 200000 lines, block-buffered writes). */
/**
 * `seq 1 count`; with `lingerSeconds` the container then sleeps, which keeps a reference
 * driver from being cut off: dockerd gives a driver 10 s after the container exits to take
 * the copier's last lines, then closes it ("Logger didn't exit in time: logs may be
 * truncated"), and Docker's splunk driver, gzipping on a loaded machine, can need longer.
 */
export function burst(count = 200_000, lingerSeconds = 0): Workload {
  const cmd = lingerSeconds > 0 ? `seq 1 ${count}; sleep ${lingerSeconds}` : `seq 1 ${count}`;
  return stdoutOnly(`burst-${count}`, cmd, cmd, lines(1, count, (i) => String(i)));
}

/** `tick 1` … `tick count`, one every `seconds` (for follow tests; runs count*seconds s). */
export function ticker(count: number, seconds = 1): Workload {
  return stdoutOnly(
    `ticker-${count}x${seconds}s`,
    `${count} lines, one every ${seconds}s`,
    `i=1; while [ $i -le ${count} ]; do echo "tick $i"; sleep ${seconds}; i=$((i+1)); done`,
    lines(1, count, (i) => `tick ${i}`),
  );
}

/** Every workload of the issue, in a fixed order. */
export function allWorkloads(): Workload[] {
  return [
    shortLines(1000),
    emptyLines(),
    noTrailingNewline(),
    ...LONG_LINE_SIZES.map((n) => longLine(n)),
    oneMebibyteLine(),
    trickyBytes(),
    interleaved(),
    burst(),
  ];
}
