// Go 1.19's text/template parser (Docker 20.10.24 is built with Go 1.19),
// restricted to what Docker's tag templates use:
// text, comments, trim markers, pipelines, fields, functions and literals.
// Control actions (if, range, with, define, template, block), variables and
// character constants are rejected at compile time rather than rendered wrongly.

import { tslogsError } from '../../errors.js';
import { goQuote } from '../strconv.js';
import { nodeString, type Cmd, type Node, type Pipe } from './exec.js';
import { FUNCS, UNSUPPORTED_FUNCS } from './funcs.js';
import { lex, type Tok } from './lex.js';

const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** strconv.Unquote of a "…" or `…` literal; undefined when Go would report "invalid syntax". */
function unquote(tok: Tok): string | undefined {
  const body = tok.val.slice(1, -1);
  if (tok.k === 'raw') return body.replace(/\r/g, '');
  const bytes: number[] = [];
  for (let j = 0; j < body.length; ) {
    const ch = String.fromCodePoint(body.codePointAt(j)!);
    j += ch.length;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const e = body[j++]!;
    const len = HEX_LEN[e];
    if (ESCAPES[e] !== undefined) bytes.push(ESCAPES[e]);
    else if (/^[0-7]{3}$/.test(body.slice(j - 1, j + 2)) && parseInt(body.slice(j - 1, j + 2), 8) < 256) {
      bytes.push(parseInt(body.slice(j - 1, j + 2), 8));
      j += 2;
    } else if (len !== undefined && /^[0-9A-Fa-f]+$/.test(body.slice(j, j + len)) && j + len <= body.length) {
      const v = parseInt(body.slice(j, j + len), 16);
      j += len;
      if (e === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
      else bytes.push(...Buffer.from(String.fromCodePoint(v), 'utf8'));
    } else return undefined;
  }
  // Bytes that do not form UTF-8 (from \x or octal escapes) become U+FFFD.
  return Buffer.from(bytes).toString('utf8');
}

/** item.String() as used in "unexpected … in …". */
function tokString(t: Tok): string {
  if (t.k === 'keyword' || t.k === 'dot' || t.k === 'nil') return `<${t.val}>`;
  if (Buffer.byteLength(t.val, 'utf8') > 10) return goQuote([...t.val].slice(0, 10).join('')) + '...';
  return goQuote(t.val);
}

class Parser {
  private i = 0;
  private actionLine = 0;

  constructor(private readonly src: string, private readonly toks: Tok[]) {}

  private line(pos: number): number {
    return this.src.slice(0, pos).split('\n').length;
  }

  private fail(tok: Tok, msg: string): never {
    throw tslogsError('TSLOGS_TEMPLATE', `${this.line(tok.pos)}: ${msg}`);
  }

  private unsupported(tok: Tok, construct: string): never {
    throw tslogsError('TSLOGS_TEMPLATE_UNSUPPORTED', this.line(tok.pos), construct);
  }

  // Consuming a lexer error token ends parsing with its message.
  private next(): Tok {
    const tok = this.toks[this.i++]!;
    if (tok.k === 'error') {
      const line = this.line(tok.pos);
      const extra = this.actionLine === 0 || this.actionLine === line ? ''
        : `${tok.val.endsWith(' action') ? '' : ' in action'} started at log-tag:${this.actionLine}`;
      this.fail(tok, tok.val + extra);
    }
    return tok;
  }

  private peek(): Tok {
    return this.toks[this.i]!;
  }

  private nextNonSpace(): Tok {
    let tok = this.next();
    while (tok.k === 'space') tok = this.next();
    return tok;
  }

  private peekNonSpace(): Tok {
    const tok = this.nextNonSpace();
    this.i--;
    return tok;
  }

  parse(): (string | Pipe)[] {
    const items: (string | Pipe)[] = [];
    for (let tok = this.next(); tok.k !== 'eof'; tok = this.next()) {
      if (tok.k === 'text') items.push(tok.val);
      else {
        this.actionLine = this.line(tok.pos);
        items.push(this.action());
        this.actionLine = 0;
      }
    }
    return items;
  }

  private action(): Pipe {
    const tok = this.nextNonSpace();
    if (tok.k === 'keyword' && (tok.val === 'end' || tok.val === 'else')) this.fail(tok, `unexpected {{${tok.val}}}`);
    if (tok.k === 'keyword') this.unsupported(tok, `{{${tok.val}}}`);
    this.i--;
    return this.pipeline('command');
  }

  private pipeline(context: string): Pipe {
    const pipe: Pipe = { t: 'pipe', pos: this.peekNonSpace().pos, cmds: [] };
    for (;;) {
      const tok = this.nextNonSpace();
      switch (tok.k) {
        case 'right':
        case 'rparen':
          if (pipe.cmds.length === 0) this.fail(tok, `missing value for ${context}`);
          pipe.cmds.slice(1).forEach((c, i) => {
            if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.t)) {
              this.fail(tok, `non executable command in pipeline stage ${i + 2}`);
            }
          });
          if (tok.k === 'rparen') this.i--;
          return pipe;
        case 'bool': case 'charconst': case 'dot': case 'field': case 'ident': case 'lparen':
        case 'nil': case 'number': case 'raw': case 'string': case 'variable':
          this.i--;
          pipe.cmds.push(this.command());
          break;
        default:
          this.fail(tok, `unexpected ${tokString(tok)} in ${context}`);
      }
    }
  }

  private command(): Cmd {
    const cmd: Cmd = { t: 'cmd', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      const op = this.operand();
      if (op) cmd.args.push(op);
      const tok = this.next();
      if (tok.k === 'space') continue;
      if (tok.k === 'right' || tok.k === 'rparen') this.i--;
      else if (tok.k !== 'pipe') this.fail(tok, `unexpected ${tokString(tok)} in operand`);
      return cmd;
    }
  }

  private operand(): Node | undefined {
    const node = this.term();
    if (!node || this.peek().k !== 'field') return node;
    const pos = this.peek().pos;
    const idents: string[] = [];
    while (this.peek().k === 'field') idents.push(this.next().val.slice(1));
    if (node.t === 'field') return { t: 'field', pos, idents: [...node.idents, ...idents] };
    if (node.t === 'ident' || node.t === 'pipe') return { t: 'chain', pos, node, idents };
    return this.fail(this.toks[this.i - 1]!, `unexpected . after term ${goQuote(nodeString(node))}`);
  }

  private term(): Node | undefined {
    const tok = this.nextNonSpace();
    const pos = tok.pos;
    switch (tok.k) {
      case 'ident':
        if (UNSUPPORTED_FUNCS.has(tok.val)) this.unsupported(tok, `the ${tok.val} function`);
        if (!FUNCS.has(tok.val)) this.fail(tok, `function ${goQuote(tok.val)} not defined`);
        return { t: 'ident', pos, name: tok.val };
      case 'dot':
        return { t: 'dot', pos };
      case 'nil':
        return { t: 'nil', pos };
      case 'field':
        return { t: 'field', pos, idents: [tok.val.slice(1)] };
      case 'bool':
        return { t: 'bool', pos, value: tok.val === 'true' };
      case 'number': {
        if (!/\d/.test(tok.val)) this.fail(tok, `illegal number syntax: ${goQuote(tok.val)}`);
        const value = Number(tok.val);
        if (!/^[+-]?(0|[1-9]\d*)$/.test(tok.val) || !Number.isSafeInteger(value)) {
          this.unsupported(tok, `the number ${tok.val} (only decimal integers are)`);
        }
        return { t: 'number', pos, text: tok.val, value };
      }
      case 'string':
      case 'raw': {
        const value = unquote(tok);
        if (value === undefined) this.fail(tok, 'invalid syntax');
        return { t: 'string', pos, quoted: tok.val, value };
      }
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline');
        this.next();
        return pipe;
      }
      case 'variable':
        return this.unsupported(tok, `the variable ${tok.val}`);
      case 'charconst':
        return this.unsupported(tok, `the character constant ${tok.val}`);
    }
    this.i--;
    return undefined;
  }
}

/** Parses a template into its text and actions; throws TslogsError with Go's parse error text. */
export function parseTemplate(src: string): (string | Pipe)[] {
  return new Parser(src, lex(src)).parse();
}
