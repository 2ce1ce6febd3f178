// Execution of a parsed tag template with text/template's evaluation rules
// (exec.go): field chains, pipelines passing their value as the last
// argument, Go's argument type checks, and its error texts with the
// "line:col ... at <node>" context.

import { tslogsError } from '../../errors.js';
import {
  FUNCS, INFO_FIELDS, INFO_METHODS, infoField, printValue, typeName,
  type GoFunc, type InfoField, type ParamType, type Val,
} from './funcs.js';

export interface FieldNode { t: 'field'; pos: number; idents: string[] }
export interface ChainNode { t: 'chain'; pos: number; node: IdentNode | Pipe; idents: string[] }
export interface IdentNode { t: 'ident'; pos: number; name: string }
export type Node =
  | FieldNode
  | ChainNode
  | IdentNode
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'number'; pos: number; text: string; value: number }
  | { t: 'string'; pos: number; quoted: string; value: string }
  | Pipe;
export interface Pipe { t: 'pipe'; pos: number; cmds: Cmd[] }
export interface Cmd { t: 'cmd'; pos: number; args: Node[] }

/** parse.Node.String(), which Go prints as the context of an error. */
export function nodeString(n: Node | Cmd): string {
  switch (n.t) {
    case 'field':
      return '.' + n.idents.join('.');
    case 'chain':
      return (n.node.t === 'pipe' ? `(${nodeString(n.node)})` : n.node.name) + '.' + n.idents.join('.');
    case 'ident':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'pipe':
      return n.cmds.map(nodeString).join(' | ');
    case 'cmd':
      return n.args.map((a) => (a.t === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
  }
}

// Marks "no value piped in", distinct from the invalid value `undefined`.
const MISSING = Symbol('missing');
type Final = Val | typeof MISSING;

const GO_TYPES: Record<ParamType, string> = {
  string: 'string', int: 'int', '[]string': '[]string', any: 'interface {}', value: 'reflect.Value',
};
const canBeNil = (t: ParamType): boolean => t === '[]string' || t === 'any' || t === 'value';
const zero = (t: ParamType): Val => (t === '[]string' ? { kind: 'slice', items: null } : t === 'any' ? null : undefined);

class Exec {
  // The node Go's state.at() last recorded; errors are reported against it.
  private node: Node | Cmd | undefined;

  constructor(private readonly src: string, private readonly dot: Val) {}

  private fail(msg: string): never {
    const n = this.node!;
    const before = this.src.slice(0, n.pos);
    const line = before.split('\n').length;
    // Go reports the byte offset within the line.
    const col = Buffer.byteLength(before.slice(before.lastIndexOf('\n') + 1), 'utf8');
    throw tslogsError('TSLOGS_TEMPLATE', `${line}:${col}: executing "log-tag" at <${nodeString(n)}>: ${msg}`);
  }

  pipeline(p: Pipe): Val {
    this.node = p;
    let v: Final = MISSING;
    for (const c of p.cmds) v = this.command(c, v);
    return v as Val;
  }

  private command(cmd: Cmd, final: Final): Val {
    const first = cmd.args[0]!;
    switch (first.t) {
      case 'field':
        return this.fieldNode(first, cmd.args, final);
      case 'chain':
        return this.chainNode(first, cmd.args, final);
      case 'ident':
        return this.func(first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.pipeline(first);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    if (first.t === 'nil') return this.fail('nil is not a command');
    return first.t === 'dot' ? this.dot : first.value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private fieldNode(n: FieldNode, args: Node[], final: Final): Val {
    this.node = n;
    return this.fieldChain(this.dot, n, args, final);
  }

  private chainNode(n: ChainNode, args: Node[], final: Final): Val {
    this.node = n;
    const base = n.node.t === 'pipe' ? this.pipeline(n.node) : this.func(n.node, n.node, null, MISSING);
    return this.fieldChain(base, n, args, final);
  }

  private fieldChain(recv: Val, n: FieldNode | ChainNode, args: Node[], final: Final): Val {
    const last = n.idents.length - 1;
    for (let i = 0; i < last; i++) recv = this.field(recv, n.idents[i]!, n, [], MISSING);
    return this.field(recv, n.idents[last]!, n, args, final);
  }

  private field(recv: Val, name: string, node: Node, args: Node[], final: Final): Val {
    if (recv == null) return undefined;
    const hasArgs = args.length > 1 || final !== MISSING;
    if (typeof recv === 'object' && recv.kind === 'info') {
      const method = INFO_METHODS.get(name);
      if (method) return this.call({ params: [], call: () => method(recv) }, node, name, args, final);
      if ((INFO_FIELDS as readonly string[]).includes(name)) {
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return infoField(recv.info, name as InfoField);
      }
    } else if (typeof recv === 'object' && recv.kind === 'map') {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return recv.entries && Object.hasOwn(recv.entries, name) ? recv.entries[name] : undefined;
    } else if (typeof recv === 'object' && recv.kind === 'time') {
      this.fail(`time.Time methods such as ${name} are not supported in tslogs tag templates`);
    }
    return this.fail(`can't evaluate field ${name} in type ${typeName(recv)}`);
  }

  private func(n: IdentNode, cmd: Node | Cmd, args: Node[] | null, final: Final): Val {
    this.node = n;
    return this.call(FUNCS.get(n.name)!, cmd, n.name, args, final);
  }

  private call(fn: GoFunc, node: Node | Cmd, name: string, args: Node[] | null, final: Final): Val {
    const given = args ? args.slice(1) : [];
    const numIn = given.length + (final === MISSING ? 0 : 1);
    const numFixed = fn.variadic ? fn.params.length : given.length;
    if (fn.variadic && numIn < numFixed) {
      this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${given.length}`);
    }
    if (!fn.variadic && numIn !== fn.params.length) {
      this.fail(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    const argv = given.map((a, i) => this.arg(i < numFixed ? fn.params[i]! : fn.variadic!, a));
    if (final !== MISSING) {
      argv.push(this.validate(final, fn.variadic && numIn - 1 >= numFixed ? fn.variadic : fn.params[numIn - 1]!));
    }
    try {
      return fn.call(argv);
    } catch (e) {
      this.node = node;
      return this.fail(`error calling ${name}: ${(e as Error).message}`);
    }
  }

  private arg(t: ParamType, n: Node): Val {
    this.node = n;
    switch (n.t) {
      case 'dot':
        return this.validate(this.dot, t);
      case 'nil':
        return canBeNil(t) ? zero(t) : this.fail(`cannot assign nil to ${GO_TYPES[t]}`);
      case 'field':
        return this.validate(this.fieldNode(n, [n], MISSING), t);
      case 'chain':
        return this.validate(this.chainNode(n, [], MISSING), t);
      case 'pipe':
        return this.validate(this.pipeline(n), t);
      case 'ident':
        return this.validate(this.func(n, n, null, MISSING), t);
    }
    if (t === 'any' || t === 'value') return n.value;
    if (t === 'string' && n.t === 'string') return n.value;
    if (t === 'int' && n.t === 'number') return n.value;
    if (t === 'string') return this.fail(`expected string; found ${nodeString(n)}`);
    if (t === 'int') return this.fail(`expected integer; found ${nodeString(n)}`);
    return this.fail(`can't handle ${nodeString(n)} for arg of type ${GO_TYPES[t]}`);
  }

  private validate(v: Val, t: ParamType): Val {
    if (v == null) return canBeNil(t) ? zero(t) : this.fail(`invalid value; expected ${GO_TYPES[t]}`);
    if (t === 'any' || t === 'value' || typeName(v) === GO_TYPES[t]) return v;
    return this.fail(`wrong type for value; expected ${GO_TYPES[t]}; got ${typeName(v)}`);
  }
}

/** Runs a parsed template; throws TslogsError with Go's execution error text. */
export function execute(items: readonly (string | Pipe)[], src: string, dot: Val): string {
  const ex = new Exec(src, dot);
  return items.map((it) => (typeof it === 'string' ? it : printValue(ex.pipeline(it)))).join('');
}
