/**
 * The checker's types: what a Zi type means once names are resolved. See the language README,
 * "Types, checking and cost", for the rules.
 * @module
 */

/** The fixed-width integer types, each a JavaScript number at run time. */
export type IntName = 'u8' | 'u16' | 'u32' | 'i32' | 'u53' | 'i53';

/** Inclusive range of each integer type. */
export const INT_RANGE: Readonly<Record<IntName, { readonly min: number; readonly max: number }>> = {
  u8: { min: 0, max: 255 },
  u16: { min: 0, max: 65_535 },
  u32: { min: 0, max: 4_294_967_295 },
  i32: { min: -2_147_483_648, max: 2_147_483_647 },
  u53: { min: 0, max: Number.MAX_SAFE_INTEGER },
  i53: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
};

/** Integer types whose values fit 32 bits: the ones bit operators accept. */
export const BIT_INTS: ReadonlySet<IntName> = new Set(['u8', 'u16', 'u32', 'i32']);

/** A resolved type. */
export type Type =
  | { readonly k: 'bool' }
  | { readonly k: 'int'; readonly name: IntName }
  | { readonly k: 'f64' }
  | { readonly k: 'complex' }
  /** Text, with the most characters it can hold (for the cost of hashing it). */
  | { readonly k: 'string'; readonly max: number }
  | { readonly k: 'bytes'; readonly n: number }
  | { readonly k: 'tuple'; readonly elements: readonly Type[] }
  | { readonly k: 'record'; readonly fields: readonly Field[] }
  | { readonly k: 'option'; readonly inner: Type }
  | { readonly k: 'list'; readonly element: Type; readonly max: number }
  | { readonly k: 'array'; readonly element: Type; readonly n: number }
  | { readonly k: 'batch'; readonly element: Type }
  /** One element of a batch: `.index` (u53) and `.value` (the MCU result). */
  | { readonly k: 'entry'; readonly value: Type }
  | { readonly k: 'image'; readonly format: 'gray8' | 'rgb8' }
  /** What a statement-like builtin call gives (`set_pixel`). */
  | { readonly k: 'unit' }
  /** Stands in after an error, so one mistake is reported once. */
  | { readonly k: 'error' };

/** One field of a record type. */
export interface Field {
  readonly name: string;
  readonly type: Type;
}

/** Shared instances of the simple types. */
export const T = {
  bool: { k: 'bool' },
  f64: { k: 'f64' },
  complex: { k: 'complex' },
  unit: { k: 'unit' },
  error: { k: 'error' },
  u8: { k: 'int', name: 'u8' },
  u16: { k: 'int', name: 'u16' },
  u32: { k: 'int', name: 'u32' },
  i32: { k: 'int', name: 'i32' },
  u53: { k: 'int', name: 'u53' },
  i53: { k: 'int', name: 'i53' },
} as const satisfies Record<string, Type>;

/** The element of a batch as the hooks see it: `.index: u53` and `.value: R`. */
export function entryType(value: Type): Type {
  return { k: 'entry', value };
}

/** The type as a person writes it, for messages. */
export function showType(t: Type): string {
  switch (t.k) {
    case 'int':
      return t.name;
    case 'string':
      return 'string';
    case 'bytes':
      return `bytes<${t.n}>`;
    case 'tuple':
      return `(${t.elements.map(showType).join(', ')})`;
    case 'record':
      return `{ ${t.fields.map((f) => `${f.name}: ${showType(f.type)}`).join(', ')} }`;
    case 'option':
      return `option<${showType(t.inner)}>`;
    case 'list':
      return `list<${showType(t.element)}, max ${t.max}>`;
    case 'array':
      return `[${showType(t.element)}; ${t.n}]`;
    case 'batch':
      return `batch<${showType(t.element)}>`;
    case 'entry':
      return `entry<${showType(t.value)}>`;
    case 'image':
      return `image<${t.format}>`;
    case 'unit':
      return 'nothing';
    case 'error':
      return '?';
    default:
      return t.k;
  }
}

/**
 * Structural type equality. Records match by field names and types whatever the order; strings
 * match whatever their length bound; `error` matches anything (it was reported already).
 */
export function sameType(a: Type, b: Type): boolean {
  if (a.k === 'error' || b.k === 'error') return true;
  switch (a.k) {
    case 'int':
      return b.k === 'int' && a.name === b.name;
    case 'bytes':
      return b.k === 'bytes' && a.n === b.n;
    case 'tuple':
      return (
        b.k === 'tuple' && a.elements.length === b.elements.length && a.elements.every((e, i) => sameType(e, b.elements[i] ?? T.error))
      );
    case 'record':
      return (
        b.k === 'record' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f) => {
          const g = b.fields.find((x) => x.name === f.name);
          return g !== undefined && sameType(f.type, g.type);
        })
      );
    case 'option':
      return b.k === 'option' && sameType(a.inner, b.inner);
    case 'list':
      return b.k === 'list' && sameType(a.element, b.element);
    case 'array':
      return b.k === 'array' && a.n === b.n && sameType(a.element, b.element);
    case 'batch':
      return b.k === 'batch' && sameType(a.element, b.element);
    case 'entry':
      return b.k === 'entry' && sameType(a.value, b.value);
    case 'image':
      return b.k === 'image' && a.format === b.format;
    default:
      return a.k === b.k;
  }
}

/**
 * True when a value of type `from` may be used where `to` is expected: the same type, a list
 * whose bound is within the expected one, or a string that fits.
 */
export function assignable(from: Type, to: Type): boolean {
  if (from.k === 'list' && to.k === 'list') return from.max <= to.max && sameType(from.element, to.element);
  if (from.k === 'string' && to.k === 'string') return from.max <= to.max || to.max === STRING_MAX;
  // A real number is a complex one with no imaginary part.
  if (from.k === 'f64' && to.k === 'complex') return true;
  return sameType(from, to);
}

/** The most characters a string may hold (joining longer ones traps): keeps the cost of hashing one bounded. */
export const STRING_MAX = 1 << 20;

/** Types held by reference at run time (objects, arrays): copied where a `var` could alias them. */
export function isComposite(t: Type): boolean {
  return t.k === 'tuple' || t.k === 'record' || t.k === 'list' || t.k === 'array' || t.k === 'option' || t.k === 'entry';
}

/** Integer element types stored in a typed array when they make up a fixed array. */
export function typedArrayOf(t: Type): string | undefined {
  if (t.k !== 'int') return undefined;
  switch (t.name) {
    case 'u8':
      return 'Uint8Array';
    case 'u16':
      return 'Uint16Array';
    case 'u32':
      return 'Uint32Array';
    case 'i32':
      return 'Int32Array';
    default:
      return undefined;
  }
}
