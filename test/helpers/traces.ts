// Stack traces as the runtimes print them, captured from real runs (paths made /app),
// for the multiline tests: Java 17 (javac + java, so frames in common are "... N more"),
// Python 3.11 (a chained traceback: `from e`, then an exception while handling it), Go 1.19
// (GOTRACEBACK=all: the panicking goroutine and one more), Node.js 20 (an error with a cause
// and properties, then a plain TypeError).

/** java Main: IllegalStateException caused by UncheckedIOException caused by ConnectException. */
export const JAVA_TRACE: readonly string[] = [
  'Exception in thread "main" java.lang.IllegalStateException: order 42 failed',
  '\tat Main.place(Main.java:5)',
  '\tat Main.main(Main.java:6)',
  'Caused by: java.io.UncheckedIOException: pool exhausted',
  '\tat Main.query(Main.java:4)',
  '\t... 2 more',
  'Caused by: java.net.ConnectException: Connection refused',
  '\tat Main.connect(Main.java:3)',
  '\t... 3 more',
];

/** ValueError → RuntimeError (from e) → KeyError during handling: three tracebacks, one event. */
export const PYTHON_TRACE: readonly string[] = [
  'Traceback (most recent call last):',
  '  File "/app/t.py", line 5, in load',
  '    return parse(cfg["port"])',
  '           ^^^^^^^^^^^^^^^^^^',
  '  File "/app/t.py", line 2, in parse',
  '    return int(s)',
  '           ^^^^^^',
  "ValueError: invalid literal for int() with base 10: 'eighty'",
  '',
  'The above exception was the direct cause of the following exception:',
  '',
  'Traceback (most recent call last):',
  '  File "/app/t.py", line 9, in <module>',
  '    load({"port": "eighty"})',
  '  File "/app/t.py", line 7, in load',
  '    raise RuntimeError("bad config") from e',
  'RuntimeError: bad config',
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/app/t.py", line 11, in <module>',
  '    {}["missing"]',
  '    ~~^^^^^^^^^^^',
  "KeyError: 'missing'",
];

/** An index out of range in a goroutine; goroutine 1 sleeping. */
export const GO_PANIC: readonly string[] = [
  'panic: runtime error: index out of range [5] with length 3',
  '',
  'goroutine 5 [running]:',
  'main.worker({0xc0000387b8?, 0x101000000000000?, 0x0?}, 0xc0000061a0?)',
  '\t/app/p.go:6 +0x45',
  'created by main.main',
  '\t/app/p.go:12 +0x6a',
  '',
  'goroutine 1 [sleep]:',
  'time.Sleep(0x5f5e100)',
  '\t/usr/lib/go-1.19/src/runtime/time.go:195 +0x135',
  'main.main()',
  '\t/app/p.go:13 +0x74',
];

/** console.error of an Error with a cause (ending in `}`). */
export const NODE_ERROR_WITH_CAUSE: readonly string[] = [
  'Error: config not loaded',
  '    at Object.<anonymous> (/app/e.js:2:45)',
  '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
  '    ... 4 lines matching cause stack trace ...',
  '    at node:internal/main/run_main_module:28:49 {',
  "  [cause]: Error: ENOENT: no such file or directory, open '/etc/app.json'",
  '      at read (/app/e.js:1:29)',
  '      at Object.<anonymous> (/app/e.js:2:7)',
  '      at Module._compile (node:internal/modules/cjs/loader:1521:14)',
  '      at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)',
  '      at Module.load (node:internal/modules/cjs/loader:1266:32)',
  '      at Module._load (node:internal/modules/cjs/loader:1091:12)',
  '      at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)',
  '      at node:internal/main/run_main_module:28:49 {',
  "    code: 'ENOENT'",
  '  }',
  '}',
];

/** console.error of a TypeError: frames only. */
export const NODE_TYPE_ERROR: readonly string[] = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at Object.<anonymous> (/app/e.js:3:15)',
  '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
  '    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)',
  '    at Module.load (node:internal/modules/cjs/loader:1266:32)',
  '    at Module._load (node:internal/modules/cjs/loader:1091:12)',
  '    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)',
  '    at node:internal/main/run_main_module:28:49',
];
