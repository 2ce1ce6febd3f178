import { describe, expect, it } from 'vitest';
import { javaContinues, nodeErrorLine } from '../../../../src/router/transforms/multiline-rules.js';
import { GO_PANIC, JAVA_TRACE, NODE_ERROR_WITH_CAUSE, NODE_TYPE_ERROR, PYTHON_TRACE } from '../../../helpers/traces.js';
import { joined, stage } from './multiline-helpers.js';

// Each preset on traces the runtimes printed (test/helpers/traces.ts), among plain lines.

describe('multiline=java', () => {
  it('joins an exception with its "Caused by:" sections and "... N more" into one event', () => {
    const s = stage({ multiline: 'java' });
    s.push(['starting', ...JAVA_TRACE, 'stopped']);
    // Every line waits for the next: only it says whether the event goes on.
    expect(s.texts()).toEqual(['starting', joined(JAVA_TRACE)]);
    s.ml.end();
    expect(s.texts()).toEqual(['starting', joined(JAVA_TRACE), 'stopped']);
    expect(s.stats).toEqual({ multilineEvents: 1, multilineLines: 9 });
  });

  it('gives the event the time of its first line', () => {
    const s = stage({ multiline: 'java' });
    s.push(JAVA_TRACE, { gapMs: 10 });
    s.ml.end();
    expect(s.out.got).toHaveLength(1);
    expect([s.out.got[0]!.sec, s.out.got[0]!.nsec]).toEqual([1_795_896_100, 10e6]);
  });

  it.each([
    ['\tat Main.main(Main.java:6)', true],
    ['    at x', true],
    ['Caused by: java.io.IOException', true],
    ['\t... 3 more', true],
    ['... 3 more', true],
    ['\t... 12 common frames omitted', true],
    ['... 12 common frames omitted', true],
    ['... more', false],
    ['... 3 more lines', false],
    ['Caused: x', false],
    ['', false],
    ['2024-05-01 INFO started', false],
  ])('%j continues an event: %s', (line, continues) => {
    expect(javaContinues(Buffer.from(line))).toBe(continues);
  });
});

describe('multiline=python', () => {
  it('joins a chained traceback ("direct cause", then "during handling") into one event; plain lines pass at once', () => {
    const s = stage({ multiline: 'python' });
    s.push(['request 1 ok']);
    expect(s.texts()).toEqual(['request 1 ok']);
    s.push(PYTHON_TRACE);
    expect(s.texts()).toEqual(['request 1 ok']);
    s.push(['request 2 ok']);
    expect(s.texts()).toEqual(['request 1 ok', joined(PYTHON_TRACE), 'request 2 ok']);
    expect(s.stats).toEqual({ multilineEvents: 1, multilineLines: PYTHON_TRACE.length });
    expect(PYTHON_TRACE.filter((l) => l.startsWith('Traceback'))).toHaveLength(3);
  });

  it('keeps blank lines after a traceback that no chained one follows as lines of their own', () => {
    const s = stage({ multiline: 'python' });
    const tb = PYTHON_TRACE.slice(0, 8);
    expect(tb.at(-1)).toBe("ValueError: invalid literal for int() with base 10: 'eighty'");
    s.push([...tb, '', '', 'next']);
    expect(s.texts()).toEqual([joined(tb), '', '', 'next']);
  });

  it('ends a traceback at a new one that has no exception line (a cut-off trace)', () => {
    const s = stage({ multiline: 'python' });
    s.push(['Traceback (most recent call last):', '  File "a.py", line 1', ...PYTHON_TRACE.slice(0, 8), 'after']);
    expect(s.texts()).toEqual([joined(['Traceback (most recent call last):', '  File "a.py", line 1']), joined(PYTHON_TRACE.slice(0, 8)), 'after']);
  });
});

describe('multiline=go', () => {
  it('joins a panic and both goroutine blocks, the blank lines between them included', () => {
    const s = stage({ multiline: 'go' });
    s.push(['listening on :8080', ...GO_PANIC, 'restarting']);
    expect(s.texts()).toEqual(['listening on :8080', joined(GO_PANIC), 'restarting']);
    expect(GO_PANIC.filter((l) => l.startsWith('goroutine '))).toEqual(['goroutine 5 [running]:', 'goroutine 1 [sleep]:']);
  });

  it('joins a nil dereference with its [signal …] line, and leaves a trailing blank line alone', () => {
    const trace = [
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47f0a6]',
      '',
      'goroutine 1 [running]:',
      'main.(*Server).handle(0x0, {0x4c3b20, 0xc00001c0a0})',
      '\t/app/server.go:31 +0x26',
      'main.main()',
      '\t/app/main.go:12 +0x3c',
    ];
    const s = stage({ multiline: 'go' });
    s.push([...trace, '', 'exit']);
    expect(s.texts()).toEqual([joined(trace), '', 'exit']);
  });

  it("joins net/http's log of a recovered handler panic, which goes on logging after it", () => {
    const trace = [
      '2024/05/01 12:00:00 http: panic serving 127.0.0.1:51234: boom',
      'goroutine 7 [running]:',
      'net/http.(*conn).serve.func1()',
      '\t/usr/lib/go-1.19/src/net/http/server.go:1850 +0xbf',
      'panic({0x6282e0, 0x71c1f0})',
      '\t/usr/lib/go-1.19/src/runtime/panic.go:890 +0x262',
      'created by net/http.(*Server).Serve',
      '\t/usr/lib/go-1.19/src/net/http/server.go:3102 +0x4db',
    ];
    const s = stage({ multiline: 'go' });
    s.push([...trace, '2024/05/01 12:00:01 GET /health 200']);
    expect(s.texts()).toEqual([joined(trace), '2024/05/01 12:00:01 GET /health 200']);
  });
});

describe('multiline=node', () => {
  it('joins an error with its cause and properties, complete at the closing brace', () => {
    const s = stage({ multiline: 'node' });
    s.push(NODE_ERROR_WITH_CAUSE);
    expect(NODE_ERROR_WITH_CAUSE.at(-1)).toBe('}');
    // The brace completes it: no need to wait for the next line.
    expect(s.texts()).toEqual([joined(NODE_ERROR_WITH_CAUSE)]);
  });

  it('joins an error line and its frames; an error line without frames is a line of its own', () => {
    const s = stage({ multiline: 'node' });
    s.push(['Error: retrying in 5s', 'GET /a 200', ...NODE_TYPE_ERROR, 'GET /b 200']);
    expect(s.texts()).toEqual(['Error: retrying in 5s', 'GET /a 200', joined(NODE_TYPE_ERROR), 'GET /b 200']);
  });

  it.each([
    ['Error: boom', true],
    ['Error', true],
    ["TypeError: Cannot read properties of undefined (reading 'id')", true],
    ['Error [ERR_HTTP_HEADERS_SENT]: Cannot set headers after they are sent', true],
    ['Uncaught Error: x', true],
    ['DOMException: aborted', true],
    ['AbortError: The operation was aborted', true],
    ['Errors: 3', false],
    ['An Error: x', false],
    ['ErrorHandler installed', false],
    ['', false],
  ])('%j is an error line: %s', (line, isError) => {
    expect(nodeErrorLine(Buffer.from(line))).toBe(isError);
  });
});

describe('several presets', () => {
  it('multiline=python,java joins a Java trace and a Python trace among plain lines, each into one event', () => {
    const s = stage({ multiline: 'python,java' });
    s.push(['boot', ...JAVA_TRACE, 'between', ...PYTHON_TRACE, 'done']);
    s.ml.end();
    expect(s.texts()).toEqual(['boot', joined(JAVA_TRACE), 'between', joined(PYTHON_TRACE), 'done']);
    expect(s.stats).toEqual({ multilineEvents: 2, multilineLines: JAVA_TRACE.length + PYTHON_TRACE.length });
  });

  it('multiline=go,node,python: each trace is one event and plain lines are not held', () => {
    const s = stage({ multiline: 'go,node,python' });
    s.push(['a', ...GO_PANIC, 'b', ...NODE_ERROR_WITH_CAUSE, 'c', ...PYTHON_TRACE, 'd']);
    expect(s.texts()).toEqual(['a', joined(GO_PANIC), 'b', joined(NODE_ERROR_WITH_CAUSE), 'c', joined(PYTHON_TRACE), 'd']);
  });
});

describe('multiline-start', () => {
  it('begins an event at each line the expression matches; the others continue it', () => {
    const s = stage({ 'multiline-start': String.raw`^\d{4}-\d{2}-\d{2} ` });
    s.push(['  orphan', '2024-05-01 12:00:00 ERROR failed:', '  detail 1', 'detail 2', '2024-05-01 12:00:01 INFO ok']);
    s.ml.end();
    expect(s.texts()).toEqual(['  orphan', joined(['2024-05-01 12:00:00 ERROR failed:', '  detail 1', 'detail 2']), '2024-05-01 12:00:01 INFO ok']);
  });
});
