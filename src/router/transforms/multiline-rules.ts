// Where the events of a stream begin and end, for `multiline` (README "Multiline").
// The facts behind the presets are those of Fluent Bit's built-in multiline parsers
// (src/multiline/flb_ml_parser_{java,python,go}.c) and of the runtimes' own output;
// the rules are restated here as line tests, without regular expressions, so a line
// that is no trace costs a few byte comparisons.

export const PRESET_NAMES = ['java', 'python', 'go', 'node'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** What a line is to the event its grammar has open. */
export type Next =
  /** It belongs to the event. */
  | 'continue'
  /** It may belong to it (a blank line before a chained Python traceback): the next line decides. */
  | 'hold'
  /** It belongs to the event and completes it. */
  | 'last'
  /** It does not belong: the event was complete before it. */
  | 'end';

/** One preset's reading of one stream. */
export interface EventGrammar {
  /** With no event open: whether `line` begins one of this grammar's events (which is then open). */
  begins(line: Buffer): boolean;
  /** With its event open (begins() said so, and no next() said 'end' or 'last' since). */
  next(line: Buffer): Next;
}

/** Makes a grammar for one stream (each stream has its own state). */
export type GrammarFactory = () => EventGrammar;

const SPACE = 0x20;
const TAB = 0x09;

function indented(line: Buffer): boolean {
  return line.length > 0 && (line[0] === SPACE || line[0] === TAB);
}

/** Byte by byte: Buffer.compare with ranges validates its arguments, which costs more than these short prefixes. */
function startsWith(line: Buffer, prefix: Buffer, at = 0): boolean {
  if (line.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[at + i] !== prefix[i]) return false;
  return true;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

const bytes = (s: string) => Buffer.from(s, 'latin1');

/**
 * An event begins at every line that `starts` accepts; every other line continues the
 * event open (or, with none open, begins one that later lines continue).
 */
export function startGrammar(starts: (line: Buffer) => boolean): GrammarFactory {
  const grammar: EventGrammar = { begins: () => true, next: (line) => (starts(line) ? 'end' : 'continue') };
  // Stateless: one instance serves every stream.
  return () => grammar;
}

const CAUSED_BY = bytes('Caused by:');
const DOTS = bytes('... ');
const MORE = bytes(' more');
const COMMON_FRAMES = bytes(' common frames omitted');

/**
 * Java (and the JVM languages' printStackTrace): a line continues the event when it is
 * indented (`\tat …`, `\tSuppressed: …`, `\t... 3 more`), begins with `Caused by:`,
 * or is `... N more` / `... N common frames omitted` (logback) unindented; any other
 * line begins an event.
 */
export function javaContinues(line: Buffer): boolean {
  if (line.length === 0) return false;
  if (indented(line)) return true;
  if (startsWith(line, CAUSED_BY)) return true;
  if (!startsWith(line, DOTS) || !isDigit(line[DOTS.length])) return false;
  let i = DOTS.length;
  while (isDigit(line[i])) i++;
  return (startsWith(line, MORE, i) && line.length === i + MORE.length) || (startsWith(line, COMMON_FRAMES, i) && line.length === i + COMMON_FRAMES.length);
}

const TRACEBACK = bytes('Traceback (most recent call last):');
const DURING_HANDLING = bytes('During handling of the above exception, another exception occurred:');
const DIRECT_CAUSE = bytes('The above exception was the direct cause of the following exception:');

/**
 * Python: `Traceback (most recent call last):` begins an event; indented lines (the
 * frames, their source, `^^^^` markers) continue it; the first unindented line is the
 * exception and belongs to it too. After the exception, blank lines are held: when
 * the line after them is one of Python's chaining sentences, they, the sentence and
 * the chained traceback that follows belong to the event; otherwise they are lines
 * of their own.
 */
class PythonGrammar implements EventGrammar {
  private state: 'frames' | 'exception' | 'chain' = 'frames';

  begins(line: Buffer): boolean {
    if (!line.equals(TRACEBACK)) return false;
    this.state = 'frames';
    return true;
  }

  next(line: Buffer): Next {
    switch (this.state) {
      case 'frames':
        if (indented(line)) return 'continue';
        if (line.length === 0 || line.equals(TRACEBACK)) return 'end';
        this.state = 'exception';
        return 'continue';
      case 'exception':
        if (line.length === 0) return 'hold';
        if (!line.equals(DURING_HANDLING) && !line.equals(DIRECT_CAUSE)) return 'end';
        this.state = 'chain';
        return 'continue';
      case 'chain':
        if (line.length === 0) return 'continue';
        if (!line.equals(TRACEBACK)) return 'end';
        this.state = 'frames';
        return 'continue';
    }
  }
}

const PANIC = bytes('panic: ');
const FATAL_ERROR = bytes('fatal error: ');
const HTTP_PANIC = bytes('http: panic serving ');
const SIGNAL = bytes('[signal ');
const GOROUTINE = bytes('goroutine ');
const RUNTIME_STACK = bytes('runtime stack:');
const CREATED_BY = bytes('created by ');
const ELIDED = bytes('...additional frames elided...');
const CLOSE_BRACKET_COLON = bytes(']:');

/** `goroutine 1 [running]:`, `goroutine 18 [chan receive, 2 minutes]:`, `goroutine 1 gp=0x… m=0 [running]:`. */
function goroutineHeader(line: Buffer): boolean {
  if (!startsWith(line, GOROUTINE) || !isDigit(line[GOROUTINE.length])) return false;
  return line.includes(0x5b /* [ */) && startsWith(line, CLOSE_BRACKET_COLON, line.length - 2);
}

/** A frame's function line: unindented, `name(args)` with no space before the first `(`. */
function goFunctionLine(line: Buffer): boolean {
  if (line.length < 3 || indented(line) || line[line.length - 1] !== 0x29 /* ) */) return false;
  const paren = line.indexOf(0x28 /* ( */);
  return paren > 0 && !line.subarray(0, paren).includes(SPACE);
}

/**
 * Go: `panic: …` or `fatal error: …` at the start of a line, or a line holding `http:
 * panic serving ` (net/http's log of a recovered handler panic), begins an event. Then
 * the header: indented lines (`\tpanic: …` of a panic during a panic) and `[signal …`.
 * Then goroutine blocks, each `goroutine N […]:` followed by its frames (function
 * lines, indented file:line lines, `created by …`, `...additional frames elided...`),
 * and `runtime stack:` blocks. Blank lines are held: they belong to the event when a
 * goroutine or `runtime stack:` block follows them.
 */
class GoGrammar implements EventGrammar {
  private state: 'header' | 'goroutine' = 'header';

  begins(line: Buffer): boolean {
    if (!startsWith(line, PANIC) && !startsWith(line, FATAL_ERROR) && !line.includes(HTTP_PANIC)) return false;
    this.state = 'header';
    return true;
  }

  next(line: Buffer): Next {
    if (line.length === 0) return 'hold';
    if (goroutineHeader(line) || line.equals(RUNTIME_STACK)) {
      this.state = 'goroutine';
      return 'continue';
    }
    if (this.state === 'header') return indented(line) || startsWith(line, SIGNAL) ? 'continue' : 'end';
    return indented(line) || goFunctionLine(line) || startsWith(line, CREATED_BY) || line.equals(ELIDED) ? 'continue' : 'end';
  }
}

const UNCAUGHT = bytes('Uncaught ');
const ERROR = bytes('Error');
const EXCEPTION = bytes('Exception');
const AT = bytes('at ');
const CLOSE_BRACE = bytes('}');

function identifierByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x24 || b === 0x2e;
}

/**
 * `Error: boom`, `TypeError: …`, `Error [ERR_X]: …`, `AggregateError: …`, `Uncaught
 * Error: …`, a bare `Error`: a name ending in Error or Exception, then `:`, ` [` or
 * the end of the line.
 */
export function nodeErrorLine(line: Buffer): boolean {
  const from = startsWith(line, UNCAUGHT) ? UNCAUGHT.length : 0;
  let end = from;
  while (end < line.length && identifierByte(line[end]!)) end++;
  const name = line.subarray(from, end);
  const named = (name.length >= ERROR.length && name.subarray(name.length - ERROR.length).equals(ERROR)) || (name.length >= EXCEPTION.length && name.subarray(name.length - EXCEPTION.length).equals(EXCEPTION));
  if (!named) return false;
  return end === line.length || line[end] === 0x3a /* : */ || (line[end] === SPACE && line[end + 1] === 0x5b /* [ */);
}

function nodeFrame(line: Buffer): boolean {
  let i = 0;
  while (line[i] === SPACE || line[i] === TAB) i++;
  return i > 0 && startsWith(line, AT, i);
}

/**
 * Node.js: an error line (nodeErrorLine) begins an event when the line after it is a
 * stack frame (`    at …`); after the frames, indented lines (an error's properties,
 * `[cause]: …` and its frames, `... N lines matching cause stack trace ...`) continue
 * it, and an unindented `}` closing its properties completes it. An error line
 * followed by anything else is a line of its own.
 */
class NodeGrammar implements EventGrammar {
  private state: 'error' | 'frames' = 'error';

  begins(line: Buffer): boolean {
    if (!nodeErrorLine(line)) return false;
    this.state = 'error';
    return true;
  }

  next(line: Buffer): Next {
    if (this.state === 'error') {
      if (!nodeFrame(line)) return 'end';
      this.state = 'frames';
      return 'continue';
    }
    if (indented(line)) return 'continue';
    return line.equals(CLOSE_BRACE) ? 'last' : 'end';
  }
}

export const PRESETS: Readonly<Record<PresetName, GrammarFactory>> = {
  java: startGrammar((line) => !javaContinues(line)),
  python: () => new PythonGrammar(),
  go: () => new GoGrammar(),
  node: () => new NodeGrammar(),
};
