/**
 * Exact decimal numbers for the input spaces: grid bounds and steps are written in decimal
 * (`step 0.01`), and counting the points of an axis with floats would be off by one now and then.
 * @module
 */

/** `num / 10^scale`, exactly, with `scale >= 0`. */
export interface Decimal {
  readonly num: bigint;
  readonly scale: number;
}

/**
 * The exact value of a number literal as written (`-2.0`, `0.005`, `1e-3`, `10_000`), or
 * `undefined` when the text is not a plain decimal number.
 *
 * @example
 * decimalOf('0.005'); // { num: 5n, scale: 3 }
 */
export function decimalOf(raw: string): Decimal | undefined {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw.replaceAll('_', ''));
  if (m === null) return undefined;
  const [, sign = '', whole = '0', fraction = '', exp = '0'] = m;
  let num = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - Number(exp);
  if (scale < 0) {
    num *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { num: sign === '-' ? -num : num, scale };
}

/** `-d`. */
export function negate(d: Decimal): Decimal {
  return { num: -d.num, scale: d.scale };
}

/** `d` written with `scale` decimals (`scale` at least `d.scale`). */
export function rescale(d: Decimal, scale: number): bigint {
  return d.num * 10n ** BigInt(scale - d.scale);
}

/** The JavaScript number nearest to `d` (what the literal means as an f64). */
export function toNumber(d: Decimal): number {
  if (d.scale === 0) return Number(d.num);
  const text = d.num < 0n ? `-${(-d.num).toString().padStart(d.scale + 1, '0')}` : d.num.toString().padStart(d.scale + 1, '0');
  return Number(`${text.slice(0, text.length - d.scale)}.${text.slice(text.length - d.scale)}`);
}

/** A JavaScript number literal for an exact value (`-2`, `0.5`, `1e21` stays exact as a string). */
export function jsNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}
