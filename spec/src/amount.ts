import { SpecError } from './errors.js';

/** Li per Zi: 1 Zi = 10^9 Li (AMT-1). */
export const LI_PER_ZI = 1_000_000_000n;
/** The largest amount the protocol carries: 2^64 - 1 Li (AMT-2). */
export const MAX_AMOUNT = (1n << 64n) - 1n;

// ASCII spaces and tabs only: a look-alike space or digit from another script is not an amount.
const AMOUNT_TEXT = /^[ \t]*([0-9]+)(?:\.([0-9]+))?[ \t]*(zi|li)?[ \t]*$/i;

/**
 * Parses an amount into Li, exactly. Accepts a plain integer (Li), `"10 Li"`, `"1.5 Zi"`; a
 * bigint or a safe non-negative integer number is taken as Li (AMT-3).
 *
 * @throws SpecError SPEC_AMOUNT_INVALID, SPEC_AMOUNT_NEGATIVE, SPEC_AMOUNT_FRACTIONAL_LI,
 * SPEC_AMOUNT_TOO_PRECISE, SPEC_AMOUNT_OVERFLOW
 * @example
 * parseAmount('1.5 Zi'); // 1_500_000_000n
 * parseAmount('10 Li');  // 10n
 * parseAmount(7n);       // 7n
 */
export function parseAmount(value: string | number | bigint): bigint {
  let li: bigint;
  if (typeof value === 'bigint') {
    li = value;
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new SpecError(
        'SPEC_AMOUNT_INVALID',
        `amount ${value} is not a whole number of Li`,
        'write amounts in Li as integers, or as a string such as "1.5 Zi"',
      );
    }
    li = BigInt(value);
  } else if (typeof value === 'string') {
    if (value.replace(/^[ \t]+/, '').startsWith('-')) {
      throw new SpecError('SPEC_AMOUNT_NEGATIVE', `amount "${value}" is negative`, 'amounts are never below zero');
    }
    const match = AMOUNT_TEXT.exec(value);
    if (!match) {
      throw new SpecError(
        'SPEC_AMOUNT_INVALID',
        `amount "${value}" is not an amount`,
        'write an integer number of Li ("10", "10 Li") or Zi with up to 9 decimals ("1.5 Zi")',
      );
    }
    const [, whole = '0', fraction = '', unit = 'li'] = match;
    if (unit.toLowerCase() === 'li') {
      if (fraction !== '' && /[1-9]/.test(fraction)) {
        throw new SpecError(
          'SPEC_AMOUNT_FRACTIONAL_LI',
          `amount "${value}" has a fraction of a Li`,
          'the Li is the smallest unit; round to a whole number of Li',
        );
      }
      li = BigInt(whole);
    } else {
      if (fraction.length > 9 && /[1-9]/.test(fraction.slice(9))) {
        throw new SpecError(
          'SPEC_AMOUNT_TOO_PRECISE',
          `amount "${value}" has more than 9 decimals of Zi`,
          '1 Li = 0.000000001 Zi is the smallest amount',
        );
      }
      li = BigInt(whole) * LI_PER_ZI + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
    }
  } else {
    throw new TypeError('parseAmount: value must be a string, number or bigint');
  }
  if (li < 0n) throw new SpecError('SPEC_AMOUNT_NEGATIVE', `amount ${li} Li is negative`, 'amounts are never below zero');
  if (li > MAX_AMOUNT) {
    throw new SpecError('SPEC_AMOUNT_OVERFLOW', `amount ${li} Li is above the maximum of ${MAX_AMOUNT} Li`, 'use a smaller amount');
  }
  return li;
}

/**
 * Formats Li for people: whole Zi with up to 9 decimals when at least 1 Zi, else Li.
 *
 * @example
 * formatAmount(1_500_000_000n); // '1.5 Zi'
 * formatAmount(10n);            // '10 Li'
 */
export function formatAmount(li: bigint): string {
  if (typeof li !== 'bigint') throw new TypeError('formatAmount: li must be a bigint');
  if (li < 0n) throw new RangeError('formatAmount: li must not be negative');
  if (li < LI_PER_ZI) return `${li} Li`;
  const whole = li / LI_PER_ZI;
  const fraction = (li % LI_PER_ZI).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? `${whole} Zi` : `${whole}.${fraction} Zi`;
}
