// `--log-driver tslogs` as a drop-in for json-file, beyond one-shot reads (the workloads
// are in json-file-compat.test.ts): `docker logs -f` across more than 30 s (docs/docker-compat.md §4.1),
// rotation and compression (§6.6, §6.7), `docker logs` and `docker start` on a stopped
// container (§4.9), and option errors at `docker run` (§5.1, §6.4). Each case runs the
// same container under json-file and tslogs and compares the two.
import { afterAll, describe, it } from 'vitest';
import {
  BB_IMAGE,
  cleanupContainers,
  docker,
  dockerLogs,
  dockerOk,
  followLogs,
  runOutcome,
  uniqueName,
  waitContainer,
  waitFor,
  type DockerProcess,
  type DockerResult,
} from './helpers/docker.js';
import { ticker } from './helpers/workloads.js';
import {
  byteDiff,
  countLines,
  driverName,
  flagsFor,
  maskTimes,
  parseEntries,
  readStore,
  readStoreFiles,
  render,
  runWith,
  storeFileNames,
  waitForStoreLines,
  type DriverKind,
  type DriverRun,
  type ReadSpec,
} from './helpers/compat.js';

afterAll(cleanupContainers);

const KINDS: readonly DriverKind[] = ['json-file', 'tslogs'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function lineRange(from: number, to: number, fmt: (i: number) => string): Buffer {
  const parts: string[] = [];
  for (let i = from; i <= to; i++) parts.push(`${fmt(i)}\n`);
  return Buffer.from(parts.join(''));
}

/** Resolves with the client's result, or kills it and rejects when it does not end in time. */
async function endsWithin(p: DockerProcess, ms: number, what: string): Promise<DockerResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void p.stop('SIGKILL');
      reject(new Error(`${what} did not end within ${ms} ms after the container exited; stdout so far: ${p.stdout().length} bytes, stderr: ${p.stderr().toString()}`));
    }, ms);
  });
  try {
    return await Promise.race([p.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lines in a store once the count has stopped changing (a paused container writes nothing). */
async function stableLineCount(file: string): Promise<number> {
  let prev = -1;
  return waitFor(
    async () => {
      const n = countLines(await readStore(file));
      const stable = n === prev;
      prev = n;
      return stable ? n : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 400, what: `a stable line count in ${file}` },
  );
}

describe.concurrent('json-file compatibility over a container lifecycle', () => {
  it('docker logs -f and -f --tail 2 stay open past 30 s, end at container exit, every line once and in order', async ({ expect: ex }) => {
    const COUNT = 45;
    const w = ticker(COUNT, 1);
    const side = async (kind: DriverKind) => {
      const run = await runWith(kind, { cmd: w.cmd, detach: true, name: uniqueName(`compat-follow-${kind}`), logOpts: { labels: 'l' }, labels: { l: 'v' } });
      await waitFor(async () => countLines(await readStore(run.file)) >= 3, { timeoutMs: 30_000, what: `3 lines in ${run.file}` });
      const started = Date.now();
      const all = followLogs(run.id);
      await all.waitForStdout((b) => countLines(b) >= 3, 30_000);
      // Pause so that the history `--tail 2` starts from is known exactly.
      await dockerOk(['pause', run.id]);
      await sleep(1_000);
      const n = await stableLineCount(run.file);
      const tail2 = followLogs(run.id, ['--tail', '2']);
      await tail2.waitForStdout((b) => countLines(b) >= 2, 30_000);
      await sleep(300);
      const tail2History = tail2.stdout();
      await dockerOk(['unpause', run.id]);
      const exitCode = await waitContainer(run.id);
      const [allResult, tail2Result] = await Promise.all([
        endsWithin(all, 20_000, `docker logs -f (${kind})`),
        endsWithin(tail2, 20_000, `docker logs -f --tail 2 (${kind})`),
      ]);
      return { kind, n, exitCode, allResult, tail2Result, tail2History, followedMs: Date.now() - started };
    };
    const [json, ts] = await Promise.all(KINDS.map(side));
    for (const r of [json!, ts!]) {
      ex(r.exitCode, `${r.kind} container exit code`).toBe(0);
      ex(r.followedMs, `${r.kind}: docker logs -f ran for`).toBeGreaterThan(30_000);
      for (const [what, res] of [['-f', r.allResult], ['-f --tail 2', r.tail2Result]] as const) {
        ex(res.code, `${r.kind} docker logs ${what} exit code`).toBe(0);
        ex(res.stderr.toString(), `${r.kind} docker logs ${what} stderr`).toBe('');
      }
      ex(byteDiff(r.allResult.stdout, w.stdout), `${r.kind} docker logs -f`).toBeUndefined();
      ex(r.n, `${r.kind}: lines before --tail 2 started`).toBeGreaterThanOrEqual(3);
      ex(byteDiff(r.tail2History, lineRange(r.n - 1, r.n, (i) => `tick ${i}`)), `${r.kind} -f --tail 2 history`).toBeUndefined();
      ex(byteDiff(r.tail2Result.stdout, lineRange(r.n - 1, COUNT, (i) => `tick ${i}`)), `${r.kind} docker logs -f --tail 2`).toBeUndefined();
    }
    ex(byteDiff(ts!.allResult.stdout, json!.allResult.stdout), 'tslogs -f vs json-file -f').toBeUndefined();
    if (ts!.n === json!.n) ex(byteDiff(ts!.tail2Result.stdout, json!.tail2Result.stdout), 'tslogs -f --tail 2 vs json-file').toBeUndefined();
  }, 180_000);

  // 200 lines of 24 bytes: 95-byte entries (94 when the time ends in 0), so a file rotates
  // after 11 entries with a margin of ~40 bytes on both sides of max-size=1k: the
  // rotation points cannot depend on the width of `time`, and both drivers keep the same lines.
  const ROT_COUNT = 200;
  const rotationCmd = `i=1; while [ $i -le ${ROT_COUNT} ]; do printf 'rotation line %03d xxxxxx\\n' $i; i=$((i+1)); done`;
  const rotationOut = lineRange(1, ROT_COUNT, (i) => `rotation line ${String(i).padStart(3, '0')} xxxxxx`);

  const ROTATIONS: Array<Record<string, string>> = [
    { 'max-size': '1k', 'max-file': '3' },
    { 'max-size': '1k', 'max-file': '3', compress: 'true' },
    { 'max-size': '1k' }, // max-file=1: only the current file is read
  ];
  for (const opts of ROTATIONS) {
    const compress = opts.compress === 'true';
    const maxFile = Number(opts['max-file'] ?? '1');
    const label = Object.entries(opts).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`rotation with ${label}: same files, same lines, same docker logs`, async ({ expect: ex }) => {
      const runs = await Promise.all(
        KINDS.map((kind) => runWith(kind, { cmd: rotationCmd, logOpts: opts, name: uniqueName(`compat-rot-${kind}`) })),
      );
      const base = (run: DriverRun): string => `${run.id}-json.log`;
      const expectedNames = (run: DriverRun): string[] => {
        const names = [base(run)];
        for (let i = 1; i < maxFile; i++) names.push(`${base(run)}.${i}${compress ? '.gz' : ''}`);
        return names.sort();
      };
      // With max-file=1 Docker 20.10 renames the full file to a never-read `.1`, tslogs
      // unlinks it (src/store/rotating-file.ts); only the files docker logs reads are compared.
      const readable = (names: string[], run: DriverRun): string[] => (maxFile === 1 ? names.filter((n) => n === base(run)) : names);
      // Wait for the last line and, with compress, for the background gzip of .1.
      for (const run of runs) {
        await waitFor(
          async () => {
            const names = readable(await storeFileNames(run.file), run);
            const files = (await readStoreFiles(run.file)).filter((f) => names.includes(f.name));
            const last = parseEntries(files[files.length - 1]?.content ?? Buffer.alloc(0)).pop();
            return JSON.stringify(names) === JSON.stringify(expectedNames(run)) && last?.log.toString() === `rotation line ${ROT_COUNT} xxxxxx\n`;
          },
          { timeoutMs: 60_000, intervalMs: 100, what: `${run.driver} files to settle` },
        ).catch(() => undefined); // the assertions below say what is wrong
      }
      const sides = await Promise.all(
        runs.map(async (run) => {
          const allNames = await storeFileNames(run.file);
          const names = readable(allNames, run);
          const files = (await readStoreFiles(run.file)).filter((f) => names.includes(f.name));
          const entries = parseEntries(Buffer.concat(files.map((f) => f.content)));
          return { run, allNames, names, files, entries };
        }),
      );
      for (const s of sides) {
        ex(s.run.exitCode, `${s.run.driver} exit code`).toBe(0);
        ex(s.names, `${s.run.driver} files on disk`).toEqual(expectedNames(s.run));
        if (maxFile === 1) {
          const extra = s.allNames.filter((n) => n !== base(s.run) && n !== `${base(s.run)}.1`);
          ex(extra, `${s.run.driver}: files beyond <id>-json.log and .1 with max-file unset (Docker's default max-file is 1)`).toEqual([]);
        }
        // Docker rotates before a write once the file has reached max-size (docs/docker-compat.md §6.6).
        for (const [i, f] of s.files.entries()) {
          const lines = parseEntries(f.content);
          const last = lines[lines.length - 1];
          const before = f.content.length - (last ? last.raw.length + 1 : 0);
          ex(before, `${s.run.driver} ${f.name}: bytes before its last entry`).toBeLessThan(1000);
          if (i < s.files.length - 1) ex(f.content.length, `${s.run.driver} ${f.name}: size of a rotated file`).toBeGreaterThanOrEqual(1000);
          if (f.gz !== undefined) {
            ex([...f.gz.subarray(0, 10)], `${s.run.driver} ${f.name}: gzip header`).toEqual([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff]);
            const xlen = f.gz.readUInt16LE(10);
            ex(f.gz.subarray(12, 12 + xlen).toString(), `${s.run.driver} ${f.name}: FEXTRA`).toBe(JSON.stringify({ lastTime: last?.time }));
          }
        }
      }
      const [json, ts] = sides as [(typeof sides)[0], (typeof sides)[0]];
      ex(json.entries.length, 'json-file entries kept').toBe(maxFile === 1 ? 2 : 24);
      // Same lines in the same files (time aside).
      ex(ts.files.map((f) => maskTimes(f.content)), 'tslogs files vs json-file files, time masked').toEqual(json.files.map((f) => maskTimes(f.content)));
      const specs: ReadSpec[] = [{}, { tail: 5 }, { tail: 30 }, { tail: 0 }];
      for (const spec of specs) {
        const [j, t] = await Promise.all(sides.map((s) => dockerLogs(s.run.id, flagsFor(spec), { timeoutMs: 60_000 })));
        const what = `docker logs ${flagsFor(spec).join(' ')}`;
        ex(j!.code, `json-file ${what}`).toBe(0);
        ex(t!.code, `tslogs ${what}: ${t!.stderr.toString()}`).toBe(0);
        ex(byteDiff(j!.stdout, render(json.entries, spec).stdout), `json-file ${what} vs its files (model check)`).toBeUndefined();
        ex(byteDiff(t!.stdout, render(ts.entries, spec).stdout), `tslogs ${what} vs its files`).toBeUndefined();
        ex(byteDiff(t!.stdout, j!.stdout), `tslogs ${what} vs json-file`).toBeUndefined();
        ex(t!.stderr.toString(), `tslogs ${what} stderr`).toBe('');
      }
      if (maxFile > 1) {
        // --since from the 3rd entry of `.1[.gz]`. Uncompressed: same output. Compressed:
        // json-file 20.10 stops scanning rotated files at the first .gz whose lastTime is
        // before --since, so it prints only the current file (docs/docker-compat.md §6.7, a Docker bug);
        // tslogs skips only that file and prints every matching entry.
        const sinceOf = (side: (typeof sides)[0]): ReadSpec => ({ since: parseEntries(side.files[1]!.content)[2]!.time });
        const [j, t] = await Promise.all(sides.map((s) => dockerLogs(s.run.id, flagsFor(sinceOf(s)), { timeoutMs: 60_000 })));
        const current = (side: (typeof sides)[0]): typeof side.entries => parseEntries(side.files[side.files.length - 1]!.content);
        const jsonExpected = compress ? render(current(json), sinceOf(json)) : render(json.entries, sinceOf(json));
        ex(byteDiff(j!.stdout, jsonExpected.stdout), 'json-file docker logs --since (model check)').toBeUndefined();
        ex(byteDiff(t!.stdout, render(ts.entries, sinceOf(ts)).stdout), 'tslogs docker logs --since vs its files').toBeUndefined();
        ex(countLines(t!.stdout), 'tslogs docker logs --since: lines').toBe(9 + 2); // .1 from its 3rd entry, then the current file
        if (!compress) ex(byteDiff(t!.stdout, j!.stdout), 'tslogs docker logs --since vs json-file').toBeUndefined();
      }
      const all = await dockerLogs(ts.run.id);
      ex(byteDiff(all.stdout, rotationOut.subarray(rotationOut.length - all.stdout.length)), 'tslogs docker logs is a suffix of the output').toBeUndefined();
    }, 180_000);
  }

  it('docker logs -f and -f --tail 0 started before the container printed anything wait for its output', async ({ expect: ex }) => {
    const cmd = 'sleep 3; echo hello; sleep 1; echo world';
    const sides = await Promise.all(
      KINDS.map(async (kind) => {
        const run = await runWith(kind, { cmd, detach: true, name: uniqueName(`compat-early-${kind}`) });
        const all = followLogs(run.id);
        const tail0 = followLogs(run.id, ['--tail', '0']);
        const exitCode = await waitContainer(run.id);
        const [a, t] = await Promise.all([endsWithin(all, 20_000, `docker logs -f (${kind})`), endsWithin(tail0, 20_000, `docker logs -f --tail 0 (${kind})`)]);
        return { kind, exitCode, a, t };
      }),
    );
    for (const s of sides) {
      ex(s.exitCode, `${s.kind} exit code`).toBe(0);
      for (const [what, r] of [['-f', s.a], ['-f --tail 0', s.t]] as const) {
        ex(r.code, `${s.kind} docker logs ${what}: exit code`).toBe(0);
        ex(r.stderr.toString(), `${s.kind} docker logs ${what}: stderr`).toBe('');
        ex(r.stdout.toString(), `${s.kind} docker logs ${what}: stdout`).toBe('hello\nworld\n');
      }
    }
  }, 60_000);

  it('docker logs on a stopped container: same output twice, store untouched; docker start appends', async ({ expect: ex }) => {
    const cmd = 'echo one; echo two; printf three';
    const [json, ts] = (await Promise.all(KINDS.map((kind) => runWith(kind, { cmd, name: uniqueName(`compat-stop-${kind}`) })))) as [DriverRun, DriverRun];
    await waitForStoreLines(ts.file, 3);
    const before = await readStore(ts.file);
    const namesBefore = await storeFileNames(ts.file);
    const first = await dockerLogs(ts.id);
    const second = await dockerLogs(ts.id);
    const fromJson = await dockerLogs(json.id);
    ex(byteDiff(first.stdout, Buffer.from('one\ntwo\nthree')), 'tslogs docker logs').toBeUndefined();
    ex(byteDiff(second.stdout, first.stdout), 'second docker logs vs first').toBeUndefined();
    ex(byteDiff(second.stderr, first.stderr), 'second docker logs stderr vs first').toBeUndefined();
    ex(byteDiff(first.stdout, fromJson.stdout), 'tslogs vs json-file').toBeUndefined();
    await sleep(500); // StopLogging of the reads and their FIFO EOF
    ex(byteDiff(await readStore(ts.file), before), 'tslogs store after two docker logs').toBeUndefined();
    ex(await storeFileNames(ts.file), 'tslogs files after two docker logs').toEqual(namesBefore);

    // docker start runs the command again; both runs stay in the store.
    await Promise.all([json, ts].map(async (r) => {
      await dockerOk(['start', r.id]);
      ex(await waitContainer(r.id), `${r.driver} second run exit code`).toBe(0);
    }));
    await waitForStoreLines(ts.file, 6);
    const after = await readStore(ts.file);
    ex(byteDiff(after.subarray(0, before.length), before), 'tslogs store: the first run is kept byte for byte').toBeUndefined();
    ex(maskTimes(after.subarray(before.length)), 'tslogs store: the second run appended').toBe(maskTimes(before));
    ex(maskTimes(after), 'tslogs store vs json-file store after docker start').toBe(maskTimes(await readStore(json.file)));
    const [j, t] = await Promise.all([dockerLogs(json.id), dockerLogs(ts.id)]);
    // The unterminated `three` of the first run is glued to the second run's first line, in both.
    ex(byteDiff(t.stdout, Buffer.from('one\ntwo\nthreeone\ntwo\nthree')), 'tslogs docker logs after docker start').toBeUndefined();
    ex(byteDiff(t.stdout, j.stdout), 'tslogs vs json-file after docker start').toBeUndefined();
  }, 120_000);

  // Option errors: json-file's own text (checked here against the real engine) must appear
  // in tslogs' error, which dockerd wraps as `error creating logger: …` for a plugin (§4.5).
  // Where json-file's text does not name the option, tslogs puts `log opt '<key>': ` before it.
  const BAD_OPTIONS: Array<{ opts: Record<string, string>; message: string; tslogsMessage?: string }> = [
    { opts: { 'max-size': 'abc' }, message: "invalid size: 'abc'", tslogsMessage: "log opt 'max-size': invalid size: 'abc'" },
    { opts: { 'max-size': '0' }, message: 'max-size must be a positive number' },
    { opts: { 'max-size': '-1' }, message: "invalid size: '-1'", tslogsMessage: "log opt 'max-size': invalid size: '-1'" },
    { opts: { 'max-size': '1.2.3k' }, message: 'strconv.ParseFloat: parsing "1.2.3": invalid syntax', tslogsMessage: `log opt 'max-size': strconv.ParseFloat: parsing "1.2.3": invalid syntax` },
    { opts: { bogus: '1' }, message: "unknown log opt 'bogus' for DRIVER log driver" },
    { opts: { 'max-file': '0' }, message: 'max-file cannot be less than 1' },
    { opts: { 'max-file': 'x' }, message: 'strconv.Atoi: parsing "x": invalid syntax', tslogsMessage: `log opt 'max-file': strconv.Atoi: parsing "x": invalid syntax` },
    { opts: { compress: 'yes' }, message: 'strconv.ParseBool: parsing "yes": invalid syntax', tslogsMessage: `log opt 'compress': strconv.ParseBool: parsing "yes": invalid syntax` },
    { opts: { compress: 'true', 'max-size': '1k', 'max-file': '1' }, message: 'compress cannot be true when max-file is less than 2 or max-size is not set' },
    { opts: { tag: '{{.Nope}}' }, message: 'template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info' },
    { opts: { tag: '{{' }, message: 'template: log-tag:1: unclosed action' },
  ];
  for (const { opts, message, tslogsMessage } of BAD_OPTIONS) {
    const label = Object.entries(opts).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`docker run --log-opt ${label} is refused with "${message}"`, async ({ expect: ex }) => {
      const failures = await Promise.all(
        KINDS.map(async (kind) => {
          return { kind, ...(await runOutcome({ driver: driverName(kind), logOpts: opts, cmd: 'true', name: uniqueName(`compat-bad-${kind}`) })) };
        }),
      );
      for (const f of failures) {
        // The plugin cannot know the name it was installed under (dockerd never says): it always names itself tslogs.
        const text = f.kind === 'json-file' ? message.replace('DRIVER', 'json-file') : (tslogsMessage ?? message).replace('DRIVER', 'tslogs');
        ex(f.code, `${f.kind}: docker run exit code`).toBe(125);
        ex(f.stderr, `${f.kind}: docker run error`).toContain(`Error response from daemon: `);
        ex(f.stderr, `${f.kind}: docker run error`).toContain(`${text}.`);
        if (f.kind === 'tslogs') {
          ex(f.stderr.split('\n')[0], 'tslogs: the whole error line').toBe(
            `docker: Error response from daemon: failed to initialize logging driver: error creating logger: ${text}.`,
          );
        }
      }
    }, 60_000);
  }

  it('docker run --log-opt labels-regex=( is refused with the regexp error', async ({ expect: ex }) => {
    const results = await Promise.all(
      KINDS.map((kind) => docker(['run', '-d', '--network', 'none', '--name', uniqueName(`compat-bad-${kind}`), '--log-driver', driverName(kind), '--log-opt', 'labels-regex=(', BB_IMAGE, 'true'])),
    );
    for (const [i, r] of results.entries()) {
      const id = r.stdout.toString().trim();
      if (id) await docker(['rm', '-f', id]);
      ex(r.code, `${KINDS[i]}: exit code`).toBe(125);
      // json-file: "error parsing regexp: missing closing ): `(`" (docs/docker-compat.md §5.3)
      ex(r.stderr.toString(), `${KINDS[i]}: error`).toContain('error parsing regexp');
      ex(r.stderr.toString(), `${KINDS[i]}: error`).toContain('missing closing ): `(`.');
    }
  }, 60_000);
});
