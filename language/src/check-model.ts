/**
 * What the checker learns about a contract: resolved names, types and loop bounds in side tables
 * keyed by AST node, for the cost analysis and the compiler.
 * @module
 */

import type * as A from './ast.js';
import type { Decimal } from './decimal.js';
import type { Diagnostic, Span } from './diagnostics.js';
import type { Type } from './types.js';

/** A constant folded at compile time. */
export type ConstValue =
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'f64'; readonly v: number; readonly decimal?: Decimal | undefined }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'string'; readonly v: string }
  | { readonly k: 'complex'; readonly re: number; readonly im: number };

/** A local binding: parameter, `let`, `var` or loop variable. */
export interface LocalInfo {
  readonly name: string;
  readonly type: Type;
  readonly mutable: boolean;
  /** Its JavaScript name, unique inside its function (`$x`, `$x_2`, `__zi_i1` for a range loop's counter). */
  readonly js: string;
  readonly decl: A.Ident;
}

/** A `const` of the contract. */
export interface ConstInfo {
  readonly name: string;
  readonly type: Type;
  readonly decl: A.ConstDecl;
  /** The folded value, when the expression could be computed while compiling. */
  readonly value: ConstValue | undefined;
  readonly js: string;
}

/** A function of the contract: a helper, the MCU or a hook. */
export interface FnInfo {
  readonly decl: A.FunctionDecl;
  readonly name: string;
  readonly role: A.FunctionRole;
  readonly params: readonly LocalInfo[];
  readonly result: Type;
  readonly js: string;
  /** Calls of other functions of the contract, for the recursion check and the cost order. */
  readonly calls: { readonly callee: FnInfo; readonly site: A.CallExpr }[];
}

/** What a call calls. */
export type CallTarget =
  | { readonly kind: 'fn'; readonly fn: FnInfo; readonly args: readonly A.Expr[] }
  /** A builtin, its arguments in parameter order (named ones placed). */
  | { readonly kind: 'builtin'; readonly name: string; readonly args: readonly A.Expr[] };

/** What a name used in an expression refers to. */
export type NameTarget =
  | { readonly kind: 'local'; readonly local: LocalInfo }
  | { readonly kind: 'const'; readonly info: ConstInfo }
  /** `challenge` in `validate`: the validator's seed. */
  | { readonly kind: 'challenge' };

/** A loop and its bound. */
export interface LoopInfo {
  /** The most iterations it can run. */
  readonly bound: number;
  /** The trip count is known while compiling (a range of constants, a fixed array). */
  readonly exact: boolean;
  /** A `max N` the loop checks when it starts (it traps when it would run more than N times). */
  readonly guard: number | undefined;
  /** The loop variable. */
  readonly binding: LocalInfo;
  /** Reserved counter and end names of the emitted counted loop. */
  readonly counter: string;
  readonly end: string;
  /** The type iterated over (`for x in list`). */
  readonly iterable?: Type | undefined;
}

/** One axis of a grid input: point k is `from + (k * mul) / div`. */
export interface GridAxisInfo {
  readonly name: string;
  readonly count: number;
  readonly from: number;
  readonly mul: number;
  readonly div: number;
  readonly type: Type;
}

/** The input space. */
export interface InputInfo {
  readonly decl: A.InputDecl;
  readonly type: Type;
  readonly count: number;
  readonly space: { readonly kind: 'range'; readonly from: number } | { readonly kind: 'grid'; readonly axes: readonly GridAxisInfo[] };
}

/** Contract-level settings from `meta`, `price` and the header. */
export interface ContractSettings {
  /** Lower-case name for the manifest (`Mandelbrot` becomes `mandelbrot`). */
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly priceLi: bigint;
  readonly sampleRate: number | undefined;
  readonly memoryMb: number | undefined;
  /**
   * A gas limit per MCU the author chose below the proven bound (`meta { gas_per_mcu = … }`): the
   * runtime enforces it, and an MCU that needs more runs out of gas.
   */
  readonly gasPerMcu: { readonly value: number; readonly span: Span } | undefined;
}

/** A checked contract: the AST with resolved names, types and bounds. */
export interface CheckedProgram {
  readonly ast: A.Contract;
  readonly settings: ContractSettings;
  readonly consts: readonly ConstInfo[];
  readonly functions: readonly FnInfo[];
  readonly mcu: FnInfo | undefined;
  readonly hooks: { readonly union?: FnInfo; readonly validate?: FnInfo; readonly render?: FnInfo };
  readonly input: InputInfo | undefined;
  readonly types: WeakMap<A.Expr, Type>;
  readonly names: WeakMap<A.NameExpr, NameTarget>;
  readonly calls: WeakMap<A.CallExpr, CallTarget>;
  readonly loops: WeakMap<A.ForRangeStmt | A.ForEachStmt, LoopInfo>;
  readonly locals: WeakMap<A.Ident, LocalInfo>;
  /** Folded constant values of expressions that are compile-time constants. */
  readonly constants: WeakMap<A.Expr, ConstValue>;
}

/** What {@link check} returns. */
export interface CheckResult {
  readonly program: CheckedProgram;
  readonly diagnostics: readonly Diagnostic[];
}
