/**
 * The builtin functions of Zi: their parameters and result types. How each is compiled is in
 * `compile-builtins.ts`; what each costs in `cost.ts`.
 * @module
 */

import { BIT_INTS, type IntName, type Type } from './types.js';

/** A builtin's parameter names, in order (a call may name them: `set_pixel(img, x: 1, …)`). */
export const BUILTIN_PARAMS: Readonly<Record<string, readonly string[]>> = {
  sqrt: ['x'],
  floor: ['x'],
  ceil: ['x'],
  round: ['x'],
  trunc: ['x'],
  abs: ['x'],
  min: ['a', 'b'],
  max: ['a', 'b'],
  abs2: ['z'],
  conj: ['z'],
  complex: ['re', 'im'],
  clz32: ['x'],
  len: ['of'],
  sha256: ['data'],
  hex: ['data'],
  leading_zero_bits: ['data'],
  be_bytes8: ['n'],
  decimal: ['n'],
  pad_left: ['text', 'width'],
  new_image: ['width', 'height'],
  set_pixel: ['image', 'x', 'y', 'r', 'g', 'b'],
  input: ['index'],
  concat: ['parts'],
  sample: ['batch', 'rate', 'seed'],
  plot: ['batch', 'shade'],
  is_some: ['value'],
  unwrap: ['value'],
  unwrap_or: ['value', 'default'],
};

/** Float functions left out on purpose, with what to do instead. */
export const REJECTED_BUILTINS: Readonly<Record<string, string>> = {
  sin: 'trigonometric functions are not correctly rounded, so engines may disagree in the last bit; precompute a table, or use a polynomial written with + - * /',
  cos: 'trigonometric functions are not correctly rounded, so engines may disagree in the last bit; precompute a table, or use a polynomial written with + - * /',
  tan: 'trigonometric functions are not correctly rounded, so engines may disagree in the last bit; precompute a table, or use a polynomial written with + - * /',
  asin: 'inverse trigonometric functions are not correctly rounded; write a polynomial with + - * /',
  acos: 'inverse trigonometric functions are not correctly rounded; write a polynomial with + - * /',
  atan: 'inverse trigonometric functions are not correctly rounded; write a polynomial with + - * /',
  atan2: 'inverse trigonometric functions are not correctly rounded; write a polynomial with + - * /',
  sinh: 'hyperbolic functions are not correctly rounded; write them with + - * / and a bounded loop',
  cosh: 'hyperbolic functions are not correctly rounded; write them with + - * / and a bounded loop',
  tanh: 'hyperbolic functions are not correctly rounded; write them with + - * / and a bounded loop',
  exp: '`exp` is not correctly rounded, so engines may disagree in the last bit; use a bounded series with + - * /',
  expm1: '`expm1` is not correctly rounded; use a bounded series with + - * /',
  log: '`log` is not correctly rounded; for integers `31 - clz32(n)` is the exact floor of log2(n)',
  log2: '`log2` is not correctly rounded; for integers `31 - clz32(n)` is the exact floor of log2(n)',
  log10: '`log10` is not correctly rounded; count decimal digits with a bounded loop instead',
  log1p: '`log1p` is not correctly rounded; use a bounded series with + - * /',
  pow: '`pow` is not correctly rounded: multiply (`x * x`), or shift for powers of two (`1 << k`)',
  cbrt: '`cbrt` is not correctly rounded; use Newton steps with + - * / in a bounded loop',
  hypot: '`hypot` is not correctly rounded; use `sqrt(x * x + y * y)`',
  random: 'contracts are deterministic: derive numbers from the input or the index',
};

/** Names of every builtin (for "did you mean"). */
export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTIN_PARAMS);

/** True for an integer type whose values fit 32 bits. */
export function isBitInt(t: Type): t is { k: 'int'; name: IntName } {
  return t.k === 'int' && BIT_INTS.has(t.name);
}

/** True for a number type (integer or f64). */
export function isNumeric(t: Type): boolean {
  return t.k === 'int' || t.k === 'f64';
}

/** The most decimal characters an integer of this type prints with (`decimal(n)`). */
export function decimalWidth(t: Type): number {
  if (t.k !== 'int') return 17;
  switch (t.name) {
    case 'u8':
      return 3;
    case 'u16':
      return 5;
    case 'u32':
      return 10;
    case 'i32':
      return 11;
    case 'u53':
      return 16;
    case 'i53':
      return 17;
  }
}
