/**
 * The checker's, cost analysis' and compiler's diagnostic codes, each with a one-line meaning.
 * Codes are stable: once published a code keeps its meaning (the front end's codes are in
 * `SYNTAX_CODES`; the language README lists them all).
 * @module
 */

/** Codes of the back end: `ZL2xxx` names and types, `ZL3xxx` loops and cost, `ZL4xxx` compiler. */
export const CHECK_CODES = {
  ZL2001: 'an unknown name',
  ZL2002: 'an unknown type',
  ZL2003: 'a value of the wrong type',
  ZL2004: 'integers and floats mixed without `as`',
  ZL2005: 'an operator that the operand types do not support',
  ZL2006: 'a call of an unknown function',
  ZL2007: 'a call with the wrong number of arguments',
  ZL2008: 'an unknown or repeated named argument',
  ZL2009: 'an assignment to something that cannot change',
  ZL2010: 'a name declared twice',
  ZL2011: 'a float function whose result may differ between engines (`sin`, `exp`, `pow`, …)',
  ZL2012: 'a type that is not supported yet (`u64`, `i64`)',
  ZL2013: 'an integer that does not fit its type',
  ZL2014: 'an unknown field',
  ZL2015: 'a function that may end without returning its value',
  ZL2016: 'a `return` without the value the function promises, or with one it does not',
  ZL2017: 'the contract has no `mcu`, or more than one',
  ZL2018: 'the contract has no `input`, or the `mcu` parameter does not match it',
  ZL2019: 'a hook (`union`, `validate`, `render`) with the wrong signature, or declared twice',
  ZL2020: 'a value that must be known when compiling is not',
  ZL2021: '`break` or `continue` outside a loop',
  ZL2022: 'a conversion with `as` that is not allowed',
  ZL2023: 'an unknown `meta` key or a bad `meta` value',
  ZL2024: 'indexing something that has no elements, or with a non-integer',
  ZL2025: 'a lambda where no function argument is expected',
  ZL2026: 'recursion: a function that calls itself, directly or through others',
  ZL2027: 'an input space that is empty, malformed or does not fit the input type',
  ZL2028: 'the contract has no `price`, or more than one `meta` or `price`',
  ZL2029: 'a record value whose fields do not match its type',
  ZL2030: 'a condition that is not a `bool`',
  ZL2031: 'a value whose type cannot be worked out here',
  ZL2032: 'a type that cannot be an MCU result or hook value here',
  ZL3001: 'a loop with no bound known before it runs',
  ZL3002: 'a loop bound or gas bound above the limit of 2^50',
  ZL3003: 'a `max` bound that is not a non-negative integer constant',
  ZL3004: 'a `gas_per_mcu` limit below the proven bound (a note: MCUs may run out of gas), or not below it (a warning)',
  ZL4001: 'a construct the compiler does not support yet',
  ZL9002: 'an internal error of the checker or compiler (please report it)',
} as const;

/** A code of {@link CHECK_CODES}. */
export type CheckCode = keyof typeof CHECK_CODES;
