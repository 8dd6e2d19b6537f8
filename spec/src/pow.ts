/**
 * Proof of work arithmetic (POW-1 … POW-5). Everything is integer arithmetic on bigints, so
 * every implementation gets the same bits.
 */

/** Difficulty is carried in units of 2^-16 leading zero bits (POW-2): `D = 65536` is one bit. */
export const DIFFICULTY_ONE = 65_536;
/** The hardest difficulty a header may carry: 255 bits. */
export const MAX_DIFFICULTY = 255 * DIFFICULTY_ONE;

/** Fixed-point precision of the fractional power of two (POW-3). */
const PRECISION = 320n;
const FIXED_ONE = 1n << PRECISION;

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** ROOTS[j] = floor(2^(-2^-(j+1)) · 2^320): 2^-1/2, 2^-1/4, …, 2^-1/65536, by repeated integer square roots. */
const ROOTS: bigint[] = (() => {
  const roots: bigint[] = [];
  let value = FIXED_ONE >> 1n; // 2^-1
  for (let j = 0; j < 16; j++) {
    value = isqrt(value << PRECISION);
    roots.push(value);
  }
  return roots;
})();

/**
 * The target of a difficulty (POW-3): `floor(2^(256 - D / 65536))`, computed as
 * `2^(256 - q)` times `2^(-f / 65536)` for `D = 65536 q + f`, the fraction as the product of the
 * fixed-point roots for the set bits of `f` from the highest, truncating to 320 fractional bits
 * after each product, and the result truncated to an integer.
 *
 * @example
 * targetOf(0);              // 2n ** 256n
 * targetOf(8 * 65536);      // 2n ** 248n
 */
export function targetOf(difficulty: number): bigint {
  if (!Number.isSafeInteger(difficulty) || difficulty < 0 || difficulty > MAX_DIFFICULTY) {
    throw new RangeError(`targetOf: difficulty must be an integer from 0 to ${MAX_DIFFICULTY}`);
  }
  const whole = BigInt(Math.floor(difficulty / DIFFICULTY_ONE));
  const fraction = difficulty % DIFFICULTY_ONE;
  let factor = FIXED_ONE;
  for (let bit = 15; bit >= 0; bit--) {
    if ((fraction >> bit) & 1) factor = (factor * (ROOTS[15 - bit] as bigint)) >> PRECISION;
  }
  return ((1n << (256n - whole)) * factor) >> PRECISION;
}

/** The 32-byte proof-of-work hash read as a big-endian integer. */
export function hashToBigInt(hash: Uint8Array): bigint {
  let value = 0n;
  for (const byte of hash) value = (value << 8n) | BigInt(byte);
  return value;
}

/** POW-1: a header meets its difficulty when its hash, big-endian, is below the target. */
export function meetsDifficulty(hash: Uint8Array, difficulty: number): boolean {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new TypeError('meetsDifficulty: hash must be 32 bytes');
  return hashToBigInt(hash) < targetOf(difficulty);
}

/**
 * POW-4: the work a block adds to its chain, `floor(2^256 / target)`; fork choice follows the
 * most cumulative work.
 */
export function workOf(difficulty: number): bigint {
  return (1n << 256n) / targetOf(difficulty);
}

/**
 * `floor(log2(n) · 65536)` for a positive integer (POW-5): the integer part is the bit length
 * minus one, then 16 fraction bits by repeated squaring of the mantissa in 64-bit fixed point,
 * truncating after each squaring.
 *
 * @example
 * log2Fixed(1024n); // 655360 (10 bits)
 */
export function log2Fixed(n: bigint): number {
  if (typeof n !== 'bigint' || n < 1n) throw new RangeError('log2Fixed: n must be a positive bigint');
  const bits = n.toString(2).length - 1;
  const SCALE = 64n;
  // mantissa m = n / 2^bits in [1, 2), held as m · 2^64
  let m = bits >= 64 ? n >> BigInt(bits - 64) : n << BigInt(64 - bits);
  let result = bits * DIFFICULTY_ONE;
  for (let bit = 15; bit >= 0; bit--) {
    m = (m * m) >> SCALE;
    if (m >= 2n << SCALE) {
      m >>= 1n;
      result += 1 << bit;
    }
  }
  return result;
}
