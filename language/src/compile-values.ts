/**
 * Shared rules of the compiler and the cost analysis for values that live in JavaScript objects:
 * when a value is copied (so a `var` never shares its object with anything else), and what
 * structural equality and copies cost.
 * @module
 */

import type * as A from './ast.js';
import type { CheckedProgram } from './check-model.js';
import type { Type } from './types.js';

/** True when values of `t` hold objects that Zi code can change in place (through a `var`). */
export function hasMutableShape(t: Type): boolean {
  switch (t.k) {
    case 'record':
    case 'tuple':
    case 'list':
    case 'array':
      return true;
    case 'option':
      return hasMutableShape(t.inner);
    case 'entry':
      return hasMutableShape(t.value);
    default:
      return false;
  }
}

/** True when `e` reads (a part of) a `var`: the only values that may change after they are read. */
export function isVarRooted(p: CheckedProgram, e: A.Expr): boolean {
  let x = e;
  for (;;) {
    if (x.kind === 'Paren') x = x.expr;
    else if (x.kind === 'Field' || x.kind === 'Index' || x.kind === 'TupleIndex') x = x.target;
    else break;
  }
  if (x.kind !== 'Name') return false;
  const target = p.names.get(x);
  return target?.kind === 'local' && target.local.mutable;
}

/**
 * True when the value of `e` must be copied where it is used as a whole: it is read from a `var`
 * and has objects inside that the `var` could later change. Uses that only look (field access,
 * indexing, `==`, builtins that do not keep their argument, `return`) pass `look: true`.
 */
export function needsCopy(p: CheckedProgram, e: A.Expr, look: boolean): boolean {
  if (look) return false;
  const t = p.types.get(e);
  return t !== undefined && hasMutableShape(t) && isVarRooted(p, e);
}

/** Builtins that only look at their arguments (they never keep them in what they return). */
export const LOOKING_BUILTINS: ReadonlySet<string> = new Set([
  'len',
  'sha256',
  'hex',
  'leading_zero_bits',
  'set_pixel',
  'is_some',
  'abs2',
  'conj',
  'abs',
  'min',
  'max',
]);

/** Gas of a structural copy of a value of type `t` (helpers with counted loops). */
export function copyGas(t: Type): number {
  switch (t.k) {
    case 'record':
      return 1 + t.fields.reduce((sum, f) => sum + (hasMutableShape(f.type) ? copyGas(f.type) : 0), 0);
    case 'tuple':
      return 1 + t.elements.reduce((sum, e) => sum + (hasMutableShape(e) ? copyGas(e) : 0), 0);
    case 'list':
      return 1 + t.max + t.max * (hasMutableShape(t.element) ? copyGas(t.element) : 0);
    case 'array':
      return 1 + t.n + t.n * (hasMutableShape(t.element) ? copyGas(t.element) : 0);
    case 'option':
      return hasMutableShape(t.inner) ? 1 + copyGas(t.inner) : 0;
    case 'entry':
      return hasMutableShape(t.value) ? 1 + copyGas(t.value) : 0;
    default:
      return 0;
  }
}

/** True when `==` on `t` is one JavaScript comparison (no helper call). */
export function isScalarEq(t: Type): boolean {
  return t.k === 'bool' || t.k === 'int' || t.k === 'f64' || t.k === 'string' || t.k === 'complex' || t.k === 'error';
}

/** Gas of `a == b` on values of type `t`. */
export function equalGas(t: Type): number {
  if (isScalarEq(t)) return 0;
  switch (t.k) {
    case 'record':
      return 1 + t.fields.reduce((sum, f) => sum + equalGas(f.type), 0);
    case 'tuple':
      return 1 + t.elements.reduce((sum, e) => sum + equalGas(e), 0);
    case 'list':
      return 1 + t.max + t.max * equalGas(t.element);
    case 'array':
      return 1 + t.n + t.n * equalGas(t.element);
    case 'bytes':
      return 1 + t.n;
    case 'option':
      return 1 + equalGas(t.inner);
    case 'entry':
      return 1 + equalGas(t.value);
    default:
      return 0;
  }
}
