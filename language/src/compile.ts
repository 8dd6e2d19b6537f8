/**
 * The Zi compiler: a checked contract becomes an ES module that calls `defineContract` from
 * `@zi/sdk`, so the runtime builds, meters and runs it exactly like a TypeScript contract.
 *
 * What the output looks like (see the language README, "Compiling"):
 * - every loop is a counted loop `for (let __zi_iN = a, __zi_eN = b; __zi_iN < __zi_eN; __zi_iN++)`,
 *   which the runtime's meter charges once, on entry, instead of in every iteration;
 * - integer arithmetic is checked inline (`(t = a + b) <= 4294967295 ? t : zi_trap(3)`);
 * - `complex` values are pairs of numbers, never objects, except where they are stored;
 * - the input space is an O(1) `at(index)`;
 * - the same source always gives the same text.
 * @module
 */

import type * as A from './ast.js';
import { CHALLENGE_LENGTH, check, MAX_BOUND, unparen } from './check.js';
import type { CheckedProgram, ConstInfo, FnInfo, LocalInfo } from './check-model.js';
import { HELPERS } from './compile-runtime.js';
import { hasMutableShape, isScalarEq, LOOKING_BUILTINS, needsCopy } from './compile-values.js';
import { type CostReport, costOf } from './cost.js';
import { jsNumber } from './decimal.js';
import { type Diagnostic, hasErrors } from './diagnostics.js';
import { parse } from './parse.js';
import { INT_RANGE, STRING_MAX, showType, type Type, typedArrayOf } from './types.js';

/** Version of the compiler's output format; part of the manifest (it changes bundles and gas). */
export const COMPILER_VERSION = '0.1.0';

interface Pair {
  readonly pre: readonly string[];
  readonly re: string;
  readonly im: string;
}

const ATOMIC = /^(?:[$\w.]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/;

const LITERAL = /^\(?(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\)?$/;

/**
 * `a op b`, computed now when both are number literals (the same IEEE arithmetic the engine would
 * do), so `0.0 + 0.0i` compiles to `0`, `0`.
 */
function foldLiterals(op: '+' | '-', a: string, b: string): string {
  const x = LITERAL.exec(a)?.[1];
  const y = LITERAL.exec(b)?.[1];
  if (x === undefined || y === undefined) return `(${a} ${op} ${b})`;
  const v = op === '+' ? Number(x) + Number(y) : Number(x) - Number(y);
  return v < 0 || Object.is(v, -0) ? `(${jsNumber(v)})` : jsNumber(v);
}

function seq(pre: readonly string[], value: string): string {
  return pre.length === 0 ? value : `(${[...pre, value].join(', ')})`;
}

function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l === '' ? l : `${by}${l}`));
}

/** What code generation needs to know about one JavaScript function being written. */
class FnScope {
  temps = 0;
  usesT = false;
  constructor(readonly info: FnInfo | undefined) {}
  temp(): string {
    this.temps++;
    return `t${this.temps}`;
  }
  constants = 0;
  /** A fresh name for a block-scoped `const`. */
  constant(): string {
    this.constants++;
    return `c${this.constants}`;
  }
  declarations(): string | undefined {
    const names = [...(this.usesT ? ['t'] : []), ...Array.from({ length: this.temps }, (_, i) => `t${i + 1}`)];
    return names.length === 0 ? undefined : `let ${names.join(', ')};`;
  }
}

/** Generates the module for a checked program without errors. */
export class Generator {
  readonly imports = new Set<string>(['defineContract']);
  readonly helpers = new Set<string>();
  readonly traps: string[] = [];
  readonly generated: string[] = [];
  readonly generatedNames = new Map<string, string>();
  scope = new FnScope(undefined);

  constructor(
    readonly p: CheckedProgram,
    readonly file: string,
  ) {}

  type(e: A.Expr): Type {
    const t = this.p.types.get(e);
    if (t === undefined) throw new Error(`no type for ${e.kind} at ${e.span.line}:${e.span.column}`);
    return t;
  }

  trap(message: string, at: { span: A.Span }): string {
    this.helpers.add('zi_trap');
    this.traps.push(`${message} at ${this.file}:${at.span.line}:${at.span.column}`);
    return `zi_trap(${this.traps.length - 1})`;
  }

  t(): string {
    this.scope.usesT = true;
    return 't';
  }

  // --- the module ---------------------------------------------------------------------------------

  module(gasPerMcu: number, gasPerRender: number | undefined, gasPerUnion?: number): string {
    const p = this.p;
    const body: string[] = [];
    for (const c of p.consts) body.push(...this.constDecl(c));
    for (const fn of p.functions) {
      body.push('', ...this.fnDecl(fn));
    }
    body.push('', ...this.inputFn());
    const s = p.settings;
    const fields: string[] = [
      `name: ${JSON.stringify(s.name)},`,
      `version: ${JSON.stringify(s.version)},`,
      `description: ${JSON.stringify(s.description)},`,
      `price: ${s.priceLi}n,`,
      `limits: { gasPerMcu: ${gasPerMcu}${gasPerRender === undefined ? '' : `, gasPerRender: ${gasPerRender}`}${gasPerUnion === undefined ? '' : `, gasPerUnion: ${gasPerUnion}`}${s.memoryMb === undefined ? '' : `, memoryMb: ${s.memoryMb}`} },`,
      `inputs: { count: ${p.input?.count ?? 0}, at: zi_at },`,
      `mcu: ${p.mcu?.js ?? 'undefined'},`,
    ];
    if (p.hooks.validate) {
      this.imports.add('defaultValidate');
      fields.push(
        `validate(results, ctx) {`,
        `  // The default check (entries inside the batch, a seeded sample re-run) comes first; the`,
        `  // contract's own validate can only add to it.`,
        `  const verdict = defaultValidate(results, ctx);`,
        `  if (!verdict.ok) return verdict;`,
        `  return ${p.hooks.validate.js}(results, String(ctx.seed).slice(0, ${CHALLENGE_LENGTH})) ? verdict : { ok: false, reason: 'the contract\\'s validate returned false' };`,
        `},`,
      );
    }
    if (p.hooks.union) fields.push(`union: (a, b) => ${p.hooks.union.js}([a, b]),`);
    if (p.hooks.render) fields.push(`render: ${p.hooks.render.js},`);
    if (s.sampleRate !== undefined) fields.push(`validation: { sampleRate: ${s.sampleRate} },`);
    body.push('', 'export default defineContract({', ...indent(fields), '});');
    const head: string[] = [
      `// Compiled from ${this.file} by the Zi compiler ${COMPILER_VERSION}. Do not edit: change the source and build again.`,
      `import { ${[...this.imports].sort().join(', ')} } from '@zi/sdk';`,
      '',
    ];
    if (this.traps.length > 0) head.push(`const zi_traps = ${JSON.stringify(this.traps)};`);
    if (p.functions.some((f) => f.role === 'fn' && f.result.k === 'complex')) head.push('let zi_im = 0;');
    for (const name of [...this.helpers].sort()) head.push(HELPERS[name]?.code ?? '');
    head.push(...this.generated);
    return `${[...head, ...body].join('\n')}\n`;
  }

  constDecl(c: ConstInfo): string[] {
    this.scope = new FnScope(undefined);
    if (c.type.k === 'complex') {
      const v = this.pair(c.decl.value);
      return [`const ${c.js}_re = ${seq(v.pre, v.re)}, ${c.js}_im = ${v.im};`];
    }
    const folded = c.value;
    if (folded && folded.k !== 'complex') {
      const literal = folded.k === 'int' ? folded.v.toString() : folded.k === 'f64' ? jsNumber(folded.v) : JSON.stringify(folded.v);
      return [`const ${c.js} = ${literal};`];
    }
    const value = this.value(c.decl.value, c.type);
    const decl = this.scope.declarations();
    if (decl === undefined) return [`const ${c.js} = ${value};`];
    return [`const ${c.js} = (() => {`, `  ${decl}`, `  return ${value};`, '})();'];
  }

  inputFn(): string[] {
    const input = this.p.input;
    if (!input) return ['const zi_at = (i) => i;'];
    if (input.space.kind === 'range') {
      const from = input.space.from;
      return [`const zi_at = (i) => ${from === 0 ? 'i' : `${jsNumber(from)} + i`};`];
    }
    const axes = input.space.axes;
    let stride = 1;
    const coords: string[] = [];
    axes.forEach((axis, n) => {
      // The first axis varies fastest: k = floor(i / stride) % count, without % on the last axis.
      let k = stride === 1 ? 'i' : `Math.floor(i / ${stride})`;
      if (n < axes.length - 1) k = `(${k} % ${axis.count})`;
      stride *= axis.count;
      const size = Math.abs(axis.mul);
      let term = size === 1 ? k : `(${k} * ${size})`;
      // Dividing by the exact power of ten rounds once (3 / 10 is 0.3, but 3 * 0.1 is not).
      if (axis.div !== 1) term = `${term} / ${axis.div}`;
      const coord = axis.from === 0 && axis.mul > 0 ? term : `${jsNumber(axis.from)} ${axis.mul < 0 ? '-' : '+'} ${term}`;
      coords.push(`${axis.name}: ${coord}`);
    });
    const [first] = coords;
    if ((input.type.k === 'f64' || input.type.k === 'int') && first !== undefined) {
      return [`const zi_at = (i) => ${first.slice(first.indexOf(':') + 2)};`];
    }
    return [`const zi_at = (i) => ({ ${coords.join(', ')} });`];
  }

  fnDecl(fn: FnInfo): string[] {
    this.scope = new FnScope(fn);
    const params: string[] = [];
    const prologue: string[] = [];
    const hook = fn.role !== 'fn';
    for (const p of fn.params) {
      if (p.type.k === 'complex' && !hook) params.push(`${p.js}_re`, `${p.js}_im`);
      else if (p.type.k === 'complex') {
        params.push(p.js);
        prologue.push(`const ${p.js}_re = ${p.js}.re, ${p.js}_im = ${p.js}.im;`);
      } else params.push(p.js);
    }
    if (fn.role === 'validate') params.push('zi_seed');
    const body = this.block(fn.decl.body.statements);
    const decl = this.scope.declarations();
    const lines = [`function ${fn.js}(${params.join(', ')}) {`, ...indent([...(decl ? [decl] : []), ...prologue, ...body]), '}'];
    return lines;
  }

  // --- statements ---------------------------------------------------------------------------------

  block(statements: readonly A.Stmt[]): string[] {
    return statements.flatMap((s) => this.stmt(s));
  }

  local(ident: A.Ident): LocalInfo {
    const l = this.p.locals.get(ident);
    if (!l) throw new Error(`no local for ${ident.name}`);
    return l;
  }

  stmt(s: A.Stmt): string[] {
    switch (s.kind) {
      case 'Let': {
        const l = this.local(s.name);
        const kw = l.mutable ? 'let' : 'const';
        if (l.type.k === 'complex') {
          const v = this.pairOf(s.value);
          return [...(v.pre.length > 0 ? [`${v.pre.join(', ')};`] : []), `${kw} ${l.js}_re = ${v.re}, ${l.js}_im = ${v.im};`];
        }
        return [`${kw} ${l.js} = ${this.value(s.value, l.type)};`];
      }
      case 'Assign':
        return this.assign(s);
      case 'IfStmt':
        return this.ifStmt(s);
      case 'ForRange':
        return this.forRange(s);
      case 'ForEach':
        return this.forEach(s);
      case 'Break':
        return ['break;'];
      case 'Continue':
        return ['continue;'];
      case 'Return':
        return [this.returnStmt(s)];
      case 'ExprStmt': {
        const t = this.type(s.expr);
        if (t.k === 'complex') {
          const v = this.pair(s.expr);
          return v.pre.length > 0 ? [`${v.pre.join(', ')};`] : [];
        }
        return [`${this.expr(s.expr)};`];
      }
    }
  }

  returnStmt(s: A.ReturnStmt): string {
    const fn = this.scope.info;
    if (s.value === undefined) return 'return;';
    const t = this.type(s.value);
    if (t.k === 'complex' || (fn && fn.result.k === 'complex')) {
      const v = this.pairOf(s.value);
      if (fn?.role === 'fn') {
        const r = this.scope.temp();
        return `return ${seq([...v.pre, `${r} = ${v.re}`, `zi_im = ${v.im}`], r)};`;
      }
      return `return ${seq(v.pre, `{ re: ${v.re}, im: ${v.im} }`)};`;
    }
    const value = this.expr(s.value, true);
    if (fn?.role === 'mcu' && fn.result.k === 'option') {
      // An MCU's `none` is "no result" (a sparse job): the runtime's undefined.
      const r = this.scope.temp();
      return `return (${r} = ${value}) === null ? undefined : ${r};`;
    }
    if (fn?.role === 'render' && fn.result.k === 'string') return `return { type: 'text', text: ${value} };`;
    return `return ${value};`;
  }

  ifStmt(s: A.IfStmt): string[] {
    const out = [`if (${this.expr(s.condition)}) {`, ...indent(this.block(s.then.statements))];
    if (s.else === undefined) return [...out, '}'];
    if (s.else.kind === 'Block') return [...out, '} else {', ...indent(this.block(s.else.statements)), '}'];
    const rest = this.ifStmt(s.else);
    return [...out, `} else ${rest[0] ?? ''}`, ...rest.slice(1)];
  }

  forRange(s: A.ForRangeStmt): string[] {
    const loop = this.p.loops.get(s);
    if (!loop) throw new Error('unchecked loop');
    const i = loop.counter;
    const e = loop.end;
    let from = this.expr(s.from);
    let to = this.expr(s.to);
    if (s.inclusive) to = `${to} + 1`;
    let head: string;
    if (loop.guard === undefined) head = `let ${i} = ${from}, ${e} = ${to}`;
    else {
      const a = this.scope.temp();
      const b = this.scope.temp();
      from = `(${a} = ${from})`;
      head = `let ${i} = ${from}, ${e} = (${b} = ${to}) - ${a} > ${loop.guard} ? ${this.trap(`the loop would run more than its max of ${loop.guard} times`, s)} : ${b}`;
    }
    return [`for (${head}; ${i} < ${e}; ${i}++) {`, ...indent(this.block(s.body.statements)), '}'];
  }

  forEach(s: A.ForEachStmt): string[] {
    const loop = this.p.loops.get(s);
    if (!loop) throw new Error('unchecked loop');
    const i = loop.counter;
    const e = loop.end;
    const iterable = unparen(s.iterable);
    let source: string;
    let start = '0';
    if (iterable.kind === 'Name') source = this.expr(iterable, true);
    else {
      // Evaluated once, before the loop: in the counter's initialiser.
      source = this.scope.temp();
      start = `(${source} = ${this.expr(iterable, true)}, 0)`;
    }
    let end = `${source}.length`;
    if (loop.guard !== undefined) {
      const b = this.scope.temp();
      end = `(${b} = ${source}.length) > ${loop.guard} ? ${this.trap(`the loop would run more than its max of ${loop.guard} times`, s)} : ${b}`;
    }
    const b = loop.binding;
    const element = `${source}[${i}]`;
    const bind = b.type.k === 'complex' ? `const ${b.js}_re = ${element}.re, ${b.js}_im = ${element}.im;` : `const ${b.js} = ${element};`;
    return [`for (let ${i} = ${start}, ${e} = ${end}; ${i} < ${e}; ${i}++) {`, ...indent([bind, ...this.block(s.body.statements)]), '}'];
  }

  assign(s: A.AssignStmt): string[] {
    const target = unparen(s.target);
    const t = this.type(s.target);
    if (t.k === 'complex') {
      const v = s.op === '=' ? this.pairOf(s.value) : this.pairBinary(s.op.slice(0, -1) as A.BinaryOp, s.target, s.value);
      if (target.kind === 'Name') {
        // The new real part waits in a block-scoped constant while the imaginary part is computed
        // from the old values (a loop-carried temporary would cost V8 about 5% in hot loops).
        const l = this.nameLocal(target);
        const r = this.scope.constant();
        return [
          ...(v.pre.length > 0 ? [`${v.pre.join(', ')};`] : []),
          `const ${r} = ${v.re};`,
          `${l.js}_im = ${v.im};`,
          `${l.js}_re = ${r};`,
        ];
      }
      const place = this.place(target);
      return [`${place.pre}${place.ref} = ${seq(v.pre, `{ re: ${v.re}, im: ${v.im} }`)};`];
    }
    if (s.op === '=') {
      const place = this.place(target);
      return [`${place.pre}${place.ref} = ${this.value(s.value, t)};`];
    }
    const op = s.op.slice(0, -1) as A.BinaryOp;
    const place = this.place(target);
    const rhs = this.binaryCode(op, t, this.type(s.value), place.ref, this.expr(s.value), s);
    return [`${place.pre}${place.ref} = ${rhs};`];
  }

  nameLocal(e: A.NameExpr): LocalInfo {
    const target = this.p.names.get(e);
    if (target?.kind !== 'local') throw new Error(`${e.name} is not a local`);
    return target.local;
  }

  /** An assignable JavaScript reference, its index checked and evaluated once (into `pre`). */
  place(e: A.Expr): { pre: string; ref: string } {
    const x = unparen(e);
    switch (x.kind) {
      case 'Name':
        return { pre: '', ref: this.nameLocal(x).js };
      case 'Field': {
        const inner = this.place(x.target);
        return { pre: inner.pre, ref: `${inner.ref}.${this.fieldName(this.type(x.target), x.field.name)}` };
      }
      case 'TupleIndex': {
        const inner = this.place(x.target);
        return { pre: inner.pre, ref: `${inner.ref}[${x.index}]` };
      }
      case 'Index': {
        const inner = this.place(x.target);
        const k = this.scope.temp();
        const index = this.checkedIndex(this.type(x.target), inner.ref, this.expr(x.index), this.type(x.index), x);
        return { pre: `${inner.pre}${k} = ${index}; `, ref: `${inner.ref}[${k}]` };
      }
      default:
        throw new Error(`cannot assign to ${x.kind}`);
    }
  }

  // --- expressions (not complex) ------------------------------------------------------------------

  /** `e` used as a whole value of type `want`: copied when it is read from a `var`. */
  value(e: A.Expr, want?: Type): string {
    const t = want ?? this.type(e);
    if (t.k === 'complex') {
      const v = this.pairOf(e);
      return seq(v.pre, `{ re: ${v.re}, im: ${v.im} }`);
    }
    const code = this.expr(e, true);
    return needsCopy(this.p, e, false) ? this.copy(this.type(e), code) : code;
  }

  /** JavaScript for a non-complex expression. `look`: the value is only looked at (never copied). */
  expr(e: A.Expr, look = false): string {
    const t = this.type(e);
    if (t.k === 'complex') {
      const v = this.pair(e);
      return seq(v.pre, `{ re: ${v.re}, im: ${v.im} }`);
    }
    return this.plain(e, t, look);
  }

  /** JavaScript for an expression whose value is one JavaScript value (a stored complex is `{ re, im }`). */
  plain(e: A.Expr, t: Type, look: boolean): string {
    switch (e.kind) {
      case 'Paren':
        return this.expr(e.expr, look);
      case 'Int':
        return t.k === 'f64' ? jsNumber(Number(e.value)) : e.value.toString();
      case 'Hex':
        if (t.k === 'bytes') {
          const bytes = e.digits.match(/../g) ?? [];
          return `new Uint8Array([${bytes.map((b) => `0x${b}`).join(', ')}])`;
        }
        return e.value.toString();
      case 'Float':
        return jsNumber(e.value);
      case 'String':
        return JSON.stringify(e.value);
      case 'Bool':
        return e.value ? 'true' : 'false';
      case 'None':
        return 'null';
      case 'Some':
        return this.value(e.value, this.type(e.value));
      case 'Name': {
        const target = this.p.names.get(e);
        if (target?.kind === 'const') {
          // A folded number is written in place: no variable to load in a hot loop.
          const v = target.info.value;
          if (v?.k === 'int' && t.k === 'int') return v.v < 0n ? `(${v.v})` : v.v.toString();
          if (v?.k === 'f64' && t.k === 'f64') return v.v < 0 || Object.is(v.v, -0) ? `(${jsNumber(v.v)})` : jsNumber(v.v);
          if (v?.k === 'int' && t.k === 'f64') return jsNumber(Number(v.v));
          return target.info.js;
        }
        if (target?.kind === 'local') return target.local.js;
        if (target?.kind === 'challenge') return 'zi_seed';
        throw new Error(`unresolved ${e.name}`);
      }
      case 'Unary':
        return this.unary(e, t);
      case 'Binary':
        return this.binary(e, t);
      case 'Cast':
        return this.cast(e, t);
      case 'Call':
        return this.call(e, t);
      case 'IfExpr':
        return this.ifExpr(e);
      case 'Record': {
        if (t.k !== 'record') throw new Error('record type expected');
        const fields = t.fields.map((f) => {
          const init = e.fields.find((x) => x.name.name === f.name);
          return `${f.name}: ${init ? this.value(init.value, f.type) : 'null'}`;
        });
        return `{ ${fields.join(', ')} }`;
      }
      case 'Tuple':
        return `[${e.elements.map((x, i) => this.value(x, t.k === 'tuple' ? t.elements[i] : undefined)).join(', ')}]`;
      case 'List': {
        const elementType = t.k === 'array' || t.k === 'list' ? t.element : undefined;
        const items = `[${e.elements.map((x) => this.value(x, elementType)).join(', ')}]`;
        const typed = t.k === 'array' ? typedArrayOf(t.element) : undefined;
        return typed ? `new ${typed}(${items})` : items;
      }
      case 'ArrayRepeat': {
        if (t.k !== 'array') throw new Error('array type expected');
        const typed = typedArrayOf(t.element);
        const v = this.expr(e.value);
        if (typed && (v === '0' || v === '-0')) return `new ${typed}(${t.n})`;
        this.helpers.add('zi_fill');
        return `zi_fill(${typed ? `new ${typed}(${t.n})` : `new Array(${t.n})`}, ${v})`;
      }
      case 'Index': {
        const target = this.type(e.target);
        let ref = this.expr(e.target, true);
        let pre = '';
        if (!/^[$\w]+$/.test(ref) && target.k === 'list') {
          const tmp = this.scope.temp();
          pre = `${tmp} = ${ref}, `;
          ref = tmp;
        }
        const index = this.checkedIndex(target, ref, this.expr(e.index), this.type(e.index), e);
        const read = `${ref}[${index}]`;
        const code = pre === '' ? read : `(${pre}${read})`;
        return !look && needsCopy(this.p, e, false) ? this.copy(t, code) : code;
      }
      case 'Field': {
        if (this.type(e.target).k === 'complex') {
          const v = this.pair(e.target);
          return seq(v.pre, e.field.name === 're' ? v.re : v.im);
        }
        const code = `${this.expr(e.target, true)}.${this.fieldName(this.type(e.target), e.field.name)}`;
        return !look && needsCopy(this.p, e, false) ? this.copy(t, code) : code;
      }
      case 'TupleIndex': {
        const code = `${this.expr(e.target, true)}[${e.index}]`;
        return !look && needsCopy(this.p, e, false) ? this.copy(t, code) : code;
      }
      case 'Lambda':
      case 'Imaginary':
        throw new Error(`${e.kind} has no plain JavaScript value`);
    }
  }

  fieldName(t: Type, name: string): string {
    return t.k === 'entry' && name === 'value' ? 'output' : name;
  }

  checkedIndex(container: Type, ref: string, index: string, indexType: Type, at: { span: A.Span }): string {
    const length = container.k === 'array' ? String(container.n) : container.k === 'bytes' ? String(container.n) : `${ref}.length`;
    const unsigned = indexType.k === 'int' && indexType.name.startsWith('u');
    const t = this.t();
    const ok = unsigned ? `(${t} = ${index}) < ${length}` : `(${t} = ${index}) >= 0 && ${t} < ${length}`;
    return `${ok} ? ${t} : ${this.trap(`index out of bounds${container.k === 'list' ? '' : ` (the length is ${length})`}`, at)}`;
  }

  unary(e: A.UnaryExpr, t: Type): string {
    const x = unparen(e.operand);
    if (e.op === '-' && (x.kind === 'Int' || x.kind === 'Hex')) return t.k === 'f64' ? `(${jsNumber(-Number(x.value))})` : `(-${x.value})`;
    const a = this.expr(e.operand);
    switch (e.op) {
      case '!':
        return `!${a}`;
      case '-':
        if (t.k === 'f64') return `(-${a})`;
        if (t.k === 'int' && t.name === 'i32')
          return `((${this.t()} = 0 - ${a}) <= 2147483647 ? t : ${this.trap('integer overflow in `-` (i32)', e)})`;
        return `(0 - ${a})`;
      case '~':
        if (t.k === 'int' && t.name === 'u8') return `(~${a} & 255)`;
        if (t.k === 'int' && t.name === 'u16') return `(~${a} & 65535)`;
        if (t.k === 'int' && t.name === 'u32') return `(~${a} >>> 0)`;
        return `(~${a})`;
    }
  }

  /** The value of an integer expression made of literals and constants, when it has one now. */
  constInt(e: A.Expr): bigint | undefined {
    switch (e.kind) {
      case 'Paren':
        return this.constInt(e.expr);
      case 'Int':
      case 'Hex':
        return this.type(e).k === 'int' ? e.value : undefined;
      case 'Name': {
        const target = this.p.names.get(e);
        return target?.kind === 'const' && target.info.value?.k === 'int' ? target.info.value.v : undefined;
      }
      case 'Unary': {
        const v = e.op === '-' ? this.constInt(e.operand) : undefined;
        return v === undefined ? undefined : -v;
      }
      case 'Binary': {
        if (this.type(e).k !== 'int') return undefined;
        const a = this.constInt(e.left);
        const b = this.constInt(e.right);
        if (a === undefined || b === undefined) return undefined;
        switch (e.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return b === 0n ? undefined : a / b;
          case '%':
            return b === 0n ? undefined : a % b;
          default:
            return undefined;
        }
      }
      default:
        return undefined;
    }
  }

  binary(e: A.BinaryExpr, t: Type): string {
    const lt = this.type(e.left);
    const rt = this.type(e.right);
    if (t.k === 'int') {
      // Folded while compiling when it fits its type; otherwise the checked code traps at run time.
      const v = this.constInt(e);
      const range = INT_RANGE[t.name];
      if (v !== undefined && v >= BigInt(range.min) && v <= BigInt(range.max)) return v < 0n ? `(${v})` : v.toString();
    }
    if ((e.op === '/' || e.op === '%') && lt.k === 'int') {
      // A constant divisor other than zero needs no check.
      const d = this.constInt(e.right);
      if (d !== undefined && d !== 0n) {
        const a = this.expr(e.left, true);
        const signed = INT_RANGE[lt.name].min < 0;
        if (e.op === '%') return signed ? `(${a} % ${d} + 0)` : `(${a} % ${d})`;
        if (!signed) return `Math.floor(${a} / ${d})`;
        return this.binaryCode('/', lt, rt, a, d.toString(), e);
      }
    }
    if (e.op === '==' || e.op === '!=') {
      if (lt.k === 'complex' || rt.k === 'complex') {
        const a = this.atomic(this.pairOf(e.left));
        const b = this.atomic(this.pairOf(e.right));
        const eq = `Object.is(${a.re}, ${b.re}) && Object.is(${a.im}, ${b.im})`;
        return seq([...a.pre, ...b.pre], e.op === '==' ? `(${eq})` : `!(${eq})`);
      }
      const a = this.expr(e.left, true);
      const b = this.expr(e.right, true);
      if (e.op === '!=' && isScalarEq(lt) && lt.k !== 'f64') return `(${a} !== ${b})`;
      const eq = this.equal(lt, a, b);
      return e.op === '==' ? eq : `!${eq}`;
    }
    if (e.op === '&&' || e.op === '||') return `(${this.expr(e.left)} ${e.op} ${this.expr(e.right)})`;
    return this.binaryCode(e.op, lt, rt, this.expr(e.left, true), this.expr(e.right, true), e);
  }

  /** `a op b` for operands of types `lt`/`rt` (already JavaScript), with overflow checks. */
  binaryCode(op: A.BinaryOp, lt: Type, rt: Type, a: string, b: string, at: { span: A.Span }): string {
    if (op === '++') {
      if (lt.k === 'string') {
        // Strings stay below STRING_MAX characters, so the cost of hashing one is bounded.
        const t = this.scope.temp();
        return `((${t} = ${a} + ${b}).length <= ${STRING_MAX} ? ${t} : ${this.trap(`a string longer than ${STRING_MAX} characters`, at)})`;
      }
      if (lt.k === 'bytes') {
        this.helpers.add('zi_catb');
        return `zi_catb(${a}, ${b})`;
      }
      this.helpers.add('zi_catl');
      return `zi_catl(${a}, ${b})`;
    }
    if (['<', '<=', '>', '>='].includes(op)) return `(${a} ${op} ${b})`;
    if (lt.k === 'f64' && rt.k === 'f64') return `(${a} ${op} ${b})`;
    if (lt.k !== 'int') throw new Error(`unexpected operand type ${showType(lt)} for ${op}`);
    const name = lt.name;
    const { min, max } = INT_RANGE[name];
    const signed = min < 0;
    const t = this.t();
    const overflow = (what: string) => this.trap(`integer overflow in \`${what}\` (${name})`, at);
    const inRange = (expr: string, what: string, lowCheck: boolean, highCheck: boolean): string => {
      const conds = [
        ...(lowCheck ? [`(${t} = ${expr}) >= ${min}`] : []),
        ...(highCheck ? [`${lowCheck ? t : `(${t} = ${expr})`} <= ${max}`] : []),
      ];
      return `(${conds.join(' && ')} ? ${signed ? `${t} + 0` : t} : ${overflow(what)})`;
    };
    switch (op) {
      case '+':
        return inRange(`${a} + ${b}`, '+', signed, true);
      case '-':
        return inRange(`${a} - ${b}`, '-', true, signed);
      case '*':
        return inRange(`${a} * ${b}`, '*', signed, true);
      case '/': {
        const divisor = `((${t} = ${b}) === 0 ? ${this.trap('division by zero', at)} : ${t})`;
        if (!signed) return `Math.floor(${a} / ${divisor})`;
        return inRange(`Math.trunc(${a} / ${divisor})`, '/', false, true);
      }
      case '%': {
        const divisor = `((${t} = ${b}) === 0 ? ${this.trap('division by zero', at)} : ${t})`;
        return signed ? `(${a} % ${divisor} + 0)` : `(${a} % ${divisor})`;
      }
      case '&':
      case '|':
      case '^':
        return name === 'u32' ? `((${a} ${op} ${b}) >>> 0)` : `(${a} ${op} ${b})`;
      case '<<':
      case '>>': {
        const bits = name === 'u8' ? 8 : name === 'u16' ? 16 : 32;
        const amount = `((${t} = ${b}) < ${bits} ? ${t} : ${this.trap(`shift by ${bits} or more`, at)})`;
        if (op === '>>') return name === 'i32' ? `(${a} >> ${amount})` : `(${a} >>> ${amount})`;
        if (name === 'u32') return `((${a} << ${amount}) >>> 0)`;
        if (name === 'u8') return `((${a} << ${amount}) & 255)`;
        if (name === 'u16') return `((${a} << ${amount}) & 65535)`;
        return `(${a} << ${amount})`;
      }
      default:
        throw new Error(`unexpected integer operator ${op}`);
    }
  }

  cast(e: A.CastExpr, to: Type): string {
    const from = this.type(e.expr);
    const lit = unparen(e.expr);
    const a = this.expr(e.expr);
    if (to.k === 'f64') return a;
    if (to.k !== 'int') return a;
    const { min, max } = INT_RANGE[to.name];
    const t = this.t();
    if (from.k === 'bool') return `(${a} ? 1 : 0)`;
    if (from.k === 'f64') {
      return `((${t} = Math.trunc(${a})) >= ${min} && ${t} <= ${max} ? ${t} + 0 : ${this.trap(`${to.name} cannot hold the value converted with \`as\``, e)})`;
    }
    if (from.k !== 'int' || lit.kind === 'Int') return a;
    const known = this.constInt(e.expr);
    if (known !== undefined && known >= BigInt(min) && known <= BigInt(max)) return known < 0n ? `(${known})` : known.toString();
    const f = INT_RANGE[from.name];
    const low = f.min < min;
    const high = f.max > max;
    if (!low && !high) return a;
    const conds = [...(low ? [`(${t} = ${a}) >= ${min}`] : []), ...(high ? [`${low ? t : `(${t} = ${a})`} <= ${max}`] : [])];
    return `(${conds.join(' && ')} ? ${t} : ${this.trap(`${to.name} cannot hold the value converted with \`as\``, e)})`;
  }

  ifExpr(e: A.IfExpr): string {
    const branch = (b: A.Block | A.IfExpr): string => {
      if (b.kind === 'IfExpr') return this.ifExpr(b);
      const last = b.statements[b.statements.length - 1];
      if (last?.kind !== 'ExprStmt') throw new Error('value block without a value');
      if (b.statements.length === 1) return this.value(last.expr);
      return `(() => {\n${[...this.block(b.statements.slice(0, -1)), `return ${this.value(last.expr)};`].map((l) => `  ${l}`).join('\n')}\n})()`;
    };
    if (!e.else) throw new Error('if without else');
    return `(${this.expr(e.condition)} ? ${branch(e.then)} : ${branch(e.else)})`;
  }

  equal(t: Type, a: string, b: string): string {
    if (t.k === 'f64') return `Object.is(${a}, ${b})`;
    if (isScalarEq(t)) return `(${a} === ${b})`;
    return `${this.generatedHelper('eq', t)}(${a}, ${b})`;
  }

  copy(t: Type, code: string): string {
    if (!hasMutableShape(t)) return code;
    return `${this.generatedHelper('cp', t)}(${code})`;
  }

  /** A generated helper (structural equality or copy) for one type, written once per module. */
  generatedHelper(kind: 'eq' | 'cp', t: Type): string {
    const key = `${kind}:${JSON.stringify(t)}`;
    const known = this.generatedNames.get(key);
    if (known) return known;
    const name = `zi_${kind}${this.generatedNames.size + 1}`;
    this.generatedNames.set(key, name);
    const loop = (n: string, body: string) => `for (let __zi_h1 = 0, __zi_k1 = ${n}; __zi_h1 < __zi_k1; __zi_h1++) { ${body} }`;
    let code: string;
    const eqOf = (ft: Type, a: string, b: string): string =>
      ft.k === 'complex' ? `Object.is(${a}.re, ${b}.re) && Object.is(${a}.im, ${b}.im)` : this.equal(ft, a, b);
    const cpOf = (ft: Type, a: string): string => (hasMutableShape(ft) ? this.copy(ft, a) : a);
    if (kind === 'eq') {
      switch (t.k) {
        case 'record':
          code = `return ${t.fields.map((f) => eqOf(f.type, `a.${f.name}`, `b.${f.name}`)).join(' && ') || 'true'};`;
          break;
        case 'tuple':
          code = `return ${t.elements.map((x, i) => eqOf(x, `a[${i}]`, `b[${i}]`)).join(' && ') || 'true'};`;
          break;
        case 'list':
        case 'array':
        case 'bytes': {
          const el = t.k === 'bytes' ? ({ k: 'int', name: 'u8' } as Type) : t.element;
          code = `if (a.length !== b.length) return false;\n  ${loop('a.length', `if (!(${eqOf(el, 'a[__zi_h1]', 'b[__zi_h1]')})) return false;`)}\n  return true;`;
          break;
        }
        case 'option':
          code = `return a == null ? b == null : b != null && ${eqOf(t.inner, 'a', 'b')};`;
          break;
        case 'entry':
          code = `return a.index === b.index && ${eqOf(t.value, 'a.output', 'b.output')};`;
          break;
        case 'f64':
          code = 'return Object.is(a, b);';
          break;
        case 'complex':
          code = 'return Object.is(a.re, b.re) && Object.is(a.im, b.im);';
          break;
        default:
          code = 'return a === b;';
      }
      this.generated.push(`function ${name}(a, b) {\n  ${code}\n}`);
    } else {
      switch (t.k) {
        case 'record':
          code = `return { ${t.fields.map((f) => `${f.name}: ${cpOf(f.type, `a.${f.name}`)}`).join(', ')} };`;
          break;
        case 'tuple':
          code = `return [${t.elements.map((x, i) => cpOf(x, `a[${i}]`)).join(', ')}];`;
          break;
        case 'array':
        case 'list': {
          const typed = t.k === 'array' ? typedArrayOf(t.element) : undefined;
          code = typed
            ? `const out = new ${typed}(a.length);\n  ${loop('a.length', 'out[__zi_h1] = a[__zi_h1];')}\n  return out;`
            : `const out = [];\n  ${loop('a.length', `out.push(${cpOf(t.element, 'a[__zi_h1]')});`)}\n  return out;`;
          break;
        }
        case 'option':
          code = `return a == null ? null : ${cpOf(t.inner, 'a')};`;
          break;
        case 'entry':
          code = `return { index: a.index, output: ${cpOf(t.value, 'a.output')} };`;
          break;
        default:
          code = 'return a;';
      }
      this.generated.push(`function ${name}(a) {\n  ${code}\n}`);
    }
    return name;
  }

  call(e: A.CallExpr, t: Type): string {
    const target = this.p.calls.get(e);
    if (!target) throw new Error(`unresolved call ${e.callee.name}`);
    if (target.kind === 'fn') {
      const args = target.args.flatMap((a, i) => {
        const p = target.fn.params[i];
        if (p?.type.k === 'complex') {
          const v = this.atomic(this.pairOf(a));
          return v.pre.length > 0 ? [seq(v.pre, v.re), v.im] : [v.re, v.im];
        }
        return [this.value(a, p?.type)];
      });
      if (target.fn.role === 'mcu' && target.fn.params[0]?.type.k === 'complex') {
        const v = this.atomic(this.pairOf(target.args[0] as A.Expr));
        return `${target.fn.js}(${seq(v.pre, `{ re: ${v.re}, im: ${v.im} }`)})`;
      }
      return `${target.fn.js}(${args.join(', ')})`;
    }
    const name = target.name;
    const args = target.args;
    const arg = (i: number): string => {
      const a = args[i];
      if (!a) throw new Error(`missing argument ${i} of ${name}`);
      return LOOKING_BUILTINS.has(name) ? this.expr(a, true) : this.value(a);
    };
    const argType = (i: number): Type => this.type(args[i] as A.Expr);
    switch (name) {
      case 'sqrt':
      case 'floor':
      case 'ceil':
      case 'round':
      case 'trunc':
        return `Math.${name}(${arg(0)})`;
      case 'abs': {
        const at = argType(0);
        if (at.k === 'complex') {
          const v = this.atomic(this.pair(args[0] as A.Expr));
          return seq(v.pre, `Math.sqrt(${v.re} * ${v.re} + ${v.im} * ${v.im})`);
        }
        if (at.k === 'int' && at.name === 'i32') {
          const tt = this.t();
          return `((${tt} = Math.abs(${arg(0)})) <= 2147483647 ? ${tt} : ${this.trap('integer overflow in `abs` (i32)', e)})`;
        }
        return `Math.abs(${arg(0)})`;
      }
      case 'min':
      case 'max':
        return `Math.${name}(${arg(0)}, ${arg(1)})`;
      case 'abs2': {
        const v = this.atomic(this.pair(args[0] as A.Expr));
        return seq(v.pre, `(${v.re} * ${v.re} + ${v.im} * ${v.im})`);
      }
      case 'clz32':
        return `Math.clz32(${arg(0)})`;
      case 'len':
        return `${arg(0)}.length`;
      case 'sha256': {
        this.helpers.add('zi_sha256');
        if (argType(0).k === 'string') {
          this.helpers.add('zi_utf8');
          return `zi_sha256(zi_utf8(${arg(0)}))`;
        }
        return `zi_sha256(${arg(0)})`;
      }
      case 'hex':
        this.helpers.add('zi_hex');
        return `zi_hex(${arg(0)})`;
      case 'leading_zero_bits':
        this.helpers.add('zi_lzb');
        return `zi_lzb(${arg(0)})`;
      case 'be_bytes8':
        this.helpers.add('zi_be8');
        return `zi_be8(${arg(0)})`;
      case 'decimal':
        return `String(${arg(0)})`;
      case 'pad_left':
        this.helpers.add('zi_pad');
        return `zi_pad(${arg(0)}, ${arg(1)})`;
      case 'new_image':
        this.imports.add('createImage');
        return `createImage(${arg(0)}, ${arg(1)})`;
      case 'set_pixel': {
        this.imports.add('setPixel');
        const img = this.type(args[0] as A.Expr);
        if (img.k === 'image' && img.format === 'gray8') {
          const g = this.scope.temp();
          return `setPixel(${arg(0)}, ${arg(1)}, ${arg(2)}, (${g} = ${arg(3)}), ${g}, ${g})`;
        }
        return `setPixel(${arg(0)}, ${arg(1)}, ${arg(2)}, ${arg(3)}, ${arg(4)}, ${arg(5)})`;
      }
      case 'input':
        return `zi_at(${arg(0)})`;
      case 'concat': {
        const parts = this.type(args[0] as A.Expr);
        const value = parts.k === 'list' && parts.element.k === 'batch' ? parts.element.element : t;
        this.helpers.add('zi_merge');
        return `zi_merge(${arg(0)}, ${this.generatedHelper('eq', value)})`;
      }
      case 'sample':
        this.helpers.add('zi_sample');
        return `zi_sample(${arg(0)}, ${arg(1)}, ${arg(2)})`;
      case 'plot': {
        const shade = args[1];
        const input = this.p.input;
        if (shade?.kind !== 'Lambda' || !input) throw new Error('plot without a lambda or an input');
        const [param] = shade.params;
        const local = param ? this.local(param.name) : undefined;
        const axes = input.space.kind === 'grid' ? input.space.axes : [];
        const width = axes[0]?.count ?? input.count;
        const height = axes[1]?.count ?? 1;
        const gray = t.k === 'image' && t.format === 'gray8';
        this.helpers.add('zi_plot');
        this.imports.add('createImage');
        this.imports.add('setPixel');
        const body = this.value(shade.body, this.type(shade));
        return `zi_plot(${arg(0)}, ${width}, ${height}, (${local?.js ?? '_'}) => ${body}, ${gray})`;
      }
      case 'is_some':
        // `!= null`: an MCU's own `none` becomes undefined when it returns.
        return `(${arg(0)} != null)`;
      case 'unwrap': {
        const tt = this.t();
        return `((${tt} = ${arg(0)}) != null ? ${tt} : ${this.trap('`unwrap` of `none`', e)})`;
      }
      case 'unwrap_or': {
        const tmp = this.scope.temp();
        return `((${tmp} = ${arg(0)}) != null ? ${tmp} : ${this.value(args[1] as A.Expr, t)})`;
      }
      default:
        throw new Error(`builtin ${name} has no code`);
    }
  }

  // --- complex values -----------------------------------------------------------------------------

  /** A complex or f64 operand as a pair (f64 `x` is `x + 0i`). */
  pairOf(e: A.Expr): Pair {
    const t = this.type(e);
    if (t.k === 'complex') return this.pair(e);
    return { pre: [], re: this.expr(e), im: '0' };
  }

  /** Makes both parts atomic (names or literals), so they can be read more than once. */
  atomic(v: Pair): Pair {
    const pre = [...v.pre];
    const fix = (x: string): string => {
      if (ATOMIC.test(x)) return x;
      const tmp = this.scope.temp();
      pre.push(`${tmp} = ${x}`);
      return tmp;
    };
    const re = fix(v.re);
    const im = fix(v.im);
    return { pre, re, im };
  }

  pair(e: A.Expr): Pair {
    switch (e.kind) {
      case 'Paren':
        return this.pair(e.expr);
      case 'Int':
        return { pre: [], re: jsNumber(Number(e.value)), im: '0' };
      case 'Float':
        return { pre: [], re: jsNumber(e.value), im: '0' };
      case 'Imaginary':
        return { pre: [], re: '0', im: jsNumber(e.value) };
      case 'Name': {
        const target = this.p.names.get(e);
        const js = target?.kind === 'const' ? target.info.js : target?.kind === 'local' ? target.local.js : undefined;
        if (js === undefined) throw new Error(`unresolved ${e.name}`);
        return { pre: [], re: `${js}_re`, im: `${js}_im` };
      }
      case 'Unary': {
        const v = this.pair(e.operand);
        return { pre: v.pre, re: `(-${v.re})`, im: `(-${v.im})` };
      }
      case 'Binary':
        return this.pairBinary(e.op, e.left, e.right);
      case 'Call': {
        const target = this.p.calls.get(e);
        if (target?.kind === 'fn') {
          const r = this.scope.temp();
          const m = this.scope.temp();
          return { pre: [`${r} = ${this.call(e, this.type(e))}`, `${m} = zi_im`], re: r, im: m };
        }
        if (target?.kind === 'builtin' && target.name === 'conj') {
          const v = this.pair(target.args[0] as A.Expr);
          return { pre: v.pre, re: v.re, im: `(-${v.im})` };
        }
        if (target?.kind === 'builtin' && target.name === 'complex') {
          const v = this.atomic({ pre: [], re: this.expr(target.args[0] as A.Expr), im: this.expr(target.args[1] as A.Expr) });
          return v;
        }
        return this.objectPair(this.plain(e, this.type(e), true));
      }
      case 'IfExpr': {
        const r = this.scope.temp();
        const m = this.scope.temp();
        const branch = (b: A.Block | A.IfExpr): string => {
          if (b.kind === 'IfExpr') {
            const v = this.pair(b);
            return seq([...v.pre, `${r} = ${v.re}`], `${m} = ${v.im}`);
          }
          const last = b.statements[b.statements.length - 1];
          if (last?.kind !== 'ExprStmt') throw new Error('value block without a value');
          if (b.statements.length > 1) {
            const obj = `(() => {\n${[...this.block(b.statements.slice(0, -1)), `return ${this.value(last.expr)};`].map((l) => `  ${l}`).join('\n')}\n})()`;
            const o = this.scope.temp();
            return `(${o} = ${obj}, ${r} = ${o}.re, ${m} = ${o}.im)`;
          }
          const v = this.pair(last.expr);
          return seq([...v.pre, `${r} = ${v.re}`], `${m} = ${v.im}`);
        };
        if (!e.else) throw new Error('if without else');
        return { pre: [`(${this.expr(e.condition)} ? ${branch(e.then)} : ${branch(e.else)})`], re: r, im: m };
      }
      default:
        // Stored complex values (fields, elements, unwrapped options) are { re, im } objects.
        return this.objectPair(this.plain(e, this.type(e), true));
    }
  }

  objectPair(code: string): Pair {
    if (/^[$\w]+$/.test(code)) return { pre: [], re: `${code}.re`, im: `${code}.im` };
    const o = this.scope.temp();
    return { pre: [`${o} = ${code}`], re: `${o}.re`, im: `${o}.im` };
  }

  pairBinary(op: A.BinaryOp, left: A.Expr, right: A.Expr): Pair {
    const lt = this.type(left);
    const rt = this.type(right);
    const a = this.pairOf(left);
    const b = this.pairOf(right);
    switch (op) {
      case '+':
        return {
          pre: [...a.pre, ...b.pre],
          re: foldLiterals('+', a.re, b.re),
          im: lt.k === 'complex' && rt.k === 'complex' ? foldLiterals('+', a.im, b.im) : lt.k === 'complex' ? a.im : b.im,
        };
      case '-':
        return {
          pre: [...a.pre, ...b.pre],
          re: foldLiterals('-', a.re, b.re),
          im: lt.k === 'complex' && rt.k === 'complex' ? foldLiterals('-', a.im, b.im) : lt.k === 'complex' ? a.im : `(-${b.im})`,
        };
      case '*': {
        if (lt.k !== 'complex') {
          const x = this.atomic(a);
          return { pre: [...x.pre, ...b.pre], re: `(${x.re} * ${b.re})`, im: `(${x.re} * ${b.im})` };
        }
        if (rt.k !== 'complex') {
          const y = this.atomic(b);
          return { pre: [...a.pre, ...y.pre], re: `(${a.re} * ${y.re})`, im: `(${a.im} * ${y.re})` };
        }
        const x = this.atomic(a);
        const y = this.atomic(b);
        if (x.re === y.re && x.im === y.im && y.pre.length === 0) {
          // Squaring: the imaginary part is (2·re)·im, two multiplications instead of three
          // operations (V8 does not see that re·im and im·re are one product).
          return { pre: x.pre, re: `(${x.re} * ${x.re} - ${x.im} * ${x.im})`, im: `(2 * ${x.re} * ${x.im})` };
        }
        return {
          pre: [...x.pre, ...y.pre],
          re: `(${x.re} * ${y.re} - ${x.im} * ${y.im})`,
          im: `(${x.re} * ${y.im} + ${x.im} * ${y.re})`,
        };
      }
      case '/': {
        if (rt.k !== 'complex') {
          const y = this.atomic(b);
          return { pre: [...a.pre, ...y.pre], re: `(${a.re} / ${y.re})`, im: `(${a.im} / ${y.re})` };
        }
        const x = this.atomic(a);
        const y = this.atomic(b);
        const d = this.scope.temp();
        return {
          pre: [...x.pre, ...y.pre, `${d} = ${y.re} * ${y.re} + ${y.im} * ${y.im}`],
          re: `((${x.re} * ${y.re} + ${x.im} * ${y.im}) / ${d})`,
          im: `((${x.im} * ${y.re} - ${x.re} * ${y.im}) / ${d})`,
        };
      }
      default:
        throw new Error(`operator ${op} on complex values`);
    }
  }
}

/** What a compiled contract adds to its manifest. */
export interface ZiManifestExtras {
  readonly language: { readonly name: 'zi'; readonly version: string };
  /** The static worst-case gas of one MCU: also its `limits.gasPerMcu`. */
  readonly gasBound: number;
  /** The static worst-case gas of `render` over every result, when the contract has one. */
  readonly renderGasBound?: number;
}

/** What {@link compile} returns. `ok` is false when any diagnostic is an error; then `code` is empty. */
export interface CompileResult {
  readonly ok: boolean;
  /** An ES2022 module (JavaScript) whose default export is the contract made by `defineContract`. */
  readonly code: string;
  /** Worst-case gas of one MCU (0 when not ok). */
  readonly gasBound: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly manifestExtras: ZiManifestExtras | undefined;
  readonly cost: CostReport | undefined;
}

function failed(diagnostics: readonly Diagnostic[], cost?: CostReport): CompileResult {
  return { ok: false, code: '', gasBound: 0, diagnostics, manifestExtras: undefined, cost };
}

/**
 * Compiles Zi source to a JavaScript module in the contract shape of `@zi/sdk`: parse, check, the
 * static gas bound (which becomes `limits.gasPerMcu`), code. Never throws on bad source: problems
 * come back as diagnostics (render them with `renderDiagnostics`). The same source and file name
 * always give the same code.
 *
 * @param file the name shown in diagnostics and run-time trap messages (`src/contract.zi`)
 * @example
 * ```ts
 * const out = compile(source, 'src/contract.zi');
 * if (!out.ok) console.error(renderDiagnostics(source, 'src/contract.zi', out.diagnostics));
 * else console.log(out.gasBound, out.code);
 * ```
 */
export function compile(source: string, file = 'contract.zi'): CompileResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const parsed = parse(source, file);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ast || hasErrors(diagnostics)) return failed(diagnostics);
    const checked = check(parsed.ast);
    diagnostics.push(...checked.diagnostics);
    if (hasErrors(diagnostics)) return failed(diagnostics);
    const program = checked.program;
    const cost = costOf(program);
    const mcu = program.mcu;
    if (mcu && cost.mcu > MAX_BOUND) {
      diagnostics.push({
        code: 'ZL3002',
        severity: 'error',
        message: `one MCU may use up to ${cost.mcu} gas, more than the limit of 2^50`,
        span: mcu.decl.name.span,
        hint: 'lower the loop bounds (`max N`), or split the work over more MCUs',
      });
      return failed(diagnostics, cost);
    }
    let gasPerRender: number | undefined;
    if (cost.render !== undefined) {
      if (cost.render <= MAX_BOUND) gasPerRender = cost.render;
      else if (program.hooks.render) {
        diagnostics.push({
          code: 'ZL3002',
          severity: 'warning',
          message: `\`render\` may use up to ${cost.render} gas, more than 2^50; it runs with the default limit`,
          span: program.hooks.render.decl.name.span,
        });
      }
    }
    let gasPerMcu = cost.mcu;
    const chosen = program.settings.gasPerMcu;
    if (chosen !== undefined) {
      if (chosen.value >= cost.mcu) {
        diagnostics.push({
          code: 'ZL3004',
          severity: 'warning',
          message: `\`gas_per_mcu\` is ${chosen.value}, not below the proven bound of ${cost.mcu}: it changes nothing`,
          span: chosen.span,
          hint: 'leave it out: the limit is then the proven bound',
        });
      } else {
        gasPerMcu = chosen.value;
        diagnostics.push({
          code: 'ZL3004',
          severity: 'note',
          message: `\`gas_per_mcu\` is ${chosen.value}, below the proven bound of ${cost.mcu}: an MCU that needs more runs out of gas`,
          span: chosen.span,
          hint: 'keep it when the bound is loose (loops bounded by `max`) and you measured the real need (`zi test` shows it)',
        });
      }
    }
    const gasPerUnion = cost.union !== undefined && cost.union <= MAX_BOUND ? cost.union : undefined;
    const code = new Generator(program, file).module(gasPerMcu, gasPerRender, gasPerUnion);
    const manifestExtras: ZiManifestExtras = {
      language: { name: 'zi', version: COMPILER_VERSION },
      gasBound: cost.mcu,
      ...(gasPerRender === undefined ? {} : { renderGasBound: gasPerRender }),
    };
    return { ok: true, code, gasBound: cost.mcu, diagnostics, manifestExtras, cost };
  } catch (error) {
    diagnostics.push({
      code: 'ZL9002',
      severity: 'error',
      message: `the compiler failed: ${error instanceof Error ? error.message : String(error)}`,
      span: { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 },
      hint: 'this is a bug in the Zi toolchain; please report it with the contract',
    });
    return failed(diagnostics);
  }
}
