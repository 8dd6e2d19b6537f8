/**
 * The Zi type checker: resolves names and types, folds constants, bounds every loop, forbids
 * recursion and lays out the input space. It collects diagnostics and never throws on bad source.
 * @module
 */

import type * as A from './ast.js';
import { BUILTIN_NAMES, BUILTIN_PARAMS, decimalWidth, isBitInt, isNumeric, REJECTED_BUILTINS } from './builtins.js';
import { CHECK_CODES, type CheckCode } from './check-codes.js';
import type {
  CallTarget,
  CheckedProgram,
  CheckResult,
  ConstInfo,
  ConstValue,
  ContractSettings,
  FnInfo,
  GridAxisInfo,
  InputInfo,
  LocalInfo,
  LoopInfo,
  NameTarget,
} from './check-model.js';
import { type Decimal, decimalOf, negate, rescale, toNumber } from './decimal.js';
import { compareDiagnostics, type Diagnostic, type Span } from './diagnostics.js';
import { didYouMean } from './suggest.js';
import { assignable, entryType, INT_RANGE, isComposite, STRING_MAX, sameType, showType, T, type Type } from './types.js';

export type * from './check-model.js';

/** How many result sets one call of `union` merges (the runtime merges two at a time). */
export const UNION_PARTS = 2;

/** The most characters of the validator's seed that `challenge` holds. */
export const CHALLENGE_LENGTH = 64;

/** The largest loop bound and gas bound: the SDK's limit for gas values. */
export const MAX_BOUND = 2 ** 50;

const PRIMITIVES: Readonly<Record<string, Type>> = {
  bool: T.bool,
  u8: T.u8,
  u16: T.u16,
  u32: T.u32,
  i32: T.i32,
  u53: T.u53,
  i53: T.i53,
  f64: T.f64,
  complex: T.complex,
  string: { k: 'string', max: STRING_MAX },
};

const META_KEYS = ['name', 'title', 'description', 'batch', 'sample_rate', 'memory_mb', 'gas_per_mcu'] as const;

/** `a \`u32\``, `an \`f64\``: the type in backticks with its article. */
function aType(t: Type): string {
  const text = showType(t);
  return `${/^[aefhilmnorsx]/.test(text) && !/^(?:string|list|bool)/.test(text) ? 'an' : 'a'} \`${text}\``;
}

/** Looks through the author's parentheses. */
export function unparen(e: A.Expr): A.Expr {
  let x = e;
  while (x.kind === 'Paren') x = x.expr;
  return x;
}

/** An integer literal, possibly negated: its type follows from where it is used. */
function intLiteral(e: A.Expr): bigint | undefined {
  const x = unparen(e);
  if (x.kind === 'Int') return x.value;
  if (x.kind === 'Hex') return x.value;
  if (x.kind === 'Unary' && x.op === '-') {
    const inner = intLiteral(x.operand);
    return inner === undefined ? undefined : -inner;
  }
  return undefined;
}

/** Kebab-case manifest name of a contract (`NonceHunt` → `nonce-hunt`). */
function manifestName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 64);
}

interface Scope {
  readonly names: Map<string, LocalInfo>;
}

interface FnState {
  readonly info: FnInfo;
  readonly used: Set<string>;
  loops: number;
  /** Loops around the current statement (for `break`/`continue`). */
  depth: number;
  /** Inside an `if` used as a value: no `return`, `break` or `continue` may leave it. */
  valueBlock: number;
}

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly types = new WeakMap<A.Expr, Type>();
  readonly names = new WeakMap<A.NameExpr, NameTarget>();
  readonly calls = new WeakMap<A.CallExpr, CallTarget>();
  readonly loops = new WeakMap<A.ForRangeStmt | A.ForEachStmt, LoopInfo>();
  readonly locals = new WeakMap<A.Ident, LocalInfo>();
  readonly constants = new WeakMap<A.Expr, ConstValue>();
  readonly aliases = new Map<string, { decl: A.TypeAliasDecl; type?: Type; resolving: boolean }>();
  readonly consts = new Map<string, { decl: A.ConstDecl; info?: ConstInfo; resolving: boolean }>();
  readonly fns = new Map<string, FnInfo>();
  readonly fnList: FnInfo[] = [];
  /** Constants in the order they were resolved: each after the constants it uses. */
  readonly constOrder: ConstInfo[] = [];
  mcu: FnInfo | undefined;
  hooks: { union?: FnInfo; validate?: FnInfo; render?: FnInfo } = {};
  input: InputInfo | undefined;
  scopes: Scope[] = [];
  fn: FnState | undefined;
  /** Resolving the parameters of `union`, where `list<batch<R>>` needs no `max`. */
  openList = false;

  constructor(readonly ast: A.Contract) {}

  error(
    code: CheckCode,
    span: Span,
    message: string,
    extra: Partial<Pick<Diagnostic, 'hint' | 'spanLabel' | 'labels' | 'notes'>> = {},
  ): void {
    const d: Diagnostic = { code, severity: 'error', message, span };
    this.diagnostics.push({ ...d, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) });
  }

  warn(code: CheckCode, span: Span, message: string, hint?: string): void {
    this.diagnostics.push(
      hint === undefined ? { code, severity: 'warning', message, span } : { code, severity: 'warning', message, span, hint },
    );
  }

  // --- the contract -------------------------------------------------------------------------------

  run(): CheckedProgram {
    const items = this.ast.items;
    let meta: A.MetaDecl | undefined;
    let price: A.PriceDecl | undefined;
    let inputDecl: A.InputDecl | undefined;
    for (const item of items) {
      switch (item.kind) {
        case 'Meta':
          if (meta) this.error('ZL2028', item.span, 'a second `meta` block', { hint: 'put every setting in one `meta { … }`' });
          else meta = item;
          break;
        case 'Price':
          if (price) this.error('ZL2028', item.span, 'a second `price`', { hint: 'a contract has one price per MCU; keep one' });
          else price = item;
          break;
        case 'TypeAlias':
          if (this.aliases.has(item.name.name) || PRIMITIVES[item.name.name]) {
            this.error('ZL2010', item.name.span, `the type \`${item.name.name}\` is declared twice`, { hint: 'rename one of them' });
          } else this.aliases.set(item.name.name, { decl: item, resolving: false });
          break;
        case 'Const':
          if (this.consts.has(item.name.name)) {
            this.error('ZL2010', item.name.span, `the constant \`${item.name.name}\` is declared twice`, { hint: 'rename one of them' });
          } else this.consts.set(item.name.name, { decl: item, resolving: false });
          break;
        case 'Input':
          if (inputDecl)
            this.error('ZL2018', item.span, 'a second `input`', {
              hint: 'a contract has one input space; combine them in a record or grid',
            });
          else inputDecl = item;
          break;
        case 'Function':
          this.declareFunction(item);
          break;
      }
    }
    if (!price) {
      this.error('ZL2028', this.ast.name.span, `the contract \`${this.ast.name.name}\` has no price`, {
        hint: 'add `price 1 li per mcu` (the price of one MCU, in li or zi)',
      });
    }
    for (const name of this.consts.keys()) this.resolveConst(name);
    if (inputDecl) this.input = this.checkInput(inputDecl);
    else
      this.error('ZL2018', this.ast.name.span, 'the contract has no `input`', {
        hint: 'declare the input space, e.g. `input n: u53 over range 0 ..< 1000`',
      });
    if (!this.mcu) {
      this.error('ZL2017', this.ast.name.span, 'the contract has no `mcu`', {
        hint: 'add the function that computes one unit: `mcu compute(x: u53) -> u53 { return x }`',
      });
    }
    this.checkSignatures();
    for (const fn of this.fnList) this.checkBody(fn);
    this.checkRecursion();
    const settings = this.settings(meta, price);
    this.diagnostics.sort(compareDiagnostics);
    return {
      ast: this.ast,
      settings,
      consts: this.constOrder,
      functions: this.fnList,
      mcu: this.mcu,
      hooks: this.hooks,
      input: this.input,
      types: this.types,
      names: this.names,
      calls: this.calls,
      loops: this.loops,
      locals: this.locals,
      constants: this.constants,
    };
  }

  settings(meta: A.MetaDecl | undefined, price: A.PriceDecl | undefined): ContractSettings {
    let name = manifestName(this.ast.name.name);
    let description = '';
    let sampleRate: number | undefined;
    let memoryMb: number | undefined;
    let gasPerMcu: { value: number; span: Span } | undefined;
    for (const entry of meta?.entries ?? []) {
      const key = entry.key.name;
      if (!(META_KEYS as readonly string[]).includes(key)) {
        this.error('ZL2023', entry.key.span, `\`meta\` has no setting \`${key}\``, {
          hint: didYouMean(key, META_KEYS) ?? `the settings are: ${META_KEYS.join(', ')}`,
        });
        continue;
      }
      const value = this.fold(entry.value, this.expr(entry.value));
      const want = key === 'name' || key === 'title' || key === 'description' ? 'string' : key === 'sample_rate' ? 'f64' : 'int';
      if (value === undefined || value.k !== want) {
        this.error(
          'ZL2023',
          entry.value.span,
          `\`${key}\` must be ${want === 'string' ? 'a string' : want === 'f64' ? 'a number' : 'an integer'} constant`,
        );
        continue;
      }
      if (key === 'name') {
        const v = String(value.v);
        if (!/^[a-z][a-z0-9-]{0,63}$/.test(v)) {
          this.error('ZL2023', entry.value.span, `the contract name "${v}" is not lower-case letters, digits and dashes`);
        } else name = v;
      } else if (key === 'description' || (key === 'title' && description === '')) description = String(value.v);
      else if (key === 'sample_rate') {
        const v = Number(value.v);
        if (!(v > 0 && v <= 1)) this.error('ZL2023', entry.value.span, '`sample_rate` must be above 0 and at most 1');
        else sampleRate = v;
      } else if (key === 'memory_mb') {
        const v = Number(value.v);
        if (!(v >= 16 && v <= 2048)) this.error('ZL2023', entry.value.span, '`memory_mb` must be from 16 to 2048');
        else memoryMb = v;
      } else if (key === 'gas_per_mcu') {
        const v = Number(value.v);
        if (!(v >= 1 && v <= MAX_BOUND)) this.error('ZL2023', entry.value.span, '`gas_per_mcu` must be from 1 to 2^50');
        else gasPerMcu = { value: v, span: entry.value.span };
      }
    }
    if (!/^[a-z]/.test(name)) name = `zi-${name}`;
    return { name, version: this.ast.version.value.toString(), description, priceLi: price?.li ?? 0n, sampleRate, memoryMb, gasPerMcu };
  }

  // --- types --------------------------------------------------------------------------------------

  resolveType(t: A.TypeExpr): Type {
    switch (t.kind) {
      case 'NamedType': {
        const name = t.name.name;
        const prim = PRIMITIVES[name];
        if (prim) return prim;
        if (name === 'u64' || name === 'i64') {
          this.error('ZL2012', t.span, `\`${name}\` is not supported yet`, { hint: 'use `u53`/`i53` (safe integers) or a pair of `u32`' });
          return T.error;
        }
        const alias = this.aliases.get(name);
        if (alias) {
          if (alias.type) return alias.type;
          if (alias.resolving) {
            this.error('ZL2002', t.span, `the type \`${name}\` is defined in terms of itself`, {
              hint: 'types cannot be recursive; use a bounded list',
            });
            return T.error;
          }
          alias.resolving = true;
          alias.type = this.resolveType(alias.decl.type);
          alias.resolving = false;
          return alias.type;
        }
        const known = [...Object.keys(PRIMITIVES), ...this.aliases.keys(), 'option', 'list', 'batch', 'bytes', 'image'];
        this.error('ZL2002', t.name.span, `there is no type \`${name}\``, { hint: didYouMean(name, known) });
        return T.error;
      }
      case 'OptionType': {
        const inner = this.resolveType(t.inner);
        if (inner.k === 'option') {
          this.error('ZL2032', t.span, '`option<option<…>>` is not supported', { hint: 'use a record with a `bool` field instead' });
          return T.error;
        }
        return { k: 'option', inner };
      }
      case 'ListType': {
        const element = this.resolveType(t.element);
        if (t.max === undefined) {
          // `union(parts: list<batch<R>>)`: the runtime merges two result sets at a time.
          if (this.openList) return { k: 'list', element, max: UNION_PARTS };
          this.error('ZL3003', t.span, 'a list needs its largest length: `list<T, max N>`', { hint: 'add `max N` with a constant N' });
          return T.error;
        }
        const max = this.constCount(t.max, 'the `max` of a list');
        return max === undefined ? T.error : { k: 'list', element, max };
      }
      case 'BatchType':
        return { k: 'batch', element: this.resolveType(t.element) };
      case 'BytesType': {
        const n = this.constCount(t.length, 'the length of `bytes<N>`');
        return n === undefined ? T.error : { k: 'bytes', n };
      }
      case 'ImageType':
        return { k: 'image', format: t.format };
      case 'ArrayType': {
        const element = this.resolveType(t.element);
        const n = this.constCount(t.length, 'the length of an array');
        return n === undefined ? T.error : { k: 'array', element, n };
      }
      case 'TupleType':
        return { k: 'tuple', elements: t.elements.map((e) => this.resolveType(e)) };
      case 'RecordType': {
        const seen = new Set<string>();
        const fields = [];
        for (const f of t.fields) {
          if (seen.has(f.name.name)) this.error('ZL2010', f.name.span, `the field \`${f.name.name}\` appears twice`);
          seen.add(f.name.name);
          fields.push({ name: f.name.name, type: this.resolveType(f.type) });
        }
        return { k: 'record', fields };
      }
    }
  }

  /** A non-negative integer constant (a length or bound), or undefined after reporting. */
  constCount(e: A.Expr, what: string): number | undefined {
    const v = this.fold(e, this.expr(e, T.u53));
    if (v === undefined || v.k !== 'int') {
      this.error('ZL3003', e.span, `${what} must be an integer constant`, { hint: 'write a number or the name of a `const`' });
      return undefined;
    }
    if (v.v < 0n || v.v > BigInt(MAX_BOUND)) {
      this.error('ZL3002', e.span, `${what} must be from 0 to 2^50, not ${v.v}`);
      return undefined;
    }
    return Number(v.v);
  }

  // --- constants ----------------------------------------------------------------------------------

  resolveConst(name: string): ConstInfo | undefined {
    const c = this.consts.get(name);
    if (!c) return undefined;
    if (c.info) return c.info;
    if (c.resolving) {
      this.error('ZL2020', c.decl.name.span, `the constant \`${name}\` depends on itself`);
      return undefined;
    }
    c.resolving = true;
    const declared = c.decl.type ? this.resolveType(c.decl.type) : undefined;
    const saved = this.scopes;
    const savedFn = this.fn;
    this.scopes = [];
    this.fn = undefined;
    const type = declared ? this.expect(c.decl.value, declared) : this.expr(c.decl.value);
    this.scopes = saved;
    this.fn = savedFn;
    const value = this.fold(c.decl.value, type);
    // A string constant is as long as its text, whatever its declared type says (for the cost of hashing it).
    const exact: Type | undefined = value?.k === 'string' ? { k: 'string', max: utf8Length(value.v) } : undefined;
    c.info = { name, type: exact ?? declared ?? type, decl: c.decl, value, js: `$${name}` };
    this.constOrder.push(c.info);
    c.resolving = false;
    return c.info;
  }

  /** The compile-time value of `e` (already checked, of type `t`), or undefined. */
  fold(e: A.Expr, t: Type): ConstValue | undefined {
    const known = this.constants.get(e);
    if (known) return known;
    const v = this.foldRaw(e, t);
    if (v) this.constants.set(e, v);
    return v;
  }

  foldRaw(e: A.Expr, t: Type): ConstValue | undefined {
    const x = e;
    switch (x.kind) {
      case 'Paren':
        return this.fold(x.expr, t);
      case 'Int':
      case 'Hex':
        if (t.k === 'f64') return { k: 'f64', v: Number(x.value), decimal: { num: x.value, scale: 0 } };
        return t.k === 'int' ? { k: 'int', v: x.value } : undefined;
      case 'Float': {
        const decimal = decimalOf(x.raw);
        return { k: 'f64', v: x.value, decimal };
      }
      case 'Imaginary':
        return { k: 'complex', re: 0, im: x.value };
      case 'Bool':
        return { k: 'bool', v: x.value };
      case 'String':
        return { k: 'string', v: x.value };
      case 'Name': {
        const target = this.names.get(x);
        return target?.kind === 'const' ? target.info.value : undefined;
      }
      case 'Unary': {
        const inner = this.fold(x.operand, this.types.get(x.operand) ?? t);
        if (!inner) return undefined;
        if (x.op === '-' && inner.k === 'int') return this.intInRange(-inner.v, t, e.span);
        if (x.op === '-' && inner.k === 'f64') return { k: 'f64', v: -inner.v, decimal: inner.decimal ? negate(inner.decimal) : undefined };
        if (x.op === '!' && inner.k === 'bool') return { k: 'bool', v: !inner.v };
        return undefined;
      }
      case 'Cast': {
        const from = this.types.get(x.expr);
        const inner = from ? this.fold(x.expr, from) : undefined;
        if (!inner) return undefined;
        if (t.k === 'f64' && inner.k === 'int') return { k: 'f64', v: Number(inner.v), decimal: { num: inner.v, scale: 0 } };
        if (t.k === 'int' && inner.k === 'int') return this.intInRange(inner.v, t, e.span);
        if (t.k === 'f64' && inner.k === 'f64') return inner;
        return undefined;
      }
      case 'Binary': {
        const lt = this.types.get(x.left);
        const rt = this.types.get(x.right);
        const l = lt ? this.fold(x.left, lt) : undefined;
        const r = rt ? this.fold(x.right, rt) : undefined;
        if (!l || !r) return undefined;
        if (l.k === 'int' && r.k === 'int' && t.k === 'int') {
          let v: bigint | undefined;
          switch (x.op) {
            case '+':
              v = l.v + r.v;
              break;
            case '-':
              v = l.v - r.v;
              break;
            case '*':
              v = l.v * r.v;
              break;
            case '/':
              v = r.v === 0n ? undefined : l.v / r.v;
              break;
            case '%':
              v = r.v === 0n ? undefined : l.v % r.v;
              break;
            case '<<':
              v = r.v < 0n || r.v > 52n ? undefined : l.v << r.v;
              break;
            case '>>':
              v = r.v < 0n || r.v > 52n ? undefined : l.v >> r.v;
              break;
            default:
              return undefined;
          }
          return v === undefined ? undefined : this.intInRange(v, t, e.span);
        }
        if (l.k === 'f64' && r.k === 'f64' && t.k === 'f64') {
          switch (x.op) {
            case '+':
              return { k: 'f64', v: l.v + r.v };
            case '-':
              return { k: 'f64', v: l.v - r.v };
            case '*':
              return { k: 'f64', v: l.v * r.v };
            case '/':
              return { k: 'f64', v: l.v / r.v };
            default:
              return undefined;
          }
        }
        if (l.k === 'string' && r.k === 'string' && x.op === '++') return { k: 'string', v: l.v + r.v };
        return undefined;
      }
      default:
        return undefined;
    }
  }

  intInRange(v: bigint, t: Type, span: Span): ConstValue | undefined {
    if (t.k !== 'int') return undefined;
    const r = INT_RANGE[t.name];
    if (v < BigInt(r.min) || v > BigInt(r.max)) {
      this.error('ZL2013', span, `${v} does not fit in \`${t.name}\` (${r.min} to ${r.max})`, {
        hint: 'use a wider integer type, or a smaller value',
      });
      return undefined;
    }
    return { k: 'int', v };
  }

  // --- functions ----------------------------------------------------------------------------------

  declareFunction(decl: A.FunctionDecl): void {
    const name = decl.name.name;
    const info: FnInfo = { decl, name, role: decl.role, params: [], result: T.error, js: `$${name}`, calls: [] };
    if (decl.role === 'fn' || decl.role === 'mcu') {
      if (this.fns.has(name) || BUILTIN_PARAMS[name] !== undefined) {
        this.error(
          'ZL2010',
          decl.name.span,
          `the function \`${name}\` is declared twice${BUILTIN_PARAMS[name] ? ' (it is a builtin)' : ''}`,
          {
            hint: 'rename it',
          },
        );
        return;
      }
      this.fns.set(name, info);
    }
    if (decl.role === 'mcu') {
      if (this.mcu)
        this.error('ZL2017', decl.name.span, 'a second `mcu`', { hint: 'a contract has exactly one MCU; make the other a `fn`' });
      else this.mcu = info;
    } else if (decl.role !== 'fn') {
      if (this.hooks[decl.role]) this.error('ZL2019', decl.name.span, `a second \`${decl.role}\` hook`);
      else this.hooks[decl.role] = info;
    }
    this.fnList.push(info);
  }

  checkSignatures(): void {
    for (const fn of this.fnList) {
      const used = new Set<string>();
      const params: LocalInfo[] = [];
      for (const p of fn.decl.params) {
        if (params.some((q) => q.name === p.name.name)) this.error('ZL2010', p.name.span, `the parameter \`${p.name.name}\` appears twice`);
        this.openList = fn.role === 'union';
        const local = this.makeLocal(used, p.name, this.resolveType(p.type), false);
        this.openList = false;
        params.push(local);
      }
      (fn as { params: readonly LocalInfo[] }).params = params;
      (fn as { result: Type }).result = this.resolveType(fn.decl.result);
      (fn as { used?: Set<string> }).used = used;
    }
    const mcu = this.mcu;
    const input = this.input;
    const result = mcu?.result ?? T.error;
    if (mcu) {
      const [param, extra] = mcu.params;
      if (param === undefined || extra !== undefined) {
        this.error('ZL2018', mcu.decl.name.span, 'the `mcu` takes exactly one parameter: the input', {
          hint: input ? `write \`mcu ${mcu.name}(${input.decl.name.name}: ${showType(input.type)}) -> …\`` : undefined,
        });
      } else if (input && !sameType(param.type, input.type)) {
        this.error(
          'ZL2018',
          param.decl.span,
          `the \`mcu\` parameter is \`${showType(param.type)}\` but the input is \`${showType(input.type)}\``,
          {
            labels: [{ span: input.decl.type.span, message: 'the input type' }],
          },
        );
      }
      if (result.k === 'image' || result.k === 'batch' || result.k === 'unit') {
        this.error('ZL2032', mcu.decl.result.span, `an MCU cannot return \`${showType(result)}\``, {
          hint: 'return numbers, records, lists or bytes',
        });
      }
    }
    const batch: Type = { k: 'batch', element: result.k === 'option' ? result.inner : result };
    const hook = (fn: FnInfo | undefined, params: Type[], results: Type[], shape: string): void => {
      if (!fn) return;
      const ok =
        fn.params.length === params.length &&
        fn.params.every((p, i) => sameType(p.type, params[i] ?? T.error)) &&
        results.some((r) => sameType(fn.result, r));
      if (!ok)
        this.error('ZL2019', fn.decl.name.span, `\`${fn.role}\` must be \`${shape}\``, {
          hint: 'hooks are generic over the MCU result type R',
        });
    };
    const r = showType(batch.k === 'batch' ? batch.element : T.error);
    hook(this.hooks.union, [{ k: 'list', element: batch, max: 0 }], [batch], `union(parts: list<batch<${r}>>) -> batch<${r}>`);
    hook(this.hooks.validate, [batch], [T.bool], `validate(b: batch<${r}>) -> bool`);
    hook(
      this.hooks.render,
      [batch],
      [{ k: 'image', format: 'rgb8' }, { k: 'image', format: 'gray8' }, PRIMITIVES.string ?? T.error],
      `render(b: batch<${r}>) -> image<rgb8> (or image<gray8>, or string)`,
    );
  }

  makeLocal(used: Set<string>, ident: A.Ident, type: Type, mutable: boolean, js?: string): LocalInfo {
    let name = js ?? `$${ident.name}`;
    if (js === undefined) {
      for (let n = 2; used.has(name); n++) name = `$${ident.name}_${n}`;
    }
    used.add(name);
    const local: LocalInfo = { name: ident.name, type, mutable, js: name, decl: ident };
    this.locals.set(ident, local);
    return local;
  }

  checkBody(fn: FnInfo): void {
    const used = (fn as { used?: Set<string> }).used ?? new Set<string>();
    this.fn = { info: fn, used, loops: 0, depth: 0, valueBlock: 0 };
    this.scopes = [{ names: new Map(fn.params.map((p) => [p.name, p])) }];
    const returns = this.block(fn.decl.body);
    if (!returns && fn.result.k !== 'unit') {
      const b = fn.decl.body.span;
      const end: Span = {
        start: Math.max(b.start, b.end - 1),
        end: b.end,
        line: b.endLine,
        column: Math.max(1, b.endColumn - 1),
        endLine: b.endLine,
        endColumn: b.endColumn,
      };
      this.error('ZL2015', end, `\`${fn.name}\` may reach its end without returning ${aType(fn.result)}`, {
        spanLabel: 'the end of the function',
        hint: 'end every path with `return …`; a loop may run to its end, so return after it too',
      });
    }
    this.fn = undefined;
    this.scopes = [];
  }

  checkRecursion(): void {
    const state = new Map<FnInfo, 'active' | 'done'>();
    const reported = new Set<FnInfo>();
    const stack: FnInfo[] = [];
    const visit = (fn: FnInfo): void => {
      state.set(fn, 'active');
      stack.push(fn);
      for (const { callee, site } of fn.calls) {
        const s = state.get(callee);
        if (s === 'active') {
          if (!reported.has(callee)) {
            reported.add(callee);
            const cycle = [...stack.slice(stack.indexOf(callee)), callee].map((f) => f.name);
            this.error(
              'ZL2026',
              site.callee.span,
              cycle.length === 2
                ? `\`${fn.name}\` calls itself`
                : `\`${callee.name}\` calls itself through ${cycle
                    .slice(1, -1)
                    .map((n) => `\`${n}\``)
                    .join(', ')}`,
              {
                spanLabel: 'this call closes the cycle',
                hint: 'Zi has no recursion, so the cost of every MCU is known before it runs; rewrite it as a loop with a bound',
                notes: [`the cycle: ${cycle.join(' → ')}`],
              },
            );
          }
        } else if (s === undefined) visit(callee);
      }
      stack.pop();
      state.set(fn, 'done');
    };
    for (const fn of this.fnList) if (!state.has(fn)) visit(fn);
  }

  // --- input space --------------------------------------------------------------------------------

  checkInput(decl: A.InputDecl): InputInfo | undefined {
    const type = this.resolveType(decl.type);
    if (type.k === 'error') return undefined;
    const space = decl.space;
    if (space.kind === 'RangeSpace') {
      if (type.k !== 'int') {
        this.error('ZL2027', decl.type.span, `a range input must be an integer type, not \`${showType(type)}\``);
        return undefined;
      }
      const from = this.fold(space.from, this.expect(space.from, type));
      const to = this.fold(space.to, this.expect(space.to, type));
      if (from?.k !== 'int' || to?.k !== 'int') {
        this.error('ZL2020', space.span, 'the ends of a range input must be integer constants');
        return undefined;
      }
      const count = to.v - from.v + (space.inclusive ? 1n : 0n);
      if (count <= 0n || count > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.error('ZL2027', space.span, `the range holds ${count <= 0n ? 'no' : count.toString()} inputs`, {
          hint: 'an input space holds from 1 to 2^53 - 1 inputs',
        });
        return undefined;
      }
      return { decl, type, count: Number(count), space: { kind: 'range', from: Number(from.v) } };
    }
    const axes: GridAxisInfo[] = [];
    const fieldType = (name: string, span: Span): Type | undefined => {
      if (type.k === 'complex') {
        if (name === 're' || name === 'im') return T.f64;
        this.error('ZL2027', span, `a complex grid has the axes \`re\` and \`im\`, not \`${name}\``);
        return undefined;
      }
      if (type.k === 'f64' && space.axes.length === 1) return T.f64;
      if (type.k === 'int' && space.axes.length === 1) return type;
      if (type.k === 'record') {
        const f = type.fields.find((x) => x.name === name);
        if (f && (f.type.k === 'f64' || f.type.k === 'int')) return f.type;
        this.error('ZL2027', span, `the input record has no number field \`${name}\``, {
          hint: didYouMean(
            name,
            type.fields.map((x) => x.name),
          ),
        });
        return undefined;
      }
      this.error(
        'ZL2027',
        decl.type.span,
        `a grid input must be \`complex\`, a record of numbers, or one number axis; not \`${showType(type)}\``,
      );
      return undefined;
    };
    let count = 1;
    for (const axis of space.axes) {
      const t = fieldType(axis.name.name, axis.name.span);
      if (axes.some((a) => a.name === axis.name.name)) this.error('ZL2010', axis.name.span, `the axis \`${axis.name.name}\` appears twice`);
      const from = this.decimalConst(axis.from);
      const to = this.decimalConst(axis.to);
      if (t === undefined || from === undefined || to === undefined) continue;
      const scale = Math.max(from.scale, to.scale);
      let n: bigint;
      let mul: bigint;
      let div: bigint;
      if (axis.step !== undefined) {
        const step = this.decimalConst(axis.step);
        if (step === undefined) continue;
        const s = Math.max(scale, step.scale);
        const F = rescale(from, s);
        const Tt = rescale(to, s);
        const S = rescale(step, s);
        if (S === 0n || (Tt - F) * S < 0n) {
          this.error('ZL2027', axis.step.span, `the step ${S === 0n ? 'is zero' : 'goes away from the end'}`, {
            hint: 'a step moves from `from` towards `to`: negative when `to` is below `from`',
          });
          continue;
        }
        const span = Tt - F;
        // Points from + k·step for k = 0, 1, …; `exclusive` leaves out a point that lands on `to`.
        n = axis.exclusive ? (span + S - (S > 0n ? 1n : -1n)) / S : span / S + 1n;
        mul = S;
        div = 10n ** BigInt(s);
      } else if (axis.count !== undefined) {
        const c = this.constCount(axis.count, 'the `count` of an axis');
        if (c === undefined) continue;
        n = BigInt(c);
        const span = rescale(to, scale) - rescale(from, scale);
        const parts = axis.exclusive ? n : n - 1n;
        mul = span;
        div = (parts === 0n ? 1n : parts) * 10n ** BigInt(scale);
      } else continue;
      if (n <= 0n) {
        this.error('ZL2027', axis.span, `the axis \`${axis.name.name}\` has no points`);
        continue;
      }
      if (t.k === 'int' && (div !== 1n || from.scale !== 0)) {
        this.error('ZL2027', axis.span, `the axis \`${axis.name.name}\` is an integer field but its points are not integers`);
        continue;
      }
      count *= Number(n);
      axes.push({ name: axis.name.name, count: Number(n), from: toNumber(from), mul: Number(mul), div: Number(div), type: t });
    }
    if (type.k === 'complex' && axes.length === 2 && new Set(axes.map((a) => a.name)).size !== 2) return undefined;
    if (type.k === 'complex' && axes.length !== 2 && axes.length === space.axes.length) {
      this.error('ZL2027', space.span, 'a complex grid has two axes, `re` and `im`');
      return undefined;
    }
    if (type.k === 'record' && axes.length === space.axes.length && axes.length !== type.fields.length) {
      this.error('ZL2027', space.span, 'a record grid needs one axis per field of the record');
      return undefined;
    }
    if (axes.length !== space.axes.length) return undefined;
    if (!Number.isSafeInteger(count)) {
      this.error('ZL2027', space.span, 'the grid holds more than 2^53 - 1 points');
      return undefined;
    }
    return { decl, type, count, space: { kind: 'grid', axes } };
  }

  /** An exact decimal constant: a literal, a negated one, or a `const` holding one. */
  decimalConst(e: A.Expr): Decimal | undefined {
    this.expr(e, T.f64);
    const x = unparen(e);
    let d: Decimal | undefined;
    if (x.kind === 'Float' || x.kind === 'Int') d = decimalOf(x.raw);
    else if (x.kind === 'Unary' && x.op === '-') {
      const inner = this.decimalConst(x.operand);
      d = inner ? negate(inner) : undefined;
      return d;
    } else if (x.kind === 'Name') {
      const target = this.names.get(x);
      if (target?.kind === 'const' && target.info.value?.k === 'f64') d = target.info.value.decimal;
      else if (target?.kind === 'const' && target.info.value?.k === 'int') d = { num: target.info.value.v, scale: 0 };
    }
    if (d === undefined) {
      this.error('ZL2020', e.span, 'grid bounds and steps must be decimal constants', {
        hint: 'write a number such as `-2.0` or `0.005`, or a `const` holding one',
      });
    }
    return d;
  }

  // --- statements ---------------------------------------------------------------------------------

  /** Checks a block in a new scope; true when every path through it returns. */
  block(b: A.Block, scope = true): boolean {
    if (scope) this.scopes.push({ names: new Map() });
    let returns = false;
    for (const s of b.statements) {
      if (this.stmt(s)) returns = true;
    }
    if (scope) this.scopes.pop();
    return returns;
  }

  lookup(name: string): LocalInfo | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const found = this.scopes[i]?.names.get(name);
      if (found) return found;
    }
    return undefined;
  }

  declare(ident: A.Ident, type: Type, mutable: boolean, js?: string): LocalInfo {
    const fn = this.fn;
    const scope = this.scopes[this.scopes.length - 1];
    if (!fn || !scope) throw new Error('declare outside a function');
    if (scope.names.has(ident.name)) {
      this.error('ZL2010', ident.span, `\`${ident.name}\` is already declared in this block`, {
        hint: 'choose another name, or assign to the `var` instead',
      });
    }
    const local = this.makeLocal(fn.used, ident, type, mutable, js);
    scope.names.set(ident.name, local);
    return local;
  }

  stmt(s: A.Stmt): boolean {
    switch (s.kind) {
      case 'Let': {
        const declared = s.type ? this.resolveType(s.type) : undefined;
        let type = declared ? this.expect(s.value, declared) : this.expr(s.value);
        if (declared) type = declared;
        // A string `var` may grow up to the string limit (joins past it trap).
        else if (s.mutable && type.k === 'string') type = { k: 'string', max: STRING_MAX };
        if (type.k === 'unit') this.error('ZL2003', s.value.span, 'this call gives no value to bind');
        if (type.k === 'batch' && s.mutable) this.error('ZL2009', s.span, 'a batch cannot be a `var`');
        this.declare(s.name, type, s.mutable);
        return false;
      }
      case 'Assign':
        this.assign(s);
        return false;
      case 'IfStmt': {
        this.condition(s.condition);
        const a = this.block(s.then);
        const b = s.else === undefined ? false : s.else.kind === 'Block' ? this.block(s.else) : this.stmt(s.else);
        return a && b;
      }
      case 'ForRange':
        this.forRange(s);
        return false;
      case 'ForEach':
        this.forEach(s);
        return false;
      case 'Break':
      case 'Continue':
        if (!this.fn || this.fn.depth === 0) {
          this.error('ZL2021', s.span, `\`${s.kind === 'Break' ? 'break' : 'continue'}\` outside a loop`);
        } else if (this.fn.valueBlock > 0) {
          this.error(
            'ZL4001',
            s.span,
            `\`${s.kind === 'Break' ? 'break' : 'continue'}\` inside an \`if\` used as a value is not supported`,
          );
        }
        return false;
      case 'Return': {
        const fn = this.fn;
        if (!fn) return true;
        if (fn.valueBlock > 0) this.error('ZL4001', s.span, '`return` inside an `if` used as a value is not supported');
        const result = fn.info.result;
        if (s.value === undefined) {
          if (result.k !== 'unit' && result.k !== 'error') {
            this.error('ZL2016', s.span, `\`${fn.info.name}\` must return ${aType(result)}`, { hint: 'write `return <value>`' });
          }
        } else {
          this.expect(s.value, result, `\`${fn.info.name}\` returns`);
        }
        return true;
      }
      case 'ExprStmt':
        this.expr(s.expr);
        return false;
    }
  }

  condition(e: A.Expr): void {
    const t = this.expr(e, T.bool);
    if (t.k !== 'bool' && t.k !== 'error') {
      this.error('ZL2030', e.span, `a condition must be a \`bool\`, not \`${showType(t)}\``, {
        hint: t.k === 'int' ? 'compare it: `x != 0`' : undefined,
      });
    }
  }

  assign(s: A.AssignStmt): void {
    const target = this.expr(s.target);
    let root: A.Expr = s.target;
    while (root.kind === 'Field' || root.kind === 'Index' || root.kind === 'TupleIndex' || root.kind === 'Paren') {
      root = root.kind === 'Paren' ? root.expr : root.target;
    }
    if (root.kind === 'Name') {
      const t = this.names.get(root);
      if (t?.kind === 'const') {
        this.error('ZL2009', s.target.span, `\`${root.name}\` is a constant`, { hint: 'declare a `var` to hold a value that changes' });
      } else if (t?.kind === 'local' && !t.local.mutable) {
        this.error(
          'ZL2009',
          s.target.span,
          `\`${root.name}\` cannot change: it is ${t.local.js.startsWith('__zi_') ? 'a loop variable' : 'declared with `let` (or a parameter)'}`,
          {
            hint: t.local.js.startsWith('__zi_') ? 'copy it into a `var` first' : `declare it with \`var ${root.name} = …\``,
            labels: [{ span: t.local.decl.span, message: 'declared here' }],
          },
        );
      }
    }
    if (s.target.kind === 'Index') {
      const container = this.types.get(s.target.target);
      if (container?.k === 'bytes' || container?.k === 'string')
        this.error('ZL2009', s.target.span, `the elements of \`${showType(container)}\` cannot change`);
    }
    if (s.op === '=') {
      this.expect(s.value, target);
      return;
    }
    const op = s.op.slice(0, -1) as A.BinaryOp;
    const result = this.binaryTypes(op, target, this.expr(s.value, target), s.value, s.span);
    if (result.k !== 'error' && target.k !== 'error' && !assignable(result, target)) {
      this.error('ZL2003', s.span, `\`${s.op}\` gives ${aType(result)}, which cannot be stored in ${aType(target)}`);
    }
  }

  loopBound(bound: number, span: Span): number {
    if (bound > MAX_BOUND) {
      this.error('ZL3002', span, `this loop may run ${bound} times, more than 2^50`, { hint: 'split the work over more MCUs' });
      return MAX_BOUND;
    }
    return bound;
  }

  loopMax(max: A.Expr | undefined): number | undefined {
    return max === undefined ? undefined : this.constCount(max, 'the `max` of a loop');
  }

  forRange(s: A.ForRangeStmt): void {
    const fn = this.fn;
    if (!fn) return;
    const fromLit = intLiteral(s.from);
    const toLit = intLiteral(s.to);
    let t: Type;
    if (fromLit !== undefined && toLit !== undefined) {
      t = fromLit < 0n ? T.i53 : T.u53;
      this.expect(s.from, t);
      this.expect(s.to, t);
    } else if (fromLit !== undefined) {
      t = this.expr(s.to);
      this.expect(s.from, t);
    } else {
      t = this.expr(s.from);
      this.expect(s.to, t);
    }
    if (t.k !== 'int' && t.k !== 'error') {
      this.error('ZL2003', s.from.span, `a range loop counts integers, not \`${showType(t)}\``);
      t = T.error;
    }
    const from = this.fold(s.from, t);
    const to = this.fold(s.to, t);
    const max = this.loopMax(s.max);
    let bound: number;
    let exact = false;
    let guard: number | undefined;
    if (from?.k === 'int' && to?.k === 'int') {
      const n = to.v - from.v + (s.inclusive ? 1n : 0n);
      bound = n < 0n ? 0 : n > BigInt(MAX_BOUND) ? MAX_BOUND + 1 : Number(n);
      exact = true;
      if (max !== undefined && max < bound) guard = max;
    } else if (max !== undefined) {
      bound = max;
      guard = max;
    } else {
      this.error('ZL3001', s.to.span, 'this loop has no bound known before it runs', {
        spanLabel: 'not a constant',
        hint: 'loop to a constant, or declare the most times it may run: `for i in a ..< n max 1000 { … }`',
        notes: ['every loop needs a bound so the cost of an MCU is known in advance (Zi has no `while`)'],
      });
      bound = 0;
    }
    if (guard !== undefined) bound = Math.min(bound, guard);
    bound = this.loopBound(bound, s.span);
    fn.loops++;
    const counter = `__zi_i${fn.loops}`;
    this.scopes.push({ names: new Map() });
    const binding = this.declare(s.binding, t, false, counter);
    this.loops.set(s, { bound, exact: exact && guard === undefined, guard, binding, counter, end: `__zi_e${fn.loops}` });
    fn.depth++;
    this.block(s.body, false);
    fn.depth--;
    this.scopes.pop();
  }

  forEach(s: A.ForEachStmt): void {
    const fn = this.fn;
    if (!fn) return;
    const it = this.expr(s.iterable);
    let element: Type = T.error;
    let natural: number | undefined;
    let exact = false;
    switch (it.k) {
      case 'list':
        element = it.element;
        natural = it.max;
        break;
      case 'array':
        element = it.element;
        natural = it.n;
        exact = true;
        break;
      case 'bytes':
        element = T.u8;
        natural = it.n;
        exact = true;
        break;
      case 'batch':
        element = entryType(it.element);
        natural = this.input?.count;
        break;
      case 'error':
        break;
      default:
        this.error('ZL2024', s.iterable.span, `cannot loop over ${aType(it)}`, {
          hint: 'loop over a list, an array, bytes or a batch; or over a range `a ..< b`',
        });
    }
    const max = this.loopMax(s.max);
    let bound = natural ?? max ?? 0;
    let guard: number | undefined;
    if (max !== undefined && max < bound) {
      bound = max;
      guard = max;
      exact = false;
    }
    bound = this.loopBound(bound, s.span);
    fn.loops++;
    this.scopes.push({ names: new Map() });
    const binding = this.declare(s.binding, element, false);
    this.loops.set(s, { bound, exact, guard, binding, counter: `__zi_i${fn.loops}`, end: `__zi_e${fn.loops}`, iterable: it });
    fn.depth++;
    this.block(s.body, false);
    fn.depth--;
    this.scopes.pop();
  }

  // --- expressions --------------------------------------------------------------------------------

  /** Checks `e` where a value of type `want` is needed, reporting a mismatch. */
  expect(e: A.Expr, want: Type, what?: string): Type {
    const got = this.expr(e, want);
    if (!assignable(got, want)) {
      const mixing = (got.k === 'int' && want.k === 'f64') || (got.k === 'f64' && want.k === 'int');
      this.error(mixing ? 'ZL2004' : 'ZL2003', e.span, `${what ? `${what} ` : 'expected '}${aType(want)}, but this is ${aType(got)}`, {
        hint: mixing ? `convert it: \`… as ${showType(want)}\`` : undefined,
      });
      return want;
    }
    return got;
  }

  expr(e: A.Expr, hint?: Type): Type {
    const t = this.exprRaw(e, hint);
    this.types.set(e, t);
    return t;
  }

  exprRaw(e: A.Expr, hint?: Type): Type {
    switch (e.kind) {
      case 'Paren':
        return this.expr(e.expr, hint);
      case 'Int':
      case 'Hex':
        return this.intLiteralType(e, e.value, hint);
      case 'Float':
        return T.f64;
      case 'Imaginary':
        return T.complex;
      case 'String':
        return { k: 'string', max: utf8Length(e.value) };
      case 'Bool':
        return T.bool;
      case 'None':
        if (hint?.k === 'option') return hint;
        this.error('ZL2031', e.span, 'cannot tell which `option` this `none` is', {
          hint: 'give the binding a type: `let x: option<u32> = none`',
        });
        return T.error;
      case 'Some': {
        const inner = this.expr(e.value, hint?.k === 'option' ? hint.inner : undefined);
        if (inner.k === 'option') this.error('ZL2032', e.span, '`option<option<…>>` is not supported');
        return { k: 'option', inner };
      }
      case 'Name':
        return this.name(e);
      case 'Unary':
        return this.unary(e, hint);
      case 'Binary':
        return this.binary(e, hint);
      case 'Cast':
        return this.cast(e);
      case 'Call':
        return this.call(e, hint);
      case 'Lambda':
        this.error('ZL2025', e.span, 'a lambda is only allowed as the argument of a builtin that takes a function', {
          hint: 'declare a `fn` and call it instead',
        });
        return T.error;
      case 'IfExpr':
        return this.ifExpr(e, hint);
      case 'Record':
        return this.record(e, hint);
      case 'Tuple': {
        const want = hint?.k === 'tuple' ? hint.elements : [];
        return { k: 'tuple', elements: e.elements.map((x, i) => this.expr(x, want[i])) };
      }
      case 'List': {
        const wantElem = hint?.k === 'list' || hint?.k === 'array' ? hint.element : undefined;
        let element = wantElem;
        for (const x of e.elements) {
          if (element === undefined) element = this.expr(x);
          else this.expect(x, element);
        }
        if (element === undefined) {
          this.error('ZL2031', e.span, 'cannot tell the element type of an empty list', {
            hint: 'give the binding a type: `let xs: list<u32, max 8> = []`',
          });
          return T.error;
        }
        if (hint?.k === 'array') {
          if (hint.n !== e.elements.length)
            this.error('ZL2003', e.span, `expected ${hint.n} elements for \`${showType(hint)}\`, found ${e.elements.length}`);
          return hint;
        }
        if (hint?.k === 'list') {
          if (e.elements.length > hint.max) this.error('ZL2003', e.span, `${e.elements.length} elements do not fit \`${showType(hint)}\``);
          return { k: 'list', element, max: e.elements.length };
        }
        return { k: 'array', element, n: e.elements.length };
      }
      case 'ArrayRepeat': {
        const element = this.expr(e.value, hint?.k === 'array' || hint?.k === 'list' ? hint.element : undefined);
        const n = this.constCount(e.count, 'the length of `[value; N]`');
        if (n === undefined) return T.error;
        if (isComposite(element))
          this.error('ZL4001', e.value.span, '`[value; N]` of records, tuples or arrays is not supported yet', { hint: 'use numbers' });
        return { k: 'array', element, n };
      }
      case 'Index': {
        const target = this.expr(e.target);
        const index = this.expr(e.index, T.u53);
        if (index.k !== 'int' && index.k !== 'error')
          this.error('ZL2024', e.index.span, `an index must be an integer, not \`${showType(index)}\``);
        switch (target.k) {
          case 'list':
          case 'array':
            return target.element;
          case 'bytes':
            return T.u8;
          case 'error':
            return T.error;
          default:
            this.error('ZL2024', e.target.span, `${aType(target)} has no elements to index`);
            return T.error;
        }
      }
      case 'Field': {
        const target = this.expr(e.target);
        const name = e.field.name;
        if (target.k === 'complex') {
          if (name === 're' || name === 'im') return T.f64;
          this.error('ZL2014', e.field.span, `a complex number has \`re\` and \`im\`, not \`${name}\``, {
            hint: didYouMean(name, ['re', 'im']),
          });
          return T.error;
        }
        if (target.k === 'record') {
          const f = target.fields.find((x) => x.name === name);
          if (f) return f.type;
          this.error('ZL2014', e.field.span, `\`${showType(target)}\` has no field \`${name}\``, {
            hint: didYouMean(
              name,
              target.fields.map((x) => x.name),
            ),
          });
          return T.error;
        }
        if (target.k === 'entry') {
          if (name === 'index') return T.u53;
          if (name === 'value') return target.value;
          this.error('ZL2014', e.field.span, `a batch entry has \`index\` and \`value\`, not \`${name}\``, {
            hint: didYouMean(name, ['index', 'value']),
          });
          return T.error;
        }
        if (target.k !== 'error') this.error('ZL2014', e.field.span, `${aType(target)} has no fields`);
        return T.error;
      }
      case 'TupleIndex': {
        const target = this.expr(e.target);
        if (target.k === 'tuple') {
          const el = target.elements[e.index];
          if (el) return el;
          this.error('ZL2014', e.indexSpan, `the tuple has ${target.elements.length} elements; there is no \`.${e.index}\``);
          return T.error;
        }
        if (target.k !== 'error') this.error('ZL2014', e.indexSpan, `${aType(target)} is not a tuple`);
        return T.error;
      }
    }
  }

  intLiteralType(e: A.Expr, value: bigint, hint?: Type): Type {
    if (hint?.k === 'f64' || hint?.k === 'complex') {
      if (value > 2n ** 53n) this.error('ZL2013', e.span, `${value} is not exact as an \`f64\``);
      return hint;
    }
    if (e.kind === 'Hex' && hint?.k === 'bytes') {
      if (e.digits.length !== hint.n * 2) {
        this.error('ZL2003', e.span, `\`bytes<${hint.n}>\` needs ${hint.n * 2} hex digits; this has ${e.digits.length}`);
      }
      return hint;
    }
    const t = hint?.k === 'int' ? hint : T.i53;
    this.intInRange(value, t, e.span);
    return t;
  }

  name(e: A.NameExpr): Type {
    const local = this.lookup(e.name);
    if (!local && e.name === 'challenge' && !this.consts.has(e.name)) {
      if (this.fn?.info.role !== 'validate') {
        this.error('ZL2001', e.span, '`challenge` exists only in `validate`', {
          hint: 'it is the seed the validator chose after the solver committed to its batch',
        });
        return T.error;
      }
      this.names.set(e, { kind: 'challenge' });
      return { k: 'string', max: CHALLENGE_LENGTH };
    }
    if (local) {
      this.names.set(e, { kind: 'local', local });
      return local.type;
    }
    const c = this.consts.has(e.name) ? this.resolveConst(e.name) : undefined;
    if (c) {
      this.names.set(e, { kind: 'const', info: c });
      return c.type;
    }
    if (this.consts.has(e.name)) return T.error;
    const known = [...this.scopes.flatMap((s) => [...s.names.keys()]), ...this.consts.keys()];
    const fnHint = this.fns.has(e.name) ? `\`${e.name}\` is a function: call it with \`${e.name}(…)\`` : undefined;
    this.error('ZL2001', e.span, `there is no \`${e.name}\` here`, { hint: fnHint ?? didYouMean(e.name, known) });
    return T.error;
  }

  unary(e: A.UnaryExpr, hint?: Type): Type {
    const lit = intLiteral(e);
    if (e.op === '-' && lit !== undefined) {
      const t = this.intLiteralType(e, lit, hint);
      this.types.set(e.operand, t);
      this.markLiteral(e.operand, t);
      return t;
    }
    const t = this.expr(e.operand, hint);
    if (t.k === 'error') return t;
    switch (e.op) {
      case '-':
        if (t.k === 'f64' || t.k === 'complex') return t;
        if (t.k === 'int' && (t.name === 'i32' || t.name === 'i53')) return t;
        this.error('ZL2005', e.span, `cannot negate ${aType(t)}`, {
          hint: t.k === 'int' ? 'unsigned integers have no negative values; convert to `i32` or `i53` first' : undefined,
        });
        return T.error;
      case '!':
        if (t.k === 'bool') return t;
        this.error('ZL2005', e.span, `\`!\` needs a \`bool\`, not \`${showType(t)}\``, {
          hint: t.k === 'int' ? 'for bits use `~`' : undefined,
        });
        return T.error;
      case '~':
        if (isBitInt(t)) return t;
        this.error('ZL2005', e.span, `\`~\` needs an integer of at most 32 bits, not \`${showType(t)}\``, {
          hint: t.k === 'bool' ? 'for a `bool` use `!`' : 'convert with `as u32` first',
        });
        return T.error;
    }
  }

  markLiteral(e: A.Expr, t: Type): void {
    let x = e;
    this.types.set(x, t);
    while (x.kind === 'Paren') {
      x = x.expr;
      this.types.set(x, t);
    }
    if (x.kind === 'Unary') this.markLiteral(x.operand, t);
  }

  binary(e: A.BinaryExpr, hint?: Type): Type {
    const numericHint = hint && (hint.k === 'int' || hint.k === 'f64' || hint.k === 'complex') ? hint : undefined;
    const comparison = ['==', '!=', '<', '<=', '>', '>='].includes(e.op);
    if (e.op === '&&' || e.op === '||') {
      this.condition(e.left);
      this.condition(e.right);
      return T.bool;
    }
    const passHint = comparison ? undefined : e.op === '++' ? hint : numericHint;
    const leftLit = intLiteral(e.left) !== undefined || unparen(e.left).kind === 'Float';
    const rightLit = intLiteral(e.right) !== undefined || unparen(e.right).kind === 'Float';
    let lt: Type;
    let rt: Type;
    if (e.op === '<<' || e.op === '>>') {
      if (leftLit) {
        // `1 << k`: a literal shifted takes the hinted type, else the shift amount's (or u32).
        rt = this.expr(e.right, T.u32);
        lt = this.expr(e.left, passHint ?? (isBitInt(rt) ? rt : T.u32));
      } else {
        lt = this.expr(e.left, passHint);
        rt = this.expr(e.right, T.u32);
      }
    } else if (leftLit && !rightLit) {
      rt = this.expr(e.right, passHint);
      lt = this.expr(e.left, rt.k === 'error' ? passHint : rt);
    } else {
      lt = this.expr(e.left, passHint);
      rt = this.expr(e.right, lt.k === 'error' || lt.k === 'unit' ? passHint : lt);
    }
    return this.binaryTypes(e.op, lt, rt, e, e.span);
  }

  binaryTypes(op: A.BinaryOp, lt: Type, rt: Type, at: { span: Span }, span: Span): Type {
    if (lt.k === 'error' || rt.k === 'error') return ['==', '!=', '<', '<=', '>', '>='].includes(op) ? T.bool : T.error;
    const mixed = (): Type => {
      this.error('ZL2004', span, `\`${op}\` between \`${showType(lt)}\` and \`${showType(rt)}\``, {
        hint: 'integers and floats do not mix implicitly: convert one side with `as`, e.g. `(n as f64)`',
      });
      return T.error;
    };
    const mismatch = (): Type => {
      if ((lt.k === 'int' && rt.k === 'f64') || (lt.k === 'f64' && rt.k === 'int')) return mixed();
      if (lt.k === 'int' && rt.k === 'int') {
        this.error('ZL2003', span, `\`${op}\` between different integer types \`${lt.name}\` and \`${rt.name}\``, {
          hint: `convert one side with \`as\`, e.g. \`… as ${lt.name}\``,
        });
        return T.error;
      }
      this.error('ZL2005', span, `\`${op}\` is not defined between \`${showType(lt)}\` and \`${showType(rt)}\``);
      return T.error;
    };
    switch (op) {
      case '+':
      case '-':
      case '*':
      case '/':
        if (lt.k === 'int' && rt.k === 'int') return lt.name === rt.name ? lt : mismatch();
        if (lt.k === 'f64' && rt.k === 'f64') return T.f64;
        if ((lt.k === 'complex' || lt.k === 'f64') && (rt.k === 'complex' || rt.k === 'f64')) return T.complex;
        if (lt.k === 'string' && rt.k === 'string' && op === '+') {
          this.error('ZL2005', span, 'strings are joined with `++`, not `+`');
          return T.error;
        }
        return mismatch();
      case '%':
        if (lt.k === 'int' && rt.k === 'int') return lt.name === rt.name ? lt : mismatch();
        if (lt.k === 'f64' && rt.k === 'f64') return T.f64;
        return mismatch();
      case '++':
        if (lt.k === 'string' && rt.k === 'string') return { k: 'string', max: Math.min(STRING_MAX, lt.max + rt.max) };
        if (lt.k === 'bytes' && rt.k === 'bytes') return { k: 'bytes', n: lt.n + rt.n };
        if ((lt.k === 'list' || lt.k === 'array') && (rt.k === 'list' || rt.k === 'array') && sameType(lt.element, rt.element)) {
          return { k: 'list', element: lt.element, max: (lt.k === 'list' ? lt.max : lt.n) + (rt.k === 'list' ? rt.max : rt.n) };
        }
        this.error('ZL2005', span, `\`++\` joins strings, bytes or lists, not \`${showType(lt)}\` and \`${showType(rt)}\``);
        return T.error;
      case '&':
      case '|':
      case '^':
        if (isBitInt(lt) && isBitInt(rt)) return lt.name === rt.name ? lt : mismatch();
        this.error('ZL2005', span, `\`${op}\` needs integers of at most 32 bits (u8, u16, u32, i32), not \`${showType(lt)}\``, {
          hint: lt.k === 'bool' ? `for booleans use \`${op}${op}\`` : 'convert with `as u32` first',
        });
        return T.error;
      case '<<':
      case '>>':
        if (!isBitInt(lt)) {
          this.error('ZL2005', span, `\`${op}\` needs an integer of at most 32 bits on the left, not \`${showType(lt)}\``, {
            hint: 'convert with `as u32` first',
          });
          return T.error;
        }
        if (rt.k !== 'int' || rt.name.startsWith('i')) {
          this.error('ZL2005', at.span, `the shift amount must be an unsigned integer, not \`${showType(rt)}\``);
          return T.error;
        }
        return lt;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (
          (lt.k === 'int' && rt.k === 'int' && lt.name === rt.name) ||
          (lt.k === 'f64' && rt.k === 'f64') ||
          (lt.k === 'string' && rt.k === 'string')
        ) {
          return T.bool;
        }
        mismatch();
        return T.bool;
      case '==':
      case '!=':
        if (lt.k === 'image' || lt.k === 'batch' || lt.k === 'unit') {
          this.error('ZL2005', span, `\`${showType(lt)}\` values cannot be compared`);
        } else if (
          !(
            sameType(lt, rt) ||
            (lt.k === 'list' && rt.k === 'list' && sameType(lt.element, rt.element)) ||
            (lt.k === 'string' && rt.k === 'string')
          )
        ) {
          mismatch();
        }
        return T.bool;
      default:
        return T.error;
    }
  }

  cast(e: A.CastExpr): Type {
    const to = this.resolveType(e.type);
    const lit = intLiteral(e.expr);
    const from = lit !== undefined && to.k === 'int' ? this.expr(e.expr, to) : this.expr(e.expr);
    if (from.k === 'error' || to.k === 'error') return to;
    const ok =
      (from.k === 'int' && (to.k === 'int' || to.k === 'f64')) ||
      (from.k === 'f64' && (to.k === 'int' || to.k === 'f64')) ||
      (from.k === 'bool' && to.k === 'int') ||
      sameType(from, to);
    if (!ok) {
      this.error('ZL2022', e.span, `cannot convert \`${showType(from)}\` to \`${showType(to)}\` with \`as\``, {
        hint:
          to.k === 'complex' && from.k === 'f64'
            ? 'build it with `complex(x, 0.0)`'
            : from.k === 'complex'
              ? 'take `.re` or `.im`'
              : to.k === 'bool'
                ? 'compare instead: `x != 0`'
                : undefined,
      });
    }
    return to;
  }

  ifExpr(e: A.IfExpr, hint?: Type): Type {
    this.condition(e.condition);
    if (e.else === undefined) {
      this.error('ZL2031', e.span, 'an `if` used as a value needs an `else`');
      return T.error;
    }
    const fn = this.fn;
    if (fn) fn.valueBlock++;
    const a = this.valueBlock(e.then, hint);
    const b = e.else.kind === 'Block' ? this.valueBlock(e.else, hint ?? a) : this.expr(e.else, hint ?? a);
    if (fn) fn.valueBlock--;
    if (a.k === 'error' || b.k === 'error') return a.k === 'error' ? b : a;
    if (sameType(a, b)) return a;
    if (a.k === 'list' && b.k === 'list' && sameType(a.element, b.element))
      return { k: 'list', element: a.element, max: Math.max(a.max, b.max) };
    if (a.k === 'string' && b.k === 'string') return { k: 'string', max: Math.max(a.max, b.max) };
    this.error('ZL2003', e.span, `the branches give different types: \`${showType(a)}\` and \`${showType(b)}\``);
    return T.error;
  }

  valueBlock(b: A.Block, hint?: Type): Type {
    this.scopes.push({ names: new Map() });
    const last = b.statements[b.statements.length - 1];
    for (const s of b.statements.slice(0, -1)) this.stmt(s);
    let t: Type = T.error;
    if (last?.kind === 'ExprStmt') t = this.expr(last.expr, hint);
    else {
      if (last) this.stmt(last);
      this.error('ZL2031', last?.span ?? b.span, 'a branch of an `if` used as a value must end with its value');
    }
    this.scopes.pop();
    return t;
  }

  record(e: A.RecordExpr, hint?: Type): Type {
    const want = hint?.k === 'record' ? hint : undefined;
    const fields = [];
    const seen = new Set<string>();
    for (const f of e.fields) {
      if (seen.has(f.name.name)) this.error('ZL2029', f.name.span, `the field \`${f.name.name}\` is given twice`);
      seen.add(f.name.name);
      const wantField = want?.fields.find((x) => x.name === f.name.name);
      if (want && !wantField) {
        this.error('ZL2029', f.name.span, `\`${showType(want)}\` has no field \`${f.name.name}\``, {
          hint: didYouMean(
            f.name.name,
            want.fields.map((x) => x.name),
          ),
        });
      }
      const t = wantField ? this.expect(f.value, wantField.type) : this.expr(f.value);
      fields.push({ name: f.name.name, type: wantField?.type ?? t });
    }
    if (want) {
      const missing = want.fields.filter((f) => !seen.has(f.name));
      if (missing.length > 0) {
        this.error('ZL2029', e.span, `missing field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `\`${f.name}\``).join(', ')}`);
      }
      return want;
    }
    return { k: 'record', fields };
  }

  /** `plot(b, shade: fn(r) => …)`: one pixel per result, at its place in the input grid. */
  plot(e: A.CallExpr, batch: A.Expr, shade: A.Expr, hint: Type | undefined): Type {
    const t = this.expr(batch);
    const image: Type = hint?.k === 'image' ? hint : { k: 'image', format: 'rgb8' };
    const pixel: Type = image.k === 'image' && image.format === 'gray8' ? T.u8 : { k: 'tuple', elements: [T.u8, T.u8, T.u8] };
    if (t.k !== 'batch') {
      if (t.k !== 'error') this.error('ZL2003', batch.span, `\`plot\` needs a batch, not ${aType(t)}`);
      return image;
    }
    const input = this.input;
    if (input && (input.space.kind !== 'grid' || input.space.axes.length > 2)) {
      this.error('ZL2027', e.span, '`plot` draws the points of a grid input with one or two axes', {
        hint: 'draw with `new_image` and `set_pixel` instead',
      });
    }
    const fn = this.fn;
    if (shade.kind !== 'Lambda' || shade.params.length !== 1 || !fn) {
      this.error('ZL2025', shade.span, '`shade` must be a function of one result: `fn(r) => …`');
      return image;
    }
    const [param] = shade.params;
    if (!param) return image;
    if (param.type !== undefined && !sameType(this.resolveType(param.type), t.element)) {
      this.error('ZL2003', param.span, `the results are ${aType(t.element)}`);
    }
    this.scopes.push({ names: new Map() });
    this.declare(param.name, t.element, false);
    fn.valueBlock++;
    this.expect(shade.body, pixel, `\`shade\` gives a pixel of \`${image.k === 'image' ? image.format : ''}\`:`);
    fn.valueBlock--;
    this.scopes.pop();
    this.types.set(shade, pixel);
    return image;
  }

  // --- calls --------------------------------------------------------------------------------------

  /** Positional and named arguments placed in parameter order; undefined after reporting. */
  placeArgs(e: A.CallExpr, params: readonly string[], required: number): (A.Expr | undefined)[] | undefined {
    const placed: (A.Expr | undefined)[] = params.map(() => undefined);
    let ok = true;
    let position = 0;
    for (const arg of e.args) {
      if (arg.name === undefined) {
        if (position >= params.length) {
          this.error('ZL2007', arg.span, `\`${e.callee.name}\` takes ${params.length} argument${params.length === 1 ? '' : 's'}, not more`);
          ok = false;
          break;
        }
        placed[position++] = arg.value;
      } else {
        const i = params.indexOf(arg.name.name);
        if (i < 0) {
          this.error('ZL2008', arg.name.span, `\`${e.callee.name}\` has no parameter \`${arg.name.name}\``, {
            hint: didYouMean(arg.name.name, params) ?? `its parameters are: ${params.join(', ')}`,
          });
          ok = false;
        } else if (placed[i] !== undefined) {
          this.error('ZL2008', arg.name.span, `\`${arg.name.name}\` is given twice`);
          ok = false;
        } else placed[i] = arg.value;
      }
    }
    const missing = params.slice(0, required).filter((_, i) => placed[i] === undefined);
    if (ok && missing.length > 0) {
      this.error('ZL2007', e.span, `\`${e.callee.name}\` is missing ${missing.map((m) => `\`${m}\``).join(', ')}`, {
        hint: `call it as \`${e.callee.name}(${params.slice(0, required).join(', ')})\``,
      });
      ok = false;
    }
    if (!ok) {
      for (const arg of e.args) this.expr(arg.value);
      return undefined;
    }
    return placed;
  }

  call(e: A.CallExpr, hint?: Type): Type {
    const name = e.callee.name;
    const fn = this.fns.get(name);
    if (fn) {
      const placed = this.placeArgs(
        e,
        fn.params.map((p) => p.name),
        fn.params.length,
      );
      if (!placed) return fn.result;
      const args = placed.map((a, i) => {
        const p = fn.params[i];
        if (a && p) this.expect(a, p.type);
        return a as A.Expr;
      });
      this.calls.set(e, { kind: 'fn', fn, args });
      this.fn?.info.calls.push({ callee: fn, site: e });
      return fn.result;
    }
    const rejected = REJECTED_BUILTINS[name];
    if (rejected !== undefined) {
      this.error('ZL2011', e.callee.span, `\`${name}\` is not available in Zi`, { hint: rejected });
      for (const a of e.args) this.expr(a.value);
      return T.error;
    }
    const params = BUILTIN_PARAMS[name];
    if (params === undefined) {
      if (name === 'union' || name === 'validate' || name === 'render') {
        this.error('ZL2006', e.callee.span, `the \`${name}\` hook cannot be called`);
      } else {
        this.error('ZL2006', e.callee.span, `there is no function \`${name}\``, {
          hint: didYouMean(name, [...this.fns.keys(), ...BUILTIN_NAMES]),
        });
      }
      for (const a of e.args) this.expr(a.value);
      return T.error;
    }
    return this.builtin(e, name, params, hint);
  }

  builtin(e: A.CallExpr, name: string, params: readonly string[], hint?: Type): Type {
    const required = name === 'set_pixel' ? 4 : params.length;
    const placed = this.placeArgs(e, params, required);
    if (!placed) return T.error;
    const args = placed.filter((a): a is A.Expr => a !== undefined);
    this.calls.set(e, { kind: 'builtin', name, args });
    const [a0, a1] = args;
    const bad = (arg: A.Expr, t: Type, want: string): Type => {
      if (t.k !== 'error') this.error('ZL2003', arg.span, `\`${name}\` needs ${want}, not \`${showType(t)}\``);
      return T.error;
    };
    switch (name) {
      case 'sqrt':
      case 'floor':
      case 'ceil':
      case 'round':
      case 'trunc': {
        const t = this.expr(a0 as A.Expr, T.f64);
        if (t.k !== 'f64') {
          if (t.k === 'int') {
            this.error('ZL2004', (a0 as A.Expr).span, `\`${name}\` works on \`f64\`, not \`${t.name}\``, {
              hint: `convert first: \`${name}(x as f64)\``,
            });
            return T.error;
          }
          return bad(a0 as A.Expr, t, 'an `f64`');
        }
        return T.f64;
      }
      case 'abs': {
        const t = this.expr(a0 as A.Expr, hint);
        if (t.k === 'complex') return T.f64;
        if (isNumeric(t)) return t;
        return bad(a0 as A.Expr, t, 'a number');
      }
      case 'min':
      case 'max': {
        const lit0 = intLiteral(a0 as A.Expr) !== undefined;
        const t0 = lit0 ? this.expr(a1 as A.Expr, hint) : this.expr(a0 as A.Expr, hint);
        const t1 = lit0 ? this.expr(a0 as A.Expr, t0) : this.expr(a1 as A.Expr, t0);
        if (!isNumeric(t0)) return bad(a0 as A.Expr, t0, 'numbers');
        if (!sameType(t0, t1)) return this.binaryTypes('+', t0, t1, e, e.span);
        return t0;
      }
      case 'abs2': {
        const t = this.expr(a0 as A.Expr, T.complex);
        return t.k === 'complex' ? T.f64 : bad(a0 as A.Expr, t, 'a `complex`');
      }
      case 'conj': {
        const t = this.expr(a0 as A.Expr, T.complex);
        return t.k === 'complex' ? T.complex : bad(a0 as A.Expr, t, 'a `complex`');
      }
      case 'complex':
        this.expect(a0 as A.Expr, T.f64);
        this.expect(a1 as A.Expr, T.f64);
        return T.complex;
      case 'clz32': {
        const t = this.expr(a0 as A.Expr, T.u32);
        if (t.k === 'int' && (t.name === 'u8' || t.name === 'u16' || t.name === 'u32')) return T.u32;
        return bad(a0 as A.Expr, t, 'an unsigned integer of at most 32 bits');
      }
      case 'len': {
        const t = this.expr(a0 as A.Expr);
        if (t.k === 'list' || t.k === 'array' || t.k === 'bytes' || t.k === 'string' || t.k === 'batch') return T.u53;
        return bad(a0 as A.Expr, t, 'a list, array, bytes, string or batch');
      }
      case 'sha256': {
        const t = this.expr(a0 as A.Expr);
        if (t.k === 'bytes' || t.k === 'string') return { k: 'bytes', n: 32 };
        return bad(a0 as A.Expr, t, '`bytes<N>` or a string');
      }
      case 'hex': {
        const t = this.expr(a0 as A.Expr);
        if (t.k === 'bytes') return { k: 'string', max: t.n * 2 };
        return bad(a0 as A.Expr, t, '`bytes<N>`');
      }
      case 'leading_zero_bits': {
        const t = this.expr(a0 as A.Expr);
        if (t.k === 'bytes') return T.u32;
        return bad(a0 as A.Expr, t, '`bytes<N>`');
      }
      case 'be_bytes8':
        this.expect(a0 as A.Expr, T.u53);
        return { k: 'bytes', n: 8 };
      case 'pad_left': {
        const t = this.expr(a0 as A.Expr);
        const w = this.constCount(a1 as A.Expr, 'the width of `pad_left`');
        if (t.k !== 'string') return bad(a0 as A.Expr, t, 'a string');
        return { k: 'string', max: Math.min(STRING_MAX, Math.max(t.max, w ?? 0)) };
      }
      case 'decimal': {
        const t = this.expr(a0 as A.Expr, T.u53);
        if (t.k !== 'int') return bad(a0 as A.Expr, t, 'an integer');
        return { k: 'string', max: decimalWidth(t) };
      }
      case 'new_image':
        this.expect(a0 as A.Expr, T.u53);
        this.expect(a1 as A.Expr, T.u53);
        return hint?.k === 'image' ? hint : { k: 'image', format: 'rgb8' };
      case 'set_pixel': {
        const img = this.expr(a0 as A.Expr);
        const channels = args.slice(3);
        if (img.k !== 'image') return bad(a0 as A.Expr, img, 'an image');
        const want = img.format === 'rgb8' ? 3 : 1;
        if (channels.length !== want) {
          this.error(
            'ZL2007',
            e.span,
            `\`set_pixel\` on an \`image<${img.format}>\` takes ${want === 3 ? 'r, g and b' : 'one gray value'} after x and y`,
          );
        }
        this.expect(args[1] as A.Expr, T.u53);
        this.expect(args[2] as A.Expr, T.u53);
        for (const c of channels) this.expect(c, T.u8);
        return T.unit;
      }
      case 'input':
        this.expect(a0 as A.Expr, T.u53);
        return this.input?.type ?? T.error;
      case 'concat': {
        const t = this.expr(a0 as A.Expr);
        if (t.k === 'list' && t.element.k === 'batch') return t.element;
        return bad(a0 as A.Expr, t, 'a list of batches');
      }
      case 'sample': {
        const t = this.expr(a0 as A.Expr);
        this.expect(a1 as A.Expr, T.f64);
        const seed = this.expr(args[2] as A.Expr);
        if (seed.k !== 'string') bad(args[2] as A.Expr, seed, 'a string seed (`challenge` in validate)');
        const rate = this.fold(a1 as A.Expr, T.f64);
        if (rate?.k === 'f64' && !(rate.v > 0 && rate.v <= 1))
          this.error('ZL2003', (a1 as A.Expr).span, '`rate` must be above 0 and at most 1');
        if (t.k !== 'batch') return bad(a0 as A.Expr, t, 'a batch');
        return { k: 'list', element: entryType(t.element), max: this.input?.count ?? 0 };
      }
      case 'plot':
        return this.plot(e, a0 as A.Expr, a1 as A.Expr, hint);
      case 'is_some':
      case 'unwrap':
      case 'unwrap_or': {
        const t = this.expr(a0 as A.Expr, hint ? { k: 'option', inner: hint } : undefined);
        if (t.k !== 'option') return bad(a0 as A.Expr, t, 'an `option`');
        if (name === 'unwrap_or') this.expect(a1 as A.Expr, t.inner);
        return name === 'is_some' ? T.bool : t.inner;
      }
      default:
        return T.error;
    }
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Checks a parsed contract: names, types, loop bounds, recursion, the input space and the hooks.
 * Never throws on bad source: every problem is a diagnostic (`ZL2xxx` types and names, `ZL3xxx`
 * loops and bounds). The program is returned even with errors, for tools that want what was
 * understood.
 *
 * @example
 * ```ts
 * const { ast } = parse(source, 'contract.zi');
 * if (ast) {
 *   const { program, diagnostics } = check(ast);
 * }
 * ```
 */
export function check(ast: A.Contract): CheckResult {
  const checker = new Checker(ast);
  try {
    const program = checker.run();
    return { program, diagnostics: checker.diagnostics };
  } catch (error) {
    const diagnostics: Diagnostic[] = [
      ...checker.diagnostics,
      {
        code: 'ZL9002',
        severity: 'error',
        message: `the checker failed: ${error instanceof Error ? error.message : String(error)}`,
        span: ast.name.span,
        hint: 'this is a bug in the Zi toolchain; please report it with the contract',
      },
    ];
    return {
      program: {
        ast,
        settings: {
          name: 'contract',
          version: '0',
          description: '',
          priceLi: 0n,
          sampleRate: undefined,
          memoryMb: undefined,
          gasPerMcu: undefined,
        },
        consts: [],
        functions: [],
        mcu: undefined,
        hooks: {},
        input: undefined,
        types: checker.types,
        names: checker.names,
        calls: checker.calls,
        loops: checker.loops,
        locals: checker.locals,
        constants: checker.constants,
      },
      diagnostics,
    };
  }
}

/** The meaning of every back-end code (for the README and tools). */
export { CHECK_CODES };
