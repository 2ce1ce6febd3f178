// Lexer for Docker's tag templates, following Go 1.19's text/template/parse
// lex.go: items, positions and error texts match it so that parse errors read
// as Docker's do.

export type Kind =
  | 'text' | 'left' | 'right' | 'space' | 'field' | 'ident' | 'keyword' | 'dot' | 'nil' | 'bool' | 'number'
  | 'string' | 'raw' | 'charconst' | 'variable' | 'char' | 'assign' | 'declare' | 'lparen' | 'rparen' | 'pipe'
  | 'eof' | 'error';
export interface Tok { k: Kind; pos: number; val: string }

const KEYWORDS = new Set(['block', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string): boolean => /^[_\p{L}\p{Nd}]$/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** fmt's %#U: U+0041 'A'. */
function fmtU(c: string): string {
  const code = 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `${code} '${c}'` : code;
}

export function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let pos = 0;
  let start = 0;
  const emit = (k: Kind): void => {
    toks.push({ k, pos: start, val: src.slice(start, pos) });
    start = pos;
  };
  const error = (msg: string): Tok[] => {
    toks.push({ k: 'error', pos: start, val: msg });
    return toks;
  };
  const charAt = (i: number): string => (i < src.length ? String.fromCodePoint(src.codePointAt(i)!) : '');
  // 1 at "}}", 2 at " -}}" (trim marker), 0 otherwise.
  const atRightDelim = (): number => (src.startsWith('}}', pos) ? 1 : isSpace(src[pos]) && src.startsWith('-}}', pos + 1) ? 2 : 0);
  // Go 1.19 accepts the first character of "}}" alone (Go 1.20 requires the whole delimiter).
  const atTerminator = (): boolean => pos >= src.length || isSpace(src[pos]) || '.,|:()}'.includes(src[pos]!);
  const word = (): boolean => {
    while (isAlnum(charAt(pos))) pos += charAt(pos).length;
    return atTerminator();
  };

  for (;;) {
    const open = src.indexOf('{{', pos);
    if (open < 0) {
      pos = src.length;
      if (pos > start) emit('text');
      emit('eof');
      return toks;
    }
    const trimLeft = src[open + 2] === '-' && isSpace(src[open + 3]);
    pos = open;
    if (trimLeft) while (pos > start && isSpace(src[pos - 1])) pos--;
    if (pos > start) emit('text');
    start = pos = open + (trimLeft ? 4 : 2);
    if (src.startsWith('/*', pos)) {
      const close = src.indexOf('*/', pos + 2);
      if (close < 0) return error('unclosed comment');
      pos = close + 2;
      const delim = atRightDelim();
      if (!delim) return error('comment ends before closing delimiter');
      pos += delim === 2 ? 4 : 2;
      if (delim === 2) while (isSpace(src[pos])) pos++;
      start = pos;
      continue;
    }
    toks.push({ k: 'left', pos: open, val: '{{' });
    for (let depth = 0; ; ) {
      const delim = atRightDelim();
      if (delim) {
        if (depth > 0) return error('unclosed left paren');
        if (delim === 2) pos += 2; // the " -" of the trim marker is not part of the item
        start = pos;
        pos += 2;
        emit('right');
        if (delim === 2) while (isSpace(src[pos])) pos++;
        start = pos;
        break;
      }
      const c = charAt(pos);
      pos += c.length;
      if (c === '') return error('unclosed action');
      if (isSpace(c)) {
        while (isSpace(src[pos])) pos++;
        // The last space before "-}}" belongs to the trim marker.
        if (src.startsWith('-}}', pos)) pos--;
        if (pos > start) emit('space');
      } else if (c === '=') emit('assign');
      else if (c === ':') {
        if (src[pos++] !== '=') return error('expected :=');
        emit('declare');
      } else if (c === '|') emit('pipe');
      else if (c === '"' || c === "'") {
        for (;;) {
          const d = src[pos++];
          if (d === '\\' && src[pos] !== undefined && src[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n' || d === '\\') {
            return error(c === '"' ? 'unterminated quoted string' : 'unterminated character constant');
          } else if (d === c) break;
        }
        emit(c === '"' ? 'string' : 'charconst');
      } else if (c === '`') {
        const close = src.indexOf('`', pos);
        if (close < 0) return error('unterminated raw quoted string');
        pos = close + 1;
        emit('raw');
      } else if (c === '$' || (c === '.' && pos < src.length && !isDigit(src[pos]))) {
        if (!word()) return error(`bad character ${fmtU(charAt(pos))}`);
        emit(c === '$' ? 'variable' : pos - start === 1 ? 'dot' : 'field');
      } else if (c === '.' || c === '+' || c === '-' || isDigit(c)) {
        // Go scans a wider number syntax; everything but decimal integers is refused by the parser.
        while (/[0-9A-Za-z_.]/.test(src[pos] ?? '')) pos++;
        emit('number');
      } else if (isAlnum(c)) {
        if (!word()) return error(`bad character ${fmtU(charAt(pos))}`);
        const w = src.slice(start, pos);
        emit(KEYWORDS.has(w) ? 'keyword' : w === 'nil' ? 'nil' : w === 'true' || w === 'false' ? 'bool' : 'ident');
      } else if (c === '(') {
        emit('lparen');
        depth++;
      } else if (c === ')') {
        emit('rparen');
        if (--depth < 0) return error(`unexpected right paren ${fmtU(c)}`);
      } else if (c >= ' ' && c < '\x7f') emit('char');
      else return error(`unrecognized character in action: ${fmtU(c)}`);
    }
  }
}
