/**
 * The static worst-case gas bound: the most gas an MCU (or a hook) can use, in the runtime meter's
 * own units, so the bound is what the runtime enforces (`limits.gasPerMcu`).
 *
 * The meter charges 1 gas per function entry and per loop iteration; a counted loop (all Zi loops)
 * is charged its trip count when it starts and gets the iterations it did not run back when a
 * `return` or `break` leaves it early. The bound follows every path (path-aware):
 * - an `if` costs its condition plus the worse branch;
 * - a loop of at most N iterations costs N (charged on entry) plus N times the worst iteration
 *   that goes on to the next one, or, when it is left early, N - 1 such iterations plus the worst
 *   path to the `return`/`break`;
 * - a call costs 1 plus the callee's bound (no recursion, so callees are bounded first);
 * - builtins cost what their code does (`sha256` of n bytes: 1 + n + 129 per 64-byte block + 8);
 * - a trap (overflow, index out of bounds) may add the 1 gas of the trap function, once.
 *
 * Gas is counted as charged, never as refunded, so the bound holds at every point of the run (the
 * runtime stops an MCU the moment its gas goes below zero), not only at its end.
 * @module
 */

import type * as A from './ast.js';
import { unparen } from './check.js';
import type { CheckedProgram, FnInfo } from './check-model.js';
import { helperGas, SDK_CALL_GAS } from './compile-runtime.js';
import { copyGas, equalGas, LOOKING_BUILTINS, needsCopy } from './compile-values.js';
import { typedArrayOf } from './types.js';

/** Gas the SDK adds to every MCU: its `inputs.at` and `mcu` wrappers (one function entry each). */
export const SDK_MCU_GAS = 2;
/** Gas of the compiled `inputs.at` (one arrow function, O(1)). */
export const INPUT_GAS = 1;
/** Gas of the one trap an MCU can run before it stops. */
export const TRAP_GAS = 1;

/** Worst-case gas bounds of a contract. */
export interface CostReport {
  /** Per MCU: input, MCU and SDK wrappers; what `limits.gasPerMcu` is set to. */
  readonly mcu: number;
  /** Of one `render` over every result of the job, when there is one. */
  readonly render: number | undefined;
  /** Of the contract's own `validate` over one batch (the default sampled re-run not included). */
  readonly validate: number | undefined;
  /** Of the contract's own `union` merging two result sets, when it has one. */
  readonly union: number | undefined;
  /** Of each function (helpers, MCU, hooks) by name: one call, entry included. */
  readonly functions: Readonly<Record<string, number>>;
}

/** Gas along the ways out of a statement, relative to its start; -Infinity where there is none. */
interface Paths {
  /** On to the next statement. */
  readonly fall: number;
  readonly ret: number;
  readonly brk: number;
  readonly cont: number;
  /** The most gas used at any point inside. */
  readonly peak: number;
}

const NONE = Number.NEGATIVE_INFINITY;
const EMPTY: Paths = { fall: 0, ret: NONE, brk: NONE, cont: NONE, peak: 0 };

function straight(gas: number): Paths {
  return { fall: gas, ret: NONE, brk: NONE, cont: NONE, peak: gas };
}

function then(a: Paths, b: Paths): Paths {
  if (a.fall === NONE) return a;
  return {
    fall: a.fall + b.fall,
    ret: Math.max(a.ret, a.fall + b.ret),
    brk: Math.max(a.brk, a.fall + b.brk),
    cont: Math.max(a.cont, a.fall + b.cont),
    peak: Math.max(a.peak, a.fall + b.peak),
  };
}

function either(a: Paths, b: Paths): Paths {
  return {
    fall: Math.max(a.fall, b.fall),
    ret: Math.max(a.ret, b.ret),
    brk: Math.max(a.brk, b.brk),
    cont: Math.max(a.cont, b.cont),
    peak: Math.max(a.peak, b.peak),
  };
}

class Cost {
  readonly fnGas = new Map<FnInfo, number>();
  readonly active = new Set<FnInfo>();

  constructor(readonly p: CheckedProgram) {}

  fn(f: FnInfo): number {
    const known = this.fnGas.get(f);
    if (known !== undefined) return known;
    // A cycle only exists in a program with a recursion error; count it once.
    if (this.active.has(f)) return 0;
    this.active.add(f);
    const body = this.block(f.decl.body.statements);
    this.active.delete(f);
    const gas = 1 + Math.max(0, body.peak, body.fall, body.ret);
    this.fnGas.set(f, gas);
    return gas;
  }

  block(statements: readonly A.Stmt[]): Paths {
    let acc = EMPTY;
    for (const s of statements) {
      acc = then(acc, this.stmt(s));
      if (acc.fall === NONE) break;
    }
    return acc;
  }

  stmt(s: A.Stmt): Paths {
    switch (s.kind) {
      case 'Let':
        return straight(this.value(s.value));
      case 'Assign': {
        let gas = this.place(s.target) + this.value(s.value);
        if (s.op === '++=') gas += this.concat(this.p.types.get(s.target), this.p.types.get(s.value));
        return straight(gas);
      }
      case 'ExprStmt':
        return straight(this.expr(s.expr, false));
      case 'Return': {
        const gas = s.value ? this.expr(s.value, true) : 0;
        return { fall: NONE, ret: gas, brk: NONE, cont: NONE, peak: gas };
      }
      case 'Break':
        return { fall: NONE, ret: NONE, brk: 0, cont: NONE, peak: 0 };
      case 'Continue':
        return { fall: NONE, ret: NONE, brk: NONE, cont: 0, peak: 0 };
      case 'IfStmt': {
        const c = straight(this.expr(s.condition, false));
        const a = this.block(s.then.statements);
        const b = s.else === undefined ? EMPTY : s.else.kind === 'Block' ? this.block(s.else.statements) : this.stmt(s.else);
        return then(c, either(a, b));
      }
      case 'ForRange':
        return this.loop(s, this.expr(s.from, false) + this.expr(s.to, false), s.body.statements);
      case 'ForEach':
        return this.loop(s, this.expr(s.iterable, true), s.body.statements);
    }
  }

  loop(s: A.ForRangeStmt | A.ForEachStmt, head: number, body: readonly A.Stmt[]): Paths {
    const info = this.p.loops.get(s);
    const n = info?.bound ?? 0;
    if (n === 0) return straight(head);
    const b = this.block(body);
    // An iteration that goes on to the next one ends at the end of the body or at a `continue`.
    const iteration = Math.max(b.fall, b.cont);
    const before = head + n + (n - 1) * Math.max(0, iteration);
    const completes = iteration === NONE ? NONE : head + n + n * iteration;
    const fall = Math.max(completes, before + b.brk, info?.exact === true ? NONE : head);
    const ret = before + b.ret;
    return { fall, ret, brk: NONE, cont: NONE, peak: Math.max(before + b.peak, fall, ret) };
  }

  /** Gas of evaluating an assignment target (its indices). */
  place(e: A.Expr): number {
    const x = unparen(e);
    if (x.kind === 'Field' || x.kind === 'TupleIndex') return this.place(x.target);
    if (x.kind === 'Index') return this.place(x.target) + this.expr(x.index, false);
    return 0;
  }

  /** `e` used as a whole value: copied when read from a `var`. */
  value(e: A.Expr): number {
    const t = this.p.types.get(e);
    return this.expr(e, true) + (t && needsCopy(this.p, e, false) ? copyGas(t) : 0);
  }

  concat(a: unknown, b: unknown): number {
    const size = (t: unknown): number => {
      const x = t as { k?: string; n?: number; max?: number };
      return x.k === 'bytes' ? (x.n ?? 0) : x.k === 'list' ? (x.max ?? 0) : x.k === 'array' ? (x.n ?? 0) : 0;
    };
    const k = (a as { k?: string }).k;
    if (k === 'string') return 0;
    return helperGas(k === 'bytes' ? 'zi_catb' : 'zi_catl', size(a) + size(b));
  }

  expr(e: A.Expr, look: boolean): number {
    const t = this.p.types.get(e);
    const copy = !look && t !== undefined && needsCopy(this.p, e, false) ? copyGas(t) : 0;
    switch (e.kind) {
      case 'Paren':
        return this.expr(e.expr, look);
      case 'Int':
      case 'Hex':
      case 'Float':
      case 'Imaginary':
      case 'String':
      case 'Bool':
      case 'None':
      case 'Lambda':
        return 0;
      case 'Name':
        return copy;
      case 'Some':
        return this.value(e.value);
      case 'Unary':
        return this.expr(e.operand, false);
      case 'Cast':
        return this.expr(e.expr, false);
      case 'Binary': {
        const ops = this.expr(e.left, true) + this.expr(e.right, true);
        if (e.op === '==' || e.op === '!=') return ops + equalGas(this.p.types.get(e.left) ?? { k: 'error' });
        if (e.op === '++') return ops + this.concat(this.p.types.get(e.left), this.p.types.get(e.right));
        return ops;
      }
      case 'Call':
        return this.call(e);
      case 'IfExpr':
        return this.expr(e.condition, false) + Math.max(this.branch(e.then), e.else ? this.branch(e.else) : 0);
      case 'Record':
        return e.fields.reduce((sum, f) => sum + this.value(f.value), 0);
      case 'Tuple':
      case 'List':
        return e.elements.reduce((sum, x) => sum + this.value(x), 0);
      case 'ArrayRepeat': {
        const v = this.expr(e.value, false);
        if (t?.k !== 'array') return v;
        const zero = unparen(e.value).kind === 'Int' && (unparen(e.value) as A.IntLiteral).value === 0n;
        return v + (typedArrayOf(t.element) !== undefined && zero ? 0 : helperGas('zi_fill', t.n));
      }
      case 'Index':
        return this.expr(e.target, true) + this.expr(e.index, false) + copy;
      case 'Field':
      case 'TupleIndex':
        return this.expr(e.target, true) + copy;
    }
  }

  branch(b: A.Block | A.IfExpr): number {
    if (b.kind === 'IfExpr') return this.expr(b, false);
    const last = b.statements[b.statements.length - 1];
    const value = last?.kind === 'ExprStmt' ? this.value(last.expr) : 0;
    if (b.statements.length <= 1) return value;
    // A branch with statements runs in an arrow function: 1 for its entry.
    const body = this.block(b.statements.slice(0, -1));
    return 1 + Math.max(body.peak, body.fall + value);
  }

  call(e: A.CallExpr): number {
    const target = this.p.calls.get(e);
    if (!target) return 0;
    if (target.kind === 'fn') return target.args.reduce((sum, a) => sum + this.value(a), 0) + this.fn(target.fn);
    const args = target.args.reduce((sum, a) => sum + (LOOKING_BUILTINS.has(target.name) ? this.expr(a, true) : this.value(a)), 0);
    const argType = (i: number) => {
      const a = target.args[i];
      return a ? this.p.types.get(a) : undefined;
    };
    const size = (i: number): number => {
      const t = argType(i);
      return t?.k === 'bytes' ? t.n : t?.k === 'string' ? t.max : 0;
    };
    switch (target.name) {
      case 'sha256':
        return args + (argType(0)?.k === 'string' ? helperGas('zi_utf8', size(0)) : 0) + helperGas('zi_sha256', size(0));
      case 'hex':
        return args + helperGas('zi_hex', size(0));
      case 'leading_zero_bits':
        return args + helperGas('zi_lzb', size(0));
      case 'be_bytes8':
        return args + helperGas('zi_be8', 8);
      case 'pad_left': {
        const w = target.args[1];
        const width = w ? this.p.constants.get(w) : undefined;
        return args + helperGas('zi_pad', width?.k === 'int' ? Number(width.v) : 0);
      }
      case 'new_image':
      case 'set_pixel':
        return args + SDK_CALL_GAS;
      case 'input':
        return args + INPUT_GAS;
      case 'concat': {
        // Parts merged one by one: part p walks the p parts so far (each at most the input count).
        const parts = argType(0);
        const p = parts?.k === 'list' ? parts.max : 0;
        const value = parts?.k === 'list' && parts.element.k === 'batch' ? parts.element.element : undefined;
        const count = this.p.input?.count ?? 0;
        const steps = (count * p * (p + 1)) / 2;
        return args + 1 + p + steps + count * (1 + (value ? equalGas(value) : 0));
      }
      case 'sample': {
        const count = this.p.input?.count ?? 0;
        const seed = argType(2);
        return args + 1 + (seed?.k === 'string' ? seed.max : 0) + 2 * count;
      }
      case 'plot': {
        const shade = target.args[1];
        const count = this.p.input?.count ?? 0;
        const body = shade?.kind === 'Lambda' ? this.value(shade.body) : 0;
        // zi_plot and createImage, then per result: an iteration, the shade call, setPixel.
        return args + 1 + SDK_CALL_GAS + count * (1 + 1 + body + SDK_CALL_GAS);
      }
      default:
        return args;
    }
  }
}

/**
 * The worst-case gas bounds of a checked contract, in the runtime meter's units.
 *
 * @example
 * ```ts
 * const { program } = check(ast);
 * costOf(program).mcu; // 2006 for the Mandelbrot template: 2000 iterations and 6 function entries
 * ```
 */
export function costOf(program: CheckedProgram): CostReport {
  const cost = new Cost(program);
  const functions: Record<string, number> = {};
  for (const f of program.functions) functions[f.name] = cost.fn(f);
  const mcu = program.mcu ? SDK_MCU_GAS + INPUT_GAS + cost.fn(program.mcu) + TRAP_GAS : 0;
  const render = program.hooks.render ? cost.fn(program.hooks.render) + TRAP_GAS : undefined;
  const validate = program.hooks.validate ? 1 + cost.fn(program.hooks.validate) + TRAP_GAS : undefined;
  // The compiled union is an arrow that calls the contract's: one more entry.
  const union = program.hooks.union ? 1 + cost.fn(program.hooks.union) + TRAP_GAS : undefined;
  return { mcu, render, validate, union, functions };
}
